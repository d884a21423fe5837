// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice A hostile settlement token that calls back into its target during every transfer,
///         to prove the platform's token-moving functions are not reentrant.
contract ReentrantToken is ERC20 {
    address private _target;
    bytes private _reentry;

    constructor() ERC20("Hostile", "HOST") {}

    /// @notice Mints freely: this token exists only to attack.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the attack: each later transfer first calls `target` with `reentry`.
    function arm(address target, bytes calldata reentry) external {
        _target = target;
        _reentry = reentry;
    }

    /// @notice 6 decimals, like the stablecoins it imitates.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (_target != address(0)) {
            (bool ok, bytes memory reason) = _target.call(_reentry);
            if (!ok) {
                assembly {
                    revert(add(reason, 32), mload(reason))
                }
            }
        }
        super._update(from, to, value);
    }
}
