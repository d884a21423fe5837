// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Pricing
/// @notice The maths of a financing offer: tenor in days, advance, and discount.
/// @dev Every result rounds down, in the holder's disfavour by at most one micro-unit, so the
///      contract never pays out more than it can account for. The reference model in
///      tests/contracts/unit/pricing_model.py mirrors these functions.
library Pricing {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant DAYS_PER_YEAR = 365;
    uint8 internal constant BEST_RATING = 10;

    /// @notice Whole days from `nowTs` to `dueDate`, a started day counting as a full one.
    function tenorDays(uint256 dueDate, uint256 nowTs) internal pure returns (uint256) {
        return (dueDate - nowTs + 1 days - 1) / 1 days;
    }

    /// @notice The face value financed: `face` x `advanceRateBps`.
    function advance(uint64 face, uint16 advanceRateBps) internal pure returns (uint64) {
        return uint64((uint256(face) * advanceRateBps) / BPS);
    }

    /// @notice The yearly rate for a supplier rating: base rate plus a spread per notch below best.
    function yearlyRateBps(uint16 baseRateBps, uint8 ratingSpreadBps, uint8 rating) internal pure returns (uint256) {
        return baseRateBps + uint256(ratingSpreadBps) * (BEST_RATING - rating);
    }

    /// @notice The discount on `advanced` at `rateBps` a year over `tenor` days.
    function discount(uint64 advanced, uint256 rateBps, uint256 tenor) internal pure returns (uint64) {
        return uint64((uint256(advanced) * rateBps * tenor) / (BPS * DAYS_PER_YEAR));
    }
}
