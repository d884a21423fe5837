"""The settlement currencies as the pages name them: by code, e.g. 'USDC', in the contract's order;
and an amount as the pages show it, with its currency: '250,000.00 USDC'."""

from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format

from invoices.models import Currency

MICRO = Decimal(1_000_000)


def currency_code(currency_id: int) -> str:
    """The settlement currency's code, e.g. 'USDC', as the pages key and show amounts by."""
    return str(Currency(currency_id).label)


CURRENCY_CODES = [currency_code(currency_id) for currency_id in Currency.values]


def amount_text(micro: int, currency: int | str | None = None) -> str:
    """1234560000, 1 -> '1,234.56 USDC': micro-units in currency units with two decimals, and the
    currency given by its id or its code (none: the number alone)."""
    value = intcomma(number_format((Decimal(int(micro)) / MICRO).quantize(Decimal("0.01")), decimal_pos=2))
    if currency is None or currency == "":
        return value
    return f"{value} {currency_code(currency) if isinstance(currency, int) else currency}"
