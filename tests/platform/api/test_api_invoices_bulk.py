"""POST /api/invoices/bulk/: up to 500 invoices in one request under one Idempotency-Key, one
result per invoice in order; suppliers only."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chain.models import ChainAction
from invoices.models import Invoice
from invoices.services import MAX_BATCH
from organisations.models import Role

from factories import DocumentFactory, RegisteredOrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
URL = "/api/invoices/bulk/"


@pytest.fixture
def buyer():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM)


@pytest.fixture
def item(supplier_user, buyer):
    def item(n: int, **fields) -> dict:
        document = DocumentFactory(organisation=supplier_user.organisation)
        return {
            "buyer": buyer.pk, "number": f"INV-B-{n}", "amount": f"{1000 + n}.50", "currency": "USDC",
            "issue_date": str(TODAY - timedelta(days=2)), "due_date": str(TODAY + timedelta(days=60)),
            "documents": [document.pk],
        } | fields

    return item


def _post(client, body, key="bulk-1"):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_each_invoice_gets_its_result_in_request_order(supplier_user, api, item):
    body = {"invoices": [item(0), item(1, amount="0"), item(2, due_date="tomorrow"), item(3, number="inv-b-0")]}

    response = _post(api(supplier_user), body)

    assert response.status_code == 200
    answer = response.json()
    assert (answer["created"], answer["refused"]) == (1, 3)
    results = answer["results"]
    assert [(result["index"], result["status"]) for result in results] == [
        (0, "created"), (1, "refused"), (2, "refused"), (3, "refused")]
    assert results[0]["id"] == Invoice.objects.get().pk and results[0]["number"] == "INV-B-0"
    assert list(results[1]["errors"]) == ["amount"]
    assert list(results[2]["errors"]) == ["due_date"]
    assert "INV-B-0 (item 0)" in results[3]["errors"]["number"][0]
    assert ChainAction.objects.filter(function="registerInvoice").count() == 1


def test_a_bad_document_id_is_refused_on_its_invoice_alone(supplier_user, api, item):
    response = _post(api(supplier_user), {"invoices": [item(0, documents=["x"]), item(1)]})

    first, second = response.json()["results"]
    assert first["errors"] == {"documents": ["0: A valid integer is required."]}
    assert second["status"] == "created"


def test_a_replay_returns_the_same_answer_and_stores_nothing_new(supplier_user, api, item):
    client = api(supplier_user)
    body = {"invoices": [item(0), item(1)]}

    first = _post(client, body, key="erp-month-11")
    retry = _post(client, body, key="erp-month-11")

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json() and retry.headers["Idempotent-Replay"] == "true"
    assert Invoice.objects.count() == 2
    assert ChainAction.objects.count() == 2


def test_the_idempotency_key_is_required(supplier_user, api, item):
    response = api(supplier_user).post(URL, {"invoices": [item(0)]}, format="json")

    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("count", [0, MAX_BATCH + 1])
def test_an_empty_or_oversized_request_is_refused_whole(supplier_user, api, item, count):
    invoice = item(0)
    response = _post(api(supplier_user), {"invoices": [invoice | {"number": f"N-{n}"} for n in range(count)]})

    assert response.status_code == 400
    assert "invoices" in response.json()
    assert not Invoice.objects.exists()


def test_a_body_without_a_list_of_invoices_is_refused(supplier_user, api):
    response = _post(api(supplier_user), {"invoices": ["INV-1"]})

    assert response.status_code == 400 and "invoices" in response.json()


@pytest.mark.parametrize("user", ["core_firm_user", "lender_user"])
def test_only_a_supplier_may_submit_in_bulk(api, item, user, request):
    response = _post(api(request.getfixturevalue(user)), {"invoices": [item(0)]})

    assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_another_organisations_document_is_refused_and_left_alone(supplier_user, api, item):
    foreign = DocumentFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))

    response = _post(api(supplier_user), {"invoices": [item(0, documents=[foreign.pk])]})

    [result] = response.json()["results"]
    assert result["status"] == "refused" and list(result["errors"]) == ["documents"]
    foreign.refresh_from_db()
    assert foreign.invoice_id is None


def test_the_schema_documents_the_bulk_endpoint(supplier_user, api):
    schema = api(supplier_user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    bulk = schema["paths"][URL]["post"]
    assert "200" in bulk["responses"]
    [header] = [parameter for parameter in bulk["parameters"] if parameter["in"] == "header"]
    assert (header["name"], header["required"]) == ("Idempotency-Key", True)


def test_five_hundred_invoices_are_accepted_in_one_request(supplier_user, api, item, capsys):
    body = {"invoices": [item(n) for n in range(MAX_BATCH)]}
    client = api(supplier_user)

    started = time.perf_counter()
    response = _post(client, body)
    elapsed = time.perf_counter() - started

    assert response.status_code == 200 and response.json()["created"] == MAX_BATCH
    with capsys.disabled():
        print(f"\nPOST {URL}: {MAX_BATCH} invoices in {elapsed:.2f} s on {connection.vendor}")
    assert elapsed < 15
