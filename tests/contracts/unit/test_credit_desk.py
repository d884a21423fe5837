"""CreditDesk: lenders' programmes and the automated financing decision.

The world's lender runs a programme for each core firm and currency on STANDARD_TERMS (limit
1,000,000.00, 100% advance, 5% base rate, 180 days, 0.25% per notch, minimum rating 4), funded
with 600,000.00. The supplier is rated 8, tier 2 7, tier 3 3; the `receivable` fixture is a
confirmed invoice of 100,000.00 USDC due in 90 days.
"""

import pytest
from brownie import accounts, chain

import pricing_model as model
from errors import expire_kyc, reverts_with
from scripts.world import (
    ANY_PAYOUT,
    NO_DEADLINE,
    DAY,
    FINANCED,
    RESERVE,
    FUNDED_LIQUIDITY,
    GRACE_PERIOD,
    STANDARD_TERMS,
    YEAR,
    Reject,
    Role,
    fingerprint_of,
    units,
)

FACE = units(100_000)
LIMIT = STANDARD_TERMS[0]
BOUND_REASONS = (Reject.QUOTE_EXPIRED, Reject.PAYOUT_BELOW_MINIMUM)  # the holder's price bound's


def _terms(**changes):
    """STANDARD_TERMS with some fields changed."""
    names = ("limit", "advance", "base", "max_tenor", "spread", "min_rating", "max_rating_age")
    terms = dict(zip(names, STANDARD_TERMS))
    terms.update(changes)
    return tuple(terms[name] for name in names)


def _programme(limit, exposure, liquidity, terms=STANDARD_TERMS):
    """A Programme as the view returns it, from a Terms tuple and a book."""
    _, advance, base, max_tenor, spread, min_rating, max_rating_age = terms
    return (limit, exposure, liquidity, advance, base, max_tenor, spread, min_rating, max_rating_age)


@pytest.fixture
def ledger(scf, usdc):
    """Everything a financing decision could touch, to prove a rejection moved nothing."""

    def _ledger(fingerprint, holder, lender, token=usdc):
        record = scf.invoice(fingerprint)
        buyer = scf.accountOf(record["buyerId"])
        return (
            [token.balanceOf(account) for account in (holder, lender, scf)],
            [tuple(scf.piece(fingerprint, index)) for index in range(record["pieceCount"])],
            tuple(scf.programme(lender, buyer, record["currency"])),
            tuple(record),
        )

    return _ledger


@pytest.fixture
def expect_rejection(scf, ledger):
    """Requests financing and checks it is rejected for `reason` with nothing moved, and that the
    quote the holder would have read just before names the same reason (the price bound's reasons
    aside: a quote has no bound)."""

    def _expect(fingerprint, index, holder, lender, reason, min_payout=ANY_PAYOUT, deadline=NO_DEADLINE):
        chain.mine()  # a call runs at the latest block's time; chain.sleep moves only the next block's
        quoted_reason = scf.quoteFinancing(fingerprint, index, lender)[0]
        assert quoted_reason == (Reject.NONE if reason in BOUND_REASONS else reason)
        before = ledger(fingerprint, holder, lender)
        tx = scf.requestFinancing(fingerprint, index, lender, min_payout, deadline, {"from": holder})
        assert tx.return_value == reason
        assert tx.events["FinancingRejected"] == {
            "fingerprint": fingerprint.to_0x_hex(),
            "piece": index,
            "lender": lender,
            "holder": holder,
            "reason": reason,
        }
        assert "FinancingApproved" not in tx.events
        assert "Transfer" not in tx.events
        assert ledger(fingerprint, holder, lender) == before
        return tx

    return _expect


# --- the reference model ----------------------------------------------------------------------


def test_model_counts_a_started_day_as_a_whole_day():
    assert model.tenor_days(10 * DAY, 0) == 10
    assert model.tenor_days(10 * DAY + 1, 0) == 11
    assert model.tenor_days(10 * DAY, 1) == 10


def test_model_prices_the_standard_offer():
    # 100,000.00 at 100%, rating 8: 5% + 2 x 0.25% = 5.5% a year for 90 days.
    offer = model.quote(FACE, STANDARD_TERMS, 8, 90 * DAY, 0)
    assert (offer.advance, offer.discount, offer.tenor_days) == (FACE, 1_356_164_383, 90)
    assert offer.payout == 98_643_835_617


def test_model_rounds_advance_and_discount_down():
    assert model.advance(3, 5_000) == 1
    assert model.discount(1_000, 500, 1) == 0  # 0.0137 micro-units


# --- terms ------------------------------------------------------------------------------------


