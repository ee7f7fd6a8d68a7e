/**
 * Methodology v2: each perp product's triggers from a cost model, with the few free numbers chosen walk-forward on
 * the 2017–2021 BTC history (docs/backtest.md, "Methodology v2"). Pure numbers in, a Rebalancer `Methodology` out;
 * config/parameters.ts gives it to every perp product, the backtester to `--rules ballast`.
 *
 * The model (docs/mechanism.md has the derivation):
 * - Leverage drifts with the price at `D · σ` per unit of return, D = L(L − 1) for a long and L(L + 1) for a short
 *   (a 3x short drifts twice as fast as a 3x long). Under proportional costs c the cost of holding a band of
 *   half-width δ scales like c · D² σ² / δ and the tracking variance like δ², so the cost-optimal width scales like
 *   D^(2/3): relative to a 3x long (D = 6), a 2x long's band is 0.48 of it, a 2x short's the same, a 3x short's 1.59×.
 * - The top is capped by liquidation distance: an unmonitored move from the band top to maintenance of at least
 *   `MIN_TOP_ENVELOPE` (25%), which keeps every product's top below FTX's target + 1.
 * - The bottom (leverage falling: the market moved the holder's way) is far below target (`lowFraction`): no intraday
 *   re-levering into a move that often reverts; the daily check (tolerance) re-levers instead.
 * - A band rebalance trades only to the inner band's edge (`innerBand` of each half band), not to target.
 * - The ripcord sits where a further adverse move of a third of the top's envelope would take leverage from the band
 *   top: two thirds of the envelope remain beyond it for the keeper's delay and the ripcord's own trade.
 */
import { parseUnits } from "ethers";
import type { Methodology } from "./parameters";

/** The mock perp venue's largest funding rate, per second (1% of notional an hour; MockPerpVenue.MAX_FUNDING_RATE). */
export const VENUE_MAX_FUNDING_PER_SECOND = 0.01 / 3600;
/** The Rebalancer's trigger guard: the triggers sit 1/8 of each half band inside the band. */
export const TRIGGER_GUARD = 1 / 8;

/**
 * How long trigger prices may answer for the venue: the time funding at `maxFunding` (per second, of notional) takes,
 * at a constant price, to move leverage from a guarded trigger to the band's edge. Paying it raises leverage:
 * 1/ℓ falls by maxFunding × t, from the guarded top to the top; receiving it lowers leverage: from the guarded bottom
 * to the bottom. Whole minutes, rounded down; at most the interval.
 */
export function triggerTtlFor(
  min: number,
  target: number,
  max: number,
  interval: number,
  maxFunding = VENUE_MAX_FUNDING_PER_SECOND,
): number {
  const top = max - (max - target) * TRIGGER_GUARD;
  const bottom = min + (target - min) * TRIGGER_GUARD;
  const up = (1 / top - 1 / max) / maxFunding;
  const down = (1 / min - 1 / bottom) / maxFunding;
  return Math.min(Math.floor(Math.min(up, down) / 60) * 60, interval);
}

/** The free numbers of the model; `V2_PARAMS` holds the walk-forward choice for each side. */
export interface V2Params {
  /** Half-width of a 3x long's band above target, in leverage (others scale by (D/6)^(2/3), capped). */
  widthScale: number;
  /** The band bottom as a fraction of target below it (0.5: 1.5x for 3x, 1.0x for 2x). */
  lowFraction: number;
  /** Inner band as a fraction of each half band (0: back to target). */
  innerBand: number;
  /** Smallest unmonitored move from the band top to maintenance margin (caps the top; default MIN_TOP_ENVELOPE). */
  minTopEnvelope?: number;
  /** The daily check's tolerance as a fraction of target (default DEFAULT_TOLERANCE; 0: FTX's exact daily reset). */
  tolerance?: number;
}

/** The daily check re-levers when leverage is more than this fraction of target away from it (0.15 for 3x). */
export const DEFAULT_TOLERANCE = 0.05;

