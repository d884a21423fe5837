"""The supplier's portal pages through the Django test client: each page renders for a supplier;
the forms queue the right on-chain actions (the ChainAction rows are the output, no chain);
refusals show next to their field and change nothing; other organisations' objects answer 404;
and the lists' query counts do not grow with their rows."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import samples
from chain.models import ActionPurpose, ActionStatus, ChainAction
from documents.models import Document, DocumentKind
from documents.services import document_upload
from financing.models import FinancingRequest, FinancingStatus, Programme
from financing.reasons import REJECT_REASON_SENTENCES, REJECT_REASONS, reject_reason_sentence
from invoices.models import Currency, Invoice, InvoiceStatus
from organisations.models import KycStatus, Role
from portal.templatetags.portal import money

from factories import (
    ChainActionFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from receivable_tree import build_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

TODAY = timezone.now().date()


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Acme Supplies Ltd", legal_id="LEI-SELLER-1",
                                         rated=True)


@pytest.fixture
def buyer():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Core Manufacturing plc", legal_id="LEI-BUYER-1")


@pytest.fixture
def clerk(supplier):
    return UserFactory(organisation=supplier)


@pytest.fixture
def supplier_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def confirmed_piece(supplier, buyer):
    return PieceFactory(invoice=InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.CONFIRMED))


@pytest.fixture
def tier2():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Tier Two Parts")


@pytest.fixture
def lender():
    return RegisteredOrganisationFactory(role=Role.LENDER, name="First Lender Bank")


@pytest.fixture
def programme(lender, buyer):
    return Programme.objects.create(
        lender=lender, core_firm=buyer, currency=Currency.USDC, limit=10**12, advance_rate_bps=8000,
        base_rate_bps=500, rating_spread_bps=25, max_tenor_days=180, min_rating=5, liquidity=10**11,
    )


def url(name: str, **kwargs) -> str:
    return reverse(f"portal:supplier:{name}", kwargs=kwargs)


def upload_file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def field_errors(response, form: str = "form") -> dict[str, list[str]]:
    return {field: list(errors) for field, errors in response.context[form].errors.items()}


def _between(text: str, start: str, end: str) -> str:
    """The part of `text` from `start` up to the next `end`."""
    tail = text[text.index(start):]
    return tail[:tail.index(end)]


def query_count(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


# Pages and access


@pytest.mark.parametrize("name", ["dashboard", "invoices", "upload", "receivables", "financing", "cash"])
def test_each_menu_page_renders_for_a_supplier(supplier_client, confirmed_piece, name):
    assert supplier_client.get(url(name)).status_code == 200


@pytest.mark.parametrize("name", ["dashboard", "invoices", "upload", "receivables", "financing", "cash"])
def test_menu_pages_refuse_other_roles(client, buyer, name):
    client.force_login(UserFactory(organisation=buyer))
    assert client.get(url(name)).status_code == 403


def test_pages_send_anonymous_visitors_to_sign_in(client):
    response = client.get(url("dashboard"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


def test_dashboard_adds_up_per_currency(supplier_client, supplier, buyer, lender):
    InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.CONFIRMED, amount=2_000_000_000)
    InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.REPAID)
    PieceFactory(invoice=InvoiceFactory(seller=supplier, buyer=buyer), amount=300_000_000, claimed=100_000_000)
    financed = PieceFactory(invoice=InvoiceFactory(seller=supplier, buyer=buyer), holder=lender, financed=True)
    FinancingRequestFactory(piece=financed, holder=supplier, lender=lender, status=FinancingStatus.APPROVED,
                            advance=800_000_000, discount=20_000_000, tenor_days=50)

    figures = supplier_client.get(url("dashboard")).context["figures"]

    assert figures["open_count"] == 3
    assert figures["open"] == {"USDC": 4_000_000_000}
    assert figures["held"] == {"USDC": 200_000_000}
    assert figures["financed"] == {"USDC": 800_000_000}
    assert figures["cash"] == {"USDC": 880_000_000}  # 780 after discount + 100 collected


# Upload and review


def test_ubl_upload_leads_to_a_prefilled_review(supplier_client, buyer):
    response = supplier_client.post(url("upload"), {"invoice": upload_file("inv.xml", samples.ubl_invoice_xml())})

    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == url("review", document_id=document.pk)
    review = supplier_client.get(response["Location"])
    form = review.context["form"]
    assert form.initial["buyer"] == buyer
    assert form.initial["number"] == "INV-2026-001"
    assert form.initial["amount"] == "1200.00"
    assert form.initial["currency"] == "EURT"
    assert form.initial["due_date"] == TODAY + timedelta(days=60)
    assert b'data-testid="extracted-fields"' in review.content


def test_review_submits_the_invoice_and_queues_its_registration(supplier_client, buyer):
    supplier_client.post(url("upload"), {
        "invoice": upload_file("inv.xml", samples.ubl_invoice_xml()),
        "delivery_note": upload_file("note.pdf", samples.pdf_bytes("Delivery note")),
    })
    invoice_document = Document.objects.get(kind=DocumentKind.INVOICE)
    note = Document.objects.get(kind=DocumentKind.DELIVERY_NOTE)

    response = supplier_client.post(url("review", document_id=invoice_document.pk), {
        "buyer": buyer.pk, "number": "INV-2026-001", "amount": "1200.00", "currency": "EURT",
        "issue_date": TODAY - timedelta(days=10), "due_date": TODAY + timedelta(days=60), "attach": [note.pk],
    })

    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response["Location"] == url("invoice", invoice_id=invoice.pk)
    assert (invoice.buyer, invoice.amount, invoice.currency) == (buyer, 1_200_000_000, Currency.EURT)
    assert set(invoice.documents.all()) == {invoice_document, note}
    action = ChainAction.objects.get()
    assert (action.function, action.purpose, action.subject) == (
        "registerInvoice", ActionPurpose.INVOICE_REGISTER, invoice
    )


def test_plain_pdf_review_starts_empty_and_says_so(supplier_client):
    supplier_client.post(url("upload"), {"invoice": upload_file("inv.pdf", samples.pdf_bytes())})

    review = supplier_client.get(url("review", document_id=Document.objects.get().pk))

    assert review.context["extracted"] is None
    assert b"no structured invoice data" in review.content


def test_unknown_buyer_and_currency_are_pointed_out(supplier_client, buyer):
    xml = samples.ubl_invoice_xml(buyer_id="LEI-NOBODY", buyer_name="Nobody plc", currency="GBP")
    supplier_client.post(url("upload"), {"invoice": upload_file("inv.xml", xml)})

    form = supplier_client.get(url("review", document_id=Document.objects.get().pk)).context["form"]

    assert form.initial["buyer"] is None and "Nobody plc" in form.fields["buyer"].help_text
    assert form.initial["currency"] is None and "GBP" in form.fields["currency"].help_text


def test_malformed_invoice_is_refused_next_to_its_file_and_nothing_is_stored(supplier_client, settings):
    response = supplier_client.post(url("upload"), {
        "invoice": upload_file("inv.xml", samples.ubl_invoice_xml(amount="12,00")),
    })

    assert response.status_code == 200
    [message] = field_errors(response)["invoice"]
    assert "amount payable is invalid" in message
    assert not Document.objects.exists()


def test_one_refused_file_stores_none_of_them(supplier_client):
    response = supplier_client.post(url("upload"), {
        "invoice": upload_file("inv.xml", samples.ubl_invoice_xml()),
        "purchase_order": upload_file("po.pdf", b""),
    })

    assert list(field_errors(response)) == ["purchase_order"]
    assert not Document.objects.exists()


@pytest.mark.parametrize("field, value, words", [
    ("due_date", TODAY - timedelta(days=1), "must be in the future"),
    ("issue_date", TODAY + timedelta(days=1), "cannot be in the future"),
    ("amount", "12.0000001", "more than 6 decimals"),
    ("amount", "-5", "above zero"),
])
def test_review_refusals_show_next_to_the_field_and_submit_nothing(supplier_client, supplier, buyer, field, value,
                                                                   words):
    document = document_upload(organisation=supplier, uploaded_by=None, kind=DocumentKind.INVOICE, name="i.pdf",
                               content=samples.pdf_bytes())
    fields = {"buyer": buyer.pk, "number": "INV-1", "amount": "100", "currency": "USDC",
              "issue_date": TODAY - timedelta(days=1), "due_date": TODAY + timedelta(days=30)}

    response = supplier_client.post(url("review", document_id=document.pk), fields | {field: value})

    assert response.status_code == 200
    assert words in " ".join(field_errors(response)[field])
    assert not Invoice.objects.exists() and not ChainAction.objects.exists()


def test_an_inactive_buyer_cannot_be_chosen(supplier_client, supplier):
    lapsed = RegisteredOrganisationFactory(role=Role.CORE_FIRM, kyc_status=KycStatus.SUSPENDED)
    document = document_upload(organisation=supplier, uploaded_by=None, kind=DocumentKind.INVOICE, name="i.pdf",
                               content=samples.pdf_bytes())

    response = supplier_client.post(url("review", document_id=document.pk), {
        "buyer": lapsed.pk, "number": "INV-1", "amount": "100", "currency": "USDC",
        "issue_date": TODAY, "due_date": TODAY + timedelta(days=30),
    })

    assert "buyer" in field_errors(response)
    assert not Invoice.objects.exists()


def test_an_organisation_without_kyc_sees_why_it_cannot_submit(supplier_client, supplier, buyer):
    supplier.kyc_status = KycStatus.PENDING
    supplier.save()
    document = document_upload(organisation=supplier, uploaded_by=None, kind=DocumentKind.INVOICE, name="i.pdf",
                               content=samples.pdf_bytes())

    response = supplier_client.post(url("review", document_id=document.pk), {
        "buyer": buyer.pk, "number": "INV-1", "amount": "100", "currency": "USDC",
        "issue_date": TODAY, "due_date": TODAY + timedelta(days=30),
    })

    assert response.status_code == 403
    assert "KYC review is pending" in response.text
    assert not Invoice.objects.exists() and not ChainAction.objects.exists()


def test_another_organisations_document_cannot_be_reviewed(supplier_client):
    foreign = document_upload(organisation=RegisteredOrganisationFactory(), uploaded_by=None,
                              kind=DocumentKind.INVOICE, name="i.pdf", content=samples.pdf_bytes())

    assert supplier_client.get(url("review", document_id=foreign.pk)).status_code == 404


# Invoices


def test_invoice_page_tracks_the_registration(supplier_client, supplier, buyer):
    invoice = InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.SUBMITTED)
    ChainActionFactory(purpose=ActionPurpose.INVOICE_REGISTER, subject=invoice, function="registerInvoice",
                       signer=supplier.chain_account)

    page = supplier_client.get(url("invoice", invoice_id=invoice.pk))
    tracker = supplier_client.get(url("invoice-tracker", invoice_id=invoice.pk))

    assert b'data-testid="progress-register"' in page.content
    assert b'data-action-status="queued"' in page.content
    assert tracker.context["waiting"] is True
    assert f'hx-get="{url("invoice-tracker", invoice_id=invoice.pk)}"'.encode() in tracker.content


def test_tracker_stops_polling_once_registered(supplier_client, supplier, buyer):
    invoice = InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.REGISTERED)
    ChainActionFactory(purpose=ActionPurpose.INVOICE_REGISTER, subject=invoice, function="registerInvoice",
                       signer=supplier.chain_account, status=ActionStatus.CONFIRMED)

    tracker = supplier_client.get(url("invoice-tracker", invoice_id=invoice.pk))

    assert tracker.context["waiting"] is False and b"hx-get" not in tracker.content


def test_another_organisations_invoice_is_not_found(supplier_client):
    foreign = InvoiceFactory()

    assert supplier_client.get(url("invoice", invoice_id=foreign.pk)).status_code == 404
    assert supplier_client.get(url("invoice-tracker", invoice_id=foreign.pk)).status_code == 404


def test_invoice_list_filters_by_status_and_due_date(supplier_client, supplier, buyer):
    soon = InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.CONFIRMED,
                          due_date=TODAY + timedelta(days=5))
    InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.CONFIRMED, due_date=TODAY + timedelta(days=90))
    InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.DISPUTED, due_date=TODAY + timedelta(days=5))
    InvoiceFactory(status=InvoiceStatus.CONFIRMED, due_date=TODAY + timedelta(days=5))  # someone else's

    page = supplier_client.get(url("invoices"), {"status": "confirmed", "due_to": TODAY + timedelta(days=30)})

    assert list(page.context["page"]) == [soon]


def test_invoice_list_queries_do_not_grow_with_rows(supplier_client, supplier, buyer):
    InvoiceFactory.create_batch(2, seller=supplier, buyer=buyer)
    few = query_count(supplier_client, url("invoices"))
    InvoiceFactory.create_batch(20, seller=supplier, buyer=buyer)

    assert query_count(supplier_client, url("invoices")) == few


def test_invoice_list_pages_at_fifty(supplier_client, supplier, buyer):
    InvoiceFactory.create_batch(51, seller=supplier, buyer=buyer)

    first = supplier_client.get(url("invoices"))
    second = supplier_client.get(url("invoices"), {"page": 2})

    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 1


# Documents


@pytest.fixture
def stored_invoice(supplier, buyer):
    invoice = InvoiceFactory(seller=supplier, buyer=buyer)
    document = document_upload(organisation=supplier, uploaded_by=None, kind=DocumentKind.INVOICE, name="inv.pdf",
                               content=samples.pdf_bytes("stored"))
    Document.objects.filter(pk=document.pk).update(invoice=invoice)
    return invoice, document


def test_seller_downloads_its_invoices_documents(supplier_client, stored_invoice):
    invoice, document = stored_invoice

    page = supplier_client.get(url("invoice", invoice_id=invoice.pk))
    response = supplier_client.get(url("document", document_id=document.pk))

    assert url("document", document_id=document.pk).encode() in page.content
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == samples.pdf_bytes("stored")


def test_a_piece_holder_sees_the_invoice_but_not_its_documents(client, stored_invoice, tier2):
    invoice, document = stored_invoice
    PieceFactory(invoice=invoice, index=1, holder=tier2, amount=100_000_000)
    client.force_login(UserFactory(organisation=tier2))

    page = client.get(url("invoice", invoice_id=invoice.pk))

    assert page.status_code == 200 and not page.context["documents"]
    assert client.get(url("document", document_id=document.pk)).status_code == 404


def test_other_suppliers_cannot_download_the_documents(client, stored_invoice):
    _invoice, document = stored_invoice
    client.force_login(UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER)))

    assert client.get(url("document", document_id=document.pk)).status_code == 404


# Receivables


def test_receivables_list_the_pieces_held(supplier_client, supplier, confirmed_piece):
    PieceFactory()  # someone else's

    page = supplier_client.get(url("receivables"))

    assert list(page.context["page"]) == [confirmed_piece]


def test_receivables_queries_do_not_grow_with_rows(supplier_client, supplier, buyer):
    PieceFactory.create_batch(2, invoice__seller=supplier, invoice__buyer=buyer)
    few = query_count(supplier_client, url("receivables"))
    PieceFactory.create_batch(20, invoice__seller=supplier, invoice__buyer=buyer)

    assert query_count(supplier_client, url("receivables")) == few


def _quotes(client, piece):
    """The quotes fragment, as the piece page's script loads it."""
    return client.get(url("piece-quotes", piece_id=piece.pk), HTTP_HX_REQUEST="true")


