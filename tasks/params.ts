/**
 * ballast:params — every parameter as deployed: per product methodology, keeper bounty, fees and caps; per market
 * the venue's risk parameters and the oracle's heartbeat.
 *
 *   npx hardhat ballast:params --network localhost [--json]
 */
import { task } from "hardhat/config";
import { fmtPct, fmtUsdc, fmtWad, table, toJson } from "../scripts/lib/format";
import { loadSuite, marketVenues } from "./lib";
import { mockVenueMarket } from "./mocks";

task("ballast:params", "Methodology, bounty, fees and caps per product; venue and oracle parameters per market")
  .addFlag("json", "print machine-readable JSON")
  .setAction(async (args: { json: boolean }, hre) => {
    const suite = await loadSuite(hre);
    const products = [];
    for (const [symbol, token] of suite.products) {
      const address = await token.getAddress();
      const st = await suite.rebalancer.tokenState(address);
      const [fees, supplyCap, mintPaused] = await Promise.all([token.fees(), token.supplyCap(), token.mintPaused()]);
      const m = st.methodology;
      const b = st.bounty;
      products.push({
        product: symbol,
        address,
        methodology: {
          minLeverage: m.minLeverage,
          targetLeverage: m.targetLeverage,
          maxLeverage: m.maxLeverage,
          ripcordLeverage: m.ripcordLeverage,
          intervalSeconds: m.interval,
          tolerance: m.tolerance,
          maxTradeNotional: m.maxTradeNotional,
          maxSlippage: m.maxSlippage,
        },
        bounty: {
          base: b.base,
          perSecond: b.perSecond,
          cap: b.cap,
          maxEquityFraction: b.maxEquityFraction,
          budget: b.budget,
        },
        fees: {
          mintFeeRate: fees.mintFeeRate,
          redeemFeeRate: fees.redeemFeeRate,
          streamingFeeRate: fees.streamingFeeRate,
        },
        supplyCap,
        mintPaused,
        lastRebalance: st.lastRebalance,
      });
    }
    const markets = [];
    for (const [market, venue] of marketVenues(suite)) {
      // Risk parameters, funding and open interest are the mock venue's own views (not part of IVenue).
      const mock = await mockVenueMarket(venue);
      const p = mock.params;
      const oracle = suite.oracles.get(market);
      markets.push({
        market,
        venue: await venue.getAddress(),
        initialMarginRatio: p.initialMarginRatio,
        maintenanceMarginRatio: p.maintenanceMarginRatio,
        takerFeeRate: p.takerFeeRate,
        liquidatorFeeRate: p.liquidatorFeeRate,
        liquidationPenaltyRate: p.liquidationPenaltyRate,
        maxPriceImpact: p.maxPriceImpact,
        maxOpenInterest: p.maxOpenInterest,
        openInterestLong: mock.openInterestLong,
        openInterestShort: mock.openInterestShort,
        fundingRatePerSecond: mock.fundingRatePerSecond,
        paused: await venue.paused(),
        oracle: oracle ? await oracle.getAddress() : null,
        feed: oracle ? await oracle.feed() : null,
        heartbeatSeconds: oracle ? await oracle.heartbeat() : null,
      });
    }
    if (args.json) {
      console.log(toJson({ network: hre.network.name, products, markets }, 2));
      return;
    }
    console.log("Products (leverage band, ripcord, time interval, keeper bounty, fees)");
    console.log(
      table(
        [
          "product",
          "min",
          "target",
          "max",
          "ripcord",
          "interval",
          "tolerance",
          "max trade USD",
          "slippage",
          "bounty base+/s (cap)",
          "budget",
          "mint/redeem/stream fee",
          "supply cap",
          "mint",
        ],
        products.map((p) => [
          p.product,
          fmtWad(p.methodology.minLeverage, 2),
          fmtWad(p.methodology.targetLeverage, 2),
          fmtWad(p.methodology.maxLeverage, 2),
          fmtWad(p.methodology.ripcordLeverage, 2),
          `${p.methodology.intervalSeconds}s`,
          fmtWad(p.methodology.tolerance, 2),
          fmtWad(p.methodology.maxTradeNotional, 0),
          fmtPct(p.methodology.maxSlippage),
          `${fmtUsdc(p.bounty.base)}+${fmtUsdc(p.bounty.perSecond)} (${fmtUsdc(p.bounty.cap)})`,
          fmtUsdc(p.bounty.budget, 0),
          `${fmtPct(p.fees.mintFeeRate)}/${fmtPct(p.fees.redeemFeeRate)}/${fmtPct(p.fees.streamingFeeRate)}`,
          fmtWad(p.supplyCap, 0),
          p.mintPaused ? "paused" : "open",
        ]),
      ),
    );
    console.log("\nMarkets (venue risk parameters, oracle)");
    console.log(
      table(
        [
          "market",
          "init. margin",
          "maint. margin",
          "taker fee",
          "liq. fee",
          "penalty",
          "max impact",
          "OI cap",
          "OI long",
          "OI short",
          "funding/yr",
          "venue",
          "heartbeat",
        ],
        markets.map((m) => [
          m.market,
          fmtPct(m.initialMarginRatio),
          fmtPct(m.maintenanceMarginRatio),
          fmtPct(m.takerFeeRate, 3),
          fmtPct(m.liquidatorFeeRate, 3),
          fmtPct(m.liquidationPenaltyRate, 3),
          fmtPct(m.maxPriceImpact),
          fmtWad(m.maxOpenInterest, 0),
          fmtWad(m.openInterestLong, 4),
          fmtWad(m.openInterestShort, 4),
          fmtPct(m.fundingRatePerSecond * 31_536_000n),
          m.paused ? "paused" : "open",
          m.heartbeatSeconds === null ? "-" : `${m.heartbeatSeconds}s`,
        ]),
      ),
    );
  });
