"""CreditDesk.quoteFinancing: the price a holder reads before it asks is the price the request
then pays, because both run the same decision.

The world is test_credit_desk's: the lender's standard programme (100% advance, 5% base rate,
0.25% per notch, minimum rating 4), the supplier rated 8, tier 2 7, tier 3 3. Every rejection route
of test_credit_desk.py also checks that the quote names the reason the request then gets (its
`expect_rejection` fixture); this module checks the prices.
"""

import pytest
from brownie import chain

import pricing_model as model
from errors import reverts_with
from scripts.world import ANY_PAYOUT, DAY, NO_DEADLINE, STANDARD_TERMS, Reject, fingerprint_of, units
from test_credit_desk import LIMIT, PRICING_CASES

FACE = units(100_000)


def _approved(tx):
    event = tx.events["FinancingApproved"]
    return (Reject.NONE, event["advance"], event["discount"], event["tenorDays"])


@pytest.mark.parametrize("case", PRICING_CASES)
def test_quote_is_what_the_approval_then_pays(scf, usdc, supplier, oracle, core_firm, lender, receivable, case):
    face, advance_bps, base, spread, rating, due_in = PRICING_CASES[case]
    terms = (LIMIT, advance_bps, base, 365, spread, 1, 365)
    scf.setProgrammeTerms(core_firm, 1, terms, {"from": lender})
    scf.fundProgramme(core_firm, 1, units(400_000), {"from": lender})
    scf.postRating(supplier, rating, 1, {"from": oracle})
    fingerprint = receivable(amount=face, due_in=due_in)
    quoted = tuple(scf.quoteFinancing(fingerprint, 0, lender))
    before = usdc.balanceOf(supplier)
    tx = scf.requestFinancing(fingerprint, 0, lender, quoted[1] - quoted[2], NO_DEADLINE, {"from": supplier})
    offer = model.quote(face, terms, rating, scf.invoice(fingerprint)["dueDate"], tx.timestamp)
    assert quoted == _approved(tx) == (Reject.NONE, offer.advance, offer.discount, offer.tenor_days)
    assert usdc.balanceOf(supplier) - before == quoted[1] - quoted[2]


def test_quote_is_for_the_current_holder_whoever_asks(scf, supplier, tier2, core_firm, lender, receivable):
    """A split piece is priced on its holder's rating (tier 2's 7), not the caller's."""
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})
    quoted = tuple(scf.quoteFinancing(fingerprint, 1, lender, {"from": core_firm}))
    offer = model.quote(units(40_000), STANDARD_TERMS, 7, scf.invoice(fingerprint)["dueDate"], chain.time())
    assert quoted == (Reject.NONE, offer.advance, offer.discount, offer.tenor_days)
    tx = scf.requestFinancing(fingerprint, 1, lender, ANY_PAYOUT, NO_DEADLINE, {"from": tier2})
    assert _approved(tx) == quoted


def test_quote_of_a_holder_rated_below_the_minimum_names_the_reason(scf, supplier, tier3, lender, receivable):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier3, units(10_000), {"from": supplier})
    assert scf.quoteFinancing(fingerprint, 1, lender)[0] == Reject.RATING_TOO_LOW


def test_quote_keeps_the_figures_decided_before_the_rejection(scf, supplier, core_firm, lender, receivable):
    """Beyond liquidity, the quote still says what the advance and discount would be."""
    fingerprint = receivable()
    offer = model.quote(FACE, STANDARD_TERMS, 8, scf.invoice(fingerprint)["dueDate"], chain.time())
    scf.defundProgramme(core_firm, 1, scf.programme(lender, core_firm, 1)["liquidity"] - offer.payout + 1, {"from": lender})
    quoted = tuple(scf.quoteFinancing(fingerprint, 0, lender))
    assert quoted == (Reject.INSUFFICIENT_LIQUIDITY, offer.advance, offer.discount, offer.tenor_days)


def test_quote_of_a_piece_its_lender_now_holds_is_refused(scf, supplier, lender, other_lender, core_firm, receivable):
    fingerprint = receivable()
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    scf.setProgrammeTerms(core_firm, 1, STANDARD_TERMS, {"from": other_lender})
    # The lender now holds it: a lender is no supplier, as the request would find.
    assert scf.quoteFinancing(fingerprint, 0, other_lender)[0] == Reject.HOLDER_NOT_SUPPLIER


def test_quote_does_not_change_with_time_within_a_day(scf, supplier, lender, receivable):
    fingerprint = receivable(due_in=90 * DAY)
    first = tuple(scf.quoteFinancing(fingerprint, 0, lender))
    chain.sleep(60)
    chain.mine()
    assert tuple(scf.quoteFinancing(fingerprint, 0, lender)) == first


def test_quote_on_unknown_piece_reverts(scf, lender, receivable):
    fingerprint = receivable()
    with reverts_with("PieceUnknown", fingerprint, 1):
        scf.quoteFinancing(fingerprint, 1, lender)


def test_quote_on_unknown_invoice_reverts(scf, lender):
    unknown = fingerprint_of("unknown")
    with reverts_with("PieceUnknown", unknown, 0):
        scf.quoteFinancing(unknown, 0, lender)


def test_quote_while_paused_reverts_as_the_request_would(scf, admin, lender, receivable):
    fingerprint = receivable()
    scf.pause({"from": admin})
    with reverts_with("ConfigPaused"):
        scf.quoteFinancing(fingerprint, 0, lender)
