// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AutomationCompatibleInterface} from "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";

/// @title IRebalancer
/// @notice Keeps every registered leveraged token inside its leverage band; permissionless and Automation-driven.
interface IRebalancer is AutomationCompatibleInterface {
    /// @notice What a token needs now. Order is part of the public surface.
    enum Action {
        NONE,
        REBALANCE,
        ITERATE,
        RIPCORD
    }

    /// @notice Per-token methodology. Leverages are WAD magnitudes. Packed in three storage slots.
    struct Methodology {
        uint64 minLeverage; // band bottom, WAD
        uint64 targetLeverage; // WAD
        uint64 maxLeverage; // band top, WAD
        uint64 ripcordLeverage; // WAD, strictly above the band top
        uint32 interval; // seconds after which a rebalance is due even inside the band
        uint64 tolerance; // WAD: inside the band, |leverage - target| must exceed this for a time-based rebalance
        uint64 maxSlippage; // WAD fraction of mark accepted as a rebalance fill
        uint96 maxTradeNotional; // USD (WAD) per call; 0 = unlimited (then ITERATE never happens)
        // WAD fraction of each half band, at most `MAX_INNER_BAND`: the inner band is [target - innerBand x (target -
        // min), target + innerBand x (max - target)]; a rebalance of leverage outside it trades only to its nearest
        // edge (a partial rebalance), one inside it to target. 0 = every rebalance back to target (methodology v1).
        uint64 innerBand;
        // Seconds after a completed rebalance during which its trigger prices answer `shouldRebalance` and
        // `checkUpkeep` without reading the venue (see `triggerPrices`); at most `interval`; 0 = never. Set no longer
        // than funding at the venue's maximum rate takes to move leverage from a guarded trigger to the band's edge.
        uint32 triggerTtl;
    }

    /// @notice Keeper incentive. Amounts in collateral units (6 decimals).
    struct BountyParams {
        uint64 base; // paid as soon as the action is due
        uint64 perSecond; // added per second since it became due (a Dutch auction)
        uint64 cap; // per call
        uint64 maxEquityFraction; // WAD: never more than this fraction of the token's equity per call
        uint128 budget; // remaining to pay out in total
    }

    /// @notice Everything the Rebalancer knows about a token (a view; storage is packed differently).
    struct TokenState {
        Methodology methodology;
        BountyParams bounty;
        uint64 lastRebalance; // timestamp of the last completed (non-iterating) rebalance or ripcord
        bool iterating; // a chunked rebalance is in progress
        bool registered;
        uint64 collateralScale; // 10 ** (18 - collateral decimals), cached at registration
        address oracle; // the venue's oracle adapter, cached at registration (it is immutable in the venue)
        uint64 duePaid; // collateral units already paid for the chunked rebalance in progress (0 when not iterating)
        bool retired; // wound down or liquidated for good: `checkUpkeep` no longer scans it
        uint64 dueSince; // observed start of the bounty auction of the due state in progress (see `poke`); 0 = none
    }

    /// @notice `token` is not registered.
    error NotRegistered(address token);
    /// @notice `token` is registered already.
    error AlreadyRegistered(address token);
    /// @notice A methodology outside its bounds: 0 < min <= target <= max < ripcord <= the venue's max leverage,
    ///         interval > 0, 0 < maxSlippage <= `MAX_SLIPPAGE` (3%), tolerance < target, innerBand <=
    ///         `MAX_INNER_BAND` (75%), triggerTtl <= interval.
    error InvalidMethodology();
    /// @notice `setMethodology` with a target leverage other than `token`'s, which is fixed at registration (WAD).
    error TargetLeverageFixed(address token, uint256 targetLeverage);
    /// @notice Bounty parameters outside their bounds: base <= cap, maxEquityFraction <= 1%, budget < 2^120.
    error InvalidBounty();
    /// @notice `rebalance` when neither REBALANCE nor ITERATE is due (`action` is what is due; leverage WAD).
    error RebalanceNotNeeded(address token, Action action, uint256 leverage);
    /// @notice `ripcord` below the ripcord level (leverage WAD).
    error RipcordNotNeeded(address token, uint256 leverage);
    /// @notice `register` by neither the owner nor an allowed registrar.
    error OnlyRegistrar(address caller);
    /// @notice `executeFromUpkeep` called by anyone but this contract.
    error OnlySelf();
    /// @notice A required address is zero.
    error ZeroAddress();
    /// @notice `performUpkeep` with more than `MAX_BATCH` products.
    error InvalidBatch();
    /// @notice `setAutomationPayee(forwarder, address(0))`: an Automation forwarder's bounties need a payee that can
    ///         spend them.
    error ZeroAutomationPayee(address forwarder);
    /// @notice `retire(token)` on a product that may still hold a position: not wound down, and it holds a position
    ///         or has no holders yet.
    error NotRetirable(address token);
    /// @notice Not an error: how `simulateUpkeep` reports that `action` on `token` would succeed (it always reverts,
    ///         so that the simulated trade leaves no trace).
    error UpkeepSimulated(address token, Action action);
    /// @notice The product's venue does not settle trades synchronously (see `IVenue.settlement`): the token and the
    ///         Rebalancer read a trade's result in the call that makes it.
    error UnsupportedSettlement(address venue);

