/**
 * Prints docs/parameters.md from config/parameters.ts (and the local feeds' timing from config/networks.ts), so the document cannot drift from what is deployed.
 *   npx ts-node scripts/params-doc.ts > docs/parameters.md   (a test checks the committed file matches)
 */
import { formatUnits } from "ethers";
import {
  DEFAULT_BOUNTY,
  DEFAULT_FEES,
  MARKETS,
  PRODUCT_SYMBOLS,
  liquidationMove,
  productDefaults,
} from "../config/parameters";
import { LIVE_FEEDS, LOCAL_FEED_TIMING, maxStaleness } from "../config/networks";
import { AAVE_MARKET, BASE_TOKEN } from "../config/aave";
import { AAVE_PRODUCT_SYMBOLS } from "../protocol/products";
import { AAVE_VENUES, aaveLiquidationLeverage, moveToLeverage } from "../config/aaveProducts";

const w = (x: bigint, digits = 4): string => String(Number(formatUnits(x, 18)).toFixed(digits)).replace(/\.?0+$/, "");
const pct = (x: bigint): string => `${(Number(formatUnits(x, 18)) * 100).toFixed(4).replace(/\.?0+$/, "")}%`;
const usd6 = (x: bigint): string => `${formatUnits(x, 6)} USDC`;
/** The inner band's edges, or "target" without one. */
const innerText = (m: { minLeverage: bigint; targetLeverage: bigint; maxLeverage: bigint; innerBand: bigint }) => {
  if (m.innerBand === 0n) return "— (to target)";
  const W = 10n ** 18n;
  const low = m.targetLeverage - ((m.targetLeverage - m.minLeverage) * m.innerBand) / W;
  const high = m.targetLeverage + ((m.maxLeverage - m.targetLeverage) * m.innerBand) / W;
  return `${w(low)}x – ${w(high)}x`;
};

