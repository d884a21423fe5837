"""Checks on an invoice's fields before anything is stored, each failing with the field's name."""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Currency

MICRO_DECIMALS = 6
MAX_MICRO_AMOUNT = 2**64 - 1  # the contract stores amounts as uint64 micro-units
MAX_TENOR = timedelta(days=366)
MAX_NUMBER_LENGTH = 64
MAX_BATCH = 500  # invoices in one bulk submission: a month of a large supplier's invoices
# Plain ASCII digits and at most one decimal point: Python's Decimal would also take "1_000",
# "1e3", full-width or Arabic-Indic digits, which no finance user means as an amount.
PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)


def micro_amount(raw: object) -> int:
    """The amount in micro-units: plain decimal digits, above zero, at most six decimals, within
    uint64. Computed from the exact digits: decimal arithmetic would round to 28 significant
    digits first."""
    text = str(raw).strip()
    if text.startswith("-") and PLAIN_DECIMAL.fullmatch(text[1:]):
        raise ValidationError({"amount": _("The amount must be above zero.")})
    if not PLAIN_DECIMAL.fullmatch(text):
        raise ValidationError(
            {
                "amount": _(
                    "%(value)s is not an amount: write digits with an optional decimal point and at most "
                    "%(decimals)s decimals, e.g. 1234.56."
                )
                % {"value": repr(raw), "decimals": MICRO_DECIMALS}
            }
        )
    amount = Decimal(text)
    if amount <= 0:
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


def whole_number(raw: object, field: str, low: int, high: int, rule: str) -> int:
    """The whole number in `raw`, from `low` to `high`; else the refusal of `field`, saying `rule`."""
    if isinstance(raw, bool) or not (isinstance(raw, int) or str(raw).strip().isdigit()):
        raise ValidationError({field: _("%(value)s is not a whole number.") % {"value": repr(raw)}})
    value = int(str(raw).strip()) if not isinstance(raw, int) else raw
    if not low <= value <= high:
        raise ValidationError({field: rule})
    return value


def units_text(micro: int) -> str:
    """Micro-units in currency units, as messages show them: thousands separators, two to six decimals."""
    scale = 10**MICRO_DECIMALS
    exact = f"{micro // scale:,}.{micro % scale:0{MICRO_DECIMALS}d}".rstrip("0")
    whole, decimals = exact.split(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


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


def currency_iso_code(currency: int) -> str:
    """The ISO 4217 currency the settlement token pays (SETTLEMENT_TOKEN_CURRENCIES)."""
    return settings.SETTLEMENT_TOKEN_CURRENCIES[Currency(currency).name]


def settlement_token_for(iso_code: str) -> str | None:
    """The settlement token that pays invoices in this ISO 4217 currency, if any."""
    return next((token for token, iso in settings.SETTLEMENT_TOKEN_CURRENCIES.items() if iso == iso_code), None)


def invoice_dates(issue_date: date, due_date: date, *, today: date) -> None:
    """`today` is the seller's, in its own time zone."""
    if issue_date > today:
        raise ValidationError({"issue_date": _("The issue date cannot be in the future.")})
    if due_date <= today:
        raise ValidationError({"due_date": _("The due date must be in the future.")})
    if due_date - issue_date > MAX_TENOR:
        raise ValidationError({"due_date": _("The due date is more than a year after the issue date.")})