def test_piece_page_offers_the_forms_and_loads_the_quotes_without_asking_the_chain(
    supplier_client, confirmed_piece, tier2, programme, monkeypatch
):
    from chain import quotes

    def no_chain(**_kwargs):
        raise AssertionError("the piece page asked the chain while it rendered")

    monkeypatch.setattr(quotes, "financing_quotes", no_chain)

    page = supplier_client.get(url("piece", piece_id=confirmed_piece.pk))

    for testid in (b"split-form", b"transfer-form", b"quotes-loader"):
        assert b'data-testid="' + testid + b'"' in page.content
    loader = _between(page.content.decode(), 'data-testid="quotes-loader"', "</div>")
    quotes_url = url("piece-quotes", piece_id=confirmed_piece.pk)
    assert f'hx-get="{quotes_url}"' in loader and f'href="{quotes_url}"' in loader  # works without a script too
    assert tier2 in page.context["split_form"].fields["to_organisation"].queryset


def test_the_quotes_fragment_lists_each_open_programme(supplier_client, confirmed_piece, programme):
    fragment = _quotes(supplier_client, confirmed_piece)

    for testid in (b"finance-form", b"quotes"):
        assert b'data-testid="' + testid + b'"' in fragment.content
    assert b"<html" not in fragment.content
    assert [offer["quote"].lender for offer in fragment.context["offers"]] == [programme.lender]


