// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Repayment and claims
/// @notice The core firm repays an obligation, in full or in parts, at or before maturity (or
///         late). Each holder then pulls its pro-rata share of what was repaid; nothing loops over
///         holders. Unpaid obligations become overdue after the grace period and defaulted after
///         the default period, recording recourse to the seller.
interface ISettlement {
    /// @notice The obligation's buyer (only it may repay) paid `amount`; `totalRepaid` is the running total.
    event ObligationRepaid(bytes32 indexed fingerprint, uint64 amount, uint64 totalRepaid);

    /// @notice A holder collected its share of the repayments.
    event PieceClaimed(bytes32 indexed fingerprint, uint16 indexed piece, address indexed holder, uint64 amount);

    /// @notice The obligation passed its grace period unpaid.
    event ObligationOverdue(bytes32 indexed fingerprint, uint64 unpaid);

    /// @notice The obligation defaulted; holders have recourse to the seller for `unpaid`.
    event RecourseRecorded(bytes32 indexed fingerprint, address indexed seller, uint64 unpaid);

    /// @notice The lender wrote off a financed piece of a defaulted obligation: `released` (the
    ///         face value it had not yet collected) leaves its programme's exposure. Any later
    ///         repayment stays claimable by the piece.
    event PieceWrittenOff(bytes32 indexed fingerprint, uint16 indexed piece, address indexed lender, uint64 released);

    /// @notice The repayment must be above zero and within the amount still owed.
    error SettlementInvalidAmount(uint64 amount, uint64 owed);
    /// @notice Only the lender holding a financed, unsettled piece of a defaulted obligation may
    ///         write it off, once.
    error SettlementCannotWriteOff(bytes32 fingerprint, uint16 piece);
    /// @notice There is nothing to claim on this piece yet.
    error SettlementNothingToClaim(bytes32 fingerprint, uint16 piece);
    /// @notice It is too early: the obligation may change state at `notBefore`.
    error SettlementTooEarly(bytes32 fingerprint, uint256 notBefore);

    /// @notice Repays part or all of an obligation. Only its buyer; needs an ERC-20 allowance.
    function repay(bytes32 fingerprint, uint64 amount) external;

    /// @notice Pays the caller, the holder of `piece`, its share of the repayments received so
    ///         far. KYC gates new business, not money already owed: a lapsed review never blocks
    ///         a claim.
    /// @return amount Micro-units paid.
    function claim(bytes32 fingerprint, uint16 piece) external returns (uint64 amount);

    /// @notice Marks an obligation overdue once its grace period has passed. Anyone may call.
    function markOverdue(bytes32 fingerprint) external;

    /// @notice Marks an overdue obligation defaulted once its default period has passed and
    ///         records recourse to the seller. Anyone may call.
    function markDefaulted(bytes32 fingerprint) external;

    /// @notice Writes off a financed piece the caller holds on a defaulted obligation, releasing
    ///         its uncollected face value from the programme's exposure (so the limit can be cut
    ///         and the programme closed). The piece keeps its claim on later repayments.
    function writeOff(bytes32 fingerprint, uint16 piece) external;

    /// @notice The grace and default periods that apply to obligation `fingerprint` (those in
    ///         force when it was confirmed; zero while it is not).
    function obligationPeriods(bytes32 fingerprint) external view returns (uint32 gracePeriod, uint32 defaultPeriod);

    /// @notice Micro-units the holder of `piece` could claim now.
    function claimable(bytes32 fingerprint, uint16 piece) external view returns (uint64);
}
