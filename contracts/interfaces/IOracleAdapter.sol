// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IOracleAdapter
/// @notice A validated, WAD-normalised view of one Chainlink price feed.
interface IOracleAdapter {
    /// @notice The feed's answer was zero or negative.
    error InvalidPrice(int256 answer);
    /// @notice The feed's answer is older than the heartbeat allows.
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

    /// @notice The underlying Chainlink aggregator.
    function feed() external view returns (address);

    /// @notice Maximum age in seconds of an acceptable answer.
    function heartbeat() external view returns (uint256);
}
