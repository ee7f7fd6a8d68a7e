/**
 * Rule sets: the same Rebalancer contract with different methodology parameters.
 *
 * - ballast: the defaults, methodology v2 (config/methodology.ts): per-product band from the cost model, a low bottom,
 *            partial rebalances to the inner band, daily interval with tolerance, ripcord, chunked trades.
 * - ballast-v1: the rules before v2 (config/parameters.ts methodologyV1): a ±1/6 band, every rebalance to target.
 * - ftx:     FTX leveraged tokens: a daily rebalance back to target (no tolerance) plus an intraday rebalance when
 *            leverage reaches target + 1 (4x for a 3x token); no lower intraday trigger, no separate ripcord.
 * - fli:     Index Coop FLI: band [0.85 L, 1.15 L] (1.7-2.3 for 2x), 24 h interval, ripcord at 1.35 L (2.7x for 2x,
 *            FLI's "incentivized leverage ratio"). FLI's 5% recentering (each daily rebalance moves leverage only 5% of
 *            the way to target, clamped to the band) cannot be expressed by this Rebalancer, which always trades back to
 *            target: it is approximated by a daily rebalance only when |leverage - L| > 5% of L (the tolerance).
 * - tlx:     TLX: rebalance only when leverage leaves a threshold band of +-10% of target; no time-based rebalance
 *            (interval one year), no effective ripcord (18x: the largest a uint64 WAD leverage holds, venue max 20x).
 *
 * Approximations are deliberate and listed in docs/backtest.md; all presets use Ballast's bounty and fees so that only
 * the rebalancing rules differ.
 */
import { wad, methodologyV1, type Methodology } from "../../config/parameters";
import { methodologyV2, v2ParamsFor, type V2Params } from "../../config/methodology";

export const RULES = ["ballast", "ballast-v1", "ftx", "fli", "tlx"] as const;
export type RulesName = (typeof RULES)[number];

export interface RuleOverrides {
  /** Methodology v2's free numbers (config/methodology.ts), for `ballast` only: the walk-forward's candidates. */
  v2?: Partial<V2Params>;
  /** Band half-width as a fraction of target (0.1667 = 2.5-3.5 for 3x). */
  bandFraction?: number;
  /** The band's bottom alone, as a fraction of target below it (0.3333 = 2.0 for 3x): an asymmetric band. */
  bandLowFraction?: number;
  /** Seconds. */
  interval?: number;
  /** Ripcord as a multiple of target. */
  ripcordMultiple?: number;
}

const w = (x: number): bigint => wad(x.toFixed(6));
/** Methodology leverages are uint64 WAD: at most ~18.4x. */
const MAX_UINT64_LEVERAGE = 18;

/** The methodology a rule set gives a product of `leverage` (a positive number, e.g. 3) and side, before overrides. */
export function methodologyForRules(
  rules: RulesName,
  leverage: number,
  isLong: boolean,
  venueMaxLeverage: number,
  overrides: RuleOverrides = {},
): Methodology {
  const L = leverage;
  const base: Methodology = defaultBallast(L);
  let m: Methodology;
  switch (rules) {
    case "ballast":
      m = methodologyV2(L, isLong, venueMaxLeverage, { ...v2ParamsFor(isLong), ...overrides.v2 });
      break;
    case "ballast-v1":
      m = base;
      break;
    case "ftx":
      m = {
        ...base,
        minLeverage: w(Math.min(0.1, L / 10)),
        maxLeverage: w(L + 1),
        ripcordLeverage: w(Math.min(L + 2, venueMaxLeverage)),
        interval: 86_400,
        tolerance: 0n,
        maxTradeNotional: 0n,
      };
      break;
    case "fli":
      m = {
        ...base,
        minLeverage: w(0.85 * L),
        maxLeverage: w(1.15 * L),
        ripcordLeverage: w(1.35 * L),
        interval: 86_400,
        tolerance: w(0.05 * L),
      };
      break;
    case "tlx":
      m = {
        ...base,
        minLeverage: w(0.9 * L),
        maxLeverage: w(1.1 * L),
        ripcordLeverage: w(Math.min(venueMaxLeverage, MAX_UINT64_LEVERAGE)),
        interval: 365 * 86_400,
        tolerance: w(0.1 * L),
        maxTradeNotional: 0n,
      };
      break;
  }
  if (overrides.bandFraction !== undefined) {
    m = { ...m, minLeverage: w(L * (1 - overrides.bandFraction)), maxLeverage: w(L * (1 + overrides.bandFraction)) };
  }
  if (overrides.bandLowFraction !== undefined) m = { ...m, minLeverage: w(L * (1 - overrides.bandLowFraction)) };
  if (overrides.interval !== undefined) m = { ...m, interval: overrides.interval };
  if (overrides.ripcordMultiple !== undefined) {
    m = { ...m, ripcordLeverage: w(Math.min(L * overrides.ripcordMultiple, venueMaxLeverage, MAX_UINT64_LEVERAGE)) };
  }
  if (m.ripcordLeverage <= m.maxLeverage) m = { ...m, ripcordLeverage: m.maxLeverage + w(0.5) };
  return m;
}

/** Ballast's v1 rules for 2x and 3x (config/parameters.ts); other leverages scale the 3x band proportionally. */
function defaultBallast(L: number): Methodology {
  if (L === 2 || L === 3) return methodologyV1(L);
  const three = methodologyV1(3);
  return {
    ...three,
    minLeverage: w(L * (2.5 / 3)),
    targetLeverage: w(L),
    maxLeverage: w(L * (3.5 / 3)),
    ripcordLeverage: w(L * 1.5),
    tolerance: w(L * 0.05),
  };
}

/** The band every rule set's "time in band" is measured against: Ballast's v1 band for that leverage (±1/6). */
export function referenceBand(leverage: number): { min: bigint; max: bigint } {
  const m = defaultBallast(leverage);
  return { min: m.minLeverage, max: m.maxLeverage };
}
