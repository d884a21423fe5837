"""PlatformConfig: settlement currencies, lifecycle periods and the pause switch."""

from types import SimpleNamespace

import pytest
from brownie import FeeOnTransferToken, MockStablecoin, SupplyChainFinance, ZERO_ADDRESS, chain

from errors import error_message, reverts_with
from scripts.world import ANY_PAYOUT, NO_DEADLINE, DAY, DEFAULT_PERIOD, GRACE_PERIOD, STANDARD_TERMS, YEAR, ZERO_HASH, Role, fingerprint_of, units

MAX_PERIOD = 3650 * DAY


def _token(admin, decimals, scf=None):
    """A fresh token; with `scf`, the admin holds and approved the whole token addCurrency tests with."""
    token = MockStablecoin.deploy(f"Token {decimals}", f"T{decimals}", decimals, {"from": admin})
    token.mint(admin, 10**decimals, {"from": admin})
    token.approve(scf or admin, 10**decimals, {"from": admin})
    return token


# --- the revert helper itself -----------------------------------------------------------------


def test_error_without_arguments_reads_name_colon_space():
    assert error_message("ConfigPaused") == "ConfigPaused: "


def test_reverts_with_matches_error_without_arguments(scf, admin):
    with reverts_with("ConfigNotPaused"):
        scf.unpause({"from": admin})


def test_reverts_with_fails_on_another_error(scf, admin):
    with pytest.raises(AssertionError, match="Unexpected revert string 'ConfigNotPaused: '"):
        with reverts_with("ConfigPaused"):
            scf.unpause({"from": admin})


def test_reverts_with_fails_on_other_arguments(scf, admin, usdc, eurt):
    with pytest.raises(AssertionError, match="Unexpected revert string"):
        with reverts_with("ConfigCurrencyExists", eurt):
            scf.addCurrency(usdc, {"from": admin})


# --- currencies -------------------------------------------------------------------------------


def test_world_has_usdc_and_eurt_with_their_scales(scf, usdc, eurt):
    assert tuple(scf.currency(1)) == (usdc.address, 1)
    assert tuple(scf.currency(2)) == (eurt.address, 10**12)


def test_unknown_currency_is_empty(scf):
    assert tuple(scf.currency(3)) == (ZERO_ADDRESS, 0)
    assert tuple(scf.currency(0)) == (ZERO_ADDRESS, 0)


def test_add_currency_returns_next_id(scf, admin):
    token = _token(admin, 8, scf)
    assert scf.addCurrency(token, {"from": admin}).return_value == 3


def test_add_currency_emits_event(scf, admin):
    token = _token(admin, 8, scf)
    tx = scf.addCurrency(token, {"from": admin})
    assert tx.events["CurrencyAdded"] == {"currency": 3, "token": token, "decimals": 8, "admin": admin}


@pytest.mark.parametrize("decimals", [6, 8, 24])
def test_add_currency_stores_scale_to_micro_units(scf, admin, decimals):
    token = _token(admin, decimals, scf)
    scf.addCurrency(token, {"from": admin})
    assert tuple(scf.currency(3)) == (token.address, 10 ** (decimals - 6))


@pytest.mark.parametrize("decimals", [0, 5, 25])
def test_add_currency_with_unsupported_decimals_reverts(scf, admin, decimals):
    token = _token(admin, decimals, scf)
    with reverts_with("ConfigUnsupportedDecimals", token, decimals):
        scf.addCurrency(token, {"from": admin})


def test_add_existing_currency_reverts(scf, admin, eurt):
    with reverts_with("ConfigCurrencyExists", eurt):
        scf.addCurrency(eurt, {"from": admin})


def test_add_currency_test_transfers_one_whole_token_and_returns_it(scf, admin):
    token = _token(admin, 8, scf)
    tx = scf.addCurrency(token, {"from": admin})
    assert [(t["from"], t["to"], t["value"]) for t in tx.events["Transfer"]] == [
        (admin, scf, 10**8), (scf, admin, 10**8),
    ]
    assert token.balanceOf(admin) == 10**8 and token.balanceOf(scf) == 0


