import { expect } from "chai";
import { runPool } from "../../scripts/backtest/spawn";

describe("backtest: runPool", () => {
  it("runs every job once, never more than `concurrency` at a time, and reports each", async () => {
    let running = 0;
    let peak = 0;
    const ran: number[] = [];
    const done: [number, number, number][] = [];
    const jobs = [5, 1, 4, 2, 3];
    await runPool(
      jobs,
      2,
      async (ms) => {
        running += 1;
        peak = Math.max(peak, running);
        ran.push(ms);
        await new Promise((r) => setTimeout(r, ms));
        running -= 1;
        return ms * 10;
      },
      (job, result, finished) => done.push([job, result, finished]),
    );
    expect(ran).to.deep.equal(jobs); // started in order
    expect(peak).to.equal(2);
    expect(done.map((d) => d[1]).sort((a, b) => a - b)).to.deep.equal([10, 20, 30, 40, 50]);
    expect(done.map((d) => d[2])).to.deep.equal([1, 2, 3, 4, 5]);
    for (const [job, result] of done) expect(result).to.equal(job * 10);
  });

  it("runs one at a time for a concurrency below 1, and resolves at once for no jobs", async () => {
    let running = 0;
    let peak = 0;
    await runPool([1, 1, 1], 0, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 1));
      running -= 1;
    });
    expect(peak).to.equal(1);
    let called = false;
    await runPool([], 2, async () => {
      called = true;
    });
    expect(called).to.equal(false);
  });
});
