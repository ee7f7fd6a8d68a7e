/**
 * The decay a product has paid since launch, from contract numbers only (the formula is documented in docs/web.md):
 *
 *   P0   = the venue's mark price at the block of the product's first Minted event (an eth_call at that block)
 *   P    = the venue's mark price now
 *   r    = P / P0 − 1                                   the underlying's return since launch
 *   NAV0 = 1 USD                                        the first mint prices 1 token per USD of equity
 *   B    = NAV0 · (1 + s · L · r)                        a one-off L× position opened at launch and never rebalanced
 *                                                      (s = +1 long, −1 short), before any cost
 *   decay = NAV / B − 1                                 what rebalancing (volatility decay), funding, fees and trading
 *                                                      costs have cost a holder since launch (negative = paid)
 */
// Relative, not @ballast/protocol: this file is also loaded by Node tests (test/unit/WebLogic.test.ts), which do not
// know the Vite alias.
import { WAD } from "../../protocol/constants";

export interface DecayInputs {
  isLong: boolean;
  targetLeverageWad: bigint;
  launchPriceWad: bigint;
  priceWad: bigint;
  navWad: bigint;
  launchNavWad?: bigint;
}

export interface DecayResult {
  underlyingReturnWad: bigint;
  navReturnWad: bigint;
  /** B above; null when a static position would have been wiped out (B ≤ 0). */
  benchmarkNavWad: bigint | null;
  /** NAV / B − 1; null when B ≤ 0. */
  decayWad: bigint | null;
}

export function computeDecay(x: DecayInputs): DecayResult {
  const nav0 = x.launchNavWad ?? WAD;
  if (x.launchPriceWad <= 0n) throw new Error("launch price must be positive");
  const r = ((x.priceWad - x.launchPriceWad) * WAD) / x.launchPriceWad;
  const signedLeverage = x.isLong ? x.targetLeverageWad : -x.targetLeverageWad;
  const benchmark = (nav0 * (WAD + (signedLeverage * r) / WAD)) / WAD;
  const navReturn = ((x.navWad - nav0) * WAD) / nav0;
  if (benchmark <= 0n)
    return { underlyingReturnWad: r, navReturnWad: navReturn, benchmarkNavWad: null, decayWad: null };
  return {
    underlyingReturnWad: r,
    navReturnWad: navReturn,
    benchmarkNavWad: benchmark,
    decayWad: (x.navWad * WAD) / benchmark - WAD,
  };
}
