// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Participants} from "./Participants.sol";
import {PlatformConfig} from "./PlatformConfig.sol";
import {Settlement} from "./Settlement.sol";

/// @title SupplyChainFinance
/// @notice The deployed platform contract: participants, invoices, splittable receivables, credit
///         programmes and settlement, assembled from one module per concern.
/// @dev Immutable by design (no proxy): see the README's upgrade section for the migration path.
contract SupplyChainFinance is Settlement {
    /// @param operatorOrgHash Salted hash of the operating organisation; the deployer becomes its admin.
    /// @param gracePeriod Seconds after the due date before an unpaid obligation is overdue.
    /// @param defaultPeriod Seconds after that before it is defaulted.
    constructor(bytes32 operatorOrgHash, uint32 gracePeriod, uint32 defaultPeriod)
        Participants(msg.sender, operatorOrgHash)
        PlatformConfig(gracePeriod, defaultPeriod)
    {}
}
