import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "fs";
import hre from "hardhat";
import { tmpdir } from "os";
import { join } from "path";
import { aaveLiquidationLeverage } from "../../config/aaveProducts";
import { parseAaveArgs, runAaveBacktest } from "../../scripts/backtest/aave-cli";
import { wantsAave } from "../../scripts/backtest/cli";
import { parseAaveBenchLines } from "../../scripts/bench/backtest";

const MARCH_2020 = join(__dirname, "../fixtures/btc-usdt-2h-2020-03.csv");

describe("backtest --venue aave (scripts/backtest/aave.ts, aave-cli.ts)", function () {
  this.timeout(600_000);

  it("--venue aave selects the Aave backtest and its options", () => {
    expect(wantsAave(["--venue", "aave"])).to.equal(true);
    expect(wantsAave(["--venue=aave", "--quiet"])).to.equal(true);
    expect(wantsAave(["--prices", "x.csv"])).to.equal(false);
    const o = parseAaveArgs(["--venue", "aave"]);
    expect(o.products).to.deep.equal(["AaveETH2L", "AaveBTC2L"]);
    expect(o.prices).to.match(/data\/btc-usdt-2h-2017-2025\.csv$/);
    expect([o.utilization, o.pool, o.exact, o.window]).to.deep.equal([0.8, "lazy", false, "year"]);
    expect(() => parseAaveArgs(["--venue", "aave", "--product", "AaveETH2S"])).to.throw(/one of/);
    expect(() => parseAaveArgs(["--venue", "aave", "--keeper", "tick"])).to.throw(/bar only/);
    expect(() => parseAaveArgs(["--venue", "aave", "--funding", "f.csv"])).to.throw(/unknown option --funding/);
  });

  it("reads the bench line it prints", () => {
    const [f] = parseAaveBenchLines(
      "x\naave benchmark: AaveBTC2L 744 bars, 744 price updates, 12 keeper txs; windows 20.5 s (27.55 ms/bar); setup 11.2 s; windows CPU 9.1 s (12.23 ms/bar); process CPU 30 s; load average 1.0 1.0 1.0 on 2 cores\n",
    );
    expect(f).to.deep.equal({
      product: "AaveBTC2L",
      bars: 744,
      windowsSeconds: 20.5,
      msPerBar: 27.55,
      setupSeconds: 11.2,
      cpuSeconds: 9.1,
      cpuMsPerBar: 12.23,
    });
  });

  it("runs the daily check every 24 hours: the keeper acts when the interval runs out, seconds after a close", async () => {
    // BTC rising 0.6% a candle: AaveBTC2L's leverage falls 0.13 a day, past its 0.1 tolerance and never below its
    // 1.75 bottom, so every rebalance is the interval's, back to 2x. Each lands seconds after a close and restarts the
    // interval there; a keeper watching every block acts when the next falls due, seconds after a close a day later.
    // Five days of candles: five daily rebalances (four when each waited for the next candle, every 26 hours).
    const t0 = Date.UTC(2020, 0, 1) / 1000;
    const stamp = (t: number) => new Date(t * 1000).toISOString().replace("T", " ").slice(0, 19);
    const rows = ["timestamp,open,high,low,close,volume"];
    for (let i = 0, o = 7000; i < 60; i++, o *= 1.006)
      rows.push(`${stamp(t0 + i * 7200)},${o},${o * 1.006},${o},${o * 1.006},1`);
    const prices = join(mkdtempSync(join(tmpdir(), "ballast-aave-")), "rising.csv");
    writeFileSync(prices, rows.join("\n") + "\n");
    const opts = parseAaveArgs([
      "--venue",
      "aave",
      "--prices",
      prices,
      "--product",
      "AaveBTC2L",
      "--window",
      "all",
      "--quiet",
    ]);
    const [r] = (await runAaveBacktest(hre, opts, () => {})).reports;
    expect(r.bars).to.equal(60);
    expect([r.liquidations, r.ripcords]).to.deep.equal([0, 0]);
    expect(r.rebalances).to.equal(5);
  });

  it("AaveBTC2L through March 2020 (the crash): rebalances, interest at the held utilisation, swap costs, Aave's health factor", async () => {
    const opts = parseAaveArgs([
      "--venue",
      "aave",
      "--prices",
      MARCH_2020,
      "--product",
      "AaveBTC2L",
      "--from",
      "2020-03-08",
      "--to",
      "2020-03-16",
      "--window",
      "all",
      "--quiet",
    ]);
    const { reports, lines } = await runAaveBacktest(hre, opts, () => {});
    const [r] = reports;
    expect(r.venue).to.equal("aave");
    expect(r.bars).to.equal(9 * 12);
    expect(r.fundingPaid).to.equal(0);
    expect(r.rebalances + r.ripcords).to.be.greaterThan(3); // BTC fell ~40% in these days
    expect(r.liquidations).to.equal(0);
    expect(r.keeperBounties).to.be.greaterThan(0);
    expect(r.tradingCosts).to.be.greaterThan(0); // the 0.30% pool fee on every swap at least
    // Interest at the USDC rate of 80% utilisation (4% × 0.8/0.9 = 3.56% a year) on ~100k of debt for 9 days: ~90 USD.
    expect(r.borrowRatePct.mean).to.be.closeTo(3.56, 0.05);
    expect(r.interestPaid).to.be.within(20, 200);
    // Aave's health factor of a long is LT(WBTC)·ℓ/(ℓ − 1): its lowest is at the highest leverage.
    expect(r.minHealthFactor).to.be.closeTo((0.75 * r.maxLeverage!) / (r.maxLeverage! - 1), 0.001);
    expect(r.maxLeverage!).to.be.below(aaveLiquidationLeverage("BTC", true));
    expect(r.endNav).to.be.within(10_000, 60_000); // BTC 8,000 → 3,800 → 5,300: a 2× long loses most of it
    expect(lines.join("\n")).to.match(
      /AaveBTC2L on Aave: interest paid [\d.]+ USD \(USDC borrow rate mean 3\.5\d+%\/yr/,
    );
  });
});
