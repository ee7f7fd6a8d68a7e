// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {IMockPerpVenue} from "../venues/mock/IMockPerpVenue.sol";
import {IRebalancer} from "../interfaces/IRebalancer.sol";

// A test harness whose running time is its instruction count (see "Speed" below): its hot path is assembly on purpose.
// solhint-disable no-inline-assembly

/// @dev MockPerpVenue's owner functions used by the backtest.
interface IVenueAdmin {
    function setFundingRate(int256 newRatePerSecond) external;
    function acceptOwnership() external;
    function lastFundingTime() external view returns (uint256);
}

/// @title BacktestDriver
/// @notice Test harness of the backtester (scripts/backtest), never deployed outside a local network. It batches the
///         work of one candle into one transaction: it posts each price of the candle's path to the Chainlink-style
///         feed, lets the venue's own `isLiquidatable` decide wherever liquidation is possible (and then really
///         liquidates), and asks the Rebalancer's own `shouldRebalance` wherever a keeper action is possible. It never
///         rebalances itself: when an action is due it stops and reports, and the keeper (an ordinary account) calls
///         the Rebalancer in its own transaction, so keeper gas is real.
/// @dev Owns the venue (for `setFundingRate`) on the backtest chain only. Only its operator may call it.
///
///      The replica. Between two changes of the account or of the market's funding state (a trade, a funding-rate
///      change), the venue's equity of the account is an exact function of the mark price P and the block time t:
///          equity(t, P) = k + size * P * (1 - rate * (t - lastFundingTime))
///      (MockPerpVenue: margin + size * P - openNotional - size * (index(t, P) - positionIndex), with
///      index(t, P) = index + rate * (t - lastFundingTime) * P). The driver keeps `k`, `size` and `lastFundingTime`
///      from one `accountSnapshot` (refreshed on request after any transaction of someone else, and after its own
///      funding-rate changes) and calls the venue only where this replica's margin ratio is below 3x maintenance, and
///      the Rebalancer only where the replica's leverage is within 0.2% of a trigger. The replica is compared with the
///      venue's own `accountSnapshot` whenever the operator asks (`VERIFY`) and before every keeper hand-over, and the
///      transaction reverts with `ReplicaMismatch` if they differ by more than 1e-5 of notional: a skipped question is
///      one whose answer could only have been "no".
///
///      Speed. Hardhat's in-process EVM records every executed instruction for its stack traces, so a backtest's time
///      is its instruction count. The price loop's arithmetic is one assembly block over a memory frame (unchecked:
///      |size| <= 1e30, the venue's cap, prices <= 1e26 WAD and |slope| <= 2 WAD keep every product below 1e75), its
///      state is plain storage words, and the feed is called with a bare `call`.
contract BacktestDriver {
    int256 private constant WAD = 1e18;

    /// @dev Chainlink answers (8 decimals) to WAD.
    int256 private constant PRICE_SCALE = 1e10;

    /// @dev `run` flag: something other than this driver changed the account or the Rebalancer's state (a mint, a
    ///         keeper transaction, a redeem): re-read them before the first price.
    uint8 private constant REFRESH = 1;
    /// @dev `run` flag: compare the replica with the venue at the end of the run.
    uint8 private constant VERIFY = 2;
    /// @dev `run` flag: revert with `Due` instead of stopping when the venue would liquidate or a keeper action is
    ///         due. The operator sends every candle this way first: a quiet candle (nearly all of them) needs no
    ///         answer, so its receipt need not be read at once; a due candle is replayed without the flag.
    uint8 private constant QUIET = 4;

    error OnlyOperator(address caller);
    error FeedUpdateFailed();
    error ReplicaMismatch(int256 venueEquity, int256 replicaEquity);
    /// @notice A `QUIET` run met a price where the venue liquidates (`action` 0) or a keeper action is due.
    error Due(uint256 index, uint8 action);

    /// @notice One `run`: `processed` prices were posted; `stop` 0 = all done, 1 = keeper action `action` due after
    ///         the last processed price, 2 = liquidated at it. Statistics cover the processed prices, before any
    ///         keeper action: minimum margin ratio (equity / notional) and maximum leverage as the venue values the
    ///         account, and how many prices found leverage inside the reference band. `price`, `equity` (USD WAD) and
    ///         `leverage` are at the last processed price.
    event Run(
        uint256 processed,
        uint8 stop,
        uint8 action,
        int256 minMarginRatio,
        uint256 maxLeverage,
        uint256 inBand,
        uint256 price,
        int256 equity,
        uint256 leverage
    );

    // No public getters: every one would lengthen the dispatcher that each candle's call walks through.
    address private immutable OPERATOR;
    address private immutable FEED;
    IMockPerpVenue private immutable VENUE;
    IRebalancer private immutable REBALANCER;

    // The product and its yardsticks (set by `setToken`), leverages WAD.
    address private token;
    uint256 private maintenanceMargin;
    uint256 private interval; // the Rebalancer's time trigger, seconds
    uint256 private low; // band bottom + 0.2%
    uint256 private high; // band top - 0.2% (the ripcord is above it)
    uint256 private target;
    uint256 private tolerance; // minus target / 500: |lev - target| above this may be due once the interval has elapsed
    uint256 private bandMin; // the reference band of the statistics
    uint256 private bandMax;

    // The replica, and the state it was taken with.
    int256 private fundingRate; // WAD per second, as last set on the venue
    int256 private size;
    int256 private k;
    uint256 private lastFundingTime;
    uint256 private lastRebalance;
    bool private iterating;

    constructor(address operator_, address feed_, IMockPerpVenue venue_, IRebalancer rebalancer_) {
        OPERATOR = operator_;
        FEED = feed_;
        VENUE = venue_;
        REBALANCER = rebalancer_;
    }

    modifier onlyOperator() {
        if (msg.sender != OPERATOR) revert OnlyOperator(msg.sender);
        _;
    }

    /// @notice Completes the venue's two-step ownership transfer to this driver.
    function acceptVenueOwnership() external onlyOperator {
        IVenueAdmin(address(VENUE)).acceptOwnership();
    }

    /// @notice The product driven from now on, and the band its statistics are measured against.
    function setToken(address token_, uint256 bandMin_, uint256 bandMax_) external onlyOperator {
        IRebalancer.Methodology memory m = REBALANCER.tokenState(token_).methodology;
        token = token_;
        maintenanceMargin = VENUE.params().maintenanceMarginRatio;
        interval = m.interval;
        low = (uint256(m.minLeverage) * 1002) / 1000;
        high = (uint256(m.maxLeverage) * 998) / 1000;
        target = m.targetLeverage;
        tolerance = m.tolerance > m.targetLeverage / 500 ? m.tolerance - m.targetLeverage / 500 : 0;
        bandMin = bandMin_;
        bandMax = bandMax_;
        size = 0;
        k = 0;
    }

    /// @notice Posts `answers` (feed decimals) one by one. After the first one, sets the funding rate (per second,
    ///         WAD) if it changed. After each price the venue decides liquidation and, from index `keeperFrom` on,
    ///         the Rebalancer decides whether a keeper action is due; the run stops at the first price where either
    ///         says so. `flags`: `REFRESH`, `VERIFY`, `QUIET`.
    function run(
        int256[] calldata answers,
        uint256 keeperFrom,
        int256 newFundingRate,
        uint8 flags
    ) external onlyOperator {
        _post(answers[0]);
        address token_ = token;
        if (token_ == address(0)) return _postRest(answers, 0);
        if (newFundingRate != fundingRate) {
            IVenueAdmin(address(VENUE)).setFundingRate(newFundingRate);
            fundingRate = newFundingRate;
            flags |= REFRESH;
        }
        if (flags & REFRESH != 0) _refresh(token_, answers[0]);
        if (size == 0) return _postRest(answers, k);
        _loop(answers, keeperFrom, flags, token_);
    }

    /// @dev Without a position there is nothing to judge: post the prices and report.
    function _postRest(int256[] calldata answers, int256 equity) private {
        uint256 n = answers.length;
        for (uint256 i = 1; i < n; ++i) {
            _post(answers[i]);
        }
        emit Run(n, 0, 0, type(int256).max, 0, 0, uint256(answers[n - 1] * PRICE_SCALE), equity, 0);
    }

    // The loop's memory frame: constants first, then statistics and the last price's values.
    uint256 private constant F_K = 0x00;
    uint256 private constant F_SIZE = 0x20;
    uint256 private constant F_SLOPE = 0x40; // WAD: 1 - rate * (now - lastFundingTime)
    uint256 private constant F_ABS_SIZE = 0x60;
    uint256 private constant F_LIQ_MARGIN = 0x80; // 3x maintenance: below this margin ratio the venue is asked
    uint256 private constant F_LOW = 0xa0; // max while a chunked rebalance is in progress: always due
    uint256 private constant F_HIGH = 0xc0;
    uint256 private constant F_TARGET = 0xe0;
    uint256 private constant F_TOLERANCE = 0x100; // max until the interval has elapsed: the time trigger is off
    uint256 private constant F_BAND_MIN = 0x120;
    uint256 private constant F_BAND_MAX = 0x140;
    uint256 private constant F_MIN_MR = 0x160;
    uint256 private constant F_MAX_LEV = 0x180;
    uint256 private constant F_IN_BAND = 0x1a0;
    uint256 private constant F_PRICE = 0x1c0;
    uint256 private constant F_EQUITY = 0x1e0;
    uint256 private constant F_LEV = 0x200;
    uint256 private constant F_WORDS = 0x220;

    function _frame() private view returns (uint256 f) {
        int256 size_ = size;
        int256 slope = WAD - fundingRate * int256(block.timestamp - lastFundingTime);
        uint256 low_ = iterating ? type(uint256).max : low;
        uint256 tol = block.timestamp - lastRebalance >= interval ? tolerance : type(uint256).max;
        uint256 liqMargin = 3 * maintenanceMargin;
        int256 k_ = k;
        uint256 high_ = high;
        uint256 target_ = target;
        uint256 bandMin_ = bandMin;
        uint256 bandMax_ = bandMax;
        assembly ("memory-safe") {
            f := mload(0x40)
            mstore(0x40, add(f, F_WORDS))
            mstore(add(f, F_K), k_)
            mstore(add(f, F_SIZE), size_)
            mstore(add(f, F_SLOPE), slope)
            let abs := size_
            if slt(size_, 0) {
                abs := sub(0, size_)
            }
            mstore(add(f, F_ABS_SIZE), abs)
            mstore(add(f, F_LIQ_MARGIN), liqMargin)
            mstore(add(f, F_LOW), low_)
            mstore(add(f, F_HIGH), high_)
            mstore(add(f, F_TARGET), target_)
            mstore(add(f, F_TOLERANCE), tol)
            mstore(add(f, F_BAND_MIN), bandMin_)
            mstore(add(f, F_BAND_MAX), bandMax_)
            mstore(add(f, F_MIN_MR), shr(1, not(0))) // type(int256).max
            mstore(add(f, F_MAX_LEV), 0)
            mstore(add(f, F_IN_BAND), 0)
        }
    }

    /// @dev The replica at one price: records it and the statistics in the frame. `near`: the margin ratio is below
    ///      3x maintenance (ask the venue); `due`: `keeperMay` and leverage within 0.2% of a trigger (ask the
    ///      Rebalancer).
    function _step(uint256 f, int256 answer, bool keeperMay) private pure returns (bool near, bool due) {
        assembly ("memory-safe") {
            let price := mul(answer, PRICE_SCALE)
            let equity := add(
                mload(add(f, F_K)),
                sdiv(mul(sdiv(mul(mload(add(f, F_SIZE)), price), WAD), mload(add(f, F_SLOPE))), WAD)
            )
            let notional := div(mul(mload(add(f, F_ABS_SIZE)), price), WAD)
            let lev := not(0)
            if sgt(equity, 0) {
                lev := div(mul(notional, WAD), equity)
            }
            let mr := sdiv(mul(equity, WAD), notional)
            if slt(mr, mload(add(f, F_MIN_MR))) {
                mstore(add(f, F_MIN_MR), mr)
            }
            if gt(lev, mload(add(f, F_MAX_LEV))) {
                mstore(add(f, F_MAX_LEV), lev)
            }
            if iszero(or(lt(lev, mload(add(f, F_BAND_MIN))), gt(lev, mload(add(f, F_BAND_MAX))))) {
                mstore(add(f, F_IN_BAND), add(mload(add(f, F_IN_BAND)), 1))
            }
            mstore(add(f, F_PRICE), price)
            mstore(add(f, F_EQUITY), equity)
            mstore(add(f, F_LEV), lev)
            near := slt(mr, mload(add(f, F_LIQ_MARGIN)))
            if keeperMay {
                let t := mload(add(f, F_TARGET))
                let gap := sub(lev, t)
                if lt(lev, t) {
                    gap := sub(t, lev)
                }
                due := or(
                    or(iszero(gt(lev, mload(add(f, F_LOW)))), iszero(lt(lev, mload(add(f, F_HIGH))))),
                    gt(gap, mload(add(f, F_TOLERANCE)))
                )
            }
        }
    }

    function _loop(int256[] calldata answers, uint256 keeperFrom, uint8 flags, address token_) private {
        uint256 f = _frame();
        uint256 n = answers.length;
        for (uint256 i; i < n;) {
            if (i != 0) _post(answers[i]);
            (bool near, bool due) = _step(f, answers[i], i >= keeperFrom);
            if (near && VENUE.isLiquidatable(token_)) {
                if (flags & QUIET != 0) revert Due(i, 0);
                VENUE.liquidate(token_);
                (, int256 left, ) = VENUE.accountSnapshot(token_);
                size = 0;
                _emitRun(f, i + 1, 2, 0, left, 0);
                return;
            }
            if (due) {
                uint8 action = uint8(REBALANCER.shouldRebalance(token_));
                if (action != 0) {
                    if (flags & QUIET != 0) revert Due(i, action);
                    _check(token_, f);
                    _emitRun(f, i + 1, 1, action, _word(f, F_EQUITY), uint256(_word(f, F_LEV)));
                    return;
                }
            }
            unchecked {
                ++i;
            }
        }
        if (flags & VERIFY != 0) _check(token_, f);
        _emitRun(f, n, 0, 0, _word(f, F_EQUITY), uint256(_word(f, F_LEV)));
    }

    function _word(uint256 f, uint256 offset) private pure returns (int256 w) {
        assembly ("memory-safe") {
            w := mload(add(f, offset))
        }
    }

    /// @dev `emit Run(processed, stop, action, minMr, maxLev, inBand, price, equity, lev)` from the frame, in assembly
    ///      (the same log Solidity would write: nine static words, the event's topic).
    function _emitRun(uint256 f, uint256 processed, uint8 stopCode, uint8 action, int256 equity, uint256 lev) private {
        bytes32 topic = Run.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, processed)
            mstore(add(ptr, 0x20), stopCode)
            mstore(add(ptr, 0x40), action)
            mstore(add(ptr, 0x60), mload(add(f, F_MIN_MR)))
            mstore(add(ptr, 0x80), mload(add(f, F_MAX_LEV)))
            mstore(add(ptr, 0xa0), mload(add(f, F_IN_BAND)))
            mstore(add(ptr, 0xc0), mload(add(f, F_PRICE)))
            mstore(add(ptr, 0xe0), equity)
            mstore(add(ptr, 0x100), lev)
            log1(ptr, 0x120, topic)
        }
    }

    /// @dev `FEED.updateAnswer(answer)` with a bare call (no return data is expected; the feed is a known contract).
    function _post(int256 answer) private {
        address feed = FEED;
        bool ok;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0xa87a20ce00000000000000000000000000000000000000000000000000000000) // updateAnswer(int256)
            mstore(add(ptr, 4), answer)
            ok := call(gas(), feed, 0, ptr, 36, 0, 0)
        }
        if (!ok) revert FeedUpdateFailed();
    }

    /// @dev Re-reads the account and the Rebalancer's state; `answer` is the price just posted.
    function _refresh(address token_, int256 answer) private {
        (int256 size_, int256 eq, uint256 price) = VENUE.accountSnapshot(token_);
        IRebalancer.TokenState memory ts = REBALANCER.tokenState(token_);
        uint256 lastFunding = IVenueAdmin(address(VENUE)).lastFundingTime();
        assert(int256(price) == answer * PRICE_SCALE);
        int256 slope = WAD - fundingRate * int256(block.timestamp - lastFunding);
        size = size_;
        k = eq - (((size_ * int256(price)) / WAD) * slope) / WAD;
        lastFundingTime = lastFunding;
        lastRebalance = ts.lastRebalance;
        iterating = ts.iterating;
    }

    /// @dev The replica must agree with the venue's own valuation (to 1e-5 of notional, far below every margin the
    ///      filters above leave; the difference is rounding).
    function _check(address token_, uint256 f) private view {
        (, int256 eq, uint256 price) = VENUE.accountSnapshot(token_);
        int256 equity = _word(f, F_EQUITY);
        uint256 tol = (uint256(_word(f, F_ABS_SIZE)) * price) / 1e18 / 1e5 + 1e9;
        if (SignedMath.abs(eq - equity) > tol) revert ReplicaMismatch(eq, equity);
    }
}
