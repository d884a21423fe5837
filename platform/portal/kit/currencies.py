"""The settlement currencies as the pages name them: by code, e.g. 'USDC', in the contract's order;
and an amount as the pages show it, with its currency: '250,000.00 USDC'."""

from decimal import Decimal

from django.utils.formats import get_format

from invoices.models import Currency

MICRO = Decimal(1_000_000)
CENT = Decimal("0.01")


def currency_code(currency_id: int) -> str:
    """The settlement currency's code, e.g. 'USDC', as the pages key and show amounts by: the same
    in every language, so read from the choice's name rather than through its translated label
    (pages show dozens of amounts a row)."""
    return Currency(currency_id).name


CURRENCY_CODES = [currency_code(currency_id) for currency_id in Currency.values]


def amount_text(micro: int, currency: int | str | None = None) -> str:
    """1234560000, 1 -> '1,234.56 USDC': micro-units in currency units with two decimals, and the
    currency given by its id or its code (none: the number alone). The language's decimal mark,
    thousands grouped by commas, as humanize's intcomma of number_format reads, at a tenth of its
    cost (pages show dozens of amounts a row)."""
    grouped = f"{(Decimal(int(micro)) / MICRO).quantize(CENT):,.2f}"
    value = grouped if get_format("DECIMAL_SEPARATOR") == "." else grouped[:-3] + get_format("DECIMAL_SEPARATOR") + grouped[-2:]
    if currency is None or currency == "":
        return value
    return f"{value} {currency_code(currency) if isinstance(currency, int) else currency}"
