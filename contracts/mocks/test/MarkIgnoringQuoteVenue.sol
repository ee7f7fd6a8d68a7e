// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WrongMockPerpVenue} from "./WrongMockPerpVenue.sol";

/// @title MarkIgnoringQuoteVenue
/// @notice Test-only, WRONG ON PURPOSE: the mock venue with a `quoteTradeAt(sizeDelta, markPrice)` that ignores the
///         mark it is given and prices the trade at the oracle's current price instead. Right whenever the caller
///         passes the current price, wrong for any other mark. The venue conformance suite (test/venues/) must
///         reject it; test/venues/wrong-venues.test.ts checks that it does.
contract MarkIgnoringQuoteVenue is WrongMockPerpVenue {
    constructor(Deployment memory d) WrongMockPerpVenue(d) {}

    /// @notice The quote of an empty account at the oracle price, whatever `markPrice` says.
    function quoteTradeAt(int256 sizeDelta, uint256) external view override returns (uint256 fillPrice, uint256 fee) {
        (fillPrice, fee, ) = this.previewTrade(address(0), sizeDelta);
    }
}
