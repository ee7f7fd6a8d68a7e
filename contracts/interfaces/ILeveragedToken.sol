// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IVenue} from "./IVenue.sol";

/// @title ILeveragedToken
/// @notice A constant-leverage ERC-20 backed by one position on a perpetual-futures venue.
/// @dev Units: shares have 18 decimals; `collateralIn`/`collateralOut` are collateral units (USDC, 6 decimals);
///      equity figures suffixed `Wad` are USD scaled by WAD; leverage is an unsigned WAD magnitude.
interface ILeveragedToken is IERC20, IERC20Permit {
    /// @notice Fee settings, each a WAD fraction.
    struct FeeParams {
        uint64 mintFeeRate; // of collateral in
        uint64 redeemFeeRate; // of collateral out
        uint64 streamingFeeRate; // per year, of equity, taken by minting shares to the treasury
    }

    /// @notice An amount of zero (collateral in or shares in).
    error ZeroAmount();
    /// @notice A required address (receiver, venue, rebalancer, treasury) is zero.
    error ZeroAddress();
    /// @notice Minting is paused by the guardian or the owner (redeem never is).
    error MintPaused();
    /// @notice The product is closed for good: wound down, or it has holders but no position (liquidated by the
    ///         venue, or closed by a ripcord with its equity gone) or no equity. It takes no new collateral.
    error ProductInactive();
    /// @notice The output of a mint (shares) or a redeem (collateral units) is below the caller's minimum.
    error SlippageExceeded(uint256 minOut, uint256 actualOut);
    /// @notice A mint would take the product's equity (USD, WAD) beyond the cap.
    error EquityCapExceeded(uint256 equityAfter, uint256 cap);
    /// @notice A redeem of more shares than the caller holds.
    error InsufficientShares(uint256 requested, uint256 balance);
    /// @notice `rebalancerTrade` called by anyone but the Rebalancer.
    error OnlyRebalancer(address caller);
    /// @notice `setMintPaused` called by anyone but the guardian or the owner.
    error OnlyGuardianOrOwner(address caller);
    /// @notice A fee rate (WAD) above its limit (`MAX_TRADE_FEE` per mint or redeem, `MAX_STREAMING_FEE` per year).
    error InvalidFee(uint256 rate);
    /// @notice `windDown` on a product already wound down.
    error WoundDown();
    /// @notice `windDownAfterOutage` before the feed's last valid answer (at `updatedAt`) is `delay` seconds old.
    error OutageTooShort(uint256 updatedAt, uint256 delay);
    /// @notice A deposit (collateral units) too small to buy a share after the fee and the minter's own costs.
    error DepositTooSmall(uint256 collateralIn);
    /// @notice The collateral delivered a different amount than transferred (fee-on-transfer or rebasing tokens are
    ///         not supported).
    error CollateralTransferMismatch(uint256 expected, uint256 received);

    /// @notice `sender` paid `collateralIn` collateral units (of which `fee` to the treasury) and `receiver` got
    ///         `shares`.
    event Minted(address indexed sender, address indexed receiver, uint256 collateralIn, uint256 shares, uint256 fee);
    /// @notice `sender` burnt `shares` and `receiver` got `collateralOut` collateral units, after a `fee` to the
    ///         treasury.
    event Redeemed(
        address indexed sender,
        address indexed receiver,
        uint256 shares,
        uint256 collateralOut,
        uint256 fee
    );
    /// @notice The streaming fee up to `timestamp` was taken by minting `shares` to the treasury.
    event StreamingFeeAccrued(uint256 shares, uint256 timestamp);
    /// @notice Minting was paused or resumed.
    event MintPausedSet(bool paused);
    /// @notice The position was closed for good; `equityWad` (USD, WAD) is what holders redeem pro rata.
    event WindDownStarted(uint256 equityWad);
    /// @notice The fee rates changed.
    event FeeParamsSet(FeeParams fees);
    /// @notice The equity cap (USD, WAD) changed.
    event EquityCapSet(uint256 cap);
    /// @notice The fee recipient changed.
    event TreasurySet(address treasury);
    /// @notice The guardian (who may pause minting, nothing else) changed.
    event GuardianSet(address guardian);

    // ------------------------------------------------------------------------------------------------------------
    // Holders
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Mints shares for `collateralIn` collateral units, growing the position pro rata at current leverage
    ///         (the first mint opens at target leverage); the minter pays the mint fee and its own trading costs.
    /// @param minSharesOut Reverts `SlippageExceeded` below this many shares.
    /// @return shares Shares minted to `receiver` (18 decimals).
    function mint(uint256 collateralIn, uint256 minSharesOut, address receiver) external returns (uint256 shares);

    /// @notice `mint` in one transaction with an EIP-2612 permit of the collateral: the caller's signature lets this
    ///         product take exactly `collateralIn` (until `deadline`), then mints as `mint` does. If the permit was
    ///         already used (someone submitted it first) or is invalid, the mint still goes on when the allowance
    ///         suffices, and otherwise reverts with the collateral's insufficient-allowance error.
    /// @return shares Shares minted to `receiver` (18 decimals).
    function mintWithPermit(
        uint256 collateralIn,
        uint256 minSharesOut,
        address receiver,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 shares);

    /// @notice Burns `sharesIn` from the caller and pays the pro-rata equity, net of its own costs and the redeem fee,
    ///         to `receiver`. Never paused. Pays 0 (without reverting) when the product's equity is gone. Needs no
    ///         price when the product holds no position (wound down, liquidated): then it works whatever the
    ///         oracle's state; with a position open it needs the oracle's current price. The redeemer bears exactly
    ///         its own trading costs: on a venue whose quote is only a bound on the fill (an AMM), what its trade saved
    ///         against the quote is withdrawn for it too, unless the venue refuses that withdrawal (then it stays with
    ///         the holders and the redeemer gets the quote).
    /// @param minCollateralOut Reverts `SlippageExceeded` below this many collateral units.
    /// @return collateralOut Collateral units paid to `receiver`.
    function redeem(
        uint256 sharesIn,
        uint256 minCollateralOut,
        address receiver
    ) external returns (uint256 collateralOut);