export function renderParameters(): string {
  const lines: string[] = [];
  const out = (s = "") => lines.push(s);
  out("# Default parameters");
  out();
  out("Generated from `config/parameters.ts` by `npx ts-node scripts/params-doc.ts > docs/parameters.md`;");
  out(
    "`test/unit/ParametersDoc.test.ts` fails if this file and the config disagree. WAD values are shown as decimals.",
  );
  out();
  out("## Products");
  out();
  out("The envelope is the single unmonitored move of the underlying, from the top of the band, that would bring the");
  out(
    "position to the venue's maintenance margin ([mechanism.md](mechanism.md#the-liquidation-envelope): long x = (m·ℓ − 1)/(ℓ(1 − m)), short x = (1 − m·ℓ)/(ℓ(1 + m))",
  );
  out("with ℓ the band top and m the maintenance margin). Any move smaller than that, with a keeper acting after each");
  out("oracle update, cannot make the product liquidatable; a larger one can, and the tests show it.");
  out();
  out(
    "| product | side | target | band | inner band | ripcord | interval | tolerance | trigger TTL | max trade / call | max slippage | envelope |",
  );
  out("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const symbol of PRODUCT_SYMBOLS) {
    const p = productDefaults(symbol);
    const m = p.methodology;
    const mm = Number(formatUnits(MARKETS[p.market].venue.maintenanceMarginRatio, 18));
    const env = liquidationMove(Number(formatUnits(m.maxLeverage, 18)), mm, p.isLong) * 100;
    out(
      `| ${symbol} | ${p.isLong ? "long" : "short"} | ${w(m.targetLeverage)}x | ${w(m.minLeverage)}x – ${w(m.maxLeverage)}x | ` +
        `${innerText(m)} | ${w(m.ripcordLeverage)}x | ${m.interval / 3600} h | ${w(m.tolerance)} | ${m.triggerTtl / 60} min | ` +
        `${Number(formatUnits(m.maxTradeNotional, 18)).toLocaleString("en-US")} USD | ${pct(m.maxSlippage)} | ` +
        `${env > 0 ? "+" : ""}${env.toFixed(2)}% |`,
    );
  }
  out();
  out("### Why these defaults (methodology v2)");
  out();
  out("The perp products' methodology is `config/methodology.ts`: a cost model whose free numbers (width scale,");
  out("bottom, inner band, daily tolerance) were chosen per side on 2017–2021 only and reported out of sample on");
  out('2022–2025 and on the full history (docs/backtest.md, "Methodology v2"; the derivation is docs/mechanism.md).');
  out();
  out("- **Band top** from leverage drift (`D^(2/3)`, D = L(L − 1) long, L(L + 1) short), capped so that the single");
  out("  unmonitored move from the top to maintenance is at least 25% (3.88x long, 3.80x short): every top stays");
  out("  below FTX's target + 1, so the worst leverage a keeper leaves is lower than FTX's.");
  out("- **Bottom**: the market moved the holder's way, so no intraday trigger re-levers into a move that often");
  out(
    "  reverts: a tenth of the target (a long never falls below 1x: no trigger on that side); the daily check (24 h)",
  );
  out("  re-levers instead, at any distance (tolerance 0, FTX's exact daily reset).");
  out("- **Inner band**: a breach trades a long back to target, a short to the inner band's nearer edge (`innerBand`");
  out("  of each half band: 1/4), not to target.");
  out(
    "- **Ripcord** where a third of the band top's envelope has been used: two thirds (≥ 16.7%) remain beyond it for",
  );
  out(
    "  the keeper's delay and the ripcord's own trade; 6 falls and 5 rises of the 2017–2025 2-hour history were larger.",
  );
  out("- **Trigger TTL**: how long the trigger prices may answer without the venue: the time funding at the venue's");
  out("  cap (1% of notional an hour) takes to move leverage from a trigger (1/8 of a half band inside) to the edge.");
  out("- **Oracle granularity** (not a product parameter, the backtest's `--step`): the figures assume a feed that");
  out("  updates on 0.5% moves (as Chainlink BTC/USD on Ethereum); check the deviation threshold of the feed used.");
  out();
  out("## Products on Aave v3 + Uniswap v3 (the real-venue market)");
  out();
  out(
    "Deployed with the real-venue market (`npm run node`, `deployRealVenues` in tests) from `config/aaveProducts.ts`.",
  );
  out(
    "On a money market the envelope is a health-factor move: Aave liquidates an account whose health factor falls below",
  );
  out("1, which for a long is leverage ℓ* = 1/(1 − LT(base)) and for a short ℓ* = LT(USDC)/(1 − LT(USDC)) (LT = the");
  out(
    "reserve's liquidation threshold, USDC at par). The envelope is the single unmonitored move of the underlying that",
  );
  out("takes the product from the band top (or the ripcord) to ℓ*: long x = (ℓ − ℓ*)/(ℓ(ℓ* − 1)), short");
  out("x = (ℓ* − ℓ)/(ℓ(1 + ℓ*)). The venue's max leverage (the most a trade that grows the position may leave) is");
  out("1/(1 − LTV(base)) for a long and LTV(USDC)/(1 − LTV(USDC)) for a short; the ripcord must not exceed it.");
  out();
  out(
    "| product | venue | target | band | ripcord | venue max | Aave liquidation at | envelope from band top | from ripcord | max trade / call | max slippage |",
  );
  out("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const symbol of AAVE_PRODUCT_SYMBOLS) {
    const p = productDefaults(symbol);
    const m = p.methodology;
    const liq = aaveLiquidationLeverage(p.market, p.isLong);
    const reserve = p.isLong ? AAVE_MARKET.reserves[BASE_TOKEN[p.market]] : AAVE_MARKET.reserves.USDC;
    const ltv = reserve.ltvBps / 10_000;
    const venueMax = p.isLong ? 1 / (1 - ltv) : ltv / (1 - ltv);
    const top = Number(formatUnits(m.maxLeverage, 18));
    const rip = Number(formatUnits(m.ripcordLeverage, 18));
    const env = (from: number): string => {
      const x = moveToLeverage(from, liq, p.isLong) * 100;
      return `${x > 0 ? "+" : ""}${x.toFixed(2)}%`;
    };
    out(
      `| ${symbol} | ${p.venueDeployment} | ${w(m.targetLeverage)}x | ${w(m.minLeverage)}x – ${w(m.maxLeverage)}x | ` +
        `${w(m.ripcordLeverage)}x | ${venueMax.toFixed(2)}x | ${liq.toFixed(2)}x | ${env(top)} | ${env(rip)} | ` +
        `${Number(formatUnits(m.maxTradeNotional, 18)).toLocaleString("en-US")} USD | ${pct(m.maxSlippage)} |`,
    );
  }
  out();
  out(
    "Each venue serves one side (`AaveVenue.IS_LONG`), because Aave's limits differ by side. `MAX_SLIPPAGE` bounds every",
  );
  out("fill against the oracle and is what a quote, and so a redeem, is priced at:");
  out();
  out("| venue | market | side | MAX_SLIPPAGE |");
  out("| --- | --- | --- | --- |");
  for (const [name, v] of Object.entries(AAVE_VENUES)) {
    out(`| ${name} | ${v.market} | ${v.isLong ? "long" : "short"} | ${pct(v.maxSlippage)} |`);
  }
  out();
  out(
    "There is no 3x short and no 3x BTC long: a 3x ETH short would sit +5.3% from liquidation (3.76x) at target, and a",
  );
  out(
    "BTC long's venue max (WBTC LTV 70%: 3.33x) is below a 3x product's band top. Reserve parameters: docs/venues-aave-market.md.",
  );
  out();
  out("## Fees (every product)");
  out();
  out(
    `- mint fee ${pct(DEFAULT_FEES.mintFeeRate)} of collateral in, redeem fee ${pct(DEFAULT_FEES.redeemFeeRate)} of collateral out (rounded up), to the treasury;`,
  );
  out(
    `- streaming fee ${pct(DEFAULT_FEES.streamingFeeRate)} a year, accrued per second by minting shares to the treasury;`,
  );
  out(
    `- equity cap ${Number(formatUnits(productDefaults("BTC3L").equityCap, 18)).toLocaleString("en-US")} USD per product (the most a mint may leave it holding).`,
  );
  out();
  out("## Keeper bounty (every product)");
  out();
  out(
    `- ${usd6(DEFAULT_BOUNTY.base)} as soon as an action is due, plus ${usd6(DEFAULT_BOUNTY.perSecond)} per second it stays due`,
  );
  out(
    `  (a Dutch auction), capped at ${usd6(DEFAULT_BOUNTY.cap)} per call and ${pct(DEFAULT_BOUNTY.maxEquityFraction)} of the product's equity;`,
  );
  out(
    `- paid from the product's equity, out of a budget of ${usd6(DEFAULT_BOUNTY.budget)} per product that governance tops up.`,
  );
  out();
  out("## Venues (mock perp exchange, one per market)");
  out();
  out(
    "| market | initial price | oracle heartbeat + staleness buffer | initial margin | maintenance margin | taker fee | liquidator fee | liquidation penalty | max impact | impact per 1M USD | OI cap per side |",
  );
  out("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const market of ["BTC", "ETH"] as const) {
    const k = MARKETS[market];
    const t = LOCAL_FEED_TIMING[market];
    const v = k.venue;
    out(
      `| ${market}-USD | ${formatUnits(k.initialPrice, 8)} USD | ${t.heartbeat} s + ${t.stalenessBuffer} s | ${pct(v.initialMarginRatio)} | ${pct(v.maintenanceMarginRatio)} | ` +
        `${pct(v.takerFeeRate)} | ${pct(v.liquidatorFeeRate)} | ${pct(v.liquidationPenaltyRate)} | ${pct(v.maxPriceImpact)} | ` +
        `${pct(v.impactPerNotional * 1_000_000n)} | ${Number(formatUnits(v.maxOpenInterest, 18)).toLocaleString("en-US")} ${market} |`,
    );
  }
  out();
  out("## Oracle staleness (config/networks.ts)");
  out();
  out(
    "An answer is accepted until heartbeat + buffer seconds old (`StalePrice` after). The venue table above is the local",
  );
  out("network's; the documented live feeds (docs/deploy.md says where the heartbeats come from):");
  out();
  out("| network | market | heartbeat | staleness buffer | oldest accepted answer |");
  out("| --- | --- | --- | --- | --- |");
  for (const [network, feeds] of Object.entries(LIVE_FEEDS)) {
    for (const market of ["BTC", "ETH"] as const) {
      const f = feeds[market];
      out(`| ${network} | ${market}/USD | ${f.heartbeat} s | ${f.stalenessBuffer} s | ${maxStaleness(f)} s |`);
    }
  }
  out();
  return lines.join("\n");
}

if (require.main === module) process.stdout.write(renderParameters());