/**
 * Chosen on 2017-01-01..2021-12-31 only (tick mode), per side, reported out of sample on 2022–2025: docs/backtest.md.
 * Both sides: no intraday re-levering (bottom 0.1 L) and an exact daily reset (tolerance 0). Longs: a breach trades
 * back to target (no inner band; it qualified on BTC2L, none of the nine on BTC3L). Shorts: a quarter of each half
 * band as the inner band. A second round, the training windows cut at 00:00, 08:00 and 16:00 and pooled, chose the
 * same set for the shorts and none for the longs (no candidate met FTX on BTC2L or BTC3L): the longs keep this one.
 */
export const V2_PARAMS: Readonly<Record<"long" | "short", V2Params>> = {
  long: { widthScale: 0.8, lowFraction: 0.9, innerBand: 0, tolerance: 0 },
  short: { widthScale: 0.8, lowFraction: 0.9, innerBand: 0.25, tolerance: 0 },
};

/** The walk-forward's choice for one side. */
export const v2ParamsFor = (isLong: boolean): V2Params => (isLong ? V2_PARAMS.long : V2_PARAMS.short);

/** Smallest unmonitored move from the band top to maintenance margin any v2 product accepts. */
export const MIN_TOP_ENVELOPE = 0.25;
/** Share of the band top's envelope the ripcord leaves to the band (the rest lies beyond the ripcord). */
export const RIPCORD_SHARE = 1 / 3;
/** The venue's maintenance margin ratio the envelopes are computed against (config/parameters.ts MARKETS). */
export const MAINTENANCE = 0.01;

const w = (x: number): bigint => parseUnits(x.toFixed(2), 18);

/** Leverage drift coefficient: d(leverage) = D · dS/S to first order. */
export function leverageDrift(leverage: number, isLong: boolean): number {
  return isLong ? leverage * (leverage - 1) : leverage * (leverage + 1);
}

/** The highest leverage whose unmonitored move to maintenance margin `m` is at least `envelope`. */
export function topForEnvelope(envelope: number, isLong: boolean, m = MAINTENANCE): number {
  return isLong ? 1 / (envelope * (1 - m) + m) : 1 / (envelope * (1 + m) + m);
}

/** The single unmonitored move that takes leverage `l` to maintenance (long negative). */
export function envelopeAt(l: number, isLong: boolean, m = MAINTENANCE): number {
  return isLong ? (1 - m * l) / (l * (1 - m)) : (1 - m * l) / (l * (1 + m));
}

/** The leverage `l` reaches after an adverse move of `g` (a fall for a long, a rise for a short). */
export function leverageAfterMove(l: number, g: number, isLong: boolean): number {
  return isLong ? (l * (1 - g)) / (1 - l * g) : (l * (1 + g)) / (1 - l * g);
}

/** The v2 methodology of a perp product (`leverage` 2 or 3, a side), on a venue allowing `venueMaxLeverage`. */
export function methodologyV2(
  leverage: number,
  isLong: boolean,
  venueMaxLeverage = 20,
  params: V2Params = v2ParamsFor(isLong),
): Methodology {
  const L = leverage;
  const width = params.widthScale * Math.pow(leverageDrift(L, isLong) / leverageDrift(3, true), 2 / 3);
  const top = Math.min(L + width, topForEnvelope(params.minTopEnvelope ?? MIN_TOP_ENVELOPE, isLong));
  const topRounded = Math.floor(top * 100) / 100;
  const ripcord = Math.min(
    leverageAfterMove(topRounded, envelopeAt(topRounded, isLong) * RIPCORD_SHARE, isLong),
    venueMaxLeverage,
  );
  const min = Math.round(Math.max(L * (1 - params.lowFraction), 0.01) * 100) / 100;
  return {
    minLeverage: w(min),
    targetLeverage: w(L),
    maxLeverage: w(topRounded),
    ripcordLeverage: w(Math.floor(ripcord * 100) / 100),
    interval: 86_400,
    tolerance: parseUnits((L * (params.tolerance ?? DEFAULT_TOLERANCE)).toFixed(4), 18),
    maxTradeNotional: parseUnits("5000000", 18),
    maxSlippage: parseUnits("0.02", 18),
    innerBand: parseUnits(params.innerBand.toFixed(4), 18),
    triggerTtl: triggerTtlFor(min, L, topRounded, 86_400),
  };
}
