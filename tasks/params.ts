/**
 * ballast:params — every parameter as deployed: per product methodology, keeper bounty, fees and caps; per venue
 * (a market's perp venue, its Aave venues with the real-venue market) the venue's own risk and cost parameters, read
 * by the reader of its kind (protocol/venues), and its market oracle's heartbeat and staleness buffer.
 *
 *   npx hardhat ballast:params --network localhost [--json]
 */
import { task } from "hardhat/config";
import { fmtPct, fmtUsdc, fmtWad, table, toJson } from "../scripts/lib/format";
import { loadSuite, productVenues, venueValueText, withTaskErrors } from "./lib";

task("ballast:params", "Methodology, bounty, fees and caps per product; venue and oracle parameters per venue")
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
            innerBand: m.innerBand,
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
      const venues = [];
      const { venueParameters } = await import("../protocol/venues");
      const names = new Map(Object.entries(await hre.deployments.all()).map(([n, d]) => [d.address, n]));
      for (const use of await productVenues(suite)) {
        // The venue's own parameters and state (not part of IVenue), read by the reader of its kind.
        const { kind, parameters } = await venueParameters(use.venue);
        const oracle = suite.oracles.get(use.market);
        venues.push({
          market: use.market,
          venue: use.address,
          name: names.get(use.address) ?? null,
          kind,
          products: use.products,
          parameters,
          ...Object.fromEntries(parameters.map((q) => [q.key, q.value])),
          paused: await use.venue.paused(),
          oracle: oracle ? await oracle.getAddress() : null,
          feed: oracle ? await oracle.feed() : null,
          heartbeatSeconds: oracle ? await oracle.heartbeat() : null,
          stalenessBufferSeconds: oracle ? await oracle.stalenessBuffer() : null,
        });
      }
      if (args.json) {
        console.log(toJson({ network: hre.network.name, products, venues }, 2));
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
            "inner band",
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
            fmtPct(p.methodology.innerBand),
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
      // One table per venue kind: each kind has its own columns.
      for (const kind of [...new Set(venues.map((v) => v.kind))]) {
        const rows = venues.filter((v) => v.kind === kind);
        console.log(`\nVenues: ${kind ?? "unknown kind"} (risk and cost parameters, oracle)`);
        const labels = rows[0]?.parameters.map((q) => q.label) ?? [];
        console.log(
          table(
            ["market", "venue", "products", ...labels, "state", "heartbeat + staleness buffer"],
            rows.map((v) => [
              v.market,
              v.name ?? v.venue,
              v.products.join(" "),
              ...v.parameters.map(venueValueText),
              v.paused ? "paused" : "open",
              v.heartbeatSeconds === null ? "-" : `${v.heartbeatSeconds}s + ${v.stalenessBufferSeconds}s`,
            ]),
          ),
        );
      }
    }),
  );
