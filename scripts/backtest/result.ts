/** A window's result: the empty record, the statistics folded in run by run, and the final figures and chart. */
import { DEFAULT_FEES, type Methodology } from "../../config/parameters";
import { fromWad, type RunEvent } from "./driver-codec";
import { theory, trackingDiffBpsPerYear, YEAR_SECONDS, type TheorySample } from "./theory";
import type { ProductSpec, Window, WindowResult } from "./types";

/** One candle's close as the window saw it: the holder's value, leverage after the keeper, the candle's maximum. */
export interface NavPoint {
  nav: number;
  lev: number;
  maxLev: number;
}

export function emptyResult(window: Window, barSeconds: number, methodology: Methodology): WindowResult {
  const candles = window.candles;
  return {
    label: window.label,
    from: candles[0].t,
    to: candles[candles.length - 1].t + barSeconds,
    bars: candles.length,
    priceUpdates: 0,
    rebalances: 0,
    ripcords: 0,
    liquidations: 0,
    liquidation: null,
    minMarginRatio: Number.POSITIVE_INFINITY,
    maxLeverage: 0,
    timeInBandPct: 0,
    startNav: 0,
    endNav: 0,
    theoreticalEndNav: 0,
    trackingDiffBpsPerYear: null,
    feesPaid: 0,
    fundingPaid: 0,
    tradingCosts: 0,
    keeperBounties: 0,
    gasUsed: [],
    keeperFailures: 0,
    wallSeconds: 0,
    methodology,
    chart: [],
  };
}

/** Folds one run's statistics into the window's; returns the candle's maximum leverage so far. */
export function tallyRun(r: WindowResult, ev: RunEvent, candleMaxLev: number): number {
  r.priceUpdates += ev.processed;
  if (ev.minMarginRatio < 2n ** 255n - 1n) r.minMarginRatio = Math.min(r.minMarginRatio, fromWad(ev.minMarginRatio));
  const ml = ev.maxLeverage >= 2n ** 255n ? Number.POSITIVE_INFINITY : fromWad(ev.maxLeverage);
  r.maxLeverage = Math.max(r.maxLeverage, ml);
  return Math.max(candleMaxLev, ml);
}

/** The holder's value at `close`: its share of the venue's equity, net of the streaming fee pending since the
 *  window's open `openT` (the mint). */
export function holderNav(equity: bigint, close: number, openT: number, holderFraction: number): number {
  const pendingFee = Math.min(0.5, (fromWad(DEFAULT_FEES.streamingFeeRate) * (close - openT)) / YEAR_SECONDS);
  return fromWad(equity > 0n ? equity : 0n) * holderFraction * (1 - pendingFee);
}

/** What the window's end figures are computed from. */
export interface WindowRecord {
  product: ProductSpec;
  /** The open, then every candle's close. */
  theorySamples: TheorySample[];
  /** Every candle's close. */
  navSeries: NavPoint[];
  /** Sum over candles of the fraction of prices inside the reference band. */
  inBandSum: number;
  /** Data times of the mint and the redeem. */
  mintTime: number;
  redeemTime: number;
}

/** The figures set at the window's end: theory on the same path, funding schedule and fees; the chart. */
export function finishResult(r: WindowResult, w: WindowRecord): void {
  const { product, theorySamples, navSeries } = w;
  const th = theory(theorySamples, product.isLong ? product.leverage : -product.leverage, {
    mintFee: fromWad(DEFAULT_FEES.mintFeeRate),
    redeemFee: fromWad(DEFAULT_FEES.redeemFeeRate),
    streamingPerYear: fromWad(DEFAULT_FEES.streamingFeeRate),
  });
  r.theoreticalEndNav = r.startNav * th.factors[th.factors.length - 1];
  const years = (w.redeemTime - w.mintTime) / YEAR_SECONDS;
  r.trackingDiffBpsPerYear = trackingDiffBpsPerYear(r.startNav, r.endNav, r.theoreticalEndNav, years);
  r.timeInBandPct = (100 * w.inBandSum) / r.bars;
  if (!Number.isFinite(r.minMarginRatio)) r.minMarginRatio = 0;
  r.chart = navSeries.map((p, i) => ({
    t: theorySamples[i + 1].t,
    price: theorySamples[i + 1].price,
    nav: p.nav,
    theory: r.startNav * th.factors[i + 1],
    leverage: p.lev,
    maxLeverage: p.maxLev,
  }));
}
