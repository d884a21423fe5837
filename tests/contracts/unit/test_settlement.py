"""Settlement: repayment by the buyer, pro-rata claims by holders, the overdue/default clock."""

import pytest

from errors import expire_kyc, reverts_with, sleep_until
from scripts.world import (
    ANY_PAYOUT,
    NO_DEADLINE,
    DAY,
    DEFAULT_PERIOD,
    FINANCED,
    GRACE_PERIOD,
    PARTLY_CLAIMED,
    SETTLED,
    STANDARD_TERMS,
    WRITTEN_OFF,
    Role,
    Status,
    fingerprint_of,
    units,
)

FACE = units(100_000)  # the `receivable` fixture's amount


def _overdue_at(scf, fingerprint):
    return scf.invoice(fingerprint)["dueDate"] + GRACE_PERIOD


def _default_at(scf, fingerprint):
    return _overdue_at(scf, fingerprint) + DEFAULT_PERIOD


@pytest.fixture
def split_receivable(scf, receivable, supplier, tier2):
    """A confirmed 100,000.00 obligation: 60,000.00 with the supplier (piece 0), 40,000.00 with tier 2 (piece 1)."""

    def _split():
        fingerprint = receivable()
        scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})
        return fingerprint

    return _split


@pytest.fixture
def overdue(scf, receivable, outsider):
    """A confirmed obligation due in one day, marked overdue after its grace period."""

    def _overdue(**kwargs):
        fingerprint = receivable(due_in=DAY, **kwargs)
        sleep_until(_overdue_at(scf, fingerprint) + 1)
        scf.markOverdue(fingerprint, {"from": outsider})
        return fingerprint

    return _overdue


# --- repay ------------------------------------------------------------------------------------


def test_repay_in_full_emits_event_and_marks_repaid(scf, core_firm, receivable):
    fingerprint = receivable()
    tx = scf.repay(fingerprint, FACE, {"from": core_firm})
    assert tx.events["ObligationRepaid"] == {"fingerprint": fingerprint.to_0x_hex(), "amount": FACE, "totalRepaid": FACE}
    record = scf.invoice(fingerprint)
    assert (record["repaid"], record["status"]) == (FACE, Status.REPAID)


def test_repay_pulls_tokens_from_buyer(scf, usdc, core_firm, receivable):
    fingerprint = receivable()
    before = usdc.balanceOf(core_firm), usdc.balanceOf(scf)
    scf.repay(fingerprint, units(2_500), {"from": core_firm})
    assert (usdc.balanceOf(core_firm), usdc.balanceOf(scf)) == (before[0] - units(2_500), before[1] + units(2_500))


def test_repay_in_18_decimal_currency_pulls_scaled_tokens(scf, eurt, core_firm, receivable):
    fingerprint = receivable(currency=2)
    before = eurt.balanceOf(scf)
    scf.repay(fingerprint, units(2_500), {"from": core_firm})
    assert eurt.balanceOf(scf) - before == units(2_500) * 10**12


def test_partial_repayment_keeps_obligation_confirmed(scf, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, units(30_000), {"from": core_firm})
    record = scf.invoice(fingerprint)
    assert (record["repaid"], record["status"]) == (units(30_000), Status.CONFIRMED)


def test_repayments_accumulate_to_repaid(scf, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, units(30_000), {"from": core_firm})
    tx = scf.repay(fingerprint, units(70_000), {"from": core_firm})
    assert tx.events["ObligationRepaid"]["totalRepaid"] == FACE
    assert scf.invoice(fingerprint)["status"] == Status.REPAID


@pytest.mark.parametrize("payer", ["other_buyer", "supplier", "lender", "admin", "outsider"])
def test_repay_by_anyone_but_the_buyer_reverts(scf, receivable, payer, request):
    fingerprint = receivable()
    account = request.getfixturevalue(payer)
    with reverts_with("InvoiceNotBuyer", fingerprint, account):
        scf.repay(fingerprint, units(1_000), {"from": account})


