// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LeverageMath} from "../../libraries/LeverageMath.sol";

/// @title LeverageMathHarness
/// @notice Test-only: exposes `LeverageMath.priceAtLeverage` (internal) for its edge cases.
contract LeverageMathHarness {
    /// @notice `LeverageMath.priceAtLeverage(size, cash, lev)`.
    function priceAtLeverage(int256 size, int256 cash, uint256 lev) external pure returns (uint256) {
        return LeverageMath.priceAtLeverage(size, cash, lev);
    }
}
