/**
 * npm run backtest:stress [-- --out <dir>] [--run] [--products BTC2L,BTC2S,BTC3L,BTC3S] [--keepers tick,bar]
 *
 * Synthetic stress paths for methodology v2, written as the backtester's CSVs (2-hour candles, and an 8-hour funding
 * file), each from a fixed formula (no randomness): anyone regenerates the same files.
 *
 * - crash-recover:  −60% over 14 days in 2% candles, 30 days flat, then back to the start over 60 days.
 * - chop:           90 days of candles alternating ±4% (close to close), wicks 1% beyond.
 * - squeeze:        +80% over 3 days (a short squeeze), then −30% over 3 days.
 * - gap-down:       20 days drifting −1% a day, then one candle whose low is −24.5% (the history's worst 2-hour fall),
 *                   closing −20%, then flat.
 * - gap-up:         20 days drifting +1% a day, then one candle whose high is +33.7% (the history's worst 2-hour rise),
 *                   closing +25%, then flat.
 * - funding:        180 days of slow ±1% daily swings with funding at the history's cap, +0.3% per 8 h (longs pay),
 *                   and the same path with −0.3% (shorts pay).
 * - eth-proxy:      the BTC history with every candle's log moves scaled by 1.3 (ETH's 2-hour volatility was about
 *                   1.3 × BTC's over 2017–2025 on public data; there is no ETH history in data/), for the ETH products.
 *
 * With `--run`, each path runs through `npm run backtest` for every product and keeper mode with the default (v2)
 * rules, one window over the whole path ("all"); results go to <out>/<path>-<product>-<keeper>.json and a summary
 * table is printed. The ETH proxy runs the ETH products over 2020–2022 (the March 2020 crash, the 2021 top, the
 * 2022 fall), yearly windows, tick mode.
 */
import { replaceSection } from "./doc-section";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "fs";
import { join, resolve } from "path";
import { dataArgs, spawnBacktest } from "./spawn";
import type { ReportJson } from "./report";

const ROOT = resolve(__dirname, "../..");
const H2 = 7_200;
const START = Date.UTC(2030, 0, 1) / 1000;

interface Candle {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
}

/** Candles whose closes follow `closes` (from an open at `p0`), wicks `wick` beyond the body either side. */
function fromCloses(p0: number, closes: number[], wick = 0.002): Candle[] {
  const out: Candle[] = [];
  let prev = p0;
  closes.forEach((c, i) => {
    const o = prev;
    out.push({ t: START + i * H2, o, h: Math.max(o, c) * (1 + wick), l: Math.min(o, c) * (1 - wick), c });
    prev = c;
  });
  return out;
}

/** `n` closes moving geometrically from `from` to `to`. */
const leg = (from: number, to: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => from * (to / from) ** ((i + 1) / n));

const flat = (p: number, n: number): number[] => Array(n).fill(p) as number[];

function crashRecover(): Candle[] {
  const p0 = 50_000;
  const crash = leg(p0, p0 * 0.4, 14 * 12);
  const closes = [...crash, ...flat(p0 * 0.4, 30 * 12), ...leg(p0 * 0.4, p0, 60 * 12)];
  return fromCloses(p0, closes);
}

function chop(): Candle[] {
  const p0 = 50_000;
  const closes: number[] = [];
  let p = p0;
  for (let i = 0; i < 90 * 12; i++) {
    p = i % 2 === 0 ? p * 1.04 : p / 1.04;
    closes.push(p);
  }
  return fromCloses(p0, closes, 0.01);
}

function squeeze(): Candle[] {
  const p0 = 50_000;
  const closes = [...flat(p0, 12), ...leg(p0, p0 * 1.8, 3 * 12), ...leg(p0 * 1.8, p0 * 1.8 * 0.7, 3 * 12)];
  return fromCloses(p0, closes);
}

function gap(direction: 1 | -1): Candle[] {
  const p0 = 50_000;
  const drift = leg(p0, p0 * (1 + direction * 0.01) ** 20, 20 * 12);
  const before = drift[drift.length - 1];
  const candles = fromCloses(p0, [...drift, ...flat(before, 1)]);
  const last = candles[candles.length - 1];
  // The gap candle: opens at `before`, reaches the history's worst 2-hour extreme, closes most of the way there.
  const extreme = direction < 0 ? before * (1 - 0.245) : before * (1 + 0.337);
  const close = direction < 0 ? before * 0.8 : before * 1.25;
  last.o = before;
  last.c = close;
  last.h = direction < 0 ? before * 1.001 : extreme;
  last.l = direction < 0 ? extreme : before * 0.999;
  const after = fromCloses(close, flat(close, 5 * 12)).map((c, i) => ({ ...c, t: last.t + (i + 1) * H2 }));
  return [...candles, ...after];
}

function fundingPath(): Candle[] {
  const p0 = 50_000;
  const closes = Array.from({ length: 180 * 12 }, (_, i) => p0 * (1 + 0.01 * Math.sin((2 * Math.PI * i) / 24)));
  return fromCloses(p0, closes);
}

/** The BTC history with each candle's moves (from the previous close) scaled by `k` in log terms. */
function scaled(k: number): Candle[] {
  const lines = readFileSync(join(ROOT, "data/btc-usdt-2h-2017-2025.csv"), "utf8").trim().split("\n").slice(1);
  const out: Candle[] = [];
  let prevSrc = 0;
  let prevOut = 0;
  for (const line of lines) {
    const [ts, o, h, l, c] = line.split(",");
    const t = Date.parse(`${ts.replace(" ", "T")}Z`) / 1000;
    const src = { o: Number(o), h: Number(h), l: Number(l), c: Number(c) };
    if (prevSrc === 0) {
      prevSrc = src.o;
      prevOut = src.o;
    }
    const map = (x: number) => prevOut * (x / prevSrc) ** k;
    const candle = { t, o: map(src.o), h: map(src.h), l: map(src.l), c: map(src.c) };
    out.push(candle);
    prevSrc = src.c;
    prevOut = candle.c;
  }
  return out;
}