def test_the_quotes_opened_as_a_link_are_a_page_of_their_own(supplier_client, confirmed_piece, programme):
    page = supplier_client.get(url("piece-quotes", piece_id=confirmed_piece.pk))

    assert b"<html" in page.content and b'data-testid="quotes"' in page.content
    assert url("piece", piece_id=confirmed_piece.pk).encode() in page.content


def test_piece_page_shows_each_lenders_quote_before_the_user_asks(supplier_client, confirmed_piece, programme):
    page = _quotes(supplier_client, confirmed_piece)

    [offer] = page.context["offers"]
    quote = offer["quote"]
    # 1,000.00 advanced at 80% (800.00) at 5% + 3 notches of 0.25% (rated 7), until the due date
    assert (quote.advance, quote.discount) == (800_000_000, 800_000_000 * 575 * quote.tenor_days // 3_650_000)
    row = _between(page.content.decode(), f'data-testid="quote-{programme.lender.pk}"', "</tr>")
    for shown in ("First Lender Bank", "800.00 USDC", f"{money(quote.discount)} USDC", f"{money(quote.payout)} USDC",
                  f"{quote.tenor_days} days", f"{quote.effective_yearly_rate_bps / 100:.2f}%",
                  f"{programme.min_rating} (7)", "Ask First Lender Bank"):
        assert shown in row


def test_the_effective_yearly_rate_is_the_discount_over_the_cash_paid(supplier_client, confirmed_piece, programme):
    [offer] = _quotes(supplier_client, confirmed_piece).context["offers"]
    quote = offer["quote"]

    expected = quote.discount * 365 * 10_000 / (quote.payout * quote.tenor_days)
    assert abs(quote.effective_yearly_rate_bps - expected) <= 0.5
    assert quote.effective_yearly_rate_bps > 575  # above the nominal rate, which is on the advance


def test_the_quotes_say_so_when_the_chain_does_not_answer(supplier_client, confirmed_piece, programme, monkeypatch):
    from chain import quotes

    def silent(**_kwargs):
        raise quotes.ChainSilent("ConnectionError: refused")

    monkeypatch.setattr(quotes, "financing_quotes", silent)

    fragment = _quotes(supplier_client, confirmed_piece)

    assert fragment.status_code == 200
    notice = _between(fragment.content.decode(), 'data-testid="quotes-unavailable"', "</p>")
    assert "The chain does not answer just now" in notice and "refused" not in notice
    assert b'data-testid="finance-form"' not in fragment.content


def test_the_request_button_carries_the_payout_shown(supplier_client, confirmed_piece, programme):
    page = _quotes(supplier_client, confirmed_piece)

    [offer] = page.context["offers"]
    row = _between(page.content.decode(), f'data-testid="quote-{programme.lender.pk}"', "</tr>")
    assert f'<input type="hidden" name="finance-lender" value="{programme.lender.pk}">' in row
    assert f'<input type="hidden" name="finance-min_payout" value="{offer["quote"].payout}">' in row


def test_a_lender_that_would_reject_shows_why_and_no_button(supplier_client, confirmed_piece, programme):
    programme.min_rating = 9
    programme.save()

    page = _quotes(supplier_client, confirmed_piece)

    row = _between(page.content.decode(), f'data-testid="quote-{programme.lender.pk}"', "</tr>")
    assert "below the minimum the lender accepts" in row and "<button" not in row
    assert "9 (7)" in row  # the minimum beside the holder's rating


def test_piece_page_without_programmes_says_so(supplier_client, confirmed_piece):
    page = _quotes(supplier_client, confirmed_piece)

    assert b'data-testid="no-programmes"' in page.content and b'data-testid="quotes"' not in page.content


def test_piece_of_an_unconfirmed_invoice_says_why_it_cannot_move(supplier_client, supplier, buyer):
    piece = PieceFactory(invoice=InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.REGISTERED))

    page = supplier_client.get(url("piece", piece_id=piece.pk))

    assert b'data-testid="piece-locked"' in page.content and b'data-testid="split-form"' not in page.content


