// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVenue} from "../../interfaces/IVenue.sol";

/// @title IMockPerpVenue
/// @notice The mock perpetual-futures venue's own surface: the venue boundary (`IVenue`, what products use) plus what
///         only the mock has: its market parameters, funding and open-interest set-up, counters, plain margin and
///         trade calls, and a permissionless `liquidate`. Only the mock's tests, its deploy script and the backtest
///         harness use this interface; everything else talks to `IVenue`.
/// @dev Units: sizes are base-asset units scaled by WAD (signed: positive long, negative short); prices are
///      USD per base unit scaled by WAD; account values (margin, equity, notional, fees) are USD scaled by WAD;
///      `deposit`/`withdraw` amounts are in collateral units (USDC, 6 decimals). Rates are WAD fractions.
interface IMockPerpVenue is IVenue {
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

    /// @notice An amount or a trade of zero.
    error ZeroAmount();
    /// @notice A required address (collateral, oracle, recipient) is zero.
    error ZeroAddress();
    /// @notice The trade would take a side's open interest (base units, WAD) beyond its cap.
    error OpenInterestCapExceeded(uint256 openInterest, uint256 cap);
    /// @notice A trade that grows the position would leave equity (USD, WAD) below the initial margin it requires.
    error InsufficientMargin(int256 equity, uint256 required);
    /// @notice A withdrawal (collateral units) beyond the account's free margin.
    error WithdrawalExceedsFree(uint256 requested, uint256 available);
    /// @notice `liquidate` on an account at or above maintenance margin (equity and margin in USD, WAD).
    error NotLiquidatable(address account, int256 equity, uint256 maintenanceMargin);
    /// @notice Market parameters (or a funding rate, or collateral decimals) outside their validated bounds.
    error InvalidMarketParams();
    /// @notice A trade whose resulting size is beyond the venue's representable range.
    error SizeOutOfRange(int256 sizeDelta);
    /// @notice The venue holds less collateral (units) than a withdrawal asks for.
    error InsufficientVenueLiquidity(uint256 requested, uint256 available);

    /// @notice `amount` collateral units credited to `account`'s margin.
    event Deposited(address indexed account, uint256 amount);
    /// @notice `amount` collateral units of `account`'s margin paid to `to`.
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice A fill: `sizeDelta` (base, WAD) at `fillPrice` (WAD) for `fee` (USD, WAD); `realizedPnl` (USD, WAD)
    ///         settled into margin.
    event PositionModified(
        address indexed account,
        int256 sizeDelta,
        uint256 fillPrice,
        uint256 fee,
        int256 newSize,
        int256 realizedPnl
    );
    /// @notice Funding (USD, WAD; positive = paid by the account) settled into `account`'s margin.
    event FundingSettled(address indexed account, int256 funding);
    /// @notice The funding rate (WAD per second; positive: longs pay shorts) changed.
    event FundingRateSet(int256 ratePerSecond);
    /// @notice `account` was liquidated by `liquidator`: `size` closed at `price`.
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
    /// @notice The market parameters changed.
    event MarketParamsSet(MarketParams params);
    /// @notice Reduce-only mode switched on or off.
    event PausedSet(bool paused);
    /// @notice Counterparty liquidity (collateral units) added by `from`; it cannot be withdrawn.
    event LiquidityAdded(address indexed from, uint256 amount);

    /// @notice Sets the risk and cost parameters. Owner only.
    function setParams(MarketParams calldata newParams) external;

    /// @notice Sets the funding rate (WAD per second; positive: longs pay shorts), accruing the old one first.
    ///         Owner only; bounded at 1% per hour.
    function setFundingRate(int256 newRatePerSecond) external;

    /// @notice Switches reduce-only mode on or off. Owner only.
    function setPaused(bool newPaused) external;

    /// @notice Adds counterparty liquidity (collateral units) that pays traders' profits; anyone may add, nobody
    ///         may take it out.
    function addLiquidity(uint256 amount) external;

    /// @notice Deposits `amount` collateral units from the caller as the caller's margin.
    function deposit(uint256 amount) external;

    /// @notice Withdraws `amount` collateral units of the caller's margin; the account must stay above initial margin
    ///         (or hold no position).
    function withdraw(uint256 amount) external;

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

    /// @notice Closes an account below maintenance margin at the mark price; anyone may call.
    /// @return liquidatorFee Paid to the caller, in collateral units.
    function liquidate(address account) external returns (uint256 liquidatorFee);

    /// @notice The oracle price the venue marks positions at (WAD).
    function markPrice() external view returns (uint256);

    /// @notice The account's equity (USD, WAD, may be negative): margin plus unrealised PnL minus funding owed.
    function equity(address account) external view returns (int256);

    /// @notice Notional over equity (WAD); type(uint256).max when equity <= 0 with a position open.
    function leverage(address account) external view returns (uint256);

    /// @notice The account's stored position (margin, size, cost basis, funding index).
    function position(address account) external view returns (Position memory);

    /// @notice The market's risk and cost parameters.
    function params() external view returns (MarketParams memory);

    /// @notice The funding rate, WAD per second (positive: longs pay shorts).
    function fundingRatePerSecond() external view returns (int256);

    /// @notice Cumulative funding per base unit (USD WAD per 1e18 size), accrued up to now.
    function cumulativeFundingPerUnit() external view returns (int256);

    /// @notice When the funding index was last accrued (unix seconds).
    function lastFundingTime() external view returns (uint256);

    /// @notice Open interest of all longs (base units, WAD).
    function openInterestLong() external view returns (uint256);

    /// @notice Open interest of all shorts (base units, WAD).
    function openInterestShort() external view returns (uint256);

    /// @notice Losses beyond accounts' equity that the venue absorbed (USD, WAD).
    function totalBadDebt() external view returns (uint256);

    /// @notice Taker fees and liquidation penalties collected (USD, WAD).
    function feesCollected() external view returns (uint128);
}
