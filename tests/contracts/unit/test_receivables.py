"""Receivables: holders split and transfer pieces of confirmed obligations down the chain."""

import pytest
from brownie import chain

from errors import expire_kyc, reverts_with
from scripts.world import ANY_PAYOUT, NO_DEADLINE, DAY, FINANCED, GRACE_PERIOD, PARTLY_CLAIMED, RESERVE, YEAR, Role, Status, fingerprint_of, units

FACE = units(100_000)  # the `receivable` fixture's amount
MIN_PIECE = -(-FACE // 16_384)  # the smallest piece a split may leave: 1/16,384 of the obligation


def _pieces(scf, fingerprint):
    count = scf.invoice(fingerprint)["pieceCount"]
    return [tuple(scf.piece(fingerprint, index)) for index in range(count)]


# --- split ------------------------------------------------------------------------------------


def test_split_returns_new_index_and_emits_event(scf, supplier, tier2, receivable):
    fingerprint = receivable()
    tx = scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})
    assert tx.return_value == 1
    assert tx.events["PieceSplit"] == {
        "fingerprint": fingerprint.to_0x_hex(),
        "parent": 0,
        "piece": 1,
        "to": tier2,
        "amount": units(40_000),
    }


def test_split_moves_amount_to_new_piece(scf, supplier, tier2, receivable):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})
    assert _pieces(scf, fingerprint) == [
        (supplier.address, units(60_000), 0, 0),
        (tier2.address, units(40_000), 0, 0),
    ]


def test_split_records_parent_lineage_down_the_chain(scf, supplier, tier2, tier3, receivable):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})
    scf.splitPiece(fingerprint, 1, tier3, units(15_000), {"from": tier2})
    scf.splitPiece(fingerprint, 0, tier3, units(5_000), {"from": supplier})
    assert [piece[2] for piece in _pieces(scf, fingerprint)] == [0, 0, 1, 0]
    assert [piece[0] for piece in _pieces(scf, fingerprint)] == [supplier, tier2, tier3, tier3]


def test_split_pieces_sum_to_invoice_amount(scf, supplier, tier2, tier3, receivable):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})
    scf.splitPiece(fingerprint, 1, tier3, units(12_345.678901), {"from": tier2})
    scf.splitPiece(fingerprint, 2, tier2, MIN_PIECE, {"from": tier3})
    scf.splitPiece(fingerprint, 0, tier3, units(59_990), {"from": supplier})
    assert sum(piece[1] for piece in _pieces(scf, fingerprint)) == FACE


def test_split_off_below_the_minimum_piece_reverts(scf, supplier, tier2, receivable):
    fingerprint = receivable()
    with reverts_with("PieceBelowMinimum", MIN_PIECE - 1, MIN_PIECE):
        scf.splitPiece(fingerprint, 0, tier2, MIN_PIECE - 1, {"from": supplier})


def test_split_leaving_less_than_the_minimum_piece_reverts(scf, supplier, tier2, receivable):
    fingerprint = receivable()
    with reverts_with("PieceBelowMinimum", FACE - MIN_PIECE + 1, MIN_PIECE):
        scf.splitPiece(fingerprint, 0, tier2, FACE - MIN_PIECE + 1, {"from": supplier})


def test_split_into_minimum_pieces_works(scf, supplier, tier2, receivable):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, MIN_PIECE, {"from": supplier})
    scf.splitPiece(fingerprint, 0, tier2, FACE - 2 * MIN_PIECE, {"from": supplier})
    assert [piece[1] for piece in _pieces(scf, fingerprint)] == [MIN_PIECE, MIN_PIECE, FACE - 2 * MIN_PIECE]


def test_dust_obligation_cannot_be_split_into_dust(scf, supplier, tier2, core_firm, register):
    # The griefing case: 0.066 USDC, whose 65,535-piece limit 1-micro-unit splits would exhaust.
    fingerprint = register(amount=66_000)
    scf.confirmInvoice(fingerprint, {"from": core_firm})
    with reverts_with("PieceBelowMinimum", 4, 5):  # ceil(66,000 / 16,384) = 5
        scf.splitPiece(fingerprint, 0, tier2, 4, {"from": supplier})
    scf.splitPiece(fingerprint, 0, tier2, 5, {"from": supplier})


