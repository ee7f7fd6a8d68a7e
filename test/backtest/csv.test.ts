import { expect } from "chai";
import { parseArgs, windows } from "../../scripts/backtest/cli";
import { CsvError, parseFunding, parsePrices, parseTimestamp, type Candle } from "../../scripts/backtest/csv";
import type { Window } from "../../scripts/backtest/types";

const HEADER = "timestamp,open,high,low,close,volume";

function errorOf(fn: () => unknown): CsvError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error("expected a CsvError");
}

describe("backtest CSV input", () => {
  it("reads ISO-8601, 'YYYY-MM-DD HH:MM:SS' UTC, unix seconds and unix milliseconds as the same instant", () => {
    const t = Date.UTC(2020, 2, 12, 10, 0, 0) / 1000;
    expect(parseTimestamp("2020-03-12 10:00:00")).to.equal(t);
    expect(parseTimestamp("2020-03-12T10:00:00Z")).to.equal(t);
    expect(parseTimestamp("2020-03-12T12:00:00+02:00")).to.equal(t);
    expect(parseTimestamp("2020-03-12T10:00:00.000Z")).to.equal(t);
    expect(parseTimestamp(String(t))).to.equal(t);
    expect(parseTimestamp(String(t * 1000))).to.equal(t);
  });

  it("parses candles, infers the bar length and reports gaps", () => {
    const text = [
      HEADER,
      "2020-03-12 06:00:00,7900,7950,7800,7850,1",
      "2020-03-12 08:00:00,7850,7900,7600,7700,1",
      "2020-03-12 10:00:00,7700,7700,5800,6000,1",
      "2020-03-12 16:00:00,6000,6100,5900,6050,1", // 4 h gap: 2 bars missing
    ].join("\n");
    const s = parsePrices("inline.csv", text);
    expect(s.candles).to.have.length(4);
    expect(s.barSeconds).to.equal(7200);
    expect(s.gaps).to.deep.equal([
      { from: Date.UTC(2020, 2, 12, 10) / 1000, to: Date.UTC(2020, 2, 12, 16) / 1000, missingBars: 2 },
    ]);
    expect(s.candles[2]).to.include({ o: 7700, h: 7700, l: 5800, c: 6000, line: 4 });
  });

  it("fails with file, line number and reason", () => {
    const cases: [string, number, RegExp][] = [
      [
        `${HEADER}\n2020-03-12 06:00:00,1,2,0.5,1.5,1\n2020-03-12 08:00:00,1,2,abc,1.5,1`,
        3,
        /low "abc" is not a number/,
      ],
      [`${HEADER}\n2020-03-12 06:00:00,1,2,0.5,1.5,1\n2020-13-12 08:00:00,1,2,0.5,1.5,1`, 3, /not a valid date/],
      [`${HEADER}\n2020-03-12 06:00:00,1,2,0.5,1.5,1\nyesterday,1,2,0.5,1.5,1`, 3, /neither ISO-8601/],
      [`${HEADER}\n2020-03-12 06:00:00,1,2,0.5,3,1`, 2, /inconsistent candle/],
      [
        `${HEADER}\n2020-03-12 06:00:00,1,2,0.5,1.5,1\n2020-03-12 06:00:00,1,2,0.5,1.5,1`,
        3,
        /is not after the previous row/,
      ],
      [`${HEADER}\n2020-03-12 06:00:00,1,2,0.5`, 2, /expected at least 5 columns/],
      [`${HEADER}\n2020-03-12 06:00:00,0,2,0.5,1.5,1`, 2, /prices must be positive/],
      [`time,open,high,low,close\n2020-03-12 06:00:00,1,2,0.5,1.5`, 1, /header is missing column\(s\) timestamp/],
      [`${HEADER}\n`, 2, /no data rows/],
      ["", 1, /empty file/],
    ];
    for (const [text, line, reason] of cases) {
      const e = errorOf(() => parsePrices("prices.csv", text));
      expect(e.file).to.equal("prices.csv");
      expect(e.line, e.message).to.equal(line);
      expect(e.message).to.match(reason);
      expect(e.message.startsWith(`prices.csv:${line}: `)).to.equal(true);
    }
  });

  it("parses funding rates and rejects malformed ones with their line", () => {
    const f = parseFunding(
      "f.csv",
      "timestamp,funding_rate\n2020-03-12 00:00:00.000,0.0001\n2020-03-12 08:00:00.010,-0.0002\n2020-03-12 16:00:00,0.0003",
    );
    expect(f.intervalSeconds).to.equal(8 * 3600);
    expect(f.points.map((p) => p.rate)).to.deep.equal([0.0001, -0.0002, 0.0003]);
    const e = errorOf(() =>
      parseFunding("f.csv", "timestamp,funding_rate\n2020-03-12 00:00:00,0.0001\n2020-03-12 08:00:00,x"),
    );
    expect(e.message).to.equal('f.csv:3: funding_rate "x" is not a number');
    expect(errorOf(() => parseFunding("f.csv", "timestamp,funding_rate\n2020-03-12 00:00:00,0.5")).line).to.equal(2);
  });
});

describe("backtest windows (scripts/backtest/cli.ts)", () => {
  const at = (y: number, m: number, d: number, h: number): Candle => ({
    t: Date.UTC(y, m, d, h) / 1000,
    o: 1,
    h: 1,
    l: 1,
    c: 1,
    line: 2,
  });
  const candles = [at(2017, 11, 31, 22), at(2018, 0, 1, 0), at(2018, 0, 1, 6), at(2018, 0, 1, 8), at(2018, 5, 1, 0)];

  it("cuts calendar years at midnight UTC, or --window-offset after it", () => {
    const sizes = (ws: Window[]) => ws.map((w) => `${w.label}:${w.candles.length}`);
    expect(sizes(windows(candles, "year"))).to.deep.equal(["2017:1", "2018:4"]);
    expect(sizes(windows(candles, "year", 8 * 3600))).to.deep.equal(["2017:3", "2018:2"]);
    expect(sizes(windows(candles, "all", 8 * 3600))).to.deep.equal(["all:5"]);
  });

  it("reads --window-offset as a duration below a day", () => {
    const base = ["--prices", "p.csv"];
    expect(parseArgs(base).windowOffset).to.equal(0);
    expect(parseArgs([...base, "--window-offset", "8h"]).windowOffset).to.equal(8 * 3600);
    expect(() => parseArgs([...base, "--window-offset", "1d"])).to.throw(/less than a day/);
    expect(() => parseArgs([...base, "--window-offset", "soon"])).to.throw(/bad duration/);
  });
});
