// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Minimal interfaces of the Aave v3.0 Pool, its tokens and a Uniswap v3 pool: only what AaveVenue calls, written
// from the published ABIs of @aave/core-v3 1.19.3 and @uniswap/v3-core 1.0.1 (their 0.8.10 / 0.7.6 sources are not
// compiled into this build).

/// @title IAaveV3Pool
/// @notice The subset of Aave v3's Pool (v3.0.x) the Aave venue uses.
interface IAaveV3Pool {
    /// @notice Aave v3.0's ReserveData, in its ABI order.
    struct ReserveData {
        uint256 configuration;
        uint128 liquidityIndex;
        uint128 currentLiquidityRate;
        uint128 variableBorrowIndex;
        uint128 currentVariableBorrowRate;
        uint128 currentStableBorrowRate;
        uint40 lastUpdateTimestamp;
        uint16 id;
        address aTokenAddress;
        address stableDebtTokenAddress;
        address variableDebtTokenAddress;
        address interestRateStrategyAddress;
        uint128 accruedToTreasury;
        uint128 unbacked;
        uint128 isolationModeTotalDebt;
    }

    /// @notice Supplies `amount` of `asset` on behalf of `onBehalfOf`, who receives the aTokens.
    function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;

    /// @notice Withdraws `amount` of the caller's supply of `asset` to `to`.
    function withdraw(address asset, uint256 amount, address to) external returns (uint256);

    /// @notice Borrows `amount` of `asset` against `onBehalfOf`'s collateral (the caller, or a delegator).
    function borrow(
        address asset,
        uint256 amount,
        uint256 interestRateMode,
        uint16 referralCode,
        address onBehalfOf
    ) external;

    /// @notice Repays up to `amount` of `onBehalfOf`'s debt in `asset`, pulling the tokens from the caller.
    function repay(
        address asset,
        uint256 amount,
        uint256 interestRateMode,
        address onBehalfOf
    ) external returns (uint256);

    /// @notice The user's collateral, debt (base currency, 8 decimals), weighted threshold and LTV, health factor.
    function getUserAccountData(
        address user
    )
        external
        view
        returns (
            uint256 totalCollateralBase,
            uint256 totalDebtBase,
            uint256 availableBorrowsBase,
            uint256 currentLiquidationThreshold,
            uint256 ltv,
            uint256 healthFactor
        );

    /// @notice The reserve's packed configuration bitmap (ReserveConfigurationMap.data).
    function getConfiguration(address asset) external view returns (uint256);

    /// @notice The reserve's state and token addresses.
    function getReserveData(address asset) external view returns (ReserveData memory);
}

/// @title IAaveScaledBalanceToken
/// @notice aTokens and variable debt tokens: balances with interest, and scaled balances (interest-free units).
interface IAaveScaledBalanceToken {
    /// @notice The balance including interest accrued up to now.
    function balanceOf(address user) external view returns (uint256);

    /// @notice The balance in scaled units: moves only when the user's position is changed, never with interest.
    function scaledBalanceOf(address user) external view returns (uint256);
}

/// @title IUniswapV3PoolMinimal
/// @notice The subset of a Uniswap v3 pool the Aave venue swaps through.
interface IUniswapV3PoolMinimal {
    /// @notice Swaps; positive `amountSpecified` = exact input, negative = exact output. Pays out first, then calls
    ///         `uniswapV3SwapCallback` on the caller for the input.
    function swap(
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        bytes calldata data
    ) external returns (int256 amount0, int256 amount1);

    /// @notice The pool's first token (the lower address).
    function token0() external view returns (address);

    /// @notice The pool's second token.
    function token1() external view returns (address);
}

/// @title IUniswapV3SwapCallback
/// @notice What a Uniswap v3 pool calls on the swapper to be paid.
interface IUniswapV3SwapCallback {
    /// @notice Pays the pool what the swap owes: the positive one of the two deltas (token0, token1).
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external;
}
