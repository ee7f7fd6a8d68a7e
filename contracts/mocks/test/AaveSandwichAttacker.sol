// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IRebalancer} from "../../interfaces/IRebalancer.sol";
import {IUniswapV3PoolMinimal, IUniswapV3SwapCallback} from "../../venues/aave/IAaveVenueDeps.sol";
import {IAaveFlashLoanSimplePool} from "./FlashLoanProbe.sol";

/// @title AaveSandwichAttacker
/// @notice Test-only: sandwiches a due rebalance of an Aave product in one transaction. It flash-borrows `asset`
///         (USDC to push the base price up before a rebalance that buys, the base token to push it down before one
///         that sells) from the Aave Pool, swaps all of it on the product venue's Uniswap pool, calls
///         `Rebalancer.rebalance(token)` (collecting the keeper bounty), swaps everything it received back and repays
///         the loan plus premium from its balance (the caller pre-funds any loss; the transaction reverts otherwise).
contract AaveSandwichAttacker is IUniswapV3SwapCallback {
    using SafeERC20 for IERC20;

    /// @notice A flash-loan callback not from the Aave Pool.
    error NotPool(address caller);
    /// @notice A flash loan this contract did not start.
    error NotSelfInitiated(address initiator);
    /// @notice A swap callback not from the Uniswap pool.
    error NotSwapPool(address caller);

    uint160 private constant MIN_SQRT_PRICE_LIMIT = 4295128740;
    uint160 private constant MAX_SQRT_PRICE_LIMIT = 1461446703485210103287273052203988822378723970341;

    /// @notice The Aave v3 Pool lending the flash loan.
    IAaveFlashLoanSimplePool public immutable AAVE_POOL;
    /// @notice The Uniswap v3 pool of the product's venue.
    IUniswapV3PoolMinimal public immutable SWAP_POOL;
    /// @notice The Rebalancer whose `rebalance` is sandwiched.
    IRebalancer public immutable REBALANCER;

    /// @param aavePool The Aave v3 Pool.
    /// @param swapPool The venue's Uniswap v3 pool (base/USDC).
    /// @param rebalancer The Rebalancer.
    constructor(address aavePool, address swapPool, address rebalancer) {
        AAVE_POOL = IAaveFlashLoanSimplePool(aavePool);
        SWAP_POOL = IUniswapV3PoolMinimal(swapPool);
        REBALANCER = IRebalancer(rebalancer);
    }

    /// @notice Flash-borrows `amount` of `asset` (one of the pool's tokens) and sandwiches `rebalance(token)` with it.
    function attack(address token, address asset, uint256 amount) external {
        AAVE_POOL.flashLoanSimple(address(this), asset, amount, abi.encode(token), 0);
    }

    /// @notice Aave's IFlashLoanSimpleReceiver callback: push the pool, rebalance, swap back, approve the repayment.
    function executeOperation(
        address asset,
        uint256 amount,
        uint256 premium,
        address initiator,
        bytes calldata params
    ) external returns (bool) {
        if (msg.sender != address(AAVE_POOL)) revert NotPool(msg.sender);
        if (initiator != address(this)) revert NotSelfInitiated(initiator);
        address token = abi.decode(params, (address));
        address other = asset == SWAP_POOL.token0() ? SWAP_POOL.token1() : SWAP_POOL.token0();
        _swapAll(asset, amount);
        REBALANCER.rebalance(token);
        _swapAll(other, IERC20(other).balanceOf(address(this)));
        IERC20(asset).forceApprove(address(AAVE_POOL), amount + premium);
        return true;
    }

    /// @inheritdoc IUniswapV3SwapCallback
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external override {
        if (msg.sender != address(SWAP_POOL)) revert NotSwapPool(msg.sender);
        if (amount0Delta > 0) IERC20(SWAP_POOL.token0()).safeTransfer(msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(SWAP_POOL.token1()).safeTransfer(msg.sender, uint256(amount1Delta));
    }

    /// @dev Sells exactly `amount` of `tokenIn` on the pool.
    function _swapAll(address tokenIn, uint256 amount) private {
        bool zeroForOne = tokenIn == SWAP_POOL.token0();
        SWAP_POOL.swap(
            address(this),
            zeroForOne,
            SafeCast.toInt256(amount),
            zeroForOne ? MIN_SQRT_PRICE_LIMIT : MAX_SQRT_PRICE_LIMIT,
            ""
        );
    }
}
