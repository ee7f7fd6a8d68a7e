// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ILeveragedToken} from "../../interfaces/ILeveragedToken.sol";
import {IMockPerpVenue} from "../../venues/mock/IMockPerpVenue.sol";
import {IRebalancer} from "../../interfaces/IRebalancer.sol";
import {LeveragedToken} from "../../LeveragedToken.sol";

/// @title StateLens
/// @notice Test-only: reads everything the invariant tests compare with their reference model in one `eth_call`
///         (a per-command comparison would otherwise cost dozens of calls). Views that need a fresh oracle price are
///         wrapped in try/catch and reported with an `ok` flag, so a stale feed is observable rather than fatal.
contract StateLens {
    struct MarketView {
        bool priceOk;
        uint256 price;
        int256 fundingIndexNow;
        uint256 lastFundingTime;
        int256 fundingRate;
        bool paused;
        uint256 oiLong;
        uint256 oiShort;
        uint256 feesCollected;
        uint256 badDebt;
        uint256 usdcSupply;
    }

    struct ProductView {
        IMockPerpVenue.Position position;
        uint256 supply;
        bool mintPaused;
        uint256 liquidations;
        uint256 lastRebalance;
        bool iterating;
        uint256 budget;
        bool viewsOk;
        int256 equityWad;
        uint256 nav;
        uint256 leverage;
        uint8 action;
        bool liquidatable;
        bool active;
        uint256[] balances;
    }

    /// @notice Market, per-product and per-holder state at the block the call runs in.
    function read(
        IMockPerpVenue venue,
        ILeveragedToken[] calldata tokens,
        IRebalancer rebalancer,
        address[] calldata holders
    ) external view returns (MarketView memory m, ProductView[] memory p, uint256[] memory usdcBalances) {
        IERC20 usdc = venue.collateral();
        m.paused = venue.paused();
        m.fundingRate = venue.fundingRatePerSecond();
        m.oiLong = venue.openInterestLong();
        m.oiShort = venue.openInterestShort();
        m.feesCollected = venue.feesCollected();
        m.badDebt = venue.totalBadDebt();
        m.usdcSupply = usdc.totalSupply();
        m.lastFundingTime = venue.lastFundingTime();
        try venue.markPrice() returns (uint256 price) {
            m.priceOk = true;
            m.price = price;
            m.fundingIndexNow = venue.cumulativeFundingPerUnit();
        } catch {
            m.priceOk = false;
        }
        p = new ProductView[](tokens.length);
        for (uint256 i; i < tokens.length; ++i) {
            p[i] = _product(venue, tokens[i], rebalancer, holders, m.priceOk);
        }
        usdcBalances = new uint256[](holders.length);
        for (uint256 i; i < holders.length; ++i) {
            usdcBalances[i] = usdc.balanceOf(holders[i]);
        }
    }

    function _product(
        IMockPerpVenue venue,
        ILeveragedToken token,
        IRebalancer rebalancer,
        address[] calldata holders,
        bool priceOk
    ) private view returns (ProductView memory v) {
        address account = address(token);
        v.position = venue.position(account);
        v.supply = IERC20(account).totalSupply();
        v.mintPaused = LeveragedToken(account).mintPaused();
        v.liquidations = venue.liquidationCount(account);
        IRebalancer.TokenState memory st = rebalancer.tokenState(account);
        v.lastRebalance = st.lastRebalance;
        v.iterating = st.iterating;
        v.budget = st.bounty.budget;
        v.balances = new uint256[](holders.length);
        for (uint256 j; j < holders.length; ++j) {
            v.balances[j] = IERC20(account).balanceOf(holders[j]);
        }
        if (priceOk) {
            v.viewsOk = true;
            (, v.equityWad, ) = token.positionSnapshot();
            v.nav = token.navPerShare();
            v.leverage = token.currentLeverage();
            v.action = uint8(rebalancer.shouldRebalance(account));
            v.liquidatable = venue.isLiquidatable(account);
            v.active = token.isActive();
        }
    }
}
