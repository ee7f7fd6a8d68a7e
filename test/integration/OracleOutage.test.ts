/**
 * Issue 13.1, 13.6 and 13.9: what a holder can do when the oracle stops, how a mint moves leverage, and what a
 * product closed insolvent by a ripcord is.
 *
 * The redeem guarantee (docs/mechanism.md, "Exit guarantee"): a product without a position (wound down, liquidated,
 * closed insolvent) is valued and redeemed without a price, whatever the oracle's state; one with a position open needs
 * a current price, and when the feed stops the owner may wind it down at once and anyone may after
 * OUTAGE_WIND_DOWN_DELAY (72 h of silence), the venue closing at the feed's last valid price.
 *
 * Every timestamp is derived from the chain (time.latest / the feed's updatedAt) and set explicitly.
 */
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySuite } from "../helpers/deployment";
import { fundAndMint, postPrice, productContext, type ProductContext } from "../helpers/product";
import { MARKETS, usdc } from "../../config/parameters";
import { LOCAL_FEED_TIMING, maxStaleness } from "../../config/networks";

const WAD = 10n ** 18n;
const TO_WAD = 10n ** 12n;
const BTC_MAX_AGE = BigInt(maxStaleness(LOCAL_FEED_TIMING.BTC));
const OUTAGE_DELAY = 3n * 24n * 3600n;
const RIPCORD = 3;