def test_world_programme_is_standard_and_funded(scf, core_firm, lender):
    assert tuple(scf.programme(lender, core_firm, 1)) == _programme(LIMIT, 0, FUNDED_LIQUIDITY)


def test_set_programme_terms_emits_event(scf, core_firm, lender):
    terms = _terms(limit=units(5_000), advance=9_000)
    event = scf.setProgrammeTerms(core_firm, 1, terms, {"from": lender}).events["ProgrammeTermsSet"]
    assert (event["lender"], event["coreFirm"], event["currency"]) == (lender, core_firm, 1)
    assert tuple(event["terms"]) == terms


def test_set_programme_terms_keeps_the_book(scf, core_firm, lender):
    terms = _terms(limit=units(5_000), advance=9_000, base=100, max_tenor=30, spread=10, min_rating=7)
    scf.setProgrammeTerms(core_firm, 1, terms, {"from": lender})
    assert tuple(scf.programme(lender, core_firm, 1)) == _programme(units(5_000), 0, FUNDED_LIQUIDITY, terms)


def test_set_programme_terms_accepts_extreme_valid_terms(scf, core_firm, other_lender):
    terms = (2**56 - 1, 10_000, 9_774, 365, 25, 10, 3650)  # worst yearly rate 99.99%, largest limit
    scf.setProgrammeTerms(core_firm, 1, terms, {"from": other_lender})
    assert tuple(scf.programme(other_lender, core_firm, 1)) == _programme(2**56 - 1, 0, 0, terms)


@pytest.mark.parametrize(
    "changes",
    [
        {"advance": 0},
        {"advance": 10_001},
        {"base": 9_775, "spread": 25},  # worst rate 9,775 + 9 x 25 = 100%
        {"base": 10_000, "spread": 0},
        {"base": 7_705, "spread": 255},  # 7,705 + 9 x 255 = 100%
        {"max_tenor": 0},
        {"max_tenor": 366},
        {"min_rating": 11},
        {"max_rating_age": 0},
        {"max_rating_age": 3651},
        {"limit": 2**56},
    ],
    ids=["advance-zero", "advance-over-100", "rate-100", "base-100", "spread-max", "tenor-zero", "tenor-366", "rating-11",
         "rating-age-zero", "rating-age-over-ten-years", "limit-over-56-bits"],
)
def test_set_invalid_terms_reverts(scf, core_firm, lender, changes):
    terms = _terms(**changes)
    with reverts_with("CreditInvalidTerms", terms):
        scf.setProgrammeTerms(core_firm, 1, terms, {"from": lender})


def test_set_terms_for_non_core_firm_reverts(scf, supplier, lender):
    with reverts_with("CreditInvalidParty", supplier):
        scf.setProgrammeTerms(supplier, 1, STANDARD_TERMS, {"from": lender})


def test_set_terms_in_unknown_currency_reverts(scf, core_firm, lender):
    with reverts_with("ConfigUnknownCurrency", 3):
        scf.setProgrammeTerms(core_firm, 3, STANDARD_TERMS, {"from": lender})


def test_set_terms_by_non_lender_reverts(scf, core_firm):
    with reverts_with("ParticipantRoleRequired", core_firm, Role.LENDER, Role.CORE_FIRM):
        scf.setProgrammeTerms(core_firm, 1, STANDARD_TERMS, {"from": core_firm})


def test_set_terms_by_lender_with_expired_kyc_reverts(scf, admin, core_firm, lender):
    expiry = expire_kyc(scf, admin, lender)
    with reverts_with("ParticipantKycExpired", lender, expiry):
        scf.setProgrammeTerms(core_firm, 1, STANDARD_TERMS, {"from": lender})


