// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";

/// @title ChainlinkOracleAdapter
/// @notice Reads one Chainlink feed, rejects zero/negative, stale and future answers, optionally gates on an L2
///         sequencer-uptime feed, and normalises the answer to WAD. Every failure is a distinct custom error.
contract ChainlinkOracleAdapter is IOracleAdapter {
    /// @notice The Chainlink aggregator read.
    address public immutable FEED;
    /// @notice Maximum age in seconds of an accepted answer.
    uint256 public immutable HEARTBEAT;
    /// @notice Chainlink L2 sequencer-uptime feed (answer 0 = up, 1 = down); address(0) on L1.
    address public immutable SEQUENCER_UPTIME_FEED;
    /// @notice Seconds the sequencer must have been up before prices are trusted again.
    uint256 public immutable GRACE_PERIOD;
    /// @dev 10 ** (18 - feed decimals): the factor that normalises the answer to WAD.
    uint256 private immutable _SCALE;

    constructor(address feed_, uint256 heartbeat_, address sequencerUptimeFeed, uint256 gracePeriod) {
        if (feed_ == address(0) || heartbeat_ == 0) revert InvalidOracleConfig();
        if (sequencerUptimeFeed == address(0) && gracePeriod != 0) revert InvalidOracleConfig();
        uint8 decimals;
        try AggregatorV3Interface(feed_).decimals() returns (uint8 d) {
            decimals = d;
        } catch {
            revert InvalidOracleConfig();
        }
        if (decimals > 18) revert InvalidOracleConfig();
        FEED = feed_;
        HEARTBEAT = heartbeat_;
        SEQUENCER_UPTIME_FEED = sequencerUptimeFeed;
        GRACE_PERIOD = gracePeriod;
        _SCALE = 10 ** (18 - decimals);
    }

    /// @inheritdoc IOracleAdapter
    function feed() external view override returns (address) {
        return FEED;
    }

    /// @inheritdoc IOracleAdapter
    function heartbeat() external view override returns (uint256) {
        return HEARTBEAT;
    }

    /// @inheritdoc IOracleAdapter
    function price() external view override returns (uint256 priceWad) {
        (priceWad, ) = _latestPrice();
    }

    /// @inheritdoc IOracleAdapter
    function latestPrice() external view override returns (uint256 priceWad, uint256 updatedAt) {
        return _latestPrice();
    }

    function _latestPrice() private view returns (uint256 priceWad, uint256 updatedAt) {
        if (SEQUENCER_UPTIME_FEED != address(0)) _checkSequencer();

        int256 answer;
        try AggregatorV3Interface(FEED).latestRoundData() returns (
            uint80,
            int256 answer_,
            uint256,
            uint256 updatedAt_,
            uint80
        ) {
            answer = answer_;
            updatedAt = updatedAt_;
        } catch {
            revert FeedUnavailable(FEED);
        }

        if (answer <= 0) revert InvalidPrice(answer);
        if (updatedAt > block.timestamp) revert FuturePrice(updatedAt, block.timestamp);
        if (block.timestamp - updatedAt > HEARTBEAT) revert StalePrice(updatedAt, HEARTBEAT);
        // answer > 0 was checked just above, so the cast is exact.
        priceWad = uint256(answer) * _SCALE;
    }

    function _checkSequencer() private view {
        int256 status;
        uint256 startedAt;
        try AggregatorV3Interface(SEQUENCER_UPTIME_FEED).latestRoundData() returns (
            uint80,
            int256 status_,
            uint256 startedAt_,
            uint256,
            uint80
        ) {
            status = status_;
            startedAt = startedAt_;
        } catch {
            revert FeedUnavailable(SEQUENCER_UPTIME_FEED);
        }
        // Chainlink: 0 = up, 1 = down; startedAt = when the current status began (0 before initialisation).
        if (status != 0 || startedAt == 0) revert SequencerDown();
        // A status change reported in the future is treated as "just came up": still inside the grace period.
        if (startedAt > block.timestamp) revert SequencerGracePeriodNotOver(startedAt, GRACE_PERIOD);
        if (block.timestamp - startedAt <= GRACE_PERIOD) revert SequencerGracePeriodNotOver(startedAt, GRACE_PERIOD);
    }
}
