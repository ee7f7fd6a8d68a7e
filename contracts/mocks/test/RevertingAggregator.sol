// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title RevertingAggregator
/// @notice Test-only Chainlink feed whose round reads can be switched to revert, to exercise adapters' try/catch.
/// @dev `decimals()` never reverts so that an adapter can be constructed against this feed.
contract RevertingAggregator is AggregatorV3Interface {
    error FeedDown();

    uint8 private immutable _DECIMALS;
    int256 public answer;
    uint256 public updatedAt;
    bool public shouldRevert;

    constructor(uint8 decimals_, int256 answer_) {
        _DECIMALS = decimals_;
        answer = answer_;
        updatedAt = block.timestamp;
    }

    /// @notice Makes round reads revert (true) or succeed (false).
    function setShouldRevert(bool value) external {
        shouldRevert = value;
    }

    /// @notice Sets the answer, stamped with the current block time.
    function updateAnswer(int256 answer_) external {
        answer = answer_;
        updatedAt = block.timestamp;
    }

    function decimals() external view override returns (uint8) {
        return _DECIMALS;
    }

    function description() external pure override returns (string memory) {
        return "RevertingAggregator";
    }

    function version() external pure override returns (uint256) {
        return 1;
    }

    function getRoundData(uint80 roundId) external view override returns (uint80, int256, uint256, uint256, uint80) {
        if (shouldRevert) revert FeedDown();
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        if (shouldRevert) revert FeedDown();
        return (1, answer, updatedAt, updatedAt, 1);
    }
}
