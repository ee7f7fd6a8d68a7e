// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IOracleAdapter} from "../../interfaces/IOracleAdapter.sol";
import {MockPerpVenue} from "../../venues/mock/MockPerpVenue.sol";

/// @title MarkIgnoringQuoteVenue
/// @notice Test-only, WRONG ON PURPOSE: the mock venue with a `quoteTradeAt(sizeDelta, markPrice)` that ignores the
///         mark it is given and prices the trade at the oracle's current price instead. Right whenever the caller
///         passes the current price, wrong for any other mark. The venue conformance suite (test/venues/) must
///         reject it; test/venues/wrong-venues.test.ts checks that it does.
contract MarkIgnoringQuoteVenue is MockPerpVenue {
    constructor(
        IERC20 collateral_,
        uint8 collateralDecimals,
        IOracleAdapter oracle_,
        MarketParams memory params_
    ) MockPerpVenue(collateral_, collateralDecimals, oracle_, params_) {}

    /// @notice The quote of an empty account at the oracle price, whatever `markPrice` says.
    function quoteTradeAt(int256 sizeDelta, uint256) external view override returns (uint256 fillPrice, uint256 fee) {
        (fillPrice, fee, ) = this.previewTrade(address(0), sizeDelta);
    }
}