@pytest.mark.parametrize("fee_bps", [1, 100])
def test_add_fee_on_transfer_token_reverts(scf, admin, fee_bps):
    token = FeeOnTransferToken.deploy(fee_bps, {"from": admin})
    token.mint(admin, 10**6, {"from": admin})
    token.approve(scf, 10**6, {"from": admin})
    received = 10**6 - 10**6 * fee_bps // 10_000
    with reverts_with("ConfigInexactToken", token, 10**6, received):
        scf.addCurrency(token, {"from": admin})
    assert tuple(scf.currency(3)) == (ZERO_ADDRESS, 0)


def test_add_currency_without_the_test_token_reverts(scf, admin):
    token = MockStablecoin.deploy("Unfunded", "UNF", 6, {"from": admin})  # the admin holds none
    with reverts_with("ERC20InsufficientAllowance", scf, 0, 10**6):
        scf.addCurrency(token, {"from": admin})


def test_add_currency_by_non_admin_reverts(scf, admin, lender):
    token = _token(admin, 6, scf)
    with reverts_with("ParticipantRoleRequired", lender, Role.ADMIN, Role.LENDER):
        scf.addCurrency(token, {"from": lender})


# --- periods ----------------------------------------------------------------------------------


def test_deployment_sets_periods(scf):
    assert tuple(scf.periods()) == (GRACE_PERIOD, DEFAULT_PERIOD)


def test_set_periods_updates_and_emits_event(scf, admin):
    tx = scf.setPeriods(2 * DAY, 10 * DAY, {"from": admin})
    assert tx.events["PeriodsChanged"] == {
        "gracePeriod": 2 * DAY, "defaultPeriod": 10 * DAY, "admin": admin, "version": 2,
    }
    assert tuple(scf.periods()) == (2 * DAY, 10 * DAY)
    assert tuple(scf.periodsAt(2)) == (2 * DAY, 10 * DAY)
    assert tuple(scf.periodsAt(1)) == (GRACE_PERIOD, DEFAULT_PERIOD)  # the deployment's stay on record


@pytest.mark.parametrize("grace, default", [(DAY, DAY), (MAX_PERIOD, MAX_PERIOD)], ids=["one-day", "ten-years"])
def test_set_periods_accepts_bounds(scf, admin, grace, default):
    scf.setPeriods(grace, default, {"from": admin})
    assert tuple(scf.periods()) == (grace, default)


@pytest.mark.parametrize(
    "grace, default",
    [(DAY - 1, DAY), (DAY, DAY - 1), (MAX_PERIOD + 1, DAY), (DAY, MAX_PERIOD + 1), (0, 0)],
    ids=["grace-short", "default-short", "grace-long", "default-long", "zero"],
)
def test_set_periods_out_of_bounds_reverts(scf, admin, grace, default):
    with reverts_with("ConfigInvalidPeriods", grace, default):
        scf.setPeriods(grace, default, {"from": admin})


def test_set_periods_out_of_bounds_at_deployment_reverts(admin):
    with reverts_with("ConfigInvalidPeriods", 0, DEFAULT_PERIOD):
        SupplyChainFinance.deploy(fingerprint_of("operator"), 0, DEFAULT_PERIOD, {"from": admin})


def test_set_periods_by_non_admin_reverts(scf, oracle):
    with reverts_with("ParticipantRoleRequired", oracle, Role.ADMIN, Role.RISK_ORACLE):
        scf.setPeriods(2 * DAY, 10 * DAY, {"from": oracle})


def test_shorter_periods_do_not_move_open_obligations(scf, admin, receivable):
    fingerprint = receivable(due_in=10 * DAY)
    scf.setPeriods(DAY, DAY, {"from": admin})
    due = scf.invoice(fingerprint)["dueDate"]
    assert tuple(scf.obligationPeriods(fingerprint)) == (GRACE_PERIOD, DEFAULT_PERIOD)
    chain.sleep(10 * DAY + DAY + 60)  # past the new grace period, within the one it was confirmed with
    with reverts_with("SettlementTooEarly", fingerprint, due + GRACE_PERIOD):
        scf.markOverdue(fingerprint, {"from": admin})