def test_limit_below_exposure_reverts(scf, supplier, core_firm, lender, receivable):
    scf.requestFinancing(receivable(), 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    with reverts_with("CreditLimitBelowExposure", FACE - 1, FACE):
        scf.setProgrammeTerms(core_firm, 1, _terms(limit=FACE - 1), {"from": lender})


def test_limit_equal_to_exposure_is_accepted(scf, supplier, core_firm, lender, receivable):
    scf.requestFinancing(receivable(), 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    scf.setProgrammeTerms(core_firm, 1, _terms(limit=FACE), {"from": lender})
    assert scf.programme(lender, core_firm, 1)["limit"] == FACE


# --- liquidity --------------------------------------------------------------------------------


def test_fund_programme_emits_event_and_adds_liquidity(scf, core_firm, lender):
    tx = scf.fundProgramme(core_firm, 1, units(1_000), {"from": lender})
    assert tx.events["ProgrammeFunded"] == {"lender": lender, "coreFirm": core_firm, "currency": 1, "amount": units(1_000)}
    assert scf.programme(lender, core_firm, 1)["liquidity"] == FUNDED_LIQUIDITY + units(1_000)


def test_fund_programme_pulls_tokens(scf, usdc, core_firm, lender):
    before = usdc.balanceOf(lender), usdc.balanceOf(scf)
    scf.fundProgramme(core_firm, 1, units(1_000), {"from": lender})
    assert (usdc.balanceOf(lender), usdc.balanceOf(scf)) == (before[0] - units(1_000), before[1] + units(1_000))


def test_fund_programme_in_18_decimal_token_scales_amount(scf, eurt, core_firm, lender):
    before = eurt.balanceOf(scf)
    scf.fundProgramme(core_firm, 2, units(1_000), {"from": lender})
    assert eurt.balanceOf(scf) - before == units(1_000) * 10**12
    assert scf.programme(lender, core_firm, 2)["liquidity"] == FUNDED_LIQUIDITY + units(1_000)


def test_fund_zero_reverts(scf, core_firm, lender):
    with reverts_with("CreditInvalidLiquidity", 0, FUNDED_LIQUIDITY):
        scf.fundProgramme(core_firm, 1, 0, {"from": lender})


def test_fund_programme_without_terms_reverts(scf, core_firm, other_lender):
    with reverts_with("CreditInvalidLiquidity", units(1_000), 0):
        scf.fundProgramme(core_firm, 1, units(1_000), {"from": other_lender})


def test_fund_for_non_core_firm_reverts(scf, tier2, lender):
    with reverts_with("CreditInvalidParty", tier2):
        scf.fundProgramme(tier2, 1, units(1_000), {"from": lender})


def test_defund_programme_emits_event_and_returns_tokens(scf, usdc, core_firm, lender):
    before = usdc.balanceOf(lender)
    tx = scf.defundProgramme(core_firm, 1, units(1_000), {"from": lender})
    assert tx.events["ProgrammeDefunded"] == {"lender": lender, "coreFirm": core_firm, "currency": 1, "amount": units(1_000)}
    assert usdc.balanceOf(lender) - before == units(1_000)
    assert scf.programme(lender, core_firm, 1)["liquidity"] == FUNDED_LIQUIDITY - units(1_000)


def test_defund_all_liquidity(scf, core_firm, lender):
    scf.defundProgramme(core_firm, 1, FUNDED_LIQUIDITY, {"from": lender})
    assert scf.programme(lender, core_firm, 1)["liquidity"] == 0


def test_defund_zero_reverts(scf, core_firm, lender):
    with reverts_with("CreditInvalidLiquidity", 0, FUNDED_LIQUIDITY):
        scf.defundProgramme(core_firm, 1, 0, {"from": lender})


def test_defund_more_than_liquidity_reverts(scf, core_firm, lender):
    with reverts_with("CreditInvalidLiquidity", FUNDED_LIQUIDITY + 1, FUNDED_LIQUIDITY):
        scf.defundProgramme(core_firm, 1, FUNDED_LIQUIDITY + 1, {"from": lender})


def test_defund_cannot_take_advanced_liquidity(scf, supplier, core_firm, lender, receivable):
    tx = scf.requestFinancing(receivable(), 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    event = tx.events["FinancingApproved"]
    left = FUNDED_LIQUIDITY - (event["advance"] - event["discount"])
    with reverts_with("CreditInvalidLiquidity", FUNDED_LIQUIDITY, left):
        scf.defundProgramme(core_firm, 1, FUNDED_LIQUIDITY, {"from": lender})


def test_defund_of_other_lenders_programme_is_impossible(scf, core_firm, other_lender):
    """Programmes are keyed by the caller: another lender only ever reaches its own, empty one."""
    with reverts_with("CreditInvalidLiquidity", units(1), 0):
        scf.defundProgramme(core_firm, 1, units(1), {"from": other_lender})


def test_lender_with_lapsed_kyc_can_still_withdraw_its_liquidity(scf, usdc, admin, core_firm, lender):
    expire_kyc(scf, admin, lender)
    before = usdc.balanceOf(lender)
    scf.defundProgramme(core_firm, 1, units(1_000), {"from": lender})
    assert usdc.balanceOf(lender) - before == units(1_000)


# --- approval ---------------------------------------------------------------------------------


def test_approval_returns_none(scf, supplier, lender, receivable):
    tx = scf.requestFinancing(receivable(), 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert tx.return_value == Reject.NONE


def test_approval_emits_event_with_the_quote(scf, supplier, lender, receivable):
    fingerprint = receivable()
    tx = scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    offer = model.quote(FACE, STANDARD_TERMS, 8, scf.invoice(fingerprint)["dueDate"], tx.timestamp)
    assert tx.events["FinancingApproved"] == {
        "fingerprint": fingerprint.to_0x_hex(),
        "piece": 0,
        "lender": lender,
        "holder": supplier,
        "advance": offer.advance,
        "discount": offer.discount,
        "tenorDays": offer.tenor_days,
        "rating": 8,
        "reservePiece": 0,
    }


def test_approval_pays_holder_advance_less_discount_in_same_tx(scf, usdc, supplier, lender, receivable):
    fingerprint = receivable()
    before = [usdc.balanceOf(account) for account in (supplier, lender, scf)]
    tx = scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    payout = model.quote(FACE, STANDARD_TERMS, 8, scf.invoice(fingerprint)["dueDate"], tx.timestamp).payout
    assert tx.events["Transfer"] == {"from": scf.address, "to": supplier, "value": payout}
    assert [usdc.balanceOf(account) for account in (supplier, lender, scf)] == [
        before[0] + payout,
        before[1],
        before[2] - payout,
    ]


def test_approval_passes_piece_to_lender_flagged_financed(scf, supplier, lender, receivable):
    fingerprint = receivable()
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert tuple(scf.piece(fingerprint, 0)) == (lender.address, FACE, 0, FINANCED)
    assert scf.invoice(fingerprint)["pieceCount"] == 1


def test_approval_books_exposure_and_spends_liquidity(scf, supplier, core_firm, lender, receivable):
    tx = scf.requestFinancing(receivable(), 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    event = tx.events["FinancingApproved"]
    book = scf.programme(lender, core_firm, 1)
    assert (book["exposure"], book["liquidity"]) == (FACE, FUNDED_LIQUIDITY - (event["advance"] - event["discount"]))


def test_approval_of_split_piece_uses_its_holders_rating(scf, supplier, tier2, lender, receivable):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})
    tx = scf.requestFinancing(fingerprint, 1, lender, ANY_PAYOUT, NO_DEADLINE, {"from": tier2})
    event = tx.events["FinancingApproved"]
    offer = model.quote(units(40_000), STANDARD_TERMS, 7, scf.invoice(fingerprint)["dueDate"], tx.timestamp)
    assert (event["rating"], event["advance"], event["discount"]) == (7, offer.advance, offer.discount)
    assert tuple(scf.piece(fingerprint, 0)) == (supplier.address, units(60_000), 0, 0)


def test_partial_advance_leaves_reserve_piece_with_holder(scf, supplier, core_firm, lender, receivable):
    fingerprint = receivable()
    scf.setProgrammeTerms(core_firm, 1, _terms(advance=8_000), {"from": lender})
    tx = scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert tx.events["FinancingApproved"]["reservePiece"] == 1
    assert tx.events["FinancingApproved"]["advance"] == units(80_000)
    assert tuple(scf.piece(fingerprint, 0)) == (lender.address, units(80_000), 0, FINANCED)
    assert tuple(scf.piece(fingerprint, 1)) == (supplier.address, units(20_000), 0, RESERVE)
    assert scf.programme(lender, core_firm, 1)["exposure"] == units(80_000)


def test_reserve_piece_of_split_piece_records_its_parent(scf, supplier, tier2, core_firm, lender, receivable):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})
    scf.setProgrammeTerms(core_firm, 1, _terms(advance=7_500), {"from": lender})
    scf.requestFinancing(fingerprint, 1, lender, ANY_PAYOUT, NO_DEADLINE, {"from": tier2})
    assert tuple(scf.piece(fingerprint, 2)) == (tier2.address, units(10_000), 1, RESERVE)
    assert sum(scf.piece(fingerprint, i)["amount"] for i in range(3)) == FACE


def test_approval_in_18_decimal_currency_pays_scaled_tokens(scf, eurt, supplier, lender, receivable):
    fingerprint = receivable(currency=2)
    tx = scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    event = tx.events["FinancingApproved"]
    assert eurt.balanceOf(supplier) == (event["advance"] - event["discount"]) * 10**12


def test_approval_within_limit_boundary(scf, supplier, core_firm, lender, receivable):
    scf.setProgrammeTerms(core_firm, 1, _terms(limit=FACE), {"from": lender})
    assert scf.requestFinancing(receivable(), 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier}).return_value == Reject.NONE


