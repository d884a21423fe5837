// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISettlement} from "./interfaces/ISettlement.sol";
import {PiecePacking} from "./libraries/PiecePacking.sol";
import {CreditDesk} from "./CreditDesk.sol";

/// @title Settlement
/// @notice Repayment by the buyer, pull-based claims by holders, and the overdue/default clock.
/// @dev Holders are paid pro rata: a piece is entitled to amount x repaid / obligation amount.
///      The final claim after full repayment pays the exact remainder, so repayments are
///      distributed to the last micro-unit and nothing stays behind in the contract.
abstract contract Settlement is ISettlement, CreditDesk {
    mapping(bytes32 fingerprint => mapping(uint16 index => uint64)) private _claimed;

    /// @inheritdoc ISettlement
    function repay(bytes32 fingerprint, uint64 amount) external whenNotPaused nonReentrant {
        Invoice storage record = _invoice(fingerprint);
        // Identity only, not KYC: a lapsed review must never stop money reaching the holders.
        if (_participantId(msg.sender) != record.buyerId) revert InvoiceNotBuyer(fingerprint, msg.sender);
        InvoiceStatus status = record.status;
        if (status != InvoiceStatus.Confirmed && status != InvoiceStatus.Overdue && status != InvoiceStatus.Defaulted) {
            revert InvoiceWrongStatus(fingerprint, status);
        }
        uint64 total = record.amount;
        uint64 totalRepaid = record.repaid;
        // Cannot underflow or overflow: repaid never exceeds the amount, checked just below.
        unchecked {
            uint64 owed = total - totalRepaid;
            if (amount == 0 || amount > owed) revert SettlementInvalidAmount(amount, owed);
            totalRepaid += amount;
        }
        record.repaid = totalRepaid;
        if (totalRepaid == total) record.status = InvoiceStatus.Repaid;
        emit ObligationRepaid(fingerprint, amount, totalRepaid);
        _receiveTokens(_currency(record.currency), msg.sender, amount);
    }

    /// @inheritdoc ISettlement
    function claim(bytes32 fingerprint, uint16 index) external whenNotPaused nonReentrant returns (uint64 amount) {
        PiecePacking.StoredPiece memory held = _heldPiece(fingerprint, index, _participantId(msg.sender));
        Invoice storage record = _invoice(fingerprint);
        bool final_;
        (amount, final_) = _entitlement(record, held, fingerprint, index);
        // slither-disable-next-line incorrect-equality (an entitlement computed from our own books)
        if (amount == 0) revert SettlementNothingToClaim(fingerprint, index);

        uint8 flags = held.flags;
        if (final_) {
            held.flags = flags | SETTLED;
        } else {
            _claimed[fingerprint][index] += amount;
            held.flags = flags | PARTLY_CLAIMED;
        }
        _savePiece(fingerprint, index, held);
        // A written-off piece released its exposure already; what it collects now is recovery.
        // slither-disable-next-line incorrect-equality (bit flags, not a balance)
        if (flags & (FINANCED | WRITTEN_OFF) == FINANCED) {
            _releaseExposure(msg.sender, record.buyerId, record.currency, amount);
        }
        emit PieceClaimed(fingerprint, index, msg.sender, amount);
        _sendTokens(_currency(record.currency), msg.sender, amount);
    }

    /// @inheritdoc ISettlement
    function markOverdue(bytes32 fingerprint) external whenNotPaused {
        Invoice storage record = _invoice(fingerprint);
        if (record.status != InvoiceStatus.Confirmed) revert InvoiceWrongStatus(fingerprint, record.status);
        (uint256 gracePeriod,) = _periodsOf(record.periodsVersion);
        uint256 overdueAt = record.dueDate + gracePeriod;
        if (block.timestamp < overdueAt) revert SettlementTooEarly(fingerprint, overdueAt);
        record.status = InvoiceStatus.Overdue;
        emit ObligationOverdue(fingerprint, record.amount - record.repaid);
    }

    /// @inheritdoc ISettlement
    function markDefaulted(bytes32 fingerprint) external whenNotPaused {
        Invoice storage record = _invoice(fingerprint);
        if (record.status != InvoiceStatus.Overdue) revert InvoiceWrongStatus(fingerprint, record.status);
        (uint256 gracePeriod, uint256 defaultPeriod) = _periodsOf(record.periodsVersion);
        uint256 defaultAt = record.dueDate + gracePeriod + defaultPeriod;
        if (block.timestamp < defaultAt) revert SettlementTooEarly(fingerprint, defaultAt);
        record.status = InvoiceStatus.Defaulted;
        emit RecourseRecorded(fingerprint, _accountOf(record.sellerId), record.amount - record.repaid);
    }

    /// @inheritdoc ISettlement
    function writeOff(bytes32 fingerprint, uint16 index) external whenNotPaused {
        // No role or KYC check, as for defunding: the lender only releases its own book.
        PiecePacking.StoredPiece memory held = _heldPiece(fingerprint, index, _participantId(msg.sender));
        Invoice storage record = _invoice(fingerprint);
        uint8 flags = held.flags;
        if (
            // slither-disable-next-line incorrect-equality (bit flags and a status, not a balance)
            record.status != InvoiceStatus.Defaulted || flags & FINANCED == 0 || flags & (SETTLED | WRITTEN_OFF) != 0
        ) revert SettlementCannotWriteOff(fingerprint, index);
        uint64 released = held.amount - (flags & PARTLY_CLAIMED != 0 ? _claimed[fingerprint][index] : 0);
        held.flags = flags | WRITTEN_OFF;
        _savePiece(fingerprint, index, held);
        _releaseExposure(msg.sender, record.buyerId, record.currency, released);
        emit PieceWrittenOff(fingerprint, index, msg.sender, released);
    }

    /// @inheritdoc ISettlement
    function obligationPeriods(bytes32 fingerprint) external view returns (uint32 gracePeriod, uint32 defaultPeriod) {
        return _periodsOf(_invoice(fingerprint).periodsVersion);
    }

    /// @inheritdoc ISettlement
    function claimable(bytes32 fingerprint, uint16 index) external view returns (uint64 amount) {
        PiecePacking.StoredPiece memory held = _loadPiece(fingerprint, index);
        (amount,) = _entitlement(_invoice(fingerprint), held, fingerprint, index);
    }

    /// @dev What the piece may collect now, and whether that settles it for good.
    function _entitlement(
        Invoice storage record,
        PiecePacking.StoredPiece memory held,
        bytes32 fingerprint,
        uint16 index
    )
        private
        view
        returns (uint64 amount, bool final_)
    {
        uint8 flags = held.flags;
        if (flags & SETTLED != 0) return (0, false);
        uint64 claimed = flags & PARTLY_CLAIMED != 0 ? _claimed[fingerprint][index] : 0;
        uint64 face = held.amount;
        if (record.repaid == record.amount) return (face - claimed, true);
        uint64 earned = uint64((uint256(face) * record.repaid) / record.amount);
        return (earned - claimed, false);
    }
}
