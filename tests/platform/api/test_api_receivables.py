"""The receivables API: the pieces an organisation holds (filtered, ordered, constant queries),
the supplier's split, transfer and financing request and the lender's write-off, each with its
wrong role (403), foreign piece (404), bad input (400 naming the field) and idempotent replay."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chain.models import ChainAction
from financing.models import FinancingRequest
from invoices.models import Invoice, InvoiceStatus, Piece
from organisations.models import Organisation, Role

from factories import InvoiceFactory, PieceFactory, ProgrammeFactory, RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


@pytest.fixture
def piece(supplier_user):
    return PieceFactory(invoice=InvoiceFactory(seller=supplier_user.organisation, status=InvoiceStatus.CONFIRMED))


@pytest.fixture
def recipient():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER)


def post(client, path, body=None, key="erp-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(path, body or {}, format="json", **headers)


# Reading


def test_the_list_shows_the_pieces_held_with_their_invoice(piece, supplier_user, api):
    PieceFactory()  # someone else's

    response = api(supplier_user).get("/api/receivables/")

    [row] = response.json()["results"]
    invoice = piece.invoice
    assert row == {
        "id": piece.pk, "invoice": invoice.pk, "invoice_number": invoice.number, "invoice_status": "confirmed",
        "index": 0, "seller": invoice.seller.name, "buyer": invoice.buyer.name, "buyer_id": invoice.buyer_id,
        "currency": "USDC", "due_date": str(invoice.due_date), "amount": invoice.amount, "financed": False,
        "claimed": 0, "written_off_at": None, "written_off_amount": None,
    }


def test_a_piece_held_by_another_organisation_is_not_found(supplier_user, api):
    response = api(supplier_user).get(f"/api/receivables/{PieceFactory().pk}/")

    assert response.status_code == 404


def test_a_lender_lists_the_pieces_it_financed(lender_user, api):
    financed = PieceFactory(holder=lender_user.organisation, financed=True)

    response = api(lender_user).get("/api/receivables/", {"financed": "true"})

    assert [row["id"] for row in response.json()["results"]] == [financed.pk]


def test_a_core_firm_has_no_receivables(core_firm_user, api):
    response = api(core_firm_user).get("/api/receivables/")

    assert response.status_code == 403
    assert "supplier or lender" in response.json()["detail"]


def test_the_list_filters_and_orders(supplier_user, api):
    mine = supplier_user.organisation
    soon = PieceFactory(invoice=InvoiceFactory(seller=mine, number="S-1", due_date=TODAY + timedelta(days=5)))
    late = PieceFactory(invoice=InvoiceFactory(seller=mine, number="L-1", due_date=TODAY + timedelta(days=80)))
    client = api(supplier_user)

    ordered = client.get("/api/receivables/", {"ordering": "-due_date"}).json()["results"]
    assert [row["id"] for row in ordered] == [late.pk, soon.pk]
    found = client.get("/api/receivables/", {"number": "s-", "buyer": soon.invoice.buyer_id}).json()["results"]
    assert [row["id"] for row in found] == [soon.pk]
    due = client.get("/api/receivables/", {"due_date_before": str(TODAY + timedelta(days=10))}).json()["results"]
    assert [row["id"] for row in due] == [soon.pk]


def test_a_bad_filter_is_named(supplier_user, api):
    response = api(supplier_user).get("/api/receivables/", {"currency": "DOGE"})

    assert response.status_code == 400
    assert "currency" in response.json()


def test_the_list_costs_the_same_queries_for_5_or_30_rows(supplier_user, api, django_assert_max_num_queries):
    client = api(supplier_user)
    PieceFactory.create_batch(5, holder=supplier_user.organisation)
    with CaptureQueriesContext(connection) as five:
        client.get("/api/receivables/")
    PieceFactory.create_batch(25, holder=supplier_user.organisation)

    with django_assert_max_num_queries(len(five)):
        response = client.get("/api/receivables/")

    assert len(response.json()["results"]) == 30


# Splitting


def test_a_split_is_queued_for_the_recipient(piece, recipient, supplier_user, api):
    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/split/",
                    {"to_organisation": recipient.pk, "amount": "400"})

    assert response.status_code == 202
    action = ChainAction.objects.get(pk=response.json()["id"])
    assert (action.function, action.args[-1]) == ("splitPiece", 400_000_000)


@pytest.mark.parametrize(("body", "field"), [
    ({"to_organisation": None, "amount": "400"}, "to_organisation"),
    ({"to_organisation": "someone", "amount": "400"}, "to_organisation"),
    ({"amount": "1000"}, "amount"),
    ({"amount": "0.0000001"}, "amount"),
])
def test_a_bad_split_names_the_field(piece, recipient, supplier_user, api, body, field):
    body = {"to_organisation": recipient.pk} | body

    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/split/", body)

    assert response.status_code == 400
    assert field in response.json()
    assert not ChainAction.objects.exists()


def test_a_split_to_an_unknown_recipient_is_named(piece, supplier_user, api):
    lender = RegisteredOrganisationFactory(role=Role.LENDER)

    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/split/",
                    {"to_organisation": lender.pk, "amount": "1"})

    assert response.status_code == 400
    assert "no supplier with this id" in response.json()["to_organisation"][0]


def test_a_lender_cannot_split(lender_user, recipient, api):
    held = PieceFactory(holder=lender_user.organisation, invoice=InvoiceFactory(status=InvoiceStatus.CONFIRMED))

    response = post(api(lender_user), f"/api/receivables/{held.pk}/split/", {"to_organisation": recipient.pk,
                                                                          "amount": "1"})

    assert response.status_code == 403
    assert response.json()["detail"] == "Only a supplier can do this; your organisation is a lender."


def test_a_holder_whose_kyc_lapsed_is_refused_with_the_reason(piece, recipient, supplier_user, api):
    Organisation.objects.filter(pk=supplier_user.organisation_id).update(kyc_expires_at=timezone.now())

    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/split/",
                    {"to_organisation": recipient.pk, "amount": "1"})

    assert response.status_code == 403
    assert "needs a current KYC approval" in response.json()["detail"]
    assert not ChainAction.objects.exists()


def test_another_organisations_piece_cannot_be_split(recipient, supplier_user, api):
    foreign = PieceFactory(invoice=InvoiceFactory(status=InvoiceStatus.CONFIRMED))

    response = post(api(supplier_user), f"/api/receivables/{foreign.pk}/split/",
                    {"to_organisation": recipient.pk, "amount": "1"})

    assert response.status_code == 404
    assert not ChainAction.objects.exists()


def test_a_retried_split_gets_the_first_answer(piece, recipient, supplier_user, api):
    client = api(supplier_user)
    body = {"to_organisation": recipient.pk, "amount": "400"}

    first = post(client, f"/api/receivables/{piece.pk}/split/", body, key="split-1")
    retry = post(client, f"/api/receivables/{piece.pk}/split/", body, key="split-1")

    assert retry.json() == first.json() and retry.headers["Idempotent-Replay"] == "true"
    assert ChainAction.objects.count() == 1


# Transferring


def test_a_transfer_is_queued_for_the_recipient(piece, recipient, supplier_user, api):
    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/transfer/", {"to_organisation": recipient.pk})

    assert response.status_code == 202
    assert ChainAction.objects.get(pk=response.json()["id"]).function == "transferPiece"


def test_a_transfer_to_oneself_is_named(piece, supplier_user, api):
    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/transfer/",
                    {"to_organisation": supplier_user.organisation_id})

    assert response.status_code == 400
    assert "another organisation than the holder" in response.json()["to_organisation"][0]


def test_a_core_firm_cannot_transfer(core_firm_user, recipient, api):
    response = post(api(core_firm_user), f"/api/receivables/{PieceFactory().pk}/transfer/",
                    {"to_organisation": recipient.pk})

    assert response.status_code == 403


def test_another_organisations_piece_cannot_be_transferred(recipient, supplier_user, api):
    foreign = PieceFactory(invoice=InvoiceFactory(status=InvoiceStatus.CONFIRMED))

    response = post(api(supplier_user), f"/api/receivables/{foreign.pk}/transfer/", {"to_organisation": recipient.pk})

    assert response.status_code == 404


def test_a_retried_transfer_gets_the_first_answer(piece, recipient, supplier_user, api):
    client = api(supplier_user)

    first = post(client, f"/api/receivables/{piece.pk}/transfer/", {"to_organisation": recipient.pk}, key="t-1")
    retry = post(client, f"/api/receivables/{piece.pk}/transfer/", {"to_organisation": recipient.pk}, key="t-1")

    assert retry.json() == first.json() and retry.headers["Idempotent-Replay"] == "true"
    assert ChainAction.objects.count() == 1


# Quotes and asking for financing


@pytest.fixture
def lender(piece):
    """A lender whose programme for the piece's buyer finances it (the piece's seller is rated)."""
    Organisation.objects.filter(pk=piece.holder_id).update(rating=7, rated_at=timezone.now())
    return ProgrammeFactory(core_firm=piece.invoice.buyer).lender


def quote_of(client, piece, lender) -> dict:
    [quote] = client.get(f"/api/receivables/{piece.pk}/quotes/", {"lender": lender.pk}).json()
    return quote


def test_quotes_show_the_price_each_lender_would_pay_now(piece, lender, supplier_user, api):
    ProgrammeFactory(core_firm=piece.invoice.buyer, min_rating=9, lender__name="Zenith Bank")
    ProgrammeFactory(core_firm=piece.invoice.buyer, limit=0)  # closed

    response = api(supplier_user).get(f"/api/receivables/{piece.pk}/quotes/")

    assert response.status_code == 200
    quote, refusal = response.json()
    days = quote["tenor_days"]
    discount = 800_000_000 * 575 * days // 3_650_000  # 80% advanced at 5% + 3 notches of 0.25% a year
    rate = Decimal(quote.pop("effective_yearly_rate"))
    assert quote == {
        "lender": lender.pk, "lender_name": lender.name, "approved": True, "reason": "", "reason_text": "",
        "advance": 800_000_000, "discount": discount, "payout": 800_000_000 - discount, "tenor_days": days,
        "min_rating": 1, "holder_rating": 7,
    }
    # The discount over the cash paid, for a year: above the 5.75% charged on the advance.
    assert abs(rate - Decimal(discount * 365) / ((800_000_000 - discount) * days)) < Decimal("0.000001")
    assert 49 <= days <= 51
    assert (refusal["lender_name"], refusal["approved"], refusal["reason"], refusal["payout"]) == (
        "Zenith Bank", False, "rating_too_low", 0
    )
    assert refusal["reason_text"] == "The supplier's rating is below the minimum the lender accepts."
    assert not ChainAction.objects.exists()


def test_one_lenders_quote_even_without_a_programme(piece, lender, supplier_user, api):
    stranger = RegisteredOrganisationFactory(role=Role.LENDER)

    assert quote_of(api(supplier_user), piece, lender)["approved"]
    assert quote_of(api(supplier_user), piece, stranger)["reason"] == "no_programme"


def test_quotes_answer_503_in_words_when_the_chain_does_not(piece, lender, supplier_user, api, monkeypatch):
    from chain import quotes

    def silent(**_asked):
        raise quotes.ChainSilent("ConnectionError: refused")

    monkeypatch.setattr(quotes, "financing_quotes", silent)

    response = api(supplier_user).get(f"/api/receivables/{piece.pk}/quotes/")

    assert response.status_code == 503
    assert response.json() == {"detail": "The chain does not answer just now, so no lender can quote: try again in a minute."}


@pytest.mark.parametrize("query", [{"lender": "bank"}, {"lender": 0}], ids=["not-a-number", "zero"])
def test_a_quotes_lender_is_an_id(piece, supplier_user, api, query):
    response = api(supplier_user).get(f"/api/receivables/{piece.pk}/quotes/", query)

    assert response.status_code == 400 and list(response.json()) == ["lender"]


def test_a_quote_from_a_non_lender_is_named(piece, recipient, supplier_user, api):
    response = api(supplier_user).get(f"/api/receivables/{piece.pk}/quotes/", {"lender": recipient.pk})

    assert response.status_code == 400
    assert "no lender with this id" in response.json()["lender"][0]


def test_quotes_are_for_the_holder_of_the_piece(lender, lender_user, supplier_user, api):
    foreign = PieceFactory(invoice=InvoiceFactory(status=InvoiceStatus.CONFIRMED))

    assert api(supplier_user).get(f"/api/receivables/{foreign.pk}/quotes/", {"lender": "x"}).status_code == 404
    held = PieceFactory(holder=lender_user.organisation)
    assert api(lender_user).get(f"/api/receivables/{held.pk}/quotes/").status_code == 403


def test_a_financing_request_is_recorded_and_queued_with_its_quote(piece, lender, supplier_user, api):
    client = api(supplier_user)
    quoted = quote_of(client, piece, lender)["payout"]

    response = post(client, f"/api/receivables/{piece.pk}/request-financing/", {"lender": lender.pk})

    assert response.status_code == 201
    request = FinancingRequest.objects.get()
    answer = response.json()
    assert answer["id"] == request.pk and answer["status"] == "requested"
    assert answer["quoted_payout"] == quoted == request.quoted_payout
    assert answer["deadline"] == request.deadline.isoformat().replace("+00:00", "Z")
    assert response.headers["Location"].endswith(f"/api/financing-requests/{request.pk}/")
    action = ChainAction.objects.get()
    assert action.function == "requestFinancing" and action.args[3:] == [quoted, int(request.deadline.timestamp())]


def test_the_min_payout_is_read_in_currency_units(piece, lender, supplier_user, api):
    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/request-financing/",
                    {"lender": lender.pk, "min_payout": "700.5"})

    assert response.status_code == 201 and response.json()["quoted_payout"] == 700_500_000
    assert ChainAction.objects.get().args[3] == 700_500_000


def test_a_min_payout_above_the_quote_now_is_refused_with_the_payout(piece, lender, supplier_user, api):
    client = api(supplier_user)
    quoted = quote_of(client, piece, lender)["payout"]

    response = post(client, f"/api/receivables/{piece.pk}/request-financing/",
                    {"lender": lender.pk, "min_payout": "800"})

    assert response.status_code == 400
    [sentence] = response.json()["min_payout"]
    assert sentence.startswith("The terms changed since your quote:")
    assert f"would now pay {quoted / 1_000_000:,.6f}" in sentence and "less than the 800.00 USDC" in sentence
    assert not FinancingRequest.objects.exists() and not ChainAction.objects.exists()


@pytest.mark.parametrize("min_payout", ["0", "-1", "lots", "1.0000001"])
def test_a_malformed_min_payout_is_named(piece, lender, supplier_user, api, min_payout):
    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/request-financing/",
                    {"lender": lender.pk, "min_payout": min_payout})

    assert response.status_code == 400 and list(response.json()) == ["min_payout"]
    assert not ChainAction.objects.exists()


def test_the_schema_says_a_request_without_min_payout_takes_the_quote_of_the_moment(supplier_user, api):
    schema = api(supplier_user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    description = schema["components"]["schemas"]["FinancingAsk"]["properties"]["min_payout"]["description"]

    assert "currency units" in description and "bound to the contract's quote when it arrives" in description


def test_a_financing_request_to_a_non_lender_is_named(piece, recipient, supplier_user, api):
    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/request-financing/",
                    {"lender": recipient.pk})

    assert response.status_code == 400
    assert "no lender with this id" in response.json()["lender"][0]


def test_a_lender_cannot_request_financing(lender_user, lender, api):
    held = PieceFactory(holder=lender_user.organisation)

    response = post(api(lender_user), f"/api/receivables/{held.pk}/request-financing/", {"lender": lender.pk})

    assert response.status_code == 403


def test_another_organisations_piece_cannot_be_offered(lender, supplier_user, api):
    foreign = PieceFactory(invoice=InvoiceFactory(status=InvoiceStatus.CONFIRMED))

    response = post(api(supplier_user), f"/api/receivables/{foreign.pk}/request-financing/", {"lender": lender.pk})

    assert response.status_code == 404
    assert not FinancingRequest.objects.exists()


def test_a_retried_financing_request_gets_the_first_answer(piece, lender, supplier_user, api):
    client = api(supplier_user)
    path = f"/api/receivables/{piece.pk}/request-financing/"

    first = post(client, path, {"lender": lender.pk}, key="fin-1")
    retry = post(client, path, {"lender": lender.pk}, key="fin-1")

    assert retry.status_code == 201 and retry.json() == first.json()
    assert FinancingRequest.objects.count() == 1


# Writing off


@pytest.fixture
def defaulted(lender_user):
    """800.00 of a defaulted invoice, financed and held by the lender."""
    invoice = InvoiceFactory(status=InvoiceStatus.DEFAULTED)
    return PieceFactory(invoice=invoice, holder=lender_user.organisation, amount=800_000_000, financed=True)


def test_a_write_off_is_queued_for_the_lender(defaulted, lender_user, api):
    response = post(api(lender_user), f"/api/receivables/{defaulted.pk}/write-off/")

    assert response.status_code == 202
    assert response.headers["Location"].endswith(f"/api/actions/{response.json()['id']}/")
    action = ChainAction.objects.get(pk=response.json()["id"])
    assert (action.function, action.args) == ("writeOff", [defaulted.invoice.fingerprint, 0])


def test_a_write_off_the_chain_would_refuse_names_the_rule(defaulted, lender_user, api):
    Invoice.objects.filter(pk=defaulted.invoice_id).update(status=InvoiceStatus.OVERDUE)

    response = post(api(lender_user), f"/api/receivables/{defaulted.pk}/write-off/")

    assert response.status_code == 400
    assert response.json()["status"] == [
        "Only a piece of a defaulted invoice can be written off; this invoice is Overdue."
    ]
    assert not ChainAction.objects.exists()


def test_a_supplier_cannot_write_off(piece, supplier_user, api):
    response = post(api(supplier_user), f"/api/receivables/{piece.pk}/write-off/")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only a lender can do this; your organisation is a supplier."


def test_another_lenders_piece_cannot_be_written_off(defaulted, api):
    other = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.LENDER))

    response = post(api(other), f"/api/receivables/{defaulted.pk}/write-off/")

    assert response.status_code == 404
    assert not ChainAction.objects.exists()


def test_a_write_off_needs_an_idempotency_key(defaulted, lender_user, api):
    response = post(api(lender_user), f"/api/receivables/{defaulted.pk}/write-off/", key=None)

    assert response.status_code == 400
    assert not ChainAction.objects.exists()


def test_a_retried_write_off_gets_the_first_answer(defaulted, lender_user, api):
    client = api(lender_user)

    first = post(client, f"/api/receivables/{defaulted.pk}/write-off/", key="wo-1")
    retry = post(client, f"/api/receivables/{defaulted.pk}/write-off/", key="wo-1")
    again = post(client, f"/api/receivables/{defaulted.pk}/write-off/", key="wo-2")

    assert retry.json() == first.json() and retry.headers["Idempotent-Replay"] == "true"
    assert again.json()["id"] == first.json()["id"]  # a piece is written off once, whatever the key
    assert ChainAction.objects.count() == 1


def test_a_written_off_piece_shows_when_and_what_was_released(defaulted, lender_user, api):
    written_off_at = timezone.now()
    Piece.objects.filter(pk=defaulted.pk).update(written_off_at=written_off_at, written_off_amount=700_000_000)

    row = api(lender_user).get(f"/api/receivables/{defaulted.pk}/").json()

    assert row["written_off_amount"] == 700_000_000
    assert row["written_off_at"] == written_off_at.isoformat().replace("+00:00", "Z")
