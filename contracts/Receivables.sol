// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IReceivables} from "./interfaces/IReceivables.sol";
import {PiecePacking} from "./libraries/PiecePacking.sol";
import {Invoices} from "./Invoices.sol";

/// @title Receivables
/// @notice Holders split and transfer pieces of confirmed obligations down the supply chain.
abstract contract Receivables is Invoices {
    uint64 private constant MIN_PIECE_DIVISOR = 16_384;

    /// @inheritdoc IReceivables
    function splitPiece(bytes32 fingerprint, uint16 parent, address to, uint64 amount)
        external
        whenNotPaused
        returns (uint16 index)
    {
        (Invoice storage record, PiecePacking.StoredPiece memory source, uint32 recipientId) =
            _movablePiece(fingerprint, parent, to);
        if (amount == 0 || amount >= source.amount) revert PieceInvalidAmount(amount, source.amount);
        uint64 minimum = _minimumPiece(record.amount);
        if (amount < minimum || source.amount - amount < minimum) revert PieceBelowMinimum(amount, minimum);
        source.amount -= amount;
        _savePiece(fingerprint, parent, source);
        index = _addPiece(
            record, fingerprint, PiecePacking.StoredPiece({holderId: recipientId, amount: amount, parent: parent, flags: 0})
        );
        emit PieceSplit(fingerprint, parent, index, to, amount);
    }

    /// @inheritdoc IReceivables
    function transferPiece(bytes32 fingerprint, uint16 index, address to) external whenNotPaused {
        (, PiecePacking.StoredPiece memory moving, uint32 recipientId) = _movablePiece(fingerprint, index, to);
        moving.holderId = recipientId;
        _savePiece(fingerprint, index, moving);
        emit PieceTransferred(fingerprint, index, msg.sender, to);
    }

    /// @dev The smallest piece a split may leave: 1/16,384 of the obligation, rounded up. It bounds
    ///      an obligation's pieces at 16,384 split ones plus one locked reserve each, below the
    ///      65,535 an index can count, whoever splits, at the price of one division (a limit per
    ///      holder would need a counter written on every split, and Sybil holders defeat it).
    function _minimumPiece(uint64 obligation) private pure returns (uint64) {
        return uint64((uint256(obligation) + MIN_PIECE_DIVISOR - 1) / MIN_PIECE_DIVISOR);
    }

    /// @dev Checks that the caller (a supplier with current KYC) holds an unlocked piece of a
    ///      confirmed obligation and that `to`, another supplier with current KYC, may receive it.
    function _movablePiece(bytes32 fingerprint, uint16 index, address to)
        private
        view
        returns (Invoice storage record, PiecePacking.StoredPiece memory movable, uint32 recipientId)
    {
        Participant memory sender = _requireCurrent(msg.sender, Role.Supplier);
        record = _invoice(fingerprint);
        if (record.status != InvoiceStatus.Confirmed) revert InvoiceWrongStatus(fingerprint, record.status);
        movable = _heldPiece(fingerprint, index, sender.id);
        if (movable.flags != 0) revert PieceLocked(fingerprint, index, movable.flags);
        Participant memory recipient = _participant(to);
        if (to == msg.sender || recipient.role != Role.Supplier || !_isCurrent(recipient)) {
            revert PieceInvalidRecipient(to);
        }
        recipientId = recipient.id;
    }
}
