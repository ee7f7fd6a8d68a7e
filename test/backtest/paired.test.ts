import { expect } from "chai";
import { pairedTracking, PairedWindowsMismatch } from "../../scripts/backtest/paired";
import type { WindowJson } from "../../scripts/backtest/report";

/** A window with only the fields the comparison reads. */
const win = (tracking: number | null, endNav = 100_000): WindowJson =>
  ({ trackingDiffBpsPerYear: tracking, endNav }) as WindowJson;

describe("backtest paired comparison (v2 against FTX, window by window)", () => {
  it("medians, the mean difference with its standard error, windows ahead and summed end NAVs", () => {
    const a = [win(300, 120_000), win(-100, 90_000), win(50, 100_000)];
    const b = [win(100, 110_000), win(0, 95_000), win(50, 100_000)];
    const p = pairedTracking(a, b, ["2023", "2024", "2025"]);
    expect(p.rows.map((r) => [r.label, r.diff])).to.deep.equal([
      ["2023", 200],
      ["2024", -100],
      ["2025", 0],
    ]);
    expect([p.medianA, p.medianB]).to.deep.equal([50, 50]);
    // differences 200, −100, 0: mean 100/3, sample variance (166.7² + 133.3² + 33.3²) / 2 = 23,333.3, s.e. √(23,333.3 / 3)
    expect(p.meanDiff).to.be.closeTo(100 / 3, 1e-9);
    expect(p.stdErr).to.be.closeTo(Math.sqrt(70_000 / 3 / 3), 1e-9);
    expect([p.aAhead, p.pairs, p.skipped]).to.deep.equal([1, 3, 0]);
    expect([p.endNavA, p.endNavB]).to.deep.equal([310_000, 305_000]);
  });

  it("leaves a window out of the differences when either tracking is null (a token at 0), and labels by index", () => {
    const p = pairedTracking([win(null, 0), win(10)], [win(5), win(4)]);
    expect(p.rows.map((r) => [r.label, r.diff])).to.deep.equal([
      ["1", null],
      ["2", 6],
    ]);
    expect([p.pairs, p.skipped, p.meanDiff, p.stdErr, p.medianA, p.medianB]).to.deep.equal([1, 1, 6, null, 10, 4.5]);
  });

  it("refuses runs over different windows", () => {
    expect(() => pairedTracking([win(1)], [win(1), win(2)])).to.throw(PairedWindowsMismatch, "1 windows against 2");
  });
});
