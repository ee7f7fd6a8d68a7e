import { expect } from "chai";
import { V2_PARAMS } from "../../config/methodology";
import { render, ROUNDS, sweepDir, trainingArgs, TRAIN } from "../../scripts/backtest/sweep";

const PRODUCTS = ["BTC2L", "BTC2S", "BTC3L", "BTC3S"];

describe("backtest:sweep (scripts/backtest/sweep.ts)", () => {
  it("cuts the training window at the start hour, and never past its end", () => {
    expect(trainingArgs("0h")).to.deep.equal(["--from", "2017-01-01", "--to", "2021-12-31"]);
    expect(trainingArgs("8h")).to.deep.equal([
      ...["--from", "2017-01-01T08:00:00Z", "--to", "2021-12-31"],
      ...["--window-offset", "8h"],
    ]);
    expect(trainingArgs("16h")).to.include("2017-01-01T16:00:00Z");
    for (const h of ["0h", "8h", "16h"]) expect(trainingArgs(h)[3]).to.equal(TRAIN.to);
    expect(sweepDir("walk-forward", "0h")).to.match(/sweep\/walk-forward$/);
    expect(sweepDir("walk-forward", "8h")).to.match(/sweep\/walk-forward-8h$/);
  });

  it("the committed runs: the first round's rule chose what it chose, from the midnight runs alone", () => {
    const { chosen, section } = render(PRODUCTS, "walk-forward", ROUNDS[0]);
    expect(chosen.long, "longs").to.not.equal(undefined);
    expect(chosen.short, "shorts").to.not.equal(undefined);
    expect(section).to.contain("| BTC3S | ftx | 0 | 24.4% |");
  });

  it("the committed runs: config/methodology.ts holds each round's choice; the second gives the longs none", () => {
    const first = render(PRODUCTS, "walk-forward", ROUNDS[0]).chosen;
    const { chosen, section } = render(PRODUCTS, "walk-forward", ROUNDS[1]);
    expect(section).to.not.contain("not run");
    expect(chosen.short).to.deep.equal(V2_PARAMS.short);
    expect(first.short).to.deep.equal(V2_PARAMS.short);
    // Three start hours pooled, no long candidate meets FTX on BTC2L or BTC3L: the longs keep the first round's.
    expect(chosen.long).to.equal(undefined);
    expect(section).to.contain("No choice for the longs");
    expect(first.long).to.deep.equal(V2_PARAMS.long);
  });
});
