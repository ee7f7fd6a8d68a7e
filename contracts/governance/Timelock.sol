// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Governance is OpenZeppelin's TimelockController, deployed unmodified by deploy/05_governance.ts (deployment name
// `Timelock`): it owns the Rebalancer, the factory and every product. Importing it here makes Hardhat compile it and
// write the artifact the deploy scripts and tests use.
// solhint-disable-next-line no-unused-import
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