def test_longer_periods_do_not_move_open_obligations(scf, admin, receivable):
    fingerprint = receivable(due_in=DAY)
    scf.setPeriods(10 * GRACE_PERIOD, 10 * DEFAULT_PERIOD, {"from": admin})
    chain.sleep(DAY + GRACE_PERIOD + 60)
    scf.markOverdue(fingerprint, {"from": admin})
    chain.sleep(DEFAULT_PERIOD)
    assert scf.markDefaulted(fingerprint, {"from": admin}).events["RecourseRecorded"]


def test_new_periods_apply_to_obligations_confirmed_after(scf, admin, core_firm, register):
    scf.setPeriods(DAY, 2 * DAY, {"from": admin})
    fingerprint = register(due_in=10 * DAY)
    assert tuple(scf.obligationPeriods(fingerprint)) == (0, 0)  # not an obligation yet
    scf.confirmInvoice(fingerprint, {"from": core_firm})
    assert scf.invoice(fingerprint)["periodsVersion"] == 2
    assert tuple(scf.obligationPeriods(fingerprint)) == (DAY, 2 * DAY)
    due = scf.invoice(fingerprint)["dueDate"]
    with reverts_with("SettlementTooEarly", fingerprint, due + DAY):
        scf.markOverdue(fingerprint, {"from": admin})


# --- pause ------------------------------------------------------------------------------------


def test_pause_emits_event_and_sets_paused(scf, admin):
    tx = scf.pause({"from": admin})
    assert tx.events["Paused"] == {"account": admin}
    assert scf.paused()


def test_unpause_emits_event_and_clears_paused(scf, admin):
    scf.pause({"from": admin})
    tx = scf.unpause({"from": admin})
    assert tx.events["Unpaused"] == {"account": admin}
    assert not scf.paused()


def test_pause_when_paused_reverts(scf, admin):
    scf.pause({"from": admin})
    with reverts_with("ConfigPaused"):
        scf.pause({"from": admin})


def test_unpause_when_not_paused_reverts(scf, admin):
    with reverts_with("ConfigNotPaused"):
        scf.unpause({"from": admin})


def test_pause_by_non_admin_reverts(scf, supplier):
    with reverts_with("ParticipantRoleRequired", supplier, Role.ADMIN, Role.SUPPLIER):
        scf.pause({"from": supplier})


def test_unpause_by_non_admin_reverts(scf, admin, core_firm):
    scf.pause({"from": admin})
    with reverts_with("ParticipantRoleRequired", core_firm, Role.ADMIN, Role.CORE_FIRM):
        scf.unpause({"from": core_firm})


@pytest.fixture
def world(scf, admin, supplier, tier2, tier3, core_firm, lender, oracle, outsider, register, receivable):
    return SimpleNamespace(**locals())


def _registration(w, number):
    now = chain.time()
    key = fingerprint_of("paused", number, now)
    return (key, fingerprint_of("docs", number), ZERO_HASH, w.core_firm, units(1_000), 1, now - DAY, now + 30 * DAY)


def _overdue(w):
    fingerprint = w.receivable(due_in=DAY)
    chain.sleep(DAY + GRACE_PERIOD + 60)
    return fingerprint


def _defaultable(w):
    fingerprint = _overdue(w)
    w.scf.markOverdue(fingerprint, {"from": w.outsider})
    chain.sleep(DEFAULT_PERIOD + 60)
    return fingerprint


def _financed_default(w):
    fingerprint = w.receivable(due_in=DAY)
    w.scf.requestFinancing(fingerprint, 0, w.lender, ANY_PAYOUT, NO_DEADLINE, {"from": w.supplier})
    chain.sleep(DAY + GRACE_PERIOD + 60)
    w.scf.markOverdue(fingerprint, {"from": w.outsider})
    chain.sleep(DEFAULT_PERIOD + 60)
    w.scf.markDefaulted(fingerprint, {"from": w.outsider})
    return fingerprint


