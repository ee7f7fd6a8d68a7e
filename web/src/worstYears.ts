/**
 * The risk warning's worst calendar years of the 3x products, copied from the backtest's per-year results
 * (docs/backtest.md; per window in docs/backtest/BTC3L-ballast-tick.json and BTC3S-ballast-tick.json): 100,000 USD
 * minted at the start of each calendar year, the default rules (methodology v2), tick keeper.
 * test/unit/RiskFigures.test.ts fails when they and the committed runs disagree.
 */
export const WORST_YEARS: Record<string, string> = {
  BTC3L: "2018: $100,000 → $72 (−99.93%); 2022: $100,000 → $758 (−99.24%); 2021: $100,000 → $9,550 (−90.45%)",
  BTC3S: "2020: $100,000 → $134 (−99.87%); 2017: $100,000 → $140 (−99.86%); 2019: $100,000 → $811 (−99.19%)",
};
