import { expect } from "chai";
import { methodologyForRules, RULES } from "../../scripts/backtest/presets";

describe("backtest rule presets", () => {
  it("give every rule set a methodology the Rebalancer accepts (ordering, uint64 WAD, venue max 20x)", () => {
    const U64 = 2n ** 64n - 1n;
    for (const rules of RULES) {
      for (const L of [2, 3]) {
        const m = methodologyForRules(rules, L, 20);
        const label = `${rules} ${L}x`;
        expect(m.minLeverage > 0n, label).to.equal(true);
        expect(m.minLeverage <= m.targetLeverage && m.targetLeverage <= m.maxLeverage, label).to.equal(true);
        expect(m.maxLeverage < m.ripcordLeverage && m.ripcordLeverage <= 20n * 10n ** 18n, label).to.equal(true);
        expect(m.ripcordLeverage <= U64 && m.tolerance < m.targetLeverage, label).to.equal(true);
        expect(m.interval > 0 && m.interval < 2 ** 32, label).to.equal(true);
      }
    }
  });
});