def test_approval_at_max_tenor(scf, supplier, lender, receivable):
    tx = scf.requestFinancing(receivable(due_in=180 * DAY), 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert tx.events["FinancingApproved"]["tenorDays"] == 180


def test_approval_at_min_rating(scf, supplier, oracle, lender, receivable):
    scf.postRating(supplier, 4, 1, {"from": oracle})
    tx = scf.requestFinancing(receivable(), 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert tx.events["FinancingApproved"]["rating"] == 4


def test_approval_with_liquidity_equal_to_payout(scf, supplier, core_firm, lender, receivable):
    fingerprint = receivable()
    payout = model.quote(FACE, STANDARD_TERMS, 8, scf.invoice(fingerprint)["dueDate"], chain.time()).payout
    scf.defundProgramme(core_firm, 1, FUNDED_LIQUIDITY - payout, {"from": lender})
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert scf.programme(lender, core_firm, 1)["liquidity"] == 0


PRICING_CASES = {
    # face, advanceRateBps, baseRateBps, ratingSpreadBps, rating, due in
    "standard": (units(100_000), 10_000, 500, 25, 8, 90 * DAY),
    "partial-advance": (units(100_000), 8_000, 500, 25, 8, 90 * DAY),
    "odd-everything": (1_234_567_891, 9_137, 733, 41, 1, 30 * DAY + 7_777),
    "worst-rate-full-year": (999_999_999_999, 10_000, 9_000, 100, 10, 365 * DAY),
    "lowest-rating-max-spread": (units(10_000), 10_000, 0, 255, 1, 45 * DAY),
    "tiny-amount": (7, 5_000, 1_000, 0, 5, DAY),
    "one-bps-advance": (units(50_000), 1, 0, 0, 10, 12 * DAY),
}


@pytest.mark.parametrize("case", PRICING_CASES)
def test_pricing_matches_reference_model(scf, usdc, supplier, oracle, core_firm, lender, receivable, case):
    face, advance_bps, base, spread, rating, due_in = PRICING_CASES[case]
    terms = (LIMIT, advance_bps, base, 365, spread, 1, 365)
    scf.setProgrammeTerms(core_firm, 1, terms, {"from": lender})
    scf.fundProgramme(core_firm, 1, units(400_000), {"from": lender})
    scf.postRating(supplier, rating, 1, {"from": oracle})
    fingerprint = receivable(amount=face, due_in=due_in)
    before = usdc.balanceOf(supplier)
    tx = scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    offer = model.quote(face, terms, rating, scf.invoice(fingerprint)["dueDate"], tx.timestamp)
    event = tx.events["FinancingApproved"]
    assert (event["advance"], event["discount"], event["tenorDays"]) == (offer.advance, offer.discount, offer.tenor_days)
    assert usdc.balanceOf(supplier) - before == offer.payout
    assert scf.piece(fingerprint, 0)["amount"] == offer.advance
    if offer.advance < face:
        assert tuple(scf.piece(fingerprint, 1)) == (supplier.address, model.reserve_of(face, offer), 0, RESERVE)


# --- rejection: every reason, nothing moved ---------------------------------------------------


def test_request_to_lender_without_programme_is_rejected(supplier, other_lender, receivable, expect_rejection):
    expect_rejection(receivable(), 0, supplier, other_lender, Reject.NO_PROGRAMME)


def test_request_to_closed_programme_is_rejected(scf, supplier, core_firm, lender, receivable, expect_rejection):
    scf.setProgrammeTerms(core_firm, 1, _terms(limit=0), {"from": lender})
    expect_rejection(receivable(), 0, supplier, lender, Reject.NO_PROGRAMME)


def test_request_to_programme_of_other_core_firm_is_rejected(scf, supplier, other_lender, other_buyer, receivable, expect_rejection):
    scf.setProgrammeTerms(other_buyer, 1, STANDARD_TERMS, {"from": other_lender})
    expect_rejection(receivable(), 0, supplier, other_lender, Reject.NO_PROGRAMME)


def test_request_to_non_lender_is_rejected(supplier, core_firm, receivable, expect_rejection):
    expect_rejection(receivable(), 0, supplier, core_firm, Reject.NO_PROGRAMME)


def test_request_over_limit_is_rejected(scf, supplier, core_firm, lender, receivable, expect_rejection):
    scf.setProgrammeTerms(core_firm, 1, _terms(limit=FACE - 1), {"from": lender})
    expect_rejection(receivable(), 0, supplier, lender, Reject.OVER_LIMIT)


def test_request_over_limit_counts_existing_exposure(scf, supplier, core_firm, lender, receivable, expect_rejection):
    scf.setProgrammeTerms(core_firm, 1, _terms(limit=FACE + units(50_000)), {"from": lender})
    scf.requestFinancing(receivable(), 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    expect_rejection(receivable(), 0, supplier, lender, Reject.OVER_LIMIT)


def test_request_with_tenor_too_long_is_rejected(supplier, lender, receivable, expect_rejection):
    expect_rejection(receivable(due_in=181 * DAY), 0, supplier, lender, Reject.TENOR_TOO_LONG)


def test_request_by_holder_with_expired_kyc_is_rejected(scf, admin, supplier, lender, receivable, expect_rejection):
    fingerprint = receivable()
    expire_kyc(scf, admin, supplier)
    expect_rejection(fingerprint, 0, supplier, lender, Reject.HOLDER_KYC_EXPIRED)


def test_request_to_lender_with_expired_kyc_is_rejected(scf, admin, supplier, lender, receivable, expect_rejection):
    fingerprint = receivable()
    expire_kyc(scf, admin, lender)
    expect_rejection(fingerprint, 0, supplier, lender, Reject.LENDER_KYC_EXPIRED)


def test_request_to_suspended_lender_is_rejected(scf, admin, supplier, lender, receivable, expect_rejection):
    fingerprint = receivable()
    scf.suspendParticipant(lender, {"from": admin})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.LENDER_KYC_EXPIRED)


def test_request_by_holder_rated_below_minimum_is_rejected(scf, supplier, tier3, lender, receivable, expect_rejection):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier3, units(10_000), {"from": supplier})
    expect_rejection(fingerprint, 1, tier3, lender, Reject.RATING_TOO_LOW)


def test_request_by_unrated_supplier_is_rejected(scf, admin, supplier, core_firm, lender, receivable, expect_rejection):
    unrated = accounts[10]
    scf.registerParticipant(unrated, Role.SUPPLIER, fingerprint_of("unrated"), chain.time() + YEAR, {"from": admin})
    scf.setProgrammeTerms(core_firm, 1, _terms(min_rating=0), {"from": lender})  # no minimum at all
    fingerprint = receivable()
    scf.transferPiece(fingerprint, 0, unrated, {"from": supplier})
    expect_rejection(fingerprint, 0, unrated, lender, Reject.RATING_TOO_LOW)


def test_request_on_registered_invoice_is_rejected(supplier, lender, register, expect_rejection):
    expect_rejection(register(), 0, supplier, lender, Reject.NOT_CONFIRMED)


def test_request_on_disputed_invoice_is_rejected(scf, supplier, core_firm, lender, register, expect_rejection):
    fingerprint = register()
    scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": core_firm})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.DISPUTED)


def test_request_after_due_date_is_rejected(supplier, lender, receivable, expect_rejection):
    fingerprint = receivable(due_in=DAY)
    chain.sleep(DAY + 60)
    expect_rejection(fingerprint, 0, supplier, lender, Reject.OVERDUE)


def test_request_on_overdue_invoice_is_rejected(scf, supplier, lender, receivable, expect_rejection):
    fingerprint = receivable(due_in=DAY)
    chain.sleep(DAY + GRACE_PERIOD + 60)
    scf.markOverdue(fingerprint, {"from": supplier})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.OVERDUE)


