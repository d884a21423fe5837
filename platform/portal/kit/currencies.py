"""The settlement currencies as the pages name them: by code, e.g. 'USDC', in the contract's order."""

from invoices.models import Currency


def currency_code(currency_id: int) -> str:
    """The settlement currency's code, e.g. 'USDC', as the pages key and show amounts by."""
    return str(Currency(currency_id).label)


CURRENCY_CODES = [currency_code(currency_id) for currency_id in Currency.values]
