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

    /// @notice Per-token methodology. Leverages are WAD magnitudes. Packed in two storage slots.
    struct Methodology {
        uint64 minLeverage; // band bottom, WAD
        uint64 targetLeverage; // WAD
        uint64 maxLeverage; // band top, WAD
        uint64 ripcordLeverage; // WAD, strictly above the band top
        uint32 interval; // seconds after which a rebalance is due even inside the band
        uint64 tolerance; // WAD: inside the band, |leverage - target| must exceed this for a time-based rebalance
        uint64 maxSlippage; // WAD fraction of mark accepted as a rebalance fill
        uint96 maxTradeNotional; // USD (WAD) per call; 0 = unlimited (then ITERATE never happens)
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
    }

    error NotRegistered(address token);
    error AlreadyRegistered(address token);
    error InvalidMethodology();
    error InvalidBounty();
    error RebalanceNotNeeded(address token, uint8 action, uint256 leverage);
    error RipcordNotNeeded(address token, uint256 leverage);
    error OnlyRegistrar(address caller);
    error OnlySelf();
    error ZeroAddress();
    error InvalidBatch();

    event Registered(address indexed token, Methodology methodology, BountyParams bounty);
    event MethodologySet(address indexed token, Methodology methodology);
    event BountySet(address indexed token, BountyParams bounty);
    event RegistrarSet(address indexed registrar, bool allowed);
    event RebalanceExecuted(
        address indexed token,
        uint8 action,
        uint256 leverageBefore,
        uint256 leverageAfter,
        int256 sizeDelta,
        address indexed keeper,
        uint256 bounty
    );
    event UpkeepFailed(address indexed token, bytes reason);

    function register(address token, Methodology calldata methodology, BountyParams calldata bounty) external;

    /// @notice NONE = 0, REBALANCE = 1, ITERATE = 2, RIPCORD = 3.
    function shouldRebalance(address token) external view returns (uint8);

    /// @notice Brings leverage back to target (or one chunk towards it). Reverts unless REBALANCE or ITERATE is due.
    /// @return bounty Collateral units paid to the caller.
    function rebalance(address token) external returns (uint256 bounty);

    /// @notice Emergency de-leverage to target in one trade. Reverts unless RIPCORD is due.
    function ripcord(address token) external returns (uint256 bounty);

    /// @notice The bounty (collateral units) a keeper would receive for acting on `token` now.
    function currentBounty(address token) external view returns (uint256);

    function tokens() external view returns (address[] memory);
    function tokenCount() external view returns (uint256);
    function tokenState(address token) external view returns (TokenState memory);
    function methodology(address token) external view returns (Methodology memory);
    /// @notice Upper bound of products handled by one performUpkeep.
    function maxBatch() external view returns (uint256);
}