def test_split_counts_pieces(scf, supplier, tier2, receivable):
    fingerprint = receivable()
    for _ in range(3):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": supplier})
    assert scf.invoice(fingerprint)["pieceCount"] == 4


def test_split_leaves_other_half_of_storage_word_intact(scf, supplier, tier2, tier3, receivable):
    """Pieces 2k and 2k+1 share a word; writing one must not disturb the other."""
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, units(10_000), {"from": supplier})  # piece 1, word 0
    scf.splitPiece(fingerprint, 0, tier3, units(20_000), {"from": supplier})  # piece 2, word 1
    scf.splitPiece(fingerprint, 1, tier3, units(3_000), {"from": tier2})  # piece 3, word 1
    scf.transferPiece(fingerprint, 2, supplier, {"from": tier3})  # rewrites piece 2 only
    assert _pieces(scf, fingerprint) == [
        (supplier.address, units(70_000), 0, 0),
        (tier2.address, units(7_000), 0, 0),
        (supplier.address, units(20_000), 0, 0),
        (tier3.address, units(3_000), 1, 0),
    ]


@pytest.mark.parametrize("amount", [0, FACE, FACE + 1], ids=["zero", "whole", "more"])
def test_split_invalid_amount_reverts(scf, supplier, tier2, receivable, amount):
    fingerprint = receivable()
    with reverts_with("PieceInvalidAmount", amount, FACE):
        scf.splitPiece(fingerprint, 0, tier2, amount, {"from": supplier})


def test_split_of_smaller_piece_checks_its_own_amount(scf, supplier, tier2, tier3, receivable):
    fingerprint = receivable()
    scf.splitPiece(fingerprint, 0, tier2, units(40_000), {"from": supplier})
    with reverts_with("PieceInvalidAmount", units(40_000), units(40_000)):
        scf.splitPiece(fingerprint, 1, tier3, units(40_000), {"from": tier2})


def test_split_by_non_holder_reverts(scf, tier2, tier3, receivable):
    fingerprint = receivable()
    with reverts_with("PieceNotHolder", fingerprint, 0, tier2):
        scf.splitPiece(fingerprint, 0, tier3, units(1_000), {"from": tier2})


def test_split_unknown_piece_reverts(scf, supplier, tier2, receivable):
    fingerprint = receivable()
    with reverts_with("PieceUnknown", fingerprint, 1):
        scf.splitPiece(fingerprint, 1, tier2, units(1_000), {"from": supplier})


def test_split_of_unknown_invoice_reverts(scf, supplier, tier2):
    unknown = fingerprint_of("unknown")
    with reverts_with("InvoiceUnknown", unknown):
        scf.splitPiece(unknown, 0, tier2, units(1_000), {"from": supplier})


def test_split_by_sender_with_expired_kyc_reverts(scf, admin, supplier, tier2, receivable):
    fingerprint = receivable()
    expiry = expire_kyc(scf, admin, supplier)
    with reverts_with("ParticipantKycExpired", supplier, expiry):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": supplier})


# --- recipient rules (shared by split and transfer) -------------------------------------------


def test_split_to_self_reverts(scf, supplier, receivable):
    fingerprint = receivable()
    with reverts_with("PieceInvalidRecipient", supplier):
        scf.splitPiece(fingerprint, 0, supplier, units(1_000), {"from": supplier})


@pytest.mark.parametrize("recipient", ["core_firm", "lender", "oracle", "admin", "outsider"])
def test_split_to_non_supplier_reverts(scf, supplier, receivable, recipient, request):
    fingerprint = receivable()
    account = request.getfixturevalue(recipient)
    with reverts_with("PieceInvalidRecipient", account):
        scf.splitPiece(fingerprint, 0, account, units(1_000), {"from": supplier})


def test_split_to_recipient_with_expired_kyc_reverts(scf, admin, supplier, tier2, receivable):
    fingerprint = receivable()
    expire_kyc(scf, admin, tier2)
    with reverts_with("PieceInvalidRecipient", tier2):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": supplier})


