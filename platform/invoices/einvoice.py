"""The e-invoice is the source of truth: when the invoice document is UBL 2.1 or Factur-X, what
the supplier submits must say what the document says. Every field that differs is named, with
both values, so the supplier sees at once what to correct."""

import re
import unicodedata
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from documents.extraction import ExtractedInvoice
from organisations.models import Organisation

from .identity import canonical_invoice_number
from .models import Currency
from .validation import MICRO_DECIMALS, currency_iso_code

_ID_SEPARATORS = re.compile(r"[\s\-_/.]+")


def same_registration_id(stated: str, registered: str) -> bool:
    """Registration and tax ids compare without case, spaces or separators ("DE 123-456" is DE123456)."""

    def plain(text: str) -> str:
        return _ID_SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())

    return plain(stated) == plain(registered)


def check_against_einvoice(
    extracted: ExtractedInvoice,
    *,
    seller: Organisation,
    buyer: Organisation,
    number: str,
    amount: int,
    currency: int,
    issue_date: date,
    due_date: date,
) -> None:
    """Raises a ValidationError naming every submitted field that differs from the e-invoice."""
    errors: dict[str, str] = {}
    if canonical_invoice_number(number) != canonical_invoice_number(extracted.number):
        errors["number"] = _("The e-invoice's number is %(document)s; the submitted number is %(submitted)s.") % {
            "document": extracted.number, "submitted": number}
    if not same_registration_id(extracted.seller_id, seller.legal_id):
        errors["seller"] = _(
            "The e-invoice's seller is %(name)s (%(document)s); the submitting organisation is %(seller)s (%(submitted)s)."
        ) % {"name": extracted.seller_name, "document": extracted.seller_id, "seller": seller.name,
             "submitted": seller.legal_id}
    if not same_registration_id(extracted.buyer_id, buyer.legal_id):
        errors["buyer"] = _(
            "The e-invoice's buyer is %(name)s (%(document)s); the submitted buyer is %(buyer)s (%(submitted)s)."
        ) % {"name": extracted.buyer_name, "document": extracted.buyer_id, "buyer": buyer.name,
             "submitted": buyer.legal_id}
    submitted_amount = Decimal(amount).scaleb(-MICRO_DECIMALS)
    if submitted_amount != extracted.amount:
        errors["amount"] = _("The e-invoice's amount payable is %(document)s; the submitted amount is %(submitted)s.") % {
            "document": format(extracted.amount, "f"), "submitted": format(submitted_amount.normalize(), "f")}
    token_currency = currency_iso_code(currency)
    if token_currency != extracted.currency:
        errors["currency"] = _(
            "The e-invoice is in %(document)s; the submitted currency %(token)s settles %(submitted)s."
        ) % {"document": extracted.currency, "token": Currency(currency).name, "submitted": token_currency}
    if issue_date != extracted.issue_date:
        errors["issue_date"] = _("The e-invoice's issue date is %(document)s; the submitted one is %(submitted)s.") % {
            "document": extracted.issue_date.isoformat(), "submitted": issue_date.isoformat()}
    if extracted.due_date is not None and due_date != extracted.due_date:
        errors["due_date"] = _("The e-invoice's due date is %(document)s; the submitted one is %(submitted)s.") % {
            "document": extracted.due_date.isoformat(), "submitted": due_date.isoformat()}
    if errors:
        raise ValidationError(errors)
