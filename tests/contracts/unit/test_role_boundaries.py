"""The role matrix: every state-changing function, called by every wrong role, reverts.

Each function of SupplyChainFinance's ABI that changes state is in ROLE_GATED (with the callers
allowed and the custom error each wrong caller gets) or in PERMISSIONLESS (guarded by time, not
by role). A function added to the contract but missing here fails
`test_every_state_changing_function_is_in_the_matrix`, so none escapes the matrix.
"""

from types import SimpleNamespace

import pytest
from brownie import MockStablecoin, SupplyChainFinance, accounts, chain

from errors import reverts_with, sleep_until
from scripts.world import (
    ANY_PAYOUT,
    NO_DEADLINE,
    DAY,
    DEFAULT_PERIOD,
    GRACE_PERIOD,
    STANDARD_TERMS,
    YEAR,
    ZERO_HASH,
    Role,
    Status,
    fingerprint_for,
    fingerprint_of,
    units,
)

CALLERS = ["outsider", "supplier", "tier2", "core_firm", "other_buyer", "lender", "oracle", "admin"]
FACE = units(100_000)


@pytest.fixture(scope="module")
def world(scf, admin, supplier, tier2, tier3, core_firm, other_buyer, lender, oracle, outsider):
    """Shared state, built once per module before the isolation snapshot: an invoice awaiting
    confirmation, a confirmed one held whole by the supplier, and a repaid one to claim."""
    w = SimpleNamespace(**locals())
    w.newcomer = accounts[10]
    w.spare_token = MockStablecoin.deploy("Spare", "SPR", 6, {"from": admin})
    w.spare_token.mint(admin, 10**6, {"from": admin})  # the whole token addCurrency test-transfers
    w.spare_token.approve(scf, 10**6, {"from": admin})
    now = chain.time()

    def invoice(name):
        key = fingerprint_of("matrix", name)
        scf.registerInvoice(
            key, fingerprint_of("docs", name), ZERO_HASH, core_firm, FACE, 1, now - DAY, now + 90 * DAY, {"from": supplier}
        )
        return fingerprint_for(scf, supplier, key)

    w.registered = invoice("registered")
    w.confirmed = invoice("confirmed")
    w.repaid = invoice("repaid")
    for fingerprint in (w.confirmed, w.repaid):
        scf.confirmInvoice(fingerprint, {"from": core_firm})
    scf.repay(w.repaid, FACE, {"from": core_firm})
    return w


def _registration(w, caller):
    now = chain.time()
    key = fingerprint_of("new", caller, now)
    return (key, fingerprint_of("docs", caller), ZERO_HASH, w.core_firm, FACE, 1, now - DAY, now + 30 * DAY)


def _needs_role(role):
    """Wrong callers fail the role check: ParticipantRoleRequired(caller, role, caller's role)."""
    return lambda w, caller: ("ParticipantRoleRequired", caller, role, w.scf.participant(caller)["role"])


def _not_holder(fingerprint_of_world):
    return lambda w, caller: ("PieceNotHolder", fingerprint_of_world(w), 0, caller)


def _no_deposit(w, caller):
    return ("CreditInvalidLiquidity", units(1_000), 0)


def _not_buyer(w, caller):
    return ("InvoiceNotBuyer", w.confirmed, caller)


def _buyer_only(w, caller):
    """Confirm and dispute need a core firm with current KYC, and then the invoice's own buyer."""
    if caller == w.other_buyer:
        return ("InvoiceNotBuyer", w.registered, caller)
    return _needs_role(Role.CORE_FIRM)(w, caller)


def _holder_only(w, caller):
    """Split and transfer need a supplier with current KYC, and then the piece's holder."""
    if caller == w.tier2:
        return ("PieceNotHolder", w.confirmed, 0, caller)
    return _needs_role(Role.SUPPLIER)(w, caller)


def _pause_first(w):
    w.scf.pause({"from": w.admin})


