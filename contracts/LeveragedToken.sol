// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MulDiv} from "./libraries/MulDiv.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {ILeveragedToken} from "./interfaces/ILeveragedToken.sol";
import {ILeveragedTokenFactory} from "./interfaces/ILeveragedTokenFactory.sol";
import {IVenue} from "./interfaces/IVenue.sol";
import {IRebalancer} from "./interfaces/IRebalancer.sol";
import {LeverageMath} from "./libraries/LeverageMath.sol";

/// @title LeveragedToken
/// @notice An ERC-20 (with EIP-2612 permit) whose holders own, pro rata, one isolated position on a perp venue.
///         Mint and redeem resize the position pro rata at its current leverage, so each user pays its own trading
///         costs and nobody dilutes anybody; only the Rebalancer changes leverage. Redeem is never paused.
/// @dev Equity is the venue's own valuation of this account plus idle collateral held here, in USD scaled by WAD.
///      The first mint locks `DEAD_SHARES` forever (Uniswap's minimum-liquidity idea), so share price is always
///      the plain pro-rata of real equity and an inflation/donation attack cannot round later minters to zero.
contract LeveragedToken is ILeveragedToken, ERC20Permit, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    uint256 private constant WAD = 1e18;
    uint256 private constant YEAR = 365 days;
    /// @notice Shares locked at the first mint (0.001 token, worth 0.001 USD at the initial NAV of 1 USD).
    uint256 public constant override DEAD_SHARES = 1e15;
    address public constant DEAD_ADDRESS = 0x000000000000000000000000000000000000dEaD;
    /// @notice Upper bounds on fees: 1% per mint or redeem, 10% per year streaming.
    uint256 public constant override MAX_TRADE_FEE = 0.01e18;
    uint256 public constant override MAX_STREAMING_FEE = 0.1e18;
    /// @notice After the feed's last valid answer is this old with a position open, anyone may wind the product
    ///         down (`windDownAfterOutage`): the venue closes at that answer and holders redeem without a price.
    uint256 public constant override OUTAGE_WIND_DOWN_DELAY = 3 days;
    /// @dev Quotes a mint may take to size itself for its own trading costs, and the step (1 / this of the size)
    ///      below which the size counts as settled (see `_mintSizeDelta`).
    uint256 private constant _MINT_COST_REFINEMENTS = 4;
    uint256 private constant _MINT_SIZE_SETTLED = 1e6;

    IERC20 private immutable _COLLATERAL;
    IVenue private immutable _VENUE;
    address private immutable _REBALANCER;
    /// @dev The creator (the factory): its operator may wind the product down.
    address private immutable _FACTORY = msg.sender;
    bool private immutable _IS_LONG;
    /// @dev 10 ** (18 - collateral decimals): collateral units -> USD WAD.
    uint256 private immutable _TO_WAD;

    /// @dev Everything mint and redeem read on every call, in one slot (248 bits): the fee rates, the last accrual
    ///      time and the two switches. Exposed through `fees()`, `lastFeeAccrual()`, `mintPaused()`, `woundDown()`.
    struct Config {
        uint64 mintFeeRate; // WAD fraction of collateral in
        uint64 redeemFeeRate; // WAD fraction of collateral out
        uint64 streamingFeeRate; // WAD fraction per year
        uint40 lastFeeAccrual; // unix seconds; uint40 lasts until the year 36812
        bool mintPaused; // minting is paused (redeem never is)
        bool woundDown; // the position was closed for good by governance
    }

    Config private _config;
    /// @notice Receives mint, redeem and streaming fees; packed with `equityCap` (both read by every mint).
    address public override treasury;
    /// @notice The most equity (USD, WAD) a mint may leave the product with.
    uint96 public override equityCap;
    /// @notice May pause minting, nothing else.
    address public override guardian;

    /// @dev The owner, or the creating factory's operator (a token created by an EOA has no operator).
    modifier onlyOwnerOrOperator() {
        if (msg.sender != owner() && msg.sender != ILeveragedTokenFactory(_FACTORY).operator()) {
            revert OwnableUnauthorizedAccount(msg.sender);
        }
        _;
    }

    modifier onlyRebalancer() {
        if (msg.sender != _REBALANCER) revert OnlyRebalancer(msg.sender);
        _;
    }

    /// @param venue_ The perp venue of the underlying market.
    /// @param rebalancer_ The only address allowed to change leverage.
    /// @param long True for a long product, false for a short one.
    constructor(
        string memory name_,
        string memory symbol_,
        IVenue venue_,
        address rebalancer_,
        bool long,
        address owner_,
        address treasury_,
        FeeParams memory fees_,
        uint256 equityCap_
    ) ERC20(name_, symbol_) ERC20Permit(name_) Ownable(owner_) {
        if (address(venue_) == address(0) || rebalancer_ == address(0) || treasury_ == address(0)) {
            revert ZeroAddress();
        }
        IERC20 collateral_ = venue_.collateral();
        _COLLATERAL = collateral_;
        _VENUE = venue_;
        _REBALANCER = rebalancer_;
        _IS_LONG = long;
        uint8 decimals_ = IERC20Metadata(address(collateral_)).decimals();
        _TO_WAD = 10 ** (18 - uint256(decimals_));
        treasury = treasury_;
        equityCap = SafeCast.toUint96(equityCap_);
        _setFees(fees_);
        _config.lastFeeAccrual = uint40(block.timestamp);
        collateral_.forceApprove(address(venue_), type(uint256).max);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Holders
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ILeveragedToken
    function mintWithPermit(
        uint256 collateralIn,
        uint256 minSharesOut,
        address receiver,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external override returns (uint256 shares) {
        // A permit is public once broadcast: if someone else submitted it first, the allowance is already there and
        // the mint goes on; if there is none, the mint's transferFrom says so.
        try IERC20Permit(address(_COLLATERAL)).permit(msg.sender, address(this), collateralIn, deadline, v, r, s) {
            // permitted
        } catch {
            // front-run or invalid: the allowance decides
        }
        return mint(collateralIn, minSharesOut, receiver);
    }

    /// @inheritdoc ILeveragedToken
    function mint(
        uint256 collateralIn,
        uint256 minSharesOut,
        address receiver
    ) public override nonReentrant returns (uint256 shares) {
        if (collateralIn == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        Config memory cfg = _config;
        if (cfg.mintPaused) revert MintPaused();
        if (cfg.woundDown) revert ProductInactive();

        (int256 size, int256 equityBefore, uint256 price, ) = _snapshot();
        uint256 supply = totalSupply();
        if (_isClosed(supply, size, equityBefore)) revert ProductInactive();
        supply += _accrueStreamingFee(supply, size, cfg);

        uint256 fee = _feeUp(collateralIn, cfg.mintFeeRate);
        uint256 net = collateralIn - fee;
        if (net == 0) revert DepositTooSmall(collateralIn);

        uint256 balanceBefore = _pullExactly(collateralIn);
        if (fee != 0) _COLLATERAL.safeTransfer(treasury, fee);

        // One venue call deposits the net amount plus any idle collateral (donations, dust: it counts in
        // `equityBefore`, which sized the trade, so it must join the margin or the venue account would carry more
        // leverage than the product reports) and grows the position; the minter pays its own costs.
        int256 equityAfter = _depositAndGrow(supply, size, equityBefore, price, net, balanceBefore);
        shares = _sharesFor(supply, equityBefore, equityAfter);
        if (shares == 0) revert DepositTooSmall(collateralIn);
        if (shares < minSharesOut) revert SlippageExceeded(minSharesOut, shares);
        // The cap is on what the product holds (USD), not on its share count, which NAV decay would inflate.
        // equityAfter > equityBefore here (shares != 0), so it is positive.
        if (uint256(equityAfter) > equityCap) revert EquityCapExceeded(uint256(equityAfter), equityCap);
        if (supply == 0) _mint(DEAD_ADDRESS, DEAD_SHARES);
        _mint(receiver, shares);
        emit Minted(msg.sender, receiver, collateralIn, shares, fee);
    }

    /// @inheritdoc ILeveragedToken
    function redeem(
        uint256 sharesIn,
        uint256 minCollateralOut,
        address receiver
    ) external override nonReentrant returns (uint256 collateralOut) {
        if (sharesIn == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        {
            uint256 balance = balanceOf(msg.sender);
            if (sharesIn > balance) revert InsufficientShares(sharesIn, balance);
        }

        Config memory cfg = _config;
        (int256 size, int256 equityBefore, , int256 idleWad) = _snapshot();
        uint256 supply = totalSupply();
        supply += _accrueStreamingFee(supply, size, cfg);
        _burn(msg.sender, sharesIn);

        uint256 fee;
        if (equityBefore > 0) {
            uint256 gross = _redeemFromVenue(size, equityBefore, idleWad, sharesIn, supply);
            fee = _feeUp(gross, cfg.redeemFeeRate);
            collateralOut = gross - fee;
            if (collateralOut < minCollateralOut) revert SlippageExceeded(minCollateralOut, collateralOut);
            if (collateralOut != 0) _COLLATERAL.safeTransfer(receiver, collateralOut);
            if (fee != 0) _COLLATERAL.safeTransfer(treasury, fee);
        } else if (minCollateralOut != 0) {
            revert SlippageExceeded(minCollateralOut, 0);
        }
        emit Redeemed(msg.sender, receiver, sharesIn, collateralOut, fee);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Previews
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ILeveragedToken
    function previewMint(uint256 collateralIn) external view override returns (uint256 shares) {
        Config memory cfg = _config;
        if (collateralIn == 0 || cfg.mintPaused || cfg.woundDown) return 0;
        (int256 size, int256 equityBefore, uint256 price, int256 idleWad) = _snapshot();
        uint256 supply = totalSupply();
        if (_isClosed(supply, size, equityBefore)) return 0;
        supply += _pendingStreamingFeeShares(supply, size, cfg);
        uint256 net = collateralIn - _feeUp(collateralIn, cfg.mintFeeRate);
        if (net == 0) return 0;

        int256 sizeDelta = _mintSizeDelta(supply, size, equityBefore, price, net * _TO_WAD);
        int256 equityAfter = equityBefore + (net * _TO_WAD).toInt256();
        if (sizeDelta != 0) {
            // The venue previews the trade on the account as it will be after the deposit.
            (, , int256 venueEquity) = _VENUE.previewTrade(address(this), sizeDelta);
            equityAfter = venueEquity + (net * _TO_WAD).toInt256() + idleWad;
        }
        shares = _sharesFor(supply, equityBefore, equityAfter);
    }

    /// @inheritdoc ILeveragedToken
    function previewRedeem(uint256 sharesIn) external view override returns (uint256 collateralOut) {
        uint256 supply = totalSupply();
        if (sharesIn == 0 || sharesIn > supply) return 0;
        Config memory cfg = _config;
        (int256 size, int256 equityBefore, , int256 idleWad) = _snapshot();
        if (equityBefore <= 0) return 0;
        supply += _pendingStreamingFeeShares(supply, size, cfg);
        int256 sizeDelta = -LeverageMath.proRataSize(size, sharesIn, supply);
        int256 equityAfter = equityBefore;
        if (sizeDelta != 0) {
            (, , int256 venueEquity) = _VENUE.previewTrade(address(this), sizeDelta);
            equityAfter = venueEquity + idleWad;
        }
        uint256 gross = _redeemGross(equityBefore, equityAfter, sharesIn, supply);
        collateralOut = gross - _feeUp(gross, cfg.redeemFeeRate);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Rebalancer
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ILeveragedToken
    function rebalancerTrade(
        int256 sizeDelta,
        uint256 acceptablePrice,
        address keeper,
        uint256 bounty
    ) external override onlyRebalancer nonReentrant returns (int256 equityAfterWad) {
        // The bounty comes out of idle collateral first (donations, rounding dust), then out of venue margin, paid by
        // the venue straight to the keeper. Idle collateral beyond the bounty joins the margin (deposits stay open
        // while the venue is paused), so that the trade, sized on equity including it, leaves the venue account at
        // the leverage the product reports.
        uint256 idle = _COLLATERAL.balanceOf(address(this));
        int256 marginDelta;
        if (idle >= bounty) {
            if (bounty != 0) _COLLATERAL.safeTransfer(keeper, bounty);
            if (idle > bounty) marginDelta = (idle - bounty).toInt256();
        } else {
            if (idle != 0) _COLLATERAL.safeTransfer(keeper, idle);
            marginDelta = -(bounty - idle).toInt256();
        }
        int256 venueEquity;
        if (sizeDelta != 0 || marginDelta != 0) {
            (, , venueEquity) = _VENUE.modifyPositionWithMargin(marginDelta, sizeDelta, acceptablePrice, keeper);
        } else {
            (, venueEquity, ) = _VENUE.accountSnapshot(address(this));
        }
        equityAfterWad = venueEquity; // no idle collateral is left here
    }

    // ------------------------------------------------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ILeveragedToken
    function setMintPaused(bool newPaused) external override {
        if (msg.sender != guardian && msg.sender != owner()) revert OnlyGuardianOrOwner(msg.sender);
        _config.mintPaused = newPaused;
        emit MintPausedSet(newPaused);
    }

    /// @inheritdoc ILeveragedToken
    function windDown() external override onlyOwnerOrOperator nonReentrant {
        _windDown();
    }

    /// @inheritdoc ILeveragedToken
    function windDownAfterOutage() external override nonReentrant {
        (, uint256 updatedAt) = _VENUE.oracle().lastValidPrice();
        if (block.timestamp - updatedAt < OUTAGE_WIND_DOWN_DELAY) {
            revert OutageTooShort(updatedAt, OUTAGE_WIND_DOWN_DELAY);
        }
        _windDown();
    }

    /// @dev Closes the position for good and withdraws the margin here, where holders redeem it without a price.
    ///      With a current price the position is closed at market; when the oracle has none with a position open
    ///      (the only snapshot that needs a price), the venue closes it at the last valid price, and the streaming
    ///      fee since the last accrual is not charged.
    function _windDown() private {
        if (_config.woundDown) revert WoundDown();
        _config.woundDown = true;
        int256 venueEquity;
        try _VENUE.accountSnapshot(address(this)) returns (int256 size, int256 equityWad, uint256) {
            _accrueStreamingFee(totalSupply(), size, _config);
            venueEquity = equityWad;
            if (size != 0) {
                (, , venueEquity) = _VENUE.modifyPositionWithMargin(
                    0,
                    -size,
                    _IS_LONG ? 0 : type(uint256).max,
                    address(0)
                );
            }
        } catch {
            (, , venueEquity) = _VENUE.closeAtLastValidPrice();
        }
        // Rounded down to whole collateral units: dust below one unit stays at the venue, counted in equity.
        uint256 withdrawable = venueEquity > 0 ? uint256(venueEquity) / _TO_WAD : 0;
        if (withdrawable != 0) _VENUE.modifyPositionWithMargin(-withdrawable.toInt256(), 0, 0, address(this));
        emit WindDownStarted(totalEquityWad());
    }

    /// @inheritdoc ILeveragedToken
    function setFees(FeeParams calldata newFees) external override onlyOwner {
        (int256 size, , , ) = _snapshot();
        _accrueStreamingFee(totalSupply(), size, _config); // the old rate applies up to now
        _setFees(newFees);
    }

    /// @inheritdoc ILeveragedToken
    function setEquityCap(uint256 newCap) external override onlyOwner {
        equityCap = SafeCast.toUint96(newCap);
        emit EquityCapSet(newCap);
    }

    /// @inheritdoc ILeveragedToken
    function setTreasury(address newTreasury) external override onlyOwner {
        if (newTreasury == address(0)) revert ZeroAddress();
        treasury = newTreasury;
        emit TreasurySet(newTreasury);
    }

    /// @inheritdoc ILeveragedToken
    function setGuardian(address newGuardian) external override onlyOwner {
        guardian = newGuardian;
        emit GuardianSet(newGuardian);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @inheritdoc ILeveragedToken
    function positionSnapshot() external view override returns (int256 size, int256 equityWad, uint256 price) {
        (size, equityWad, price, ) = _snapshot();
    }

    /// @inheritdoc ILeveragedToken
    function fees() external view override returns (uint64 mintFeeRate, uint64 redeemFeeRate, uint64 streamingFeeRate) {
        Config memory cfg = _config;
        return (cfg.mintFeeRate, cfg.redeemFeeRate, cfg.streamingFeeRate);
    }

    /// @inheritdoc ILeveragedToken
    function lastFeeAccrual() external view override returns (uint64) {
        return _config.lastFeeAccrual;
    }

    /// @inheritdoc ILeveragedToken
    function mintPaused() external view override returns (bool) {
        return _config.mintPaused;
    }

    /// @inheritdoc ILeveragedToken
    function woundDown() external view override returns (bool) {
        return _config.woundDown;
    }

    /// @inheritdoc ILeveragedToken
    function navPerShare() external view override returns (uint256) {
        uint256 supply = totalSupply();
        if (supply == 0) return WAD; // the initial NAV: 1 USD per token
        (int256 size, , , ) = _snapshot();
        // Round down: NAV is never overstated. Pending streaming-fee shares count, as they will on the next action.
        return MulDiv.down(totalEquityWad(), WAD, supply + _pendingStreamingFeeShares(supply, size, _config));
    }

    /// @inheritdoc ILeveragedToken
    function totalEquityWad() public view override returns (uint256) {
        (, int256 equityWad, , ) = _snapshot();
        return equityWad > 0 ? uint256(equityWad) : 0;
    }

    /// @inheritdoc ILeveragedToken
    function totalEquity() external view override returns (uint256) {
        return totalEquityWad() / _TO_WAD;
    }

    /// @inheritdoc ILeveragedToken
    function currentLeverage() external view override returns (uint256) {
        (int256 size, int256 equityWad, uint256 price, ) = _snapshot();
        return LeverageMath.leverage(size, price, equityWad);
    }

    /// @inheritdoc ILeveragedToken
    function targetLeverage() external view override returns (uint256) {
        return IRebalancer(_REBALANCER).methodology(address(this)).targetLeverage;
    }

    /// @inheritdoc ILeveragedToken
    function isActive() external view override returns (bool) {
        if (_config.woundDown) return false;
        (int256 size, int256 equityWad, , ) = _snapshot();
        return !_isClosed(totalSupply(), size, equityWad);
    }

    /// @inheritdoc ILeveragedToken
    function isLong() external view override returns (bool) {
        return _IS_LONG;
    }

    /// @inheritdoc ILeveragedToken
    function collateral() external view override returns (IERC20) {
        return _COLLATERAL;
    }

    /// @inheritdoc ILeveragedToken
    function venue() external view override returns (IVenue) {
        return _VENUE;
    }

    /// @inheritdoc ILeveragedToken
    function rebalancer() external view override returns (address) {
        return _REBALANCER;
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner_) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner_);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internal
    // ------------------------------------------------------------------------------------------------------------

    /// @dev Size, equity (venue + idle, USD WAD), mark price and the idle part of equity (USD WAD), from one oracle
    ///      read and one balance read.
    function _snapshot() private view returns (int256 size, int256 equityWad, uint256 price, int256 idleWad) {
        (size, equityWad, price) = _VENUE.accountSnapshot(address(this));
        idleWad = (_COLLATERAL.balanceOf(address(this)) * _TO_WAD).toInt256();
        equityWad += idleWad;
    }

    /// @dev A product with holders but without a position, or without equity, is closed for good: the venue
    ///      liquidated it, a ripcord closed it insolvent, or it was wound down. Nothing reopens a position (the
    ///      Rebalancer acts only on one), so a mint would buy a token without exposure: it reverts, even after a
    ///      donation brings equity back. Holders redeem what is left, without a price.
    function _isClosed(uint256 supply, int256 size, int256 equityWad) private pure returns (bool) {
        return supply != 0 && (size == 0 || equityWad <= 0);
    }

    /// @dev One venue call deposits the net amount and grows the position; the minter pays its own costs.
    ///      Returns the venue's equity of this account afterwards (USD WAD).
    /// @dev Deposits `net + idle` and grows the position for `net`; returns the product's equity after (all of its
    ///      collateral is then at the venue).
    function _depositAndGrow(
        uint256 supply,
        int256 size,
        int256 equityBefore,
        uint256 price,
        uint256 net,
        uint256 idle
    ) private returns (int256 venueEquity) {
        int256 sizeDelta = _mintSizeDelta(supply, size, equityBefore, price, net * _TO_WAD);
        (, , venueEquity) = _VENUE.modifyPositionWithMargin(
            (net + idle).toInt256(),
            sizeDelta,
            _IS_LONG ? type(uint256).max : 0,
            address(0)
        );
    }

    /// @dev The first mint opens at target leverage; later mints grow the position pro rata to the equity added.
    ///      Either way the size is for the equity the mint adds after its own trading costs (fee and price impact,
    ///      as the venue quotes them), so that a mint leaves leverage where it was: sized on the gross deposit, a
    ///      100M mint into a 1M product moved it 3.007x -> 3.104x. The costs depend on the size, so the equity added
    ///      `a` is solved from `a + costs(size(a)) = added`: each step prices the costs of the current size and takes
    ///      them as proportional to it, `a' = added * a / (a + costs)`, exact at once for costs linear in size (fee,
    ///      capped impact), within ~costs/added of the remaining error otherwise; it stops once a step moves the
    ///      size by at most 1e-6 of it (two quotes for a usual mint: 1,000 USDC into 1M moves it 1.5e-3, then
    ///      1.3e-9; the error left is that last step times ~costs/added), after at most `_MINT_COST_REFINEMENTS`.
    function _mintSizeDelta(
        uint256 supply,
        int256 size,
        int256 equityBefore,
        uint256 price,
        uint256 addedWad
    ) private view returns (int256 delta) {
        uint256 target;
        if (supply == 0) {
            target = IRebalancer(_REBALANCER).methodology(address(this)).targetLeverage;
            // A position-less account is valued without a price: the opening trade needs one (the oracle's error).
            if (price == 0) price = _VENUE.oracle().price();
        }
        delta = _mintDeltaFor(target, size, equityBefore, price, addedWad);
        uint256 afterCosts = addedWad;
        for (uint256 i; i < _MINT_COST_REFINEMENTS && delta != 0; ++i) {
            (uint256 fill, uint256 fee) = _VENUE.quoteTradeAt(delta, price);
            uint256 costs = MulDiv.down(SignedMath.abs(delta), fill > price ? fill - price : price - fill, WAD) + fee;
            afterCosts = MulDiv.down(addedWad, afterCosts, afterCosts + costs);
            int256 next = _mintDeltaFor(target, size, equityBefore, price, afterCosts);
            // Settled once a step moves the size by at most 1e-6 of it: the error left is a small fraction of that.
            bool settled = SignedMath.abs(next - delta) <= SignedMath.abs(next) / _MINT_SIZE_SETTLED;
            delta = next;
            if (settled) break;
        }
    }

    /// @dev The mint's delta for `addedWad` of new equity: to `target` leverage on the whole equity for the first
    ///      mint (`target` != 0), else the pro-rata slice (equityBefore > 0, checked by the callers); towards zero.
    function _mintDeltaFor(
        uint256 target,
        int256 size,
        int256 equityBefore,
        uint256 price,
        uint256 addedWad
    ) private view returns (int256) {
        if (target != 0) {
            return LeverageMath.targetSize(target, equityBefore + addedWad.toInt256(), price, _IS_LONG) - size;
        }
        return LeverageMath.proRataSize(size, addedWad, uint256(equityBefore));
    }

    /// @dev Shares for the equity a mint added. Rounded down: the minter never gets more than it brought.
    ///      The first mint prices shares at 1 per USD of the whole equity, less the locked dead shares.
    function _sharesFor(uint256 supply, int256 equityBefore, int256 equityAfter) private pure returns (uint256) {
        if (equityAfter <= equityBefore) return 0;
        if (supply == 0) {
            uint256 all = uint256(equityAfter);
            return all > DEAD_SHARES ? all - DEAD_SHARES : 0;
        }
        return MulDiv.down(supply, uint256(equityAfter - equityBefore), uint256(equityBefore));
    }

    /// @dev The pro-rata reduction of a redeem and its gross payout (collateral units, before the redeem fee).
    ///      The venue previews the reduction to the wei (same code as execution), so the payout is known before the
    ///      one venue call that reduces the position and withdraws it: the account's leverage does not rise, so the
    ///      venue allows it even above its initial-margin limit.
    function _redeemQuote(
        int256 size,
        int256 equityBefore,
        int256 idleWad,
        uint256 sharesIn,
        uint256 supply
    ) private view returns (int256 sizeDelta, uint256 gross, int256 venueEquity) {
        sizeDelta = -LeverageMath.proRataSize(size, sharesIn, supply);
        int256 equityAfter = equityBefore;
        if (sizeDelta != 0) {
            (, , venueEquity) = _VENUE.previewTrade(address(this), sizeDelta);
            equityAfter = venueEquity + idleWad;
        }
        gross = _redeemGross(equityBefore, equityAfter, sharesIn, supply);
        // A redeemer whose own trading costs would eat its whole share (possible only far below maintenance margin,
        // or for dust) gets nothing and leaves its slice of the position: the others never pay for its exit.
        if (gross == 0) sizeDelta = 0;
    }

    /// @dev Quotes the redeemer's pro-rata exit, executes it (trade and withdrawal in one venue call) and returns the
    ///      collateral it pays out gross of the redeem fee: the quote, plus any surplus of the fill over the quote.
    function _redeemFromVenue(
        int256 size,
        int256 equityBefore,
        int256 idleWad,
        uint256 sharesIn,
        uint256 supply
    ) private returns (uint256 gross) {
        int256 sizeDelta;
        int256 quotedVenueEquity;
        (sizeDelta, gross, quotedVenueEquity) = _redeemQuote(size, equityBefore, idleWad, sharesIn, supply);
        // Idle collateral has not moved since the snapshot (exact: idleWad = idle * _TO_WAD).
        uint256 idle = uint256(idleWad) / _TO_WAD;
        uint256 fromVenue = gross > idle ? gross - idle : 0;
        if (sizeDelta == 0 && fromVenue == 0) return gross;
        (, , int256 venueEquity) = _VENUE.modifyPositionWithMargin(
            -fromVenue.toInt256(),
            sizeDelta,
            _IS_LONG ? 0 : type(uint256).max,
            address(this)
        );
        if (sizeDelta != 0) {
            gross += _redeemSurplus(venueEquity - quotedVenueEquity + (fromVenue * _TO_WAD).toInt256());
        }
    }

    /// @dev The redeemer's trade filled better than the venue quoted (a venue whose quote is a bound, such as an AMM
    ///      fill capped at the oracle price plus a slippage allowance): `surplusWad` is the venue equity left above
    ///      what the quote expected. It is the redeemer's (its own trade's saving), so it is withdrawn for it, leaving
    ///      the others exactly their pro-rata equity at the leverage they had. If the venue refuses that withdrawal
    ///      (e.g. leverage above its initial-margin limit), the surplus stays with the holders and the redeemer keeps
    ///      the quote, which is still what it was promised. Returns the collateral units withdrawn.
    function _redeemSurplus(int256 surplusWad) private returns (uint256 surplus) {
        // One collateral unit stays behind for the venue's rounding of this extra call (Aave rounds balances by a wei).
        if (surplusWad < int256(2 * _TO_WAD)) return 0;
        surplus = uint256(surplusWad) / _TO_WAD - 1;
        try _VENUE.modifyPositionWithMargin(-surplus.toInt256(), 0, 0, address(this)) {
            return surplus;
        } catch {
            return 0;
        }
    }

    /// @dev What a redeemer takes, in collateral units, before the redeem fee: everything above what the remaining
    ///      holders must keep, i.e. its pro-rata equity minus its own trading costs. The remaining holders' share is
    ///      rounded up and the payout down, so rounding always stays with the product.
    function _redeemGross(
        int256 equityBefore,
        int256 equityAfter,
        uint256 sharesIn,
        uint256 supply
    ) private view returns (uint256) {
        uint256 keep = Math.mulDiv(uint256(equityBefore), supply - sharesIn, supply, Math.Rounding.Ceil);
        if (equityAfter <= keep.toInt256()) return 0;
        return (uint256(equityAfter) - keep) / _TO_WAD;
    }

    /// @dev Mints the streaming fee since the last accrual to the treasury; returns the shares minted.
    ///      Nothing accrues on an empty or position-less (wound-down or liquidated) product.
    function _accrueStreamingFee(uint256 supply, int256 size, Config memory cfg) private returns (uint256 feeShares) {
        feeShares = _pendingStreamingFeeShares(supply, size, cfg);
        _config.lastFeeAccrual = uint40(block.timestamp);
        if (feeShares != 0) {
            _mint(treasury, feeShares);
            emit StreamingFeeAccrued(feeShares, block.timestamp);
        }
    }

    /// @dev Shares that give the treasury `rate * elapsed / YEAR` of the product: supply * f / (1 - f), rounded
    ///      down so the fee never exceeds rate x time.
    function _pendingStreamingFeeShares(uint256 supply, int256 size, Config memory cfg) private view returns (uint256) {
        uint256 rate = cfg.streamingFeeRate;
        if (supply == 0 || rate == 0 || size == 0) return 0;
        uint256 fraction = MulDiv.down(rate, block.timestamp - cfg.lastFeeAccrual, YEAR);
        if (fraction == 0) return 0;
        // rate <= 10%/year; a fraction >= 1 would need a decade without any action, capped at 50% to stay finite.
        fraction = Math.min(fraction, WAD / 2);
        return MulDiv.down(supply, fraction, WAD - fraction);
    }

    /// @dev Pulls `amount` from the caller and checks that exactly that much arrived: fee-on-transfer collateral
    ///      would credit a minter with more than arrived (and later make redeems fail). Returns the prior balance.
    function _pullExactly(uint256 amount) private returns (uint256 balanceBefore) {
        balanceBefore = _COLLATERAL.balanceOf(address(this));
        _COLLATERAL.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _COLLATERAL.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert CollateralTransferMismatch(amount, received);
    }

    /// @dev `amount * rate`, rounded up: fees favour the protocol.
    function _feeUp(uint256 amount, uint256 rate) private pure returns (uint256) {
        return Math.mulDiv(amount, rate, WAD, Math.Rounding.Ceil);
    }

    function _setFees(FeeParams memory newFees) private {
        if (newFees.mintFeeRate > MAX_TRADE_FEE) revert InvalidFee(newFees.mintFeeRate);
        if (newFees.redeemFeeRate > MAX_TRADE_FEE) revert InvalidFee(newFees.redeemFeeRate);
        if (newFees.streamingFeeRate > MAX_STREAMING_FEE) revert InvalidFee(newFees.streamingFeeRate);
        Config storage cfg = _config;
        cfg.mintFeeRate = newFees.mintFeeRate;
        cfg.redeemFeeRate = newFees.redeemFeeRate;
        cfg.streamingFeeRate = newFees.streamingFeeRate;
        emit FeeParamsSet(newFees);
    }
}
