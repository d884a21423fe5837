"""The invoice fields read out of e-invoices (UBL 2.1 XML and the CII XML inside Factur-X PDFs):
number, parties, amount, currency and dates. They pre-fill the invoice the supplier submits.

Fields are read with XPath from trees built by `safe_xml`, then checked one by one so that a
missing or malformed field is reported under its own name. A UBL file is then also checked against
the official UBL 2.1 schema shipped with the factur-x library; a Factur-X file's XML has already
passed its level's schema when `facturx_pdf` recognised it.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO

import facturx
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from pypdf import PdfReader

from .facturx_pdf import embedded_invoice_xml
from .models import DocumentFormat
from .safe_xml import parse_untrusted_xml


@dataclass(frozen=True)
class ExtractedInvoice:
    number: str
    seller_name: str
    seller_id: str
    buyer_name: str
    buyer_id: str
    amount: Decimal
    currency: str  # ISO 4217 code, as the invoice states it
    issue_date: date
    due_date: date | None

    def as_json(self) -> dict[str, str | None]:
        """Strings only, so the JSONField keeps the amount exact and the dates unambiguous."""
        return {field: None if value is None else str(value) for field, value in asdict(self).items()}

    @classmethod
    def from_json(cls, data: Mapping[str, str | None]) -> "ExtractedInvoice":
        due_date = data["due_date"]
        return cls(
            number=data["number"],
            seller_name=data["seller_name"],
            seller_id=data["seller_id"],
            buyer_name=data["buyer_name"],
            buyer_id=data["buyer_id"],
            amount=Decimal(data["amount"]),
            currency=data["currency"],
            issue_date=date.fromisoformat(data["issue_date"]),
            due_date=date.fromisoformat(due_date) if due_date else None,
        )


def extract_invoice_fields(data: bytes, fmt: str) -> ExtractedInvoice | None:
    """The invoice fields of a UBL or Factur-X file (None for PDFs and scans, which carry no
    structured data). Raises a ValidationError naming each missing or malformed field."""
    if fmt == DocumentFormat.UBL:
        root = parse_untrusted_xml(data)
        invoice = _read(root, UBL_PATHS, UBL_NAMESPACES, _ubl_date)
        _check_ubl_schema(root)
        return invoice
    if fmt == DocumentFormat.FACTURX:
        root = embedded_invoice_xml(PdfReader(BytesIO(data)))
        if root is None:
            raise ValidationError({"file": _("The PDF embeds no Factur-X invoice XML.")})
        return _read(root, CII_PATHS, CII_NAMESPACES, _cii_date)
    return None


UBL_NAMESPACES = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _ubl_party(role: str, party: str) -> dict[str, tuple[str, ...]]:
    # Legal name and legal registration first: the registration is what Organisation.legal_id holds.
    return {
        f"{role}_name": (f"{party}/cac:PartyLegalEntity/cbc:RegistrationName", f"{party}/cac:PartyName/cbc:Name"),
        f"{role}_id": (
            f"{party}/cac:PartyLegalEntity/cbc:CompanyID",
            f"{party}/cac:PartyTaxScheme/cbc:CompanyID",
            f"{party}/cbc:EndpointID",
            f"{party}/cac:PartyIdentification/cbc:ID",
        ),
    }


UBL_PATHS: dict[str, tuple[str, ...]] = {
    "number": ("/inv:Invoice/cbc:ID",),
    **_ubl_party("seller", "/inv:Invoice/cac:AccountingSupplierParty/cac:Party"),
    **_ubl_party("buyer", "/inv:Invoice/cac:AccountingCustomerParty/cac:Party"),
    "amount": ("/inv:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount",),
    "currency": (
        "/inv:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount/@currencyID",
        "/inv:Invoice/cbc:DocumentCurrencyCode",
    ),
    "issue_date": ("/inv:Invoice/cbc:IssueDate",),
    "due_date": ("/inv:Invoice/cbc:DueDate", "/inv:Invoice/cac:PaymentMeans/cbc:PaymentDueDate"),
}

CII_NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
_CII_DOCUMENT = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument"
_CII_AGREEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_CII_SETTLEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
_CII_TOTALS = f"{_CII_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


def _cii_party(role: str, party: str) -> dict[str, tuple[str, ...]]:
    return {
        f"{role}_name": (f"{party}/ram:Name",),
        f"{role}_id": (
            f"{party}/ram:SpecifiedLegalOrganization/ram:ID",
            f"{party}/ram:SpecifiedTaxRegistration/ram:ID",
            f"{party}/ram:ID",
            f"{party}/ram:GlobalID",
        ),
    }


CII_PATHS: dict[str, tuple[str, ...]] = {
    "number": (f"{_CII_DOCUMENT}/ram:ID",),
    **_cii_party("seller", f"{_CII_AGREEMENT}/ram:SellerTradeParty"),
    **_cii_party("buyer", f"{_CII_AGREEMENT}/ram:BuyerTradeParty"),
    "amount": (f"{_CII_TOTALS}/ram:DuePayableAmount",),
    "currency": (f"{_CII_SETTLEMENT}/ram:InvoiceCurrencyCode",),
    "issue_date": (f"{_CII_DOCUMENT}/ram:IssueDateTime/udt:DateTimeString",),
    "due_date": (f"{_CII_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",),
}

LABELS = {
    "number": gettext_lazy("invoice number"),
    "seller_name": gettext_lazy("seller name"),
    "seller_id": gettext_lazy("seller registration or tax id"),
    "buyer_name": gettext_lazy("buyer name"),
    "buyer_id": gettext_lazy("buyer registration or tax id"),
    "amount": gettext_lazy("amount payable"),
    "currency": gettext_lazy("currency"),
    "issue_date": gettext_lazy("issue date"),
    "due_date": gettext_lazy("due date"),
}
OPTIONAL = {"due_date"}


def _read(
    root: etree._Element,
    paths: Mapping[str, tuple[str, ...]],
    namespaces: Mapping[str, str],
    parse_date: Callable[[str], date],
) -> ExtractedInvoice:
    converters: dict[str, Callable[[str], object]] = {
        "amount": _positive_amount,
        "currency": _currency_code,
        "issue_date": parse_date,
        "due_date": parse_date,
    }
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for field, xpaths in paths.items():
        raw = _first_text(root, xpaths, namespaces)
        if raw is None:
            if field in OPTIONAL:
                values[field] = None
            else:
                errors[field] = _("The invoice XML has no %(field)s.") % {"field": LABELS[field]}
            continue
        try:
            values[field] = converters.get(field, str)(raw)
        except ValueError as error:
            errors[field] = _("The %(field)s is invalid: %(error)s") % {"field": LABELS[field], "error": error}
    if not errors and values["due_date"] is not None and values["due_date"] < values["issue_date"]:
        errors["due_date"] = _("The due date %(due)s is before the issue date %(issued)s.") % {
            "due": values["due_date"],
            "issued": values["issue_date"],
        }
    if errors:
        raise ValidationError(errors)
    return ExtractedInvoice(**values)


def _first_text(root: etree._Element, xpaths: tuple[str, ...], namespaces: Mapping[str, str]) -> str | None:
    for xpath in xpaths:
        for node in root.xpath(xpath, namespaces=namespaces):
            text = node if isinstance(node, str) else node.text
            if text and text.strip():
                return text.strip()
    return None


def _positive_amount(raw: str) -> Decimal:
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(_("%(value)s is not a decimal number.") % {"value": repr(raw)}) from None
    if not amount.is_finite():
        raise ValueError(_("%(value)s is not a decimal number.") % {"value": repr(raw)})
    if amount <= 0:
        raise ValueError(_("it must be above zero, and is %(value)s.") % {"value": raw})
    return amount


def _currency_code(raw: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", raw):
        raise ValueError(_("%(value)s is not an ISO 4217 code (three capital letters).") % {"value": repr(raw)})
    return raw


def _ubl_date(raw: str) -> date:
    # xs:date: the day, optionally with a time zone, which does not change the day it names.
    return _calendar_date(raw, r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?", "%Y-%m-%d", "YYYY-MM-DD")


def _cii_date(raw: str) -> date:
    # Factur-X fixes DateTimeString to format 102: YYYYMMDD.
    return _calendar_date(raw, r"(\d{8})", "%Y%m%d", "YYYYMMDD")


def _calendar_date(raw: str, pattern: str, strptime_format: str, form: str) -> date:
    # The pattern first: strptime alone would take "2026-1-5".
    match = re.fullmatch(pattern, raw)
    if match:
        try:
            return datetime.strptime(match.group(1), strptime_format).date()
        except ValueError:
            pass
    raise ValueError(_("%(value)s is not a calendar date written %(form)s.") % {"value": repr(raw), "form": form})


def _check_ubl_schema(root: etree._Element) -> None:
    try:
        facturx.xml_check_xsd(root, flavor="ubl-2.1-invoice")
    except Exception as error:  # the library raises bare Exception
        raise ValidationError({"file": str(error)}) from None
