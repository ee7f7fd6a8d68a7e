/** Edge paths of LeveragedToken and LeverageMath not reached by the behaviour specs: every branch must be able to fail. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { ZeroAddress } from "ethers";
import { deploySuite } from "../helpers/deployment";
import { fundAndMint, productContext } from "../helpers/product";
import { DEFAULT_FEES, methodologyV1, usdc, wad } from "../../config/parameters";

describe("LeveragedToken edges", () => {
  describe("constructor", () => {
    it("reverts ZeroAddress for a zero venue, rebalancer or treasury", async () => {
      const s = await deploySuite();
      const factory = await ethers.getContractFactory("LeveragedToken");
      const venue = await s.venues.BTC.getAddress();
      const rebalancer = await s.rebalancer.getAddress();
      const args = (v: string, r: string, t: string) =>
        ["X", "X", v, r, true, s.deployer.address, t, DEFAULT_FEES, wad(1_000_000)] as const;
      for (const [v, r, t] of [
        [ZeroAddress, rebalancer, s.treasury.address],
        [venue, ZeroAddress, s.treasury.address],
        [venue, rebalancer, ZeroAddress],
      ]) {
        await expect(factory.deploy(...args(v, r, t))).to.be.revertedWithCustomError(factory, "ZeroAddress");
      }
    });
  });

  describe("#rebalancerTrade", () => {
    it("reverts OnlyRebalancer for anyone but the Rebalancer", async () => {
      const s = await deploySuite();
      const token = s.products.BTC3L;
      await expect(token.connect(s.users[0]).rebalancerTrade(1n, 0n, s.users[0].address, 0n))
        .to.be.revertedWithCustomError(token, "OnlyRebalancer")
        .withArgs(s.users[0].address);
    });

    it("pays the bounty from idle collateral and sweeps the rest into the venue", async () => {
      const s = await deploySuite();
      const ctx = await productContext(s, "BTC3L");
      // v1's band: the rebalance below goes all the way back to target (v2 would stop at its inner band).
      await s.rebalancer.connect(s.governor).setMethodology(ctx.address, methodologyV1(3));
      await fundAndMint(ctx, s.users[0], usdc(10_000));
      await s.usdc.mint(ctx.address, usdc(100)); // a donation: idle collateral above any bounty
      await ctx.feed.updateAnswer(54_000n * 10n ** 8n);
      const keeperBefore = await s.usdc.balanceOf(s.keeper.address);
      await s.rebalancer.connect(s.keeper).rebalance(ctx.address);
      const paid = (await s.usdc.balanceOf(s.keeper.address)) - keeperBefore;
      expect(paid).to.be.gt(0n);
      expect(await s.usdc.balanceOf(ctx.address)).to.equal(0n); // everything else joined the margin
      expect(await ctx.token.currentLeverage()).to.be.closeTo(wad(3), wad("0.01"));
    });

    it("pays a bounty larger than idle collateral partly from idle, the rest from the venue", async () => {
      const s = await deploySuite();
      const ctx = await productContext(s, "BTC3L");
      await fundAndMint(ctx, s.users[0], usdc(10_000));
      await s.usdc.mint(ctx.address, 1n); // 1 unit idle, below the 0.5 USDC base bounty
      await ctx.feed.updateAnswer(54_000n * 10n ** 8n);
      const bounty = await s.rebalancer.currentBounty(ctx.address);
      expect(bounty).to.be.gt(1n);
      await expect(s.rebalancer.connect(s.keeper).rebalance(ctx.address)).to.changeTokenBalance(
        s.usdc,
        s.keeper,
        (b: bigint) => b >= bounty,
      );
      expect(await s.usdc.balanceOf(ctx.address)).to.equal(0n);
    });
  });

  describe("previews at the edges", () => {
    it("previewMint is 0 for 0, for 1 wei (all fee), while paused, and after a wind-down", async () => {
      const s = await deploySuite();
      const ctx = await productContext(s, "BTC3L");
      await fundAndMint(ctx, s.users[0], usdc(1_000));
      expect(await ctx.token.previewMint(0n)).to.equal(0n);
      expect(await ctx.token.previewMint(1n)).to.equal(0n);
      expect(await ctx.token.previewMint(usdc(1))).to.be.gt(0n);
      await ctx.token.connect(s.guardian).setMintPaused(true);
      expect(await ctx.token.previewMint(usdc(1))).to.equal(0n);
      await ctx.token.connect(s.guardian).setMintPaused(false);
      await ctx.token.connect(s.deployer).windDown();
      expect(await ctx.token.previewMint(usdc(1))).to.equal(0n);
    });

    it("previewRedeem is 0 for 0 shares, for more than the supply, and once the equity is gone", async () => {
      const s = await deploySuite();
      const ctx = await productContext(s, "BTC3L");
      const shares = await fundAndMint(ctx, s.users[0], usdc(1_000));
      expect(await ctx.token.previewRedeem(0n)).to.equal(0n);
      expect(await ctx.token.previewRedeem((await ctx.token.totalSupply()) + 1n)).to.equal(0n);
      expect(await ctx.token.previewRedeem(shares)).to.be.gt(0n);
      await ctx.feed.updateAnswer(30_000n * 10n ** 8n); // -50%: a 3x long's equity is negative
      expect(await ctx.token.totalEquityWad()).to.equal(0n);
      expect(await ctx.token.previewRedeem(shares)).to.equal(0n);
      expect(await ctx.token.previewMint(usdc(1))).to.equal(0n);
      expect(await ctx.token.isActive()).to.equal(false);
    });

    it("an empty product reports NAV 1, is active and previews a first mint", async () => {
      const s = await deploySuite();
      const token = s.products.ETH2S;
      expect(await token.navPerShare()).to.equal(wad(1));
      expect(await token.isActive()).to.equal(true);
      expect(await token.currentLeverage()).to.equal(0n);
      expect(await token.previewMint(usdc(100))).to.be.gt(0n);
    });
  });

  describe("LeverageMath through the Rebalancer", () => {
    it("an unlimited maxTradeNotional (0) rebalances in one call, never ITERATE", async () => {
      const s = await deploySuite();
      const ctx = await productContext(s, "BTC3L");
      await fundAndMint(ctx, s.users[0], usdc(10_000));
      await s.rebalancer.connect(s.governor).setMethodology(ctx.address, { ...methodologyV1(3), maxTradeNotional: 0n });
      await ctx.feed.updateAnswer(54_000n * 10n ** 8n);
      await s.rebalancer.connect(s.keeper).rebalance(ctx.address);
      expect(await s.rebalancer.shouldRebalance(ctx.address)).to.equal(0n);
      expect((await s.rebalancer.tokenState(ctx.address)).iterating).to.equal(false);
    });
  });
});
