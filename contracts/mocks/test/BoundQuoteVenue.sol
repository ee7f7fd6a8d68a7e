// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {WrongMockPerpVenue} from "./WrongMockPerpVenue.sol";

/// @title BoundQuoteVenue
/// @notice Test-only: the mock venue with a `previewTrade` that is a bound, as an AMM venue's is (AaveVenue): its
///         equity after a trade is lower than execution's by `quoteHaircut` of the trade's notional, so a quote is
///         never better than execution, but usually worse. Within the boundary, unlike its `WrongMockPerpVenue`
///         siblings. With `refuseMarginOnly` it also refuses every margin-only withdrawal (as a money market may refuse
///         a borrow), so a product's redeem surplus cannot be withdrawn. test/unit/LeveragedTokenEdges.test.ts uses it.
contract BoundQuoteVenue is WrongMockPerpVenue {
    /// @notice A margin-only withdrawal while `refuseMarginOnly` is set.
    error MarginOnlyWithdrawalRefused();

    /// @notice The quote's understatement of equity after a trade, WAD fraction of the trade's notional at the mark.
    uint256 public quoteHaircut;
    /// @notice Refuse margin-only withdrawals.
    bool public refuseMarginOnly;

    constructor(Deployment memory d) WrongMockPerpVenue(d) {}

    /// @notice Sets the quote's understatement (WAD fraction of notional).
    function setQuoteHaircut(uint256 haircut) external {
        quoteHaircut = haircut;
    }

    /// @notice Switches the refusal of margin-only withdrawals.
    function setRefuseMarginOnly(bool refuse) external {
        refuseMarginOnly = refuse;
    }

    /// @notice The honest preview, with equity after a trade lowered by `quoteHaircut` of its notional.
    function previewTrade(
        address account,
        int256 sizeDelta
    ) public view override returns (uint256 fillPrice, uint256 fee, int256 equityAfter) {
        (fillPrice, fee, equityAfter) = super.previewTrade(account, sizeDelta);
        uint256 notional = Math.mulDiv(SignedMath.abs(sizeDelta), fillPrice, WAD);
        equityAfter -= SafeCast.toInt256(Math.mulDiv(notional, quoteHaircut, WAD, Math.Rounding.Ceil));
    }

    /// @notice The honest mock's, but a margin-only withdrawal reverts while `refuseMarginOnly` is set.
    function modifyPositionWithMargin(
        int256 marginDelta,
        int256 sizeDelta,
        uint256 acceptablePrice,
        address recipient
    ) public override returns (uint256, uint256, int256) {
        if (refuseMarginOnly && sizeDelta == 0 && marginDelta < 0) revert MarginOnlyWithdrawalRefused();
        return super.modifyPositionWithMargin(marginDelta, sizeDelta, acceptablePrice, recipient);
    }
}