    /// @notice `token` was registered with its methodology and keeper incentive.
    event Registered(address indexed token, Methodology methodology, BountyParams bounty);
    /// @notice `token`'s methodology changed.
    event MethodologySet(address indexed token, Methodology methodology);
    /// @notice `token`'s keeper incentive changed (a budget top-up included).
    event BountySet(address indexed token, BountyParams bounty);
    /// @notice `registrar` was allowed or disallowed to register products.
    event RegistrarSet(address indexed registrar, bool allowed);
    /// @notice `keeper` executed `action` on `token`: leverage (WAD) moved from `leverageBefore` to `leverageAfter`
    ///         by a trade of `sizeDelta` (base units, WAD), and `bounty` collateral units were paid to `keeper`.
    event RebalanceExecuted(
        address indexed token,
        Action action,
        uint256 leverageBefore,
        uint256 leverageAfter,
        int256 sizeDelta,
        address indexed keeper,
        uint256 bounty
    );
    /// @notice One product of a `performUpkeep` batch failed with `reason` (revert data); the others went on.
    event UpkeepFailed(address indexed token, bytes reason);
    /// @notice Bounties earned through `performUpkeep` called by the Chainlink Automation forwarder `forwarder` are
    ///         paid to `payee` (a forwarder cannot move ERC-20s).
    event AutomationPayeeSet(address indexed forwarder, address indexed payee);
    /// @notice `token` was wound down or liquidated for good and left the `checkUpkeep` scan.
    event Retired(address indexed token);
    /// @notice `poke` recorded that `token` has been due for `action` since `since` (Unix seconds): the bounty
    ///         auction runs from there until the due state is served. `action` NONE with `since` 0: the product was
    ///         found not due and a stale start was cleared.
    event DueObserved(address indexed token, Action action, uint256 since);

    // ------------------------------------------------------------------------------------------------------------
    // Registry and governance
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Registers `token` with its methodology and keeper incentive. The owner or an allowed registrar.
    function register(address token, Methodology calldata methodology, BountyParams calldata bounty) external;

    /// @notice Allows or disallows `registrar` (e.g. the factory) to register products. Owner only.
    function setRegistrar(address registrar, bool allowed) external;

    /// @notice Changes a product's methodology within the validated bounds; the target leverage stays the one set at
    ///         registration (`TargetLeverageFixed`). Owner only (a timelock: the change waits for its delay).
    function setMethodology(address token, Methodology calldata newMethodology) external;

    /// @notice Changes a product's keeper incentive (including topping up its budget). Owner only.
    function setBounty(address token, BountyParams calldata newBounty) external;

    /// @notice Whether `registrar` may register products.
    function isRegistrar(address registrar) external view returns (bool);

    /// @notice Pays the bounties earned through `performUpkeep` called by the Chainlink Automation forwarder
    ///         `forwarder` to `payee` instead of the forwarder, which cannot move ERC-20s. Owner only; reverts
    ///         `ZeroAddress` for a zero forwarder and `ZeroAutomationPayee` for a zero payee.
    function setAutomationPayee(address forwarder, address payee) external;

    /// @notice Where bounties earned through `performUpkeep` called by `forwarder` go; zero when `forwarder` is not a
    ///         registered Automation forwarder (then the caller itself is paid).
    function automationPayee(address forwarder) external view returns (address);

