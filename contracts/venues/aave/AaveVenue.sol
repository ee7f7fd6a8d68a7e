// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {IOracleAdapter} from "../../interfaces/IOracleAdapter.sol";
import {IVenue} from "../../interfaces/IVenue.sol";
import {SignedWadMath} from "../../libraries/SignedWadMath.sol";
import {AaveAccount} from "./AaveAccount.sol";
import {
    IAaveV3Pool,
    IAaveScaledBalanceToken,
    IUniswapV3PoolMinimal,
    IUniswapV3SwapCallback
} from "./IAaveVenueDeps.sol";

/// @title AaveVenue
/// @notice The venue boundary on an Aave v3 money market and a Uniswap v3 pool, for one market (base asset WETH or
///         WBTC, collateral USDC). Each product has its own Aave account (a clone of `AaveAccount`, `aaveAccount`):
///         a long supplies the base asset and borrows USDC, a short supplies USDC and borrows the base asset. A trade
///         is one Uniswap v3 flash swap: the pool pays out first, and in its callback the venue books what it received
///         into the product's Aave account (repaying debt first, then supplying) and raises what it owes from it
///         (withdrawing supply first, then borrowing). The fill is the swap's average price, fees and impact
///         included (`fee` is therefore always 0), bounded by the caller's `acceptablePrice` and by `MAX_SLIPPAGE`
///         around the oracle.
/// @dev Money-market semantics, where they differ from a perp (contracts/venues/aave/README.md):
///      - USDC is counted at par (1 unit = 1 USD) in equity; Aave prices it at its own USDC feed for the health
///        factor. Interest accrues into equity continuously (aToken and debt-token balances).
///      - Quotes (`previewTrade`, `quoteTradeAt`) are the worst fill execution accepts: the oracle price moved by
///        `MAX_SLIPPAGE` against the trader, less two wei of each token for Aave's ray rounding. Execution fills at
///        that bound or better, or reverts, so a quote is never better than execution; it is usually worse.
///      - Base amounts are whole token units: a size delta is truncated towards zero to the base token's decimals.
///      - `liquidationCount` counts Aave liquidations as drops of the account's scaled aToken balances between the
///        venue's own calls (only a liquidation can take an account's aTokens without the venue): several
///        liquidations between two calls of the product count once.
contract AaveVenue is IVenue, IUniswapV3SwapCallback, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SignedWadMath for int256;

    /// @notice A constructor argument is the zero address.
    error ZeroAddress();
    /// @notice A constructor argument is inconsistent (pool tokens, reserves, decimals, slippage).
    error InvalidConfig();
    /// @notice Nothing to do (no margin, no trade), or a size delta below one unit of the base token.
    error ZeroAmount();
    /// @notice A swap callback not from the venue's own Uniswap pool.
    error UnexpectedCallback();
    /// @notice The swap moved less of the base asset than asked (the pool ran out of liquidity at the price limit).
    error IncompleteFill(uint256 requested, uint256 filled);
    /// @notice The swap's average price is worse than the oracle price moved by `MAX_SLIPPAGE` against the trader.
    error OracleDeviation(uint256 fillPrice, uint256 bound);
    /// @notice A trade that grows the position would leave leverage above `maxLeverage()`.
    error InsufficientMargin(int256 equity, uint256 required);
    /// @notice The withdrawal leaves leverage above `maxLeverage()` and is not part of a reduction that keeps the
    ///         account's leverage from rising.
    error WithdrawalExceedsFree(uint256 withdrawal, int256 equityAfter);
    /// @notice The trade would leave the account on the side this venue does not serve (`IS_LONG`).
    error WrongSide(int256 sizeAfter);

    /// @notice A product's Aave account was created.
    event AccountOpened(address indexed product, address indexed account);
    /// @notice A product's account was changed: margin moved (collateral units), size traded (WAD), at `fillPrice`.
    event PositionModified(address indexed product, int256 marginDelta, int256 sizeDelta, uint256 fillPrice);
    /// @notice A liquidation of the product's Aave account was observed; `count` is the new total.
    event LiquidationObserved(address indexed product, uint256 count);

    uint256 private constant WAD = 1e18;
    uint256 private constant BPS = 10_000;
    uint256 private constant VARIABLE_RATE = 2;
    /// @dev Uniswap v3 TickMath bounds, one inside.
    uint160 private constant MIN_SQRT_PRICE_LIMIT = 4295128740;
    uint160 private constant MAX_SQRT_PRICE_LIMIT = 1461446703485210103287273052203988822378723970341;

    /// @notice The Aave v3 Pool the accounts live on.
    IAaveV3Pool public immutable AAVE_POOL;
    /// @notice The Uniswap v3 base/USDC pool trades go through.
    IUniswapV3PoolMinimal public immutable SWAP_POOL;
    /// @notice The base asset (WETH or WBTC).
    IERC20 public immutable BASE;
    /// @notice The worst accepted swap price as a WAD fraction away from the oracle price, against the trader.
    uint256 public immutable MAX_SLIPPAGE;
    /// @notice The implementation every product's `AaveAccount` clone runs.
    address public immutable ACCOUNT_IMPLEMENTATION;
    /// @notice The side this venue serves: true = long (base supplied, USDC borrowed), false = short. Aave's limits
    ///         differ by side (the base reserve's LTV bounds a long, USDC's a short), so each side is its own venue
    ///         with its own `maxLeverage()`.
    bool public immutable IS_LONG;

    IERC20 private immutable _USDC;
    IOracleAdapter private immutable _ORACLE;
    IAaveScaledBalanceToken private immutable _A_BASE;
    IAaveScaledBalanceToken private immutable _D_BASE;
    IAaveScaledBalanceToken private immutable _A_USDC;
    IAaveScaledBalanceToken private immutable _D_USDC;
    /// @dev 10 ** (18 - decimals): token units -> WAD.
    uint256 private immutable _BASE_SCALE;
    uint256 private immutable _USDC_SCALE;
    bool private immutable _BASE_IS_TOKEN0;

    /// @dev The account's scaled aToken balances after the venue's last call: a drop since means a liquidation.
    struct Seen {
        uint128 scaledBase;
        uint128 scaledUsdc;
    }

    mapping(address product => Seen) private _seen;
    mapping(address product => uint256 count) private _liquidations;

    /// @param pool The Aave v3 Pool (proxy).
    /// @param swapPool The Uniswap v3 pool of `base` and `usdc`.
    /// @param usdc The collateral (an Aave reserve).
    /// @param base The base asset (an Aave reserve).
    /// @param oracle_ The base asset's validated USD price.
    /// @param maxSlippage WAD fraction, below 10%.
    /// @param isLong The side the venue serves.
    constructor(
        IAaveV3Pool pool,
        IUniswapV3PoolMinimal swapPool,
        IERC20 usdc,
        IERC20 base,
        IOracleAdapter oracle_,
        uint256 maxSlippage,
        bool isLong
    ) {
        if (
            address(pool) == address(0) ||
            address(swapPool) == address(0) ||
            address(usdc) == address(0) ||
            address(base) == address(0) ||
            address(oracle_) == address(0)
        ) revert ZeroAddress();
        if (maxSlippage == 0 || maxSlippage >= 0.1e18) revert InvalidConfig();
        address t0 = swapPool.token0();
        address t1 = swapPool.token1();
        bool baseIs0 = t0 == address(base) && t1 == address(usdc);
        if (!baseIs0 && !(t0 == address(usdc) && t1 == address(base))) revert InvalidConfig();
        IAaveV3Pool.ReserveData memory rb = pool.getReserveData(address(base));
        IAaveV3Pool.ReserveData memory ru = pool.getReserveData(address(usdc));
        if (
            rb.aTokenAddress == address(0) ||
            rb.variableDebtTokenAddress == address(0) ||
            ru.aTokenAddress == address(0) ||
            ru.variableDebtTokenAddress == address(0)
        ) revert InvalidConfig();
        uint256 baseDecimals = (pool.getConfiguration(address(base)) >> 48) & 0xff;
        uint256 usdcDecimals = (pool.getConfiguration(address(usdc)) >> 48) & 0xff;
        if (baseDecimals > 18 || usdcDecimals > 18) revert InvalidConfig();

        AAVE_POOL = pool;
        SWAP_POOL = swapPool;
        BASE = base;
        MAX_SLIPPAGE = maxSlippage;
        _USDC = usdc;
        _ORACLE = oracle_;
        _A_BASE = IAaveScaledBalanceToken(rb.aTokenAddress);
        _D_BASE = IAaveScaledBalanceToken(rb.variableDebtTokenAddress);
        _A_USDC = IAaveScaledBalanceToken(ru.aTokenAddress);
        _D_USDC = IAaveScaledBalanceToken(ru.variableDebtTokenAddress);
        _BASE_SCALE = 10 ** (18 - baseDecimals);
        _USDC_SCALE = 10 ** (18 - usdcDecimals);
        _BASE_IS_TOKEN0 = baseIs0;
        IS_LONG = isLong;
        ACCOUNT_IMPLEMENTATION = address(new AaveAccount(pool));
        // The venue holds tokens only inside a call, between receiving and supplying or repaying them.
        base.forceApprove(address(pool), type(uint256).max);
        usdc.forceApprove(address(pool), type(uint256).max);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IVenue
    function settlement() external pure override returns (Settlement) {
        return Settlement.SYNCHRONOUS;
    }

    /// @inheritdoc IVenue
    function collateral() external view override returns (IERC20) {
        return _USDC;
    }

    /// @inheritdoc IVenue
    function oracle() external view override returns (IOracleAdapter) {
        return _ORACLE;
    }

    /// @notice The product's isolated Aave account (a deterministic clone; it exists once the product has called).
    function aaveAccount(address product) public view returns (address) {
        return Clones.predictDeterministicAddress(ACCOUNT_IMPLEMENTATION, _salt(product));
    }

    /// @inheritdoc IVenue
    /// @dev From the LTV of the reserve supplied as collateral, rounded down: a long (base collateral of the notional
    ///      backs a USDC debt of notional - equity) 1 / (1 - LTV(base)); a short (USDC collateral of equity +
    ///      notional backs a base debt of the notional) LTV(USDC) / (1 - LTV(USDC)).
    function maxLeverage() public view override returns (uint256) {
        if (IS_LONG) {
            uint256 ltvBase = AAVE_POOL.getConfiguration(address(BASE)) & 0xffff;
            return ltvBase >= BPS ? type(uint256).max : (BPS * WAD) / (BPS - ltvBase);
        }
        uint256 ltvUsdc = AAVE_POOL.getConfiguration(address(_USDC)) & 0xffff;
        return ltvUsdc >= BPS ? type(uint256).max : (ltvUsdc * WAD) / (BPS - ltvUsdc);
    }

    /// @inheritdoc IVenue
    /// @dev True while either reserve is inactive, paused or frozen, or has borrowing disabled: Aave then refuses
    ///      the supplies or borrows a growing position needs. A paused Aave reserve also refuses withdrawals and
    ///      repayments: the money market can halt completely (README).
    function paused() public view override returns (bool) {
        return
            _halted(AAVE_POOL.getConfiguration(address(BASE))) || _halted(AAVE_POOL.getConfiguration(address(_USDC)));
    }

    /// @inheritdoc IVenue
    /// @dev size = base supplied - base borrowed; equity = USDC supplied - USDC borrowed (at par) + size at the
    ///      oracle price (rounded down), interest included.
    function accountSnapshot(address account) public view override returns (int256 size, int256 equity, uint256 price) {
        int256 cash;
        (size, cash) = _balances(aaveAccount(account));
        price = size == 0 ? _priceOrZero() : _ORACLE.price();
        equity = cash + size.mulWadFloor(price);
    }

    /// @inheritdoc IVenue
    function marginRatio(address account) external view override returns (int256) {
        (int256 size, int256 equity, uint256 price) = accountSnapshot(account);
        if (size == 0) return type(int256).max;
        return equity.mulDivFloor(WAD, _notional(size, price));
    }

    /// @inheritdoc IVenue
    /// @dev Solves Aave's health factor = 1 for the base price with USDC at par: liquidatable when
    ///      price * (aBase * LT(base) - dBase) < dUsdc - aUsdc * LT(USDC). Rounded down; an approximation to the
    ///      extent that Aave prices USDC at its own feed and in 8 decimals.
    function liquidationPrice(address account) external view override returns (uint256) {
        address acct = aaveAccount(account);
        uint256 ltBase = (AAVE_POOL.getConfiguration(address(BASE)) >> 16) & 0xffff;
        uint256 ltUsdc = (AAVE_POOL.getConfiguration(address(_USDC)) >> 16) & 0xffff;
        int256 a =
            SafeCast.toInt256((_A_BASE.balanceOf(acct) * _BASE_SCALE * ltBase) / BPS) -
                SafeCast.toInt256(_D_BASE.balanceOf(acct) * _BASE_SCALE);
        int256 c =
            SafeCast.toInt256(_D_USDC.balanceOf(acct) * _USDC_SCALE) -
                SafeCast.toInt256((_A_USDC.balanceOf(acct) * _USDC_SCALE * ltUsdc) / BPS);
        if (a > 0 && c > 0) return Math.mulDiv(uint256(c), WAD, uint256(a));
        if (a < 0 && c < 0) return Math.mulDiv(uint256(-c), WAD, uint256(-a));
        return 0;
    }

    /// @inheritdoc IVenue
    /// @dev Aave's own rule: the account's health factor is below 1.
    function isLiquidatable(address account) external view override returns (bool) {
        (, , , , , uint256 hf) = AAVE_POOL.getUserAccountData(aaveAccount(account));
        return hf < WAD;
    }

    /// @notice The product's Aave health factor (WAD; `type(uint256).max` without debt).
    function healthFactor(address product) external view returns (uint256 hf) {
        (, , , , , hf) = AAVE_POOL.getUserAccountData(aaveAccount(product));
    }

    /// @inheritdoc IVenue
    function liquidationCount(address account) external view override returns (uint256) {
        return _liquidations[account] + (_seized(account, aaveAccount(account)) ? 1 : 0);
    }

    /// @inheritdoc IVenue
    /// @dev The fill is the worst execution accepts (`quoteTradeAt`); equityAfter is lowered further by two wei of
    ///      each token for Aave's ray rounding of the balances the trade moves.
    function previewTrade(
        address account,
        int256 sizeDelta
    ) external view override returns (uint256 fillPrice, uint256 fee, int256 equityAfter) {
        (int256 size, int256 cash) = _balances(aaveAccount(account));
        uint256 price = size == 0 && sizeDelta == 0 ? _priceOrZero() : _ORACLE.price();
        if (sizeDelta == 0) return (price, 0, cash + size.mulWadFloor(price));
        int256 delta = _truncate(sizeDelta);
        (fillPrice, fee) = quoteTradeAt(delta, price);
        int256 slack = SafeCast.toInt256(
            2 * _USDC_SCALE + Math.mulDiv(2 * _BASE_SCALE, price, WAD, Math.Rounding.Ceil)
        );
        equityAfter = cash - delta.mulWadCeil(fillPrice) + (size + delta).mulWadFloor(price) - slack;
    }

    /// @inheritdoc IVenue
    /// @dev The oracle bound of execution: `markPrice * (1 ± MAX_SLIPPAGE)` against the trader (up when buying,
    ///      down when selling); fee 0 (the pool's fee is inside the fill).
    function quoteTradeAt(int256 sizeDelta, uint256 markPrice) public view override returns (uint256, uint256) {
        return (_bound(sizeDelta, markPrice), 0);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Mutations
    // ------------------------------------------------------------------------------------------------------------

    /// @dev What one operation needs across its steps (memory keeps the stack shallow).
    struct Op {
        address acct;
        uint256 price;
        int256 sizeBefore;
        int256 equityBefore;
        bool increases;
        /// @dev USDC a sale kept aside for the call's withdrawal instead of repaying debt with it.
        uint256 held;
    }

    /// @inheritdoc IVenue
    function modifyPositionWithMargin(
        int256 marginDelta,
        int256 sizeDelta,
        uint256 acceptablePrice,
        address recipient
    ) external override nonReentrant returns (uint256 fillPrice, uint256 fee, int256 equityAfter) {
        if (marginDelta == 0 && sizeDelta == 0) revert ZeroAmount();
        if (marginDelta < 0 && recipient == address(0)) revert ZeroAddress();
        Op memory op;
        op.acct = _openAccount(msg.sender);
        _observeLiquidation(msg.sender, op.acct);
        if (marginDelta > 0) {
            _USDC.safeTransferFrom(msg.sender, address(this), uint256(marginDelta));
            _addCash(op.acct, uint256(marginDelta));
        }
        int256 cash;
        (op.sizeBefore, cash) = _balances(op.acct);
        op.price = op.sizeBefore == 0 && sizeDelta == 0 ? _priceOrZero() : _ORACLE.price();
        op.equityBefore = cash + op.sizeBefore.mulWadFloor(op.price);
        fillPrice = op.price;
        uint256 withdrawal = marginDelta < 0 ? SignedMath.abs(marginDelta) : 0;
        if (sizeDelta != 0) fillPrice = _trade(op, sizeDelta, acceptablePrice, withdrawal);
        if (withdrawal != 0) _withdraw(op, withdrawal, recipient);
        equityAfter = _check(op, withdrawal);
        _record(msg.sender, op.acct);
        emit PositionModified(msg.sender, marginDelta, sizeDelta, fillPrice);
        fee = 0; // the pool's fee is inside the fill
    }

    /// @inheritdoc IVenue
    /// @dev The close still swaps on Uniswap: its fill is bounded by `MAX_SLIPPAGE` around the last valid price, so it
    ///      reverts `OracleDeviation` if the pool has moved further away from that price since the feed stopped.
    function closeAtLastValidPrice()
        external
        override
        nonReentrant
        returns (uint256 fillPrice, uint256 fee, int256 equityAfter)
    {
        Op memory op;
        op.acct = aaveAccount(msg.sender);
        int256 cash;
        (op.sizeBefore, cash) = _balances(op.acct);
        if (op.sizeBefore == 0) revert NoPosition();
        (uint256 last, uint256 updatedAt) = _ORACLE.lastValidPrice();
        if (block.timestamp - updatedAt <= _ORACLE.maxStaleness()) revert OraclePriceAvailable();
        _observeLiquidation(msg.sender, op.acct);
        op.price = last;
        op.equityBefore = cash + op.sizeBefore.mulWadFloor(last);
        fillPrice = _trade(op, -op.sizeBefore, op.sizeBefore > 0 ? 0 : type(uint256).max, 0);
        equityAfter = _check(op, 0);
        _record(msg.sender, op.acct);
        emit PositionModified(msg.sender, 0, -op.sizeBefore, fillPrice);
        fee = 0; // the pool's fee is inside the fill
    }

    /// @inheritdoc IUniswapV3SwapCallback
    /// @dev Only the venue's pool, and it calls back only the swap's sender (this venue, inside `_trade`). The pool
    ///      has already paid out: book that into the account first (it repays debt, so the health factor only
    ///      rises), then raise what the pool is owed from it.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external override {
        if (msg.sender != address(SWAP_POOL)) revert UnexpectedCallback();
        (address acct, bool buy, uint256 holdBack) = abi.decode(data, (address, bool, uint256));
        (int256 baseDelta, int256 usdcDelta) = _BASE_IS_TOKEN0
            ? (amount0Delta, amount1Delta)
            : (amount1Delta, amount0Delta);
        if (buy) {
            _addBase(acct, SignedMath.abs(baseDelta));
            _takeCash(acct, SafeCast.toUint256(usdcDelta), msg.sender);
        } else {
            // A sale's USDC the same call withdraws stays with the venue (paid out after the swap) rather than
            // repaying debt to be borrowed again: a long above its LTV may not borrow, but may still exit pro rata.
            uint256 received = SignedMath.abs(usdcDelta);
            uint256 kept = Math.min(received, holdBack);
            if (received > kept) _addCash(acct, received - kept);
            _takeBase(acct, SafeCast.toUint256(baseDelta), msg.sender);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------------

    /// @dev Swaps `sizeDelta` (truncated to base units) through the pool, checks the fill against both bounds. A sale
    ///      keeps up to `holdBack` of its USDC aside for the call's withdrawal (`op.held`).
    function _trade(
        Op memory op,
        int256 sizeDelta,
        uint256 acceptablePrice,
        uint256 holdBack
    ) private returns (uint256 fillPrice) {
        int256 delta = _truncate(sizeDelta);
        if (delta == 0) revert ZeroAmount();
        int256 newSize = op.sizeBefore + delta;
        if (newSize != 0 && (newSize > 0) != IS_LONG) revert WrongSide(newSize);
        op.increases =
            SignedMath.abs(newSize) > SignedMath.abs(op.sizeBefore) ||
            (newSize != 0 && (op.sizeBefore ^ newSize) < 0);
        if (op.increases) {
            if (paused()) revert VenuePaused();
            // Before the swap, so that Aave's own borrow check (an opaque numeric code) is not the one that refuses:
            // the equity before the trade must already carry the new notional at maxLeverage. `_check` repeats it
            // after the trade, with the trade's costs in equity.
            uint256 required = Math.mulDiv(_notional(newSize, op.price), WAD, maxLeverage(), Math.Rounding.Ceil);
            if (op.equityBefore < SafeCast.toInt256(required)) revert InsufficientMargin(op.equityBefore, required);
        }
        bool buy = delta > 0;
        uint256 usdcAmount;
        (fillPrice, usdcAmount) = _swap(op.acct, buy, SignedMath.abs(delta) / _BASE_SCALE, buy ? 0 : holdBack);
        if (!buy) op.held = Math.min(usdcAmount, holdBack);
        if (buy ? fillPrice > acceptablePrice : fillPrice < acceptablePrice) {
            revert PriceLimitExceeded(fillPrice, acceptablePrice);
        }
        uint256 bound = _bound(delta, op.price);
        if (buy ? fillPrice > bound : fillPrice < bound) revert OracleDeviation(fillPrice, bound);
    }

    /// @dev Pays `withdrawal` to `recipient`: first what a sale kept aside, then from the account (withdrawing its
    ///      USDC supply, else borrowing).
    function _withdraw(Op memory op, uint256 withdrawal, address recipient) private {
        uint256 held = op.held;
        if (held != 0) _USDC.safeTransfer(recipient, held);
        if (withdrawal == held) return;
        // Checked before Aave is asked (its refusal of the borrow would be a numeric code); `_check` repeats it on
        // the final balances.
        (int256 size, int256 cash) = _balances(op.acct);
        int256 equityAfter = cash - SafeCast.toInt256((withdrawal - held) * _USDC_SCALE) + size.mulWadFloor(op.price);
        if (!_withdrawable(op, size, equityAfter)) revert WithdrawalExceedsFree(withdrawal, equityAfter);
        _takeCash(op.acct, withdrawal - held, recipient);
    }

    /// @dev Swaps `amount` base units (bought: exact output; sold: exact input) for the account and returns the
    ///      average price, WAD, rounded against the trader (up when buying, down when selling), and the USDC units
    ///      paid or received. A sale keeps up to `holdBack` of its USDC with the venue.
    function _swap(
        address acct,
        bool buy,
        uint256 amount,
        uint256 holdBack
    ) private returns (uint256 fillPrice, uint256 usdcAmount) {
        bool zeroForOne = buy != _BASE_IS_TOKEN0;
        (int256 a0, int256 a1) = SWAP_POOL.swap(
            address(this),
            zeroForOne,
            buy ? -SafeCast.toInt256(amount) : SafeCast.toInt256(amount),
            zeroForOne ? MIN_SQRT_PRICE_LIMIT : MAX_SQRT_PRICE_LIMIT,
            abi.encode(acct, buy, holdBack)
        );
        (int256 baseDelta, int256 usdcDelta) = _BASE_IS_TOKEN0 ? (a0, a1) : (a1, a0);
        uint256 filled = SignedMath.abs(baseDelta);
        if (filled != amount) revert IncompleteFill(amount, filled);
        usdcAmount = SignedMath.abs(usdcDelta);
        fillPrice = Math.mulDiv(
            usdcAmount * _USDC_SCALE,
            WAD,
            amount * _BASE_SCALE,
            buy ? Math.Rounding.Ceil : Math.Rounding.Floor
        );
    }

    /// @dev Initial margin after growth; free-margin rule after a withdrawal (README, guarantee 3). Returns equity.
    function _check(Op memory op, uint256 withdrawal) private view returns (int256 equityAfter) {
        (int256 size, int256 cash) = _balances(op.acct);
        equityAfter = cash + size.mulWadFloor(op.price);
        if (op.increases) {
            uint256 required = _initialMargin(size, op.price);
            if (equityAfter < SafeCast.toInt256(required)) revert InsufficientMargin(equityAfter, required);
        }
        if (withdrawal != 0 && !_withdrawable(op, size, equityAfter)) {
            revert WithdrawalExceedsFree(withdrawal, equityAfter);
        }
    }

    /// @dev A withdrawal may leave the account within initial margin, or, in a reduction, at a leverage no higher
    ///      than before: equityAfter / notionalAfter >= equityBefore / notionalBefore. Without a position: equity
    ///      not below zero.
    function _withdrawable(Op memory op, int256 size, int256 equityAfter) private view returns (bool) {
        uint256 notionalAfter = _notional(size, op.price);
        if (equityAfter >= SafeCast.toInt256(_initialMargin(size, op.price))) return true;
        uint256 notionalBefore = _notional(op.sizeBefore, op.price);
        return
            !op.increases &&
            notionalAfter < notionalBefore &&
            op.equityBefore > 0 &&
            equityAfter > 0 &&
            Math.mulDiv(uint256(op.equityBefore), notionalAfter, notionalBefore, Math.Rounding.Ceil) <=
                uint256(equityAfter);
    }

    function _initialMargin(int256 size, uint256 price) private view returns (uint256) {
        return Math.mulDiv(_notional(size, price), WAD, maxLeverage(), Math.Rounding.Ceil);
    }

    /// @dev Base received for the account: repays its base debt first, supplies the rest.
    function _addBase(address acct, uint256 amount) private {
        _add(BASE, _D_BASE, acct, amount);
    }

    /// @dev USDC received for the account: repays its USDC debt first, supplies the rest.
    function _addCash(address acct, uint256 amount) private {
        _add(_USDC, _D_USDC, acct, amount);
    }

    /// @dev Base taken from the account to `to`: withdraws its supply first, borrows the rest.
    function _takeBase(address acct, uint256 amount, address to) private {
        _take(BASE, _A_BASE, acct, amount, to);
    }

    /// @dev USDC taken from the account to `to`: withdraws its supply first, borrows the rest.
    function _takeCash(address acct, uint256 amount, address to) private {
        _take(_USDC, _A_USDC, acct, amount, to);
    }

    function _add(IERC20 asset, IAaveScaledBalanceToken debtToken, address acct, uint256 amount) private {
        uint256 repaid = Math.min(amount, debtToken.balanceOf(acct));
        if (repaid != 0) AAVE_POOL.repay(address(asset), repaid, VARIABLE_RATE, acct);
        if (amount > repaid) AAVE_POOL.supply(address(asset), amount - repaid, acct, 0);
    }

    function _take(IERC20 asset, IAaveScaledBalanceToken aToken, address acct, uint256 amount, address to) private {
        uint256 supplied = aToken.balanceOf(acct);
        uint256 withdrawn = Math.min(amount, supplied);
        // The whole supply as type(uint256).max: Aave's ray rounding cannot then burn more than the balance.
        if (withdrawn != 0) {
            AaveAccount(acct).withdraw(address(asset), withdrawn == supplied ? type(uint256).max : withdrawn, to);
        }
        if (amount > withdrawn) AaveAccount(acct).borrow(address(asset), amount - withdrawn, to);
    }

    /// @dev The product's account, cloned on its first call.
    function _openAccount(address product) private returns (address acct) {
        acct = aaveAccount(product);
        if (acct.code.length == 0) {
            Clones.cloneDeterministic(ACCOUNT_IMPLEMENTATION, _salt(product));
            emit AccountOpened(product, acct);
        }
    }

    /// @dev Counts a liquidation if the account's aTokens dropped since the venue's last call.
    function _observeLiquidation(address product, address acct) private {
        if (_seized(product, acct)) {
            uint256 count = ++_liquidations[product];
            emit LiquidationObserved(product, count);
        }
    }

    function _record(address product, address acct) private {
        _seen[product] = Seen(
            SafeCast.toUint128(_A_BASE.scaledBalanceOf(acct)),
            SafeCast.toUint128(_A_USDC.scaledBalanceOf(acct))
        );
    }

    function _seized(address product, address acct) private view returns (bool) {
        Seen memory s = _seen[product];
        return _A_BASE.scaledBalanceOf(acct) < s.scaledBase || _A_USDC.scaledBalanceOf(acct) < s.scaledUsdc;
    }

    /// @dev (base supplied - base borrowed) and (USDC supplied - USDC borrowed), both WAD.
    function _balances(address acct) private view returns (int256 size, int256 cash) {
        size =
            SafeCast.toInt256(_A_BASE.balanceOf(acct) * _BASE_SCALE) -
            SafeCast.toInt256(_D_BASE.balanceOf(acct) * _BASE_SCALE);
        cash =
            SafeCast.toInt256(_A_USDC.balanceOf(acct) * _USDC_SCALE) -
            SafeCast.toInt256(_D_USDC.balanceOf(acct) * _USDC_SCALE);
    }

    /// @dev `sizeDelta` truncated towards zero to whole base-token units.
    function _truncate(int256 sizeDelta) private view returns (int256) {
        int256 scale = SafeCast.toInt256(_BASE_SCALE);
        return (sizeDelta / scale) * scale;
    }

    /// @dev The worst fill execution accepts: the price moved by MAX_SLIPPAGE against the trader, and by two USDC
    ///      units spread over the trade (the pool rounds the USDC amount and its fee up to whole units in its favour:
    ///      a 1e-9 WETH buy at 3,360 USD pays 5 units for 3.36; it matters only for dust).
    function _bound(int256 sizeDelta, uint256 price) private view returns (uint256) {
        if (sizeDelta == 0) return price;
        uint256 unitSlack = Math.mulDiv(2 * _USDC_SCALE, WAD, SignedMath.abs(sizeDelta), Math.Rounding.Ceil);
        if (sizeDelta > 0) return Math.mulDiv(price, WAD + MAX_SLIPPAGE, WAD, Math.Rounding.Ceil) + unitSlack;
        uint256 low = Math.mulDiv(price, WAD - MAX_SLIPPAGE, WAD);
        return low > unitSlack ? low - unitSlack : 0;
    }

    function _priceOrZero() private view returns (uint256) {
        try _ORACLE.price() returns (uint256 p) {
            return p;
        } catch {
            return 0;
        }
    }

    function _notional(int256 size, uint256 price) private pure returns (uint256) {
        return Math.mulDiv(SignedMath.abs(size), price, WAD);
    }

    /// @dev Aave v3 ReserveConfiguration bits: 56 active, 57 frozen, 58 borrowing enabled, 60 paused.
    function _halted(uint256 config) private pure returns (bool) {
        return (config >> 56) & 1 == 0 || (config >> 57) & 1 == 1 || (config >> 58) & 1 == 0 || (config >> 60) & 1 == 1;
    }

    function _salt(address product) private pure returns (bytes32) {
        return bytes32(uint256(uint160(product)));
    }
}