def test_split_queues_the_action_and_shows_its_progress(supplier_client, confirmed_piece, tier2):
    response = supplier_client.post(url("piece-split", piece_id=confirmed_piece.pk),
                                    {"split-amount": "250.5", "split-to_organisation": tier2.pk})

    assert response.status_code == 302
    action = ChainAction.objects.get()
    assert (action.function, action.purpose, action.subject) == (
        "splitPiece", ActionPurpose.PIECE_SPLIT, confirmed_piece
    )
    assert action.args[2:] == [tier2.chain_account.address, 250_500_000]
    page = supplier_client.get(response["Location"])
    assert b'data-testid="progress-split"' in page.content
    assert url("action-progress", action_id=action.pk).encode() in page.content


@pytest.mark.parametrize("amount, words", [
    ("1000", "transfer it"), ("0", "above zero"), ("abc", "is not an amount"),
    ("999.99", "Both pieces of a split must be at least 0.061036 USDC"),
])
def test_bad_split_amount_shows_next_to_the_field_and_queues_nothing(supplier_client, confirmed_piece, tier2,
                                                                     amount, words):
    response = supplier_client.post(url("piece-split", piece_id=confirmed_piece.pk),
                                    {"split-amount": amount, "split-to_organisation": tier2.pk})

    assert response.status_code == 200
    assert words in " ".join(field_errors(response, "split_form")["amount"])
    assert not ChainAction.objects.exists()


