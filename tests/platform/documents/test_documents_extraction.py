"""documents.extraction: the invoice fields of UBL and Factur-X files, each refusal naming its field."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

import samples
from documents.extraction import ExtractedInvoice, extract_invoice_fields
from documents.models import DocumentFormat

FIELDS = {
    "number": "INV-77",
    "seller_name": "Acme Supplies Ltd",
    "seller_id": "LEI-ACME",
    "buyer_name": "Core Manufacturing plc",
    "buyer_id": "LEI-CORE",
    "amount": "15000.50",
    "currency": "EUR",
    "issue_date": date(2026, 1, 10),
    "due_date": date(2026, 3, 11),
}
EXPECTED = ExtractedInvoice(**FIELDS | {"amount": Decimal("15000.50")})


def ubl(**changes) -> bytes:
    return samples.ubl_invoice_xml(**FIELDS | changes)


def without(xml: bytes, element: str) -> bytes:
    """`xml` with every `element` (e.g. "cbc:PayableAmount") removed."""
    return re.sub(rf"<{element}[ >].*?</{element}>".encode(), b"", xml, flags=re.S)


def field_errors(data: bytes, fmt: str) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        extract_invoice_fields(data, fmt)
    return {field: messages[0] for field, messages in caught.value.message_dict.items()}


def test_ubl_fields_are_read():
    assert extract_invoice_fields(ubl(), DocumentFormat.UBL) == EXPECTED


def test_facturx_fields_are_read():
    assert extract_invoice_fields(samples.facturx_pdf(**FIELDS), DocumentFormat.FACTURX) == EXPECTED


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (samples.pdf_bytes(), DocumentFormat.PDF),
        (samples.png_bytes(), DocumentFormat.PNG),
        (samples.jpeg_bytes(), DocumentFormat.JPEG),
    ],
)
def test_files_without_structured_data_have_no_fields(data, fmt):
    assert extract_invoice_fields(data, fmt) is None


def test_due_date_is_optional_in_ubl():
    assert extract_invoice_fields(ubl(with_due_date=False), DocumentFormat.UBL).due_date is None


def test_due_date_is_optional_in_facturx():
    data = samples.facturx_pdf(**FIELDS, with_due_date=False)
    assert extract_invoice_fields(data, DocumentFormat.FACTURX).due_date is None


def test_ubl_payment_means_due_date_is_used_without_an_invoice_due_date():
    data = ubl(with_due_date=False).replace(
        b"<cac:LegalMonetaryTotal>",
        b"<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>"
        b"<cbc:PaymentDueDate>2026-04-01</cbc:PaymentDueDate></cac:PaymentMeans><cac:LegalMonetaryTotal>",
    )
    assert extract_invoice_fields(data, DocumentFormat.UBL).due_date == date(2026, 4, 1)


def test_ubl_party_tax_id_is_used_without_a_legal_registration():
    data = without(ubl(), "cbc:CompanyID").replace(
        b"<cac:PartyLegalEntity>",
        b"<cac:PartyTaxScheme><cbc:CompanyID>FR40123456789</cbc:CompanyID>"
        b"<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme><cac:PartyLegalEntity>",
    )
    invoice = extract_invoice_fields(data, DocumentFormat.UBL)
    assert invoice.seller_id == invoice.buyer_id == "FR40123456789"


def test_ubl_date_with_a_time_zone_is_read_as_its_day():
    invoice = extract_invoice_fields(ubl(issue_date="2026-01-10+01:00"), DocumentFormat.UBL)
    assert invoice.issue_date == date(2026, 1, 10)


def test_ubl_missing_amount_is_refused_by_name():
    data = without(without(ubl(), "cbc:PayableAmount"), "cac:LegalMonetaryTotal")
    assert field_errors(data, DocumentFormat.UBL) == {"amount": "The invoice XML has no amount payable."}


def test_ubl_missing_fields_are_all_reported_together():
    data = without(without(ubl(), "cbc:IssueDate"), "cac:AccountingCustomerParty")
    assert set(field_errors(data, DocumentFormat.UBL)) == {"issue_date", "buyer_name", "buyer_id"}


@pytest.mark.parametrize("amount", ["-5.00", "0", "0.00"])
def test_ubl_amount_not_above_zero_is_refused(amount):
    assert field_errors(ubl(amount=amount), DocumentFormat.UBL) == {
        "amount": f"The amount payable is invalid: it must be above zero, and is {amount}."
    }


@pytest.mark.parametrize("amount", ["twelve", "1,200.00", "NaN", "Infinity"])
def test_ubl_amount_that_is_not_a_number_is_refused(amount):
    assert "is not a decimal number" in field_errors(ubl(amount=amount), DocumentFormat.UBL)["amount"]


def test_facturx_negative_amount_is_refused():
    data = samples.facturx_pdf(**FIELDS | {"amount": "-100.00"})
    assert "must be above zero" in field_errors(data, DocumentFormat.FACTURX)["amount"]


@pytest.mark.parametrize("issue_date", ["2026-02-30", "10/01/2026", "2026-1-5", "yesterday"])
def test_ubl_bad_issue_date_is_refused(issue_date):
    assert field_errors(ubl(issue_date=issue_date), DocumentFormat.UBL) == {
        "issue_date": f"The issue date is invalid: {issue_date!r} is not a calendar date written YYYY-MM-DD."
    }


def test_facturx_bad_issue_date_is_refused():
    # Hand-made: the factur-x library would not generate a PDF from an impossible date.
    data = samples.pdf_with_attachment("factur-x.xml", samples.cii_invoice_xml(**FIELDS | {"issue_date": "20260230"}))
    assert field_errors(data, DocumentFormat.FACTURX) == {
        "issue_date": "The issue date is invalid: '20260230' is not a calendar date written YYYYMMDD."
    }


def test_currency_that_is_not_an_iso_code_is_refused():
    assert "'eur' is not an ISO 4217 code" in field_errors(ubl(currency="eur"), DocumentFormat.UBL)["currency"]


def test_due_date_before_issue_date_is_refused():
    errors = field_errors(ubl(issue_date=date(2026, 3, 1), due_date=date(2026, 2, 1)), DocumentFormat.UBL)
    assert errors == {"due_date": "The due date 2026-02-01 is before the issue date 2026-03-01."}


def test_ubl_whose_fields_are_fine_but_breaks_the_schema_is_refused():
    data = ubl().replace(b"<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>", b"<cbc:Colour>red</cbc:Colour>")
    errors = field_errors(data, DocumentFormat.UBL)
    assert list(errors) == ["file"]
    assert "not valid against the official XML Schema Definition" in errors["file"]


def test_hostile_ubl_is_refused_before_any_field_is_read():
    assert list(field_errors(samples.billion_laughs_xml(), DocumentFormat.UBL)) == ["file"]


def test_facturx_format_for_a_pdf_without_invoice_xml_is_refused():
    assert field_errors(samples.pdf_bytes(), DocumentFormat.FACTURX) == {
        "file": "The PDF embeds no Factur-X invoice XML."
    }


def test_json_form_is_strings_and_round_trips():
    as_json = EXPECTED.as_json()
    assert as_json["amount"] == "15000.50"
    assert as_json["issue_date"] == "2026-01-10"
    assert ExtractedInvoice.from_json(as_json) == EXPECTED


def test_json_form_keeps_a_missing_due_date():
    invoice = ExtractedInvoice(**FIELDS | {"amount": Decimal("1"), "due_date": None})
    assert ExtractedInvoice.from_json(invoice.as_json()) == invoice
