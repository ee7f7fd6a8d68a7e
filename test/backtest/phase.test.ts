import { expect } from "chai";
import { renderVerdict } from "../../scripts/backtest/history";
import { renderPhase } from "../../scripts/backtest/phase";

describe("backtest:phase (scripts/backtest/phase.ts)", () => {
  it("gives each product and window the verdict of backtest:history at midnight, from the same committed runs", () => {
    const products = ["BTC2L", "BTC2S", "BTC3L", "BTC3S"];
    const phase = renderPhase(products, ["full", "oos"], []).split("\n");
    const verdict = renderVerdict(products).split("\n");
    for (const product of products) {
      for (const [window, label] of [
        ["full history", "full history"],
        ["2022–2025", "2022–2025 (out of sample)"],
      ]) {
        const row = phase.find((l) => l.startsWith(`| ${product} | ${window} | 0:00 |`));
        const v2 = verdict.find((l) => l.startsWith(`| ${product} | ${label} | **v2 (ballast)** |`));
        expect(row, `${product} ${window}`).to.not.equal(undefined);
        const cells = (l: string) => l.split("|").map((c) => c.trim());
        expect(cells(row!)[9]).to.equal(cells(v2!)[11]);
      }
    }
  });
});
