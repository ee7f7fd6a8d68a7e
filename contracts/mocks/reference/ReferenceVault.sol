// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";

/// @title ReferenceVault
/// @notice A plain OpenZeppelin ERC-4626 vault over the USDC mock, the gas baseline for mint and redeem (bench only).
contract ReferenceVault is ERC4626 {
    constructor(IERC20 asset_) ERC20("Reference Vault", "rvUSDC") ERC4626(asset_) {}
}
