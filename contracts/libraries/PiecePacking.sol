// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PiecePacking
/// @notice Two receivable pieces share one storage word. A piece needs 120 bits: holder id (32),
///         amount (64), parent index (16) and flags (8). Piece 2k sits in the low half of word k
///         and piece 2k+1 in the high half, so piece 0 and the first piece split off it cost one
///         storage write together instead of two new slots.
library PiecePacking {
    /// @notice A piece as stored: the holder is a compact participant id.
    struct StoredPiece {
        uint32 holderId;
        uint64 amount;
        uint16 parent;
        uint8 flags;
    }

    uint256 private constant HALF_BITS = 128;
    uint256 private constant HALF_MASK = type(uint128).max;

    /// @notice The word that holds piece `index`.
    function wordOf(uint16 index) internal pure returns (uint16) {
        return index >> 1;
    }

    /// @notice Reads piece `index` out of its word.
    function unpack(uint256 word, uint16 index) internal pure returns (StoredPiece memory piece) {
        uint256 half = (word >> _shift(index)) & HALF_MASK;
        piece.holderId = uint32(half);
        piece.amount = uint64(half >> 32);
        piece.parent = uint16(half >> 96);
        piece.flags = uint8(half >> 112);
    }

    /// @notice Writes piece `index` into its word, leaving the other half untouched.
    function pack(uint256 word, uint16 index, StoredPiece memory piece) internal pure returns (uint256) {
        uint256 half = uint256(piece.holderId) | (uint256(piece.amount) << 32) | (uint256(piece.parent) << 96)
            | (uint256(piece.flags) << 112);
        uint256 shift = _shift(index);
        return (word & ~(HALF_MASK << shift)) | (half << shift);
    }

    function _shift(uint16 index) private pure returns (uint256) {
        return (index & 1) * HALF_BITS;
    }
}
