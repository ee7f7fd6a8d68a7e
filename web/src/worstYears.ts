/**
 * The risk warning's worst calendar years of the 3x products, copied from the backtest's per-year results
 * (docs/backtest.md; per window in docs/backtest/BTC3L-ballast-tick.json and BTC3S-ballast-tick.json): 100,000 USD
 * minted at the start of each calendar year, the default rules (methodology v2), tick keeper.
 * test/unit/RiskFigures.test.ts fails when they and the committed runs disagree.
 */
export const WORST_YEARS: Record<string, string> = {
  BTC3L: "2018: $100,000 → $105 (−99.90%); 2022: $100,000 → $1,091 (−98.91%); 2021: $100,000 → $9,589 (−90.41%)",
  BTC3S: "2020: $100,000 → $150 (−99.85%); 2017: $100,000 → $166 (−99.83%); 2019: $100,000 → $736 (−99.26%)",
};
