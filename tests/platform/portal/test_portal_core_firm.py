"""The core firm's portal pages through the Django test client: each page renders for a core firm;
Confirm, Dispute and Repay queue the right on-chain actions (the ChainAction rows are the output,
no chain); refusals show next to their field and change nothing; other organisations' invoices
and documents answer 404; and the lists' query counts do not grow with their rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import samples
from chain.models import ActionPurpose, ActionStatus, ChainAction
from documents.models import Document, DocumentKind
from documents.services import document_upload
from financing.models import Programme
from invoices.models import Currency, InvoiceStatus
from organisations.models import Role
from portal.core_firm.forms import units

from factories import ChainActionFactory, InvoiceFactory, PieceFactory, RegisteredOrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

TODAY = timezone.localdate()


@pytest.fixture
def core_firm():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Core Manufacturing plc")


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Acme Supplies Ltd")


@pytest.fixture
def buyer_client(client, core_firm):
    client.force_login(UserFactory(organisation=core_firm))
    return client


@pytest.fixture
def bought(core_firm, supplier):
    """Invoices the core firm bought, with fields given."""

    def bought(**fields):
        return InvoiceFactory(buyer=core_firm, seller=supplier, **fields)

    return bought


def url(name: str, **kwargs) -> str:
    return reverse(f"portal:core_firm:{name}", kwargs=kwargs)


def query_count(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def field_errors(response, form: str) -> dict[str, list[str]]:
    return {field: list(errors) for field, errors in response.context[form].errors.items()}


# Pages and access


@pytest.mark.parametrize("name", ["dashboard", "inbox", "payables", "calendar", "exposure"])
def test_each_page_renders_for_a_core_firm(buyer_client, bought, name):
    bought(status=InvoiceStatus.CONFIRMED)
    bought(status=InvoiceStatus.REGISTERED)

    assert buyer_client.get(url(name)).status_code == 200


@pytest.mark.parametrize("name", ["dashboard", "inbox", "payables", "calendar", "exposure"])
def test_pages_refuse_other_roles(client, supplier, name):
    client.force_login(UserFactory(organisation=supplier))

    assert client.get(url(name)).status_code == 403


def test_dashboard_figures(buyer_client, bought):
    bought(status=InvoiceStatus.REGISTERED)
    bought(status=InvoiceStatus.CONFIRMED, amount=1_000_000_000, repaid=400_000_000,
           due_date=TODAY + timedelta(days=10))
    bought(status=InvoiceStatus.CONFIRMED, amount=2_000_000_000, due_date=TODAY + timedelta(days=45))
    bought(status=InvoiceStatus.OVERDUE, amount=3_000_000_000, due_date=TODAY - timedelta(days=10))
    bought(status=InvoiceStatus.CONFIRMED, amount=5_000_000, currency=Currency.EURT, due_date=TODAY - timedelta(days=1))
    InvoiceFactory(status=InvoiceStatus.OVERDUE)  # another buyer's

    figures = buyer_client.get(url("dashboard")).context["figures"]

    assert figures["outstanding"] == {"USDC": 5_600_000_000, "EURT": 5_000_000}
    assert figures["due_soon"] == {"USDC": 600_000_000}
    assert figures["overdue"] == {"USDC": 3_000_000_000, "EURT": 5_000_000}
    assert figures["overdue_count"] == 2


# Inbox and the invoice page


def test_inbox_lists_registered_invoices_of_the_buyer(buyer_client, bought):
    waiting = bought(status=InvoiceStatus.REGISTERED)
    bought(status=InvoiceStatus.CONFIRMED)
    InvoiceFactory(status=InvoiceStatus.REGISTERED)  # another buyer's

    assert list(buyer_client.get(url("inbox")).context["page"]) == [waiting]


def test_inbox_queries_do_not_grow_with_rows(buyer_client, bought):
    for _ in range(2):
        bought(status=InvoiceStatus.REGISTERED)
    few = query_count(buyer_client, url("inbox"))
    for _ in range(20):
        bought(status=InvoiceStatus.REGISTERED)

    assert query_count(buyer_client, url("inbox")) == few


def test_payables_queries_do_not_grow_with_rows(buyer_client, bought):
    for _ in range(2):
        bought(status=InvoiceStatus.CONFIRMED)
    few = query_count(buyer_client, url("payables"))
    for _ in range(20):
        bought(status=InvoiceStatus.CONFIRMED)

    assert query_count(buyer_client, url("payables")) == few


def test_payables_filter_outstanding_by_due_week(buyer_client, bought):
    this_week = bought(status=InvoiceStatus.CONFIRMED, due_date=TODAY + timedelta(days=3))
    bought(status=InvoiceStatus.REPAID, due_date=TODAY + timedelta(days=3))
    bought(status=InvoiceStatus.CONFIRMED, due_date=TODAY + timedelta(days=40))

    page = buyer_client.get(url("payables"), {"status": "outstanding", "due_from": TODAY,
                                              "due_to": TODAY + timedelta(days=6)})

    assert list(page.context["page"]) == [this_week]


@pytest.fixture
def registered(bought, supplier):
    invoice = bought(status=InvoiceStatus.REGISTERED)
    document = document_upload(organisation=supplier, uploaded_by=None, kind=DocumentKind.INVOICE, name="inv.pdf",
                               content=samples.pdf_bytes("registered"))
    Document.objects.filter(pk=document.pk).update(invoice=invoice)
    return invoice


def test_invoice_page_shows_documents_and_the_decision_forms(buyer_client, registered):
    document = registered.documents.get()

    page = buyer_client.get(url("invoice", invoice_id=registered.pk))
    download = buyer_client.get(url("document", document_id=document.pk))

    assert b'data-testid="confirm-form"' in page.content and b'data-testid="dispute-form"' in page.content
    assert url("document", document_id=document.pk).encode() in page.content
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == samples.pdf_bytes("registered")


def test_another_buyers_invoice_and_documents_are_not_found(client, registered):
    client.force_login(UserFactory(organisation=RegisteredOrganisationFactory(role=Role.CORE_FIRM)))
    document = registered.documents.get()

    assert client.get(url("invoice", invoice_id=registered.pk)).status_code == 404
    assert client.get(url("document", document_id=document.pk)).status_code == 404
    for action in ("invoice-confirm", "invoice-dispute", "invoice-repay"):
        assert client.post(url(action, invoice_id=registered.pk)).status_code == 404
    assert not ChainAction.objects.exists()


def test_confirm_queues_the_confirmation_and_tracks_it(buyer_client, registered):
    response = buyer_client.post(url("invoice-confirm", invoice_id=registered.pk))

    assert response.status_code == 302
    action = ChainAction.objects.get()
    assert (action.function, action.purpose, action.subject) == (
        "confirmInvoice", ActionPurpose.INVOICE_CONFIRM, registered
    )
    page = buyer_client.get(response["Location"])
    assert b'data-testid="progress-confirm"' in page.content
    assert b'data-testid="confirm-form"' not in page.content  # decided: the buttons are gone
    assert buyer_client.get(url("invoice-tracker", invoice_id=registered.pk)).context["waiting"] is True


def test_tracker_waits_for_the_invoice_to_change_after_the_chain_confirmed(buyer_client, core_firm, registered):
    ChainActionFactory(purpose=ActionPurpose.INVOICE_CONFIRM, subject=registered, function="confirmInvoice",
                       signer=core_firm.chain_account, status=ActionStatus.CONFIRMED)
    assert buyer_client.get(url("invoice-tracker", invoice_id=registered.pk)).context["waiting"] is True

    registered.status = InvoiceStatus.CONFIRMED
    registered.save()

    tracker = buyer_client.get(url("invoice-tracker", invoice_id=registered.pk))
    assert tracker.context["waiting"] is False and b"hx-get" not in tracker.content


def test_confirming_a_confirmed_invoice_shows_why_not(buyer_client, bought):
    invoice = bought(status=InvoiceStatus.CONFIRMED)

    response = buyer_client.post(url("invoice-confirm", invoice_id=invoice.pk))

    assert response.status_code == 200
    assert "Only a registered invoice" in " ".join(response.context["confirm_form"].non_field_errors())
    assert b'data-testid="refusal"' in response.content
    assert not ChainAction.objects.exists()


def test_dispute_needs_a_reason(buyer_client, registered):
    response = buyer_client.post(url("invoice-dispute", invoice_id=registered.pk), {"dispute-reason": ""})

    assert field_errors(response, "dispute_form") == {"reason": ["Say why you dispute the invoice."]}
    assert not ChainAction.objects.exists()


def test_dispute_queues_the_action(buyer_client, registered):
    response = buyer_client.post(url("invoice-dispute", invoice_id=registered.pk),
                                 {"dispute-reason": "Goods never delivered"})

    assert response.status_code == 302
    action = ChainAction.objects.get()
    assert (action.function, action.purpose, action.subject) == (
        "disputeInvoice", ActionPurpose.INVOICE_DISPUTE, registered
    )


def test_state_changes_only_by_post(buyer_client, registered):
    assert buyer_client.get(url("invoice-confirm", invoice_id=registered.pk)).status_code == 405


# Repayment


@pytest.fixture
def confirmed(bought):
    return bought(status=InvoiceStatus.CONFIRMED, amount=1_000_000_000, repaid=250_000_000)


def test_repay_form_offers_what_is_still_owed_with_a_fresh_key(buyer_client, confirmed):
    first = buyer_client.get(url("invoice", invoice_id=confirmed.pk)).context["repay_form"]
    second = buyer_client.get(url("invoice", invoice_id=confirmed.pk)).context["repay_form"]

    assert first.initial["amount"] == "750.00"
    assert first.initial["request_key"] != second.initial["request_key"]


def test_repay_queues_the_payment_once_per_key(buyer_client, confirmed):
    fields = {"repay-amount": "100.25", "repay-request_key": "key-1"}

    buyer_client.post(url("invoice-repay", invoice_id=confirmed.pk), fields)
    buyer_client.post(url("invoice-repay", invoice_id=confirmed.pk), fields)

    action = ChainAction.objects.get()
    assert (action.function, action.purpose, action.subject, action.request_key) == (
        "repay", ActionPurpose.REPAY, confirmed, "key-1"
    )
    assert action.args == [confirmed.fingerprint, 100_250_000]
    page = buyer_client.get(url("invoice", invoice_id=confirmed.pk))
    assert b'data-testid="progress-repay"' in page.content


@pytest.mark.parametrize("amount, words", [("750.01", "more than the 750"), ("0", "above zero"), ("x", "is not an amount")])
def test_bad_repayment_shows_next_to_the_amount_and_queues_nothing(buyer_client, confirmed, amount, words):
    response = buyer_client.post(url("invoice-repay", invoice_id=confirmed.pk),
                                 {"repay-amount": amount, "repay-request_key": "key-1"})

    assert response.status_code == 200
    assert words in " ".join(field_errors(response, "repay_form")["amount"])
    assert not ChainAction.objects.exists()


# Repayments under way: shown, not asked for twice, and the page refreshes itself once they are done


def _repay(client, invoice, amount: str, key: str):
    return client.post(url("invoice-repay", invoice_id=invoice.pk), {"repay-amount": amount, "repay-request_key": key})


def test_a_repayment_under_way_is_shown_beside_the_repaid_amount(buyer_client, confirmed):
    _repay(buyer_client, confirmed, "500", "key-1")

    page = buyer_client.get(url("invoice", invoice_id=confirmed.pk))

    text = page.content.decode()
    assert "250.00 USDC · <span data-testid=\"invoice-repaying\">500.00 USDC being repaid</span>" in text
    assert "250.00 USDC after the repayments under way" in text
    assert page.context["repay_form"].initial["amount"] == "250.00"


def test_no_repay_form_once_what_is_owed_is_being_repaid(buyer_client, confirmed):
    _repay(buyer_client, confirmed, "750", "key-1")

    page = buyer_client.get(url("invoice", invoice_id=confirmed.pk))

    assert page.context["can_repay"] is False
    assert b'data-testid="repay-form"' not in page.content


def test_a_second_tabs_full_repayment_is_refused_with_the_amounts(buyer_client, confirmed):
    _repay(buyer_client, confirmed, "750", "tab-1")

    response = _repay(buyer_client, confirmed, "750", "tab-2")

    assert response.status_code == 200
    assert ("This invoice is already being repaid in full: 750.00 USDC in queued repayments. Nothing more is owed."
            in response.content.decode())
    assert b'data-testid="refusal"' in response.content
    assert ChainAction.objects.filter(function="repay").count() == 1


def test_the_page_polls_for_its_repayment_and_opens_itself_again_once_done(buyer_client, confirmed):
    assert b"data-refresh-when-settled" not in buyer_client.get(url("invoice", invoice_id=confirmed.pk)).content
    _repay(buyer_client, confirmed, "750", "key-1")

    page = buyer_client.get(url("invoice", invoice_id=confirmed.pk))
    pending = url("invoice-pending", invoice_id=confirmed.pk)
    assert f'data-refresh-when-settled="{pending}" data-page="{url("invoice", invoice_id=confirmed.pk)}"' in (
        page.content.decode()
    )
    assert buyer_client.get(pending).json() == {"pending": True}

    ChainAction.objects.update(status=ActionStatus.CONFIRMED)
    assert buyer_client.get(pending).json() == {"pending": False}


def test_payables_show_repayments_under_way(buyer_client, confirmed):
    _repay(buyer_client, confirmed, "500", "key-1")

    page = buyer_client.get(url("payables"))

    assert "+ 500.00 USDC being repaid" in page.content.decode()


def test_units_show_micro_units_as_typed():
    assert (units(1_234_500_000), units(1_000_000), units(1_234_567)) == ("1234.50", "1.00", "1.234567")


# Calendar and exposure


def test_calendar_ladders_what_is_owed(buyer_client, bought):
    bought(status=InvoiceStatus.CONFIRMED, amount=100_000_000, due_date=TODAY + timedelta(days=10))
    bought(status=InvoiceStatus.CONFIRMED, amount=200_000_000, due_date=TODAY + timedelta(days=45))
    bought(status=InvoiceStatus.CONFIRMED, amount=300_000_000, due_date=TODAY + timedelta(days=200))
    bought(status=InvoiceStatus.OVERDUE, amount=400_000_000, due_date=TODAY - timedelta(days=8))
    bought(status=InvoiceStatus.REGISTERED, amount=999_000_000, due_date=TODAY + timedelta(days=10))  # not owed yet

    page = buyer_client.get(url("calendar"))

    ladder = {row.label: row.owed.get("USDC", 0) for row in page.context["ladder"]}
    assert ladder == {"0–30 days": 100_000_000, "31–60 days": 200_000_000, "61–90 days": 0, "91–180 days": 0,
                      "over 180 days": 300_000_000, "overdue": 400_000_000}
    weeks = page.context["weeks"]
    assert sum(week.count for week in weeks) == 4 and weeks[0].overdue_count == 1
    assert all(week.starts.weekday() == 0 for week in weeks)
    assert page.context["chart"]["config"]["data"]["datasets"][0]["data"] == [100.0, 200.0, 0.0, 0.0, 300.0, 400.0]
    assert b'data-testid="week-row"' in page.content


def test_exposure_per_lender(buyer_client, core_firm, bought):
    bank = RegisteredOrganisationFactory(role=Role.LENDER, name="Bank A")
    Programme.objects.create(lender=bank, core_firm=core_firm, currency=Currency.USDC, limit=5_000_000_000)
    PieceFactory(invoice=bought(status=InvoiceStatus.CONFIRMED), holder=bank, financed=True, amount=800_000_000,
                 claimed=100_000_000)
    PieceFactory(invoice=bought(status=InvoiceStatus.CONFIRMED), holder=bank, financed=True, amount=500_000_000)
    PieceFactory(invoice=bought(status=InvoiceStatus.CONFIRMED))  # held by its seller, not financed
    PieceFactory(holder=bank, financed=True)  # another buyer's invoice

    page = buyer_client.get(url("exposure"))

    assert page.context["rows"] == [{"lender_id": bank.pk, "lender": "Bank A", "currency": "USDC",
                                     "outstanding": 1_200_000_000, "pieces": 2, "limit": 5_000_000_000}]
    assert page.context["chart"]["config"]["data"]["labels"] == ["Bank A"]
    assert page.context["chart"]["config"]["data"]["datasets"][0]["data"] == [1200.0]


# What the buyer sees before it confirms: the e-invoice beside the submission, the document, and
# a possible duplicate that it must acknowledge


@pytest.fixture
def earlier(bought):
    return bought(number="INV-D-1", status=InvoiceStatus.CONFIRMED)


@pytest.fixture
def lookalike(bought, earlier):
    return bought(number="INV-D-2", amount=earlier.amount, issue_date=earlier.issue_date, possible_duplicate_of=earlier,
                  status=InvoiceStatus.REGISTERED)


def test_a_possible_duplicate_is_shown_with_a_link_to_the_earlier_invoice(buyer_client, lookalike, earlier):
    page = buyer_client.get(url("invoice", invoice_id=lookalike.pk)).content.decode()

    assert 'data-testid="duplicate-warning"' in page
    assert f'href="{url("invoice", invoice_id=earlier.pk)}"' in page and "INV-D-1" in page
    assert 'name="confirm-acknowledge_duplicate"' in page


def test_confirming_a_possible_duplicate_without_the_acknowledgement_queues_nothing(buyer_client, lookalike):
    response = buyer_client.post(url("invoice-confirm", invoice_id=lookalike.pk))

    assert "INV-D-1" in " ".join(field_errors(response, "confirm_form")["acknowledge_duplicate"])
    assert not ChainAction.objects.exists()


def test_the_acknowledged_confirmation_is_queued_and_recorded(buyer_client, lookalike):
    buyer_client.post(url("invoice-confirm", invoice_id=lookalike.pk), {"confirm-acknowledge_duplicate": "on"})

    lookalike.refresh_from_db()
    assert lookalike.duplicate_acknowledged_by is not None
    assert ChainAction.objects.get().function == "confirmInvoice"
    page = buyer_client.get(url("invoice", invoice_id=lookalike.pk)).content.decode()
    assert "Acknowledged as a different invoice by" in page


def test_an_ordinary_invoice_is_confirmed_with_no_acknowledgement_to_tick(buyer_client, bought):
    invoice = bought(status=InvoiceStatus.REGISTERED)

    assert "acknowledge_duplicate" not in buyer_client.get(url("invoice", invoice_id=invoice.pk)).content.decode()
    buyer_client.post(url("invoice-confirm", invoice_id=invoice.pk))
    assert ChainAction.objects.get().function == "confirmInvoice"


def test_the_confirm_page_shows_the_einvoice_fields_beside_the_submitted_ones_and_the_document(
    buyer_client, bought, supplier
):
    invoice = bought(status=InvoiceStatus.REGISTERED, verified_from_einvoice=True)
    document = document_upload(organisation=supplier, uploaded_by=None, kind=DocumentKind.INVOICE, name="i.pdf",
                               content=samples.facturx_pdf(number="INV-FX-9", amount="1000.00"))
    Document.objects.filter(pk=document.pk).update(invoice=invoice)

    page = buyer_client.get(url("invoice", invoice_id=invoice.pk)).content.decode()

    assert 'data-testid="einvoice-comparison"' in page and "INV-FX-9" in page and "1000.00 EUR" in page
    assert f'src="{url("document", document_id=document.pk)}"' in page
    assert 'data-testid="not-verified"' not in page


def test_the_document_may_be_framed_by_the_invoice_page_only(buyer_client, bought, supplier):
    invoice = bought(status=InvoiceStatus.REGISTERED)
    document = document_upload(organisation=supplier, uploaded_by=None, kind=DocumentKind.INVOICE, name="i.pdf",
                               content=samples.pdf_bytes("framed"))
    Document.objects.filter(pk=document.pk).update(invoice=invoice)

    response = buyer_client.get(url("document", document_id=document.pk))

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize("name", ["inbox", "invoice"])
def test_an_invoice_typed_from_a_plain_pdf_is_marked_not_verified(buyer_client, bought, name):
    invoice = bought(status=InvoiceStatus.REGISTERED, verified_from_einvoice=False)
    address = url(name, invoice_id=invoice.pk) if name == "invoice" else url(name)

    assert 'data-testid="not-verified"' in buyer_client.get(address).content.decode()
