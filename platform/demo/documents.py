"""Invoice documents for the demo supply chain and the end-to-end test: a UBL 2.1 invoice, valid
against the official schema, that the platform's extraction reads. `amount`, `currency` and
string dates are inserted verbatim, so a test can ask for a malformed value."""

from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr


def ubl_invoice_xml(
    *,
    number: str = "INV-2026-001",
    seller_name: str = "Acme Supplies Ltd",
    seller_id: str = "LEI-SELLER-1",
    buyer_name: str = "Core Manufacturing plc",
    buyer_id: str = "LEI-BUYER-1",
    amount: Decimal | str = "1200.00",
    currency: str = "EUR",
    issue_date: date | str | None = None,
    due_date: date | str | None = None,
    with_due_date: bool = True,
) -> bytes:
    """A UBL 2.1 invoice, valid against the official schema, as UTF-8 bytes."""
    issue, due = _dates(issue_date, due_date, "%Y-%m-%d")
    due_element = f"<cbc:DueDate>{escape(due)}</cbc:DueDate>" if with_due_date else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>{escape(number)}</cbc:ID>
  <cbc:IssueDate>{escape(issue)}</cbc:IssueDate>
  {due_element}
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>{escape(currency)}</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty>{_ubl_party(seller_name, seller_id)}</cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>{_ubl_party(buyer_name, buyer_id)}</cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID={quoteattr(currency)}>{escape(str(amount))}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID={quoteattr(currency)}>{escape(str(amount))}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID={quoteattr(currency)}>{escape(str(amount))}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID={quoteattr(currency)}>{escape(str(amount))}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID={quoteattr(currency)}>{escape(str(amount))}</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Goods as ordered</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID={quoteattr(currency)}>{escape(str(amount))}</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
""".encode()


def _dates(issue_date: date | str | None, due_date: date | str | None, form: str) -> tuple[str, str]:
    today = date.today()
    issue = issue_date if issue_date is not None else today - timedelta(days=10)
    due = due_date if due_date is not None else today + timedelta(days=60)
    return tuple(value if isinstance(value, str) else value.strftime(form) for value in (issue, due))


def _ubl_party(name: str, legal_id: str) -> str:
    return f"""
    <cac:Party>
      <cac:PartyName><cbc:Name>{escape(name)}</cbc:Name></cac:PartyName>
      <cac:PostalAddress>
        <cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>{escape(name)}</cbc:RegistrationName>
        <cbc:CompanyID>{escape(legal_id)}</cbc:CompanyID>
      </cac:PartyLegalEntity>
    </cac:Party>
  """
