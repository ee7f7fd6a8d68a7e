/**
 * Methodology v2 on the real contracts: partial rebalances to the inner band, its validation, and the trigger prices
 * every completed rebalance stores (`triggerPrices`), which `shouldRebalance` and `checkUpkeep` use to answer without
 * reading the venue. The products are the deployed defaults (config/methodology.ts).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress } from "ethers";
import {
  PRODUCT_SYMBOLS,
  WAD,
  productDefaults,
  wad,
  type Methodology,
  type ProductSymbol,
} from "../../config/parameters";
import { V2_PARAMS, methodologyV2 } from "../../config/methodology";
import { deployFundedSuite, marketOf, movePrice, answerOf, postAnswer, PPM } from "../helpers/market";
import { Action } from "../helpers/keeper";
import type { Suite } from "../helpers/deployment";

const pct = (x: number): bigint => BigInt(Math.round(x * 10_000));
const GAS = 3_000_000n;

async function rebalanceOnce(suite: Suite, symbol: ProductSymbol): Promise<void> {
  const token = await suite.products[symbol].getAddress();
  await (await suite.rebalancer.connect(suite.users[1]).rebalance(token, { gasLimit: GAS })).wait();
}

/**
 * Sets `symbol` to its default methodology with the band 1.5x–3.8x and an inner band of half of each half band (the
 * moves below are written against those numbers, whatever the defaults' free numbers are); returns it.
 */
async function withInnerBand(suite: Suite, symbol: ProductSymbol): Promise<Methodology> {
  const m = {
    ...productDefaults(symbol).methodology,
    minLeverage: wad("1.5"),
    maxLeverage: wad("3.8"),
    innerBand: wad("0.5"),
  };
  await suite.rebalancer.connect(suite.governor).setMethodology(await suite.products[symbol].getAddress(), m);
  return m;
}

/** Chainlink answer (8 decimals) for a WAD price, rounded down. */
const answerFor = (priceWad: bigint): bigint => priceWad / 10n ** 10n;

