import { expect } from "chai";
import { renderChart } from "../../scripts/backtest/chart";
import { methodologyForRules } from "../../scripts/backtest/presets";
import {
  dateTicks,
  formatNumber,
  formatPercent,
  formatTimes,
  formatUsd,
  linearTicks,
  logTicks,
  niceStep,
  spreadLabels,
} from "../../scripts/backtest/ticks";
import type { WindowResult } from "../../scripts/backtest/types";

/** 1, 2 or 5 times a power of ten. */
const isNice = (v: number): boolean => {
  if (v === 0) return true;
  const m = Math.abs(v) / 10 ** Math.floor(Math.log10(Math.abs(v)) + 1e-12);
  return [1, 2, 5].some((n) => Math.abs(m - n) < 1e-9);
};
const utc = (y: number, m: number, d = 1) => Date.UTC(y, m - 1, d) / 1000;

describe("backtest chart ticks (scripts/backtest/ticks.ts)", () => {
  it("nice steps are 1-2-5 x 10^k and split the range into at most maxTicks intervals", () => {
    expect(niceStep(10, 5)).to.equal(2);
    expect(niceStep(0.3, 3)).to.equal(0.1);
    expect(niceStep(119_485, 5)).to.equal(50_000);
    for (const [range, n] of [
      [7, 5],
      [0.42, 6],
      [123_456, 4],
      [3.3e-5, 7],
    ] as const) {
      const step = niceStep(range, n);
      expect(isNice(step), `${step}`).to.equal(true);
      expect(range / step).to.be.at.most(n + 1e-9);
    }
  });

  it("linear ticks are multiples of the step inside the range, without binary noise", () => {
    expect(linearTicks(0, 6.75, 6)).to.deep.equal([0, 2, 4, 6]);
    expect(linearTicks(0, 6.75, 8)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(linearTicks(0.83, 1.21, 5)).to.deep.equal([0.9, 1, 1.1, 1.2]);
    expect(linearTicks(2.45, 4.6, 6)).to.deep.equal([2.5, 3, 3.5, 4, 4.5]);
    // The old chart's unrounded labels came from a range of 3251 .. 122736 split in four.
    expect(linearTicks(3251, 122_736, 5)).to.deep.equal([50_000, 100_000]);
  });

  it("log ticks: 1-2-5 per decade when they fit, powers of ten (thinned) when not, linear over a narrow range", () => {
    expect(logTicks(3251, 122_736, 6)).to.deep.equal([5_000, 10_000, 20_000, 50_000, 100_000]);
    expect(logTicks(0.001, 23.9, 6)).to.deep.equal([0.001, 0.01, 0.1, 1, 10]);
    expect(logTicks(1e-9, 23.9, 6)).to.deep.equal([1e-8, 1e-6, 1e-4, 0.01, 1]);
    expect(logTicks(0.8, 1.3, 6)).to.deep.equal([0.8, 0.9, 1, 1.1, 1.2, 1.3]);
    expect(logTicks(1.5, 4.6, 6)).to.deep.equal([2, 3, 4]);
    for (const v of logTicks(0.0123, 456, 8)) expect(isNice(v), `${v}`).to.equal(true);
  });

  it("labels carry units and no spurious digits", () => {
    expect(logTicks(3251, 122_736, 6).map(formatUsd)).to.deep.equal(["$5k", "$10k", "$20k", "$50k", "$100k"]);
    expect(formatUsd(500)).to.equal("$500");
    expect(formatUsd(2_500)).to.equal("$2.5k");
    expect(formatUsd(1_500_000)).to.equal("$1.5M");
    expect(formatTimes(3.5)).to.equal("3.5×");
    expect(formatTimes(0.001)).to.equal("0.001×");
    expect(formatPercent(0.3)).to.equal("30%");
    expect(formatNumber(1234.5)).to.equal("1,234.5");
    expect(formatNumber(0.1 + 0.2)).to.equal("0.3");
  });

  it("date ticks fall on year boundaries (the yearly window lines), else on months or days", () => {
    const years = dateTicks(utc(2017, 8, 17), utc(2025, 8, 26), 12);
    expect(years.map((d) => d.label)).to.deep.equal(["2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025"]);
    for (const d of years) expect(new Date(d.t * 1000).toISOString()).to.match(/^\d{4}-01-01T00:00:00/);
    // Too many years for the limit: every second one, on even years.
    expect(dateTicks(utc(2001, 1), utc(2030, 1), 10).map((d) => d.label)[0]).to.equal("2005");
    // One year boundary in more than a year: that year alone (it is the window line).
    expect(dateTicks(utc(2020, 3, 1), utc(2021, 5, 1), 10).map((d) => d.label)).to.deep.equal(["2021"]);
    const months = dateTicks(utc(2020, 3, 1), utc(2020, 12, 31), 6);
    expect(months.map((d) => d.label)).to.deep.equal(["2020-03", "2020-05", "2020-07", "2020-09", "2020-11"]);
    const days = dateTicks(utc(2020, 3, 10), utc(2020, 3, 14), 10);
    expect(days.map((d) => d.label)).to.deep.equal([
      "2020-03-10",
      "2020-03-11",
      "2020-03-12",
      "2020-03-13",
      "2020-03-14",
    ]);
  });

  it("spreadLabels keeps labels at least a gap apart inside the panel, in the input's order", () => {
    const ys = spreadLabels([100, 105, 60, 108], 12, 0, 110);
    expect(ys).to.deep.equal([86, 98, 60, 110]);
    const sorted = [...ys].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).to.be.at.least(12);
    expect(spreadLabels([10, 50], 12, 0, 100)).to.deep.equal([10, 50]); // apart already: unchanged
  });
});