def test_split_to_an_inactive_supplier_is_refused(supplier_client, confirmed_piece):
    lapsed = RegisteredOrganisationFactory(role=Role.SUPPLIER, kyc_status=KycStatus.PENDING)

    response = supplier_client.post(url("piece-split", piece_id=confirmed_piece.pk),
                                    {"split-amount": "10", "split-to_organisation": lapsed.pk})

    assert "to_organisation" in field_errors(response, "split_form")
    assert not ChainAction.objects.exists()


def test_transfer_queues_the_action(supplier_client, confirmed_piece, tier2):
    response = supplier_client.post(url("piece-transfer", piece_id=confirmed_piece.pk),
                                    {"transfer-to_organisation": tier2.pk})

    assert response.status_code == 302
    action = ChainAction.objects.get()
    assert (action.function, action.purpose, action.subject) == (
        "transferPiece", ActionPurpose.PIECE_TRANSFER, confirmed_piece
    )
    assert action.args[2] == tier2.chain_account.address


# Actions under way: shown beside the settled figures, and the page refreshes itself once they are done


def _split(client, piece, tier2, amount: str):
    return client.post(url("piece-split", piece_id=piece.pk), {"split-amount": amount, "split-to_organisation": tier2.pk})


def test_a_split_under_way_is_shown_with_what_is_left_to_split(supplier_client, confirmed_piece, tier2):
    _split(supplier_client, confirmed_piece, tier2, "600")

    page = supplier_client.get(url("piece", piece_id=confirmed_piece.pk)).content.decode()

    assert "600.00 USDC being split off" in page
    assert "600.00 USDC is being split off already: 400.00 USDC is left to split." in page
    assert 'data-testid="financing-after-move"' in page


