// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IOracleAdapter} from "./IOracleAdapter.sol";

/// @title IPerpVenue
/// @notice A perpetual-futures market (one per underlying) with isolated margin per account.
/// @dev Units: sizes are base-asset units scaled by WAD (signed: positive long, negative short); prices are
///      USD per base unit scaled by WAD; account values (margin, equity, notional, fees) are USD scaled by WAD;
///      `deposit`/`withdraw` amounts are in collateral units (USDC, 6 decimals). Rates are WAD fractions.
interface IPerpVenue {
    /// @notice Risk and cost parameters of the market. Packed so that a trade reads one slot (plus the second when
    ///         it grows a position) and a liquidation two.
    struct MarketParams {
        uint64 initialMarginRatio; // WAD fraction of notional needed to open or grow a position (5% = 0.05e18)
        uint64 takerFeeRate; // WAD fraction of fill notional charged on every trade
        uint64 maxPriceImpact; // WAD fraction: the cap on price impact
        uint64 impactPerNotional; // price impact per USD of trade notional: impact = notional(WAD) * this / WAD
        uint64 maintenanceMarginRatio; // WAD fraction of notional below which the account can be liquidated
        uint64 liquidatorFeeRate; // WAD fraction of notional paid to whoever liquidates
        uint128 maxOpenInterest; // per side, base units (WAD)
        uint64 liquidationPenaltyRate; // WAD fraction of notional kept by the venue on liquidation
    }

    /// @notice One account's position state (two storage slots).
    struct Position {
        int128 margin; // USD, WAD; realised PnL, fees and funding settle here
        int128 size; // base units, WAD, signed
        int128 openNotional; // USD, WAD, signed cost basis of `size` (size * average entry price)
        int128 fundingIndex; // the market's cumulative funding per base unit when last settled
    }

    error ZeroAmount();
    error ZeroAddress();
    error VenuePaused();
    error SlippageExceeded(uint256 fillPrice, uint256 acceptablePrice);
    error OpenInterestCapExceeded(uint256 openInterest, uint256 cap);
    error InsufficientMargin(int256 equity, uint256 required);
    error WithdrawalExceedsFree(uint256 requested, uint256 available);
    error NotLiquidatable(address account, int256 equity, uint256 maintenanceMargin);
    error InvalidMarketParams();
    error SizeOutOfRange(int256 sizeDelta);
    error InsufficientVenueLiquidity(uint256 requested, uint256 available);

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    event PositionModified(
        address indexed account,
        int256 sizeDelta,
        uint256 fillPrice,
        uint256 fee,
        int256 newSize,
        int256 realizedPnl
    );
    event FundingSettled(address indexed account, int256 funding);
    event FundingRateSet(int256 ratePerSecond);
    /// @dev `liquidatorFee` is what was paid to the liquidator, in collateral units; `penalty` and `badDebt` are USD
    ///      WAD like every other account value. `badDebt` includes any part of the fee the account could not cover.
    event Liquidated(
        address indexed account,
        address indexed liquidator,
        int256 size,
        uint256 price,
        uint256 liquidatorFee,
        uint256 penalty,
        uint256 badDebt
    );
    event MarketParamsSet(MarketParams params);
    event PausedSet(bool paused);
    event LiquidityAdded(address indexed from, uint256 amount);

    /// @notice Deposits `amount` collateral units from the caller as the caller's margin.
    function deposit(uint256 amount) external;

    /// @notice Withdraws `amount` collateral units of the caller's margin; the account must stay above initial margin
    ///         (or hold no position).
    function withdraw(uint256 amount) external;

    /// @notice Withdraws `amount` collateral units of the caller's margin and sends them to `to`.
    function withdrawTo(uint256 amount, address to) external;