const iso = (t: number): string => new Date(t * 1000).toISOString().slice(0, 19).replace("T", " ");

function writeCandles(file: string, candles: Candle[]): void {
  const rows = candles.map(
    (c) => `${iso(c.t)},${c.o.toFixed(2)},${c.h.toFixed(2)},${c.l.toFixed(2)},${c.c.toFixed(2)}`,
  );
  writeFileSync(file, `timestamp,open,high,low,close\n${rows.join("\n")}\n`);
}

function writeFunding(file: string, candles: Candle[], rate: number): void {
  const rows: string[] = [];
  for (let t = candles[0].t; t <= candles[candles.length - 1].t + 8 * 3600; t += 8 * 3600)
    rows.push(`${iso(t)},${rate}`);
  writeFileSync(file, `timestamp,funding_rate\n${rows.join("\n")}\n`);
}

export const PATHS = [
  "crash-recover",
  "chop",
  "squeeze",
  "gap-down",
  "gap-up",
  "funding-longs-pay",
  "funding-shorts-pay",
];

function arg(argv: string[], key: string): string | undefined {
  const i = argv.indexOf(`--${key}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const out = resolve(arg(argv, "out") ?? join(ROOT, "docs", "backtest", "stress"));
  mkdirSync(out, { recursive: true });
  const f = (name: string) => join(out, `${name}.csv`);
  const zero = (name: string, candles: Candle[]) => {
    writeCandles(f(name), candles);
    writeFunding(f(`${name}-funding`), candles, 0);
  };
  zero("crash-recover", crashRecover());
  zero("chop", chop());
  zero("squeeze", squeeze());
  zero("gap-down", gap(-1));
  zero("gap-up", gap(1));
  const fp = fundingPath();
  writeCandles(f("funding-longs-pay"), fp);
  writeFunding(f("funding-longs-pay-funding"), fp, 0.003);
  writeCandles(f("funding-shorts-pay"), fp);
  writeFunding(f("funding-shorts-pay-funding"), fp, -0.003);
  writeCandles(f("eth-proxy"), scaled(1.3));
  process.stdout.write(`wrote ${PATHS.length + 1} paths to ${out}\n`);
  if (!argv.includes("--run")) return;

  const products = (arg(argv, "products") ?? "BTC2L,BTC2S,BTC3L,BTC3S").split(",");
  const keepers = (arg(argv, "keepers") ?? "tick,bar").split(",");
  const jobs: { key: string; args: string[] }[] = [];
  for (const path of PATHS)
    for (const product of products)
      for (const keeper of keepers)
        jobs.push({
          key: `${path}-${product}-${keeper}`,
          args: [...dataArgs(f(path), f(`${path}-funding`), product), "--keeper", keeper, "--window", "all"],
        });
  if (!argv.includes("--no-eth"))
    // The ETH proxy is the full history: tick mode only (the mode the protocol is designed for), to keep the run short.
    for (const product of ["ETH2L", "ETH2S", "ETH3L", "ETH3S"])
      for (const keeper of ["tick"])
        jobs.push({
          key: `eth-proxy-${product}-${keeper}`,
          args: [
            ...dataArgs(f("eth-proxy"), join(ROOT, "data/btc-usdt-perp-funding-8h-2019-2026.csv"), product),
            ...["--keeper", keeper, "--from", "2020-01-01", "--to", "2022-12-31"],
          ],
        });
  const concurrency = Number(arg(argv, "concurrency") ?? 2);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const j = jobs[next++];
      const json = join(out, `${j.key}.json`);
      if (existsSync(json) && !argv.includes("--force")) continue;
      const { code, out: text } = await spawnBacktest([...j.args, "--quiet", "--json", json]);
      writeFileSync(join(out, `${j.key}.txt`), `$ npm run backtest -- ${j.args.join(" ")}\n${text}\nexit ${code}\n`);
      process.stderr.write(`${j.key}: exit ${code}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const lines = [
    "| path | product | keeper | liquidations | ripcords | max leverage | min margin ratio | end NAV / start |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const j of jobs) {
    const file = join(out, `${j.key}.json`);
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, "utf8")) as ReportJson;
    const [path, product, keeper] = [
      j.key.slice(0, j.key.lastIndexOf("-", j.key.lastIndexOf("-") - 1)),
      ...j.key.split("-").slice(-2),
    ];
    lines.push(
      `| ${path} | ${product} | ${keeper} | ${r.liquidations} | ${r.ripcords} | ${r.maxLeverage === null ? "unbounded" : r.maxLeverage.toFixed(2)} | ${(r.minMarginRatio * 100).toFixed(1)}% | ${(r.endNav / r.startNav).toFixed(3)} |`,
    );
  }
  writeFileSync(join(out, "summary.md"), `${lines.join("\n")}\n`);
  process.stdout.write(`${lines.join("\n")}\n`);
  const DOC = join(ROOT, "docs", "backtest.md");
  const BEGIN = "<!-- stress:begin (generated by npm run backtest:stress -- --run; edits below are overwritten) -->";
  const END = "<!-- stress:end -->";
  const doc = readFileSync(DOC, "utf8");
  writeFileSync(DOC, replaceSection(doc, BEGIN, END, [BEGIN, "", ...lines, "", END].join("\n")));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
