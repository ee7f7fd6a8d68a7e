// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {IPerpVenue} from "../interfaces/IPerpVenue.sol";
import {IRebalancer} from "../interfaces/IRebalancer.sol";

/// @dev Chainlink's MockV3Aggregator setter.
interface IMockFeed {
    function updateAnswer(int256 answer) external;
}

/// @dev MockPerpVenue's owner functions used by the backtest.
interface IVenueAdmin {
    function setFundingRate(int256 newRatePerSecond) external;
    function acceptOwnership() external;
    function lastFundingTime() external view returns (uint256);
}

/// @title BacktestDriver
/// @notice Test harness of the backtester (scripts/backtest), never deployed outside a local network. It batches the
///         work of one candle into one transaction: it posts each price of the candle's path to the Chainlink mock
///         feed, lets the venue's own `isLiquidatable` decide after every price (and then really liquidates), reads
///         the venue's view of the account for the statistics, and asks the Rebalancer's own `shouldRebalance`
///         whether a keeper is due. It never rebalances itself: when an action is due it stops and reports, and the
///         keeper (an ordinary account) calls the Rebalancer in its own transaction, so keeper gas is real.
/// @dev Owns the venue (for `setFundingRate`) on the backtest chain only. Only its operator may call it.
contract BacktestDriver {
    uint256 private constant WAD = 1e18;

    /// @dev Chainlink answers (8 decimals) to WAD.
    uint256 private constant PRICE_SCALE = 1e10;

    error OnlyOperator(address caller);
    error ReplicaMismatch(int256 venueEquity, int256 replicaEquity);

    /// @notice One `run`: `processed` prices were posted; `stop` 0 = all done, 1 = keeper action `action` due after
    ///         the last processed price, 2 = liquidated at it. Statistics cover the processed prices, before any
    ///         keeper action: minimum margin ratio (equity / notional) and maximum leverage as the venue sees them,
    ///         and how many prices found leverage inside [bandMin, bandMax]. `price`, `equity` (the venue's
    ///         valuation of the account, USD WAD) and `leverage` are at the last processed price.
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

    address public immutable OPERATOR;
    IMockFeed public immutable FEED;
    IPerpVenue public immutable VENUE;
    IRebalancer public immutable REBALANCER;

    address public token;
    uint256 public bandMin;
    uint256 public bandMax;
    int256 public fundingRate;
    uint256 public maintenanceMargin;

    constructor(address operator_, IMockFeed feed_, IPerpVenue venue_, IRebalancer rebalancer_) {
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
        token = token_;
        bandMin = bandMin_;
        bandMax = bandMax_;
        maintenanceMargin = VENUE.params().maintenanceMarginRatio;
    }

    /// @dev Working state of one `run` (a struct keeps the stack shallow without via-IR).
    struct Cursor {
        address token;
        int256 size;
        int256 equity0; // the venue's equity of the account at price0, in this block
        uint256 price0;
        uint256 mmr; // maintenance margin ratio
        IRebalancer.Methodology m;
        bool timeDue; // the Rebalancer's interval has elapsed (time does not move inside a transaction)
        bool iterating;
        int256 minMr;
        uint256 maxLev;
        uint256 inBand;
        int256 equity; // replica of the venue's equity at the last price
        int256 slope; // WAD: d(equity)/d(size * price); 1 - pending funding per unit of price (rate * elapsed)
    }

    /// @notice Posts `answers` (feed decimals) one by one. After the first one, sets the funding rate (per second,
    ///         WAD) if it changed. After each price the venue decides liquidation and, from index `keeperFrom` on,
    ///         the Rebalancer decides whether a keeper action is due; the run stops at the first price where either
    ///         says so.
    /// @dev Speed: inside one transaction the block time, size and funding index are fixed, so the account's equity
    ///      is affine in the price. The driver replicates it from one `accountSnapshot` and asks the venue's
    ///      `isLiquidatable` at every price where the replica's margin ratio is below 3x maintenance, and the
    ///      Rebalancer's `shouldRebalance` wherever the replica's leverage is within 0.2% of a trigger (band,
    ///      ripcord, or the tolerance once the interval is due) or a chunked rebalance is in progress. The replica
    ///      is checked against the venue's own equity at the end of every run (`ReplicaMismatch`), so a skipped
    ///      question is one whose answer could only have been "no".
    function run(int256[] calldata answers, uint256 keeperFrom, int256 newFundingRate) external onlyOperator {
        uint256 n = answers.length;
        FEED.updateAnswer(answers[0]);
        if (newFundingRate != fundingRate) {
            fundingRate = newFundingRate;
            IVenueAdmin(address(VENUE)).setFundingRate(newFundingRate);
        }
        Cursor memory c;
        c.token = token;
        if (c.token != address(0)) (c.size, c.equity0, c.price0) = VENUE.accountSnapshot(c.token);
        if (c.size == 0) {
            for (uint256 i = 1; i < n; ++i) {
                FEED.updateAnswer(answers[i]);
            }
            emit Run(n, 0, 0, type(int256).max, 0, 0, uint256(answers[n - 1]) * PRICE_SCALE, c.equity0, 0);
            return;
        }
        c.mmr = maintenanceMargin;
        IRebalancer.TokenState memory st = REBALANCER.tokenState(c.token);
        c.m = st.methodology;
        c.iterating = st.iterating;
        c.timeDue = block.timestamp - st.lastRebalance >= st.methodology.interval;
        // Funding not yet accrued in this block is charged at the current price: equity is slightly less (long,
        // positive rate) than size-proportional in price.
        uint256 elapsed = block.timestamp - IVenueAdmin(address(VENUE)).lastFundingTime();
        c.slope = int256(WAD) - fundingRate * int256(elapsed);
        c.minMr = type(int256).max;
        for (uint256 i; i < n; ++i) {
            if (i != 0) FEED.updateAnswer(answers[i]);
            uint256 price = uint256(answers[i]) * PRICE_SCALE;
            uint256 lev = _observe(c, price);
            if (c.equity < int256(Math.mulDiv(_notional(c, answers[i]), 3 * c.mmr, WAD))) {
                if (VENUE.isLiquidatable(c.token)) {
                    VENUE.liquidate(c.token);
                    (, int256 left,) = VENUE.accountSnapshot(c.token);
                    emit Run(i + 1, 2, 0, c.minMr, c.maxLev, c.inBand, price, left, 0);
                    return;
                }
            }
            if (i >= keeperFrom && _maybeDue(c, lev)) {
                uint8 action = REBALANCER.shouldRebalance(c.token);
                if (action != 0) {
                    _check(c);
                    emit Run(i + 1, 1, action, c.minMr, c.maxLev, c.inBand, price, c.equity, lev);
                    return;
                }
            }
        }
        _check(c);
        uint256 lastPrice = uint256(answers[n - 1]) * PRICE_SCALE;
        emit Run(n, 0, 0, c.minMr, c.maxLev, c.inBand, lastPrice, c.equity, _leverage(c, lastPrice));
    }

    function _leverage(Cursor memory c, uint256 price) private pure returns (uint256) {
        uint256 notional = Math.mulDiv(SignedMath.abs(c.size), price, WAD);
        return c.equity > 0 ? Math.mulDiv(notional, WAD, uint256(c.equity)) : type(uint256).max;
    }

    /// @dev Replica of the venue's equity at `price`; records margin ratio, leverage and band statistics.
    function _observe(Cursor memory c, uint256 price) private view returns (uint256 lev) {
        c.equity = c.equity0 + (((c.size * (int256(price) - int256(c.price0))) / int256(WAD)) * c.slope) / int256(WAD);
        uint256 notional = Math.mulDiv(SignedMath.abs(c.size), price, WAD);
        lev = c.equity > 0 ? Math.mulDiv(notional, WAD, uint256(c.equity)) : type(uint256).max;
        int256 mr = (c.equity * int256(WAD)) / int256(notional);
        if (mr < c.minMr) c.minMr = mr;
        if (lev > c.maxLev) c.maxLev = lev;
        if (lev >= bandMin && lev <= bandMax) ++c.inBand;
    }

    function _notional(Cursor memory c, int256 answer) private pure returns (uint256) {
        return Math.mulDiv(SignedMath.abs(c.size), uint256(answer) * PRICE_SCALE, WAD);
    }

    /// @dev Whether the Rebalancer could say anything but NONE at leverage `lev` (with a 0.2% margin).
    function _maybeDue(Cursor memory c, uint256 lev) private pure returns (bool) {
        if (c.iterating) return true;
        uint256 lo = Math.mulDiv(c.m.minLeverage, 1.002e18, WAD);
        uint256 hi = Math.mulDiv(c.m.maxLeverage, 0.998e18, WAD);
        if (lev <= lo || lev >= hi) return true; // covers the ripcord, which is above the band top
        if (!c.timeDue) return false;
        uint256 target = c.m.targetLeverage;
        uint256 gap = lev > target ? lev - target : target - lev;
        return gap + target / 500 > c.m.tolerance;
    }

    /// @dev The replica must agree with the venue's own valuation (to 1e-5 of notional, far below every margin the
    ///      filters above leave; the difference is rounding).
    function _check(Cursor memory c) private view {
        (, int256 eq, uint256 price) = VENUE.accountSnapshot(c.token);
        uint256 tol = Math.mulDiv(SignedMath.abs(c.size), price, WAD) / 1e5 + 1e9;
        if (SignedMath.abs(eq - c.equity) > tol) revert ReplicaMismatch(eq, c.equity);
    }

}
