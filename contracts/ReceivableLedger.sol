// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInvoices} from "./interfaces/IInvoices.sol";
import {IReceivables} from "./interfaces/IReceivables.sol";
import {PiecePacking} from "./libraries/PiecePacking.sol";
import {PlatformConfig} from "./PlatformConfig.sol";

/// @title ReceivableLedger
/// @notice Owns the storage of invoices and their pieces, and the checked accessors the modules
///         above it (registration, splitting, financing, settlement) go through.
abstract contract ReceivableLedger is IInvoices, IReceivables, PlatformConfig {
    using PiecePacking for uint256;

    uint8 internal constant FINANCED = 1;
    uint8 internal constant SETTLED = 2;
    uint8 internal constant PARTLY_CLAIMED = 4;
    uint8 internal constant RESERVE = 8; // the unfinanced rest of a financed piece
    uint8 internal constant WRITTEN_OFF = 16; // a financed piece its lender wrote off

    mapping(bytes32 fingerprint => Invoice) private _invoices;
    // The reverse index (document -> invoice) both records an invoice's document and refuses a
    // document that already backs another invoice, in the one slot per invoice the record needs.
    mapping(bytes32 documentHash => bytes32 fingerprint) private _invoiceOfDocument;
    mapping(bytes32 fingerprint => mapping(uint16 word => uint256)) private _pieceWords;

    /// @inheritdoc IInvoices
    function invoice(bytes32 fingerprint) external view returns (Invoice memory) {
        return _invoices[fingerprint];
    }

    /// @inheritdoc IInvoices
    function invoiceOfDocument(bytes32 documentHash) external view returns (bytes32 fingerprint) {
        return _invoiceOfDocument[documentHash];
    }

    /// @inheritdoc IReceivables
    function piece(bytes32 fingerprint, uint16 index) external view returns (Piece memory) {
        PiecePacking.StoredPiece memory stored = _pieceWords[fingerprint][PiecePacking.wordOf(index)].unpack(index);
        return Piece({
            holder: _accountOf(stored.holderId),
            amount: stored.amount,
            parent: stored.parent,
            flags: stored.flags
        });
    }

    /// @dev Stores a new invoice, the document that backs it, and piece 0 (the whole amount) for
    ///      the seller. A fingerprint, like a document, is used once, ever.
    function _storeInvoice(bytes32 fingerprint, Invoice memory record, bytes32 documentHash) internal {
        if (_invoices[fingerprint].status != InvoiceStatus.None) revert InvoiceAlreadyRegistered(fingerprint);
        bytes32 backed = _invoiceOfDocument[documentHash];
        if (backed != bytes32(0)) revert InvoiceDocumentAlreadyUsed(documentHash, backed);
        record.pieceCount = 1;
        _invoices[fingerprint] = record;
        _invoiceOfDocument[documentHash] = fingerprint;
        _pieceWords[fingerprint][0] = uint256(0).pack(
            0, PiecePacking.StoredPiece({holderId: record.sellerId, amount: record.amount, parent: 0, flags: 0})
        );
    }

    /// @dev Appends a piece to an obligation; its amount must already be taken from another piece.
    ///      Counts it in `record`, which the caller saves.
    function _addPiece(Invoice storage record, bytes32 fingerprint, PiecePacking.StoredPiece memory added)
        internal
        returns (uint16 index)
    {
        index = record.pieceCount;
        if (index == type(uint16).max) revert PieceLimitReached(fingerprint);
        record.pieceCount = index + 1;
        _savePiece(fingerprint, index, added);
    }

    /// @dev Writes a piece back into its word.
    function _savePiece(bytes32 fingerprint, uint16 index, PiecePacking.StoredPiece memory stored) internal {
        mapping(uint16 => uint256) storage words = _pieceWords[fingerprint];
        uint16 word = PiecePacking.wordOf(index);
        words[word] = words[word].pack(index, stored);
    }

    /// @dev The piece, or a revert when it does not exist.
    function _loadPiece(bytes32 fingerprint, uint16 index) internal view returns (PiecePacking.StoredPiece memory stored) {
        stored = _pieceWords[fingerprint][PiecePacking.wordOf(index)].unpack(index);
        // slither-disable-next-line incorrect-equality (an id in our own storage: 0 means no piece)
        if (stored.holderId == 0) revert PieceUnknown(fingerprint, index);
    }

    /// @dev The piece, or a revert unless it exists and participant `callerId` (the caller) holds it.
    function _heldPiece(bytes32 fingerprint, uint16 index, uint32 callerId)
        internal
        view
        returns (PiecePacking.StoredPiece memory held)
    {
        held = _loadPiece(fingerprint, index);
        if (held.holderId != callerId) revert PieceNotHolder(fingerprint, index, msg.sender);
    }

    /// @dev The invoice, or a revert when it is unknown.
    function _invoice(bytes32 fingerprint) internal view returns (Invoice storage record) {
        record = _invoices[fingerprint];
        if (record.status == InvoiceStatus.None) revert InvoiceUnknown(fingerprint);
    }

    /// @dev The invoice, or a revert unless `caller` is its buyer (a core firm with current KYC).
    function _invoiceOfBuyer(bytes32 fingerprint, address caller) internal view returns (Invoice storage record) {
        Participant memory buyer = _requireCurrent(caller, Role.CoreFirm);
        record = _invoice(fingerprint);
        if (record.buyerId != buyer.id) revert InvoiceNotBuyer(fingerprint, caller);
    }
}
