import { expect } from "chai";
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { underCoverage } from "../helpers/coverage";
import { productDefaults } from "../../config/parameters";

const ROOT = resolve(__dirname, "../..");
const FIX = join(ROOT, "test/fixtures");
const KEYS = [
  "product",
  "rules",
  "keeper",
  "bars",
  "priceUpdates",
  "rebalances",
  "ripcords",
  "liquidations",
  "liquidatedAt",
  "minMarginRatio",
  "maxLeverage",
  "timeInBandPct",
  "startNav",
  "endNav",
  "theoreticalEndNav",
  "meanNav",
  "trackingDiffBpsPerYear",
  "feesPaid",
  "fundingPaid",
  "tradingCosts",
  "keeperBounties",
  "gas",
  "wallSeconds",
];

function cli(args: string[]) {
  return spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", join(ROOT, "scripts/backtest/cli.ts"), ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
    },
  );
}

describe("backtest CLI end to end (committed slice of March 2020)", function () {
  this.timeout(600_000);

  before(function () {
    if (underCoverage()) this.skip(); // the CLI is a child Hardhat process (see helpers/coverage.ts)
  });

  it("BTC3L, ballast rules, tick keeper: exactly the JSON keys, a chart, and no liquidation through March 2020", () => {
    const dir = mkdtempSync(join(tmpdir(), "ballast-bt-"));
    const json = join(dir, "out.json");
    const svg = join(dir, "out.svg");
    const run = cli([
      "--prices",
      join(FIX, "btc-usdt-2h-2020-03.csv"),
      "--funding",
      join(FIX, "btc-usdt-perp-funding-8h-2020-03-2021-05.csv"),
      "--product",
      "BTC3L",
      "--rules",
      "ballast",
      "--keeper",
      "tick",
      "--json",
      json,
      "--chart",
      svg,
    ]);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/BTC3L · rules ballast · keeper tick/);
    expect(run.stderr).to.match(/100% 372\/372 bars/); // the progress bar
    const report = JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown>;
    expect(Object.keys(report)).to.deep.equal([...KEYS, "windows"]);
    expect(Object.keys(report.gas as object)).to.deep.equal(["rebalanceAvg", "rebalanceMax"]);
    const windows = report.windows as Record<string, unknown>[];
    expect(windows).to.have.length(1);
    expect(Object.keys(windows[0])).to.deep.equal(KEYS);
    expect(report.liquidations).to.equal(0);
    expect(report.liquidatedAt).to.deep.equal([]);
    expect(report.bars).to.equal(372);
    expect(report.rebalances as number).to.be.greaterThan(10);
    expect(report.maxLeverage as number).to.be.lessThan(4.5);
    expect(report.minMarginRatio as number).to.be.greaterThan(0.2);
    expect(report.endNav as number).to.be.greaterThan(0);
    // March 2020: BTC fell by half and a 3x long lost most of its value, so its mean NAV lies between start and end.
    expect(windows[0].meanNav as number).to.be.within(report.endNav as number, report.startNav as number);
    expect(report.meanNav).to.equal(windows[0].meanNav);
    expect(typeof windows[0].trackingDiffBpsPerYear).to.equal("number");
    const chart = readFileSync(svg, "utf8");
    expect(chart).to.match(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // Legend, the NAV 1.0 line, the band labels and round ticks with units (test/backtest/ticks.test.ts has the rest).
    expect(chart).to.include('class="legend"');
    expect(chart).to.include(">1.0× = start<");
    expect(chart).to.include(`>band max ${Number(productDefaults("BTC3L").methodology.maxLeverage) / 1e18}×<`);
    const ticks = [...chart.matchAll(/class="tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
    for (const t of ticks) expect(t).to.match(/^(\$[\d,.]+k?|[\d.]+×)$/);
    expect(ticks.filter((t) => t.startsWith("$")).length).to.be.at.least(2);
    const dates = [...chart.matchAll(/class="date"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(dates.length).to.be.at.least(2);
    for (const d of dates) expect(d).to.match(/^2020-0[34](-\d\d)?$/);
  });

  it("fails on malformed input with file, line and reason before starting the chain", () => {
    const run = cli(["--prices", join(FIX, "README.md")]);
    expect(run.status).to.equal(2);
    expect(run.stderr).to.match(/README\.md:1: header is missing column\(s\) timestamp, open, high, low, close/);
  });
});
