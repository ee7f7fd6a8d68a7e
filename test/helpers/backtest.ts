import type { Candle } from "../../scripts/backtest/csv";
import { productSpec, type EngineConfig } from "../../scripts/backtest/engine";

/** A 2-hour candle that opens, peaks, dips and closes at `p` (`line`: its CSV line, for error messages). */
export const flat = (t: number, p: number, line: number): Candle => ({ t, o: p, h: p, l: p, c: p, line });

/** BTC3L with Ballast's v1 rules (the hand calculations use its ±1/6 band and full rebalances), the bar keeper, no funding,
 * 10,000 USDC minted: the hand-calculated set-up. */
export function barConfig(): EngineConfig {
  return {
    product: productSpec("BTC3L"),
    rules: "ballast-v1",
    overrides: {},
    keeper: "bar",
    step: 0.005,
    deposit: 10_000,
    barSeconds: 7200,
    funding: null,
  };
}
