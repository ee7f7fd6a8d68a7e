/**
 * docs/mechanism.md's continuous constant-leverage benchmark:
 *
 *   V_T / V_0 = (S_T / S_0)^L * exp( ∫c dt − (L² − L)/2 * ∫σ² dt )
 *
 * with L signed (−3 for a 3x short), ∫σ² dt the realised variance of the path (sum of squared log returns between
 * consecutive samples), and the carry c = −L * funding rate (longs pay when positive) − the streaming fee. The one-off
 * mint and redeem fees multiply the result by (1 − mintFee)(1 − redeemFee). Trading fees, price impact and keeper
 * bounties are deliberately not in the benchmark: they are what the tracking difference measures.
 */

export interface TheorySample {
  /** Unix seconds. */
  t: number;
  price: number;
  /** Funding rate per second (fraction) in force from this sample to the next. */
  fundingPerSecond: number;
}

export interface TheoryFees {
  mintFee: number; // fraction of collateral in
  redeemFee: number; // fraction of collateral out
  streamingPerYear: number; // fraction per year (365 days, as the contract)
}

export interface TheoryResult {
  /** V_t / V_0 at every sample (fees included: mint at the start, redeem as if redeemed at that sample). */
  factors: number[];
  /** Sum of squared log returns. */
  variance: number;
  /** ∫ funding dt (fraction of notional, positive = longs pay). */
  fundingIntegral: number;
}

export const YEAR_SECONDS = 365 * 86_400;

export function theory(samples: TheorySample[], leverage: number, fees: TheoryFees): TheoryResult {
  if (samples.length === 0) throw new Error("theory: empty path");
  const L = leverage;
  const s0 = samples[0].price;
  const t0 = samples[0].t;
  const once = (1 - fees.mintFee) * (1 - fees.redeemFee);
  const factors: number[] = [once];
  let variance = 0;
  let funding = 0;
  for (let i = 1; i < samples.length; i++) {
    const r = Math.log(samples[i].price / samples[i - 1].price);
    variance += r * r;
    funding += samples[i - 1].fundingPerSecond * (samples[i].t - samples[i - 1].t);
    const years = (samples[i].t - t0) / YEAR_SECONDS;
    const carry = -L * funding - fees.streamingPerYear * years;
    factors.push(once * Math.pow(samples[i].price / s0, L) * Math.exp(carry - ((L * L - L) / 2) * variance));
  }
  return { factors, variance, fundingIntegral: funding };
}

/** Annualised difference of log returns, token minus theory, in basis points per year. Null when a value is 0. */
export function trackingDiffBpsPerYear(
  startNav: number,
  endNav: number,
  theoreticalEndNav: number,
  years: number,
): number | null {
  if (!(endNav > 0) || !(theoreticalEndNav > 0) || !(startNav > 0) || !(years > 0)) return null;
  return ((Math.log(endNav / startNav) - Math.log(theoreticalEndNav / startNav)) / years) * 10_000;
}
