// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IReceivables} from "./interfaces/IReceivables.sol";
import {PiecePacking} from "./libraries/PiecePacking.sol";
import {Invoices} from "./Invoices.sol";

/// @title Receivables
/// @notice Holders split and transfer pieces of confirmed obligations down the supply chain.
abstract contract Receivables is Invoices {
    /// @inheritdoc IReceivables
    function splitPiece(bytes32 fingerprint, uint16 parent, address to, uint64 amount)
        external
        whenNotPaused
        returns (uint16 index)
    {
        (Invoice storage record, PiecePacking.StoredPiece memory source, uint32 recipientId) =
            _movablePiece(fingerprint, parent, to);
        if (amount == 0 || amount >= source.amount) revert PieceInvalidAmount(amount, source.amount);
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