describe("Methodology v2: inner band and trigger prices", function () {
  it("the deployed defaults carry the v2 bands: asymmetric, wider for a short's faster drift, an inner band", async function () {
    const l3 = productDefaults("BTC3L").methodology;
    const s2 = productDefaults("BTC2S").methodology;
    const l2 = productDefaults("BTC2L").methodology;
    for (const symbol of PRODUCT_SYMBOLS) {
      const p = productDefaults(symbol);
      expect(p.methodology, symbol).to.deep.equal(methodologyV2(p.leverage, p.isLong, 20));
    }
    expect(l3.minLeverage).to.equal(wad((3 * (1 - V2_PARAMS.long.lowFraction)).toFixed(2)));
    // The cost model scales the band with leverage drift: 2x short (D = 6) as wide as the 3x long, 2x long narrower.
    expect(s2.maxLeverage - s2.targetLeverage).to.equal(l3.maxLeverage - l3.targetLeverage);
    expect(l2.maxLeverage - l2.targetLeverage < s2.maxLeverage - s2.targetLeverage).to.equal(true);
    expect(l3.innerBand).to.equal(wad(V2_PARAMS.long.innerBand));
    // Both sides (each chosen on its own): no intraday re-levering, an exact daily reset; the shorts' inner band.
    expect(l3.minLeverage).to.equal(wad("0.3"));
    expect(l3.tolerance).to.equal(0n);
    expect(s2.minLeverage).to.equal(wad((2 * (1 - V2_PARAMS.short.lowFraction)).toFixed(2)));
    expect(s2.innerBand).to.equal(wad(V2_PARAMS.short.innerBand));
    expect(s2.tolerance).to.equal(0n);
  });

  it("a band breach above trades only to the inner band's top, not to target", async function () {
    const suite = await deployFundedSuite();
    const m = await withInnerBand(suite, "BTC3L");
    await movePrice(suite, "BTC", -pct(10)); // 3x long: 3.00 -> 3.86
    expect(await suite.products.BTC3L.currentLeverage()).to.be.gt(m.maxLeverage);
    await rebalanceOnce(suite, "BTC3L");
    const innerTop = m.targetLeverage + ((m.maxLeverage - m.targetLeverage) * m.innerBand) / WAD; // 3.4
    expect(await suite.products.BTC3L.currentLeverage()).to.be.closeTo(innerTop, wad("0.005"));
  });

  it("a band breach below trades to the inner band's bottom; a time-based rebalance inside the inner band to target", async function () {
    const suite = await deployFundedSuite();
    const m = await withInnerBand(suite, "BTC3S");
    await movePrice(suite, "BTC", -pct(22)); // 3x short: 3.00 -> below 1.5
    expect(await suite.products.BTC3S.currentLeverage()).to.be.lt(m.minLeverage);
    await rebalanceOnce(suite, "BTC3S");
    const innerBottom = m.targetLeverage - ((m.targetLeverage - m.minLeverage) * m.innerBand) / WAD; // 2.25
    expect(await suite.products.BTC3S.currentLeverage()).to.be.closeTo(innerBottom, wad("0.005"));
    // 2.25 is 0.75 from target (tolerance 0.15) but inside the band: due only once the interval has passed.
    expect(await suite.rebalancer.shouldRebalance(await suite.products.BTC3S.getAddress())).to.equal(Action.NONE);
    await time.increase(Number(m.interval));
    await postAnswer(suite, "BTC", await answerOf(suite, "BTC"));
    expect(await suite.rebalancer.shouldRebalance(await suite.products.BTC3S.getAddress())).to.equal(Action.REBALANCE);
    await rebalanceOnce(suite, "BTC3S");
    // 2.25 is on the inner band's edge, not outside it: the daily rebalance goes all the way to target.
    expect(await suite.products.BTC3S.currentLeverage()).to.be.closeTo(m.targetLeverage, wad("0.005"));
  });

  it("innerBand 0 is methodology v1's rule: every rebalance back to target", async function () {
    const suite = await deployFundedSuite();
    const token = await suite.products.BTC3L.getAddress();
    const m = await withInnerBand(suite, "BTC3L");
    await suite.rebalancer.connect(suite.governor).setMethodology(token, { ...m, innerBand: 0n });
    await movePrice(suite, "BTC", -pct(10));
    await rebalanceOnce(suite, "BTC3L");
    expect(await suite.products.BTC3L.currentLeverage()).to.be.closeTo(m.targetLeverage, wad("0.005"));
  });

  it("refuses a keeper budget that does not fit the hot slot's 120 bits (InvalidBounty)", async function () {
    const suite = await deployFundedSuite();
    const token = await suite.products.BTC3L.getAddress();
    const b = productDefaults("BTC3L").bounty;
    await expect(
      suite.rebalancer.connect(suite.governor).setBounty(token, { ...b, budget: 2n ** 120n }),
    ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidBounty");
    await suite.rebalancer.connect(suite.governor).setBounty(token, { ...b, budget: 2n ** 120n - 1n });
    expect((await suite.rebalancer.tokenState(token)).bounty.budget).to.equal(2n ** 120n - 1n);
  });

  it("validates the inner band (at most MAX_INNER_BAND, 75%) and the trigger TTL (at most the interval)", async function () {
    const suite = await deployFundedSuite();
    const token = await suite.products.BTC3L.getAddress();
    const m = productDefaults("BTC3L").methodology;
    const max = await suite.rebalancer.MAX_INNER_BAND();
    expect(max).to.equal(wad("0.75"));
    await expect(
      suite.rebalancer.connect(suite.governor).setMethodology(token, { ...m, innerBand: max + 1n }),
    ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidMethodology");
    await expect(
      suite.rebalancer.connect(suite.governor).setMethodology(token, { ...m, innerBand: 2n ** 64n - 1n }),
    ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidMethodology");
    await suite.rebalancer.connect(suite.governor).setMethodology(token, { ...m, innerBand: max });
    expect((await suite.rebalancer.methodology(token)).innerBand).to.equal(max);
    await expect(
      suite.rebalancer.connect(suite.governor).setMethodology(token, { ...m, triggerTtl: m.interval + 1 }),
    ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidMethodology");
    await suite.rebalancer.connect(suite.governor).setMethodology(token, { ...m, triggerTtl: m.interval });
    // triggerTtl 0: no trigger prices at all, every check reads the venue (methodology v1, the Aave products).
    await suite.rebalancer.connect(suite.governor).setMethodology(token, { ...m, triggerTtl: 0 });
    await movePrice(suite, "BTC", -pct(16));
    await rebalanceOnce(suite, "BTC3L");
    expect([...(await suite.rebalancer.triggerPrices(token))]).to.deep.equal([0n, 0n, 0n]);
  });

  for (const symbol of ["BTC3L", "BTC3S", "BTC2L", "BTC2S"] as const) {
    it(`${symbol}: the trigger prices are where leverage reaches the guarded band, as the chain reads it`, async function () {
      const suite = await deployFundedSuite();
      const token = await suite.products[symbol].getAddress();
      const m = productDefaults(symbol).methodology;
      const isLong = productDefaults(symbol).isLong;
      // None before the first rebalance: the mint's position is evaluated in full.
      expect([...(await suite.rebalancer.triggerPrices(token))]).to.deep.equal([0n, 0n, 0n]);
      await movePrice(suite, marketOf(symbol), isLong ? -pct(16) : pct(12)); // out of the band
      await rebalanceOnce(suite, symbol);
      const [low, high, validUntil] = await suite.rebalancer.triggerPrices(token);
      const last = (await suite.rebalancer.tokenState(token)).lastRebalance;
      expect(validUntil).to.equal(last + BigInt(m.triggerTtl));
      expect(m.triggerTtl).to.be.greaterThan(0);
      const price = (await answerOf(suite, marketOf(symbol))) * 10n ** 10n;
      expect(low < price && price < high).to.equal(true);
      const guardTop = m.maxLeverage - (m.maxLeverage - m.targetLeverage) / 8n;
      const guardBottom = m.minLeverage + (m.targetLeverage - m.minLeverage) / 8n;
      // At each trigger the venue's own leverage is the guarded band's edge (to the Chainlink answer's 8 decimals).
      await postAnswer(suite, marketOf(symbol), answerFor(low) + 1n);
      expect(await suite.products[symbol].currentLeverage()).to.be.closeTo(
        isLong ? guardTop : guardBottom,
        wad("0.001"),
      );
      expect(await suite.rebalancer.shouldRebalance(token)).to.equal(Action.NONE);
      if (high < ethers.MaxUint256) {
        await postAnswer(suite, marketOf(symbol), answerFor(high));
        expect(await suite.products[symbol].currentLeverage()).to.be.closeTo(
          isLong ? guardBottom : guardTop,
          wad("0.001"),
        );
      } else {
        // A long at 2x can never fall to a bottom at or below 1x: no upper trigger price.
        expect(isLong && m.minLeverage <= WAD).to.equal(true);
      }
      // Beyond the band's top the full evaluation answers, whatever the triggers (a long's top lies below the low
      // trigger, a short's above the high one).
      await postAnswer(
        suite,
        marketOf(symbol),
        isLong ? (answerFor(low) * 90n) / 100n : (answerFor(high) * 110n) / 100n,
      );
      expect(await suite.rebalancer.shouldRebalance(token)).to.not.equal(Action.NONE);
    });
  }

  it("the triggers answer only until validUntil, are cleared by setMethodology and ignored while iterating", async function () {
    const suite = await deployFundedSuite();
    const token = await suite.products.BTC3L.getAddress();
    const m = productDefaults("BTC3L").methodology;
    await movePrice(suite, "BTC", -pct(12));
    await rebalanceOnce(suite, "BTC3L");
    const [, , validUntil] = await suite.rebalancer.triggerPrices(token);
    // The worst the venue allows at a constant price, funding at its maximum (1% of notional an hour, paid by the
    // long), from a price just inside the low trigger (leverage about the guarded top, 3.7x), cannot take leverage
    // past the band's top (3.8x) before validUntil: triggerTtl is sized for exactly that.
    const [low] = await suite.rebalancer.triggerPrices(token);
    const nearTrigger = answerFor(low) + 2n;
    await postAnswer(suite, "BTC", nearTrigger);
    await suite.mockVenues.BTC.setFundingRate(10n ** 16n / 3_600n);
    await time.increaseTo(validUntil - 2n);
    await postAnswer(suite, "BTC", nearTrigger);
    const levJustBefore = await suite.products.BTC3L.currentLeverage();
    expect(levJustBefore).to.be.lte(m.maxLeverage);
    expect(levJustBefore).to.be.gt(m.maxLeverage - wad("0.02")); // the TTL is not loose
    expect(await suite.rebalancer.shouldRebalance(token)).to.equal(Action.NONE);
    // Kept up, it passes the top soon after; by then the venue is read again and the rebalance is due.
    await time.increaseTo(validUntil + 600n);
    await postAnswer(suite, "BTC", nearTrigger);
    expect(await suite.products.BTC3L.currentLeverage()).to.be.gt(m.maxLeverage);
    expect(await suite.rebalancer.shouldRebalance(token)).to.equal(Action.REBALANCE);
    // A rebalance stores fresh triggers; setMethodology clears them.
    await rebalanceOnce(suite, "BTC3L");
    expect((await suite.rebalancer.triggerPrices(token))[1]).to.be.gt(0n);
    await suite.mockVenues.BTC.setFundingRate(0n);
    await suite.rebalancer.connect(suite.governor).setMethodology(token, { ...m, maxTradeNotional: wad(10_000) });
    expect([...(await suite.rebalancer.triggerPrices(token))]).to.deep.equal([0n, 0n, 0n]);
    // A chunked rebalance in progress has none either.
    await movePrice(suite, "BTC", -pct(12));
    await rebalanceOnce(suite, "BTC3L");
    expect((await suite.rebalancer.tokenState(token)).iterating).to.equal(true);
    expect([...(await suite.rebalancer.triggerPrices(token))]).to.deep.equal([0n, 0n, 0n]);
  });

  it("checkUpkeep skips products between their triggers without reading the venue, and still finds a due one", async function () {
    const suite = await deployFundedSuite();
    // Every product rebalanced once (longs on a fall, shorts on the rise after it), so that each has trigger prices.
    const serveAll = async () => {
      for (;;) {
        const { upkeepNeeded, performData } = await suite.rebalancer.checkUpkeep.staticCall("0x");
        if (!upkeepNeeded) return;
        await (
          await suite.rebalancer.connect(suite.users[1]).performUpkeep(performData, { gasLimit: 10_000_000n })
        ).wait();
      }
    };
    for (const move of [-pct(16), pct(35)]) {
      await movePrice(suite, "BTC", move);
      await movePrice(suite, "ETH", move);
      await serveAll();
    }
    for (const symbol of ["BTC3L", "BTC3S", "BTC2L", "BTC2S", "ETH3L", "ETH3S", "ETH2L", "ETH2S"] as const) {
      const [, high] = await suite.rebalancer.triggerPrices(await suite.products[symbol].getAddress());
      expect(high, symbol).to.be.gt(0n);
    }
    const iface = suite.rebalancer.interface;
    const call = {
      to: await suite.rebalancer.getAddress(),
      from: ZeroAddress,
      data: iface.encodeFunctionData("checkUpkeep", ["0x"]),
    };
    const [none] = iface.decodeFunctionResult("checkUpkeep", await ethers.provider.call(call));
    expect(none).to.equal(false);
    const quietGas = await ethers.provider.estimateGas(call);
    await movePrice(suite, "ETH", -pct(35)); // ETH3L out of its band
    const [due, data] = iface.decodeFunctionResult("checkUpkeep", await ethers.provider.call(call));
    expect(due).to.equal(true);
    const [tokens] = ethers.AbiCoder.defaultAbiCoder().decode(["address[]", "uint8[]"], data);
    expect([...tokens]).to.include(await suite.products.ETH3L.getAddress());
    // Without triggers (cleared by setMethodology) the same quiet scan reads every venue.
    await movePrice(suite, "ETH", (PPM * PPM) / (PPM - pct(35)) - PPM);
    for (const symbol of ["BTC3L", "BTC3S", "BTC2L", "BTC2S", "ETH3L", "ETH3S", "ETH2L", "ETH2S"] as const) {
      const token = await suite.products[symbol].getAddress();
      await suite.rebalancer.connect(suite.governor).setMethodology(token, productDefaults(symbol).methodology);
    }
    const [stillNone] = iface.decodeFunctionResult("checkUpkeep", await ethers.provider.call(call));
    expect(stillNone).to.equal(false);
    const fullGas = await ethers.provider.estimateGas(call);
    expect(quietGas).to.be.lt(fullGas);
  });
});