def test_a_second_split_of_what_is_being_split_is_refused_next_to_the_amount(supplier_client, confirmed_piece, tier2):
    _split(supplier_client, confirmed_piece, tier2, "600")

    response = _split(supplier_client, confirmed_piece, tier2, "500")

    assert "600.00 USDC of this piece is already being split off" in " ".join(
        field_errors(response, "split_form")["amount"]
    )
    assert ChainAction.objects.count() == 1


def test_a_piece_being_transferred_offers_no_more_moves(supplier_client, confirmed_piece, tier2):
    supplier_client.post(url("piece-transfer", piece_id=confirmed_piece.pk), {"transfer-to_organisation": tier2.pk})

    page = supplier_client.get(url("piece", piece_id=confirmed_piece.pk)).content.decode()

    assert "being transferred" in page
    assert 'data-testid="split-form"' not in page


def test_the_piece_page_polls_its_actions_and_opens_itself_again_once_done(supplier_client, confirmed_piece, tier2):
    page_url, pending = url("piece", piece_id=confirmed_piece.pk), url("piece-pending", piece_id=confirmed_piece.pk)
    assert b"data-refresh-when-settled" not in supplier_client.get(page_url).content
    _split(supplier_client, confirmed_piece, tier2, "600")

    assert f'data-refresh-when-settled="{pending}"'.encode() in supplier_client.get(page_url).content
    assert supplier_client.get(pending).json() == {"pending": True}
    ChainAction.objects.update(status=ActionStatus.CONFIRMED)
    assert supplier_client.get(pending).json() == {"pending": False}


def test_a_claim_under_way_shows_what_is_being_paid(supplier_client, supplier, confirmed_piece):
    Invoice.objects.filter(pk=confirmed_piece.invoice_id).update(repaid=400_000_000)
    ChainActionFactory(purpose=ActionPurpose.PIECE_CLAIM, subject=confirmed_piece, signer=supplier.chain_account,
                       function="claim", args=[confirmed_piece.invoice.fingerprint, 0], sequence=400_000_000)

    piece_page = supplier_client.get(url("piece", piece_id=confirmed_piece.pk)).content.decode()
    receivables = supplier_client.get(url("receivables")).content.decode()
    invoice_page = supplier_client.get(url("invoice", invoice_id=confirmed_piece.invoice_id)).content.decode()

    assert "0.00 USDC · <span data-testid=\"piece-being-paid\">400.00 USDC being paid to you</span>" in piece_page
    assert "400.00 USDC being paid" in receivables
    assert "400.00 USDC being paid" in invoice_page
    assert 'data-testid="refresh-when-settled"' in invoice_page


def test_the_seller_sees_a_repayment_under_way(supplier_client, buyer, confirmed_piece):
    invoice = confirmed_piece.invoice
    ChainActionFactory(purpose=ActionPurpose.REPAY, subject=invoice, signer=buyer.chain_account, function="repay",
                       args=[invoice.fingerprint, 1_000_000_000], request_key="erp")

    invoice_page = supplier_client.get(url("invoice", invoice_id=invoice.pk)).content.decode()
    invoices = supplier_client.get(url("invoices")).content.decode()

    assert "1,000.00 USDC being repaid" in invoice_page
    assert "+ 1,000.00 USDC being repaid" in invoices
    assert supplier_client.get(url("invoice-pending", invoice_id=invoice.pk)).json() == {"pending": True}


def _shown_payout(client, piece) -> int:
    [offer] = _quotes(client, piece).context["offers"]
    return offer["quote"].payout


def test_financing_request_queues_the_action_at_the_payout_shown(supplier_client, confirmed_piece, programme):
    shown = _shown_payout(supplier_client, confirmed_piece)

    response = supplier_client.post(url("piece-finance", piece_id=confirmed_piece.pk),
                                    {"finance-lender": programme.lender.pk, "finance-min_payout": shown})

    assert response.status_code == 302
    request = FinancingRequest.objects.get()
    assert (request.piece, request.lender, request.quoted_payout) == (confirmed_piece, programme.lender, shown)
    action = ChainAction.objects.get()
    assert (action.function, action.purpose, action.subject) == (
        "requestFinancing", ActionPurpose.FINANCING_REQUEST, request
    )
    assert action.args[3] == shown


