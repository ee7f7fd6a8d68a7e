import { expect } from "chai";
import { methodologyForRules, RULES } from "../../scripts/backtest/presets";
import { parseArgs } from "../../scripts/backtest/cli";

describe("backtest rule presets", () => {
  it("give every rule set a methodology the Rebalancer accepts (ordering, uint64 WAD, venue max 20x)", () => {
    const U64 = 2n ** 64n - 1n;
    for (const rules of RULES) {
      for (const [L, isLong] of [
        [2, true],
        [2, false],
        [3, true],
        [3, false],
      ] as const) {
        const m = methodologyForRules(rules, L, isLong, 20);
        const label = `${rules} ${L}x ${isLong ? "long" : "short"}`;
        expect(m.minLeverage > 0n, label).to.equal(true);
        expect(m.minLeverage <= m.targetLeverage && m.targetLeverage <= m.maxLeverage, label).to.equal(true);
        expect(m.maxLeverage < m.ripcordLeverage && m.ripcordLeverage <= 20n * 10n ** 18n, label).to.equal(true);
        expect(m.ripcordLeverage <= U64 && m.tolerance < m.targetLeverage, label).to.equal(true);
        expect(m.interval > 0 && m.interval < 2 ** 32, label).to.equal(true);
        expect(m.innerBand >= 0n && m.innerBand <= 75n * 10n ** 16n, label).to.equal(true);
      }
    }
  });

  it("sweep overrides: a symmetric band, the band's bottom alone (asymmetric), interval and ripcord", () => {
    const wad = (x: string) => BigInt(Math.round(Number(x) * 1e6)) * 10n ** 12n;
    const sym = methodologyForRules("ballast-v1", 3, true, 20, { bandFraction: 0.25 });
    expect([sym.minLeverage, sym.maxLeverage]).to.deep.equal([wad("2.25"), wad("3.75")]);
    const asym = methodologyForRules("ballast-v1", 3, true, 20, { bandLowFraction: 0.5 });
    expect([asym.minLeverage, asym.targetLeverage, asym.maxLeverage]).to.deep.equal([wad("1.5"), wad("3"), wad("3.5")]);
    const both = methodologyForRules("ballast-v1", 3, true, 20, {
      bandFraction: 0.1,
      bandLowFraction: 0.5,
      interval: 3 * 86_400,
    });
    expect([both.minLeverage, both.maxLeverage, both.interval]).to.deep.equal([wad("1.5"), wad("3.3"), 3 * 86_400]);
  });
});

describe("methodology v2's daily tolerance (--tolerance)", () => {
  it("is 0 (FTX's exact daily reset) on both sides as chosen, 5% of target unset, any fraction when given", () => {
    const e18 = 10n ** 18n;
    expect(methodologyForRules("ballast", 3, true, 20).tolerance).to.equal(0n); // the longs' choice
    expect(methodologyForRules("ballast", 3, false, 20).tolerance).to.equal(0n); // the shorts' choice
    // A parameter set without a tolerance (the first sweep's candidates) takes DEFAULT_TOLERANCE.
    expect(methodologyForRules("ballast", 3, true, 20, { v2: { tolerance: undefined } }).tolerance).to.equal(
      (15n * e18) / 100n,
    );
    expect(methodologyForRules("ballast", 2, false, 20, { v2: { tolerance: 0.05 } }).tolerance).to.equal(e18 / 10n);
    expect(methodologyForRules("ballast", 2, true, 20, { v2: { tolerance: 0.02 } }).tolerance).to.equal(
      (4n * e18) / 100n,
    );
    expect(methodologyForRules("ballast", 3, true, 20, { v2: { tolerance: 0 } }).tolerance).to.equal(0n);
  });

  it("parses from the command line, and refuses a negative one or one on another rule set", () => {
    const base = ["--prices", "p.csv", "--product", "BTC3S"];
    expect(parseArgs([...base, "--tolerance", "0"]).overrides.v2).to.deep.equal({ tolerance: 0 });
    expect(() => parseArgs([...base, "--tolerance", "-0.1"])).to.throw("--tolerance must be at least 0 and below 1");
    expect(() => parseArgs([...base, "--tolerance", "x"])).to.throw("--tolerance must be at least 0 and below 1");
    expect(() => parseArgs([...base, "--rules", "ftx", "--tolerance", "0"])).to.throw("--rules ballast");
  });
});
