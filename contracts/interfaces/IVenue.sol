// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IOracleAdapter} from "./IOracleAdapter.sol";

/// @title IVenue
/// @notice The venue boundary: everything a Ballast product (LeveragedToken) and the Rebalancer need from the market
///         that carries a product's position, and nothing else. One implementation per market (BTC-USD, ETH-USD);
///         each product is one isolated account, keyed by the product's address (`msg.sender` of the mutating call).
///         Implementations live in `contracts/venues/<name>/`; `contracts/venues/README.md` states what they must
///         guarantee and `test/venues/` checks it for every implementation in the repo.
/// @dev Units: sizes are base-asset units scaled by WAD (signed: positive long, negative short); prices are USD per
///      base unit scaled by WAD; account values (equity, fees) are USD scaled by WAD; margin moves are in collateral
///      units (USDC: 6 decimals). Rates and ratios are WAD fractions.
interface IVenue {
    /// @notice How the venue settles a trade. Only SYNCHRONOUS venues (the trade fills, or reverts, in the call) can
    ///         carry a LeveragedToken today; ASYNCHRONOUS venues (an order now, execution by the venue's keepers
    ///         later: GMX v2, Synthetix perps v3, Hyperliquid) need the request-based product of
    ///         docs/adr/0001-venue-boundary.md. The order of the members is part of the ABI.
    enum Settlement {
        SYNCHRONOUS,
        ASYNCHRONOUS
    }

    /// @notice A fill would be worse than the caller's bound: above `acceptablePrice` when buying, below it when
    ///         selling (both USD per base unit, WAD).
    error PriceLimitExceeded(uint256 fillPrice, uint256 acceptablePrice);
    /// @notice The venue refuses to grow positions (it may still reduce them, take margin and pay it out).
    error VenuePaused();
    /// @notice `closeAtLastValidPrice` while the oracle gives a current price: close through the ordinary trade.
    error OraclePriceAvailable();
    /// @notice `closeAtLastValidPrice` by an account that holds no position.
    error NoPosition();

    /// @notice How trades settle on this venue; a product checks it once, at construction.
    function settlement() external view returns (Settlement);

    /// @notice The ERC-20 the venue takes as margin and pays out (the product's collateral).
    function collateral() external view returns (IERC20);

    /// @notice The validated price source the venue marks accounts at.
    function oracle() external view returns (IOracleAdapter);

    /// @notice The largest leverage (notional over equity, WAD) at which a position may be opened or grown.
    function maxLeverage() external view returns (uint256);

    /// @notice True while the venue refuses to grow positions (`VenuePaused`); reductions and withdrawals of free
    ///         margin stay open.
    function paused() external view returns (bool);

    /// @notice The account's signed size (base units, WAD), its equity (USD, WAD, negative when it owes more than it
    ///         holds) and the mark price (USD per base unit, WAD), all from one oracle read. Equity includes every
    ///         cost the account owes up to now (fees, funding, interest). An account without a position is valued
    ///         without a price: when the oracle has none (stale, retired feed) it still answers, with price 0.
    function accountSnapshot(address account) external view returns (int256 size, int256 equity, uint256 price);

    /// @notice Equity over notional (WAD, signed); `type(int256).max` without a position.
    function marginRatio(address account) external view returns (int256);

    /// @notice The mark price (USD per base unit, WAD) at which the account would become liquidatable; 0 when no
    ///         price would (no position, or a long that no fall can liquidate).
    function liquidationPrice(address account) external view returns (uint256);

    /// @notice True when the venue's own rule lets anyone liquidate the account now.
    function isLiquidatable(address account) external view returns (bool);

    /// @notice How many times the account has been liquidated. A product once liquidated stays inactive.
    function liquidationCount(address account) external view returns (uint256);

    /// @notice The fill price (USD per base unit, WAD), fee (USD, WAD) and the account's equity after it (USD, WAD)
    ///         of `modifyPositionWithMargin(0, sizeDelta, ..)` by `account` now; sizeDelta 0 = no trade. Never better
    ///         for the account than execution in the same block.
    function previewTrade(
        address account,
        int256 sizeDelta
    ) external view returns (uint256 fillPrice, uint256 fee, int256 equityAfter);

    /// @notice The fill price (WAD) and fee (USD, WAD) of a trade of `sizeDelta` if the mark were `markPrice` (lets a
    ///         caller that already read the oracle price a trade without reading it again).
    function quoteTradeAt(int256 sizeDelta, uint256 markPrice) external view returns (uint256 fillPrice, uint256 fee);

    /// @notice The one call that moves the caller's account: deposits `marginDelta` collateral units from the caller
    ///         when positive; trades `sizeDelta` (0 = no trade) with the fill bounded by `acceptablePrice` (a maximum
    ///         when buying, a minimum when selling); then, when `marginDelta` is negative, pays its magnitude to
    ///         `recipient` out of free margin (the account must stay above the venue's initial-margin rule, or its
    ///         leverage must not rise). All of it or nothing. Without a position and without a trade no price is
    ///         needed: the margin of a position-less account moves whatever the oracle's state.
    /// @return fillPrice The execution price (WAD) before the fee, or the mark price without a trade.
    /// @return fee The trading fee charged (USD, WAD).
    /// @return equityAfter The account's equity after the whole operation (USD, WAD).
    function modifyPositionWithMargin(
        int256 marginDelta,
        int256 sizeDelta,
        uint256 acceptablePrice,
        address recipient
    ) external returns (uint256 fillPrice, uint256 fee, int256 equityAfter);

    /// @notice Closes the caller's whole position at the oracle's last valid answer (`IOracleAdapter.lastValidPrice`),
    ///         only once the oracle can no longer give a current price because its feed has gone stale (stopped or
    ///         retired); otherwise reverts `OraclePriceAvailable`. The fee and price impact are those of the same
    ///         trade at that price; it is a reduction, allowed while paused. The margin stays in the account, which
    ///         then moves without a price (see `modifyPositionWithMargin`).
    /// @return fillPrice The execution price (WAD) before the fee.
    /// @return fee The trading fee charged (USD, WAD).
    /// @return equityAfter The account's equity after the close (USD, WAD).
    function closeAtLastValidPrice() external returns (uint256 fillPrice, uint256 fee, int256 equityAfter);
}