def test_a_price_that_moved_since_the_page_is_refused_with_the_new_payout(supplier_client, confirmed_piece,
                                                                          programme):
    shown = _shown_payout(supplier_client, confirmed_piece)
    programme.base_rate_bps = 1_500
    programme.save()

    response = supplier_client.post(url("piece-finance", piece_id=confirmed_piece.pk),
                                    {"finance-lender": programme.lender.pk, "finance-min_payout": shown})

    assert response.status_code == 200
    [sentence] = field_errors(response, "finance_form")["min_payout"]
    assert sentence.startswith("The terms changed since your quote: First Lender Bank would now pay")
    assert 'role="alert">The terms changed since your quote' in response.content.decode()
    assert b'data-testid="quotes-loader"' in response.content  # and the new quotes beneath
    assert _shown_payout(supplier_client, confirmed_piece) < shown
    assert not FinancingRequest.objects.exists() and not ChainAction.objects.exists()


def test_a_lender_without_a_programme_cannot_be_chosen(supplier_client, confirmed_piece, lender):
    response = supplier_client.post(url("piece-finance", piece_id=confirmed_piece.pk),
                                    {"finance-lender": lender.pk, "finance-min_payout": 1})

    assert "lender" in field_errors(response, "finance_form")
    assert not FinancingRequest.objects.exists() and not ChainAction.objects.exists()


def test_a_request_without_the_payout_shown_asks_to_reload(supplier_client, confirmed_piece, programme):
    response = supplier_client.post(url("piece-finance", piece_id=confirmed_piece.pk),
                                    {"finance-lender": programme.lender.pk})

    assert field_errors(response, "finance_form")["min_payout"] == [
        "This page is out of date: reload it to see the current quotes."
    ]
    assert not ChainAction.objects.exists()


def test_a_refusal_of_the_service_shows_on_the_form(supplier_client, confirmed_piece, tier2):
    confirmed_piece.financed = True
    confirmed_piece.save()

    response = supplier_client.post(url("piece-transfer", piece_id=confirmed_piece.pk),
                                    {"transfer-to_organisation": tier2.pk})

    assert response.status_code == 200
    assert "cannot be moved" in " ".join(response.context["transfer_form"].non_field_errors())
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize("name", ["piece", "piece-split", "piece-transfer", "piece-finance"])
def test_another_organisations_piece_is_not_found(supplier_client, name):
    foreign = PieceFactory(invoice=InvoiceFactory(status=InvoiceStatus.CONFIRMED))
    method = supplier_client.get if name == "piece" else supplier_client.post

    assert method(url(name, piece_id=foreign.pk)).status_code == 404
    assert not ChainAction.objects.exists()


def test_moves_only_by_post(supplier_client, confirmed_piece):
    assert supplier_client.get(url("piece-split", piece_id=confirmed_piece.pk)).status_code == 405


def test_action_progress_shows_own_actions_only(supplier_client, supplier):
    own = ChainActionFactory(purpose=ActionPurpose.PIECE_SPLIT, subject=PieceFactory(holder=supplier),
                             function="splitPiece", signer=supplier.chain_account, status=ActionStatus.SENT)
    stranger = RegisteredOrganisationFactory()
    foreign = ChainActionFactory(purpose=ActionPurpose.PIECE_SPLIT, subject=PieceFactory(holder=stranger),
                                 function="splitPiece", signer=stranger.chain_account)

    response = supplier_client.get(url("action-progress", action_id=own.pk))

    assert response.status_code == 200 and b'data-action-status="sent"' in response.content
    assert supplier_client.get(url("action-progress", action_id=foreign.pk)).status_code == 404


# Financing and cash


@pytest.fixture
def decisions(supplier, buyer, lender):
    def decided(**fields):
        piece = PieceFactory(invoice=InvoiceFactory(seller=supplier, buyer=buyer))
        return FinancingRequestFactory(piece=piece, holder=supplier, lender=lender, **fields)

    return decided


def test_financing_page_shows_prices_and_reasons(supplier_client, decisions):
    decisions(status=FinancingStatus.APPROVED, advance=800_000_000, discount=10_000_000, tenor_days=73, rating=7,
              decided_at=timezone.now())
    decisions(status=FinancingStatus.REJECTED, reject_reason="over_limit", decided_at=timezone.now())

    page = supplier_client.get(url("financing"))

    assert "The lender&#x27;s limit for this buyer is used up." in page.content.decode()
    assert "790.00" in page.content.decode()  # cash paid: advance less discount
    assert "6.33%" in page.content.decode()  # 10 / 790 x 365 / 73


