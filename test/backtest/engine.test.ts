import { expect } from "chai";
import hre from "hardhat";
import type { Candle } from "../../scripts/backtest/csv";
import { Engine, fundingAt, tickPath } from "../../scripts/backtest/engine";
import { barConfig, flat } from "../helpers/backtest";

describe("backtest engine on a hand-made path (real contracts, in-process chain)", function () {
  this.timeout(300_000);

  it("BTC3L, bar keeper, 100 -> 95 -> 90 -> 99 -> 94.05: one rebalance, NAV and leverage as computed by hand", async () => {
    // Hand calculation (docs/mechanism.md drift: l' = l(1+x)/(1+l x), equity x (1 + l x)), band 2.5-3.5, target 3.
    // The first mint opens at 3x on its equity after its own costs: the deposit net of the 0.1% mint fee, E0, less
    // the 5 bp taker fee on the opening (0.0015 E0), so the position starts at notional 3 x 0.9985 E0 = 2.9955 E0 on
    // equity 0.9985 E0 (leverage 3.0000):
    //   95:    notional 2.845725 E0, equity 0.9985 - 0.149775 = 0.848725 E0 -> l = 3.3529, in band
    //   90:    notional 2.69595 E0, equity 0.9985 - 0.29955 = 0.69895 E0 -> l = 3.8571 > 3.5 -> REBALANCE to 3
    //          (3.0013 after the 5 bp fee on the ~0.6 E0 traded)
    //   99:    x = +10%  l = 3 * 1.1 / 1.3 = 2.5385, in band; equity x 1.3
    //   94.05: x = -5%   l = 2.5385 * 0.95 / 0.87308 = 2.7621, in band; equity x 0.87308
    // Holder: 0.999 (mint fee) * 0.7945 (price path: 0.7 * 1.3 * 0.87308) * 0.999 (redeem fee) = 0.79291 of the
    // deposit, less trading costs of ~0.27% of the deposit (open ~0.119% after the path, the 0.6x rebalance ~0.034%,
    // 2.19x closed at redeem ~0.110%, a 0.5 USDC bounty): 0.7902.
    const engine = new Engine(hre);
    await engine.setup("BTC");
    const t0 = Date.UTC(2020, 0, 1) / 1000;
    const candles = [100, 95, 90, 99, 94.05].map((p, i) => flat(t0 + i * 7200, p, i + 2));
    engine.alignTime(t0);
    const cfg = barConfig();
    const r = await engine.runWindow(cfg, { label: "hand", candles });
    expect(r.rebalances).to.equal(1);
    expect(r.ripcords).to.equal(0);
    expect(r.liquidations).to.equal(0);
    expect(r.maxLeverage).to.be.closeTo(3.8571, 0.002);
    expect(r.chart[1].leverage).to.be.closeTo(3.3529, 0.002);
    expect(r.chart[2].leverage).to.be.closeTo(3, 0.005); // after the keeper
    expect(r.chart[3].leverage).to.be.closeTo(2.5385, 0.005);
    expect(r.chart[4].leverage).to.be.closeTo(2.7621, 0.005);
    expect(r.timeInBandPct).to.be.closeTo(80, 1e-9); // the 90 candle is out of band
    expect(r.startNav).to.equal(10_000);
    expect(r.endNav).to.be.closeTo(7902, 10);
    expect(r.chart[4].nav).to.be.closeTo(10_000 * 0.999 * 0.7945, 40); // before the redeem's own fee and close
    expect(r.gasUsed).to.have.length(1);
  });

  it("runs the daily check every 24 hours: the keeper acts when the interval runs out, seconds after a close, not a candle later", async () => {
    // FTX's rules (interval 1 day, tolerance 0) on a price rising 0.1% a candle: leverage leaves target every day and
    // never leaves the band, so every rebalance is the interval's. The product is registered 60 s before the first
    // candle, so the first falls due at the close of candle 12 (t0 + 1 day); each keeper action lands one second after
    // a close and restarts the interval there, so each next one falls due one second after a close, a day later. Five
    // days of candles: five daily rebalances (four when each waited for the next candle, every 26 hours).
    const engine = new Engine(hre);
    await engine.setup("BTC");
    const t0 = Date.UTC(2020, 0, 1) / 1000;
    const candles = Array.from({ length: 60 }, (_, i) => flat(t0 + i * 7200, 100 * 1.001 ** (i + 1), i + 2));
    engine.alignTime(t0);
    const r = await engine.runWindow({ ...barConfig(), rules: "ftx" }, { label: "days", candles });
    expect(r.liquidations).to.equal(0);
    expect(r.ripcords).to.equal(0);
    expect(r.rebalances).to.equal(5);
  });

  it("walks a candle open -> nearer extreme -> other extreme -> close in steps of at most --step", () => {
    const c: Candle = { t: 0, o: 100, h: 103, l: 98, c: 102, line: 2 };
    const path = tickPath(100, c, 0.005);
    expect(path[path.length - 1]).to.equal(102);
    expect(path).to.include(98); // a rising candle dips first
    expect(path.indexOf(98)).to.be.lessThan(path.indexOf(103));
    let prev = 100;
    for (const p of path) {
      expect(Math.abs(p / prev - 1)).to.be.at.most(0.005 + 1e-12);
      prev = p;
    }
    // Funding: the rate settled at the first funding time at or after t, per second.
    const schedule = {
      points: [
        { t: 28_800, rate: 0.0001 },
        { t: 57_600, rate: 0.0002 },
      ],
      intervalSeconds: 28_800,
    };
    expect(fundingAt(schedule, 28_801)).to.equal(0.0002 / 28_800);
    expect(fundingAt(schedule, 100)).to.equal(0.0001 / 28_800);
    expect(fundingAt(schedule, 60_000)).to.equal(0);
  });
});
