// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IPlatformConfig} from "./interfaces/IPlatformConfig.sol";
import {Participants} from "./Participants.sol";

/// @title PlatformConfig
/// @notice Owns the settlement currencies, the lifecycle periods, the pause switch and the
///         reentrancy lock, and moves settlement tokens (in platform micro-units) for the modules
///         above it.
/// @dev The pause switch and the reentrancy lock work as OpenZeppelin's Pausable and
///      ReentrancyGuard do, but live in one storage slot with the currency count and periods:
///      every business call reads that slot once (one cold read instead of three), which saves
///      4,200 gas on each token-moving call of the lifecycle.
abstract contract PlatformConfig is IPlatformConfig, Participants {
    using SafeERC20 for IERC20;

    uint8 private constant PLATFORM_DECIMALS = 6;
    uint8 private constant MAX_TOKEN_DECIMALS = 24;
    uint32 private constant MIN_PERIOD = 1 days;
    uint32 private constant MAX_PERIOD = 3650 days;

    /// @dev One version of the lifecycle periods.
    struct Periods {
        uint32 gracePeriod;
        uint32 defaultPeriod;
    }

    mapping(uint8 currency => Currency) private _currencies;
    mapping(address token => uint8 currency) private _currencyOfToken;
    mapping(uint16 version => Periods) private _periodsHistory;
    // One slot, read by every business call (see the contract's @dev).
    bool private _paused;
    bool private _entered;
    uint8 private _currencyCount;
    uint16 private _periodsVersion;

    modifier whenNotPaused() {
        if (_paused) revert ConfigPaused();
        _;
    }

    /// @dev Set before the body and cleared after it, so a token callback cannot re-enter.
    modifier nonReentrant() {
        if (_entered) revert ConfigReentrantCall();
        _entered = true;
        _;
        _entered = false;
    }

    constructor(uint32 gracePeriod, uint32 defaultPeriod) {
        _setPeriods(gracePeriod, defaultPeriod);
    }

    /// @inheritdoc IPlatformConfig
    function addCurrency(address token) external onlyAdmin nonReentrant returns (uint8 id) {
        if (_currencyOfToken[token] != 0) revert ConfigCurrencyExists(token);
        if (_currencyCount == type(uint8).max) revert ConfigTooManyCurrencies();
        uint8 decimals = IERC20Metadata(token).decimals();
        if (decimals < PLATFORM_DECIMALS || decimals > MAX_TOKEN_DECIMALS) {
            revert ConfigUnsupportedDecimals(token, decimals);
        }
        _requireExactTransfers(IERC20(token), 10 ** decimals);
        id = ++_currencyCount;
        _currencies[id] = Currency({token: token, scale: uint64(10 ** (decimals - PLATFORM_DECIMALS))});
        _currencyOfToken[token] = id;
        emit CurrencyAdded(id, token, decimals, msg.sender);
    }

    /// @inheritdoc IPlatformConfig
    function setPeriods(uint32 gracePeriod, uint32 defaultPeriod) external onlyAdmin {
        _setPeriods(gracePeriod, defaultPeriod);
    }

    /// @inheritdoc IPlatformConfig
    function pause() external onlyAdmin whenNotPaused {
        _paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IPlatformConfig
    function unpause() external onlyAdmin {
        if (!_paused) revert ConfigNotPaused();
        _paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IPlatformConfig
    function paused() external view returns (bool) {
        return _paused;
    }

    /// @inheritdoc IPlatformConfig
    function currency(uint8 id) external view returns (Currency memory) {
        return _currencies[id];
    }

    /// @inheritdoc IPlatformConfig
    function periods() external view returns (uint32 gracePeriod, uint32 defaultPeriod) {
        return _periodsOf(_periodsVersion);
    }

    /// @inheritdoc IPlatformConfig
    function periodsAt(uint16 version) external view returns (uint32 gracePeriod, uint32 defaultPeriod) {
        return _periodsOf(version);
    }

    /// @dev Loads a currency and reverts when it is not registered.
    function _currency(uint8 id) internal view returns (Currency memory settlement) {
        settlement = _currencies[id];
        if (settlement.token == address(0)) revert ConfigUnknownCurrency(id);
    }

    /// @dev Reverts unless `id` is a registered currency; costs no extra storage read.
    function _requireCurrencyExists(uint8 id) internal view {
        if (id == 0 || id > _currencyCount) revert ConfigUnknownCurrency(id);
    }

    /// @dev Pays `amount` micro-units of `settlement` from this contract to `to`.
    function _sendTokens(Currency memory settlement, address to, uint64 amount) internal {
        IERC20(settlement.token).safeTransfer(to, uint256(amount) * settlement.scale);
    }

    /// @dev Pulls `amount` micro-units of `settlement` from `from` (which approved this contract).
    function _receiveTokens(Currency memory settlement, address from, uint64 amount) internal {
        IERC20(settlement.token).safeTransferFrom(from, address(this), uint256(amount) * settlement.scale);
    }

    /// @dev The version of the periods that obligations confirmed now get; read from the slot
    ///      every business call has already loaded.
    function _currentPeriodsVersion() internal view returns (uint16) {
        return _periodsVersion;
    }

    /// @dev The periods of `version` (zero for a version never set).
    function _periodsOf(uint16 version) internal view returns (uint32 gracePeriod, uint32 defaultPeriod) {
        Periods memory stored = _periodsHistory[version];
        return (stored.gracePeriod, stored.defaultPeriod);
    }

    /// @dev Adds a version: earlier versions stay as they were, for the obligations they apply to.
    function _setPeriods(uint32 gracePeriod, uint32 defaultPeriod) private {
        if (gracePeriod < MIN_PERIOD || gracePeriod > MAX_PERIOD || defaultPeriod < MIN_PERIOD || defaultPeriod > MAX_PERIOD) {
            revert ConfigInvalidPeriods(gracePeriod, defaultPeriod);
        }
        uint16 version = _periodsVersion;
        if (version == type(uint16).max) revert ConfigTooManyPeriodChanges();
        _periodsVersion = ++version;
        _periodsHistory[version] = Periods(gracePeriod, defaultPeriod);
        emit PeriodsChanged(gracePeriod, defaultPeriod, msg.sender, version);
    }

    /// @dev Pulls `probe` token units from the admin and sends them back, and reverts unless each
    ///      leg moved exactly `probe`: the contract books amounts asked for, so it can only hold
    ///      tokens whose transfers are exact (see addCurrency).
    function _requireExactTransfers(IERC20 token, uint256 probe) private {
        uint256 held = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), probe);
        uint256 heldAfterPull = token.balanceOf(address(this));
        if (heldAfterPull != held + probe) revert ConfigInexactToken(address(token), held + probe, heldAfterPull);
        uint256 adminHeld = token.balanceOf(msg.sender);
        token.safeTransfer(msg.sender, probe);
        uint256 adminHeldAfter = token.balanceOf(msg.sender);
        if (adminHeldAfter != adminHeld + probe || token.balanceOf(address(this)) != held) {
            revert ConfigInexactToken(address(token), adminHeld + probe, adminHeldAfter);
        }
    }
}
