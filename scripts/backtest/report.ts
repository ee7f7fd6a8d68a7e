/**
 * Aggregation and output: the JSON document (exactly the keys of issue 4) and the human table.
 *
 * Top level = aggregates over the windows: counts, amounts and bars summed; minMarginRatio the minimum, maxLeverage
 * the maximum, timeInBandPct weighted by bars; liquidatedAt the list of every liquidation's candle (ISO, UTC);
 * trackingDiffBpsPerYear `{ median, worst }` over the windows (per window it is a number, or null when the token or
 * theory ended at 0); gas over every keeper transaction; wallSeconds the whole run. Per window the same keys with
 * per-window values (windows are in chronological order; their dates are in the human table and the chart).
 */
import { iso, shortDate } from "./csv";
import type { KeeperMode, WindowResult } from "./engine";
import type { RulesName } from "./presets";

export interface GasStats {
  rebalanceAvg: number;
  rebalanceMax: number;
}

export interface WindowJson {
  product: string;
  rules: RulesName;
  keeper: KeeperMode;
  bars: number;
  priceUpdates: number;
  rebalances: number;
  ripcords: number;
  liquidations: number;
  liquidatedAt: string | null;
  minMarginRatio: number;
  maxLeverage: number | null;
  timeInBandPct: number;
  startNav: number;
  endNav: number;
  theoreticalEndNav: number;
  /** The holder's value averaged over the window's candle closes: what the costs are paid out of. */
  meanNav: number;
  trackingDiffBpsPerYear: number | null;
  feesPaid: number;
  fundingPaid: number;
  tradingCosts: number;
  keeperBounties: number;
  gas: GasStats;
  wallSeconds: number;
}

export interface ReportJson extends Omit<WindowJson, "liquidatedAt" | "trackingDiffBpsPerYear"> {
  liquidatedAt: string[];
  trackingDiffBpsPerYear: { median: number | null; worst: number | null };
  windows: WindowJson[];
}

const round = (x: number, digits: number): number => {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function gasStats(gas: number[]): GasStats {
  if (gas.length === 0) return { rebalanceAvg: 0, rebalanceMax: 0 };
  return { rebalanceAvg: Math.round(gas.reduce((a, b) => a + b, 0) / gas.length), rebalanceMax: Math.max(...gas) };
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function windowJson(product: string, rules: RulesName, keeper: KeeperMode, w: WindowResult): WindowJson {
  return {
    product,
    rules,
    keeper,
    bars: w.bars,
    priceUpdates: w.priceUpdates,
    rebalances: w.rebalances,
    ripcords: w.ripcords,
    liquidations: w.liquidations,
    liquidatedAt: w.liquidation ? iso(w.liquidation.candle.t) : null,
    minMarginRatio: round(w.minMarginRatio, 6),
    // Unbounded (equity <= 0 with a position open) is null: JSON has no infinity.
    maxLeverage: Number.isFinite(w.maxLeverage) ? round(w.maxLeverage, 4) : null,
    timeInBandPct: round(w.timeInBandPct, 2),
    startNav: round(w.startNav, 2),
    endNav: round(w.endNav, 2),
    theoreticalEndNav: round(w.theoreticalEndNav, 2),
    meanNav: round(w.chart.length ? w.chart.reduce((a, p) => a + p.nav, 0) / w.chart.length : 0, 2),
    trackingDiffBpsPerYear: w.trackingDiffBpsPerYear === null ? null : round(w.trackingDiffBpsPerYear, 1),
    feesPaid: round(w.feesPaid, 2),
    fundingPaid: round(w.fundingPaid, 2),
    tradingCosts: round(w.tradingCosts, 2),
    keeperBounties: round(w.keeperBounties, 2),
    gas: gasStats(w.gasUsed),
    wallSeconds: round(w.wallSeconds, 2),
  };
}

export function aggregate(
  product: string,
  rules: RulesName,
  keeper: KeeperMode,
  ws: WindowResult[],
  wallSeconds: number,
): ReportJson {
  const windows = ws.map((w) => windowJson(product, rules, keeper, w));
  const sum = (f: (w: WindowJson) => number) => windows.reduce((a, w) => a + f(w), 0);
  const bars = sum((w) => w.bars);
  const tds = windows.map((w) => w.trackingDiffBpsPerYear).filter((x): x is number => x !== null);
  const anyNull = windows.some((w) => w.trackingDiffBpsPerYear === null);
  return {
    product,
    rules,
    keeper,
    bars,
    priceUpdates: sum((w) => w.priceUpdates),
    rebalances: sum((w) => w.rebalances),
    ripcords: sum((w) => w.ripcords),
    liquidations: sum((w) => w.liquidations),
    liquidatedAt: windows.map((w) => w.liquidatedAt).filter((x): x is string => x !== null),
    minMarginRatio: windows.length ? Math.min(...windows.map((w) => w.minMarginRatio)) : 0,
    maxLeverage: windows.some((w) => w.maxLeverage === null)
      ? null
      : windows.length
        ? Math.max(...windows.map((w) => w.maxLeverage ?? 0))
        : 0,
    timeInBandPct: bars ? round(sum((w) => w.timeInBandPct * w.bars) / bars, 2) : 0,
    startNav: round(
      sum((w) => w.startNav),
      2,
    ),
    endNav: round(
      sum((w) => w.endNav),
      2,
    ),
    theoreticalEndNav: round(
      sum((w) => w.theoreticalEndNav),
      2,
    ),
    meanNav: round(
      sum((w) => w.meanNav),
      2,
    ),
    trackingDiffBpsPerYear: {
      median: tds.length ? round(median(tds)!, 1) : null,
      // A window that ended at 0 (liquidated with nothing left) has no finite tracking difference: it is the worst.
      worst: anyNull ? null : tds.length ? Math.min(...tds) : null,
    },
    feesPaid: round(
      sum((w) => w.feesPaid),
      2,
    ),
    fundingPaid: round(
      sum((w) => w.fundingPaid),
      2,
    ),
    tradingCosts: round(
      sum((w) => w.tradingCosts),
      2,
    ),
    keeperBounties: round(
      sum((w) => w.keeperBounties),
      2,
    ),
    gas: gasStats(ws.flatMap((w) => w.gasUsed)),
    wallSeconds: round(wallSeconds, 2),
    windows,
  };
}

const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : "inf");
const money = (x: number): string =>
  Math.abs(x) >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : Math.abs(x) >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);