def test_request_on_reserve_of_financed_piece_is_rejected(
    scf, supplier, core_firm, lender, other_lender, receivable, expect_rejection
):
    scf.setProgrammeTerms(core_firm, 1, _terms(advance=8_000), {"from": lender})
    fingerprint = receivable()
    approved = scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    reserve = approved.events["FinancingApproved"]["reservePiece"]
    scf.setProgrammeTerms(core_firm, 1, STANDARD_TERMS, {"from": other_lender})
    expect_rejection(fingerprint, reserve, supplier, other_lender, Reject.ALREADY_FINANCED)


def test_lender_cannot_refinance_its_financed_piece(scf, supplier, core_firm, lender, other_lender, receivable, expect_rejection):
    fingerprint = receivable()
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    scf.setProgrammeTerms(core_firm, 1, STANDARD_TERMS, {"from": other_lender})
    expect_rejection(fingerprint, 0, lender, other_lender, Reject.HOLDER_NOT_SUPPLIER)


# --- the parties' roles, the obligor, the rating's age and the holder's price bound ------------


def test_request_by_holder_whose_role_changed_is_rejected(scf, admin, supplier, lender, receivable, expect_rejection):
    fingerprint = receivable()
    scf.changeRole(supplier, Role.CORE_FIRM, {"from": admin})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.HOLDER_NOT_SUPPLIER)


