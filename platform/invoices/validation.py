"""Checks on an invoice's fields before anything is stored, each failing with the field's name."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Currency

MICRO_DECIMALS = 6
MAX_MICRO_AMOUNT = 2**64 - 1  # the contract stores amounts as uint64 micro-units
MAX_TENOR = timedelta(days=366)
MAX_NUMBER_LENGTH = 64


def micro_amount(raw: object) -> int:
    """The amount in micro-units: above zero, at most six decimals, within uint64. Computed from
    the exact digits: decimal arithmetic would round to 28 significant digits first."""
    try:
        amount = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationError({"amount": _("%(value)s is not a number.") % {"value": repr(raw)}}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": _("The amount must be above zero.")})
    _sign, digits, exponent = amount.as_tuple()
    while exponent < -MICRO_DECIMALS and digits and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    if exponent < -MICRO_DECIMALS:
        raise ValidationError(
            {"amount": _("The amount has more than %(decimals)s decimals.") % {"decimals": MICRO_DECIMALS}}
        )
    if len(digits) + exponent + MICRO_DECIMALS > len(str(MAX_MICRO_AMOUNT)):  # before 10**huge
        raise ValidationError({"amount": _("The amount is too large.")})
    micro = int("".join(map(str, digits))) * 10 ** (exponent + MICRO_DECIMALS)
    if micro > MAX_MICRO_AMOUNT:
        raise ValidationError({"amount": _("The amount is too large.")})
    return micro


def currency_id(raw: object) -> int:
    by_code = {member.name: member.value for member in Currency}  # codes, not the translatable labels
    if str(raw).upper() in by_code:
        return by_code[str(raw).upper()]
    if str(raw).isdigit() and int(raw) in Currency.values:
        return int(raw)
    raise ValidationError(
        {
            "currency": _("Unsupported currency %(value)s; use one of %(codes)s.")
            % {"value": repr(raw), "codes": ", ".join(by_code)}
        }
    )


def invoice_number(raw: str) -> str:
    number = (raw or "").strip()
    if not number:
        raise ValidationError({"number": _("The invoice number is required.")})
    if len(number) > MAX_NUMBER_LENGTH:
        raise ValidationError(
            {"number": _("The invoice number is longer than %(limit)s characters.") % {"limit": MAX_NUMBER_LENGTH}}
        )
    return number


def invoice_dates(issue_date: date, due_date: date) -> None:
    today = timezone.now().date()
    if issue_date > today:
        raise ValidationError({"issue_date": _("The issue date cannot be in the future.")})
    if due_date <= today:
        raise ValidationError({"due_date": _("The due date must be in the future.")})
    if due_date - issue_date > MAX_TENOR:
        raise ValidationError({"due_date": _("The due date is more than a year after the issue date.")})