def test_split_to_suspended_recipient_reverts(scf, admin, supplier, tier2, receivable):
    fingerprint = receivable()
    scf.suspendParticipant(tier2, {"from": admin})
    with reverts_with("PieceInvalidRecipient", tier2):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": supplier})


def test_transfer_to_self_reverts(scf, supplier, receivable):
    fingerprint = receivable()
    with reverts_with("PieceInvalidRecipient", supplier):
        scf.transferPiece(fingerprint, 0, supplier, {"from": supplier})


def test_transfer_to_non_supplier_reverts(scf, supplier, core_firm, receivable):
    fingerprint = receivable()
    with reverts_with("PieceInvalidRecipient", core_firm):
        scf.transferPiece(fingerprint, 0, core_firm, {"from": supplier})


def test_transfer_to_recipient_with_expired_kyc_reverts(scf, admin, supplier, tier3, receivable):
    fingerprint = receivable()
    expire_kyc(scf, admin, tier3)
    with reverts_with("PieceInvalidRecipient", tier3):
        scf.transferPiece(fingerprint, 0, tier3, {"from": supplier})


# --- transfer ---------------------------------------------------------------------------------


def test_transfer_changes_holder_and_emits_event(scf, supplier, tier2, receivable):
    fingerprint = receivable()
    tx = scf.transferPiece(fingerprint, 0, tier2, {"from": supplier})
    assert tx.events["PieceTransferred"] == {
        "fingerprint": fingerprint.to_0x_hex(),
        "piece": 0,
        "from": supplier,
        "to": tier2,
    }
    assert tuple(scf.piece(fingerprint, 0)) == (tier2.address, FACE, 0, 0)


def test_transferred_piece_can_be_split_by_new_holder(scf, supplier, tier2, tier3, receivable):
    fingerprint = receivable()
    scf.transferPiece(fingerprint, 0, tier2, {"from": supplier})
    scf.splitPiece(fingerprint, 0, tier3, units(1_000), {"from": tier2})
    assert scf.piece(fingerprint, 1)["holder"] == tier3


def test_transfer_by_previous_holder_reverts(scf, supplier, tier2, tier3, receivable):
    fingerprint = receivable()
    scf.transferPiece(fingerprint, 0, tier2, {"from": supplier})
    with reverts_with("PieceNotHolder", fingerprint, 0, supplier):
        scf.transferPiece(fingerprint, 0, tier3, {"from": supplier})


def test_transfer_by_non_holder_reverts(scf, tier2, tier3, receivable):
    fingerprint = receivable()
    with reverts_with("PieceNotHolder", fingerprint, 0, tier2):
        scf.transferPiece(fingerprint, 0, tier3, {"from": tier2})


def test_transfer_unknown_piece_reverts(scf, supplier, tier2, receivable):
    fingerprint = receivable()
    with reverts_with("PieceUnknown", fingerprint, 7):
        scf.transferPiece(fingerprint, 7, tier2, {"from": supplier})


@pytest.mark.parametrize("sender, role", [("core_firm", Role.CORE_FIRM), ("lender", Role.LENDER), ("outsider", Role.NONE)])
def test_transfer_by_non_supplier_reverts(scf, tier2, receivable, sender, role, request):
    fingerprint = receivable()
    account = request.getfixturevalue(sender)
    with reverts_with("ParticipantRoleRequired", account, Role.SUPPLIER, role):
        scf.transferPiece(fingerprint, 0, tier2, {"from": account})


# --- invoice status and locked pieces ---------------------------------------------------------


def test_split_of_registered_invoice_reverts(scf, supplier, tier2, register):
    fingerprint = register()
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.REGISTERED):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": supplier})


def test_transfer_of_registered_invoice_reverts(scf, supplier, tier2, register):
    fingerprint = register()
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.REGISTERED):
        scf.transferPiece(fingerprint, 0, tier2, {"from": supplier})


def test_split_of_disputed_invoice_reverts(scf, supplier, tier2, core_firm, register):
    fingerprint = register()
    scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": core_firm})
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.DISPUTED):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": supplier})


