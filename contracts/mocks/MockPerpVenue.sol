// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {IPerpVenue} from "../interfaces/IPerpVenue.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {SignedWadMath} from "../libraries/SignedWadMath.sol";

/// @title MockPerpVenue
/// @notice A perpetual-futures exchange in miniature for one market: isolated margin per account, fills at the oracle
///         price plus size-dependent impact and a taker fee, per-second funding, maintenance margin and a real,
///         permissionless liquidation that closes the position and records bad debt. The venue itself (its owner's
///         liquidity) is the counterparty of every trade, as a perp AMM or an exchange's insurance fund would be.
/// @dev All account values are USD scaled by WAD; collateral moves in and out in its own decimals (6 for USDC).
///      Pausing makes the market reduce-only: deposits and position increases revert, while reductions, withdrawals
///      and liquidations stay open so that no account is ever trapped.
contract MockPerpVenue is IPerpVenue, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SignedWadMath for int256;

    uint256 private constant WAD = 1e18;
    /// @dev Sizes beyond 1e36 base units (1e18 whole units) are rejected so no product below can overflow.
    uint256 private constant MAX_ABS_SIZE = 1e36;
    /// @dev Funding rates are bounded at 1% per hour (in WAD per second) so a typo cannot wipe out accounts at once.
    int256 private constant MAX_FUNDING_RATE = int256(0.01e18) / 3600;

    IERC20 private immutable _COLLATERAL;
    IOracleAdapter private immutable _ORACLE;
    /// @dev 10 ** (18 - collateral decimals): collateral units -> USD WAD.
    uint256 private immutable _TO_WAD;

    MarketParams private _params;
    mapping(address account => Position) private _positions;
    mapping(address account => uint256 count) private _liquidations;

    /// @inheritdoc IPerpVenue
    bool public override paused;
    /// @inheritdoc IPerpVenue
    int256 public override fundingRatePerSecond;
    /// @notice Cumulative funding paid per base unit (USD WAD per 1e18 size) since deployment.
    int256 public cumulativeFundingPerUnit;
    /// @notice Last time funding was accrued into `cumulativeFundingPerUnit`.
    uint256 public lastFundingTime;
    /// @inheritdoc IPerpVenue
    uint256 public override openInterestLong;
    /// @inheritdoc IPerpVenue
    uint256 public override openInterestShort;
    /// @inheritdoc IPerpVenue
    uint256 public override totalBadDebt;
    /// @notice Taker fees and liquidation penalties collected (USD, WAD).
    uint256 public feesCollected;

    constructor(IERC20 collateral_, uint8 collateralDecimals, IOracleAdapter oracle_, MarketParams memory params_)
        Ownable(msg.sender)
    {
        if (address(collateral_) == address(0) || address(oracle_) == address(0)) revert ZeroAddress();
        if (collateralDecimals > 18) revert InvalidMarketParams();
        _COLLATERAL = collateral_;
        _ORACLE = oracle_;
        _TO_WAD = 10 ** (18 - collateralDecimals);
        _setParams(params_);
        lastFundingTime = block.timestamp;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Admin
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Sets the risk and cost parameters.
    function setParams(MarketParams calldata newParams) external onlyOwner {
        _setParams(newParams);
    }

    /// @notice Sets the funding rate (WAD per second; positive: longs pay shorts). Accrues the old rate first.
    function setFundingRate(int256 newRatePerSecond) external onlyOwner {
        if (newRatePerSecond > MAX_FUNDING_RATE || newRatePerSecond < -MAX_FUNDING_RATE) revert InvalidMarketParams();
        _accrueFunding(_ORACLE.price());
        fundingRatePerSecond = newRatePerSecond;
        emit FundingRateSet(newRatePerSecond);
    }

    /// @notice Reduce-only mode on or off.
    function setPaused(bool newPaused) external onlyOwner {
        paused = newPaused;
        emit PausedSet(newPaused);
    }

    /// @notice Adds counterparty liquidity that pays traders' profits. Anyone may add; nobody may take it out.
    function addLiquidity(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _COLLATERAL.safeTransferFrom(msg.sender, address(this), amount);
        emit LiquidityAdded(msg.sender, amount);
    }

    function _setParams(MarketParams memory p) private {
        if (
            p.maintenanceMarginRatio == 0 || p.initialMarginRatio <= p.maintenanceMarginRatio
                || p.initialMarginRatio > WAD || p.takerFeeRate >= 0.1e18 || p.maxPriceImpact >= 0.5e18
                || uint256(p.liquidatorFeeRate) + p.liquidationPenaltyRate > p.maintenanceMarginRatio
                || p.maxOpenInterest == 0
        ) revert InvalidMarketParams();
        _params = p;
        emit MarketParamsSet(p);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Margin
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPerpVenue
    function deposit(uint256 amount) external override nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (paused) revert VenuePaused();
        _COLLATERAL.safeTransferFrom(msg.sender, address(this), amount);
        _positions[msg.sender].margin += SafeCast.toInt256(amount * _TO_WAD);
        emit Deposited(msg.sender, amount);
    }

    /// @inheritdoc IPerpVenue
    function withdraw(uint256 amount) external override nonReentrant {
        _withdraw(amount, msg.sender);
    }

    /// @inheritdoc IPerpVenue
    function withdrawTo(uint256 amount, address to) external override nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _withdraw(amount, to);
    }

    function _withdraw(uint256 amount, address to) private {
        if (amount == 0) revert ZeroAmount();
        uint256 price = _ORACLE.price();
        _accrueFunding(price);
        Position storage pos = _settleFunding(msg.sender);

        uint256 free = _freeCollateral(pos, price);
        if (amount > free) revert WithdrawalExceedsFree(amount, free);
        uint256 balance = _COLLATERAL.balanceOf(address(this));
        if (amount > balance) revert InsufficientVenueLiquidity(amount, balance);

        pos.margin -= SafeCast.toInt256(amount * _TO_WAD);
        emit Withdrawn(msg.sender, to, amount);
        _COLLATERAL.safeTransfer(to, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Trading
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPerpVenue
    function modifyPosition(int256 sizeDelta, uint256 acceptablePrice)
        external
        override
        nonReentrant
        returns (uint256 fillPrice, uint256 fee, int256 equityAfter)
    {
        if (sizeDelta == 0) revert ZeroAmount();
        if (SignedMath.abs(sizeDelta) > MAX_ABS_SIZE) revert SizeOutOfRange(sizeDelta);

        uint256 price = _ORACLE.price();
        _accrueFunding(price);
        int256 index = cumulativeFundingPerUnit;
        Position memory pos = _positions[msg.sender];
        int256 funding = _settleFundingMem(pos, index);

        int256 oldSize = pos.size;
        int256 newSize = oldSize + sizeDelta;
        if (SignedMath.abs(newSize) > MAX_ABS_SIZE) revert SizeOutOfRange(sizeDelta);
        bool increases = SignedMath.abs(newSize) > SignedMath.abs(oldSize) || (oldSize ^ newSize) < 0;
        if (paused && increases) revert VenuePaused();

        (fillPrice, fee) = _quote(sizeDelta, price);
        if (sizeDelta > 0 ? fillPrice > acceptablePrice : fillPrice < acceptablePrice) {
            revert SlippageExceeded(fillPrice, acceptablePrice);
        }
        int256 realizedPnl = _applyFill(pos, sizeDelta, fillPrice, fee);
        equityAfter = _equity(pos, price, index);
        if (increases) {
            uint256 required =
                Math.mulDiv(_notional(newSize, price), _params.initialMarginRatio, WAD, Math.Rounding.Ceil);
            if (equityAfter < SafeCast.toInt256(required)) revert InsufficientMargin(equityAfter, required);
        }

        _positions[msg.sender] = pos;
        feesCollected += fee;
        _updateOpenInterest(oldSize, newSize);
        if (funding != 0) emit FundingSettled(msg.sender, funding);
        emit PositionModified(msg.sender, sizeDelta, fillPrice, fee, newSize, realizedPnl);
    }

    /// @inheritdoc IPerpVenue
    function previewTrade(address account, int256 sizeDelta)
        external
        view
        override
        returns (uint256 fillPrice, uint256 fee, int256 equityAfter)
    {
        uint256 price = _ORACLE.price();
        int256 index = _pendingFundingIndex(price);
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
    function _applyFill(Position memory pos, int256 delta, uint256 fill, uint256 fee)
        private
        pure
        returns (int256 realizedPnl)
    {
        int256 oldSize = pos.size;
        int256 newSize = oldSize + delta;
        pos.size = newSize;
        pos.margin -= SafeCast.toInt256(fee);
        if (oldSize == 0 || (oldSize ^ delta) >= 0) {
            // Opening or adding on the same side.
            pos.openNotional += delta.mulWadCeil(fill);
            return 0;
        }
        // Reducing, closing or flipping.
        uint256 absOld = SignedMath.abs(oldSize);
        uint256 absDelta = SignedMath.abs(delta);
        bool closesAll = absDelta >= absOld;
        int256 closed = closesAll ? -oldSize : delta; // the part of delta that reduces oldSize
        int256 basisClosed = pos.openNotional;
        if (!closesAll) {
            int256 magnitude = SafeCast.toInt256(Math.mulDiv(SignedMath.abs(basisClosed), absDelta, absOld));
            basisClosed = basisClosed >= 0 ? magnitude : -magnitude;
        }
        realizedPnl = -closed.mulWadCeil(fill) - basisClosed;
        pos.margin += realizedPnl;
        pos.openNotional -= basisClosed;
        if (newSize != 0 && (oldSize ^ newSize) < 0) {
            // Flipped through zero: the remainder opens a new position on the other side.
            pos.openNotional += newSize.mulWadCeil(fill);
        }
    }

    function _updateOpenInterest(int256 oldSize, int256 newSize) private {
        uint256 oldLong = oldSize > 0 ? uint256(oldSize) : 0;
        uint256 oldShort = oldSize < 0 ? SignedMath.abs(oldSize) : 0;
        uint256 newLong = newSize > 0 ? uint256(newSize) : 0;
        uint256 newShort = newSize < 0 ? SignedMath.abs(newSize) : 0;
        uint256 cap = _params.maxOpenInterest;
        if (newLong != oldLong) {
            uint256 oi = openInterestLong - oldLong + newLong;
            if (newLong > oldLong && oi > cap) revert OpenInterestCapExceeded(oi, cap);
            openInterestLong = oi;
        }
        if (newShort != oldShort) {
            uint256 oi = openInterestShort - oldShort + newShort;
            if (newShort > oldShort && oi > cap) revert OpenInterestCapExceeded(oi, cap);
            openInterestShort = oi;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Liquidation
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IPerpVenue
    function liquidate(address account) external override nonReentrant returns (uint256 liquidatorFee) {
        uint256 price = _ORACLE.price();
        _accrueFunding(price);
        Position storage pos = _settleFunding(account);

        int256 size = pos.size;
        int256 eq = _equity(pos, price, cumulativeFundingPerUnit);
        uint256 notional_ = _notional(size, price);
        uint256 maintenance = Math.mulDiv(notional_, _params.maintenanceMarginRatio, WAD);
        if (size == 0 || eq >= SafeCast.toInt256(maintenance)) revert NotLiquidatable(account, eq, maintenance);

        // Close at mark: the account's margin becomes its equity.
        _updateOpenInterest(size, 0);
        pos.size = 0;
        pos.openNotional = 0;
        pos.margin = eq;

        uint256 feeWad = Math.mulDiv(notional_, _params.liquidatorFeeRate, WAD);
        uint256 penaltyWad = Math.mulDiv(notional_, _params.liquidationPenaltyRate, WAD);
        uint256 badDebt;
        if (eq < 0) {
            badDebt = SignedMath.abs(eq);
            pos.margin = 0;
            penaltyWad = 0;
        } else {
            uint256 available = uint256(eq);
            uint256 fromAccount = Math.min(available, feeWad);
            penaltyWad = Math.min(available - fromAccount, penaltyWad);
            pos.margin = SafeCast.toInt256(available - fromAccount - penaltyWad);
        }
        totalBadDebt += badDebt;
        feesCollected += penaltyWad;
        _liquidations[account] += 1;

        // The venue pays the liquidator in full, from the account first and its own liquidity for the rest.
        liquidatorFee = feeWad / _TO_WAD;
        emit Liquidated(account, msg.sender, size, price, liquidatorFee, penaltyWad, badDebt);
        if (liquidatorFee != 0) _COLLATERAL.safeTransfer(msg.sender, liquidatorFee);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Funding
    // ------------------------------------------------------------------------------------------------------------

    function _pendingFundingIndex(uint256 price) private view returns (int256) {
        uint256 elapsed = block.timestamp - lastFundingTime;
        if (elapsed == 0 || fundingRatePerSecond == 0) return cumulativeFundingPerUnit;
        // Per base unit: rate (WAD/s) * seconds * price (WAD) / WAD; rounded towards -infinity, identically in
        // views and in settlement so that both always agree.
        return cumulativeFundingPerUnit + (fundingRatePerSecond * SafeCast.toInt256(elapsed)).mulWadFloor(price);
    }

    function _accrueFunding(uint256 price) private {
        if (block.timestamp == lastFundingTime) return;
        cumulativeFundingPerUnit = _pendingFundingIndex(price);
        lastFundingTime = block.timestamp;
    }

    /// @dev Funding owed by an account since its snapshot (positive: it pays). Rounded up, against the account,
    ///      so the venue never pays out more funding than it collects.
    function _fundingOwed(Position memory pos, int256 index) private pure returns (int256) {
        if (pos.size == 0) return 0;
        int256 change = index - pos.fundingIndex;
        // owed = size * change / WAD, towards +infinity; ceil(-x) = -floor(x) handles a falling index.
        return change >= 0
            ? pos.size.mulDivCeil(uint256(change), WAD)
            : -pos.size.mulDivFloor(SignedMath.abs(change), WAD);
    }

    /// @dev Moves owed funding into margin and snapshots the index; returns what was paid (negative: received).
    function _settleFundingMem(Position memory pos, int256 index) private pure returns (int256 owed) {
        if (pos.fundingIndex == index) return 0;
        owed = _fundingOwed(pos, index);
        pos.fundingIndex = index;
        pos.margin -= owed;
    }

    /// @dev Settles funding of a stored position.
    function _settleFunding(address account) private returns (Position storage pos) {
        pos = _positions[account];
        Position memory mem = pos;
        int256 owed = _settleFundingMem(mem, cumulativeFundingPerUnit);
        if (mem.fundingIndex == pos.fundingIndex) return pos;
        pos.fundingIndex = mem.fundingIndex;
        pos.margin = mem.margin;
        if (owed != 0) emit FundingSettled(account, owed);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    function _equity(Position memory pos, uint256 price, int256 index) private pure returns (int256) {
        return pos.margin + pos.size.mulWadFloor(price) - pos.openNotional - _fundingOwed(pos, index);
    }

    function _notional(int256 size, uint256 price) private pure returns (uint256) {
        return Math.mulDiv(SignedMath.abs(size), price, WAD);
    }

    function _freeCollateral(Position memory pos, uint256 price) private view returns (uint256) {
        int256 eq = _equity(pos, price, cumulativeFundingPerUnit);
        uint256 locked = Math.mulDiv(_notional(pos.size, price), _params.initialMarginRatio, WAD, Math.Rounding.Ceil);
        if (eq <= SafeCast.toInt256(locked)) return 0;
        // Only whole collateral units leave; the dust below one unit stays as margin.
        return (uint256(eq) - locked) / _TO_WAD;
    }

    function _quote(int256 sizeDelta, uint256 price) private view returns (uint256 fillPrice, uint256 fee) {
        MarketParams memory p = _params;
        uint256 absDelta = SignedMath.abs(sizeDelta);
        uint256 tradeNotional = Math.mulDiv(absDelta, price, WAD);
        uint256 impact =
            Math.min(Math.mulDiv(tradeNotional, p.impactPerNotional, WAD, Math.Rounding.Ceil), p.maxPriceImpact);
        // Buyers fill above mark and sellers below; both rounded against the trader.
        fillPrice = sizeDelta > 0
            ? Math.mulDiv(price, WAD + impact, WAD, Math.Rounding.Ceil)
            : Math.mulDiv(price, WAD - impact, WAD, Math.Rounding.Floor);
        uint256 fillNotional = Math.mulDiv(absDelta, fillPrice, WAD, Math.Rounding.Ceil);
        fee = Math.mulDiv(fillNotional, p.takerFeeRate, WAD, Math.Rounding.Ceil);
    }

    /// @inheritdoc IPerpVenue
    function quoteTrade(int256 sizeDelta) external view override returns (uint256 fillPrice, uint256 fee) {
        return _quote(sizeDelta, _ORACLE.price());
    }

    /// @inheritdoc IPerpVenue
    function quoteTradeAt(int256 sizeDelta, uint256 markPriceWad)
        external
        view
        override
        returns (uint256 fillPrice, uint256 fee)
    {
        return _quote(sizeDelta, markPriceWad);
    }

    /// @inheritdoc IPerpVenue
    function markPrice() external view override returns (uint256) {
        return _ORACLE.price();
    }

    /// @inheritdoc IPerpVenue
    function accountSnapshot(address account) external view override returns (int256 size, int256 eq, uint256 price) {
        price = _ORACLE.price();
        Position storage pos = _positions[account];
        size = pos.size;
        eq = _equity(pos, price, _pendingFundingIndex(price));
    }

    /// @inheritdoc IPerpVenue
    function equity(address account) public view override returns (int256) {
        uint256 price = _ORACLE.price();
        return _equity(_positions[account], price, _pendingFundingIndex(price));
    }

    /// @inheritdoc IPerpVenue
    function notional(address account) external view override returns (uint256) {
        return _notional(_positions[account].size, _ORACLE.price());
    }

    /// @inheritdoc IPerpVenue
    function leverage(address account) external view override returns (uint256) {
        uint256 price = _ORACLE.price();
        Position storage pos = _positions[account];
        if (pos.size == 0) return 0;
        int256 eq = _equity(pos, price, _pendingFundingIndex(price));
        if (eq <= 0) return type(uint256).max;
        return Math.mulDiv(_notional(pos.size, price), WAD, uint256(eq));
    }

    /// @inheritdoc IPerpVenue
    function marginRatio(address account) external view override returns (int256) {
        uint256 price = _ORACLE.price();
        Position storage pos = _positions[account];
        if (pos.size == 0) return type(int256).max;
        return _equity(pos, price, _pendingFundingIndex(price)).mulDivFloor(WAD, _notional(pos.size, price));
    }

    /// @inheritdoc IPerpVenue
    function liquidationPrice(address account) external view override returns (uint256) {
        uint256 price = _ORACLE.price();
        Position storage pos = _positions[account];
        int256 size = pos.size;
        if (size == 0) return 0;
        // Equity is affine in the mark price: E(P) = c + size * P, with c = equity now - size * price now.
        int256 c = _equity(pos, price, _pendingFundingIndex(price)) - size.mulWadFloor(price);
        uint256 m = _params.maintenanceMarginRatio;
        if (size > 0) {
            // c + s P = m s P  =>  P = -c / (s (1 - m))
            if (c >= 0) return 0;
            return Math.mulDiv(SignedMath.abs(c), WAD * WAD, uint256(size) * (WAD - m));
        }
        // c - |s| P = m |s| P  =>  P = c / (|s| (1 + m))
        if (c <= 0) return 0;
        return Math.mulDiv(uint256(c), WAD * WAD, SignedMath.abs(size) * (WAD + m));
    }

    /// @inheritdoc IPerpVenue
    function isLiquidatable(address account) external view override returns (bool) {
        uint256 price = _ORACLE.price();
        Position storage pos = _positions[account];
        if (pos.size == 0) return false;
        int256 eq = _equity(pos, price, _pendingFundingIndex(price));
        return eq < SafeCast.toInt256(Math.mulDiv(_notional(pos.size, price), _params.maintenanceMarginRatio, WAD));
    }

    /// @inheritdoc IPerpVenue
    function liquidationCount(address account) external view override returns (uint256) {
        return _liquidations[account];
    }

    /// @inheritdoc IPerpVenue
    function position(address account) external view override returns (Position memory) {
        return _positions[account];
    }

    /// @inheritdoc IPerpVenue
    function maxLeverage() external view override returns (uint256) {
        return Math.mulDiv(WAD, WAD, _params.initialMarginRatio);
    }

    /// @inheritdoc IPerpVenue
    function collateral() external view override returns (IERC20) {
        return _COLLATERAL;
    }

    /// @inheritdoc IPerpVenue
    function oracle() external view override returns (IOracleAdapter) {
        return _ORACLE;
    }

    /// @inheritdoc IPerpVenue
    function params() external view override returns (MarketParams memory) {
        return _params;
    }
}
