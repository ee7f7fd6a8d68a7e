// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IOracleAdapter
/// @notice A validated, WAD-normalised view of one Chainlink price feed.
interface IOracleAdapter {
    /// @notice The feed's answer was zero or negative.
    error InvalidPrice(int256 answer);
    /// @notice The feed's answer is at or beyond the aggregator's circuit-breaker bound: Chainlink's OCR aggregators
    ///         report `minAnswer` / `maxAnswer` in place of a median beyond them, so the answer is not the price.
    /// @param answer The feed's answer.
    /// @param minAnswer The aggregator's lower bound (answers at or below it are refused).
    /// @param maxAnswer The aggregator's upper bound (answers at or above it are refused).
    error PriceAtCircuitBreaker(int256 answer, int256 minAnswer, int256 maxAnswer);
    /// @notice The feed's answer is older than the heartbeat plus the staleness buffer allows.
    /// @param updatedAt Unix time of the feed's latest round.
    /// @param maxAge The oldest accepted age in seconds: `maxStaleness()`.
    error StalePrice(uint256 updatedAt, uint256 maxAge);
    /// @notice The feed reports an update time in the future.
    error FuturePrice(uint256 updatedAt, uint256 blockTimestamp);
    /// @notice The call to the feed reverted or returned malformed data.
    error FeedUnavailable(address feed);
    /// @notice The L2 sequencer is reported down.
    error SequencerDown();
    /// @notice The L2 sequencer came back up less than the grace period ago.
    error SequencerGracePeriodNotOver(uint256 upSince, uint256 gracePeriod);
    /// @notice A constructor argument is out of range.
    error InvalidOracleConfig();

    /// @notice The latest price, validated.
    /// @return priceWad USD per unit of the base asset, scaled by WAD (1e18).
    /// @return updatedAt Unix time (seconds) of the feed round that produced the price.
    function latestPrice() external view returns (uint256 priceWad, uint256 updatedAt);

    /// @notice The latest validated price, scaled by WAD.
    function price() external view returns (uint256 priceWad);

    /// @notice The feed's latest answer checked like `latestPrice` in every way but its age: for settling a position
    ///         after the feed has stopped (a venue closing at the last valid price). Reverts as `latestPrice` does
    ///         for anything but staleness.
    /// @return priceWad USD per unit of the base asset, scaled by WAD (1e18).
    /// @return updatedAt Unix time (seconds) of the feed round that produced it; may be older than `maxStaleness()`.
    function lastValidPrice() external view returns (uint256 priceWad, uint256 updatedAt);

    /// @notice The underlying Chainlink feed (the proxy, for a live feed).
    function feed() external view returns (address);

    /// @notice The feed's published heartbeat in seconds: the longest it stays without a new round when the price
    ///         does not cross its deviation threshold.
    function heartbeat() external view returns (uint256);

    /// @notice Seconds past the heartbeat for which an answer is still accepted: the time a heartbeat round, started
    ///         at the deadline, takes to be agreed, transmitted and mined.
    function stalenessBuffer() external view returns (uint256);

    /// @notice The oldest accepted answer in seconds: `heartbeat() + stalenessBuffer()`. An older answer reverts
    ///         `StalePrice`.
    function maxStaleness() external view returns (uint256);
}
