/**
 * The page's risk warning quotes the three worst calendar years of the 3x products from the backtest: those strings
 * must be what the committed full-history run (docs/backtest/<product>-ballast-tick.json, the default rules, one
 * window per calendar year from 2017) says, to the dollar and the hundredth of a percent.
 */
import { expect } from "chai";
import { readFileSync } from "fs";
import { join } from "path";
import { WORST_YEARS } from "../../web/src/worstYears";

interface Window {
  startNav: number;
  endNav: number;
}

const dollars = (x: number): string => `$${Math.round(x).toLocaleString("en-US")}`;

function worstYears(symbol: string): string {
  const file = join(__dirname, "../../docs/backtest", `${symbol}-ballast-tick.json`);
  const { windows } = JSON.parse(readFileSync(file, "utf8")) as { windows: Window[] };
  return windows
    .map((w, i) => ({ year: 2017 + i, ...w, ret: w.endNav / w.startNav - 1 }))
    .sort((a, b) => a.ret - b.ret)
    .slice(0, 3)
    .map((w) => `${w.year}: ${dollars(w.startNav)} → ${dollars(w.endNav)} (−${Math.abs(w.ret * 100).toFixed(2)}%)`)
    .join("; ");
}

describe("risk warning figures (web/src/worstYears.ts) against the committed backtest", function () {
  for (const symbol of ["BTC3L", "BTC3S"]) {
    it(`${symbol}: the three worst calendar years are the backtest's`, function () {
      expect(WORST_YEARS[symbol]).to.equal(worstYears(symbol));
    });
  }
});
