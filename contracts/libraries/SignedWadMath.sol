// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MulDiv} from "./MulDiv.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

/// @title SignedWadMath
/// @notice Signed fixed-point helpers with an explicit rounding direction (towards -infinity or +infinity),
///         built on OpenZeppelin's full-precision `Math.mulDiv`.
library SignedWadMath {
    uint256 internal constant WAD = 1e18;

    /// @notice floor(a * b / d) for signed `a`, unsigned `b` and `d` (rounds towards -infinity).
    function mulDivFloor(int256 a, uint256 b, uint256 d) internal pure returns (int256) {
        if (a >= 0) return SafeCast.toInt256(MulDiv.down(uint256(a), b, d));
        return -SafeCast.toInt256(Math.mulDiv(SignedMath.abs(a), b, d, Math.Rounding.Ceil));
    }

    /// @notice ceil(a * b / d) for signed `a`, unsigned `b` and `d` (rounds towards +infinity).
    function mulDivCeil(int256 a, uint256 b, uint256 d) internal pure returns (int256) {
        if (a >= 0) return SafeCast.toInt256(Math.mulDiv(uint256(a), b, d, Math.Rounding.Ceil));
        return -SafeCast.toInt256(MulDiv.down(SignedMath.abs(a), b, d));
    }

    /// @notice floor(a * b / WAD).
    function mulWadFloor(int256 a, uint256 b) internal pure returns (int256) {
        return mulDivFloor(a, b, WAD);
    }

    /// @notice ceil(a * b / WAD).
    function mulWadCeil(int256 a, uint256 b) internal pure returns (int256) {
        return mulDivCeil(a, b, WAD);
    }
}
