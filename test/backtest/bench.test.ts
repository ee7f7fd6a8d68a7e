import { expect } from "chai";
import { parseBenchLine } from "../../scripts/bench/backtest";

describe("backtest speed benchmark (npm run bench:backtest)", () => {
  it("reads the figures of the `benchmark:` line that `backtest --bench` prints", () => {
    const out = [
      "ALL ...",
      "benchmark: 35123 bars, 70246 price updates, 1555 keeper txs; whole run 54.79 s wall, windows 52.0 s (1.48 ms/bar); " +
        "process CPU 58 s; raw in-process rate in this run (timestamped tx + receipt): 1041 tx/s before, 1057 after; " +
        "one bar costs 1.6 raw transactions; load average 1.5 1.5 1.3 on 2 cores",
    ].join("\n");
    expect(parseBenchLine("bar", out)).to.deep.equal({
      keeper: "bar",
      bars: 35123,
      wallSeconds: 54.79,
      msPerBar: 1.48,
      rawTxPerSecond: [1041, 1057],
      rawTxPerBar: 1.6,
    });
  });

  it("fails loudly when the run printed no benchmark line", () => {
    expect(() => parseBenchLine("tick", "no figures here")).to.throw(/no benchmark line/);
  });
});
