/**
 * Axis ticks for the backtest charts: round ("nice") numbers, log-scale ticks, calendar date ticks, and the label
 * formats with their units. Pure functions, tested by test/backtest/ticks.test.ts.
 */

/** The smallest 1-2-5 × 10^k step that splits `range` into at most `maxTicks` intervals. */
export function niceStep(range: number, maxTicks: number): number {
  if (!(range > 0) || !Number.isFinite(range)) return 1;
  const raw = range / Math.max(1, maxTicks);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    // Multiplying mag (an exact power of ten) by a small integer and comparing with a tolerance avoids 0.30000000004.
    if (m * mag >= raw * (1 - 1e-9)) return clean(m * mag);
  }
  return clean(10 * mag);
}

/** Removes binary noise: 0.30000000000000004 → 0.3. */
const clean = (v: number): number => Number(v.toPrecision(12));

/** Multiples of a nice step inside [lo, hi] (both ends included when they are multiples), at most ~maxTicks + 1. */
export function linearTicks(lo: number, hi: number, maxTicks = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [];
  if (hi === lo) return [clean(lo)];
  const step = niceStep(hi - lo, maxTicks);
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(clean(k * step));
  return ticks;
}

/**
 * Ticks for a log axis over [lo, hi] (lo > 0): 1, 2, 5 × 10^k when they fit, else powers of ten (every n-th decade
 * when there are too many); a range where 1-2-5 ticks would be fewer than three gets linear nice ticks instead (a log
 * axis over 0.8–1.2 would otherwise show a single tick).
 */
export function logTicks(lo: number, hi: number, maxTicks = 6): number[] {
  if (!(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) return [];
  if (hi / lo < 3) return linearTicks(lo, hi, maxTicks).filter((v) => v > 0);
  const k0 = Math.floor(Math.log10(lo));
  const k1 = Math.ceil(Math.log10(hi));
  const inRange = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const candidates = [[1, 2, 5], [1]].map((mantissas) => {
    const ticks: number[] = [];
    for (let k = k0; k <= k1; k++) for (const m of mantissas) ticks.push(clean(m * 10 ** k));
    return ticks.filter(inRange);
  });
  if (candidates[0].length < 3) return linearTicks(lo, hi, maxTicks).filter((v) => v > 0);
  const fit = candidates.find((ticks) => ticks.length >= 2 && ticks.length <= maxTicks);
  if (fit) return fit;
  const decades = k1 - k0;
  const every = Math.max(1, Math.ceil(decades / maxTicks));
  const ticks: number[] = [];
  for (let k = Math.ceil(k0 / every) * every; k <= k1; k += every) ticks.push(clean(10 ** k));
  return ticks.filter(inRange);
}

/** A number without trailing zeros or binary noise, with thousands separators: 1234.5 → "1,234.5", 0.05 → "0.05". */
export function formatNumber(v: number): string {
  if (v === 0) return "0";
  const abs = Math.abs(v);
  const digits = abs >= 1 ? Math.max(0, 6 - Math.floor(Math.log10(abs))) : 6 - Math.floor(Math.log10(abs));
  const s = Number(v.toFixed(Math.min(digits, 20))).toString();
  if (s.includes("e")) return v.toPrecision(3);
  const [whole, frac] = s.split(".");
  const w = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac ? `${w}.${frac}` : w;
}

/** US dollars, thousands as "k" and millions as "M" for round values: 20000 → "$20k", 2500 → "$2.5k", 500 → "$500". */
export function formatUsd(v: number): string {
  const abs = Math.abs(v);
  const sign = v < 0 ? "-" : "";
  if (abs >= 1e6) return `${sign}$${formatNumber(abs / 1e6)}M`;
  if (abs >= 1e3) return `${sign}$${formatNumber(abs / 1e3)}k`;
  return `${sign}$${formatNumber(abs)}`;
}

/** A multiple (leverage, NAV relative to its start): 3.5 → "3.5×". */
export const formatTimes = (v: number): string => `${formatNumber(v)}×`;

/** A fraction as a percentage: 0.25 → "25%". */
export const formatPercent = (v: number): string => `${formatNumber(clean(v * 100))}%`;

export interface DateTick {
  t: number; // unix seconds, UTC
  label: string;
}

const DAY = 86_400;
const monthStart = (y: number, m: number): number => Date.UTC(y, m, 1) / 1000;

/**
 * Calendar ticks over [t0, t1] (unix seconds, UTC) at round boundaries: years ("2019") when the range spans enough of
 * them, else months every 1, 2, 3 or 6 ("2020-03", quarters and half-years aligned to January), else days
 * ("2020-03-12"), at most `maxTicks`. Years fall on yearly window lines, quarter months on quarterly ones.
 */
export function dateTicks(t0: number, t1: number, maxTicks = 10): DateTick[] {
  if (!(t1 > t0)) return [];
  const d0 = new Date(t0 * 1000);
  const y0 = d0.getUTCFullYear();
  const y1 = new Date(t1 * 1000).getUTCFullYear();
  const inRange = (t: number) => t >= t0 && t <= t1;
  for (const every of [1, 2, 5, 10, 20, 50]) {
    const ticks: DateTick[] = [];
    for (let y = Math.ceil(y0 / every) * every; y <= y1; y += every) {
      const t = monthStart(y, 0);
      if (inRange(t)) ticks.push({ t, label: String(y) });
    }
    const enough = ticks.length >= 2 || (ticks.length === 1 && t1 - t0 >= 365 * DAY);
    if (enough && ticks.length <= maxTicks) return ticks;
    if (!enough) break; // a range shorter than a year, or one without two year boundaries: use months
  }
  for (const every of [1, 2, 3, 6]) {
    const ticks: DateTick[] = [];
    for (let y = y0; y <= y1; y++) {
      for (let m = 0; m < 12; m += every) {
        const t = monthStart(y, m);
        if (inRange(t)) ticks.push({ t, label: `${y}-${String(m + 1).padStart(2, "0")}` });
      }
    }
    if (ticks.length >= 2 && ticks.length <= maxTicks) return ticks;
    if (ticks.length < 2) break; // fewer than two month boundaries: use days
  }
  for (const every of [1, 2, 7, 14]) {
    const ticks: DateTick[] = [];
    for (let t = Math.ceil(t0 / DAY) * DAY; t <= t1; t += every * DAY) {
      ticks.push({ t, label: new Date(t * 1000).toISOString().slice(0, 10) });
    }
    if (ticks.length <= maxTicks) return ticks;
  }
  return [];
}

/**
 * Vertical positions for labels that must not overlap: each label keeps its wanted y where it can and is pushed
 * apart from its neighbours to at least `gap`, staying within [top, bottom]. Returns positions in the input's order.
 */
export function spreadLabels(wanted: number[], gap: number, top: number, bottom: number): number[] {
  const order = wanted.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const ys = order.map((o) => Math.min(Math.max(o.y, top), bottom));
  for (let j = 1; j < ys.length; j++) ys[j] = Math.max(ys[j], ys[j - 1] + gap); // push down
  if (ys.length && ys[ys.length - 1] > bottom) {
    ys[ys.length - 1] = bottom; // then back up from the bottom
    for (let j = ys.length - 2; j >= 0; j--) ys[j] = Math.min(ys[j], ys[j + 1] - gap);
  }
  const out = new Array<number>(wanted.length);
  order.forEach((o, j) => (out[o.i] = ys[j]));
  return out;
}
