"""The financing-requests API: a holder sees the requests it made, a lender those made to it, each
with the decision (advance, discount, tenor, rating, or the reason in words); nobody else sees
them, and the list costs the same queries for any number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from financing.models import FinancingStatus

from factories import FinancingRequestFactory, InvoiceFactory, PieceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(supplier_user, lender_user):
    """A request by the supplier to the lender."""
    piece = PieceFactory(invoice=InvoiceFactory(seller=supplier_user.organisation))
    return FinancingRequestFactory(piece=piece, lender=lender_user.organisation)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_holder_and_the_lender_see_the_request_and_nobody_else(made, supplier_user, lender_user, api):
    FinancingRequestFactory()  # between two other organisations

    assert _ids(api(supplier_user).get("/api/financing-requests/")) == [made.pk]
    assert _ids(api(lender_user).get("/api/financing-requests/")) == [made.pk]


def test_another_organisations_request_is_not_found(supplier_user, api):
    response = api(supplier_user).get(f"/api/financing-requests/{FinancingRequestFactory().pk}/")

    assert response.status_code == 404


def test_a_core_firm_gets_a_clear_refusal(core_firm_user, api):
    response = api(core_firm_user).get("/api/financing-requests/")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only a supplier or lender can do this; your organisation is a core firm."


def test_an_approved_request_shows_the_decision(made, supplier_user, api):
    made.status, made.advance, made.discount, made.tenor_days, made.rating = (
        FinancingStatus.APPROVED, 900_000_000, 12_000_000, 45, 3
    )
    made.decided_at = timezone.now()
    made.save()

    body = api(supplier_user).get(f"/api/financing-requests/{made.pk}/").json()

    assert {key: body[key] for key in ("status", "advance", "discount", "tenor_days", "rating")} == {
        "status": "approved", "advance": 900_000_000, "discount": 12_000_000, "tenor_days": 45, "rating": 3,
    }
    assert (body["reject_reason"], body["reject_reason_text"]) == ("", None)
    assert (body["invoice"], body["amount"], body["currency"]) == (made.piece.invoice_id, made.piece.amount, "USDC")


def test_a_rejected_request_says_why_in_words(made, lender_user, api):
    made.status, made.reject_reason = FinancingStatus.REJECTED, "over_limit"
    made.save()

    body = api(lender_user).get(f"/api/financing-requests/{made.pk}/").json()

    assert body["reject_reason"] == "over_limit"
    assert body["reject_reason_text"] == "The lender's limit for this buyer is used up."


def test_the_list_filters_by_status_and_lender(made, supplier_user, api):
    other = FinancingRequestFactory(piece=PieceFactory(holder=supplier_user.organisation),
                                    status=FinancingStatus.REJECTED)
    client = api(supplier_user)

    assert _ids(client.get("/api/financing-requests/", {"status": "rejected"})) == [other.pk]
    assert _ids(client.get("/api/financing-requests/", {"lender": made.lender_id})) == [made.pk]
    assert _ids(client.get("/api/financing-requests/", {"ordering": "created_at"})) == [made.pk, other.pk]


@pytest.mark.parametrize(("parameter", "value"), [("status", "maybe"), ("created_after", "yesterday")])
def test_a_bad_filter_is_named(supplier_user, api, parameter, value):
    response = api(supplier_user).get("/api/financing-requests/", {parameter: value})

    assert response.status_code == 400
    assert parameter in response.json()


def test_the_list_costs_the_same_queries_for_5_or_30_rows(lender_user, api, django_assert_max_num_queries):
    client = api(lender_user)
    FinancingRequestFactory.create_batch(5, lender=lender_user.organisation)
    with CaptureQueriesContext(connection) as five:
        client.get("/api/financing-requests/")
    FinancingRequestFactory.create_batch(25, lender=lender_user.organisation)

    with django_assert_max_num_queries(len(five)):
        response = client.get("/api/financing-requests/")

    assert len(response.json()["results"]) == 30
