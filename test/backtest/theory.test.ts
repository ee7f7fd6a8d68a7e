import { expect } from "chai";
import { theory, trackingDiffBpsPerYear, YEAR_SECONDS } from "../../scripts/backtest/theory";

const noFees = { mintFee: 0, redeemFee: 0, streamingPerYear: 0 };
const path = (prices: number[], fundingPerSecond = 0, dt = 7200) =>
  prices.map((price, i) => ({ t: i * dt, price, fundingPerSecond }));

describe("backtest theory (the continuous formula of docs/mechanism.md)", () => {
  it("matches a hand calculation for 3x long and 3x short on 100 -> 110 -> 99", () => {
    // Realised variance: ln(1.1)^2 + ln(0.9)^2 = 0.0953102^2 + 0.1053605^2 = 0.00908403 + 0.01110084 = 0.02018487.
    // 3x long:  0.99^3 * exp(-(9 - 3)/2 * 0.02018487) = 0.970299 * exp(-0.0605546) = 0.970299 * 0.9412424 = 0.913287
    // 3x short: 0.99^-3 * exp(-(9 + 3)/2 * 0.02018487) = 1.0306102 * exp(-0.1211092) = 1.0306102 * 0.8859372 = 0.913056
    const long = theory(path([100, 110, 99]), 3, noFees);
    expect(long.variance).to.be.closeTo(0.02018487, 1e-8);
    expect(long.factors[2]).to.be.closeTo(0.913287, 1e-6);
    const short = theory(path([100, 110, 99]), -3, noFees);
    expect(short.factors[2]).to.be.closeTo(0.913056, 1e-6);
    // Shorts decay twice as fast: (L^2 - L)/2 is 3 for L = 3 and 6 for L = -3.
    expect(
      Math.log(short.factors[2] / Math.pow(0.99, -3)) / Math.log(long.factors[2] / Math.pow(0.99, 3)),
    ).to.be.closeTo(2, 1e-9);
  });

  it("charges funding by exposure, the streaming fee by time and mint/redeem fees once", () => {
    // A flat price for one year, funding 0.01% per 8 h (longs pay): a 3x long pays 3 * 0.0001 * 1095 = 0.3285 of
    // its value continuously, a 3x short receives it; 2% a year streaming; 0.1% in and out.
    const perSecond = 0.0001 / 28_800;
    const samples = [
      { t: 0, price: 100, fundingPerSecond: perSecond },
      { t: YEAR_SECONDS, price: 100, fundingPerSecond: perSecond },
    ];
    const fees = { mintFee: 0.001, redeemFee: 0.001, streamingPerYear: 0.02 };
    const once = 0.999 * 0.999;
    expect(theory(samples, 3, fees).factors[1]).to.be.closeTo(once * Math.exp(-0.3285 - 0.02), 1e-9);
    expect(theory(samples, -3, fees).factors[1]).to.be.closeTo(once * Math.exp(0.3285 - 0.02), 1e-9);
    expect(theory(samples, 3, fees).fundingIntegral).to.be.closeTo(0.1095, 1e-9);
  });

  it("annualises the tracking difference as a difference of log returns", () => {
    // Token 100 -> 90 and theory 100 -> 100 over half a year: ln(0.9) / 0.5 = -0.2107 = -2107 bp/yr.
    expect(trackingDiffBpsPerYear(100, 90, 100, 0.5)).to.be.closeTo(-2107.21, 0.01);
    expect(trackingDiffBpsPerYear(100, 0, 100, 1)).to.equal(null);
  });
});