def test_transfer_of_disputed_invoice_reverts(scf, supplier, tier2, core_firm, register):
    fingerprint = register()
    scf.disputeInvoice(fingerprint, fingerprint_of("reason"), {"from": core_firm})
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.DISPUTED):
        scf.transferPiece(fingerprint, 0, tier2, {"from": supplier})


def test_transfer_of_repaid_invoice_reverts(scf, supplier, tier2, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, FACE, {"from": core_firm})
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.REPAID):
        scf.transferPiece(fingerprint, 0, tier2, {"from": supplier})


def test_split_of_overdue_invoice_reverts(scf, supplier, tier2, receivable):
    fingerprint = receivable(due_in=DAY)
    chain.sleep(DAY + GRACE_PERIOD + 60)
    scf.markOverdue(fingerprint, {"from": supplier})
    with reverts_with("InvoiceWrongStatus", fingerprint, Status.OVERDUE):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": supplier})


def test_financed_piece_cannot_be_moved_by_its_lender(scf, supplier, tier2, lender, receivable):
    fingerprint = receivable()
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    with reverts_with("ParticipantRoleRequired", lender, Role.SUPPLIER, Role.LENDER):
        scf.transferPiece(fingerprint, 0, tier2, {"from": lender})


def test_financed_piece_cannot_be_moved_by_its_former_holder(scf, supplier, tier2, lender, receivable):
    fingerprint = receivable()
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    with reverts_with("PieceNotHolder", fingerprint, 0, supplier):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": supplier})


def test_financed_piece_is_locked_even_for_a_supplier_holder(scf, admin, supplier, tier2, lender, receivable):
    """Were the lender ever made a supplier, the FINANCED flag alone still locks the piece."""
    fingerprint = receivable()
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    scf.changeRole(lender, Role.SUPPLIER, {"from": admin})
    with reverts_with("PieceLocked", fingerprint, 0, FINANCED):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": lender})
    with reverts_with("PieceLocked", fingerprint, 0, FINANCED):
        scf.transferPiece(fingerprint, 0, tier2, {"from": lender})


def test_partly_claimed_piece_is_locked(scf, supplier, tier2, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, units(10_000), {"from": core_firm})
    scf.claim(fingerprint, 0, {"from": supplier})
    with reverts_with("PieceLocked", fingerprint, 0, PARTLY_CLAIMED):
        scf.splitPiece(fingerprint, 0, tier2, units(1_000), {"from": supplier})
    with reverts_with("PieceLocked", fingerprint, 0, PARTLY_CLAIMED):
        scf.transferPiece(fingerprint, 0, tier2, {"from": supplier})


def test_unclaimed_piece_can_move_after_partial_repayment(scf, supplier, tier2, core_firm, receivable):
    fingerprint = receivable()
    scf.repay(fingerprint, units(10_000), {"from": core_firm})
    scf.transferPiece(fingerprint, 0, tier2, {"from": supplier})
    assert scf.claimable(fingerprint, 0) == units(10_000)


def test_reserve_piece_of_partial_advance_is_locked(scf, supplier, tier2, core_firm, lender, receivable):
    """The holder's unfinanced rest stays with it: moving or splitting it would let it be
    financed again and turn the lender's haircut into credit."""
    fingerprint = receivable()
    terms = (units(1_000_000), 8_000, 500, 180, 25, 4, 365)
    scf.setProgrammeTerms(core_firm, 1, terms, {"from": lender})
    scf.requestFinancing(fingerprint, 0, lender, ANY_PAYOUT, NO_DEADLINE, {"from": supplier})
    with reverts_with("PieceLocked", fingerprint, 1, RESERVE):
        scf.transferPiece(fingerprint, 1, tier2, {"from": supplier})
    with reverts_with("PieceLocked", fingerprint, 1, RESERVE):
        scf.splitPiece(fingerprint, 1, tier2, units(1_000), {"from": supplier})


def test_recipient_registered_later_can_receive(scf, admin, supplier, outsider, receivable):
    fingerprint = receivable()
    scf.registerParticipant(outsider, Role.SUPPLIER, fingerprint_of("late"), chain.time() + YEAR, {"from": admin})
    scf.transferPiece(fingerprint, 0, outsider, {"from": supplier})
    assert scf.piece(fingerprint, 0)["holder"] == outsider
