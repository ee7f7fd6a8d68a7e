/**
 * Start hours: the same rules on the same data with the yearly windows cut at different hours of the day
 * (backtest:phase --offsets, backtest:sweep --hours), so that each product's daily check runs at another hour, and the
 * runs read together so that no single start hour decides a median.
 */
import { median, type ReportJson } from "./report";

/** A comma-separated list of whole hours after midnight UTC ("8h,16h"); `flag` names the option in the error. */
export function parseHours(list: string, flag: string): string[] {
  const hours = list.split(",");
  for (const h of hours) if (!/^\d+h$/.test(h) || Number(h.slice(0, -1)) >= 24) throw new Error(`${flag}: ${h}`);
  return hours;
}

/** `--from` / `--to` of a range whose yearly windows are cut at `hour`: a range with its own start begins at that
 *  hour of its first day, or its first hours would make a window of their own. No start: the data's own. */
export function rangeAt(from: string | undefined, to: string | undefined, hour: string): string[] {
  if (!from || !to) return [];
  const h = Number(hour.slice(0, -1));
  return ["--from", h ? `${from}T${String(h).padStart(2, "0")}:00:00Z` : from, "--to", to];
}

/**
 * The runs of every start hour as one: costs, rebalances and mean NAVs summed, the tracking median over all their yearly windows
 * (a median of 27 windows instead of 9), the lowest margin ratio, the liquidations summed.
 */
export function pooled(runs: ReportJson[]): ReportJson {
  const sum = (f: (r: ReportJson) => number) => runs.reduce((a, r) => a + f(r), 0);
  const tds = runs.flatMap((r) => r.windows.map((w) => w.trackingDiffBpsPerYear));
  return {
    ...runs[0],
    liquidations: sum((r) => r.liquidations),
    rebalances: sum((r) => r.rebalances),
    tradingCosts: sum((r) => r.tradingCosts),
    keeperBounties: sum((r) => r.keeperBounties),
    meanNav: runs.every((r) => r.meanNav > 0) ? sum((r) => r.meanNav) : 0,
    minMarginRatio: Math.min(...runs.map((r) => r.minMarginRatio)),
    trackingDiffBpsPerYear: {
      median: tds.some((x) => x === null) ? null : median(tds as number[]),
      worst: tds.some((x) => x === null) ? null : Math.min(...(tds as number[])),
    },
    windows: runs.flatMap((r) => r.windows),
  };
}