def _repaid(w):
    fingerprint = w.receivable()
    w.scf.repay(fingerprint, units(100_000), {"from": w.core_firm})
    return fingerprint


# Each business function: (sender, the arguments of a call that succeeds once unpaused), built
# from fresh state so that only the pause stands in its way.
BUSINESS_CALLS = {
    "registerInvoice": lambda w: (w.supplier, _registration(w, 1)),
    "registerInvoices": lambda w: (w.supplier, ([_registration(w, 1), _registration(w, 2)],)),
    "confirmInvoice": lambda w: (w.core_firm, (w.register(),)),
    "disputeInvoice": lambda w: (w.core_firm, (w.register(), fingerprint_of("reason"))),
    "splitPiece": lambda w: (w.supplier, (w.receivable(), 0, w.tier2, units(1_000))),
    "transferPiece": lambda w: (w.supplier, (w.receivable(), 0, w.tier2)),
    "setProgrammeTerms": lambda w: (w.lender, (w.core_firm, 1, STANDARD_TERMS)),
    "fundProgramme": lambda w: (w.lender, (w.core_firm, 1, units(1_000))),
    "defundProgramme": lambda w: (w.lender, (w.core_firm, 1, units(1_000))),
    "requestFinancing": lambda w: (w.supplier, (w.receivable(), 0, w.lender, ANY_PAYOUT, NO_DEADLINE)),
    "repay": lambda w: (w.core_firm, (w.receivable(), units(1_000))),
    "claim": lambda w: (w.supplier, (_repaid(w), 0)),
    "markOverdue": lambda w: (w.outsider, (_overdue(w),)),
    "markDefaulted": lambda w: (w.outsider, (_defaultable(w),)),
    "writeOff": lambda w: (w.lender, (_financed_default(w), 0)),
}

# Governance keeps working during a pause (an admin may need it to resolve the incident).
GOVERNANCE_CALLS = {
    "registerParticipant": lambda w: (w.admin, (w.outsider, Role.SUPPLIER, fingerprint_of("o"), chain.time() + YEAR)),
    "renewKyc": lambda w: (w.admin, (w.supplier, chain.time() + 2 * YEAR)),
    "suspendParticipant": lambda w: (w.admin, (w.tier3,)),
    "changeRole": lambda w: (w.admin, (w.tier3, Role.LENDER)),
    "postRating": lambda w: (w.oracle, (w.tier3, 9, 4)),
    "addCurrency": lambda w: (w.admin, (_token(w.admin, 6, w.scf),)),
    "setPeriods": lambda w: (w.admin, (2 * DAY, 10 * DAY)),
}


def test_every_state_changing_function_is_classified_for_the_pause():
    state_changing = {
        item["name"]
        for item in SupplyChainFinance.abi
        if item["type"] == "function" and item["stateMutability"] not in ("view", "pure")
    }
    assert state_changing == set(BUSINESS_CALLS) | set(GOVERNANCE_CALLS) | {"pause", "unpause"}


@pytest.mark.parametrize("name", sorted(BUSINESS_CALLS))
def test_pause_blocks_business_function(world, name):
    sender, args = BUSINESS_CALLS[name](world)
    function = getattr(world.scf, name)
    world.scf.pause({"from": world.admin})
    with reverts_with("ConfigPaused"):
        function(*args, {"from": sender})
    world.scf.unpause({"from": world.admin})
    assert function(*args, {"from": sender}).status == 1


@pytest.mark.parametrize("name", sorted(GOVERNANCE_CALLS))
def test_governance_function_works_while_paused(world, name):
    sender, args = GOVERNANCE_CALLS[name](world)
    world.scf.pause({"from": world.admin})
    assert getattr(world.scf, name)(*args, {"from": sender}).status == 1
