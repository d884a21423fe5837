// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A hostile settlement token for tests: every transfer burns a fee, so the receiver gets
///         less than was sent, as fee-on-transfer tokens (and USDT with its fee switched on) do.
contract FeeOnTransferToken is ERC20 {
    uint256 private immutable _feeBps;

    constructor(uint256 feeBps) ERC20("Fee on transfer", "FEE") {
        _feeBps = feeBps;
    }

    /// @notice Mints freely: this token exists only to be refused.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice 6 decimals, like the stablecoins it imitates.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = (value * _feeBps) / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
