/**
 * ballast:params — every parameter as deployed: per product methodology, keeper bounty, fees and caps; per market
 * the venue's risk parameters and the oracle's heartbeat and staleness buffer.
 *
 *   npx hardhat ballast:params --network localhost [--json]
 */
import { task } from "hardhat/config";
import { fmtPct, fmtUsdc, fmtWad, table, toJson } from "../scripts/lib/format";
import { loadSuite, marketVenues, withTaskErrors } from "./lib";
import { MARKETS } from "../config/parameters";
import type { VenueParameter } from "../protocol/venues";

task("ballast:params", "Methodology, bounty, fees and caps per product; venue and oracle parameters per market")
  .addFlag("json", "print machine-readable JSON")
  .setAction(
    withTaskErrors("ballast:params", async (args: { json: boolean }, hre) => {
      const suite = await loadSuite(hre);
      const products = [];
      for (const [symbol, token] of suite.products) {
        const address = await token.getAddress();
        const st = await suite.rebalancer.tokenState(address);
        const [fees, equityCap, mintPaused] = await Promise.all([token.fees(), token.equityCap(), token.mintPaused()]);
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
          equityCap,
          mintPaused,
          lastRebalance: st.lastRebalance,
        });
      }
      const markets = [];
      const { venueParameters } = await import("../protocol/venues");
      for (const [market, venue] of marketVenues(suite)) {
        // The venue's own parameters and state (not part of IVenue), read by the reader of its kind.
        const parameters = await venueParameters(MARKETS[market].venueKind, venue);
        const oracle = suite.oracles.get(market);
        markets.push({
          market,
          venue: await venue.getAddress(),
          parameters,
          ...Object.fromEntries(parameters.map((q) => [q.key, q.value])),
          paused: await venue.paused(),
          oracle: oracle ? await oracle.getAddress() : null,
          feed: oracle ? await oracle.feed() : null,
          heartbeatSeconds: oracle ? await oracle.heartbeat() : null,
          stalenessBufferSeconds: oracle ? await oracle.stalenessBuffer() : null,
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
            "equity cap USD",
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
            fmtWad(p.equityCap, 0),
            p.mintPaused ? "paused" : "open",
          ]),
        ),
      );
      console.log("\nMarkets (venue risk parameters, oracle)");
      const labels = markets[0]?.parameters.map((q) => q.label) ?? [];
      console.log(
        table(
          ["market", ...labels, "venue", "heartbeat + staleness buffer"],
          markets.map((m) => [
            m.market,
            ...m.parameters.map(formatParameter),
            m.paused ? "paused" : "open",
            m.heartbeatSeconds === null ? "-" : `${m.heartbeatSeconds}s + ${m.stalenessBufferSeconds}s`,
          ]),
        ),
      );
    }),
  );

function formatParameter(q: VenueParameter): string {
  switch (q.format) {
    case "pct":
      return fmtPct(q.value);
    case "pct3":
      return fmtPct(q.value, 3);
    case "base0":
      return fmtWad(q.value, 0);
    case "base4":
      return fmtWad(q.value, 4);
    case "ratePerSecondAsYearPct":
      return fmtPct(q.value * 31_536_000n);
  }
}