def test_financing_page_tracks_pending_requests(supplier_client, supplier, decisions):
    pending = decisions()
    ChainActionFactory(purpose=ActionPurpose.FINANCING_REQUEST, subject=pending, function="requestFinancing",
                       signer=supplier.chain_account)

    page = supplier_client.get(url("financing"))

    assert b'data-action-status="queued"' in page.content


def test_financing_queries_do_not_grow_with_rows(supplier_client, decisions):
    decisions(status=FinancingStatus.APPROVED, advance=800_000_000, discount=10_000_000, tenor_days=30)
    decisions()
    few = query_count(supplier_client, url("financing"))
    for _ in range(10):
        decisions(status=FinancingStatus.APPROVED, advance=800_000_000, discount=10_000_000, tenor_days=30)
        decisions()

    assert query_count(supplier_client, url("financing")) == few


def test_cash_page_lists_advances_and_collections(supplier_client, supplier, buyer, decisions):
    decisions(status=FinancingStatus.APPROVED, advance=800_000_000, discount=10_000_000, tenor_days=30)
    collected = PieceFactory(invoice=InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.REPAID,
                                                    repaid_at=timezone.now()), claimed=1_000_000_000)

    advances = supplier_client.get(url("cash"))
    claims = supplier_client.get(url("cash"), {"show": "claims"})

    assert advances.context["totals"] == {"USDC": {"advances": 790_000_000, "claims": 1_000_000_000,
                                                   "total": 1_790_000_000}}
    assert [row.payout for row in advances.context["page"]] == [790_000_000]
    assert list(claims.context["page"]) == [collected]


def test_every_reject_reason_of_the_contract_has_a_sentence():
    assert set(REJECT_REASONS) - {"none"} == set(REJECT_REASON_SENTENCES)
    assert "unheard_of" in reject_reason_sentence("unheard_of")


# What a holder sees of the receivable (receivable_tree.py): its pieces and their lineage


def _invoice_page_of(client, organisation, invoice):
    client.force_login(UserFactory(organisation=organisation))
    response = client.get(url("invoice", invoice_id=invoice.pk))
    assert response.status_code == 200
    return response


def test_tier_2_sees_no_sibling_piece_its_holder_or_its_lender(client):
    tree = build_tree()

    page = _invoice_page_of(client, tree.tier2, tree.invoice)

    assert [piece.index for piece in page.context["pieces"]] == [0, 1]
    body = page.content.decode()
    for hidden in ("Sibling Gears Ltd", "Sibling Lender Bank", "Tier Three Bolts", "270.00", "30.00"):
        assert hidden not in body


def test_tier_3_sees_its_lineage_up_to_piece_0_with_each_parents_holder_and_amount(client):
    tree = build_tree()

    page = _invoice_page_of(client, tree.tier3, tree.invoice)

    rows = [(piece.index, piece.parent_index, piece.holder.name, piece.amount) for piece in page.context["pieces"]]
    assert rows == [
        (0, None, "Seller Works Ltd", 400_000_000), (1, 0, "Tier Two Parts", 200_000_000),
        (4, 1, "Tier Three Bolts", 100_000_000),
    ]
    pieces = page.content.decode().split('data-testid="invoice-pieces"')[1]
    assert "Split from" in pieces and "Tier Two Parts" in pieces and "200.00" in pieces


def test_only_the_holders_own_piece_links_to_its_page(client):
    tree = build_tree()

    body = _invoice_page_of(client, tree.tier3, tree.invoice).content.decode()

    assert url("piece", piece_id=tree.pieces[4].pk) in body
    assert url("piece", piece_id=tree.pieces[1].pk) not in body


def test_the_seller_sees_the_pieces_it_split_off_but_not_who_financed_them(client):
    tree = build_tree()

    page = _invoice_page_of(client, tree.seller, tree.invoice)

    assert {piece.index: piece.holder.name for piece in page.context["pieces"]} == {
        0: "Seller Works Ltd", 1: "Tier Two Parts", 2: "Sibling Gears Ltd",
    }
    assert "Sibling Lender Bank" not in page.content.decode()


def test_the_piece_page_shows_no_action_of_an_earlier_holder(client, supplier, tier2, confirmed_piece):
    confirmed_piece.holder = tier2  # the seller split it, then passed it on to tier 2
    confirmed_piece.save()
    ChainActionFactory(purpose=ActionPurpose.PIECE_SPLIT, subject=confirmed_piece, function="splitPiece",
                       signer=supplier.chain_account, status=ActionStatus.CONFIRMED)
    client.force_login(UserFactory(organisation=tier2))

    response = client.get(url("piece", piece_id=confirmed_piece.pk))

    assert response.status_code == 200 and not response.context["actions"]