def test_request_to_lender_whose_role_changed_is_rejected(scf, admin, supplier, lender, receivable, expect_rejection):
    fingerprint = receivable()
    scf.changeRole(lender, Role.SUPPLIER, {"from": admin})  # its programme and liquidity stay booked
    expect_rejection(fingerprint, 0, supplier, lender, Reject.LENDER_NOT_LENDER)


def test_request_on_suspended_obligor_is_rejected(scf, admin, supplier, core_firm, lender, receivable, expect_rejection):
    fingerprint = receivable()
    scf.suspendParticipant(core_firm, {"from": admin})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.OBLIGOR_KYC_EXPIRED)


def test_request_on_obligor_with_lapsed_kyc_is_rejected(scf, admin, supplier, core_firm, lender, receivable, expect_rejection):
    fingerprint = receivable()
    scf.renewKyc(core_firm, chain.time() + 60, {"from": admin})
    chain.sleep(120)
    expect_rejection(fingerprint, 0, supplier, lender, Reject.OBLIGOR_KYC_EXPIRED)


def test_request_on_obligor_no_longer_a_core_firm_is_rejected(
    scf, admin, supplier, core_firm, lender, receivable, expect_rejection
):
    fingerprint = receivable()
    scf.changeRole(core_firm, Role.SUPPLIER, {"from": admin})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.OBLIGOR_KYC_EXPIRED)


