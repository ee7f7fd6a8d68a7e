// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Chainlink's own MockV3Aggregator (updateAnswer / updateRoundData) compiled into this project's artifacts.
// solhint-disable-next-line no-unused-import
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
