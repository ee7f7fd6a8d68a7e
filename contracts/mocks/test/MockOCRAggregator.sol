// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MockOCRAggregator
/// @notice Test-only stand-in for the OCR aggregator behind a Chainlink proxy, reduced to what the oracle adapter
///         reads from it: the circuit-breaker bounds `minAnswer` / `maxAnswer` (int192, as in Chainlink's
///         OffchainAggregator), at or beyond which the real aggregator clamps its answer.
contract MockOCRAggregator {
    /// @notice The lowest answer the aggregator reports; a lower median is reported as this value.
    int192 public minAnswer;
    /// @notice The highest answer the aggregator reports; a higher median is reported as this value.
    int192 public maxAnswer;

    constructor(int192 minAnswer_, int192 maxAnswer_) {
        minAnswer = minAnswer_;
        maxAnswer = maxAnswer_;
    }

    /// @notice Sets both bounds.
    function setBounds(int192 minAnswer_, int192 maxAnswer_) external {
        minAnswer = minAnswer_;
        maxAnswer = maxAnswer_;
    }
}
