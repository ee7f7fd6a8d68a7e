// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IUniswapV3PoolMinimal, IUniswapV3SwapCallback} from "../venues/aave/IAaveVenueDeps.sol";

interface IMoverFeed {
    function updateAnswer(int256 answer) external;
}

interface IMoverFaucet {
    function mint(address to, uint256 amount) external;
}

interface IMoverPoolState {
    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            int24 tick,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            uint8 feeProtocol,
            bool unlocked
        );
}

/// @title BacktestMarketMover
/// @notice The Aave backtest's market mover in one transaction (a test harness, not part of the protocol): posts a
///         Chainlink-style answer to a market's feed and arbitrages the market's Uniswap v3 pool to the same price,
///         as scripts/market/mover.ts `movePrice` does with two transactions through the SwapRouter. The swap is an
///         exact-input swap of an unbounded amount with the target square-root price as its limit, so the pool stops
///         exactly there; the tokens it is owed are minted from the local faucets (MockERC20, MockUSDC) on demand.
contract BacktestMarketMover is IUniswapV3SwapCallback {
    /// @notice A swap callback not from the pool being moved.
    error UnexpectedCallback();
    /// @notice A token transfer to the pool returned false.
    error TransferFailed();

    /// @dev MockUSDC.MAX_FAUCET_MINT: the faucet mints at most this much per call.
    uint256 private constant FAUCET_CHUNK = 1e15;
    /// @dev Uniswap v3 swaps take an int256 amount; this one is never reached before the price limit.
    int256 private constant UNBOUNDED = type(int128).max;

    address private _moving;

    /// @notice Posts `answer` to `feed` and swaps `pool` to `sqrtPriceX96` (the same price in the pool's units).
    function move(address feed, address pool, int256 answer, uint160 sqrtPriceX96) external {
        IMoverFeed(feed).updateAnswer(answer);
        (uint160 current, , , , , , ) = IMoverPoolState(pool).slot0();
        if (current == sqrtPriceX96) return;
        _moving = pool;
        IUniswapV3PoolMinimal(pool).swap(address(this), sqrtPriceX96 < current, UNBOUNDED, sqrtPriceX96, "");
        _moving = address(0);
    }

    /// @inheritdoc IUniswapV3SwapCallback
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external override {
        if (msg.sender != _moving || _moving == address(0)) revert UnexpectedCallback();
        IUniswapV3PoolMinimal pool = IUniswapV3PoolMinimal(msg.sender);
        if (amount0Delta > 0) _pay(pool.token0(), uint256(amount0Delta));
        if (amount1Delta > 0) _pay(pool.token1(), uint256(amount1Delta));
    }

    function _pay(address token, uint256 owed) private {
        uint256 balance = IERC20(token).balanceOf(address(this));
        if (balance < owed) {
            // One mint where the faucet allows it (MockERC20); MockUSDC's faucet mints at most FAUCET_CHUNK a call.
            try IMoverFaucet(token).mint(address(this), owed - balance) {
                balance = owed;
            } catch {
                while (balance < owed) {
                    uint256 chunk = owed - balance < FAUCET_CHUNK ? owed - balance : FAUCET_CHUNK;
                    IMoverFaucet(token).mint(address(this), chunk);
                    balance += chunk;
                }
            }
        }
        if (!IERC20(token).transfer(msg.sender, owed)) revert TransferFailed();
    }
}
