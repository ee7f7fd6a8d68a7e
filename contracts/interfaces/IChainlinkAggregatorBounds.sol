// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IChainlinkAggregatorBounds
/// @notice The two parts of a live Chainlink feed that ChainlinkOracleAdapter reads beyond `AggregatorV3Interface`:
///         the proxy's current aggregator (EACAggregatorProxy `aggregator()`) and that OCR aggregator's
///         circuit-breaker bounds (OffchainAggregator `minAnswer()` / `maxAnswer()`, int192), at which it clamps its
///         answer. Not among the Chainlink package's v0.8 interfaces, hence declared here.
interface IChainlinkAggregatorBounds {
    /// @notice On a proxy: the aggregator currently behind it (it changes with Chainlink's phase upgrades).
    function aggregator() external view returns (address);

    /// @notice On an OCR aggregator: the lowest answer it reports; a lower median is reported as this value.
    function minAnswer() external view returns (int192);

    /// @notice On an OCR aggregator: the highest answer it reports; a higher median is reported as this value.
    function maxAnswer() external view returns (int192);
}
