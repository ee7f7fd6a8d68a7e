// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MulDiv} from "./libraries/MulDiv.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {AutomationCompatibleInterface} from "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";
import {IAutomationForwarder} from "@chainlink/contracts/src/v0.8/automation/interfaces/IAutomationForwarder.sol";
import {IRebalancer} from "./interfaces/IRebalancer.sol";
import {ILeveragedToken} from "./interfaces/ILeveragedToken.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IOracleAdapter} from "./interfaces/IOracleAdapter.sol";
import {IVenue} from "./interfaces/IVenue.sol";
import {LeverageMath} from "./libraries/LeverageMath.sol";

/// @title Rebalancer
/// @notice Open rebalancing rules for every registered leveraged token: a leverage band, a time interval, a ripcord
///         level and an optional per-call trade cap (chunked rebalances, ITERATE). Anyone may act when an action is
///         due and earns a bounded bounty that grows with the time since it became due, once per due state (the
///         chunks of one rebalance share one bounty). Chainlink Automation drives it through `checkUpkeep` /
///         `performUpkeep`: the check simulates each candidate's action, puts ripcords first, skips what would revert
///         and rotates its starting point, and one failing product never blocks the others.
contract Rebalancer is IRebalancer, Ownable2Step {
    uint256 private constant WAD = 1e18;
    /// @notice Hard upper bound of products handled by one performUpkeep (bounded gas).
    uint256 public constant MAX_BATCH = 16;
    /// @dev Simulations `checkUpkeep` spends on REBALANCE / ITERATE candidates per call (ripcords have their own
    ///      MAX_BATCH): bounds its gas however many products are due but blocked; the rotating start moves on.
    uint256 private constant _MAX_OTHER_SIMULATIONS = MAX_BATCH;
    /// @notice The widest fill a methodology may accept, as a fraction of mark (WAD): 3%.
    uint256 public constant MAX_SLIPPAGE = 0.03e18;
    /// @notice The widest inner band a methodology may set, as a fraction of each half band (WAD): 75%, so that a
    ///         partial rebalance always lands a quarter of the half band inside the trigger it answered.
    uint256 public constant MAX_INNER_BAND = 0.75e18;
    /// @dev The trigger prices are those of the band pulled in by 1/_TRIGGER_GUARD of each half band.
    uint256 private constant _TRIGGER_GUARD = 8;
    /// @dev Trigger prices are stored in Chainlink's 8 decimals: USD WAD / 1e10.
    uint256 private constant _TRIGGER_UNIT = 1e10;

    /// @dev A token's state in six slots: methodology (3, the third with the trigger prices), bounty rates (1), the hot
    ///      slot written by every keeper action (budget, last rebalance, what the rebalance in progress has paid,
    ///      flags) and the registration constants with the observed auction start. The hot slot is full (15 + 5 + 8 +
    ///      4 bytes): the budget is a uint120 (validated), `lastRebalance` a uint40 (good until the year 36812), and
    ///      the fourth flag, `triggersSet`, lets a check skip the trigger slot of a product without trigger prices.
    ///      The auction start lives in the last slot's 4 free bytes as `dueAfter`: 0 when no due state has been
    ///      observed since the last rebalance, otherwise `dueSince - lastRebalance + 1` (the start is never before the
    ///      last rebalance; 136 years of range). It is read with the other slots at no extra cost and written only by
    ///      `poke`, by the first chunk of a chunked rebalance, and once more (cleared) by the action that serves an
    ///      observed due state.
    struct Stored {
        StoredMethodology methodology;
        uint64 bountyBase;
        uint64 bountyPerSecond;
        uint64 bountyCap;
        uint64 bountyMaxEquityFraction;
        uint120 bountyBudget;
        uint40 lastRebalance;
        uint64 duePaid;
        bool iterating;
        bool registered;
        bool retired;
        bool triggersSet;
        address oracle;
        uint64 collateralScale;
        uint32 dueAfter;
    }

    /// @dev `Methodology` as stored: its third slot also holds the trigger prices (see `triggerPrices`), written by
    ///      every completed rebalance or ripcord into the slot the rebalance has just read (a warm write) and zeroed
    ///      by `setMethodology`. USD in 8 decimals in 80 bits (up to 1.2e16 USD); `triggerHigh` == type(uint80).max:
    ///      unbounded.
    struct StoredMethodology {
        uint64 minLeverage;
        uint64 targetLeverage;
        uint64 maxLeverage;
        uint64 ripcordLeverage;
        uint32 interval;
        uint64 tolerance;
        uint64 maxSlippage;
        uint96 maxTradeNotional;
        uint64 innerBand;
        uint32 triggerTtl;
        uint80 triggerLow;
        uint80 triggerHigh;
    }

    mapping(address token => Stored) private _states;
    address[] private _tokens;
    /// @notice Addresses allowed to register products (the factory).
    mapping(address registrar => bool allowed) public override isRegistrar;
    /// @dev Chainlink Automation forwarder => who receives the bounties earned through its `performUpkeep` calls.
    mapping(address forwarder => address payee) private _automationPayees;

    constructor(address owner_) Ownable(owner_) {}

    modifier onlyRegistered(address token) {
        if (!_states[token].registered) revert NotRegistered(token);
        _;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Registry and governance
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IRebalancer
    function setRegistrar(address registrar, bool allowed) external override onlyOwner {
        if (registrar == address(0)) revert ZeroAddress();
        isRegistrar[registrar] = allowed;
        emit RegistrarSet(registrar, allowed);
    }

    /// @inheritdoc IRebalancer
    function register(
        address token,
        Methodology calldata newMethodology,
        BountyParams calldata newBounty
    ) external override {
        if (msg.sender != owner() && !isRegistrar[msg.sender]) revert OnlyRegistrar(msg.sender);
        if (token == address(0)) revert ZeroAddress();
        Stored storage st = _states[token];
        if (st.registered) revert AlreadyRegistered(token);
        _validateMethodology(token, newMethodology);
        _validateBounty(newBounty);
        IVenue venue = ILeveragedToken(token).venue();
        if (venue.settlement() != IVenue.Settlement.SYNCHRONOUS) revert UnsupportedSettlement(address(venue));
        _storeMethodology(st, newMethodology);
        _storeBounty(st, newBounty);
        st.lastRebalance = uint40(block.timestamp);
        st.registered = true;
        st.oracle = address(venue.oracle());
        st.collateralScale = uint64(10 ** (18 - uint256(IERC20Metadata(address(venue.collateral())).decimals())));
        _tokens.push(token);
        emit Registered(token, newMethodology, newBounty);
    }

    /// @inheritdoc IRebalancer
    function setMethodology(
        address token,
        Methodology calldata newMethodology
    ) external onlyOwner onlyRegistered(token) {
        // A "3x" product stays 3x: the target is the product's promise to its holders, fixed at registration.
        uint256 target = _states[token].methodology.targetLeverage;
        if (newMethodology.targetLeverage != target) revert TargetLeverageFixed(token, target);
        _validateMethodology(token, newMethodology);
        // The stored trigger prices are the old band's: cleared with the rest of the slot.
        Stored storage st = _states[token];
        _storeMethodology(st, newMethodology);
        if (st.triggersSet) st.triggersSet = false;
        emit MethodologySet(token, newMethodology);
    }

    /// @inheritdoc IRebalancer
    function setBounty(
        address token,
        BountyParams calldata newBounty
    ) external override onlyOwner onlyRegistered(token) {
        _validateBounty(newBounty);
        _storeBounty(_states[token], newBounty);
        emit BountySet(token, newBounty);
    }

    /// @inheritdoc IRebalancer
    function setAutomationPayee(address forwarder, address payee) external override onlyOwner {
        if (forwarder == address(0)) revert ZeroAddress();
        if (payee == address(0)) revert ZeroAutomationPayee(forwarder);
        _automationPayees[forwarder] = payee;
        emit AutomationPayeeSet(forwarder, payee);
    }

    /// @inheritdoc IRebalancer
    function automationPayee(address forwarder) external view override returns (address) {
        return _automationPayees[forwarder];
    }

    /// @inheritdoc IRebalancer
    /// @dev Both states are final: a wound-down product never trades again, and one with holders but no position
    ///      (liquidated by the venue, or closed insolvent by a ripcord) is closed for good (mint reverts, nothing
    ///      reopens a position), so neither can become due again. The position is read without a price.
    function retire(address token) external override onlyRegistered(token) {
        ILeveragedToken product = ILeveragedToken(token);
        (int256 size, , ) = product.positionSnapshot();
        bool closed = size == 0 && IERC20Metadata(token).totalSupply() != 0;
        if (!closed && !product.woundDown()) revert NotRetirable(token);
        _states[token].retired = true;
        emit Retired(token);
    }

    /// @dev 0 < min <= target <= max < ripcord <= the venue's max leverage; 0 < slippage <= MAX_SLIPPAGE;
    ///      innerBand <= MAX_INNER_BAND; triggerTtl <= interval.
    function _validateMethodology(address token, Methodology calldata m) private view {
        uint256 venueMax = ILeveragedToken(token).venue().maxLeverage();
        if (
            m.minLeverage == 0 ||
            m.minLeverage > m.targetLeverage ||
            m.targetLeverage > m.maxLeverage ||
            m.maxLeverage >= m.ripcordLeverage ||
            m.ripcordLeverage > venueMax ||
            m.interval == 0 ||
            m.maxSlippage == 0 ||
            m.maxSlippage > MAX_SLIPPAGE ||
            m.tolerance >= m.targetLeverage ||
            m.innerBand > MAX_INNER_BAND ||
            m.triggerTtl > m.interval
        ) revert InvalidMethodology();
    }

    /// @dev The methodology in its stored form, without trigger prices.
    function _storeMethodology(Stored storage st, Methodology calldata m) private {
        st.methodology = StoredMethodology({
            minLeverage: m.minLeverage,
            targetLeverage: m.targetLeverage,
            maxLeverage: m.maxLeverage,
            ripcordLeverage: m.ripcordLeverage,
            interval: m.interval,
            tolerance: m.tolerance,
            maxSlippage: m.maxSlippage,
            maxTradeNotional: m.maxTradeNotional,
            innerBand: m.innerBand,
            triggerTtl: m.triggerTtl,
            triggerLow: 0,
            triggerHigh: 0
        });
    }

    function _storeBounty(Stored storage st, BountyParams calldata b) private {
        st.bountyBase = b.base;
        st.bountyPerSecond = b.perSecond;
        st.bountyCap = b.cap;
        st.bountyMaxEquityFraction = b.maxEquityFraction;
        st.bountyBudget = uint120(b.budget); // at most type(uint120).max (see _validateBounty)
    }

    /// @dev base <= cap; at most 1% of equity per call; a budget of at most 2^120 - 1 units (it is stored in 15 bytes).
    function _validateBounty(BountyParams calldata b) private pure {
        if (b.base > b.cap || b.maxEquityFraction > 0.01e18 || b.budget > type(uint120).max) revert InvalidBounty();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Keepers
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IRebalancer
    /// @dev Between the trigger prices of the last rebalance (see `triggerPrices`) the venue is not read.
    function shouldRebalance(address token) external view override onlyRegistered(token) returns (Action) {
        (uint256 low, uint256 high, uint256 validUntil) = _triggerView(_states[token]);
        if (block.timestamp < validUntil) {
            (uint256 oraclePrice, ) = IOracleAdapter(_states[token].oracle).latestPrice();
            if (low < oraclePrice && oraclePrice < high) return Action.NONE;
        }
        (int256 size, int256 equityWad, uint256 price) = ILeveragedToken(token).positionSnapshot();
        (Action action, ) = _evaluateStored(_states[token], size, equityWad, price);
        return action;
    }

    /// @inheritdoc IRebalancer
    function rebalance(address token) external override onlyRegistered(token) returns (uint256 bounty) {
        (bounty, ) = _execute(token, Mode.REBALANCE, msg.sender);
    }

    /// @inheritdoc IRebalancer
    function ripcord(address token) external override onlyRegistered(token) returns (uint256 bounty) {
        (bounty, ) = _execute(token, Mode.RIPCORD, msg.sender);
    }

    /// @inheritdoc IRebalancer
    function currentBounty(address token) external view override onlyRegistered(token) returns (uint256) {
        Stored memory st = _states[token];
        (int256 size, int256 equityWad, uint256 price) = ILeveragedToken(token).positionSnapshot();
        (Action action, uint256 lev) = _evaluate(st, size, equityWad, price);
        if (action == Action.NONE) return 0;
        (uint256 bounty, ) = _bounty(st, action, lev, equityWad);
        return bounty;
    }

    /// @inheritdoc IRebalancer
    /// @dev Whatever is due now, whatever `checkUpkeep` saw earlier.
    function executeFromUpkeep(address token, address keeper) external override returns (uint256 bounty) {
        if (msg.sender != address(this)) revert OnlySelf();
        (bounty, ) = _execute(token, Mode.ANY, keeper);
    }

    /// @inheritdoc IRebalancer
    /// @dev The bounty goes to this contract in the simulation; everything is undone by the final revert.
    function simulateUpkeep(address token) external override {
        if (msg.sender != address(this)) revert OnlySelf();
        (, Action action) = _execute(token, Mode.ANY, address(this));
        revert UpkeepSimulated(token, action);
    }

    /// @dev What a caller asked for: a rebalance (or iteration), a ripcord, or whichever is due (Automation).
    enum Mode {
        REBALANCE,
        RIPCORD,
        ANY
    }

    /// @dev One keeper action, planned in memory (keeps the stack shallow without via-IR).
    struct Plan {
        Action action;
        bool capped;
        uint256 leverageBefore;
        uint256 price;
        int256 size;
        int256 sizeDelta;
        uint256 acceptablePrice;
        uint256 bounty;
        uint256 dueSince;
    }

    function _execute(address token, Mode mode, address keeper) private returns (uint256, Action) {
        Stored storage st = _states[token];
        // The token's six slots are read once; the plan works on the memory copy.
        Stored memory s = st;
        Plan memory p = _planFor(token, s, mode, keeper != address(0));

        // Effects before the interaction.
        st.iterating = p.capped;
        if (p.capped) {
            // What this due state has paid so far: the chunks that follow are paid only the auction's growth beyond
            // it. At most the auction's amount, itself at most the uint64 cap, so the narrowing is exact.
            st.duePaid = uint64((p.action == Action.ITERATE ? s.duePaid : 0) + p.bounty);
            // The chunks that follow share this due state, and its auction start (see `_bounty`).
            if (s.dueAfter == 0 && p.dueSince != 0) st.dueAfter = _encodeDue(p.dueSince, s.lastRebalance);
        } else {
            st.lastRebalance = uint40(block.timestamp);
            if (s.duePaid != 0) st.duePaid = 0;
            // The due state is served: the next one starts a fresh auction.
            if (s.dueAfter != 0) st.dueAfter = 0;
        }
        // bounty <= budget (see _bounty), so the subtraction cannot underflow and the result fits in uint120.
        if (p.bounty != 0) st.bountyBudget = uint120(s.bountyBudget - p.bounty);

        int256 equityAfter = ILeveragedToken(token).rebalancerTrade(p.sizeDelta, p.acceptablePrice, keeper, p.bounty);
        uint256 leverageAfter = LeverageMath.leverage(p.size + p.sizeDelta, p.price, equityAfter);
        if (!p.capped && s.methodology.triggerTtl != 0) {
            _storeTriggers(st, s.methodology, p.size + p.sizeDelta, equityAfter, p.price);
        }
        emit RebalanceExecuted(token, p.action, p.leverageBefore, leverageAfter, p.sizeDelta, keeper, p.bounty);
        return (p.bounty, p.action);
    }

    /// @dev Checks that the requested action is due and plans the trade back to target (paying a bounty when `paid`): `sign * L * E / P - size`,
    ///      capped per call for a rebalance (ITERATE then continues it), in one piece for a ripcord, with the fill
    ///      bounded at `maxSlippage` from mark.
    function _planFor(address token, Stored memory st, Mode mode, bool paid) private view returns (Plan memory p) {
        (int256 size, int256 equityWad, uint256 price) = ILeveragedToken(token).positionSnapshot();
        (p.action, p.leverageBefore) = _evaluate(st, size, equityWad, price);
        bool isRipcord = p.action == Action.RIPCORD;
        if (mode == Mode.RIPCORD) {
            if (!isRipcord) revert RipcordNotNeeded(token, p.leverageBefore);
        } else if (p.action == Action.NONE || (isRipcord && mode == Mode.REBALANCE)) {
            revert RebalanceNotNeeded(token, p.action, p.leverageBefore);
        }
        p.price = price;
        p.size = size;
        // No keeper to pay (an unregistered Automation forwarder, see performUpkeep): no bounty.
        if (paid) (p.bounty, p.dueSince) = _bounty(st, p.action, p.leverageBefore, equityWad);
        // Size against the equity that will remain once the bounty is paid.
        int256 equityForTarget = equityWad - SafeCast.toInt256(p.bounty * st.collateralScale);
        StoredMethodology memory m = st.methodology; // a memory reference, no copy
        uint256 aim = isRipcord ? m.targetLeverage : _aim(m, p.leverageBefore);
        p.sizeDelta = LeverageMath.targetSize(aim, equityForTarget, price, size > 0) - size;
        if (isRipcord) {
            // A ripcord trades a large share of the position at once, so its own fee and price impact would leave
            // leverage visibly above target: size it once more against the equity left after those costs.
            p.sizeDelta = _costAwareDelta(token, m.targetLeverage, size, equityForTarget, price, p.sizeDelta);
        } else {
            (p.sizeDelta, p.capped) = LeverageMath.capDelta(p.sizeDelta, price, m.maxTradeNotional);
        }
        p.acceptablePrice =
            p.sizeDelta > 0
                ? MulDiv.down(price, WAD + m.maxSlippage, WAD)
                : MulDiv.down(price, WAD - m.maxSlippage, WAD);
    }

    /// @dev Where a rebalance takes leverage `lev`: the nearest edge of the inner band from outside it (a partial
    ///      rebalance), target from inside it (a time-based rebalance beyond the tolerance); target without an inner
    ///      band.
    function _aim(StoredMethodology memory m, uint256 lev) private pure returns (uint256) {
        uint256 target = m.targetLeverage;
        if (m.innerBand == 0) return target;
        uint256 high = target + MulDiv.down(m.maxLeverage - target, m.innerBand, WAD);
        if (lev > high) return high;
        uint256 low = target - MulDiv.down(target - m.minLeverage, m.innerBand, WAD);
        return lev < low ? low : target;
    }

    /// @dev Stores the trigger prices of the position a completed rebalance or ripcord left: `size` and `equityWad`
    ///      at `price`. None (zero) unless `price` lies strictly between them, so they never hide a due state that
    ///      the trade itself left (costs or rounding beyond the guard).
    function _storeTriggers(
        Stored storage st,
        StoredMethodology memory m,
        int256 size,
        int256 equityWad,
        uint256 price
    ) private {
        int256 cash = equityWad - (size * SafeCast.toInt256(price)) / int256(WAD);
        uint256 top = m.maxLeverage - (m.maxLeverage - m.targetLeverage) / _TRIGGER_GUARD;
        uint256 bottom = m.minLeverage + (m.targetLeverage - m.minLeverage) / _TRIGGER_GUARD;
        uint256 low;
        uint256 high;
        if (size > 0) {
            // A long's leverage rises as the price falls, and never reaches 1 or below.
            low = LeverageMath.priceAtLeverage(size, cash, top);
            high = bottom > WAD ? LeverageMath.priceAtLeverage(size, cash, bottom) : type(uint256).max;
        } else {
            low = LeverageMath.priceAtLeverage(size, cash, bottom);
            high = LeverageMath.priceAtLeverage(size, cash, top);
        }
        // In 8 decimals, rounded inwards (the low trigger up, the high one down); above 80 bits: unbounded.
        low = low / _TRIGGER_UNIT + 1;
        high = Math.min(high / _TRIGGER_UNIT, type(uint80).max);
        if (!(low * _TRIGGER_UNIT < price && price < high * _TRIGGER_UNIT)) (low, high) = (0, 0);
        st.methodology.triggerLow = uint80(low);
        st.methodology.triggerHigh = uint80(high);
        // The flag sits in the hot slot, which every check reads anyway: a product without triggers costs no read of
        // the trigger slot.
        bool set = high != 0;
        if (st.triggersSet != set) st.triggersSet = set;
    }

    /// @dev The stored trigger prices and until when they answer: none while a chunked rebalance is in progress.
    function _triggerView(Stored storage st) private view returns (uint256 low, uint256 high, uint256 validUntil) {
        // Set only by a rebalance under a non-zero triggerTtl, cleared by setMethodology (which may change it).
        if (!st.triggersSet || st.iterating) return (0, 0, 0);
        StoredMethodology storage m = st.methodology;
        (low, high) = (m.triggerLow, m.triggerHigh);
        low *= _TRIGGER_UNIT;
        high = high == type(uint80).max ? type(uint256).max : high * _TRIGGER_UNIT;
        return (low, high, st.lastRebalance + m.triggerTtl);
    }

    /// @dev The delta back to `target` leverage on the equity that remains after the trade's own costs, as quoted by
    ///      the venue. One refinement leaves leverage off target by about 3 x marginal cost x costs / equity: fine while
    ///      the costs are a small share of equity. A product far beyond its ripcord (costs above 1/64 of equity; e.g.
    ///      79x on 93M notional, costs 72% of equity, one refinement lands at 3.51x) is refined until the delta
    ///      settles, at most twice more (3.0034x in the regression test), so the ripcord lands inside the band.
    function _costAwareDelta(
        address token,
        uint256 target,
        int256 size,
        int256 equityWad,
        uint256 price,
        int256 delta
    ) private view returns (int256) {
        IVenue venue = ILeveragedToken(token).venue();
        uint256 costs;
        (delta, costs) = _refineForCosts(venue, target, size, equityWad, price, delta);
        if (equityWad > 0 && costs * 64 > uint256(equityWad)) {
            for (uint256 i; i < 2; ++i) {
                (int256 next, ) = _refineForCosts(venue, target, size, equityWad, price, delta);
                if (next == delta) break;
                delta = next;
            }
        }
        return delta;
    }

    /// @dev One refinement: the delta to `target` on `equityWad` less the costs (impact and fee, USD WAD) the venue
    ///      quotes for `delta`, and those costs.
    function _refineForCosts(
        IVenue venue,
        uint256 target,
        int256 size,
        int256 equityWad,
        uint256 price,
        int256 delta
    ) private view returns (int256, uint256 costs) {
        if (delta == 0) return (0, 0);
        (uint256 fill, uint256 fee) = venue.quoteTradeAt(delta, price);
        costs = MulDiv.down(SignedMath.abs(delta), fill > price ? fill - price : price - fill, WAD) + fee;
        int256 equityAfterCosts = equityWad - SafeCast.toInt256(costs);
        return (LeverageMath.targetSize(target, equityAfterCosts, price, size > 0) - size, costs);
    }

    /// @dev The rules, in order: nothing to do without a position; RIPCORD at or above the ripcord level; ITERATE
    ///      while a chunked rebalance is in progress; REBALANCE outside the band, or after the interval when leverage
    ///      is further than the tolerance from target.
    function _evaluateStored(
        Stored storage st,
        int256 size,
        int256 equityWad,
        uint256 price
    ) private view returns (Action action, uint256 lev) {
        if (size == 0) return (Action.NONE, 0);
        lev = LeverageMath.leverage(size, price, equityWad);
        // The rules read the first two slots only; the third (inner band, trigger prices) is not read here.
        StoredMethodology storage sm = st.methodology;
        StoredMethodology memory m;
        (m.minLeverage, m.targetLeverage, m.maxLeverage, m.ripcordLeverage) = (
            sm.minLeverage,
            sm.targetLeverage,
            sm.maxLeverage,
            sm.ripcordLeverage
        );
        (m.interval, m.tolerance) = (sm.interval, sm.tolerance);
        return _rules(m, st.iterating, st.lastRebalance, lev);
    }

    /// @dev The same rules on a memory copy of the token's state: keeper actions read each storage slot once.
    function _evaluate(
        Stored memory st,
        int256 size,
        int256 equityWad,
        uint256 price
    ) private view returns (Action action, uint256 lev) {
        if (size == 0) return (Action.NONE, 0);
        lev = LeverageMath.leverage(size, price, equityWad);
        return _rules(st.methodology, st.iterating, st.lastRebalance, lev);
    }

    function _rules(
        StoredMethodology memory m,
        bool iterating,
        uint256 lastRebalance,
        uint256 lev
    ) private view returns (Action, uint256) {
        if (lev >= m.ripcordLeverage) return (Action.RIPCORD, lev);
        if (iterating) return (Action.ITERATE, lev);
        if (lev < m.minLeverage || lev > m.maxLeverage) return (Action.REBALANCE, lev);
        if (block.timestamp - lastRebalance >= m.interval) {
            uint256 gap = lev > m.targetLeverage ? lev - m.targetLeverage : m.targetLeverage - lev;
            if (gap > m.tolerance) return (Action.REBALANCE, lev);
        }
        return (Action.NONE, lev);
    }

    /// @dev A Dutch auction: `base + perSecond * (now - dueSince)`, capped per call, by a fraction of equity and by
    ///      the remaining budget; also returns `dueSince` (0 when nothing is payable). The auction runs from the
    ///      moment the due state was first observed (`poke`, or the first chunk of a chunked rebalance) until it is
    ///      served, whatever oracle rounds come in between; without an observation, see `_ruleDueSince`.
    ///      One bounty per due state: an ITERATE chunk is paid only what the auction's amount exceeds the bounties
    ///      the same chunked rebalance already paid (`duePaid`), so all its chunks together are paid at most one
    ///      auction's amount, never more than `cap`; a ripcord is a due state of its own for `duePaid`, but keeps an
    ///      observed start (a product due since then is still due, and more urgently).
    function _bounty(
        Stored memory st,
        Action action,
        uint256 lev,
        int256 equityWad
    ) private view returns (uint256, uint256 dueSince) {
        uint256 budget = st.bountyBudget;
        uint256 cap = st.bountyCap;
        if (budget == 0 || cap == 0 || equityWad <= 0) return (0, 0);
        dueSince = st.dueAfter != 0 ? _decodeDue(st) : _ruleDueSince(st, action, lev);
        uint256 elapsed = block.timestamp > dueSince ? block.timestamp - dueSince : 0;
        uint256 amount = Math.min(uint256(st.bountyBase) + uint256(st.bountyPerSecond) * elapsed, cap);
        // Collateral units: equity (USD WAD) / 1e12 for a 6-decimal stablecoin.
        uint256 equityUnits = uint256(equityWad) / st.collateralScale;
        amount = Math.min(amount, MulDiv.down(equityUnits, st.bountyMaxEquityFraction, WAD));
        if (action == Action.ITERATE) amount = amount > st.duePaid ? amount - st.duePaid : 0;
        return (Math.min(amount, budget), dueSince);
    }

    /// @dev When the current action became due, as the state shows it without an observation: a band breach or
    ///      ripcord since the oracle round that caused it (no earlier than the last rebalance); a time-based
    ///      rebalance (leverage still inside the band) since the interval elapsed. A band breach after a quiet
    ///      interval is not time-based: it became due with the breaching round. A later round moves this start, which
    ///      is why `poke` records it.
    function _ruleDueSince(Stored memory st, Action action, uint256 lev) private view returns (uint256) {
        uint256 last = st.lastRebalance;
        bool inBand = lev >= st.methodology.minLeverage && lev <= st.methodology.maxLeverage;
        if (action == Action.REBALANCE && inBand && block.timestamp - last >= st.methodology.interval) {
            return last + st.methodology.interval;
        }
        (, uint256 updatedAt) = IOracleAdapter(st.oracle).latestPrice();
        return Math.max(updatedAt, last);
    }

    /// @dev The observed auction start stored in `dueAfter` (non-zero).
    function _decodeDue(Stored memory st) private pure returns (uint256) {
        return uint256(st.lastRebalance) + st.dueAfter - 1;
    }

    /// @dev `dueSince` (never before `lastRebalance`) as stored in `dueAfter`.
    function _encodeDue(uint256 dueSince, uint256 lastRebalance) private pure returns (uint32) {
        return SafeCast.toUint32(dueSince - lastRebalance + 1);
    }

    /// @inheritdoc IRebalancer
    /// @dev Reads each slot once and writes only on a change: recording a start (a due product without one, or a
    ///      rule's start earlier than the stored one, e.g. a time-based rebalance whose interval elapsed before the
    ///      recorded breach), or clearing a stale one (the product is not due). Otherwise nothing is written and no
    ///      event is emitted. Not a revert when nothing is due, so that a bot can poke blindly and clear stale starts.
    function poke(address token) external override onlyRegistered(token) returns (uint256 since) {
        Stored storage st = _states[token];
        Stored memory s = st;
        (int256 size, int256 equityWad, uint256 price) = ILeveragedToken(token).positionSnapshot();
        (Action action, uint256 lev) = _evaluate(s, size, equityWad, price);
        uint32 next;
        if (action != Action.NONE) {
            since = _ruleDueSince(s, action, lev);
            if (s.dueAfter != 0) since = Math.min(since, _decodeDue(s));
            next = _encodeDue(since, s.lastRebalance);
        }
        if (next != s.dueAfter) {
            st.dueAfter = next;
            emit DueObserved(token, action, since);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Chainlink Automation
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Scans products and reports up to `MAX_BATCH` whose due action would succeed now: ripcords first, then
    ///         rebalances and iterations, each group in registry order.
    /// @dev Not a view: each candidate's action is executed for real in a self-call that then reverts
    ///      (`simulateUpkeep`), so a product whose trade the venue would refuse (reduce-only pause, open-interest cap,
    ///      margin, price limit) or whose oracle fails is skipped, exactly. Call it with `eth_call` (Chainlink
    ///      Automation simulates it from address(0)); under STATICCALL every simulation fails and nothing is reported.
    ///      Gas is bounded: one snapshot per product scanned, at most `MAX_BATCH` ripcord simulations and
    ///      `_MAX_OTHER_SIMULATIONS` others. The scan starts at `(block.number * MAX_BATCH) % span` and wraps around, so
    ///      no fixed prefix of blocked products can take every batch. Retired products are not read at all.
    /// @param checkData Empty to scan everything, or `abi.encode(uint256 start, uint256 count)` to scan a slice
    ///        (one upkeep per slice shards a large registry).
    /// @return upkeepNeeded True when at least one product is due and its action would succeed.
    /// @return performData `abi.encode(address[] tokens, uint8[] actions)`.
    function checkUpkeep(
        bytes calldata checkData
    ) external override(AutomationCompatibleInterface) returns (bool upkeepNeeded, bytes memory performData) {
        uint256 start;
        uint256 end = _tokens.length;
        if (checkData.length != 0) {
            uint256 count;
            (start, count) = abi.decode(checkData, (uint256, uint256));
            end = Math.min(end, start + count);
        }
        Batch memory b = Batch({
            ripcords: new uint256[](MAX_BATCH),
            others: new uint256[](MAX_BATCH),
            otherActions: new uint8[](MAX_BATCH),
            nRipcords: 0,
            nOthers: 0,
            ripcordSimulations: 0,
            otherSimulations: 0
        });
        if (end > start) {
            uint256 span = end - start;
            uint256 offset = (block.number * MAX_BATCH) % span;
            for (uint256 k; k < span; ++k) {
                uint256 j = offset + k;
                _consider(b, start + (j < span ? j : j - span));
            }
        }
        return _encodeBatch(b);
    }

    /// @dev The batch `checkUpkeep` builds: registry indices of the ripcords and of the other actions that would
    ///      succeed, and the simulations spent on each group.
    struct Batch {
        uint256[] ripcords;
        uint256[] others;
        uint8[] otherActions;
        uint256 nRipcords;
        uint256 nOthers;
        uint256 ripcordSimulations;
        uint256 otherSimulations;
    }

    /// @dev Adds product `i` to the batch when an action is due and its simulation succeeds. A ripcord displaces the
    ///      last other action found once the batch is full; others are simulated only while there is room.
    function _consider(Batch memory b, uint256 i) private {
        address token = _tokens[i];
        Stored storage st = _states[token];
        if (st.retired) return;
        Action action;
        // Between the last rebalance's trigger prices the venue is not read (an oracle that fails skips the product).
        (uint256 low, uint256 high, uint256 validUntil) = _triggerView(st);
        if (block.timestamp < validUntil) {
            try IOracleAdapter(st.oracle).latestPrice() returns (uint256 price, uint256) {
                if (low < price && price < high) return;
            } catch {
                return;
            }
        }
        try ILeveragedToken(token).positionSnapshot() returns (int256 size, int256 equityWad, uint256 price) {
            (action, ) = _evaluateStored(st, size, equityWad, price);
        } catch {
            return; // a product whose oracle or venue fails is skipped; the others are still served
        }
        if (action == Action.NONE) return;
        if (action == Action.RIPCORD) {
            if (b.nRipcords == MAX_BATCH || b.ripcordSimulations == MAX_BATCH) return;
            ++b.ripcordSimulations;
            if (!_simulates(token)) return;
            b.ripcords[b.nRipcords++] = i;
            if (b.nRipcords + b.nOthers > MAX_BATCH) --b.nOthers;
        } else {
            if (b.nRipcords + b.nOthers == MAX_BATCH || b.otherSimulations == _MAX_OTHER_SIMULATIONS) return;
            ++b.otherSimulations;
            if (!_simulates(token)) return;
            b.others[b.nOthers] = i;
            b.otherActions[b.nOthers] = uint8(action);
            ++b.nOthers;
        }
    }

    /// @dev Whether `performUpkeep` would act on `token` now without reverting (see `simulateUpkeep`).
    function _simulates(address token) private returns (bool) {
        try this.simulateUpkeep(token) {
            return false; // unreachable: simulateUpkeep always reverts
        } catch (bytes memory reason) {
            return reason.length == 68 && bytes4(reason) == UpkeepSimulated.selector;
        }
    }

    /// @dev Ripcords first, then the others, each group sorted by registry index.
    function _encodeBatch(Batch memory b) private view returns (bool, bytes memory) {
        uint256 n = b.nRipcords + b.nOthers;
        address[] memory due = new address[](n);
        uint8[] memory actions = new uint8[](n);
        _sort(b.ripcords, new uint8[](0), b.nRipcords);
        _sort(b.others, b.otherActions, b.nOthers);
        for (uint256 k; k < b.nRipcords; ++k) {
            due[k] = _tokens[b.ripcords[k]];
            actions[k] = uint8(Action.RIPCORD);
        }
        for (uint256 k; k < b.nOthers; ++k) {
            due[b.nRipcords + k] = _tokens[b.others[k]];
            actions[b.nRipcords + k] = b.otherActions[k];
        }
        return (n != 0, abi.encode(due, actions));
    }

    /// @dev Insertion sort of the first `n` indices (at most MAX_BATCH), carrying `tags` along when given.
    function _sort(uint256[] memory idx, uint8[] memory tags, uint256 n) private pure {
        bool tagged = tags.length != 0;
        for (uint256 a = 1; a < n; ++a) {
            uint256 key = idx[a];
            uint8 tag = tagged ? tags[a] : 0;
            uint256 c = a;
            while (c != 0 && idx[c - 1] > key) {
                idx[c] = idx[c - 1];
                if (tagged) tags[c] = tags[c - 1];
                --c;
            }
            idx[c] = key;
            if (tagged) tags[c] = tag;
        }
    }

    /// @dev Whether `caller` is a contract answering `IAutomationForwarder.getTarget()` with this contract, as
    ///      Chainlink's AutomationForwarder does (`caller` has code). A low-level staticcall with bounded gas: a
    ///      contract without the function (reverting, or returning anything but one word) is simply not a forwarder.
    function _isForwarderOfThis(address caller) private view returns (bool) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = caller.staticcall{gas: 10_000}(
            abi.encodeCall(IAutomationForwarder.getTarget, ())
        );
        return ok && ret.length == 32 && abi.decode(ret, (address)) == address(this);
    }

    /// @notice Executes what `checkUpkeep` found, re-checking each product; a product that fails (no longer due,
    ///         oracle down, venue refusing) is reported in `UpkeepFailed` and skipped. Callable by anyone. Bounties
    ///         go to the caller, or to its `automationPayee` when the caller is a registered Automation forwarder.
    function performUpkeep(bytes calldata performData) external override {
        (address[] memory due, ) = abi.decode(performData, (address[], uint8[]));
        if (due.length > MAX_BATCH) revert InvalidBatch();
        // A registered forwarder's bounties go to its payee; an unregistered Automation forwarder of this contract
        // earns none (address(0): nothing paid, the budget kept), since a forwarder cannot move ERC-20s.
        // An account without code (a keeper's EOA) is paid itself without a storage read.
        address payee = msg.sender;
        if (msg.sender.code.length != 0) {
            payee = _automationPayees[msg.sender];
            if (payee == address(0) && !_isForwarderOfThis(msg.sender)) payee = msg.sender;
        }
        for (uint256 i; i < due.length; ++i) {
            address token = due[i];
            if (!_states[token].registered) continue;
            try this.executeFromUpkeep(token, payee) {} catch (bytes memory reason) {
                emit UpkeepFailed(token, reason);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IRebalancer
    function tokens() external view override returns (address[] memory) {
        return _tokens;
    }

    /// @inheritdoc IRebalancer
    function tokenCount() external view override returns (uint256) {
        return _tokens.length;
    }

    /// @inheritdoc IRebalancer
    function tokenState(address token) external view override returns (TokenState memory) {
        Stored storage st = _states[token];
        return
            TokenState({
                methodology: _public(st.methodology),
                bounty: BountyParams({
                    base: st.bountyBase,
                    perSecond: st.bountyPerSecond,
                    cap: st.bountyCap,
                    maxEquityFraction: st.bountyMaxEquityFraction,
                    budget: st.bountyBudget
                }),
                lastRebalance: st.lastRebalance,
                iterating: st.iterating,
                registered: st.registered,
                collateralScale: st.collateralScale,
                oracle: st.oracle,
                duePaid: st.duePaid,
                retired: st.retired,
                dueSince: st.dueAfter == 0 ? 0 : uint64(uint256(st.lastRebalance) + st.dueAfter - 1)
            });
    }

    /// @inheritdoc IRebalancer
    function methodology(address token) external view override returns (Methodology memory) {
        return _public(_states[token].methodology);
    }

    /// @dev The public form of a stored methodology (without the trigger prices).
    function _public(StoredMethodology storage m) private view returns (Methodology memory) {
        return
            Methodology({
                minLeverage: m.minLeverage,
                targetLeverage: m.targetLeverage,
                maxLeverage: m.maxLeverage,
                ripcordLeverage: m.ripcordLeverage,
                interval: m.interval,
                tolerance: m.tolerance,
                maxSlippage: m.maxSlippage,
                maxTradeNotional: m.maxTradeNotional,
                innerBand: m.innerBand,
                triggerTtl: m.triggerTtl
            });
    }

    /// @inheritdoc IRebalancer
    function triggerPrices(
        address token
    ) external view override returns (uint256 low, uint256 high, uint256 validUntil) {
        return _triggerView(_states[token]);
    }

    /// @inheritdoc IRebalancer
    function maxBatch() external pure override returns (uint256) {
        return MAX_BATCH;
    }
}
