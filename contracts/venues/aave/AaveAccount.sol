// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAaveV3Pool} from "./IAaveVenueDeps.sol";

/// @title AaveAccount
/// @notice One product's isolated Aave v3 account: it holds the product's aTokens and owes its variable debt, and
///         does only what its venue tells it. Deployed once by an AaveVenue as the implementation of its per-product
///         clones (OpenZeppelin `Clones`): the immutables below live in the code, so every clone shares them.
/// @dev Supplies and repayments need no account call (Aave takes them on behalf of anyone); only withdrawals and
///      borrows, which spend this account's collateral, go through here.
contract AaveAccount {
    using SafeERC20 for IERC20;

    /// @notice The only caller allowed.
    error OnlyVenue();

    /// @notice The venue that deployed the implementation and drives every clone.
    address public immutable VENUE;
    /// @notice The Aave v3 Pool the account lives on.
    IAaveV3Pool public immutable POOL;

    constructor(IAaveV3Pool pool) {
        VENUE = msg.sender;
        POOL = pool;
    }

    /// @notice Withdraws `amount` of this account's supply of `asset` to `to`.
    function withdraw(address asset, uint256 amount, address to) external {
        if (msg.sender != VENUE) revert OnlyVenue();
        POOL.withdraw(asset, amount, to);
    }

    /// @notice Borrows `amount` of `asset` at the variable rate against this account and sends it to `to`.
    function borrow(address asset, uint256 amount, address to) external {
        if (msg.sender != VENUE) revert OnlyVenue();
        POOL.borrow(asset, amount, 2, 0, address(this));
        IERC20(asset).safeTransfer(to, amount);
    }
}
