/**
 * Several runs of one configuration as one: the same rules on the same data with the yearly windows cut at different
 * hours (backtest:phase, backtest:sweep --hours), read together so that no single start hour decides a median.
 */
import { median, type ReportJson } from "./report";

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