interface Holders extends ProductContext {
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

async function holders(symbol: "BTC3L" | "BTC3S" = "BTC3L"): Promise<Holders> {
  const suite = await deploySuite();
  const ctx = await productContext(suite, symbol);
  const [alice, bob, stranger] = suite.users;
  await fundAndMint(ctx, alice, usdc(600_000));
  await fundAndMint(ctx, bob, usdc(400_000));
  return { ...ctx, alice, bob, stranger };
}

/** Sets the next block's time to the feed's last update plus `age` seconds (and mines it). */
async function feedAgeBecomes(ctx: ProductContext, age: bigint): Promise<void> {
  const [, , , updatedAt] = await ctx.feed.latestRoundData();
  await time.increaseTo(updatedAt + age);
}

/** Redeems every share of `who` and returns the collateral it received. */
async function redeemAll(ctx: ProductContext, who: HardhatEthersSigner): Promise<bigint> {
  const shares = await ctx.token.balanceOf(who.address);
  const preview = await ctx.token.previewRedeem(shares);
  const before = await ctx.usdc.balanceOf(who.address);
  await ctx.token.connect(who).redeem(shares, preview, who.address);
  const paid = (await ctx.usdc.balanceOf(who.address)) - before;
  expect(paid, "a redeem pays its preview").to.equal(preview);
  return paid;
}

describe("issue 13.1: redeem is never frozen by a stale or retired oracle when no price is needed", function () {
  it("after windDown, every redeem, preview, setFees and a second windDown work with the feed stale (3,601 s and a year)", async function () {
    const ctx = await holders();
    await ctx.token.connect(ctx.suite.deployer).windDown();
    const idle = await ctx.usdc.balanceOf(ctx.address);
    expect(idle, "collateral brought home").to.be.gt(usdc(990_000));
    for (const age of [BTC_MAX_AGE + 1n, 365n * 24n * 3600n]) {
      await feedAgeBecomes(ctx, age);
      await expect(ctx.suite.oracles.BTC.price(), "the oracle is stale").to.be.revertedWithCustomError(
        ctx.suite.oracles.BTC,
        "StalePrice",
      );
      expect(await ctx.token.totalEquity()).to.equal(await ctx.usdc.balanceOf(ctx.address));
      expect(await ctx.token.previewRedeem(1n)).to.be.gte(0n);
      await ctx.token.connect(ctx.alice).redeem(1n, 0n, ctx.alice.address); // even of 1 share
    }
    await ctx.token.connect(ctx.suite.governor).setFees({ mintFeeRate: 0n, redeemFeeRate: 0n, streamingFeeRate: 0n });
    await expect(ctx.token.connect(ctx.suite.deployer).windDown()).to.be.revertedWithCustomError(
      ctx.token,
      "WoundDown",
    );
    const paid = (await redeemAll(ctx, ctx.alice)) + (await redeemAll(ctx, ctx.bob));
    // Everything but the dead shares' slice (0.001 token) and rounding dust leaves.
    expect(idle - paid).to.be.lt(usdc(1));
  });

  it("a product liquidated by the venue pays its remaining margin to holders with the feed stale", async function () {
    const ctx = await holders();
    const answer = await ctx.feed.latestAnswer();
    await ctx.feed.updateAnswer((answer * 6_720n) / 10_000n); // -32.8%: past maintenance, equity still positive
    const beforeLiquidation = await ctx.token.totalEquity();
    await ctx.mockVenue.connect(ctx.stranger).liquidate(ctx.address);
    const margin = await ctx.token.totalEquity();
    // The pooled-exit haircut (docs/threat-model.md): what the holders still in the product lose to the liquidation.
    const usd = (x: bigint) => (Number(x) / 1e6).toLocaleString("en-US", { maximumFractionDigits: 0 });
    console.log(
      `      equity ${usd(beforeLiquidation)} USDC before the liquidation, ${usd(margin)} after ` +
        `(${((Number(beforeLiquidation - margin) / Number(beforeLiquidation)) * 100).toFixed(1)}% haircut)`,
    );
    expect(margin, "margin left at the venue").to.be.gt(usdc(1_000));
    await feedAgeBecomes(ctx, BTC_MAX_AGE + 1n);
    expect(await ctx.token.isActive()).to.equal(false);
    const paid = (await redeemAll(ctx, ctx.alice)) + (await redeemAll(ctx, ctx.bob));
    // Less the redeem fee (0.1%) and rounding.
    expect(paid).to.be.gt((margin * 998n) / 1000n);
    expect(paid).to.be.lte(margin);
  });

  for (const symbol of ["BTC3L", "BTC3S"] as const) {
    it(`the owner winds ${symbol} down after its feed stopped: the venue closes at the last valid price, holders redeem without a price`, async function () {
      const ctx = await holders(symbol);
      const [, equityAtLast, lastPrice] = await ctx.token.positionSnapshot();
      await feedAgeBecomes(ctx, BTC_MAX_AGE + 1n);
      await expect(ctx.token.positionSnapshot()).to.be.revertedWithCustomError(ctx.suite.oracles.BTC, "StalePrice");
      await expect(ctx.token.connect(ctx.suite.deployer).windDown())
        .to.emit(ctx.mockVenue, "PositionModified")
        .and.to.emit(ctx.token, "WindDownStarted");
      const [size, equity] = await ctx.token.positionSnapshot();
      expect(size).to.equal(0n);
      // Closed at the last valid price: equity is what it was at that price less the closing fee and impact
      // (MockPerpVenue: 0.05% fee, 0.03% impact on ~3M notional, funding), within 0.5%.
      expect(equity).to.be.lte(equityAtLast);
      expect(equity).to.be.gt((equityAtLast * 995n) / 1000n);
      expect(lastPrice).to.be.gt(0n);
      const paid = (await redeemAll(ctx, ctx.alice)) + (await redeemAll(ctx, ctx.bob));
      expect(paid * TO_WAD).to.be.lte(equity);
      expect(paid * TO_WAD).to.be.gt((equity * 998n) / 1000n); // less the redeem fee
    });
  }

  it("a long outage with a position open: anyone may wind down after 72 h of silence, not before", async function () {
    const ctx = await holders();
    const token = ctx.token.connect(ctx.stranger);
    expect(await ctx.token.OUTAGE_WIND_DOWN_DELAY()).to.equal(OUTAGE_DELAY);
    const [, , , updatedAt] = await ctx.feed.latestRoundData();
    await expect(token.windDownAfterOutage())
      .to.be.revertedWithCustomError(ctx.token, "OutageTooShort")
      .withArgs(updatedAt, OUTAGE_DELAY);
    // Redeem needs a price while the position is open: it reverts with the oracle's error and changes nothing.
    await feedAgeBecomes(ctx, BTC_MAX_AGE + 1n);
    await expect(ctx.token.connect(ctx.alice).redeem(1n, 0n, ctx.alice.address)).to.be.revertedWithCustomError(
      ctx.suite.oracles.BTC,
      "StalePrice",
    );
    await time.setNextBlockTimestamp(updatedAt + OUTAGE_DELAY - 1n);
    await expect(token.windDownAfterOutage()).to.be.revertedWithCustomError(ctx.token, "OutageTooShort");
    await time.setNextBlockTimestamp(updatedAt + OUTAGE_DELAY);
    await expect(token.windDownAfterOutage()).to.emit(ctx.token, "WindDownStarted");
    expect(await ctx.token.woundDown()).to.equal(true);
    expect(await redeemAll(ctx, ctx.alice)).to.be.gt(usdc(590_000));
    await expect(token.windDownAfterOutage()).to.be.revertedWithCustomError(ctx.token, "WoundDown");
  });

  it("a feed that comes back inside the 72 h ends the outage path: anyone's windDownAfterOutage reverts again", async function () {
    const ctx = await holders();
    await feedAgeBecomes(ctx, OUTAGE_DELAY / 2n);
    await postPrice(ctx.feed);
    await feedAgeBecomes(ctx, OUTAGE_DELAY - 10n);
    await expect(ctx.token.connect(ctx.stranger).windDownAfterOutage()).to.be.revertedWithCustomError(
      ctx.token,
      "OutageTooShort",
    );
  });

  it("the venue refuses to close at the last valid price while the oracle has a current one", async function () {
    const ctx = await holders();
    await expect(ctx.venue.connect(ctx.alice).closeAtLastValidPrice()).to.be.revertedWithCustomError(
      ctx.venue,
      "NoPosition",
    );
    // The product's own account: only the product can call for itself; any other caller has no position.
    await feedAgeBecomes(ctx, BTC_MAX_AGE);
    expect(await ctx.suite.oracles.BTC.price()).to.be.gt(0n); // exactly at the limit: still current
  });

  it("a first mint into a fresh product with a stale feed reverts with the oracle's own error, not a division by zero", async function () {
    const suite = await deploySuite();
    const ctx = await productContext(suite, "ETH2L");
    expect(await ctx.token.totalSupply()).to.equal(0n);
    const [, , , updatedAt] = await ctx.feed.latestRoundData();
    await time.increaseTo(updatedAt + BigInt(maxStaleness(LOCAL_FEED_TIMING.ETH)) + 1n);
    const [size, equity, price] = await ctx.token.positionSnapshot();
    expect([size, equity, price]).to.deep.equal([0n, 0n, 0n]); // valued without a price
    await suite.usdc.mint(suite.users[0].address, usdc(1_000));
    await suite.usdc.connect(suite.users[0]).approve(ctx.address, usdc(1_000));
    await expect(ctx.token.connect(suite.users[0]).mint(usdc(1_000), 0n, suite.users[0].address))
      .to.be.revertedWithCustomError(suite.oracles.ETH, "StalePrice")
      .withArgs(updatedAt, maxStaleness(LOCAL_FEED_TIMING.ETH));
  });
});

describe("issue 13.6: a mint is sized on the equity it adds after its own costs", function () {
  const cases: Array<[string, bigint, bigint]> = [
    ["a 100M mint into a 1M product", usdc(1_000_000), usdc(100_000_000)],
    ["a 1M mint into a 1M product", usdc(1_000_000), usdc(1_000_000)],
    ["a 1,000 USDC mint into a 1M product", usdc(1_000_000), usdc(1_000)],
  ];
  for (const [title, seed, amount] of cases) {
    for (const symbol of ["BTC3L", "BTC3S"] as const) {
      it(`${title} (${symbol}), then its redeem, leave leverage unchanged to within 1e-6`, async function () {
        const suite = await deploySuite();
        const ctx = await productContext(suite, symbol);
        const [seeder, minter] = suite.users;
        // Raise the venue's open-interest cap so a 100M mint can trade (the cap is not what this tests).
        const params = MARKETS.BTC.venue;
        await ctx.mockVenue
          .connect(suite.deployer)
          .setParams({ ...params, maxOpenInterest: params.maxOpenInterest * 1_000n });
        await suite.usdc.mint(suite.deployer.address, amount * 2n);
        await suite.usdc.connect(suite.deployer).approve(await ctx.mockVenue.getAddress(), amount * 2n);
        await ctx.mockVenue.connect(suite.deployer).addLiquidity(amount * 2n);
        await ctx.token.connect(suite.governor).setEquityCap(2n ** 95n);
        await fundAndMint(ctx, seeder, seed);
        const before = await ctx.token.currentLeverage();
        const shares = await fundAndMint(ctx, minter, amount);
        const afterMint = await ctx.token.currentLeverage();
        await ctx.token.connect(minter).redeem(shares, 0n, minter.address);
        const afterRedeem = await ctx.token.currentLeverage();
        const within = WAD / 1_000_000n;
        expect(afterMint - before, `mint moved leverage ${before} -> ${afterMint}`).to.be.within(-within, within);
        expect(afterRedeem - before, `redeem moved leverage to ${afterRedeem}`).to.be.within(-within, within);
      });
    }
  }
});

describe("issue 13.9: a ripcord on a product whose equity is gone closes it for good", function () {
  it("the ripcord closes the position; a later donation does not reopen minting; holders redeem the donation", async function () {
    const ctx = await holders();
    const answer = await ctx.feed.latestAnswer();
    await ctx.feed.updateAnswer((answer * 6_500n) / 10_000n); // -35% on 3x: equity below zero
    const [, equity] = await ctx.token.positionSnapshot();
    expect(equity).to.be.lt(0n);
    expect(Number(await ctx.rebalancer.shouldRebalance(ctx.address))).to.equal(RIPCORD);
    await ctx.rebalancer.connect(ctx.suite.keeper).ripcord(ctx.address);
    const [size] = await ctx.token.positionSnapshot();
    expect(size, "the ripcord closed the insolvent position").to.equal(0n);
    expect(await ctx.venue.liquidationCount(ctx.address)).to.equal(0n); // no liquidation record...
    expect(await ctx.token.isActive()).to.equal(false); // ...yet closed for good
    // A donation covering the deficit the close left at the venue brings equity back: still closed.
    const [, deficit] = await ctx.token.positionSnapshot();
    expect(deficit).to.be.lt(0n);
    const donation = -deficit / TO_WAD + 1n + usdc(10_000);
    await ctx.suite.usdc.mint(ctx.stranger.address, donation);
    await ctx.suite.usdc.connect(ctx.stranger).transfer(ctx.address, donation);
    expect(await ctx.token.totalEquity()).to.be.within(usdc(10_000), usdc(10_000) + 1n);
    expect(await ctx.token.isActive()).to.equal(false);
    expect(await ctx.token.previewMint(usdc(1_000))).to.equal(0n);
    await ctx.suite.usdc.mint(ctx.stranger.address, usdc(1_000));
    await ctx.suite.usdc.connect(ctx.stranger).approve(ctx.address, usdc(1_000));
    await expect(
      ctx.token.connect(ctx.stranger).mint(usdc(1_000), 0n, ctx.stranger.address),
    ).to.be.revertedWithCustomError(ctx.token, "ProductInactive");
    expect(Number(await ctx.rebalancer.shouldRebalance(ctx.address))).to.equal(0); // nothing to do
    // Closed for good, so anyone may take it out of the keeper scan; a product nobody minted yet may not be.
    await expect(ctx.rebalancer.connect(ctx.stranger).retire(ctx.address))
      .to.emit(ctx.rebalancer, "Retired")
      .withArgs(ctx.address);
    const fresh = await ctx.suite.products.ETH2L.getAddress();
    await expect(ctx.rebalancer.retire(fresh)).to.be.revertedWithCustomError(ctx.rebalancer, "NotRetirable");
    // Holders share the donation pro rata, with the feed stale (no price needed).
    await feedAgeBecomes(ctx, BTC_MAX_AGE + 1n);
    const paid = (await redeemAll(ctx, ctx.alice)) + (await redeemAll(ctx, ctx.bob));
    expect(paid).to.be.gt(usdc(9_980)); // less the redeem fee and the dead shares' slice
    expect(paid).to.be.lte(usdc(10_000));
  });
});
