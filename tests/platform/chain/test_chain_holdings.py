"""The token holdings mirror (chain.holdings): a reading is stored once per account and currency,
a newer reading replaces it, an older one (an overlapping refresh) does not. Reading the chain is
exercised by the browser story (tests/platform/integration/test_e2e_story.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chain.holdings import token_holding_store
from chain.models import TokenHolding
from chain.services import MAX_ALLOWANCE
from factories import ChainAccountFactory
from invoices.models import Currency

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def account():
    return ChainAccountFactory()


def test_a_first_reading_is_stored_with_its_time(account):
    token_holding_store(account=account, currency=Currency.USDC, balance=5, allowance=MAX_ALLOWANCE, read_at=NOW)

    holding = TokenHolding.objects.get(account=account, currency=Currency.USDC)
    assert (holding.balance, holding.allowance, holding.read_at) == (5, MAX_ALLOWANCE, NOW)


def test_a_newer_reading_replaces_the_stored_one(account):
    token_holding_store(account=account, currency=Currency.USDC, balance=5, allowance=0, read_at=NOW)
    token_holding_store(account=account, currency=Currency.USDC, balance=7, allowance=3,
                        read_at=NOW + timedelta(minutes=1))

    holding = TokenHolding.objects.get()
    assert (holding.balance, holding.allowance, holding.read_at) == (7, 3, NOW + timedelta(minutes=1))


def test_an_older_reading_changes_nothing(account):
    token_holding_store(account=account, currency=Currency.USDC, balance=7, allowance=3, read_at=NOW)
    token_holding_store(account=account, currency=Currency.USDC, balance=5, allowance=0,
                        read_at=NOW - timedelta(minutes=1))

    assert TokenHolding.objects.get().balance == 7


def test_each_currency_has_its_own_holding(account):
    token_holding_store(account=account, currency=Currency.USDC, balance=1, allowance=0, read_at=NOW)
    token_holding_store(account=account, currency=Currency.EURT, balance=2, allowance=0, read_at=NOW)

    assert dict(TokenHolding.objects.values_list("currency", "balance")) == {Currency.USDC: 1, Currency.EURT: 2}

