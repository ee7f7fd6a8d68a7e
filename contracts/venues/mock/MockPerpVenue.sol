// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MulDiv} from "../../libraries/MulDiv.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {IOracleAdapter} from "../../interfaces/IOracleAdapter.sol";
import {IVenue} from "../../interfaces/IVenue.sol";
import {SignedWadMath} from "../../libraries/SignedWadMath.sol";
import {IMockPerpVenue} from "./IMockPerpVenue.sol";

/// @title MockPerpVenue
/// @notice A perpetual-futures exchange in miniature for one market: isolated margin per account, fills at the oracle
///         price plus size-dependent impact and a taker fee, per-second funding, maintenance margin and a real,
///         permissionless liquidation that closes the position and records bad debt. The venue itself (its owner's
///         liquidity) is the counterparty of every trade, as a perp AMM or an exchange's insurance fund would be.
/// @dev All account values are USD scaled by WAD; collateral moves in and out in its own decimals (6 for USDC).
///      Pausing makes the market reduce-only: position increases revert, while deposits, reductions, withdrawals
///      and liquidations stay open so that no account is ever trapped and any account can still add margin.
contract MockPerpVenue is IMockPerpVenue, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SignedWadMath for int256;

    uint256 private constant WAD = 1e18;
    /// @dev Sizes beyond 1e30 base units (1e12 whole units) are rejected, so that sizes and USD values (up to a price
    ///      of about 1.7e8 USD per unit) fit the int128 fields of a packed position.
    uint256 private constant MAX_ABS_SIZE = 1e30;
    /// @dev Funding rates are bounded at 1% per hour (in WAD per second) so a typo cannot wipe out accounts at once.
    int256 private constant MAX_FUNDING_RATE = int256(0.01e18) / 3600;

    IERC20 private immutable _COLLATERAL;
    IOracleAdapter private immutable _ORACLE;
    /// @dev 10 ** (18 - collateral decimals): collateral units -> USD WAD.
    uint256 private immutable _TO_WAD;

    /// @dev Funding and pause state, one slot: read by every operation, written at most once per transaction.
    struct MarketState {
        int64 fundingRatePerSecond; // WAD per second, positive: longs pay shorts
        int120 fundingIndex; // cumulative funding per base unit (USD WAD per 1e18 size)
        uint64 lastFundingTime; // when `fundingIndex` was last accrued
        bool paused; // reduce-only mode
    }

    MarketParams private _params;
    MarketState private _market;
    mapping(address account => Position) private _positions;
    mapping(address account => uint256 count) private _liquidations;
    uint128 private _openInterestLong;
    uint128 private _openInterestShort;
    /// @inheritdoc IMockPerpVenue
    uint128 public override feesCollected;
    uint128 private _totalBadDebt;

    constructor(
        IERC20 collateral_,
        uint8 collateralDecimals,
        IOracleAdapter oracle_,
        MarketParams memory params_
    ) Ownable(msg.sender) {
        if (address(collateral_) == address(0) || address(oracle_) == address(0)) revert ZeroAddress();
        if (collateralDecimals > 18) revert InvalidMarketParams();
        _COLLATERAL = collateral_;
        _ORACLE = oracle_;
        _TO_WAD = 10 ** (18 - collateralDecimals);
        _setParams(params_);
        _market.lastFundingTime = uint64(block.timestamp);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Admin
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IMockPerpVenue
    function setParams(MarketParams calldata newParams) external override onlyOwner {
        _setParams(newParams);
    }

    /// @inheritdoc IMockPerpVenue
    function setFundingRate(int256 newRatePerSecond) external override onlyOwner {
        if (newRatePerSecond > MAX_FUNDING_RATE || newRatePerSecond < -MAX_FUNDING_RATE) revert InvalidMarketParams();
        MarketState memory ms = _market;
        ms.fundingIndex = SafeCast.toInt120(_indexAt(ms, _ORACLE.price()));
        ms.lastFundingTime = uint64(block.timestamp);
        // |rate| <= MAX_FUNDING_RATE (about 2.8e12) fits in int64.
        ms.fundingRatePerSecond = int64(newRatePerSecond);
        _market = ms;
        emit FundingRateSet(newRatePerSecond);
    }

    /// @inheritdoc IMockPerpVenue
    function setPaused(bool newPaused) external override onlyOwner {
        _market.paused = newPaused;
        emit PausedSet(newPaused);
    }

    /// @inheritdoc IMockPerpVenue
    function addLiquidity(uint256 amount) external override nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _COLLATERAL.safeTransferFrom(msg.sender, address(this), amount);
        emit LiquidityAdded(msg.sender, amount);
    }

    function _setParams(MarketParams memory p) private {
        if (
            p.maintenanceMarginRatio == 0 ||
            p.initialMarginRatio <= p.maintenanceMarginRatio ||
            p.initialMarginRatio > WAD ||
            p.takerFeeRate >= 0.1e18 ||
            p.maxPriceImpact >= 0.5e18 ||
            uint256(p.liquidatorFeeRate) + p.liquidationPenaltyRate > p.maintenanceMarginRatio ||
            p.maxOpenInterest == 0
        ) revert InvalidMarketParams();
        _params = p;
        emit MarketParamsSet(p);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Margin
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IMockPerpVenue
    function deposit(uint256 amount) external override nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _operate(amount, 0, 0, 0, msg.sender);
    }

    /// @inheritdoc IMockPerpVenue
    function withdraw(uint256 amount) external override nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _operate(0, amount, 0, 0, msg.sender);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Trading
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IMockPerpVenue
    function modifyPosition(
        int256 sizeDelta,
        uint256 acceptablePrice
    ) external override nonReentrant returns (uint256 fillPrice, uint256 fee, int256 equityAfter) {
        if (sizeDelta == 0) revert ZeroAmount();
        return _operate(0, 0, sizeDelta, acceptablePrice, msg.sender);
    }

    /// @inheritdoc IVenue
    function modifyPositionWithMargin(
        int256 marginDelta,
        int256 sizeDelta,
        uint256 acceptablePrice,
        address recipient
    ) public virtual override nonReentrant returns (uint256 fillPrice, uint256 fee, int256 equityAfter) {
        if (marginDelta == 0 && sizeDelta == 0) revert ZeroAmount();
        if (marginDelta < 0 && recipient == address(0)) revert ZeroAddress();
        uint256 magnitude = SignedMath.abs(marginDelta);
        return
            marginDelta > 0
                ? _operate(magnitude, 0, sizeDelta, acceptablePrice, recipient)
                : _operate(0, magnitude, sizeDelta, acceptablePrice, recipient);
    }

    /// @dev The one path every margin move and trade takes: accrue funding, settle the account, deposit, trade,
    ///      check margin, withdraw; the position is read once and written once (two slots).
    function _operate(
        uint256 depositAmount,
        uint256 withdrawal,
        int256 sizeDelta,
        uint256 acceptablePrice,
        address recipient
    ) private returns (uint256 fillPrice, uint256 fee, int256 equityAfter) {
        // Pull first: an amount the caller cannot pay fails here with the token's own error.
        if (depositAmount != 0) _COLLATERAL.safeTransferFrom(msg.sender, address(this), depositAmount);

        Position memory pos = _positions[msg.sender];
        // Margin moves of a position-less account need no price (0 when the oracle has none).
        uint256 price = pos.size == 0 && sizeDelta == 0 ? _priceOrZero() : _ORACLE.price();
        (fillPrice, fee, equityAfter) = _applyOperation(
            pos,
            price,
            depositAmount,
            withdrawal,
            sizeDelta,
            acceptablePrice
        );
        _finish(pos, depositAmount, withdrawal, recipient);
    }

    /// @inheritdoc IVenue
    function closeAtLastValidPrice()
        external
        override
        nonReentrant
        returns (uint256 fillPrice, uint256 fee, int256 equityAfter)
    {
        Position memory pos = _positions[msg.sender];
        if (pos.size == 0) revert NoPosition();
        (uint256 last, uint256 updatedAt) = _ORACLE.lastValidPrice();
        if (block.timestamp - updatedAt <= _ORACLE.maxStaleness()) revert OraclePriceAvailable();
        (fillPrice, fee, equityAfter) = _applyOperation(
            pos,
            last,
            0,
            0,
            -pos.size,
            pos.size > 0 ? 0 : type(uint256).max
        );
        _finish(pos, 0, 0, address(0));
    }

    /// @dev Writes the account back, then pays out the withdrawal, if any.
    function _finish(Position memory pos, uint256 depositAmount, uint256 withdrawal, address recipient) private {
        _positions[msg.sender] = pos;

        if (depositAmount != 0) emit Deposited(msg.sender, depositAmount);
        if (withdrawal != 0) {
            uint256 balance = _COLLATERAL.balanceOf(address(this));
            if (withdrawal > balance) revert InsufficientVenueLiquidity(withdrawal, balance);
            emit Withdrawn(msg.sender, recipient, withdrawal);
            _COLLATERAL.safeTransfer(recipient, withdrawal);
        }
    }

    /// @dev The market and account context of one operation (memory keeps the stack shallow).
    struct Context {
        int256 fundingIndex;
        bool paused;
        uint256 equityBefore; // floored at 0; only when the operation withdraws
        uint256 notionalBefore; // only when the operation withdraws
    }

    /// @dev Accrues funding, settles it into `pos` (memory), credits the deposit, trades, checks initial margin when
    ///      the position grows, debits the withdrawal. Returns the fill, the fee and the equity after everything.
    function _applyOperation(
        Position memory pos,
        uint256 price,
        uint256 depositAmount,
        uint256 withdrawal,
        int256 sizeDelta,
        uint256 acceptablePrice
    ) private returns (uint256 fillPrice, uint256 fee, int256 equityAfter) {
        Context memory ctx = _settle(pos, price, depositAmount);
        if (withdrawal != 0) {
            // Leverage before the trade, for the pro-rata withdrawal rule in `_freeAfter`.
            int256 eqBefore = _equity(pos, price, ctx.fundingIndex);
            ctx.equityBefore = eqBefore > 0 ? uint256(eqBefore) : 0;
            ctx.notionalBefore = _notional(pos.size, price);
        }
        fillPrice = price;
        bool increases;
        if (sizeDelta != 0) (fillPrice, fee, increases) = _trade(pos, sizeDelta, acceptablePrice, price, ctx.paused);
        equityAfter = _checkAndWithdraw(pos, price, ctx, increases, withdrawal);
    }

    /// @dev Accrues market funding, settles the account's into its margin and credits a deposit.
    function _settle(Position memory pos, uint256 price, uint256 depositAmount) private returns (Context memory ctx) {
        MarketState memory ms = _accrueFunding(price);
        ctx.fundingIndex = ms.fundingIndex;
        ctx.paused = ms.paused;
        int256 funding = _settleFundingMem(pos, ms.fundingIndex);
        if (funding != 0) emit FundingSettled(msg.sender, funding);
        if (depositAmount != 0) {
            pos.margin = SafeCast.toInt128(pos.margin + SafeCast.toInt256(depositAmount * _TO_WAD));
        }
    }

    /// @dev Initial margin after a trade that grew the position, then the withdrawal, if any.
    function _checkAndWithdraw(
        Position memory pos,
        uint256 price,
        Context memory ctx,
        bool increases,
        uint256 withdrawal
    ) private view returns (int256 equityAfter) {
        equityAfter = _equity(pos, price, ctx.fundingIndex);
        uint256 notionalAfter = _notional(pos.size, price);
        uint256 locked = Math.mulDiv(notionalAfter, _params.initialMarginRatio, WAD, Math.Rounding.Ceil);
        if (increases && equityAfter < SafeCast.toInt256(locked)) revert InsufficientMargin(equityAfter, locked);
        if (withdrawal == 0) return equityAfter;
        uint256 free = _freeAfter(equityAfter, locked, ctx, increases ? 0 : notionalAfter);
        if (withdrawal > free) revert WithdrawalExceedsFree(withdrawal, free);
        int256 withdrawalWad = SafeCast.toInt256(withdrawal * _TO_WAD);
        pos.margin = SafeCast.toInt128(pos.margin - withdrawalWad);
        equityAfter -= withdrawalWad;
    }

    /// @dev Whole collateral units that may leave an account after an operation: what keeps it above initial margin,
    ///      or, when the same operation shrank the position, what leaves its leverage no higher than before the
    ///      operation (equity kept >= equityBefore * notionalAfter / notionalBefore, rounded up). The second rule lets
    ///      a pro-rata exit (reduce and withdraw the same fraction) work at any leverage short of liquidation, so a
    ///      stressed account can always shrink, never grow its risk.
    function _freeAfter(
        int256 equityAfter,
        uint256 locked,
        Context memory ctx,
        uint256 notionalAfter
    ) private view returns (uint256) {
        if (equityAfter <= 0) return 0;
        uint256 eq = uint256(equityAfter);
        uint256 free = eq > locked ? eq - locked : 0;
        // notionalAfter is 0 when the operation grew the position: then only the initial-margin rule applies.
        if (notionalAfter != 0 && notionalAfter < ctx.notionalBefore && ctx.equityBefore != 0) {
            uint256 keep = Math.mulDiv(ctx.equityBefore, notionalAfter, ctx.notionalBefore, Math.Rounding.Ceil);
            if (eq > keep) free = Math.max(free, eq - keep);
        }
        return free / _TO_WAD;
    }

    /// @dev Fills `sizeDelta` into `pos` (memory) and books open interest and fees.
    function _trade(
        Position memory pos,
        int256 sizeDelta,
        uint256 acceptablePrice,
        uint256 price,
        bool isPaused
    ) private returns (uint256 fillPrice, uint256 fee, bool increases) {
        int256 oldSize = pos.size;
        if (SignedMath.abs(sizeDelta) > MAX_ABS_SIZE) revert SizeOutOfRange(sizeDelta);
        int256 newSize = oldSize + sizeDelta;
        if (SignedMath.abs(newSize) > MAX_ABS_SIZE) revert SizeOutOfRange(sizeDelta);
        // A flip crosses zero to the other side; a full close (newSize == 0) is a reduction, whatever the side.
        increases = SignedMath.abs(newSize) > SignedMath.abs(oldSize) || (newSize != 0 && (oldSize ^ newSize) < 0);
        if (isPaused && increases) revert VenuePaused();
        (fillPrice, fee) = _quote(sizeDelta, price);
        if (sizeDelta > 0 ? fillPrice > acceptablePrice : fillPrice < acceptablePrice) {
            revert PriceLimitExceeded(fillPrice, acceptablePrice);
        }
        int256 realizedPnl = _applyFill(pos, sizeDelta, fillPrice, fee);
        _updateOpenInterest(oldSize, newSize);
        feesCollected += uint128(fee); // fee < 10% of a notional bounded by MAX_ABS_SIZE, far below 2^128
        emit PositionModified(msg.sender, sizeDelta, fillPrice, fee, newSize, realizedPnl);
    }

    /// @inheritdoc IVenue
    function previewTrade(
        address account,
        int256 sizeDelta
    ) public view virtual override returns (uint256 fillPrice, uint256 fee, int256 equityAfter) {
        uint256 price = _ORACLE.price();
        int256 index = _indexAt(_market, price);
        Position memory pos = _positions[account];
        _settleFundingMem(pos, index);
        if (sizeDelta == 0) return (price, 0, _equity(pos, price, index));
        (fillPrice, fee) = _quote(sizeDelta, price);
        _applyFill(pos, sizeDelta, fillPrice, fee);
        equityAfter = _equity(pos, price, index);
    }

    /// @dev Books a fill of `delta` at `fill` plus `fee` into cost basis and margin. Equity moves by exactly
    ///      `floor(newSize * mark) - floor(oldSize * mark) - ceil(delta * fill) - fee` whatever is realised, because
    ///      realised PnL leaves `openNotional` and enters `margin` as the same number. Costs round up (against the
    ///      trader). Shared by execution and preview so the two can never disagree.
    function _applyFill(
        Position memory pos,
        int256 delta,
        uint256 fill,
        uint256 fee
    ) private pure returns (int256 realizedPnl) {
        int256 oldSize = pos.size;
        int256 newSize = oldSize + delta;
        int256 margin = pos.margin - SafeCast.toInt256(fee);
        int256 basis = pos.openNotional;
        if (oldSize == 0 || (oldSize ^ delta) >= 0) {
            // Opening or adding on the same side.
            basis += delta.mulWadCeil(fill);
        } else {
            // Reducing, closing or flipping.
            uint256 absOld = SignedMath.abs(oldSize);
            uint256 absDelta = SignedMath.abs(delta);
            bool closesAll = absDelta >= absOld;
            int256 closed = closesAll ? -oldSize : delta; // the part of delta that reduces oldSize
            int256 basisClosed = basis;
            if (!closesAll) {
                int256 magnitude = SafeCast.toInt256(MulDiv.down(SignedMath.abs(basis), absDelta, absOld));
                basisClosed = basis >= 0 ? magnitude : -magnitude;
            }
            realizedPnl = -closed.mulWadCeil(fill) - basisClosed;
            margin += realizedPnl;
            basis -= basisClosed;
            if (newSize != 0 && (oldSize ^ newSize) < 0) {
                // Flipped through zero: the remainder opens a new position on the other side.
                basis += newSize.mulWadCeil(fill);
            }
        }
        pos.size = SafeCast.toInt128(newSize);
        pos.margin = SafeCast.toInt128(margin);
        pos.openNotional = SafeCast.toInt128(basis);
    }

    function _updateOpenInterest(int256 oldSize, int256 newSize) private {
        // Sizes are bounded by MAX_ABS_SIZE (1e36 < 2^128), so the narrowing casts below are exact.
        uint256 oldLong = oldSize > 0 ? uint256(oldSize) : 0;
        uint256 oldShort = oldSize < 0 ? SignedMath.abs(oldSize) : 0;
        uint256 newLong = newSize > 0 ? uint256(newSize) : 0;
        uint256 newShort = newSize < 0 ? SignedMath.abs(newSize) : 0;
        if (newLong != oldLong) {
            uint256 oi = _openInterestLong - oldLong + newLong;
            if (newLong > oldLong && oi > _params.maxOpenInterest) {
                revert OpenInterestCapExceeded(oi, _params.maxOpenInterest);
            }
            _openInterestLong = uint128(oi);
        }
        if (newShort != oldShort) {
            uint256 oi = _openInterestShort - oldShort + newShort;
            if (newShort > oldShort && oi > _params.maxOpenInterest) {
                revert OpenInterestCapExceeded(oi, _params.maxOpenInterest);
            }
            _openInterestShort = uint128(oi);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Liquidation
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The outcome of one liquidation, in memory (keeps the stack shallow).
    struct Liquidation {
        int256 size;
        uint256 price;
        int256 funding;
        uint256 feeWad;
        uint256 penaltyWad;
        uint256 badDebt;
    }

    /// @inheritdoc IMockPerpVenue
    function liquidate(address account) external override nonReentrant returns (uint256 liquidatorFee) {
        Liquidation memory liq = _closeUnderwater(account);
        // The venue pays the liquidator in full, from the account first and its own liquidity for the rest.
        liquidatorFee = liq.feeWad / _TO_WAD;
        if (liq.funding != 0) emit FundingSettled(account, liq.funding);
        emit Liquidated(account, msg.sender, liq.size, liq.price, liquidatorFee, liq.penaltyWad, liq.badDebt);
        if (liquidatorFee != 0) _COLLATERAL.safeTransfer(msg.sender, liquidatorFee);
    }

    /// @dev Checks the account is below maintenance margin and closes it at mark: its margin becomes its equity less
    ///      what the liquidation takes.
    function _closeUnderwater(address account) private returns (Liquidation memory liq) {
        liq.price = _ORACLE.price();
        MarketState memory ms = _accrueFunding(liq.price);
        Position memory pos = _positions[account];
        liq.funding = _settleFundingMem(pos, ms.fundingIndex);
        liq.size = pos.size;
        int256 eq = _equity(pos, liq.price, ms.fundingIndex);
        uint256 notional_ = _notional(liq.size, liq.price);
        MarketParams memory p = _params;
        uint256 maintenance = MulDiv.down(notional_, p.maintenanceMarginRatio, WAD);
        if (liq.size == 0 || eq >= SafeCast.toInt256(maintenance)) revert NotLiquidatable(account, eq, maintenance);

        _updateOpenInterest(liq.size, 0);
        uint256 remaining;
        (liq.feeWad, liq.penaltyWad, liq.badDebt, remaining) = _liquidationSplit(eq, notional_, p);
        pos.size = 0;
        pos.openNotional = 0;
        pos.margin = SafeCast.toInt128(SafeCast.toInt256(remaining));
        _positions[account] = pos;
        _totalBadDebt += SafeCast.toUint128(liq.badDebt);
        feesCollected += SafeCast.toUint128(liq.penaltyWad);
        _liquidations[account] += 1;
    }

    /// @dev How a liquidated account's equity is split: the liquidator's fee first, then the venue's penalty, the rest
    ///      stays with the account. Bad debt is everything the venue pays beyond the account's equity: negative equity
    ///      plus any part of the liquidator's fee the account could not cover.
    function _liquidationSplit(
        int256 eq,
        uint256 notional_,
        MarketParams memory p
    ) private pure returns (uint256 feeWad, uint256 penaltyWad, uint256 badDebt, uint256 remaining) {
        feeWad = MulDiv.down(notional_, p.liquidatorFeeRate, WAD);
        if (eq < 0) return (feeWad, 0, SignedMath.abs(eq) + feeWad, 0);
        uint256 available = uint256(eq);
        uint256 fromAccount = Math.min(available, feeWad);
        badDebt = feeWad - fromAccount;
        penaltyWad = Math.min(available - fromAccount, MulDiv.down(notional_, p.liquidationPenaltyRate, WAD));
        remaining = available - fromAccount - penaltyWad;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Funding
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The funding index at `block.timestamp`: per base unit, rate (WAD/s) * seconds * price (WAD) / WAD,
    ///      rounded towards -infinity, identically in views and in accrual so that both always agree.
    function _indexAt(MarketState memory ms, uint256 price) private view returns (int256) {
        int256 rate = ms.fundingRatePerSecond;
        if (rate == 0 || block.timestamp == ms.lastFundingTime) return ms.fundingIndex;
        int256 elapsed = SafeCast.toInt256(block.timestamp - ms.lastFundingTime);
        return ms.fundingIndex + (rate * elapsed).mulWadFloor(price);
    }

    /// @dev Accrues funding into the index. With a zero rate nothing changes and nothing is written:
    ///      `setFundingRate` always restarts the clock when the rate changes.
    ///      Without a price (0: a position-less account's margin move while the oracle has none) the clock does not
    ///      move either, so the next accrual covers the whole period at its own price, as the views do.
    function _accrueFunding(uint256 price) private returns (MarketState memory ms) {
        ms = _market;
        if (ms.fundingRatePerSecond == 0 || block.timestamp == ms.lastFundingTime || price == 0) return ms;
        ms.fundingIndex = SafeCast.toInt120(_indexAt(ms, price));
        ms.lastFundingTime = uint64(block.timestamp);
        _market = ms;
    }

    /// @dev Funding owed by an account since its snapshot (positive: it pays). Rounded up, against the account,
    ///      so the venue never pays out more funding than it collects.
    function _fundingOwed(Position memory pos, int256 index) private pure returns (int256) {
        if (pos.size == 0) return 0;
        int256 change = index - pos.fundingIndex;
        // owed = size * change / WAD, towards +infinity; ceil(-x) = -floor(x) handles a falling index.
        return
            change >= 0
                ? int256(pos.size).mulDivCeil(uint256(change), WAD)
                : -int256(pos.size).mulDivFloor(SignedMath.abs(change), WAD);
    }

    /// @dev Moves owed funding into margin and snapshots the index; returns what was paid (negative: received).
    function _settleFundingMem(Position memory pos, int256 index) private pure returns (int256 owed) {
        if (pos.fundingIndex == index) return 0;
        owed = _fundingOwed(pos, index);
        pos.fundingIndex = SafeCast.toInt128(index);
        pos.margin = SafeCast.toInt128(pos.margin - owed);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @dev The oracle's current price, or 0 when it has none.
    function _priceOrZero() private view returns (uint256) {
        try _ORACLE.price() returns (uint256 price) {
            return price;
        } catch {
            return 0;
        }
    }

    function _equity(Position memory pos, uint256 price, int256 index) private pure returns (int256) {
        return int256(pos.margin) + int256(pos.size).mulWadFloor(price) - pos.openNotional - _fundingOwed(pos, index);
    }

    function _notional(int256 size, uint256 price) private pure returns (uint256) {
        return MulDiv.down(SignedMath.abs(size), price, WAD);
    }

    function _quote(int256 sizeDelta, uint256 price) private view returns (uint256 fillPrice, uint256 fee) {
        // A storage pointer, not a memory copy: pricing reads the first slot of `_params` only (a copy would read
        // all three, two of them cold).
        MarketParams storage p = _params;
        uint256 absDelta = SignedMath.abs(sizeDelta);
        uint256 tradeNotional = MulDiv.down(absDelta, price, WAD);
        uint256 impact = Math.min(
            Math.mulDiv(tradeNotional, p.impactPerNotional, WAD, Math.Rounding.Ceil),
            p.maxPriceImpact
        );
        // Buyers fill above mark and sellers below; both rounded against the trader.
        fillPrice =
            sizeDelta > 0
                ? Math.mulDiv(price, WAD + impact, WAD, Math.Rounding.Ceil)
                : MulDiv.down(price, WAD - impact, WAD);
        uint256 fillNotional = Math.mulDiv(absDelta, fillPrice, WAD, Math.Rounding.Ceil);
        fee = Math.mulDiv(fillNotional, p.takerFeeRate, WAD, Math.Rounding.Ceil);
    }

    /// @inheritdoc IVenue
    function quoteTradeAt(
        int256 sizeDelta,
        uint256 markPriceWad
    ) external view virtual override returns (uint256 fillPrice, uint256 fee) {
        return _quote(sizeDelta, markPriceWad);
    }

    /// @inheritdoc IMockPerpVenue
    function markPrice() external view override returns (uint256) {
        return _ORACLE.price();
    }

    /// @inheritdoc IVenue
    function accountSnapshot(
        address account
    ) external view virtual override returns (int256 size, int256 eq, uint256 price) {
        Position storage pos = _positions[account];
        size = pos.size;
        // A position-less account is valued without a price (its equity is its margin).
        price = size == 0 ? _priceOrZero() : _ORACLE.price();
        eq = _equity(pos, price, _indexAt(_market, price));
    }

    /// @inheritdoc IMockPerpVenue
    function equity(address account) public view override returns (int256) {
        uint256 price = _ORACLE.price();
        return _equity(_positions[account], price, _indexAt(_market, price));
    }

    /// @inheritdoc IMockPerpVenue
    function leverage(address account) external view override returns (uint256) {
        uint256 price = _ORACLE.price();
        Position storage pos = _positions[account];
        if (pos.size == 0) return 0;
        int256 eq = _equity(pos, price, _indexAt(_market, price));
        if (eq <= 0) return type(uint256).max;
        return MulDiv.down(_notional(pos.size, price), WAD, uint256(eq));
    }

    /// @inheritdoc IVenue
    function marginRatio(address account) external view override returns (int256) {
        uint256 price = _ORACLE.price();
        Position storage pos = _positions[account];
        uint256 notional_ = _notional(pos.size, price);
        if (notional_ == 0) return type(int256).max;
        return _equity(pos, price, _indexAt(_market, price)).mulDivFloor(WAD, notional_);
    }

    /// @inheritdoc IVenue
    function liquidationPrice(address account) external view override returns (uint256) {
        uint256 price = _ORACLE.price();
        Position storage pos = _positions[account];
        int256 size = pos.size;
        if (size == 0) return 0;
        // Equity is affine in the mark price: E(P) = c + size * P, with c = equity now - size * price now.
        int256 c = _equity(pos, price, _indexAt(_market, price)) - size.mulWadFloor(price);
        uint256 m = _params.maintenanceMarginRatio;
        if (size > 0) {
            // c + s P = m s P  =>  P = -c / (s (1 - m))
            if (c >= 0) return 0;
            return MulDiv.down(SignedMath.abs(c), WAD * WAD, uint256(size) * (WAD - m));
        }
        // c - |s| P = m |s| P  =>  P = c / (|s| (1 + m))
        if (c <= 0) return 0;
        return MulDiv.down(uint256(c), WAD * WAD, SignedMath.abs(size) * (WAD + m));
    }

    /// @inheritdoc IVenue
    function isLiquidatable(address account) external view override returns (bool) {
        uint256 price = _ORACLE.price();
        Position storage pos = _positions[account];
        if (pos.size == 0) return false;
        int256 eq = _equity(pos, price, _indexAt(_market, price));
        return eq < SafeCast.toInt256(MulDiv.down(_notional(pos.size, price), _params.maintenanceMarginRatio, WAD));
    }

    /// @inheritdoc IVenue
    function liquidationCount(address account) external view override returns (uint256) {
        return _liquidations[account];
    }

    /// @inheritdoc IMockPerpVenue
    function position(address account) external view override returns (Position memory) {
        return _positions[account];
    }

    /// @inheritdoc IVenue
    function maxLeverage() external view override returns (uint256) {
        return MulDiv.down(WAD, WAD, _params.initialMarginRatio);
    }

    /// @inheritdoc IVenue
    function settlement() external pure override returns (Settlement) {
        return Settlement.SYNCHRONOUS; // every trade fills, or reverts, in the call
    }

    /// @inheritdoc IVenue
    function collateral() external view override returns (IERC20) {
        return _COLLATERAL;
    }

    /// @inheritdoc IVenue
    function oracle() external view override returns (IOracleAdapter) {
        return _ORACLE;
    }

    /// @inheritdoc IMockPerpVenue
    function params() external view override returns (MarketParams memory) {
        return _params;
    }

    /// @inheritdoc IVenue
    function paused() external view override returns (bool) {
        return _market.paused;
    }

    /// @inheritdoc IMockPerpVenue
    function fundingRatePerSecond() external view override returns (int256) {
        return _market.fundingRatePerSecond;
    }

    /// @inheritdoc IMockPerpVenue
    function cumulativeFundingPerUnit() external view override returns (int256) {
        return _indexAt(_market, _ORACLE.price());
    }

    /// @inheritdoc IMockPerpVenue
    function lastFundingTime() external view override returns (uint256) {
        return _market.lastFundingTime;
    }

    /// @inheritdoc IMockPerpVenue
    function openInterestLong() external view override returns (uint256) {
        return _openInterestLong;
    }

    /// @inheritdoc IMockPerpVenue
    function openInterestShort() external view override returns (uint256) {
        return _openInterestShort;
    }

    /// @inheritdoc IMockPerpVenue
    function totalBadDebt() external view override returns (uint256) {
        return _totalBadDebt;
    }
}
