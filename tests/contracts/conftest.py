"""Shared fixtures for the contract tests: one deployed platform per module, accounts named
after the roles they play, and helpers to register and confirm invoices."""

import pytest
from brownie import MockStablecoin, SupplyChainFinance, accounts, chain

from scripts.world import DAY, PARTY_NAMES, ZERO_HASH, deploy_platform, fingerprint_for, fingerprint_of, units


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test starts from the module's deployment snapshot."""


def _account_fixture(index):
    @pytest.fixture(scope="module")
    def account():
        return accounts[index]

    return account


# One module-scoped fixture per role: admin, supplier, tier2, tier3, core_firm, lender, oracle,
# other_buyer, other_lender, and outsider (an account never registered on the platform).
for _index, _name in enumerate(PARTY_NAMES + ("outsider",)):
    globals()[_name] = _account_fixture(_index)


@pytest.fixture(scope="module")
def parties():
    return {name: accounts[index] for index, name in enumerate(PARTY_NAMES)}


@pytest.fixture(scope="module")
def platform(parties):
    return deploy_platform(SupplyChainFinance, MockStablecoin, parties)


@pytest.fixture(scope="module")
def scf(platform):
    return platform.scf


@pytest.fixture(scope="module")
def usdc(platform):
    return platform.usdc


@pytest.fixture(scope="module")
def eurt(platform):
    return platform.eurt


@pytest.fixture
def register(scf, supplier, core_firm):
    """Registers an invoice and returns its fingerprint."""
    counter = {"n": 0}

    def _register(seller=supplier, buyer=core_firm, amount=units(100_000), currency=1, due_in=90 * DAY, number=None):
        counter["n"] += 1
        number = number or f"INV-{counter['n']}"
        key = fingerprint_of("key", seller, number)
        scf.registerInvoice(
            key, fingerprint_of("docs", seller, number), ZERO_HASH, buyer, amount, currency, chain.time() - DAY,
            chain.time() + due_in, {"from": seller},
        )
        return fingerprint_for(scf, seller, key)

    return _register


@pytest.fixture
def receivable(scf, register, core_firm):
    """A confirmed invoice of 100,000.00 USDC due in 90 days, held whole by the supplier."""

    def _receivable(**kwargs):
        fingerprint = register(**kwargs)
        scf.confirmInvoice(fingerprint, {"from": kwargs.get("buyer", core_firm)})
        return fingerprint

    return _receivable