    /// @notice Shares `mint(collateralIn, ..)` would give now (never more than execution); 0 when it would revert.
    function previewMint(uint256 collateralIn) external view returns (uint256 shares);

    /// @notice Collateral units `redeem(sharesIn, ..)` would pay now (never more than execution).
    function previewRedeem(uint256 sharesIn) external view returns (uint256 collateralOut);

    // ------------------------------------------------------------------------------------------------------------
    // Rebalancer
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Called by the Rebalancer only: moves idle collateral to the venue, trades `sizeDelta` (base units,
    ///         WAD; 0 = no trade) with the fill bounded by `acceptablePrice` (WAD) and pays `bounty` collateral units
    ///         to `keeper` from the product's equity.
    /// @return equityAfterWad The product's equity after trade and bounty (USD, WAD).
    function rebalancerTrade(
        int256 sizeDelta,
        uint256 acceptablePrice,
        address keeper,
        uint256 bounty
    ) external returns (int256 equityAfterWad);

    // ------------------------------------------------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Pauses or resumes minting. Guardian or owner. Redeem is never affected.
    function setMintPaused(bool newPaused) external;

    /// @notice Closes the position for good and brings all collateral home; holders then redeem pro rata forever,
    ///         without a price. The owner or the operator of the factory that created the token (it cannot hurt
    ///         holders, so it is one step); reverts `OwnableUnauthorizedAccount` for anyone else and `WoundDown` the
    ///         second time. When the oracle has no current price (its feed stopped), the venue closes the position
    ///         at its last valid price (`IVenue.closeAtLastValidPrice`).
    function windDown() external;

    /// @notice `windDown` by anyone once the feed's last valid answer is `OUTAGE_WIND_DOWN_DELAY` old: the exit from
    ///         a long oracle outage with a position open, so no state keeps holders' collateral forever. Reverts
    ///         `OutageTooShort` before, and the oracle's error when it has no valid answer at all.
    function windDownAfterOutage() external;

    /// @notice Sets the fee rates (WAD fractions) after accruing the streaming fee at the old rate. Owner only.
    function setFees(FeeParams calldata newFees) external;

    /// @notice Sets the most equity (USD, WAD) a mint may leave the product with: a cap on what the product holds,
    ///         which, unlike a share count, NAV decay does not inflate. Owner only.
    function setEquityCap(uint256 newCap) external;

    /// @notice Sets the fee recipient. Owner only.
    function setTreasury(address newTreasury) external;

    /// @notice Sets the guardian (may pause minting, nothing else; zero for none). Owner only.
    function setGuardian(address newGuardian) external;

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Shares locked forever at the first mint (0.001 token).
    function DEAD_SHARES() external view returns (uint256);
    /// @notice The largest mint or redeem fee rate (WAD fraction).
    function MAX_TRADE_FEE() external view returns (uint256);
    /// @notice The largest streaming fee rate (WAD fraction per year).
    function MAX_STREAMING_FEE() external view returns (uint256);
    /// @notice Age (seconds) of the feed's last valid answer from which anyone may `windDownAfterOutage`.
    function OUTAGE_WIND_DOWN_DELAY() external view returns (uint256);
    /// @notice Fee rates, each a WAD fraction (mint and redeem per call, streaming per year).
    function fees() external view returns (uint64 mintFeeRate, uint64 redeemFeeRate, uint64 streamingFeeRate);
    /// @notice When the streaming fee was last accrued (unix seconds).
    function lastFeeAccrual() external view returns (uint64);
    /// @notice Minting is paused (redeem never is).
    function mintPaused() external view returns (bool);
    /// @notice The position was closed for good by governance; holders redeem pro rata forever.
    function woundDown() external view returns (bool);
    /// @notice Receives mint, redeem and streaming fees.
    function treasury() external view returns (address);
    /// @notice The most equity (USD, WAD) a mint may leave the product with.
    function equityCap() external view returns (uint96);
    /// @notice May pause minting, nothing else.
    function guardian() external view returns (address);
    /// @notice USD equity per whole token (1e18 shares), scaled by WAD, rounded down.
    function navPerShare() external view returns (uint256);
    /// @notice The product's equity in collateral units (venue equity plus idle collateral), floored at 0.
    function totalEquity() external view returns (uint256);
    /// @notice The product's equity in USD scaled by WAD, floored at 0.
    function totalEquityWad() external view returns (uint256);
    /// @notice Notional over equity (WAD, unsigned); type(uint256).max when equity <= 0 with a position open.
    function currentLeverage() external view returns (uint256);
    /// @notice The Rebalancer's target leverage for this product (WAD, unsigned).
    function targetLeverage() external view returns (uint256);
    /// @notice True for a long product, false for a short one.
    function isLong() external view returns (bool);
    /// @notice False once closed for good (see `ProductInactive`): mint reverts, redeem pays pro rata.
    function isActive() external view returns (bool);
    /// @notice The stablecoin minted and redeemed with (the venue's collateral).
    function collateral() external view returns (IERC20);
    /// @notice The venue holding this product's position.
    function venue() external view returns (IVenue);
    /// @notice The only address allowed to change leverage.
    function rebalancer() external view returns (address);
    /// @notice Signed position size (base units, WAD) and equity (USD, WAD) and the mark price, from one oracle read.
    function positionSnapshot() external view returns (int256 size, int256 equityWad, uint256 price);
}
