// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IPerpVenue} from "./IPerpVenue.sol";

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

    error ZeroAmount();
    error ZeroAddress();
    error MintPaused();
    error ProductInactive();
    error SlippageExceeded(uint256 minOut, uint256 actualOut);
    error SupplyCapExceeded(uint256 supplyAfter, uint256 cap);
    error InsufficientShares(uint256 requested, uint256 balance);
    error OnlyRebalancer(address caller);
    error OnlyGuardianOrOwner(address caller);
    error InvalidFee(uint256 rate);
    error WoundDown();
    error DepositTooSmall(uint256 collateralIn);
    /// @notice The collateral delivered a different amount than transferred (fee-on-transfer or rebasing tokens are
    ///         not supported).
    error CollateralTransferMismatch(uint256 expected, uint256 received);

    event Minted(address indexed sender, address indexed receiver, uint256 collateralIn, uint256 shares, uint256 fee);
    event Redeemed(
        address indexed sender,
        address indexed receiver,
        uint256 shares,
        uint256 collateralOut,
        uint256 fee
    );
    event StreamingFeeAccrued(uint256 shares, uint256 timestamp);
    event MintPausedSet(bool paused);
    event WindDownStarted(uint256 equityWad);
    event FeeParamsSet(FeeParams fees);
    event SupplyCapSet(uint256 cap);
    event TreasurySet(address treasury);
    event GuardianSet(address guardian);

    /// @notice Mints shares for `collateralIn` collateral units, growing the position pro-rata at current leverage.
    function mint(uint256 collateralIn, uint256 minSharesOut, address receiver) external returns (uint256 shares);

    /// @notice Burns `sharesIn` from the caller and pays the pro-rata equity, net of its own costs, to `receiver`.
    ///         Never paused. Pays 0 (without reverting) when the product's equity is gone.
    function redeem(
        uint256 sharesIn,
        uint256 minCollateralOut,
        address receiver
    ) external returns (uint256 collateralOut);

    /// @notice Shares `mint(collateralIn, ..)` would give now (never more than execution).
    function previewMint(uint256 collateralIn) external view returns (uint256 shares);

    /// @notice Collateral units `redeem(sharesIn, ..)` would pay now (never more than execution).
    function previewRedeem(uint256 sharesIn) external view returns (uint256 collateralOut);

    /// @notice Called by the Rebalancer only: moves idle collateral to the venue, trades `sizeDelta` (0 = no trade)
    ///         and pays `bounty` collateral units to `keeper` from the product's equity.
    /// @return equityAfterWad The product's equity after trade and bounty (USD, WAD).
    function rebalancerTrade(
        int256 sizeDelta,
        uint256 acceptablePrice,
        address keeper,
        uint256 bounty
    ) external returns (int256 equityAfterWad);

    /// @notice USD equity per whole token (1e18 shares), scaled by WAD.
    function navPerShare() external view returns (uint256);
    /// @notice The product's equity in collateral units (venue equity plus idle collateral), floored at 0.
    function totalEquity() external view returns (uint256);
    /// @notice The product's equity in USD scaled by WAD, floored at 0.
    function totalEquityWad() external view returns (uint256);
    function currentLeverage() external view returns (uint256);
    function targetLeverage() external view returns (uint256);
    function isLong() external view returns (bool);
    /// @notice False once liquidated, wound down, or its equity is gone: mint reverts, redeem pays pro-rata.
    function isActive() external view returns (bool);
    function collateral() external view returns (IERC20);
    function venue() external view returns (IPerpVenue);
    function rebalancer() external view returns (address);
    /// @notice Signed position size (base units, WAD) and equity (USD, WAD) and the mark price, from one oracle read.
    function positionSnapshot() external view returns (int256 size, int256 equityWad, uint256 price);
}