def test_repay_zero_reverts(scf, core_firm, receivable):
    fingerprint = receivable()
    with reverts_with("SettlementInvalidAmount", 0, FACE):
        scf.repay(fingerprint, 0, {"from": core_firm})


def test_repay_more_than_owed_reverts(scf, core_firm, receivable):
    fingerprint = receivable()
    with reverts_with("SettlementInvalidAmount", FACE + 1, FACE):
        scf.repay(fingerprint, FACE + 1, {"from": core_firm})


def test_repay_more_than_rest_after_partial_reverts(scf, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, units(30_000), {"from": core_firm})
    with reverts_with("SettlementInvalidAmount", units(70_000) + 1, units(70_000)):
        scf.repay(fingerprint, units(70_000) + 1, {"from": core_firm})


def test_repay_registered_invoice_reverts(scf, core_firm, register):
    fingerprint = register()
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.REGISTERED):
        scf.repay(fingerprint, FACE, {"from": core_firm})


def test_repay_disputed_invoice_reverts(scf, core_firm, register):
    fingerprint = register()
    scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": core_firm})
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.DISPUTED):
        scf.repay(fingerprint, FACE, {"from": core_firm})


def test_repay_repaid_obligation_reverts(scf, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.REPAID):
        scf.repay(fingerprint, 1, {"from": core_firm})


def test_repay_unknown_invoice_reverts(scf, core_firm):
    unknown = fingerprint_of("unknown")
    with reverts_with("InvoiceUnknown", unknown):
        scf.repay(unknown, 1, {"from": core_firm})


def test_buyer_with_lapsed_kyc_can_still_repay(scf, admin, core_firm, receivable):
    fingerprint = receivable()
    expire_kyc(scf, admin, core_firm)
    scf.repay(fingerprint, FACE, {"from": core_firm})
    assert scf.invoice(fingerprint)["status"] == Status.REPAID


def test_buyer_whose_role_changed_can_still_repay(scf, admin, core_firm, receivable):
    fingerprint = receivable()
    scf.changeRole(core_firm, Role.SUPPLIER, {"from": admin})
    scf.repay(fingerprint, FACE, {"from": core_firm})
    assert scf.invoice(fingerprint)["status"] == Status.REPAID


def test_partial_repayment_of_overdue_obligation_keeps_it_overdue(scf, core_firm, overdue):
    fingerprint = overdue()
    scf.repay(fingerprint, units(1_000), {"from": core_firm})
    assert scf.invoice(fingerprint)["status"] == Status.OVERDUE


def test_full_repayment_of_overdue_obligation_marks_repaid(scf, core_firm, overdue):
    fingerprint = overdue()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    assert scf.invoice(fingerprint)["status"] == Status.REPAID


def test_repay_after_default_pays_holders(scf, usdc, supplier, core_firm, outsider, overdue):
    fingerprint = overdue()
    sleep_until(_default_at(scf, fingerprint) + 1)
    scf.markDefaulted(fingerprint, {"from": outsider})
    scf.repay(fingerprint, FACE, {"from": core_firm})
    assert scf.invoice(fingerprint)["status"] == Status.REPAID
    scf.claim(fingerprint, 0, {"from": supplier})
    assert usdc.balanceOf(supplier) == FACE


# --- claim ------------------------------------------------------------------------------------