/** The human table: one row per window, then the aggregate row and any liquidation's candle. */
export function humanTable(report: ReportJson, ws: WindowResult[], carry: "funding" | "interest" = "funding"): string {
  const head = [
    "window",
    "bars",
    "updates",
    "rebal",
    "ripc",
    "liq",
    "maxLev",
    "minMR%",
    "inBand%",
    "start",
    "end",
    "theory",
    "TD bp/yr",
    "fees",
    carry,
    "trading",
    "bounty",
  ];
  const rows: string[][] = ws.map((w, i) => {
    const j = report.windows[i];
    return [
      w.label,
      String(j.bars),
      String(j.priceUpdates),
      String(j.rebalances),
      String(j.ripcords),
      j.liquidatedAt ? shortDate(w.liquidation!.candle.t) : "0",
      j.maxLeverage === null ? "inf" : fmt(j.maxLeverage),
      fmt(j.minMarginRatio * 100, 1),
      fmt(j.timeInBandPct, 1),
      money(j.startNav),
      money(j.endNav),
      money(j.theoreticalEndNav),
      j.trackingDiffBpsPerYear === null ? "n/a" : fmt(j.trackingDiffBpsPerYear, 0),
      money(j.feesPaid),
      money(j.fundingPaid),
      money(j.tradingCosts),
      money(j.keeperBounties),
    ];
  });
  const td = report.trackingDiffBpsPerYear;
  rows.push([
    "ALL",
    String(report.bars),
    String(report.priceUpdates),
    String(report.rebalances),
    String(report.ripcords),
    String(report.liquidations),
    report.maxLeverage === null ? "inf" : fmt(report.maxLeverage),
    fmt(report.minMarginRatio * 100, 1),
    fmt(report.timeInBandPct, 1),
    money(report.startNav),
    money(report.endNav),
    money(report.theoreticalEndNav),
    `${td.median === null ? "n/a" : fmt(td.median, 0)} med`,
    money(report.feesPaid),
    money(report.fundingPaid),
    money(report.tradingCosts),
    money(report.keeperBounties),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const out = [
    `${report.product} · rules ${report.rules} · keeper ${report.keeper} · ${ws.length} window(s)`,
    line(head),
    line(widths.map((n) => "-".repeat(n))),
    ...rows.slice(0, -1).map(line),
    line(widths.map((n) => "-".repeat(n))),
    line(rows[rows.length - 1]),
    `tracking difference (token minus theory, bp/yr): median ${td.median ?? "n/a"}, worst ${td.worst ?? "n/a (a window ended at 0)"}; ` +
      `keeper gas avg ${report.gas.rebalanceAvg}, max ${report.gas.rebalanceMax}; wall ${report.wallSeconds} s`,
  ];
  for (const w of ws) {
    if (!w.liquidation) continue;
    const { candle: c, price, prevClose } = w.liquidation;
    const adverse = price / prevClose - 1;
    out.push(
      `LIQUIDATED ${w.label}: candle ${shortDate(c.t)} UTC (line ${c.line}) O ${c.o} H ${c.h} L ${c.l} C ${c.c}; ` +
        `the venue found the account liquidatable at ${price.toFixed(2)} (${(adverse * 100).toFixed(1)}% from the previous close ${prevClose})`,
    );
  }
  const failures = ws.reduce((a, w) => a + w.keeperFailures, 0);
  if (failures) out.push(`WARNING: ${failures} keeper transaction(s) reverted (see stderr)`);
  return out.join("\n");
}
