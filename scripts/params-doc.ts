/**
 * Prints docs/parameters.md from config/parameters.ts, so the document cannot drift from what is deployed.
 *   npx ts-node scripts/params-doc.ts > docs/parameters.md   (a test checks the committed file matches)
 */
import { formatUnits } from "ethers";
import { DEFAULT_BOUNTY, DEFAULT_FEES, MARKETS, PRODUCT_SYMBOLS, liquidationMove, productDefaults } from "../config/parameters";

const w = (x: bigint, digits = 4): string => String(Number(formatUnits(x, 18)).toFixed(digits)).replace(/\.?0+$/, "");
const pct = (x: bigint): string => `${(Number(formatUnits(x, 18)) * 100).toFixed(4).replace(/\.?0+$/, "")}%`;
const usd6 = (x: bigint): string => `${formatUnits(x, 6)} USDC`;

export function renderParameters(): string {
  const lines: string[] = [];
  const out = (s = "") => lines.push(s);
  out("# Default parameters");
  out();
  out("Generated from `config/parameters.ts` by `npx ts-node scripts/params-doc.ts > docs/parameters.md`;");
  out("`test/unit/ParametersDoc.test.ts` fails if this file and the config disagree. WAD values are shown as decimals.");
  out();
  out("## Products");
  out();
  out("The envelope is the single unmonitored move of the underlying, from the top of the band, that would bring the");
  out("position to the venue's maintenance margin (DESIGN.md: long x = (m·ℓ − 1)/(ℓ(1 − m)), short x = (1 − m·ℓ)/(ℓ(1 + m))");
  out("with ℓ the band top and m the maintenance margin). Any move smaller than that, with a keeper acting after each");
  out("oracle update, cannot make the product liquidatable; a larger one can, and the tests show it.");
  out();
  out("| product | side | target | band | ripcord | interval | tolerance | max trade / call | max slippage | envelope |");
  out("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const symbol of PRODUCT_SYMBOLS) {
    const p = productDefaults(symbol);
    const m = p.methodology;
    const mm = Number(formatUnits(MARKETS[p.market].venue.maintenanceMarginRatio, 18));
    const env = liquidationMove(Number(formatUnits(m.maxLeverage, 18)), mm, p.isLong) * 100;
    out(
      `| ${symbol} | ${p.isLong ? "long" : "short"} | ${w(m.targetLeverage)}x | ${w(m.minLeverage)}x – ${w(m.maxLeverage)}x | ` +
        `${w(m.ripcordLeverage)}x | ${m.interval / 3600} h | ${w(m.tolerance)} | ` +
        `${Number(formatUnits(m.maxTradeNotional, 18)).toLocaleString("en-US")} USD | ${pct(m.maxSlippage)} | ` +
        `${env > 0 ? "+" : ""}${env.toFixed(2)}% |`,
    );
  }
  out();
  out("## Fees (every product)");
  out();
  out(`- mint fee ${pct(DEFAULT_FEES.mintFeeRate)} of collateral in, redeem fee ${pct(DEFAULT_FEES.redeemFeeRate)} of collateral out (rounded up), to the treasury;`);
  out(`- streaming fee ${pct(DEFAULT_FEES.streamingFeeRate)} a year, accrued per second by minting shares to the treasury;`);
  out(`- supply cap ${Number(formatUnits(productDefaults("BTC3L").supplyCap, 18)).toLocaleString("en-US")} tokens per product.`);
  out();
  out("## Keeper bounty (every product)");
  out();
  out(`- ${usd6(DEFAULT_BOUNTY.base)} as soon as an action is due, plus ${usd6(DEFAULT_BOUNTY.perSecond)} per second it stays due`);
  out(`  (a Dutch auction), capped at ${usd6(DEFAULT_BOUNTY.cap)} per call and ${pct(DEFAULT_BOUNTY.maxEquityFraction)} of the product's equity;`);
  out(`- paid from the product's equity, out of a budget of ${usd6(DEFAULT_BOUNTY.budget)} per product that governance tops up.`);
  out();
  out("## Venues (mock perp exchange, one per market)");
  out();
  out("| market | initial price | oracle heartbeat | initial margin | maintenance margin | taker fee | liquidator fee | liquidation penalty | max impact | impact per 1M USD | OI cap per side |");
  out("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const market of ["BTC", "ETH"] as const) {
    const k = MARKETS[market];
    const v = k.venue;
    out(
      `| ${market}-USD | ${formatUnits(k.initialPrice, 8)} USD | ${k.heartbeat} s | ${pct(v.initialMarginRatio)} | ${pct(v.maintenanceMarginRatio)} | ` +
        `${pct(v.takerFeeRate)} | ${pct(v.liquidatorFeeRate)} | ${pct(v.liquidationPenaltyRate)} | ${pct(v.maxPriceImpact)} | ` +
        `${pct(v.impactPerNotional * 1_000_000n)} | ${Number(formatUnits(v.maxOpenInterest, 18)).toLocaleString("en-US")} ${market} |`,
    );
  }
  out();
  return lines.join("\n");
}

if (require.main === module) process.stdout.write(renderParameters());