def test_claim_after_full_repayment_pays_whole_piece(scf, usdc, supplier, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    tx = scf.claim(fingerprint, 0, {"from": supplier})
    assert tx.return_value == FACE
    assert tx.events["PieceClaimed"] == {"fingerprint": fingerprint.to_0x_hex(), "piece": 0, "holder": supplier, "amount": FACE}
    assert usdc.balanceOf(supplier) == FACE


def test_final_claim_marks_piece_settled(scf, supplier, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": supplier})
    assert scf.piece(fingerprint, 0)["flags"] == SETTLED


def test_claim_after_partial_repayment_pays_pro_rata(scf, usdc, supplier, tier2, core_firm, split_receivable):
    fingerprint = split_receivable()
    scf.repay(fingerprint, units(30_000), {"from": core_firm})
    assert scf.claim(fingerprint, 0, {"from": supplier}).return_value == units(18_000)
    assert scf.claim(fingerprint, 1, {"from": tier2}).return_value == units(12_000)
    assert (usdc.balanceOf(supplier), usdc.balanceOf(tier2)) == (units(18_000), units(12_000))


def test_partial_claim_flags_piece_partly_claimed(scf, supplier, core_firm, split_receivable):
    fingerprint = split_receivable()
    scf.repay(fingerprint, units(30_000), {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": supplier})
    assert scf.piece(fingerprint, 0)["flags"] == PARTLY_CLAIMED


def test_later_claim_collects_only_new_repayments(scf, supplier, core_firm, split_receivable):
    fingerprint = split_receivable()
    scf.repay(fingerprint, units(30_000), {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": supplier})
    scf.repay(fingerprint, units(20_000), {"from": core_firm})
    assert scf.claim(fingerprint, 0, {"from": supplier}).return_value == units(12_000)


def test_final_claim_pays_exact_remainder(scf, usdc, supplier, tier2, tier3, core_firm, register):
    """Pro-rata shares round down; the claims after full repayment make up every micro-unit."""
    amount = 1_000_003
    fingerprint = register(amount=amount)
    scf.confirmInvoice(fingerprint, {"from": core_firm})
    scf.splitPiece(fingerprint, 0, tier2, 333_334, {"from": supplier})
    scf.splitPiece(fingerprint, 0, tier3, 333_334, {"from": supplier})
    holders = {0: supplier, 1: tier2, 2: tier3}
    faces = {index: scf.piece(fingerprint, index)["amount"] for index in holders}
    pool_before = usdc.balanceOf(scf)

    scf.repay(fingerprint, 500_000, {"from": core_firm})
    first = {i: scf.claim(fingerprint, i, {"from": a}).return_value for i, a in holders.items()}
    assert first == {i: faces[i] * 500_000 // amount for i in holders}
    assert sum(first.values()) < 500_000  # rounding leaves dust in the contract...

    scf.repay(fingerprint, amount - 500_000, {"from": core_firm})
    final = {i: scf.claim(fingerprint, i, {"from": a}).return_value for i, a in holders.items()}
    assert final == {i: faces[i] - first[i] for i in holders}
    assert usdc.balanceOf(scf) == pool_before  # ...which the final claims pay out exactly


def test_claim_before_any_repayment_reverts(scf, supplier, receivable):
    fingerprint = receivable()
    with reverts_with("SettlementNothingToClaim", fingerprint, 0):
        scf.claim(fingerprint, 0, {"from": supplier})


def test_claim_twice_without_new_repayment_reverts(scf, supplier, core_firm, split_receivable):
    fingerprint = split_receivable()
    scf.repay(fingerprint, units(30_000), {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": supplier})
    with reverts_with("SettlementNothingToClaim", fingerprint, 0):
        scf.claim(fingerprint, 0, {"from": supplier})


def test_claim_of_settled_piece_reverts(scf, supplier, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": supplier})
    with reverts_with("SettlementNothingToClaim", fingerprint, 0):
        scf.claim(fingerprint, 0, {"from": supplier})


@pytest.mark.parametrize("caller", ["tier2", "core_firm", "lender", "outsider"])
def test_claim_by_non_holder_reverts(scf, core_firm, receivable, caller, request):
    fingerprint = receivable()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    account = request.getfixturevalue(caller)
    with reverts_with("PieceNotHolder", fingerprint, 0, account):
        scf.claim(fingerprint, 0, {"from": account})


def test_claim_of_unknown_piece_reverts(scf, supplier, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    with reverts_with("PieceUnknown", fingerprint, 1):
        scf.claim(fingerprint, 1, {"from": supplier})


def test_holder_with_lapsed_kyc_can_still_claim(scf, admin, supplier, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    expire_kyc(scf, admin, supplier)
    assert scf.claim(fingerprint, 0, {"from": supplier}).return_value == FACE


def test_lender_claims_release_exposure(scf, supplier, core_firm, lender, receivable):
    fingerprint = receivable()
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    scf.repay(fingerprint, units(40_000), {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": lender})
    assert scf.programme(lender, core_firm, 1)["exposure"] == units(60_000)
    scf.repay(fingerprint, units(60_000), {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": lender})
    assert scf.programme(lender, core_firm, 1)["exposure"] == 0
    assert scf.piece(fingerprint, 0)["flags"] == FINANCED | PARTLY_CLAIMED | SETTLED


def test_partial_advance_repays_lender_and_reserve_holder(scf, usdc, supplier, core_firm, lender, receivable):
    fingerprint = receivable()
    terms = (STANDARD_TERMS[0], 8_000) + STANDARD_TERMS[2:]
    scf.setProgrammeTerms(core_firm, 1, terms, {"from": lender})
    payout = scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier}).events["FinancingApproved"]
    lender_before = usdc.balanceOf(lender)
    scf.repay(fingerprint, FACE, {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": lender})
    scf.claim(fingerprint, 1, {"from": supplier})
    assert usdc.balanceOf(lender) - lender_before == units(80_000)
    assert usdc.balanceOf(supplier) == payout["advance"] - payout["discount"] + units(20_000)
    assert scf.programme(lender, core_firm, 1)["exposure"] == 0


def test_unpaid_exposure_stays_booked_after_default(scf, supplier, core_firm, lender, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    scf.repay(fingerprint, units(30_000), {"from": core_firm})
    sleep_until(_default_at(scf, fingerprint) + 1)
    scf.markOverdue(fingerprint, {"from": outsider})
    scf.markDefaulted(fingerprint, {"from": outsider})
    scf.claim(fingerprint, 0, {"from": lender})
    assert scf.programme(lender, core_firm, 1)["exposure"] == units(70_000)


# --- claimable --------------------------------------------------------------------------------


def test_claimable_is_zero_before_repayment(scf, receivable):
    assert scf.claimable(receivable(), 0) == 0


def test_claimable_follows_repayments_and_claims(scf, supplier, core_firm, split_receivable):
    fingerprint = split_receivable()
    scf.repay(fingerprint, units(30_000), {"from": core_firm})
    assert (scf.claimable(fingerprint, 0), scf.claimable(fingerprint, 1)) == (units(18_000), units(12_000))
    scf.claim(fingerprint, 0, {"from": supplier})
    assert scf.claimable(fingerprint, 0) == 0
    scf.repay(fingerprint, units(70_000), {"from": core_firm})
    assert scf.claimable(fingerprint, 0) == units(42_000)
    scf.claim(fingerprint, 0, {"from": supplier})
    assert scf.claimable(fingerprint, 0) == 0


def test_claimable_of_unknown_piece_reverts(scf, receivable):
    fingerprint = receivable()
    with reverts_with("PieceUnknown", fingerprint, 3):
        scf.claimable(fingerprint, 3)


# --- overdue and default ----------------------------------------------------------------------


def test_mark_overdue_before_grace_period_ends_reverts(scf, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    overdue_at = _overdue_at(scf, fingerprint)
    sleep_until(overdue_at - 60)
    with reverts_with("SettlementTooEarly", fingerprint, overdue_at):
        scf.markOverdue(fingerprint, {"from": outsider})


def test_mark_overdue_at_due_date_reverts(scf, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    sleep_until(scf.invoice(fingerprint)["dueDate"])
    with reverts_with("SettlementTooEarly", fingerprint, _overdue_at(scf, fingerprint)):
        scf.markOverdue(fingerprint, {"from": outsider})


def test_mark_overdue_after_grace_period_emits_event(scf, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    sleep_until(_overdue_at(scf, fingerprint))
    tx = scf.markOverdue(fingerprint, {"from": outsider})
    assert tx.timestamp >= _overdue_at(scf, fingerprint)
    assert tx.events["ObligationOverdue"] == {"fingerprint": fingerprint.to_0x_hex(), "unpaid": FACE}
    assert scf.invoice(fingerprint)["status"] == Status.OVERDUE


def test_mark_overdue_reports_unpaid_rest(scf, core_firm, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    scf.repay(fingerprint, units(25_000), {"from": core_firm})
    sleep_until(_overdue_at(scf, fingerprint) + 1)
    tx = scf.markOverdue(fingerprint, {"from": outsider})
    assert tx.events["ObligationOverdue"]["unpaid"] == units(75_000)


def test_mark_overdue_registered_invoice_reverts(scf, outsider, register):
    fingerprint = register(due_in=DAY)
    sleep_until(_overdue_at(scf, fingerprint) + 1)
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.REGISTERED):
        scf.markOverdue(fingerprint, {"from": outsider})


def test_mark_overdue_repaid_obligation_reverts(scf, core_firm, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    scf.repay(fingerprint, FACE, {"from": core_firm})
    sleep_until(_overdue_at(scf, fingerprint) + 1)
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.REPAID):
        scf.markOverdue(fingerprint, {"from": outsider})


def test_mark_overdue_twice_reverts(scf, outsider, overdue):
    fingerprint = overdue()
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.OVERDUE):
        scf.markOverdue(fingerprint, {"from": outsider})


def test_mark_overdue_unknown_invoice_reverts(scf, outsider):
    unknown = fingerprint_of("unknown")
    with reverts_with("InvoiceUnknown", unknown):
        scf.markOverdue(unknown, {"from": outsider})


def test_mark_defaulted_before_overdue_reverts(scf, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    sleep_until(_default_at(scf, fingerprint) + 1)
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.CONFIRMED):
        scf.markDefaulted(fingerprint, {"from": outsider})


def test_mark_defaulted_before_default_period_ends_reverts(scf, outsider, overdue):
    fingerprint = overdue()
    default_at = _default_at(scf, fingerprint)
    sleep_until(default_at - 60)
    with reverts_with("SettlementTooEarly", fingerprint, default_at):
        scf.markDefaulted(fingerprint, {"from": outsider})


def test_mark_defaulted_records_recourse_to_seller(scf, supplier, outsider, overdue):
    fingerprint = overdue()
    sleep_until(_default_at(scf, fingerprint))
    tx = scf.markDefaulted(fingerprint, {"from": outsider})
    assert tx.events["RecourseRecorded"] == {"fingerprint": fingerprint.to_0x_hex(), "seller": supplier, "unpaid": FACE}
    assert scf.invoice(fingerprint)["status"] == Status.DEFAULTED


def test_recourse_names_seller_after_pieces_moved_on(scf, supplier, tier2, core_firm, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    scf.transferPiece(fingerprint, 0, tier2, {"from": supplier})
    scf.repay(fingerprint, units(10_000), {"from": core_firm})
    sleep_until(_default_at(scf, fingerprint) + 1)
    scf.markOverdue(fingerprint, {"from": outsider})
    tx = scf.markDefaulted(fingerprint, {"from": outsider})
    assert tx.events["RecourseRecorded"] == {"fingerprint": fingerprint.to_0x_hex(), "seller": supplier, "unpaid": units(90_000)}


def test_mark_defaulted_twice_reverts(scf, outsider, overdue):
    fingerprint = overdue()
    sleep_until(_default_at(scf, fingerprint) + 1)
    scf.markDefaulted(fingerprint, {"from": outsider})
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.DEFAULTED):
        scf.markDefaulted(fingerprint, {"from": outsider})


def test_defaulted_obligation_still_pays_partial_repayments(scf, usdc, supplier, tier2, core_firm, outsider, split_receivable):
    fingerprint = split_receivable()
    sleep_until(_default_at(scf, fingerprint) + 1)
    scf.markOverdue(fingerprint, {"from": outsider})
    scf.markDefaulted(fingerprint, {"from": outsider})
    scf.repay(fingerprint, units(50_000), {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": supplier})
    scf.claim(fingerprint, 1, {"from": tier2})
    assert (usdc.balanceOf(supplier), usdc.balanceOf(tier2)) == (units(30_000), units(20_000))


# --- write-off --------------------------------------------------------------------------------


@pytest.fixture
def financed_default(scf, receivable, supplier, core_firm, lender, outsider):
    """An obligation due in a day whose piece 0 the lender financed, 30,000.00 repaid and
    claimed by the lender, then defaulted: 70,000.00 of exposure left."""

    def _financed_default():
        fingerprint = receivable(due_in=DAY)
        scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
        scf.repay(fingerprint, units(30_000), {"from": core_firm})
        scf.claim(fingerprint, 0, {"from": lender})
        sleep_until(_default_at(scf, fingerprint) + 1)
        scf.markOverdue(fingerprint, {"from": outsider})
        scf.markDefaulted(fingerprint, {"from": outsider})
        return fingerprint

    return _financed_default


def test_write_off_releases_the_uncollected_exposure(scf, core_firm, lender, financed_default):
    fingerprint = financed_default()
    tx = scf.writeOff(fingerprint, 0, {"from": lender})
    assert tx.events["PieceWrittenOff"] == {
        "fingerprint": fingerprint.to_0x_hex(), "piece": 0, "lender": lender, "released": units(70_000),
    }
    assert scf.programme(lender, core_firm, 1)["exposure"] == 0
    assert scf.piece(fingerprint, 0)["flags"] == FINANCED | PARTLY_CLAIMED | WRITTEN_OFF


def test_written_off_programme_can_be_closed(scf, core_firm, lender, financed_default):
    fingerprint = financed_default()
    with reverts_with("CreditLimitBelowExposure", 0, units(70_000)):
        scf.setProgrammeTerms(core_firm, 1, (0,) + STANDARD_TERMS[1:], {"from": lender})
    scf.writeOff(fingerprint, 0, {"from": lender})
    scf.setProgrammeTerms(core_firm, 1, (0,) + STANDARD_TERMS[1:], {"from": lender})
    assert scf.programme(lender, core_firm, 1)["limit"] == 0


def test_later_repayment_of_written_off_piece_stays_claimable(scf, usdc, core_firm, lender, financed_default):
    fingerprint = financed_default()
    scf.writeOff(fingerprint, 0, {"from": lender})
    scf.repay(fingerprint, units(70_000), {"from": core_firm})
    assert scf.claimable(fingerprint, 0) == units(70_000)
    before = usdc.balanceOf(lender)
    scf.claim(fingerprint, 0, {"from": lender})
    assert usdc.balanceOf(lender) - before == units(70_000)
    assert scf.programme(lender, core_firm, 1)["exposure"] == 0  # recovery does not release twice


def test_write_off_twice_reverts(scf, lender, financed_default):
    fingerprint = financed_default()
    scf.writeOff(fingerprint, 0, {"from": lender})
    with reverts_with("SettlementCannotWriteOff", fingerprint, 0):
        scf.writeOff(fingerprint, 0, {"from": lender})


def test_write_off_before_default_reverts(scf, supplier, lender, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    with reverts_with("SettlementCannotWriteOff", fingerprint, 0):
        scf.writeOff(fingerprint, 0, {"from": lender})  # performing
    sleep_until(_overdue_at(scf, fingerprint) + 1)
    scf.markOverdue(fingerprint, {"from": outsider})
    with reverts_with("SettlementCannotWriteOff", fingerprint, 0):
        scf.writeOff(fingerprint, 0, {"from": lender})  # overdue, not yet defaulted


def test_write_off_of_unfinanced_piece_reverts(scf, supplier, outsider, receivable):
    fingerprint = receivable(due_in=DAY)
    sleep_until(_default_at(scf, fingerprint) + 1)
    scf.markOverdue(fingerprint, {"from": outsider})
    scf.markDefaulted(fingerprint, {"from": outsider})
    with reverts_with("SettlementCannotWriteOff", fingerprint, 0):
        scf.writeOff(fingerprint, 0, {"from": supplier})


def test_write_off_by_anyone_but_the_holder_reverts(scf, other_lender, financed_default):
    fingerprint = financed_default()
    with reverts_with("PieceNotHolder", fingerprint, 0, other_lender):
        scf.writeOff(fingerprint, 0, {"from": other_lender})
