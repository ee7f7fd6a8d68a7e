// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Compiles Chainlink's own AutomationForwarder (@chainlink/contracts 1.2.0), unchanged, so that the tests can put it
// between a stand-in registry and the Rebalancer: on the Automation path `performUpkeep`'s msg.sender is this
// forwarder, a contract that cannot move ERC-20s (issue 13.4).
// solhint-disable-next-line no-unused-import
import {AutomationForwarder} from "@chainlink/contracts/src/v0.8/automation/AutomationForwarder.sol";
