// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title MulDiv
/// @notice Full-precision `x * y / d` with the rounding direction in the name.
/// @dev `down` is OpenZeppelin's three-argument `Math.mulDiv`, which floors. It is spelled out here rather than as
///      `Math.mulDiv(x, y, d, Math.Rounding.Floor)` because that form costs more at run time: about 1,700 gas more on
///      every mint, redeem and rebalance path when it was used at every floor division (`npm run bench:gas`).
library MulDiv {
    /// @notice `x * y / d`, rounded down (towards zero); reverts when `d` is 0 or the result overflows.
    function down(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d);
    }
}