def _finance_and_default(w):
    """The lender finances the confirmed invoice's piece 0, which the buyer then never pays."""
    w.scf.requestFinancing(w.confirmed, 0, w.lender, ANY_PAYOUT, NO_DEADLINE, {"from": w.supplier})
    sleep_until(w.scf.invoice(w.confirmed)["dueDate"] + GRACE_PERIOD + DEFAULT_PERIOD + 1)
    w.scf.markOverdue(w.confirmed, {"from": w.outsider})
    w.scf.markDefaulted(w.confirmed, {"from": w.outsider})


# name: (allowed callers, args(w, caller), expected error(w, caller), set-up before the call)
ROLE_GATED = {
    # participants
    "registerParticipant": (
        {"admin"},
        lambda w, c: (w.newcomer, Role.SUPPLIER, fingerprint_of("org", "newcomer"), chain.time() + YEAR),
        _needs_role(Role.ADMIN),
        None,
    ),
    "renewKyc": ({"admin"}, lambda w, c: (w.supplier, chain.time() + 2 * YEAR), _needs_role(Role.ADMIN), None),
    "suspendParticipant": ({"admin"}, lambda w, c: (w.tier3,), _needs_role(Role.ADMIN), None),
    "changeRole": ({"admin"}, lambda w, c: (w.tier3, Role.LENDER), _needs_role(Role.ADMIN), None),
    "postRating": ({"oracle"}, lambda w, c: (w.tier3, 9, 4), _needs_role(Role.RISK_ORACLE), None),
    # platform configuration
    "addCurrency": ({"admin"}, lambda w, c: (w.spare_token,), _needs_role(Role.ADMIN), None),
    "setPeriods": ({"admin"}, lambda w, c: (2 * DAY, 10 * DAY), _needs_role(Role.ADMIN), None),
    "pause": ({"admin"}, lambda w, c: (), _needs_role(Role.ADMIN), None),
    "unpause": ({"admin"}, lambda w, c: (), _needs_role(Role.ADMIN), _pause_first),
    # invoices
    "registerInvoice": ({"supplier", "tier2"}, lambda w, c: _registration(w, c), _needs_role(Role.SUPPLIER), None),
    "registerInvoices": (
        {"supplier", "tier2"},
        lambda w, c: ([_registration(w, c)],),
        _needs_role(Role.SUPPLIER),
        None,
    ),
    "confirmInvoice": ({"core_firm"}, lambda w, c: (w.registered,), _buyer_only, None),
    "disputeInvoice": ({"core_firm"}, lambda w, c: (w.registered, fingerprint_of("reason")), _buyer_only, None),
    # receivables
    "splitPiece": ({"supplier"}, lambda w, c: (w.confirmed, 0, w.tier3, units(1_000)), _holder_only, None),
    "transferPiece": ({"supplier"}, lambda w, c: (w.confirmed, 0, w.tier3), _holder_only, None),
    # credit desk
    "setProgrammeTerms": ({"lender"}, lambda w, c: (w.core_firm, 1, STANDARD_TERMS), _needs_role(Role.LENDER), None),
    "fundProgramme": ({"lender"}, lambda w, c: (w.core_firm, 1, units(1_000)), _needs_role(Role.LENDER), None),
    # Anyone may withdraw only their own deposit: for everyone but the lender there is none.
    "defundProgramme": ({"lender"}, lambda w, c: (w.core_firm, 1, units(1_000)), _no_deposit, None),
    "requestFinancing": (
        {"supplier"},
        lambda w, c: (w.confirmed, 0, w.lender, ANY_PAYOUT, NO_DEADLINE),
        _not_holder(lambda w: w.confirmed),
        None,
    ),
    # settlement
    "repay": ({"core_firm"}, lambda w, c: (w.confirmed, units(1_000)), _not_buyer, None),
    "claim": ({"supplier"}, lambda w, c: (w.repaid, 0), _not_holder(lambda w: w.repaid), None),
    "writeOff": ({"lender"}, lambda w, c: (w.confirmed, 0), _not_holder(lambda w: w.confirmed), _finance_and_default),
}

