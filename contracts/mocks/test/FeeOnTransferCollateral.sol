// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferCollateral
/// @notice Test-only 6-decimal collateral that burns 1% of every transfer (USDT-style fee switch turned on).
contract FeeOnTransferCollateral is ERC20 {
    constructor() ERC20("Fee USD", "fUSD") {}

    /// @notice Open faucet (no fee on minting).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value / 100;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
