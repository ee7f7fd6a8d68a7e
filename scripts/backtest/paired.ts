/**
 * Two rule sets on the same windows, window by window: how far the "median tracking" verdict rests on one
 * window, and what the other statistics of the same runs say.
 *
 * Per window the tracking difference of each (bp/yr, token minus theory) and their difference a − b; over the windows
 * the median of each, the mean of the differences with its standard error (sample standard deviation / √n), the number
 * of windows `a` is ahead, and the end NAVs summed (every window starts from the same amount, so the larger sum is the
 * set that would have returned more to a holder minting once per window). Windows where either tracking is null (a
 * token or its theory at 0) are left out of the differences and counted in `skipped`.
 */
import { median, type WindowJson } from "./report";

export interface PairedRow {
  label: string;
  a: number | null;
  b: number | null;
  /** a − b, or null when either is null. */
  diff: number | null;
}

export interface PairedTracking {
  rows: PairedRow[];
  medianA: number | null;
  medianB: number | null;
  /** Mean of the per-window differences a − b (bp/yr); null without a pair. */
  meanDiff: number | null;
  /** Standard error of that mean; null with fewer than two pairs. */
  stdErr: number | null;
  /** Windows where a's tracking is strictly above b's. */
  aAhead: number;
  pairs: number;
  skipped: number;
  endNavA: number;
  endNavB: number;
}

export class PairedWindowsMismatch extends Error {
  constructor(a: number, b: number) {
    super(`paired comparison: ${a} windows against ${b}; both runs must cover the same windows`);
  }
}

/** Compares `a` with `b` window by window; `labels[i]` names window i (its index when missing). */
export function pairedTracking(a: WindowJson[], b: WindowJson[], labels: string[] = []): PairedTracking {
  if (a.length !== b.length) throw new PairedWindowsMismatch(a.length, b.length);
  const rows: PairedRow[] = a.map((wa, i) => {
    const ta = wa.trackingDiffBpsPerYear;
    const tb = b[i].trackingDiffBpsPerYear;
    return { label: labels[i] ?? String(i + 1), a: ta, b: tb, diff: ta === null || tb === null ? null : ta - tb };
  });
  const diffs = rows.flatMap((r) => (r.diff === null ? [] : [r.diff]));
  const n = diffs.length;
  const mean = n ? diffs.reduce((s, x) => s + x, 0) / n : null;
  const variance = mean !== null && n > 1 ? diffs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : null;
  const defined = (xs: (number | null)[]) => xs.flatMap((x) => (x === null ? [] : [x]));
  return {
    rows,
    medianA: median(defined(rows.map((r) => r.a))),
    medianB: median(defined(rows.map((r) => r.b))),
    meanDiff: mean,
    stdErr: variance === null ? null : Math.sqrt(variance / n),
    aAhead: diffs.filter((d) => d > 0).length,
    pairs: n,
    skipped: rows.length - n,
    endNavA: a.reduce((s, w) => s + w.endNav, 0),
    endNavB: b.reduce((s, w) => s + w.endNav, 0),
  };
}
