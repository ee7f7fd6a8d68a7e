/**
 * Issue 3: what each entry point does with a bad oracle, and what each pause switch blocks.
 * Decision (docs/mechanism.md, "Oracle failure"): with a stale, zero or negative price, mint, rebalance, ripcord and
 * redeem all revert with the adapter's own error and change nothing; redeem works again as soon as the feed does.
 */
import { expect } from "chai";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite } from "../helpers/deployment";
import { fundAndMint, postPrice, productContext, type ProductContext } from "../helpers/product";
import { MARKET_SYMBOLS, usdc } from "../../config/parameters";
import { LOCAL_FEED_TIMING, maxStaleness } from "../../config/networks";

const RIPCORD = 3n;
/** The deployed BTC oracle's oldest accepted answer, seconds: heartbeat + buffer. */
const BTC_MAX_AGE = maxStaleness(LOCAL_FEED_TIMING.BTC);

type Minted = ProductContext & { holder: Awaited<ReturnType<typeof deploySuite>>["users"][number] };

async function minted(): Promise<Minted> {
  const suite = await deploySuite();
  const ctx = await productContext(suite, "BTC3L");
  const holder = suite.users[0];
  await fundAndMint(ctx, holder, usdc(10_000));
  return { ...ctx, holder };
}

/** The keeper's `call` (rebalance or ripcord) of the product goes through: it emits RebalanceExecuted. */
async function expectKeeperExecutes(ctx: ProductContext, call: "rebalance" | "ripcord"): Promise<void> {
  const rebalancer = ctx.suite.rebalancer.connect(ctx.suite.keeper);
  await expect(rebalancer[call](ctx.address)).to.emit(ctx.suite.rebalancer, "RebalanceExecuted");
}

/** The holder redeems all its shares: the redeem goes through and emits Redeemed. */
async function expectRedeemsAll(ctx: Minted): Promise<void> {
  const shares = await ctx.token.balanceOf(ctx.holder.address);
  await expect(ctx.token.connect(ctx.holder).redeem(shares, 0n, ctx.holder.address)).to.emit(ctx.token, "Redeemed");
}

/** State that must not change when an entry point reverts. */
async function state(ctx: ProductContext, holder: string) {
  return {
    position: await ctx.mockVenue.position(ctx.address),
    supply: await ctx.token.totalSupply(),
    shares: await ctx.token.balanceOf(holder),
    usdc: await ctx.usdc.balanceOf(holder),
    tokenState: await ctx.rebalancer.tokenState(ctx.address),
  };
}

