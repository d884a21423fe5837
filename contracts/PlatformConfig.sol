// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IPlatformConfig} from "./interfaces/IPlatformConfig.sol";
import {Participants} from "./Participants.sol";

/// @title PlatformConfig
/// @notice Owns the settlement currencies, the lifecycle periods and the pause switch, and moves
///         settlement tokens (in platform micro-units) for the modules above it.
abstract contract PlatformConfig is IPlatformConfig, Participants, Pausable {
    using SafeERC20 for IERC20;

    uint8 private constant PLATFORM_DECIMALS = 6;
    uint8 private constant MAX_TOKEN_DECIMALS = 24;
    uint32 private constant MIN_PERIOD = 1 days;
    uint32 private constant MAX_PERIOD = 3650 days;

    mapping(uint8 currency => Currency) private _currencies;
    mapping(address token => uint8 currency) private _currencyOfToken;
    // Packed in one slot with the currency count: read together by the lifecycle sweeps.
    uint8 private _currencyCount;
    uint32 private _gracePeriod;
    uint32 private _defaultPeriod;

    constructor(uint32 gracePeriod, uint32 defaultPeriod) {
        _setPeriods(gracePeriod, defaultPeriod);
    }

    /// @inheritdoc IPlatformConfig
    function addCurrency(address token) external onlyAdmin returns (uint8 id) {
        if (_currencyOfToken[token] != 0) revert ConfigCurrencyExists(token);
        if (_currencyCount == type(uint8).max) revert ConfigTooManyCurrencies();
        uint8 decimals = IERC20Metadata(token).decimals();
        if (decimals < PLATFORM_DECIMALS || decimals > MAX_TOKEN_DECIMALS) {
            revert ConfigUnsupportedDecimals(token, decimals);
        }
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
    function pause() external onlyAdmin {
        _pause();
    }

    /// @inheritdoc IPlatformConfig
    function unpause() external onlyAdmin {
        _unpause();
    }

    /// @inheritdoc IPlatformConfig
    function currency(uint8 id) external view returns (Currency memory) {
        return _currencies[id];
    }

    /// @inheritdoc IPlatformConfig
    function periods() external view returns (uint32 gracePeriod, uint32 defaultPeriod) {
        return (_gracePeriod, _defaultPeriod);
    }

    /// @dev Loads a currency and reverts when it is not registered.
    function _currency(uint8 id) internal view returns (Currency memory settlement) {
        settlement = _currencies[id];
        if (settlement.token == address(0)) revert ConfigUnknownCurrency(id);
    }

    /// @dev Pays `amount` micro-units of `settlement` from this contract to `to`.
    function _sendTokens(Currency memory settlement, address to, uint64 amount) internal {
        IERC20(settlement.token).safeTransfer(to, uint256(amount) * settlement.scale);
    }

    /// @dev Pulls `amount` micro-units of `settlement` from `from` (which approved this contract).
    function _receiveTokens(Currency memory settlement, address from, uint64 amount) internal {
        IERC20(settlement.token).safeTransferFrom(from, address(this), uint256(amount) * settlement.scale);
    }

    function _periods() internal view returns (uint256 gracePeriod, uint256 defaultPeriod) {
        return (_gracePeriod, _defaultPeriod);
    }

    function _setPeriods(uint32 gracePeriod, uint32 defaultPeriod) private {
        if (gracePeriod < MIN_PERIOD || gracePeriod > MAX_PERIOD || defaultPeriod < MIN_PERIOD || defaultPeriod > MAX_PERIOD) {
            revert ConfigInvalidPeriods(gracePeriod, defaultPeriod);
        }
        _gracePeriod = gracePeriod;
        _defaultPeriod = defaultPeriod;
        emit PeriodsChanged(gracePeriod, defaultPeriod, msg.sender);
    }
}