describe("backtest chart SVG (scripts/backtest/chart.ts)", () => {
  // Two yearly windows of a 2x product (its band labels 1.75 / 2 / 2.25 are 0.25 apart: they used to overlap);
  // the second is liquidated and its NAV goes to ~0.
  const window = (from: number, n: number, p0: number, g: number, nav: (i: number) => number): WindowResult =>
    ({
      from,
      startNav: 100_000,
      liquidation: null,
      methodology: methodologyForRules("ballast-v1", 2, true, 20),
      chart: Array.from({ length: n }, (_, i) => ({
        t: from + (i + 1) * 86_400,
        price: p0 * g ** i,
        nav: 100_000 * nav(i),
        theory: 100_000 * nav(i) * 1.01,
        leverage: 2 + 0.2 * Math.sin(i / 5),
        maxLeverage: 2.1 + 0.2 * Math.sin(i / 5),
      })),
    }) as unknown as WindowResult;
  const svg = renderChart("BTC2L ballast tick", [
    window(utc(2020, 1), 364, 7_200, 1.004, (i) => 1 + i / 300),
    window(utc(2021, 1), 364, 29_000, 0.999, (i) => Math.max(1e-6, 1 - i / 360)),
  ]);
  const texts = (cls: string) => [...svg.matchAll(new RegExp(`class="${cls}"[^>]*>([^<]*)<`, "g"))].map((m) => m[1]);

  it("has a legend naming every series", () => {
    expect(texts("legend")).to.include.members([
      "price at candle close",
      "token NAV",
      "continuous formula (docs/mechanism.md)",
      "at candle close, after the keeper",
    ]);
  });

  it("draws a line at NAV 1.0 and labels the band and ripcord with units", () => {
    expect(texts("hlabel")).to.include.members(["1.0× = start", "band min 1.75×", "target 2×", "band max 2.25×"]);
    expect(texts("hlabel").some((l) => /^ripcord \d+(\.\d+)?×$/.test(l))).to.equal(true);
  });

  it("ticks are round numbers with units; the log NAV axis shows no 0.00", () => {
    const panel = (i: number) =>
      [...svg.matchAll(new RegExp(`class="tick" data-panel="${i}"[^>]*>([^<]*)<`, "g"))].map((m) => m[1]);
    const value = (t: string) => Number(t.replace(/[$,×]/g, "").replace(/[kM]$/, ""));
    const [price, nav, leverage] = [panel(0), panel(1), panel(2)];
    // Log axes: 1-2-5 x 10^k, or linear nice steps over a narrow range.
    expect(price).to.deep.equal(["$10k", "$15k", "$20k", "$25k", "$30k"]); // under a factor of 5: linear steps
    for (const t of nav) {
      expect(t).to.match(/^[\d.]+×$/);
      expect(isNice(value(t)), t).to.equal(true);
    }
    expect(nav).to.include("1×");
    expect(nav).to.not.include("0.00×");
    expect(nav).to.not.include("0×");
    // Linear axis: multiples of one 1-2-5 step.
    const lv = leverage.map(value);
    const step = lv[1] - lv[0];
    expect(isNice(step), `${step}`).to.equal(true);
    for (const t of leverage) expect(t).to.match(/^[\d.]+×$/);
    for (const v of lv) expect(Math.abs(v / step - Math.round(v / step))).to.be.below(1e-9);
  });

  it("date ticks are the year boundaries, on the window line", () => {
    expect(texts("date")).to.deep.equal(["2021"]);
  });

  it("band labels do not overlap", () => {
    const ys = [...svg.matchAll(/class="hlabel" x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    const sorted = ys.slice(1).sort((a, b) => a - b); // the leverage panel's four (the first is the NAV panel's 1.0)
    expect(sorted.length).to.equal(4);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).to.be.at.least(12 - 1e-9);
  });
});
