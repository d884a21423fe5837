"""Sample documents for the Django suite, generated on the fly (no binary fixtures in the repo):
a plain PDF, PNG and JPEG scans, a UBL 2.1 invoice and a Factur-X PDF that the factur-x library
builds and validates itself.

Import with `import samples` or `from samples import ...`: this folder holds the suite's root
conftest.py, so pytest puts it on sys.path.

The invoice generators insert `amount`, `currency` and string dates verbatim, so a test can ask
for a malformed value; pass `date` objects for well-formed dates. Their defaults are relative to
today (issued ten days ago, due in sixty), as the platform accepts only such dates.
"""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

import facturx
from PIL import Image
from pypdf import PdfWriter

from demo.documents import _dates, ubl_invoice_xml  # noqa: F401  (the demo's generator, re-exported for the suite)


def pdf_bytes(title: str = "Invoice") -> bytes:
    """A one-page blank PDF; a different `title` gives different bytes (and so a different hash)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    return _written(writer)


def pdf_with_attachment(filename: str, content: bytes, title: str = "Invoice") -> bytes:
    """A blank PDF with one embedded file: how a hand-made (or hostile) Factur-X look-alike is built."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    writer.add_attachment(filename, content)
    return _written(writer)


def png_bytes(colour: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (64, 48)) -> bytes:
    return _image(colour, size, "PNG")


def jpeg_bytes(colour: tuple[int, int, int] = (30, 30, 200), size: tuple[int, int] = (64, 48)) -> bytes:
    return _image(colour, size, "JPEG")


def cii_invoice_xml(
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
    """A Factur-X BASIC WL invoice (CII XML), valid against its official schema, as UTF-8 bytes."""
    issue, due = _dates(issue_date, due_date, "%Y%m%d")
    payment_terms = (
        "<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>"
        f'<udt:DateTimeString format="102">{escape(due)}</udt:DateTimeString>'
        "</ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>"
        if with_due_date
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:factur-x.eu:1p0:basicwl</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{escape(number)}</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{escape(issue)}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>{escape(seller_name)}</ram:Name>
        <ram:SpecifiedLegalOrganization><ram:ID>{escape(seller_id)}</ram:ID></ram:SpecifiedLegalOrganization>
        <ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>{escape(buyer_name)}</ram:Name>
        <ram:SpecifiedLegalOrganization><ram:ID>{escape(buyer_id)}</ram:ID></ram:SpecifiedLegalOrganization>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>{escape(currency)}</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>0.00</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>{escape(str(amount))}</ram:BasisAmount>
        <ram:CategoryCode>E</ram:CategoryCode>
        <ram:RateApplicablePercent>0.00</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      {payment_terms}
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{escape(str(amount))}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{escape(str(amount))}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID={quoteattr(currency)}>0.00</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{escape(str(amount))}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{escape(str(amount))}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
""".encode()


def facturx_pdf(**fields) -> bytes:
    """A Factur-X PDF built by the factur-x library from `cii_invoice_xml(**fields)`, which the
    library checks against the XSD first; so the fields must make a schema-valid invoice."""
    base = pdf_bytes(title=f"Invoice {fields.get('number', '')}")
    return facturx.generate_from_binary(base, cii_invoice_xml(**fields))


def billion_laughs_xml() -> bytes:
    """The classic entity-expansion attack: a few hundred bytes that expand to gigabytes."""
    entities = ['<!ENTITY lol0 "lol">']
    for n in range(1, 10):
        entities.append(f'<!ENTITY lol{n} "' + f"&lol{n - 1};" * 10 + '">')
    return ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n' + "\n".join(entities) + "\n]>\n<lolz>&lol9;</lolz>\n").encode()


def xxe_xml(target: str = "file:///etc/passwd") -> bytes:
    """An external-entity (XXE) attack that would read `target` into a UBL invoice number."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "{target}">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>&xxe;</cbc:ID>
</Invoice>
""".encode()


def _written(writer: PdfWriter) -> bytes:
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _image(colour: tuple[int, int, int], size: tuple[int, int], pil_format: str) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, pil_format)
    return buffer.getvalue()
