// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MockUSDC
/// @notice A 6-decimal stablecoin with EIP-2612 permit, like USDC, and an open faucet for local networks.
contract MockUSDC is ERC20, ERC20Permit {
    /// @notice Largest amount one faucet call may mint (collateral units): 1 billion USDC.
    uint256 public constant MAX_FAUCET_MINT = 1e15;

    error FaucetLimitExceeded(uint256 amount, uint256 limit);

    constructor() ERC20("USD Coin (Ballast mock)", "USDC") ERC20Permit("USD Coin (Ballast mock)") {}

    /// @notice Mints `amount` (6 decimals) to `to`. Open to anyone: this contract is deployed on local networks only.
    function mint(address to, uint256 amount) external {
        if (amount > MAX_FAUCET_MINT) revert FaucetLimitExceeded(amount, MAX_FAUCET_MINT);
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
