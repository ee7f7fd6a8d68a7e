import { expect } from "chai";
import { renderVerdict } from "../../scripts/backtest/history";
import { rangeArgs, renderPhase } from "../../scripts/backtest/phase";
import { parseHours, pooled } from "../../scripts/backtest/start-hours";
import type { ReportJson } from "../../scripts/backtest/report";

describe("backtest:phase (scripts/backtest/phase.ts)", () => {
  it("gives each product and window the verdict of backtest:history at midnight, from the same committed runs", () => {
    const products = ["BTC2L", "BTC2S", "BTC3L", "BTC3S"];
    const phase = renderPhase(products, ["full", "oos"], []).split("\n");
    const verdict = renderVerdict(products).split("\n");
    for (const product of products) {
      for (const [window, label] of [
        ["full history", "full history"],
        ["2022–2025", "2022–2025 (out of sample)"],
      ]) {
        const row = phase.find((l) => l.startsWith(`| ${product} | ${window} | 0:00 |`));
        const v2 = verdict.find((l) => l.startsWith(`| ${product} | ${label} | **v2 (ballast)** |`));
        expect(row, `${product} ${window}`).to.not.equal(undefined);
        const cells = (l: string) => l.split("|").map((c) => c.trim());
        expect(cells(row!)[9]).to.equal(cells(v2!)[11]);
      }
    }
  });
});

describe("backtest:phase ranges", () => {
  it("starts a sub-window at the offset's hour, so that its first hours are no window of their own", () => {
    expect(rangeArgs("oos", "8h")).to.deep.equal(["--from", "2022-01-01T08:00:00Z", "--to", "2025-12-31"]);
    expect(rangeArgs("oos", "16h")).to.deep.equal(["--from", "2022-01-01T16:00:00Z", "--to", "2025-12-31"]);
    expect(rangeArgs("oos", "0h")).to.deep.equal(["--from", "2022-01-01", "--to", "2025-12-31"]);
    expect(rangeArgs("full", "8h")).to.deep.equal([]);
    expect(parseHours("8h,16h", "--offsets")).to.deep.equal(["8h", "16h"]);
    expect(() => parseHours("24h", "--offsets")).to.throw("--offsets: 24h");
    expect(() => parseHours("8", "--hours")).to.throw("--hours: 8");
  });
});

describe("backtest:phase pooling", () => {
  it("pools start hours: costs, rebalances and mean NAVs summed, the median over every window, the lowest margin ratio", () => {
    const run = (costs: number, margin: number, tds: number[]) =>
      ({
        liquidations: 0,
        rebalances: costs / 10,
        tradingCosts: costs,
        keeperBounties: 1,
        meanNav: 100,
        minMarginRatio: margin,
        trackingDiffBpsPerYear: { median: null, worst: null },
        windows: tds.map((t) => ({ trackingDiffBpsPerYear: t })),
      }) as unknown as ReportJson;
    const p = pooled([run(10, 0.3, [5, -1, 7]), run(20, 0.25, [100, -50, 2])]);
    expect([p.tradingCosts, p.keeperBounties, p.meanNav, p.minMarginRatio]).to.deep.equal([30, 2, 200, 0.25]);
    expect(p.rebalances).to.equal(3);
    expect(p.trackingDiffBpsPerYear).to.deep.equal({ median: 3.5, worst: -50 });
    expect(p.windows).to.have.length(6);
  });
});
