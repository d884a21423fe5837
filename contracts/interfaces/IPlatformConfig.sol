// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Platform configuration
/// @notice Settlement currencies and the time rules of the receivable lifecycle, set by admins.
/// @dev Every amount in the platform is in micro-units of its currency (six decimals), whatever
///      the token's own decimals: one invoice of 1,234.56 EUR is 1_234_560_000. That keeps
///      amounts in 64 bits and lets an invoice and a piece each fit one storage slot.
interface IPlatformConfig {
    /// @notice A settlement token and the factor from platform micro-units to token units.
    struct Currency {
        address token;
        uint64 scale; // 10 ** (token decimals - 6)
    }

    /// @notice An admin added a settlement currency.
    event CurrencyAdded(uint8 indexed currency, address indexed token, uint8 decimals, address indexed admin);

    /// @notice An admin changed the lifecycle periods. They apply to obligations confirmed from now
    ///         on, as periods `version`; open obligations keep the periods they were confirmed with.
    event PeriodsChanged(uint32 gracePeriod, uint32 defaultPeriod, address indexed admin, uint16 version);

    /// @notice An admin paused the platform.
    event Paused(address indexed account);

    /// @notice An admin lifted the pause.
    event Unpaused(address indexed account);

    /// @notice The platform is paused.
    error ConfigPaused();
    /// @notice The platform is not paused.
    error ConfigNotPaused();
    /// @notice A token-moving call was entered again before it finished.
    error ConfigReentrantCall();
    /// @notice The currency id is not registered.
    error ConfigUnknownCurrency(uint8 currency);
    /// @notice The token is already a settlement currency.
    error ConfigCurrencyExists(address token);
    /// @notice Tokens need between 6 and 24 decimals.
    error ConfigUnsupportedDecimals(address token, uint8 decimals);
    /// @notice At most 255 currencies fit the one-byte currency id.
    error ConfigTooManyCurrencies();
    /// @notice Periods must be at least one day and at most ten years.
    error ConfigInvalidPeriods(uint32 gracePeriod, uint32 defaultPeriod);
    /// @notice The periods were changed 65,535 times: no version is left.
    error ConfigTooManyPeriodChanges();
    /// @notice The token's test transfer did not move exactly the amount asked for: a
    ///         fee-on-transfer, rebasing or otherwise inexact token would break conservation.
    error ConfigInexactToken(address token, uint256 expected, uint256 moved);

    /// @notice Adds an ERC-20 settlement token. Admin only.
    /// @dev Only tokens whose transfers move exactly the amount asked for qualify (USDC, EURC,
    ///      DAI, USDT while its fee is zero): the contract books amounts, not balance deltas. To
    ///      prove it, the call pulls one whole token from the admin (which must hold and approve
    ///      it), checks the contract received exactly that, sends it back and checks again.
    ///      Fee-on-transfer and rebasing tokens (stETH, aTokens, AMPL) are refused.
    /// @return id The new currency id (1, 2, ...).
    function addCurrency(address token) external returns (uint8 id);

    /// @notice Sets the grace period after the due date before a receivable is overdue, and the
    ///         period after that before it is defaulted. Admin only.
    function setPeriods(uint32 gracePeriod, uint32 defaultPeriod) external;

    /// @notice Pauses every business function. Admin only.
    function pause() external;

    /// @notice Lifts a pause. Admin only.
    function unpause() external;

    /// @notice Whether the platform is paused.
    function paused() external view returns (bool);

    /// @notice The settlement token and scale of `currency`.
    function currency(uint8 id) external view returns (Currency memory);

    /// @notice The grace and default periods, in seconds, that obligations confirmed now get.
    function periods() external view returns (uint32 gracePeriod, uint32 defaultPeriod);

    /// @notice The grace and default periods of version `version` (1 is the deployment's).
    function periodsAt(uint16 version) external view returns (uint32 gracePeriod, uint32 defaultPeriod);
}
