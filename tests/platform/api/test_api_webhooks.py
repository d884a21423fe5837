"""Webhooks over the API: an organisation creates endpoints (the secret is shown once), lists and
deletes its own, and reads the log of deliveries to them; another organisation's are not found."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chain import keys
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create, webhook_event_publish

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger():
    return UserFactory(organisation=RegisteredOrganisationFactory())


def test_a_new_endpoint_shows_its_secret_once(supplier_user, api):
    client = api(supplier_user)

    created = client.post("/api/webhooks/", {"url": "https://erp.example.com/hooks", "events": ["invoice.confirmed"]},
                          format="json")

    assert created.status_code == 201
    body = created.json()
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert keys.decrypt(endpoint.encrypted_secret).decode() == body["secret"]
    assert (endpoint.organisation, endpoint.events) == (supplier_user.organisation, ["invoice.confirmed"])
    listed = client.get("/api/webhooks/")
    assert body["secret"] not in listed.content.decode() and "secret" not in listed.json()["results"][0]


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "ftp://erp.example.com"}, "url"),
    ({"url": "https://erp.example.com", "events": ["invoice.eaten"]}, "events"),
])
def test_a_bad_endpoint_is_named(supplier_user, api, body, field):
    response = api(supplier_user).post("/api/webhooks/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not WebhookEndpoint.objects.exists()


def test_the_list_shows_only_the_organisations_endpoints(supplier_user, stranger, api):
    mine, _ = webhook_endpoint_create(created_by=supplier_user, url="https://mine.example.com")
    webhook_endpoint_create(created_by=stranger, url="https://theirs.example.com")

    rows = api(supplier_user).get("/api/webhooks/").json()["results"]

    assert [row["url"] for row in rows] == ["https://mine.example.com"]


def test_an_endpoint_is_deleted(supplier_user, api):
    endpoint, _ = webhook_endpoint_create(created_by=supplier_user, url="https://mine.example.com")

    response = api(supplier_user).delete(f"/api/webhooks/{endpoint.pk}/")

    assert response.status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_another_organisations_endpoint_cannot_be_read_or_deleted(supplier_user, stranger, api):
    theirs, _ = webhook_endpoint_create(created_by=stranger, url="https://theirs.example.com")
    client = api(supplier_user)

    assert client.get(f"/api/webhooks/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/webhooks/{theirs.pk}/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()


def _deliveries(user, count: int, event="invoice.confirmed") -> list[WebhookDelivery]:
    return [
        delivery
        for _ in range(count)
        for delivery in webhook_event_publish(organisations=[user.organisation_id], event=event, payload={"n": 1})
    ]


def test_the_deliveries_log_shows_the_organisations_deliveries(supplier_user, stranger, api):
    webhook_endpoint_create(created_by=supplier_user, url="https://mine.example.com")
    webhook_endpoint_create(created_by=stranger, url="https://theirs.example.com")
    [mine] = _deliveries(supplier_user, 1)
    _deliveries(stranger, 1)

    [row] = api(supplier_user).get("/api/webhook-deliveries/").json()["results"]

    assert (row["id"], row["url"], row["event"], row["status"], row["payload"]) == (
        mine.pk, "https://mine.example.com", "invoice.confirmed", "pending", {"n": 1}
    )


def test_the_deliveries_log_filters_by_event(supplier_user, api):
    webhook_endpoint_create(created_by=supplier_user, url="https://mine.example.com")
    _deliveries(supplier_user, 1, event="invoice.confirmed")
    [repaid] = _deliveries(supplier_user, 1, event="invoice.repaid")

    rows = api(supplier_user).get("/api/webhook-deliveries/", {"event": "invoice.repaid"}).json()["results"]

    assert [row["id"] for row in rows] == [repaid.pk]


def test_a_bad_delivery_filter_is_named(supplier_user, api):
    response = api(supplier_user).get("/api/webhook-deliveries/", {"status": "lost"})

    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.parametrize("path", ["/api/webhooks/", "/api/webhook-deliveries/"])
def test_the_lists_cost_the_same_queries_for_5_or_30_rows(supplier_user, api, django_assert_max_num_queries, path):
    def add(count: int) -> None:  # endpoints, with one delivery each
        for number in range(count):
            endpoint, _ = webhook_endpoint_create(created_by=supplier_user, url=f"https://erp.example.com/{number}")
            WebhookDelivery.objects.create(endpoint=endpoint, event="invoice.repaid", payload={})

    client = api(supplier_user)
    add(5)
    with CaptureQueriesContext(connection) as five:
        client.get(path)
    add(25)

    with django_assert_max_num_queries(len(five)):
        response = client.get(path)

    assert len(response.json()["results"]) == 30
