"""Reentrancy: a hostile settlement token calls back into the platform during every transfer.

Every token-moving function holds the platform's lock while the token runs, so the call back
reverts with ConfigReentrantCall and the token's revert takes the outer call down with it.
"""

from types import SimpleNamespace

import pytest
from brownie import ReentrantToken, ZERO_ADDRESS, chain

from errors import reverts_with
from scripts.world import ANY_PAYOUT, NO_DEADLINE, DAY, FUNDED_LIQUIDITY, STANDARD_TERMS, ZERO_HASH, Status, fingerprint_for, fingerprint_of, units

FACE = units(100_000)


@pytest.fixture(scope="module")
def hostile(scf, admin, supplier, core_firm, lender):
    """A ReentrantToken as currency 3 with a funded programme and a confirmed invoice in it."""
    token = ReentrantToken.deploy({"from": admin})
    token.mint(admin, 10 ** token.decimals(), {"from": admin})  # what addCurrency test-transfers
    token.approve(scf, 2**256 - 1, {"from": admin})
    currency = scf.addCurrency(token, {"from": admin}).return_value
    for account in (core_firm, lender):
        token.mint(account, 10 * FUNDED_LIQUIDITY, {"from": account})
        token.approve(scf, 2**256 - 1, {"from": account})
    scf.setProgrammeTerms(core_firm, currency, STANDARD_TERMS, {"from": lender})
    scf.fundProgramme(core_firm, currency, FUNDED_LIQUIDITY, {"from": lender})

    now = chain.time()
    key = fingerprint_of("hostile", now)
    scf.registerInvoice(
        key, fingerprint_of("docs", "hostile", now), ZERO_HASH, core_firm, FACE, currency, now - DAY, now + 90 * DAY,
        {"from": supplier},
    )
    fingerprint = fingerprint_for(scf, supplier, key)
    scf.confirmInvoice(fingerprint, {"from": core_firm})
    return SimpleNamespace(token=token, currency=currency, fingerprint=fingerprint)


def _reentry(scf, hostile, lender, name):
    """Calldata for the call the token makes back into the platform."""
    fingerprint = hostile.fingerprint
    return {
        "claim": lambda: scf.claim.encode_input(fingerprint, 0),
        "repay": lambda: scf.repay.encode_input(fingerprint, 1),
        "requestFinancing": lambda: scf.requestFinancing.encode_input(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE),
    }[name]()


REENTRIES = ["claim", "repay", "requestFinancing"]


def test_hostile_currency_is_registered(scf, hostile):
    assert scf.currency(hostile.currency)["token"] == hostile.token
    assert scf.invoice(hostile.fingerprint)["status"] == Status.CONFIRMED


def test_unarmed_hostile_token_runs_the_lifecycle(scf, hostile, supplier, core_firm, lender):
    scf.requestFinancing(hostile.fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    scf.repay(hostile.fingerprint, FACE, {"from": core_firm})
    scf.claim(hostile.fingerprint, 0, {"from": lender})
    assert scf.programme(lender, core_firm, hostile.currency)["exposure"] == 0


@pytest.mark.parametrize("reentry", REENTRIES)
def test_reentry_from_request_financing_reverts(scf, hostile, supplier, lender, reentry):
    hostile.token.arm(scf, _reentry(scf, hostile, lender, reentry), {"from": supplier})
    with reverts_with("ConfigReentrantCall"):
        scf.requestFinancing(hostile.fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert scf.piece(hostile.fingerprint, 0)["holder"] == supplier
    assert hostile.token.balanceOf(supplier) == 0


@pytest.mark.parametrize("reentry", REENTRIES)
def test_reentry_from_repay_reverts(scf, hostile, core_firm, lender, reentry):
    hostile.token.arm(scf, _reentry(scf, hostile, lender, reentry), {"from": core_firm})
    with reverts_with("ConfigReentrantCall"):
        scf.repay(hostile.fingerprint, FACE, {"from": core_firm})
    assert scf.invoice(hostile.fingerprint)["repaid"] == 0


@pytest.mark.parametrize("reentry", REENTRIES)
def test_reentry_from_claim_reverts(scf, hostile, supplier, core_firm, lender, reentry):
    scf.repay(hostile.fingerprint, FACE, {"from": core_firm})
    hostile.token.arm(scf, _reentry(scf, hostile, lender, reentry), {"from": supplier})
    with reverts_with("ConfigReentrantCall"):
        scf.claim(hostile.fingerprint, 0, {"from": supplier})
    assert scf.claimable(hostile.fingerprint, 0) == FACE


@pytest.mark.parametrize("function", ["fundProgramme", "defundProgramme"])
def test_reentry_from_programme_liquidity_reverts(scf, hostile, core_firm, lender, function):
    hostile.token.arm(scf, _reentry(scf, hostile, lender, "claim"), {"from": lender})
    with reverts_with("ConfigReentrantCall"):
        getattr(scf, function)(core_firm, hostile.currency, units(1_000), {"from": lender})
    assert scf.programme(lender, core_firm, hostile.currency)["liquidity"] == FUNDED_LIQUIDITY


@pytest.mark.parametrize(
    "reentry, error, args",
    [
        ("claim", "PieceNotHolder", lambda h: (h.fingerprint, 0, h.token)),
        ("repay", "InvoiceNotBuyer", lambda h: (h.fingerprint, h.token)),
        ("requestFinancing", "PieceNotHolder", lambda h: (h.fingerprint, 0, h.token)),
    ],
)
def test_same_call_outside_the_lock_fails_on_its_own_checks(scf, hostile, core_firm, lender, outsider, reentry, error, args):
    """Control: a token transfer that does not come from the platform meets no lock, so the
    call back reaches the function's own checks; ConfigReentrantCall above is the lock's doing."""
    hostile.token.arm(scf, _reentry(scf, hostile, lender, reentry), {"from": core_firm})
    with reverts_with(error, *args(hostile)):
        hostile.token.transfer(outsider, 1, {"from": core_firm})


def test_disarmed_token_no_longer_calls_back(scf, hostile, supplier, lender):
    hostile.token.arm(scf, _reentry(scf, hostile, lender, "claim"), {"from": supplier})
    hostile.token.arm(ZERO_ADDRESS, b"", {"from": supplier})
    scf.requestFinancing(hostile.fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert scf.piece(hostile.fingerprint, 0)["holder"] == lender