# Anyone may call these; only the clock guards them.
PERMISSIONLESS = {"markOverdue", "markDefaulted"}

WRONG_CALLS = [
    pytest.param(name, caller, id=f"{name}-{caller}")
    for name, (allowed, *_rest) in ROLE_GATED.items()
    for caller in CALLERS
    if caller not in allowed
]


def test_every_state_changing_function_is_in_the_matrix():
    state_changing = {
        item["name"]
        for item in SupplyChainFinance.abi
        if item["type"] == "function" and item["stateMutability"] not in ("view", "pure")
    }
    assert state_changing - set(ROLE_GATED) - PERMISSIONLESS == set(), "function missing from the role matrix"
    assert set(ROLE_GATED) | PERMISSIONLESS <= state_changing, "matrix names a function the contract lacks"


def test_every_gated_function_has_wrong_callers():
    assert {name for name, _ in (call.values for call in WRONG_CALLS)} == set(ROLE_GATED)


@pytest.mark.parametrize("name, caller", WRONG_CALLS)
def test_wrong_role_reverts(world, name, caller, request):
    _allowed, args, expected, setup = ROLE_GATED[name]
    account = request.getfixturevalue(caller)
    if setup:
        setup(world)
    with reverts_with(*expected(world, account)):
        getattr(world.scf, name)(*args(world, account), {"from": account})


@pytest.mark.parametrize("name", sorted(ROLE_GATED))
def test_right_role_succeeds_with_the_same_arguments(world, name, request):
    """Control for the matrix: the arguments are valid, so only the caller made the difference."""
    allowed, args, _expected, setup = ROLE_GATED[name]
    account = request.getfixturevalue(sorted(allowed)[0])
    if setup:
        setup(world)
    assert getattr(world.scf, name)(*args(world, account), {"from": account}).status == 1


# --- permissionless functions: the clock, not the role ----------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_mark_overdue_too_early_reverts_for_anyone(world, caller, request):
    overdue_at = world.scf.invoice(world.confirmed)["dueDate"] + GRACE_PERIOD
    sleep_until(overdue_at - 60)
    with reverts_with("SettlementTooEarly", world.confirmed, overdue_at):
        world.scf.markOverdue(world.confirmed, {"from": request.getfixturevalue(caller)})


@pytest.mark.parametrize("caller", CALLERS)
def test_mark_overdue_after_grace_period_succeeds_for_anyone(world, caller, request):
    sleep_until(world.scf.invoice(world.confirmed)["dueDate"] + GRACE_PERIOD)
    world.scf.markOverdue(world.confirmed, {"from": request.getfixturevalue(caller)})
    assert world.scf.invoice(world.confirmed)["status"] == Status.OVERDUE


@pytest.mark.parametrize("caller", CALLERS)
def test_mark_defaulted_too_early_reverts_for_anyone(world, caller, request):
    overdue_at = world.scf.invoice(world.confirmed)["dueDate"] + GRACE_PERIOD
    sleep_until(overdue_at)
    world.scf.markOverdue(world.confirmed, {"from": world.outsider})
    sleep_until(overdue_at + DEFAULT_PERIOD - 60)
    with reverts_with("SettlementTooEarly", world.confirmed, overdue_at + DEFAULT_PERIOD):
        world.scf.markDefaulted(world.confirmed, {"from": request.getfixturevalue(caller)})


@pytest.mark.parametrize("caller", CALLERS)
def test_mark_defaulted_after_default_period_succeeds_for_anyone(world, caller, request):
    overdue_at = world.scf.invoice(world.confirmed)["dueDate"] + GRACE_PERIOD
    sleep_until(overdue_at)
    world.scf.markOverdue(world.confirmed, {"from": world.outsider})
    sleep_until(overdue_at + DEFAULT_PERIOD)
    world.scf.markDefaulted(world.confirmed, {"from": request.getfixturevalue(caller)})
    assert world.scf.invoice(world.confirmed)["status"] == Status.DEFAULTED
