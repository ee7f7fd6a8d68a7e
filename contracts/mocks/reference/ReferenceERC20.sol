// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReferenceERC20
/// @notice A plain OpenZeppelin ERC-20, the gas baseline for token transfers (bench only).
contract ReferenceERC20 is ERC20 {
    constructor() ERC20("Reference", "REF") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