    /// @notice Changes the caller's position by `sizeDelta` at the oracle price plus impact and fee.
    /// @param sizeDelta Base units (WAD), positive buys, negative sells.
    /// @param acceptablePrice Worst fill price accepted (WAD): a maximum when buying, a minimum when selling.
    /// @return fillPrice The execution price (WAD) before the fee.
    /// @return fee The taker fee charged (USD, WAD).
    /// @return equityAfter The account's equity after the trade (USD, WAD).
    function modifyPosition(
        int256 sizeDelta,
        uint256 acceptablePrice
    ) external returns (uint256 fillPrice, uint256 fee, int256 equityAfter);

    /// @notice Moves margin and trades in one call: deposits `marginDelta` collateral units from the caller when
    ///         positive; trades `sizeDelta` (0 = no trade) as `modifyPosition`; then, when `marginDelta` is negative,
    ///         withdraws its magnitude to `recipient` (the account must stay above initial margin or hold no position).
    /// @return fillPrice The execution price (WAD) before the fee, or the mark price without a trade.
    /// @return fee The taker fee charged (USD, WAD).
    /// @return equityAfter The account's equity after the whole operation (USD, WAD).
    function modifyPositionWithMargin(
        int256 marginDelta,
        int256 sizeDelta,
        uint256 acceptablePrice,
        address recipient
    ) external returns (uint256 fillPrice, uint256 fee, int256 equityAfter);

    /// @notice What `modifyPosition(sizeDelta, ..)` by `account` would do now, to the wei; sizeDelta 0 = no trade.
    function previewTrade(
        address account,
        int256 sizeDelta
    ) external view returns (uint256 fillPrice, uint256 fee, int256 equityAfter);

    /// @notice Closes an account below maintenance margin at the mark price; anyone may call.
    /// @return liquidatorFee Paid to the caller, in collateral units.
    function liquidate(address account) external returns (uint256 liquidatorFee);

    /// @notice The price at which a trade of `sizeDelta` would fill now and its fee (USD, WAD).
    function quoteTrade(int256 sizeDelta) external view returns (uint256 fillPrice, uint256 fee);

    /// @notice The same, against a given mark price (lets callers read the oracle once).
    function quoteTradeAt(
        int256 sizeDelta,
        uint256 markPriceWad
    ) external view returns (uint256 fillPrice, uint256 fee);

    /// @notice The oracle price the venue marks positions at (WAD).
    function markPrice() external view returns (uint256);

    /// @notice The size, equity (USD, WAD, may be negative) and mark price of `account`, from one oracle read.
    function accountSnapshot(address account) external view returns (int256 size, int256 equity, uint256 price);

    function equity(address account) external view returns (int256);
    function notional(address account) external view returns (uint256);
    /// @notice Notional over equity (WAD); type(uint256).max when equity <= 0 with a position open.
    function leverage(address account) external view returns (uint256);
    /// @notice Equity over notional (WAD, signed); type(int256).max with no position.
    function marginRatio(address account) external view returns (int256);
    /// @notice The mark price at which the account would reach maintenance margin; 0 if none.
    function liquidationPrice(address account) external view returns (uint256);
    function isLiquidatable(address account) external view returns (bool);
    /// @notice How many times `account` has been liquidated.
    function liquidationCount(address account) external view returns (uint256);
    function position(address account) external view returns (Position memory);
    /// @notice The largest leverage at which a position may be opened or grown (WAD): 1 / initial margin ratio.
    function maxLeverage() external view returns (uint256);

    function collateral() external view returns (IERC20);
    function oracle() external view returns (IOracleAdapter);
    function params() external view returns (MarketParams memory);
    function paused() external view returns (bool);
    function fundingRatePerSecond() external view returns (int256);
    /// @notice Cumulative funding per base unit (USD WAD per 1e18 size), accrued up to now.
    function cumulativeFundingPerUnit() external view returns (int256);
    function openInterestLong() external view returns (uint256);
    function openInterestShort() external view returns (uint256);
    function totalBadDebt() external view returns (uint256);
}
