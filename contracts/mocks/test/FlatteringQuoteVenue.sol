// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {SignedWadMath} from "../../libraries/SignedWadMath.sol";
import {WrongMockPerpVenue} from "./WrongMockPerpVenue.sol";

/// @title FlatteringQuoteVenue
/// @notice Test-only, WRONG ON PURPOSE: the mock venue with a `previewTrade` that forgets price impact. It quotes the
///         fill at the mark, the fee on that fill and the equity after it, so every preview is better for the trader
///         than the execution that follows. Execution is the honest mock's. The venue conformance suite
///         (test/venues/) must reject it; test/venues/wrong-venues.test.ts checks that it does.
contract FlatteringQuoteVenue is WrongMockPerpVenue {
    using SignedWadMath for int256;

    constructor(Deployment memory d) WrongMockPerpVenue(d) {}

    /// @notice The flattering preview: fill at the mark (no impact); equity moves as the honest mock's would for that
    ///         fill: floor(newSize * mark) - floor(oldSize * mark) - ceil(delta * fill) - fee.
    function previewTrade(
        address account,
        int256 sizeDelta
    ) public view override returns (uint256 fillPrice, uint256 fee, int256 equityAfter) {
        (int256 size, int256 eq, uint256 price) = this.accountSnapshot(account);
        if (sizeDelta == 0) return (price, 0, eq);
        fillPrice = price;
        uint256 fillNotional = Math.mulDiv(SignedMath.abs(sizeDelta), fillPrice, WAD, Math.Rounding.Ceil);
        fee = _takerFee(fillNotional);
        equityAfter =
            eq +
            (size + sizeDelta).mulWadFloor(price) -
            size.mulWadFloor(price) -
            sizeDelta.mulWadCeil(fillPrice) -
            SafeCast.toInt256(fee);
    }
}
