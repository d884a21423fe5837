"""invoices.services.invoices_upload: a sheet of lines and a ZIP of documents become invoices
through the single upload's document checks and the batch submission; a refused line leaves
neither an invoice nor a document behind."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chain.models import ChainAction
from documents.models import Document, DocumentFormat
from invoices.models import Invoice
from invoices.services import invoices_upload
from organisations.models import Role

from factories import RegisteredOrganisationFactory, UserFactory
from samples import pdf_bytes, ubl_invoice_xml

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
ISSUED, DUE = TODAY - timedelta(days=5), TODAY + timedelta(days=55)
HEADER = "number,buyer,amount,currency,issue_date,due_date,invoice_file,delivery_note_file"


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, legal_id="LEI-SELLER-1")


@pytest.fixture
def buyer():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, legal_id="LEI-BUYER-1", name="Big Co")


@pytest.fixture
def clerk(supplier):
    return UserFactory(organisation=supplier)


def _sheet(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def _line(number: str, buyer="LEI-BUYER-1", amount="100.00", invoice_file=None, note="") -> str:
    return f"{number},{buyer},{amount},USDC,{ISSUED},{DUE},{invoice_file or number + '.pdf'},{note}"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_each_line_becomes_an_invoice_with_its_documents(clerk, buyer):
    sheet = _sheet(_line("INV-1", note="notes/DN-1.pdf"), _line("INV-2", buyer="big co"))
    archive = _zip({"INV-1.pdf": pdf_bytes("1"), "notes/DN-1.pdf": pdf_bytes("dn"), "march/INV-2.pdf": pdf_bytes("2")})

    first, second = invoices_upload(submitted_by=clerk, sheet=sheet, archive=archive)

    assert (first.row, first.errors, second.row, second.errors) == (2, {}, 3, {})
    assert first.invoice.buyer == second.invoice.buyer == buyer
    assert sorted(first.invoice.documents.values_list("original_name", flat=True)) == ["DN-1.pdf", "INV-1.pdf"]
    assert ChainAction.objects.filter(function="registerInvoice").count() == 2


def test_a_refused_line_leaves_no_invoice_and_no_document(clerk, buyer):
    sheet = _sheet(_line("INV-1"), _line("INV-2", amount="0"), _line("INV-3", buyer="nobody"))
    archive = _zip({"INV-1.pdf": pdf_bytes("1"), "INV-2.pdf": pdf_bytes("2"), "INV-3.pdf": pdf_bytes("3")})

    first, second, third = invoices_upload(submitted_by=clerk, sheet=sheet, archive=archive)

    assert first.invoice and not second.invoice and not third.invoice
    assert list(second.errors) == ["amount"] and list(third.errors) == ["buyer"]
    assert list(Document.objects.values_list("original_name", flat=True)) == ["INV-1.pdf"]
    assert Invoice.objects.count() == 1


def test_the_refused_lines_can_be_uploaded_again_once_corrected(clerk, buyer):
    archive = _zip({"INV-1.pdf": pdf_bytes("1")})
    [refused] = invoices_upload(submitted_by=clerk, sheet=_sheet(_line("INV-1", amount="1.0000001")), archive=archive)

    [accepted] = invoices_upload(submitted_by=clerk, sheet=_sheet(_line("INV-1")), archive=archive)

    assert refused.errors and accepted.invoice is not None


def test_a_file_missing_from_the_zip_or_used_twice_is_named(clerk, buyer):
    sheet = _sheet(_line("INV-1"), _line("INV-2", invoice_file="INV-1.pdf"), _line("INV-3"))
    archive = _zip({"INV-1.pdf": pdf_bytes("1")})

    first, second, third = invoices_upload(submitted_by=clerk, sheet=sheet, archive=archive)

    assert first.invoice is not None
    assert second.errors == {"invoice_file": ["INV-1.pdf is already the document of row 2."]}
    assert third.errors == {"invoice_file": ["INV-3.pdf is not in the ZIP."]}


def test_a_document_is_sniffed_and_read_as_a_single_upload_is(clerk, buyer):
    ubl = ubl_invoice_xml(number="INV-UBL", seller_id="LEI-SELLER-1", buyer_id="LEI-BUYER-1", amount="100.00",
                          currency="USD", issue_date=ISSUED, due_date=DUE)
    sheet = _sheet(_line("INV-UBL", invoice_file="INV-UBL.xml"), _line("INV-HTML", invoice_file="page.pdf"))
    archive = _zip({"INV-UBL.xml": ubl, "page.pdf": b"<html><body>not an invoice</body></html>"})

    ubl_row, html_row = invoices_upload(submitted_by=clerk, sheet=sheet, archive=archive)

    assert ubl_row.invoice.verified_from_einvoice
    assert Document.objects.get(invoice=ubl_row.invoice).format == DocumentFormat.UBL
    assert "HTML page" in html_row.errors["invoice_file"][0]


def test_a_line_that_differs_from_its_e_invoice_is_refused_and_its_document_discarded(clerk, buyer):
    ubl = ubl_invoice_xml(number="INV-UBL", seller_id="LEI-SELLER-1", buyer_id="LEI-BUYER-1", amount="999.00",
                          currency="USD", issue_date=ISSUED, due_date=DUE)

    [row] = invoices_upload(submitted_by=clerk, sheet=_sheet(_line("INV-UBL", invoice_file="u.xml")),
                            archive=_zip({"u.xml": ubl}))

    assert "amount" in row.errors
    assert not Document.objects.exists()


def test_an_unsafe_zip_is_refused_whole_and_stores_nothing(clerk, buyer):
    archive = _zip({"INV-1.pdf": pdf_bytes("1"), "../INV-2.pdf": pdf_bytes("2")})

    with pytest.raises(ValidationError) as refusal:
        invoices_upload(submitted_by=clerk, sheet=_sheet(_line("INV-1")), archive=archive)

    assert list(refusal.value.message_dict) == ["archive"]
    assert not Document.objects.exists() and not Invoice.objects.exists()


def test_a_nested_archive_renamed_as_a_pdf_refuses_its_line(clerk, buyer):
    archive = _zip({"INV-1.pdf": _zip({"evil.pdf": b"%PDF-"}), "INV-2.pdf": pdf_bytes("2")})

    first, second = invoices_upload(submitted_by=clerk, sheet=_sheet(_line("INV-1"), _line("INV-2")), archive=archive)

    assert "itself an archive" in first.errors["invoice_file"][0]
    assert second.invoice is not None


def test_a_core_firm_cannot_upload_invoices(buyer):
    with pytest.raises(PermissionDenied):
        invoices_upload(submitted_by=UserFactory(organisation=buyer), sheet=_sheet(_line("INV-1")),
                        archive=_zip({"INV-1.pdf": pdf_bytes("1")}))
    assert not Document.objects.exists()