    // ------------------------------------------------------------------------------------------------------------
    // Keepers
    // ------------------------------------------------------------------------------------------------------------

    /// @notice What `token` needs now: NONE = 0, REBALANCE = 1, ITERATE = 2, RIPCORD = 3 (ABI-encoded as uint8).
    function shouldRebalance(address token) external view returns (Action);

    /// @notice Brings leverage back to target (or one chunk towards it). Reverts unless REBALANCE or ITERATE is due.
    /// @return bounty Collateral units paid to the caller.
    function rebalance(address token) external returns (uint256 bounty);

    /// @notice Emergency de-leverage to target in one trade. Reverts unless RIPCORD is due.
    /// @return bounty Collateral units paid to the caller.
    function ripcord(address token) external returns (uint256 bounty);

    /// @notice Used by `performUpkeep` so that it can catch one product's failure; callable only by this contract.
    ///         Does whatever is due now (rebalance, iterate or ripcord) and pays `keeper` (no bounty when `keeper` is
    ///         zero: an Automation forwarder without a payee).
    function executeFromUpkeep(address token, address keeper) external returns (uint256 bounty);

    /// @notice Used by `checkUpkeep`; callable only by this contract. Executes what is due on `token` exactly as
    ///         `performUpkeep` would, then reverts `UpkeepSimulated(token, action)` so that nothing persists; any
    ///         other revert is the reason the action would fail.
    function simulateUpkeep(address token) external;

    /// @notice Takes a product that was wound down, or has holders but no position (liquidated, or closed insolvent
    ///         by a ripcord: it can never hold a position again), out of the `checkUpkeep` scan. Anyone; reverts
    ///         `NotRetirable` for a product that may still trade.
    function retire(address token) external;

    /// @notice The bounty (collateral units) a keeper would receive for acting on `token` now.
    function currentBounty(address token) external view returns (uint256);

    /// @notice Records when `token`'s current due state began, so that its bounty auction is not restarted by later
    ///         oracle rounds: without a record the auction runs from the latest round that breached (or from the
    ///         elapsed interval), so a product that stays due while rounds keep coming would never pay more than
    ///         about `base`. Anyone may call it, typically a keeper that sees a due product it cannot or will not
    ///         serve (the venue refuses the trade, the bounty is too low for its gas yet). If the product is due and
    ///         no start is recorded, records the rule's start (at most now); a recorded start is kept, or moved
    ///         earlier only; a product that is not due has its stale start cleared; nothing is written or emitted when
    ///         nothing changes, and it never reverts for a registered product whose price can be read. The start is
    ///         also recorded by the first chunk of a chunked rebalance and cleared by every action that completes a
    ///         rebalance or ripcord. Emits `DueObserved` on a change.
    /// @return since The recorded start (Unix seconds), or 0 when the product is not due.
    function poke(address token) external returns (uint256 since);

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Every registered product, in registration order.
    function tokens() external view returns (address[] memory);
    /// @notice How many products are registered.
    function tokenCount() external view returns (uint256);
    /// @notice Everything the Rebalancer knows about `token`.
    function tokenState(address token) external view returns (TokenState memory);
    /// @notice `token`'s methodology.
    function methodology(address token) external view returns (Methodology memory);
    /// @notice The oracle prices (USD WAD, kept to 8 decimals, rounded inwards) between which `token` is not due,
    ///         computed at its last completed rebalance or ripcord from the position it left (leverage is then a
    ///         function of the price alone), for the band pulled in by 1/8 of each half band; `shouldRebalance` and
    ///         `checkUpkeep` answer NONE without reading the venue while the price is strictly between them and it is
    ///         before `validUntil` (`triggerTtl` after that rebalance). All zero when there are none: `triggerTtl` 0,
    ///         before the first rebalance, after `setMethodology`, while a chunked rebalance is in progress, or when
    ///         the position left has no such prices. `high` is `type(uint256).max` when leverage cannot fall to the
    ///         band's bottom.
    function triggerPrices(address token) external view returns (uint256 low, uint256 high, uint256 validUntil);
    /// @notice Upper bound of products handled by one performUpkeep (`MAX_BATCH`).
    function maxBatch() external view returns (uint256);
}