def test_suspended_obligor_gets_no_new_terms_nor_money(scf, admin, core_firm, lender):
    scf.suspendParticipant(core_firm, {"from": admin})
    with reverts_with("CreditInvalidParty", core_firm):
        scf.setProgrammeTerms(core_firm, 1, STANDARD_TERMS, {"from": lender})
    with reverts_with("CreditInvalidParty", core_firm):
        scf.fundProgramme(core_firm, 1, units(1_000), {"from": lender})
    scf.defundProgramme(core_firm, 1, units(1_000), {"from": lender})  # its own deposit still comes back


def test_request_with_stale_rating_is_rejected(scf, supplier, core_firm, lender, receivable, expect_rejection):
    scf.setProgrammeTerms(core_firm, 1, _terms(max_rating_age=1), {"from": lender})
    fingerprint = receivable()
    chain.sleep(DAY + 60)  # the supplier's rating is now older than a day
    expect_rejection(fingerprint, 0, supplier, lender, Reject.RATING_STALE)


def test_fresh_rating_passes_the_age_check_again(scf, supplier, core_firm, lender, oracle, receivable):
    scf.setProgrammeTerms(core_firm, 1, _terms(max_rating_age=1), {"from": lender})
    fingerprint = receivable()
    chain.sleep(DAY + 60)
    scf.postRating(supplier, 8, 4, {"from": oracle})
    tx = scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert tx.return_value == Reject.NONE


def test_request_mined_after_its_deadline_is_rejected(supplier, lender, receivable, expect_rejection):
    fingerprint = receivable()
    expect_rejection(fingerprint, 0, supplier, lender, Reject.QUOTE_EXPIRED, deadline=chain.time() - 1)


def test_request_paying_less_than_the_holder_saw_is_rejected(
    scf, supplier, core_firm, lender, receivable, expect_rejection
):
    # The quote the holder saw; then, before its request is mined, the lender halves its advance.
    fingerprint = receivable()
    seen = model.quote(FACE, STANDARD_TERMS, 8, scf.invoice(fingerprint)["dueDate"], chain.time()).payout
    scf.setProgrammeTerms(core_firm, 1, _terms(advance=5_000), {"from": lender})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.PAYOUT_BELOW_MINIMUM, min_payout=seen)


def test_request_paying_exactly_the_minimum_is_approved(scf, supplier, lender, receivable):
    fingerprint = receivable()
    tx = scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    payout = tx.events["FinancingApproved"]["advance"] - tx.events["FinancingApproved"]["discount"]
    chain.undo()
    tx = scf.requestFinancing(fingerprint, 0, lender, payout, chain.time() + 60, {"from": supplier})
    assert tx.return_value == Reject.NONE


def test_request_after_partial_repayment_is_rejected(scf, supplier, core_firm, lender, receivable, expect_rejection):
    fingerprint = receivable()
    scf.repay(fingerprint, 1, {"from": core_firm})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.SETTLED)


def test_request_on_repaid_invoice_is_rejected(scf, supplier, core_firm, lender, receivable, expect_rejection):
    fingerprint = receivable()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.SETTLED)


