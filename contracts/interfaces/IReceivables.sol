// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Splittable receivables
/// @notice A confirmed invoice is one obligation divided into pieces. Piece 0 is the whole amount,
///         held by the seller. A holder splits a piece to pay its own supplier; each new piece
///         records its parent, so the tiers of the supply chain stay traceable, and the pieces of
///         an obligation always sum to its amount.
/// @dev A piece is addressed by (fingerprint, index); two pieces share one storage word (see
///      PiecePacking). This is the ERC-3525 idea (slot = obligation, value = amount) without the
///      reference implementation's enumeration and approval storage, which would cost several
///      times the gas of a split.
interface IReceivables {
    /// @notice A piece of an obligation. Flags: 1 financed, 2 settled, 4 partly claimed, 8 reserve
    ///         (the holder's unfinanced rest of a financed piece: held to maturity, never refinanced),
    ///         16 written off (a financed piece of a defaulted obligation its lender wrote off).
    struct Piece {
        address holder;
        uint64 amount;
        uint16 parent;
        uint8 flags;
    }

    /// @notice A holder split `amount` off piece `parent` into a new piece held by `to`.
    event PieceSplit(
        bytes32 indexed fingerprint, uint16 indexed parent, uint16 piece, address indexed to, uint64 amount
    );

    /// @notice A whole piece changed hands.
    event PieceTransferred(bytes32 indexed fingerprint, uint16 piece, address indexed from, address indexed to);

    /// @notice The piece does not exist.
    error PieceUnknown(bytes32 fingerprint, uint16 piece);
    /// @notice Only the piece's holder may do this.
    error PieceNotHolder(bytes32 fingerprint, uint16 piece, address caller);
    /// @notice A split must leave both pieces above zero.
    error PieceInvalidAmount(uint64 amount, uint64 available);
    /// @notice Financed, settled or partly claimed pieces cannot be split or transferred.
    error PieceLocked(bytes32 fingerprint, uint16 piece, uint8 flags);
    /// @notice Receivables go to suppliers with current KYC, other than the sender.
    error PieceInvalidRecipient(address to);
    /// @notice An obligation has at most 65,535 pieces.
    error PieceLimitReached(bytes32 fingerprint);
    /// @notice A split must leave both pieces at or above the obligation's minimum piece,
    ///         1/16,384 of its amount (rounded up), so no holder can exhaust its piece limit.
    error PieceBelowMinimum(uint64 amount, uint64 minimum);

    /// @notice Splits `amount` off a piece the caller holds, into a new piece for `to`.
    /// @return index The new piece's index.
    function splitPiece(bytes32 fingerprint, uint16 parent, address to, uint64 amount) external returns (uint16 index);

    /// @notice Transfers a whole piece the caller holds to `to`.
    function transferPiece(bytes32 fingerprint, uint16 index, address to) external;

    /// @notice A piece of an obligation (holder zero when unknown).
    function piece(bytes32 fingerprint, uint16 index) external view returns (Piece memory);
}
