// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IChainlinkAggregatorBounds} from "../interfaces/IChainlinkAggregatorBounds.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";

/// @title ChainlinkOracleAdapter
/// @notice Reads one Chainlink feed, rejects zero/negative answers, answers at the aggregator's circuit-breaker
///         bounds, stale answers (older than heartbeat + buffer) and future ones, optionally gates on an L2
///         sequencer-uptime feed, and normalises the answer to WAD. Every failure is a distinct custom error.
/// @dev Circuit breaker: Chainlink's OCR aggregators clamp their answer to [minAnswer, maxAnswer], so an answer at
///      or beyond either bound is not the price. When the feed answers `aggregator()` at construction (a Chainlink
///      proxy), every read asks the proxy for its current aggregator and that aggregator for its bounds, so a phase
///      upgrade brings its own bounds. An aggregator without `minAnswer()` / `maxAnswer()` (or without code) has no
///      circuit breaker and none is checked; a proxy whose `aggregator()` stops answering reverts `FeedUnavailable`.
///      A feed without `aggregator()` (the local MockV3Aggregator, the backtest feed) is never asked.
contract ChainlinkOracleAdapter is IOracleAdapter {
    /// @notice The Chainlink feed read (the proxy, for a live feed).
    address public immutable FEED;
    /// @notice The feed's published heartbeat in seconds.
    uint256 public immutable HEARTBEAT;
    /// @notice Seconds past the heartbeat for which an answer is still accepted.
    uint256 public immutable STALENESS_BUFFER;
    /// @notice The oldest accepted answer in seconds: HEARTBEAT + STALENESS_BUFFER.
    uint256 public immutable MAX_STALENESS;
    /// @notice Whether the feed is a proxy whose aggregator's minAnswer / maxAnswer are checked on every read.
    bool public immutable READS_AGGREGATOR_BOUNDS;
    /// @notice Chainlink L2 sequencer-uptime feed (answer 0 = up, 1 = down); address(0) on L1.
    address public immutable SEQUENCER_UPTIME_FEED;
    /// @notice Seconds the sequencer must have been up before prices are trusted again.
    uint256 public immutable GRACE_PERIOD;
    /// @dev 10 ** (18 - feed decimals): the factor that normalises the answer to WAD.
    uint256 private immutable _SCALE;

    /// @param feed_ The Chainlink feed (the proxy, for a live feed).
    /// @param heartbeat_ The feed's published heartbeat in seconds (config/networks.ts).
    /// @param stalenessBuffer_ Seconds past the heartbeat for which an answer is still accepted.
    /// @param sequencerUptimeFeed Chainlink L2 sequencer-uptime feed; address(0) on L1.
    /// @param gracePeriod Seconds the sequencer must have been up; 0 without a sequencer feed.
    constructor(
        address feed_,
        uint256 heartbeat_,
        uint256 stalenessBuffer_,
        address sequencerUptimeFeed,
        uint256 gracePeriod
    ) {
        if (feed_ == address(0) || heartbeat_ == 0) revert InvalidOracleConfig();
        if (heartbeat_ > type(uint256).max - stalenessBuffer_) revert InvalidOracleConfig();
        if (sequencerUptimeFeed == address(0) && gracePeriod != 0) revert InvalidOracleConfig();
        uint8 decimals;
        try AggregatorV3Interface(feed_).decimals() returns (uint8 d) {
            decimals = d;
        } catch {
            revert InvalidOracleConfig();
        }
        if (decimals > 18) revert InvalidOracleConfig();
        bool isProxy;
        try IChainlinkAggregatorBounds(feed_).aggregator() returns (address) {
            isProxy = true;
        } catch {} // not a proxy: no aggregator to ask for bounds
        FEED = feed_;
        HEARTBEAT = heartbeat_;
        STALENESS_BUFFER = stalenessBuffer_;
        MAX_STALENESS = heartbeat_ + stalenessBuffer_;
        READS_AGGREGATOR_BOUNDS = isProxy;
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
    function stalenessBuffer() external view override returns (uint256) {
        return STALENESS_BUFFER;
    }

    /// @inheritdoc IOracleAdapter
    function maxStaleness() external view override returns (uint256) {
        return MAX_STALENESS;
    }

    /// @inheritdoc IOracleAdapter
    function price() external view override returns (uint256 priceWad) {
        (priceWad, ) = _latestPrice();
    }

    /// @inheritdoc IOracleAdapter
    function latestPrice() external view override returns (uint256 priceWad, uint256 updatedAt) {
        return _latestPrice();
    }

    /// @inheritdoc IOracleAdapter
    function lastValidPrice() external view override returns (uint256 priceWad, uint256 updatedAt) {
        return _read(false);
    }

    function _latestPrice() private view returns (uint256 priceWad, uint256 updatedAt) {
        return _read(true);
    }

    /// @dev The feed's latest answer, validated; its age is checked only when `checkAge`.
    function _read(bool checkAge) private view returns (uint256 priceWad, uint256 updatedAt) {
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
        if (checkAge && block.timestamp - updatedAt > MAX_STALENESS) revert StalePrice(updatedAt, MAX_STALENESS);
        if (READS_AGGREGATOR_BOUNDS) _checkCircuitBreaker(answer);
        // answer > 0 was checked just above, so the cast is exact.
        priceWad = uint256(answer) * _SCALE;
    }

    /// @dev Reverts PriceAtCircuitBreaker when `answer` is at or beyond the bounds of the aggregator currently behind
    ///      the proxy; an aggregator that does not answer `minAnswer()` / `maxAnswer()` has no bounds to check.
    function _checkCircuitBreaker(int256 answer) private view {
        address aggregator;
        try IChainlinkAggregatorBounds(FEED).aggregator() returns (address a) {
            aggregator = a;
        } catch {
            revert FeedUnavailable(FEED);
        }
        if (aggregator.code.length == 0) return;
        int256 minAnswer;
        int256 maxAnswer;
        try IChainlinkAggregatorBounds(aggregator).minAnswer() returns (int192 lo) {
            minAnswer = lo;
        } catch {
            return;
        }
        try IChainlinkAggregatorBounds(aggregator).maxAnswer() returns (int192 hi) {
            maxAnswer = hi;
        } catch {
            return;
        }
        if (answer <= minAnswer || answer >= maxAnswer) revert PriceAtCircuitBreaker(answer, minAnswer, maxAnswer);
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
