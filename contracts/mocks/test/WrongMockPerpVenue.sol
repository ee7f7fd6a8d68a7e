// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IOracleAdapter} from "../../interfaces/IOracleAdapter.sol";
import {MockPerpVenue} from "../../venues/mock/MockPerpVenue.sol";

/// @title WrongMockPerpVenue
/// @notice Test-only base of the venue doubles that are WRONG ON PURPOSE (FlatteringQuoteVenue, FeelessEquityVenue,
///         MarkIgnoringQuoteVenue): the honest mock, deployed from one struct of its constructor's arguments, with the
///         taker fee as the mock charges it. Each double overrides one view; test/venues/wrong-venues.test.ts checks
///         that the venue conformance suite rejects each.
abstract contract WrongMockPerpVenue is MockPerpVenue {
    /// @notice MockPerpVenue's constructor arguments, in its order.
    struct Deployment {
        IERC20 collateral;
        uint8 collateralDecimals;
        IOracleAdapter oracle;
        MarketParams params;
    }

    uint256 internal constant WAD = 1e18;

    constructor(Deployment memory d) MockPerpVenue(d.collateral, d.collateralDecimals, d.oracle, d.params) {}

    /// @dev The taker fee on `notional` (USD WAD) as the mock charges it: ceil(notional * takerFeeRate).
    function _takerFee(uint256 notional) internal view returns (uint256) {
        return Math.mulDiv(notional, this.params().takerFeeRate, WAD, Math.Rounding.Ceil);
    }
}