def test_request_beyond_liquidity_is_rejected(scf, supplier, core_firm, lender, receivable, expect_rejection):
    fingerprint = receivable()
    payout = model.quote(FACE, STANDARD_TERMS, 8, scf.invoice(fingerprint)["dueDate"], chain.time()).payout
    scf.defundProgramme(core_firm, 1, FUNDED_LIQUIDITY - payout + 1, {"from": lender})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.INSUFFICIENT_LIQUIDITY)


def test_request_whose_advance_rounds_to_zero_is_rejected(scf, supplier, core_firm, lender, register, expect_rejection):
    scf.setProgrammeTerms(core_firm, 1, _terms(advance=5_000), {"from": lender})
    fingerprint = register(amount=1)  # 1 micro-unit x 50% rounds to nothing
    scf.confirmInvoice(fingerprint, {"from": core_firm})
    expect_rejection(fingerprint, 0, supplier, lender, Reject.ADVANCE_TOO_SMALL)


# One test per reject reason (some reasons have further routes above).
REJECTION_TESTS = {
    Reject.NO_PROGRAMME: test_request_to_lender_without_programme_is_rejected,
    Reject.OVER_LIMIT: test_request_over_limit_is_rejected,
    Reject.TENOR_TOO_LONG: test_request_with_tenor_too_long_is_rejected,
    Reject.HOLDER_KYC_EXPIRED: test_request_by_holder_with_expired_kyc_is_rejected,
    Reject.LENDER_KYC_EXPIRED: test_request_to_lender_with_expired_kyc_is_rejected,
    Reject.RATING_TOO_LOW: test_request_by_holder_rated_below_minimum_is_rejected,
    Reject.NOT_CONFIRMED: test_request_on_registered_invoice_is_rejected,
    Reject.DISPUTED: test_request_on_disputed_invoice_is_rejected,
    Reject.OVERDUE: test_request_after_due_date_is_rejected,
    Reject.ALREADY_FINANCED: test_request_on_reserve_of_financed_piece_is_rejected,
    Reject.SETTLED: test_request_after_partial_repayment_is_rejected,
    Reject.INSUFFICIENT_LIQUIDITY: test_request_beyond_liquidity_is_rejected,
    Reject.ADVANCE_TOO_SMALL: test_request_whose_advance_rounds_to_zero_is_rejected,
    Reject.OBLIGOR_KYC_EXPIRED: test_request_on_suspended_obligor_is_rejected,
    Reject.HOLDER_NOT_SUPPLIER: test_request_by_holder_whose_role_changed_is_rejected,
    Reject.LENDER_NOT_LENDER: test_request_to_lender_whose_role_changed_is_rejected,
    Reject.RATING_STALE: test_request_with_stale_rating_is_rejected,
    Reject.QUOTE_EXPIRED: test_request_mined_after_its_deadline_is_rejected,
    Reject.PAYOUT_BELOW_MINIMUM: test_request_paying_less_than_the_holder_saw_is_rejected,
}


def test_every_reject_reason_has_a_rejection_test():
    assert set(REJECTION_TESTS) == set(Reject) - {Reject.NONE}


# --- only the holder may ask ------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["lender", "other_lender", "outsider", "core_firm", "tier2", "admin"])
def test_request_on_someone_elses_piece_reverts(scf, lender, receivable, caller, request):
    """The approval gate cannot be bypassed (the "$101K requestCredit bypass"): no lender, core
    firm, other supplier or outsider can have someone else's piece financed, not even to itself."""
    fingerprint = receivable()
    account = request.getfixturevalue(caller)
    with reverts_with("PieceNotHolder", fingerprint, 0, account):
        scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": account})


def test_request_on_unknown_piece_reverts(scf, supplier, lender, receivable):
    fingerprint = receivable()
    with reverts_with("PieceUnknown", fingerprint, 1):
        scf.requestFinancing(fingerprint, 1, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})


def test_request_on_unknown_invoice_reverts(scf, supplier, lender):
    unknown = fingerprint_of("unknown")
    with reverts_with("PieceUnknown", unknown, 0):
        scf.requestFinancing(unknown, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})


def test_reserve_piece_cannot_be_refinanced_by_the_same_lender(scf, supplier, core_firm, lender, receivable):
    """An 80% advance rate is the lender's haircut. Financing the 20% reserve again at 80% (and
    its reserve again, and so on) lets the holder draw ever closer to 100% of the face value."""
    fingerprint = receivable()
    scf.setProgrammeTerms(core_firm, 1, _terms(advance=8_000), {"from": lender})
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    tx = scf.requestFinancing(fingerprint, 1, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    assert tx.return_value == Reject.ALREADY_FINANCED
