// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

/// @title MockAggregatorProxyFeed
/// @notice Test-only stand-in for Chainlink's EACAggregatorProxy: MockV3Aggregator's rounds and setters, plus
///         `aggregator()`, the address of the aggregator currently behind the proxy (a MockOCRAggregator, a contract
///         without bounds, or any address), which can be switched to revert.
contract MockAggregatorProxyFeed is MockV3Aggregator {
    error AggregatorUnavailable();

    address private _aggregator;
    /// @notice Whether `aggregator()` reverts.
    bool public aggregatorReverts;

    constructor(uint8 decimals_, int256 initialAnswer, address aggregator_) MockV3Aggregator(decimals_, initialAnswer) {
        _aggregator = aggregator_;
    }

    /// @notice The aggregator behind the proxy.
    function aggregator() external view returns (address) {
        if (aggregatorReverts) revert AggregatorUnavailable();
        return _aggregator;
    }

    /// @notice Points the proxy at another aggregator (Chainlink's phase change).
    function setAggregator(address aggregator_) external {
        _aggregator = aggregator_;
    }

    /// @notice Makes `aggregator()` revert (true) or answer (false).
    function setAggregatorReverts(bool value) external {
        aggregatorReverts = value;
    }
}
