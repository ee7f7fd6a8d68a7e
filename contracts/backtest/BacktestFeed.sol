// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title BacktestFeed
/// @notice A Chainlink `AggregatorV3Interface` price feed for the backtester only: the same `updateAnswer` as
///         Chainlink's MockV3Aggregator, but it keeps only the latest round. A backtest posts
///         hundreds of thousands of prices and MockV3Aggregator stores every one of them (two new slots per round);
///         nothing in the protocol reads past rounds (ChainlinkOracleAdapter reads `latestRoundData` only).
contract BacktestFeed is AggregatorV3Interface {
    error NoSuchRound(uint80 roundId);

    uint8 private immutable _DECIMALS;

    // The latest round only.
    int256 private _answer;
    uint256 private _updatedAt;
    uint256 private _roundId;

    constructor(uint8 decimals_, int256 initialAnswer) {
        _DECIMALS = decimals_;
        updateAnswer(initialAnswer);
    }

    /// @notice Posts a new round at the current block time. Anyone may post, as with Chainlink's MockV3Aggregator.
    function updateAnswer(int256 answer) public {
        _answer = answer;
        _updatedAt = block.timestamp;
        unchecked {
            ++_roundId;
        }
    }

    function decimals() external view override returns (uint8) {
        return _DECIMALS;
    }

    function description() external pure override returns (string memory) {
        return "Ballast backtest feed";
    }

    function version() external pure override returns (uint256) {
        return 4;
    }

    /// @notice Only the latest round is kept; older ones revert with `NoSuchRound`.
    function getRoundData(uint80 roundId) external view override returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId != _roundId) revert NoSuchRound(roundId);
        return (roundId, _answer, _updatedAt, _updatedAt, roundId);
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        uint80 roundId = uint80(_roundId);
        return (roundId, _answer, _updatedAt, _updatedAt, roundId);
    }
}
