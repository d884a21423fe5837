"""invoices.validation: each field's rule, and the field each refusal names."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from invoices import validation
from invoices.models import Currency

TODAY = timezone.now().date()
MAX_AMOUNT = "18446744073709.551615"  # 2**64 - 1 micro-units


def _refused_field(check, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as refusal:
        check(*args, **kwargs)
    [field] = refusal.value.message_dict
    return field


# Amounts


@pytest.mark.parametrize(
    ("raw", "micro"),
    [
        ("1234.56", 1_234_560_000),
        (" 0.000001 ", 1),
        (Decimal("10"), 10_000_000),
        (7, 7_000_000),
        ("1.0000000", 1_000_000),  # trailing zeros are not extra precision
        (MAX_AMOUNT, 2**64 - 1),
    ],
)
def test_amount_becomes_micro_units(raw, micro):
    assert validation.micro_amount(raw) == micro


@pytest.mark.parametrize("raw", ["0", "-0", "-1", "-0.000001", "Infinity", "NaN"])
def test_amount_must_be_above_zero(raw):
    assert _refused_field(validation.micro_amount, raw) == "amount"


@pytest.mark.parametrize("raw", ["abc", "", "1,5", "12 EUR", None])
def test_amount_must_be_a_number(raw):
    assert _refused_field(validation.micro_amount, raw) == "amount"


@pytest.mark.parametrize(
    "raw",
    ["1_000", "1e3", "1E3", "\uff11\uff10\uff10", "\u0661\u0660\u0660", "\u0967\u0966", "+100", "1.", ".5", "1.2.3",
     "0x10", "١٠٠.٥"],
    ids=["underscore", "exponent", "exponent-capital", "full-width", "arabic-indic", "devanagari", "plus-sign",
         "trailing-point", "leading-point", "two-points", "hex", "arabic-indic-decimal"],
)
def test_only_plain_decimal_digits_are_an_amount(raw):
    with pytest.raises(ValidationError) as refusal:
        validation.micro_amount(raw)
    [message] = refusal.value.message_dict["amount"]
    assert "is not an amount: write digits with an optional decimal point and at most 6 decimals" in message


def test_amount_with_seven_decimals_is_refused():
    assert _refused_field(validation.micro_amount, "1.0000001") == "amount"


def test_amount_beyond_uint64_micro_units_is_refused():
    assert _refused_field(validation.micro_amount, "18446744073709.551616") == "amount"


def test_amount_with_many_significant_digits_and_extra_decimals_is_refused():
    assert _refused_field(validation.micro_amount, "1.00000000000000000000000000001") == "amount"


def test_amount_with_a_huge_exponent_is_refused():
    assert _refused_field(validation.micro_amount, "1e999999") == "amount"


# Currencies


@pytest.mark.parametrize(("raw", "currency"), [("USDC", Currency.USDC), ("eurt", Currency.EURT), (1, 1), ("2", 2)])
def test_currency_is_accepted_by_code_or_contract_id(raw, currency):
    assert validation.currency_id(raw) == currency


@pytest.mark.parametrize("raw", ["EUR", "", "0", 3, "USD C", None])
def test_unknown_currency_is_refused(raw):
    assert _refused_field(validation.currency_id, raw) == "currency"


# Dates


def test_dates_of_an_ordinary_invoice_pass():
    validation.invoice_dates(TODAY - timedelta(days=10), TODAY + timedelta(days=50), today=TODAY)


def test_issue_date_may_be_today_and_due_date_tomorrow():
    validation.invoice_dates(TODAY, TODAY + timedelta(days=1), today=TODAY)


def test_issue_date_in_the_future_is_refused():
    tomorrow = TODAY + timedelta(days=1)
    assert _refused_field(validation.invoice_dates, tomorrow, TODAY + timedelta(days=30), today=TODAY) == "issue_date"


@pytest.mark.parametrize("days_from_today", [0, -1], ids=["today", "yesterday"])
def test_due_date_must_be_in_the_future(days_from_today):
    due = TODAY + timedelta(days=days_from_today)
    assert _refused_field(validation.invoice_dates, TODAY - timedelta(days=30), due, today=TODAY) == "due_date"


def test_tenor_of_366_days_is_allowed():
    validation.invoice_dates(TODAY - timedelta(days=1), TODAY + timedelta(days=365), today=TODAY)


def test_tenor_over_a_year_is_refused():
    yesterday = TODAY - timedelta(days=1)
    assert _refused_field(validation.invoice_dates, yesterday, yesterday + timedelta(days=367), today=TODAY) == "due_date"
