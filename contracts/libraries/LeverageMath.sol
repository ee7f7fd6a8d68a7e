// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MulDiv} from "./MulDiv.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

/// @title LeverageMath
/// @notice Pure leverage arithmetic shared by the token and the rebalancer. Sizes are base units (WAD, signed),
///         prices and equities are USD (WAD), leverage is an unsigned WAD magnitude.
library LeverageMath {
    uint256 internal constant WAD = 1e18;

    /// @notice |size| * price / equity (WAD). Rounds up: a leverage reading never understates risk.
    ///         Returns type(uint256).max when equity <= 0 with a position open, 0 with no position.
    function leverage(int256 size, uint256 price, int256 equityWad) internal pure returns (uint256) {
        if (size == 0) return 0;
        if (equityWad <= 0) return type(uint256).max;
        uint256 notional = Math.mulDiv(SignedMath.abs(size), price, WAD, Math.Rounding.Ceil);
        return Math.mulDiv(notional, WAD, uint256(equityWad), Math.Rounding.Ceil);
    }

    /// @notice The signed size that puts `equityWad` at `targetLeverage` on the given side at `price`.
    ///         Rounds the magnitude down: the protocol never targets more exposure than asked.
    function targetSize(
        uint256 targetLeverage,
        int256 equityWad,
        uint256 price,
        bool long
    ) internal pure returns (int256) {
        if (equityWad <= 0) return 0;
        uint256 magnitude = MulDiv.down(targetLeverage, uint256(equityWad), price);
        int256 signed = SafeCast.toInt256(magnitude);
        return long ? signed : -signed;
    }

    /// @notice `size * part / whole`, rounded towards zero (the pro-rata slice of a position).
    function proRataSize(int256 size, uint256 part, uint256 whole) internal pure returns (int256) {
        int256 magnitude = SafeCast.toInt256(MulDiv.down(SignedMath.abs(size), part, whole));
        return size >= 0 ? magnitude : -magnitude;
    }

    /// @notice Caps `sizeDelta` so that its notional at `price` is at most `maxNotional` (USD, WAD); 0 = no cap.
    /// @return capped The (possibly) reduced delta, same sign, rounded towards zero.
    /// @return wasCapped True when the cap bound.
    function capDelta(
        int256 sizeDelta,
        uint256 price,
        uint256 maxNotional
    ) internal pure returns (int256 capped, bool wasCapped) {
        if (maxNotional == 0) return (sizeDelta, false);
        uint256 maxSize = MulDiv.down(maxNotional, WAD, price);
        if (SignedMath.abs(sizeDelta) <= maxSize) return (sizeDelta, false);
        int256 m = SafeCast.toInt256(maxSize);
        return (sizeDelta > 0 ? m : -m, true);
    }

    /// @notice The price at which a position of `size` and `cash` (equity less `size` x price, USD WAD, which trades,
    ///         fees and funding alone change) has leverage `lev` (WAD): `lev * |cash| / (|size| * (lev - 1))` for a
    ///         long borrowing (`cash` < 0, leverage above 1 at every price, rising as the price falls), `lev * cash /
    ///         (|size| * (lev + 1))` for a short (`cash` > 0, leverage rising with the price). 0 when no price gives
    ///         `lev` (a long at `lev` <= 1, a long not borrowing, a short without cash, no position). Rounds down.
    function priceAtLeverage(int256 size, int256 cash, uint256 lev) internal pure returns (uint256) {
        if (size > 0) {
            if (cash >= 0 || lev <= WAD) return 0;
            return Math.mulDiv(Math.mulDiv(uint256(-cash), lev, uint256(size)), WAD, lev - WAD);
        }
        if (size == 0 || cash <= 0) return 0;
        return Math.mulDiv(Math.mulDiv(uint256(cash), lev, SignedMath.abs(size)), WAD, lev + WAD);
    }
}