describe("Oracle failures and pauses", () => {
  describe("stale oracle (older than the heartbeat + buffer)", () => {
    it("reverts mint, rebalance and redeem with the adapter's StalePrice and changes nothing", async () => {
      const ctx = await minted();
      const { suite, holder } = ctx;
      await ctx.feed.updateAnswer(54_000n * 10n ** 8n); // leverage leaves the band: a rebalance is due...
      const updatedAt = await time.latest();
      await time.increase(BTC_MAX_AGE + 1); // ...but the price goes stale before anyone acts
      const before = await state(ctx, holder.address);
      const oracle = suite.oracles.BTC;

      await suite.usdc.mint(holder.address, usdc(100));
      await suite.usdc.connect(holder).approve(ctx.address, usdc(100));
      await expect(ctx.token.connect(holder).mint(usdc(100), 0n, holder.address))
        .to.be.revertedWithCustomError(oracle, "StalePrice")
        .withArgs(updatedAt, BTC_MAX_AGE);
      await expect(suite.rebalancer.connect(suite.keeper).rebalance(ctx.address)).to.be.revertedWithCustomError(
        oracle,
        "StalePrice",
      );
      await expect(ctx.token.connect(holder).redeem(before.shares, 0n, holder.address)).to.be.revertedWithCustomError(
        oracle,
        "StalePrice",
      );

      const after = await state(ctx, holder.address);
      expect(after.position).to.deep.equal(before.position);
      expect(after.supply).to.equal(before.supply);
      expect(after.shares).to.equal(before.shares);
      expect(after.usdc).to.equal(before.usdc + usdc(100)); // only the faucet moved
      expect(after.tokenState).to.deep.equal(before.tokenState);
    });

    it("redeems again as soon as the feed posts a fresh price", async () => {
      const ctx = await minted();
      await time.increase(BTC_MAX_AGE + 1);
      const shares = await ctx.token.balanceOf(ctx.holder.address);
      await expect(ctx.token.connect(ctx.holder).redeem(shares, 0n, ctx.holder.address)).to.be.reverted;
      await postPrice(ctx.feed);
      await expect(ctx.token.connect(ctx.holder).redeem(shares, 0n, ctx.holder.address)).to.emit(ctx.token, "Redeemed");
      expect(await ctx.token.balanceOf(ctx.holder.address)).to.equal(0n);
    });
  });

  describe("issue 13.5: a heartbeat round that lands after the heartbeat deadline", () => {
    it("the deployed adapters report the network's heartbeat, buffer and their sum", async () => {
      const suite = await deploySuite();
      for (const market of MARKET_SYMBOLS) {
        const oracle = suite.oracles[market];
        const timing = LOCAL_FEED_TIMING[market];
        expect(timing.stalenessBuffer, `${market} buffer`).to.be.greaterThan(0);
        expect(await oracle.heartbeat()).to.equal(timing.heartbeat);
        expect(await oracle.stalenessBuffer()).to.equal(timing.stalenessBuffer);
        expect(await oracle.maxStaleness()).to.equal(maxStaleness(timing));
      }
    });

    it("the deployed adapters accept an answer heartbeat + 1 to heartbeat + buffer seconds old", async () => {
      const suite = await deploySuite();
      for (const market of MARKET_SYMBOLS) {
        const [feed, oracle] = [suite.feeds[market], suite.oracles[market]];
        const { heartbeat, stalenessBuffer } = LOCAL_FEED_TIMING[market];
        const answer = await feed.latestAnswer();
        for (const age of [heartbeat + 1, heartbeat + Math.floor(stalenessBuffer / 2), heartbeat + stalenessBuffer]) {
          const t = (await time.latest()) + 10;
          await time.setNextBlockTimestamp(t);
          await feed.updateRoundData(9n, answer, t - age, t - age);
          const [priceWad, updatedAt] = await oracle.latestPrice();
          expect(updatedAt, `${market} ${age} s`).to.equal(t - age);
          expect(priceWad).to.equal(answer * 10n ** 10n);
        }
      }
    });

    it("the deployed adapters refuse an answer heartbeat + buffer + 1 seconds old: StalePrice(updatedAt, heartbeat + buffer)", async () => {
      const suite = await deploySuite();
      for (const market of MARKET_SYMBOLS) {
        const [feed, oracle] = [suite.feeds[market], suite.oracles[market]];
        const maxAge = maxStaleness(LOCAL_FEED_TIMING[market]);
        const t = (await time.latest()) + 10;
        await time.setNextBlockTimestamp(t);
        await feed.updateRoundData(9n, await feed.latestAnswer(), t - maxAge, t - maxAge);
        await mine(); // block time t + 1
        await expect(oracle.price())
          .to.be.revertedWithCustomError(oracle, "StalePrice")
          .withArgs(t - maxAge, maxAge);
      }
    });

    it("ripcord and redeem go through with an answer heartbeat + 1 to heartbeat + buffer seconds old, and not after", async () => {
      const ctx = await minted();
      const { heartbeat, stalenessBuffer } = LOCAL_FEED_TIMING.BTC;
      const maxAge = heartbeat + stalenessBuffer;
      await ctx.feed.updateAnswer(((await ctx.feed.latestAnswer()) * 81n) / 100n); // -19%: BTC3L past its 5.14x ripcord
      const updatedAt = await time.latest();

      await time.setNextBlockTimestamp(updatedAt + heartbeat + 1); // Chainlink's heartbeat round is not mined yet
      await expectKeeperExecutes(ctx, "ripcord");
      const shares = await ctx.token.balanceOf(ctx.holder.address);
      await time.setNextBlockTimestamp(updatedAt + maxAge);
      await expect(ctx.token.connect(ctx.holder).redeem(shares / 2n, 0n, ctx.holder.address)).to.emit(
        ctx.token,
        "Redeemed",
      );
      await time.setNextBlockTimestamp(updatedAt + maxAge + 1);
      await expect(ctx.token.connect(ctx.holder).redeem(shares / 2n, 0n, ctx.holder.address))
        .to.be.revertedWithCustomError(ctx.suite.oracles.BTC, "StalePrice")
        .withArgs(updatedAt, maxAge);
    });
  });

  describe("invalid answers", () => {
    for (const [label, answer] of [
      ["zero", 0n],
      ["negative", -1n],
    ] as const) {
      it(`reverts mint, rebalance, ripcord and redeem with InvalidPrice(${label})`, async () => {
        const ctx = await minted();
        const oracle = ctx.suite.oracles.BTC;
        await ctx.feed.updateAnswer(answer);
        const shares = await ctx.token.balanceOf(ctx.holder.address);
        await expect(ctx.token.connect(ctx.holder).mint(usdc(1), 0n, ctx.holder.address))
          .to.be.revertedWithCustomError(oracle, "InvalidPrice")
          .withArgs(answer);
        for (const call of [
          () => ctx.suite.rebalancer.rebalance(ctx.address),
          () => ctx.suite.rebalancer.ripcord(ctx.address),
          () => ctx.suite.rebalancer.shouldRebalance(ctx.address),
          () => ctx.token.connect(ctx.holder).redeem(shares, 0n, ctx.holder.address),
        ]) {
          await expect(call()).to.be.revertedWithCustomError(oracle, "InvalidPrice").withArgs(answer);
        }
      });
    }
  });

  describe("pauses", () => {
    it("mint pause blocks mint only: redeem, rebalance and ripcord still work", async () => {
      const ctx = await minted();
      const { suite, holder } = ctx;
      await ctx.token.connect(suite.guardian).setMintPaused(true);
      await expect(ctx.token.connect(holder).mint(usdc(1), 0n, holder.address)).to.be.revertedWithCustomError(
        ctx.token,
        "MintPaused",
      );
      // A 22% drop takes 3x to about 5.8x: above the 5.14x ripcord.
      await ctx.feed.updateAnswer(46_800n * 10n ** 8n);
      expect(await suite.rebalancer.shouldRebalance(ctx.address)).to.equal(RIPCORD);
      await expectKeeperExecutes(ctx, "ripcord");
      expect(await ctx.token.currentLeverage()).to.be.closeTo(3n * 10n ** 18n, 10n ** 16n);
      await ctx.feed.updateAnswer(42_000n * 10n ** 8n); // 3x -> about 3.9x: above the band top (3.8x)
      await expectKeeperExecutes(ctx, "rebalance");
      await expectRedeemsAll(ctx);
    });

    it("venue pause (reduce-only) blocks mint and up-levering rebalances, never ripcord or redeem", async () => {
      const ctx = await minted();
      const { suite, holder } = ctx;
      await ctx.mockVenue.connect(suite.deployer).setPaused(true);
      await suite.usdc.mint(holder.address, usdc(100));
      await suite.usdc.connect(holder).approve(ctx.address, usdc(100));
      await expect(ctx.token.connect(holder).mint(usdc(100), 0n, holder.address)).to.be.revertedWithCustomError(
        ctx.venue,
        "VenuePaused",
      );
      // Up 110%: a 3x long drops to about 1.47x, inside its band (no intraday re-levering: the bottom is 0.3x), and the
      // daily check re-levers it a day later; re-levering means growing the position: refused.
      await ctx.feed.updateAnswer(126_000n * 10n ** 8n);
      await time.increase(Number((await suite.rebalancer.methodology(ctx.address)).interval));
      await ctx.feed.updateAnswer(126_000n * 10n ** 8n);
      await expect(suite.rebalancer.connect(suite.keeper).rebalance(ctx.address)).to.be.revertedWithCustomError(
        ctx.venue,
        "VenuePaused",
      );
      // Down to a ripcord (from the unchanged 3x position at 60,000: -18.3% gives 5.4x, above 5.14x): a reduction,
      // it goes through.
      await ctx.feed.updateAnswer(49_000n * 10n ** 8n);
      expect(await suite.rebalancer.shouldRebalance(ctx.address)).to.equal(RIPCORD);
      await expectKeeperExecutes(ctx, "ripcord");
      await expectRedeemsAll(ctx);
    });
  });
});
