// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {WrongMockPerpVenue} from "./WrongMockPerpVenue.sol";

/// @title FeelessEquityVenue
/// @notice Test-only, WRONG ON PURPOSE: the mock venue with an `accountSnapshot` that values equity without the
///         taker fee paid to open the position it holds (the fee on its cost basis is added back), so a product
///         reading it would over-state its NAV. Everything else, including `marginRatio` and the liquidation views,
///         is the honest mock's. The venue conformance suite (test/venues/) must reject it;
///         test/venues/wrong-venues.test.ts checks that it does.
contract FeelessEquityVenue is WrongMockPerpVenue {
    constructor(Deployment memory d) WrongMockPerpVenue(d) {}

    /// @notice Size and mark as the mock's; equity plus ceil(|cost basis| * taker fee rate).
    function accountSnapshot(address account) external view override returns (int256 size, int256 eq, uint256 price) {
        Position memory pos = this.position(account);
        price = this.markPrice();
        size = pos.size;
        eq = equity(account) + SafeCast.toInt256(_takerFee(SignedMath.abs(pos.openNotional)));
    }
}
