/** What the oracle posts inside a candle (bar and tick paths) and the funding rate in force at a time. */
import type { Candle } from "./csv";
import type { FundingSchedule } from "./types";

/** Tick-mode path of a candle: previous price -> open -> first extreme -> second extreme -> close, in moves of at
 *  most `step`. The extreme nearer in direction comes first: a rising candle (close >= open) dips to its low first. */
export function tickPath(prev: number, c: Candle, step: number): number[] {
  const rising = c.c >= c.o;
  const keys = [c.o, rising ? c.l : c.h, rising ? c.h : c.l, c.c];
  const out: number[] = [];
  const unit = Math.log(1 + step);
  let a = prev;
  for (const b of keys) {
    if (b === a) continue;
    const n = Math.max(1, Math.ceil(Math.abs(Math.log(b / a)) / unit - 1e-9));
    for (let k = 1; k < n; k++) out.push(a * Math.pow(b / a, k / n));
    out.push(b);
    a = b;
  }
  if (out.length === 0) out.push(c.c);
  return out;
}

/** Bar-mode path: the adverse extreme (low for a long, high for a short), then the close. */
export function barPath(c: Candle, isLong: boolean): number[] {
  return [isLong ? c.l : c.h, c.c];
}

/** Funding rate per second (fraction) in force at `t`: the rate settled at the first funding time >= t. */
export function fundingAt(schedule: FundingSchedule | null, t: number): number {
  if (!schedule || schedule.points.length === 0) return 0;
  const pts = schedule.points;
  if (t > pts[pts.length - 1].t || t <= pts[0].t - schedule.intervalSeconds) return 0;
  let lo = 0;
  let hi = pts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid].t >= t) hi = mid;
    else lo = mid + 1;
  }
  return pts[lo].rate / schedule.intervalSeconds;
}

/** The same rate as the driver takes it: per second, WAD. */
export function fundingWad(schedule: FundingSchedule | null, t: number): bigint {
  return BigInt(Math.round(fundingAt(schedule, t) * 1e18));
}
