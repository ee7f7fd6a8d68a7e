/**
 * npm run backtest -- --venue aave [options]
 *
 * The Aave products (AaveETH2L and AaveBTC2L by default) through the BTC history on the real-venue market (aave.ts),
 * one after the other on one in-process chain. There is no ETH history in data/: every product, the ETH ones too,
 * follows the BTC candles (the ETH market's feed and pool are moved to BTC's USD prices). Reports the perp backtest's
 * figures, with interest paid on Aave instead of funding, swap costs as the trading costs, and Aave's health factor.
 */
import { writeFileSync } from "fs";
import { cpus, loadavg } from "os";
import { resolve } from "path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { aaveLiquidationLeverage, moveToLeverage } from "../../config/aaveProducts";
import { liquidationMove, productDefaults } from "../../config/parameters";
import { parsePrices, parseTimestamp, shortDate } from "./csv";
import { AAVE_BACKTEST_PRODUCTS, AaveEngine, type AaveBacktestProduct, type AaveWindowResult } from "./aave";
import { aggregate, humanTable, windowJson, type ReportJson, type WindowJson } from "./report";
import { Progress, windows } from "./cli";

export const AAVE_USAGE = `usage: npm run backtest -- --venue aave [options]

  --prices <csv>          candles (default data/btc-usdt-2h-2017-2025.csv); every product follows them, ETH ones too
  --product <list>        comma-separated, of ${AAVE_BACKTEST_PRODUCTS.join(" ")} (default AaveETH2L,AaveBTC2L)
  --from <date> --to <date>   inclusive; a date without a time covers that whole day
  --window year|quarter|all   each window starts a fresh product (default year)
  --keeper bar            the only mode on this venue: keeper at each close, Aave's health factor judged at the low
  --deposit <usd>         the holder's mint per window (default 100000)
  --utilization <frac>    USDC reserve utilisation set by a background borrower at each window's start (default 0.8;
                          0 = the market as deployed, whose only borrowers are the products: a rate of ~0)
  --depth <usd>           full-range Uniswap liquidity added to each pool, USD at the deployment price (default 2e9)
  --pool lazy|eager       lazy (default): prices go to the feed, the pool is arbitraged to it before each of the
                          product's trades; eager: the pool follows every price (the same fills, slower)
  --exact                 ask the Rebalancer at every close (validates the leverage shortcut; slower)
  --json <file>           write the JSON report (one per product: <file> with the symbol inserted before .json)
  --bench                 print a benchmark line per product
  --quiet                 no progress bar`;

class AaveUsageError extends Error {}

export interface AaveCliOptions {
  prices: string;
  products: AaveBacktestProduct[];
  from?: number;
  to?: number;
  window: "year" | "quarter" | "all";
  deposit: number;
  utilization: number;
  depth: number;
  exact: boolean;
  pool: "lazy" | "eager";
  json?: string;
  bench: boolean;
  quiet: boolean;
}

function dateArg(s: string, end: boolean): number {
  const t = parseTimestamp(s);
  return end && /^\d{4}-\d{2}-\d{2}$/.test(s.trim()) ? t + 86400 : end ? t + 1e-6 : t;
}

export function parseAaveArgs(argv: string[]): AaveCliOptions {
  const args = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new AaveUsageError(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (["bench", "quiet", "help", "exact"].includes(key)) {
      flags.add(key);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new AaveUsageError(`--${key} needs a value`);
    args.set(key, value);
  }
  if (flags.has("help")) throw new AaveUsageError("");
  const known = [
    "venue",
    "prices",
    "product",
    "from",
    "to",
    "window",
    "keeper",
    "deposit",
    "utilization",
    "depth",
    "json",
    "pool",
  ];
  for (const k of args.keys())
    if (!known.includes(k)) throw new AaveUsageError(`unknown option --${k} with --venue aave`);
  if (args.get("venue") !== "aave") throw new AaveUsageError("--venue must be aave here");
  if ((args.get("keeper") ?? "bar") !== "bar") throw new AaveUsageError("--venue aave runs --keeper bar only");
  const products = (args.get("product") ?? "AaveETH2L,AaveBTC2L").split(",").map((s) => s.trim());
  for (const p of products)
    if (!(AAVE_BACKTEST_PRODUCTS as readonly string[]).includes(p))
      throw new AaveUsageError(`--product ${p}: one of ${AAVE_BACKTEST_PRODUCTS.join(", ")} with --venue aave`);
  const window = args.get("window") ?? "year";
  if (window !== "year" && window !== "quarter" && window !== "all")
    throw new AaveUsageError("--window must be year, quarter or all");
  const deposit = Number(args.get("deposit") ?? 100_000);
  if (!(deposit >= 10)) throw new AaveUsageError("--deposit must be at least 10 USD");
  const utilization = Number(args.get("utilization") ?? 0.8);
  if (!(utilization >= 0 && utilization < 0.95)) throw new AaveUsageError("--utilization must be in [0, 0.95)");
  const pool = args.get("pool") ?? "lazy";
  if (pool !== "lazy" && pool !== "eager") throw new AaveUsageError("--pool must be lazy or eager");
  const depth = Number(args.get("depth") ?? 2e9);
  if (!(depth >= 1e6)) throw new AaveUsageError("--depth must be at least 1e6 USD");
  return {
    prices: args.get("prices") ?? resolve(__dirname, "../../data/btc-usdt-2h-2017-2025.csv"),
    products: products as AaveBacktestProduct[],
    from: args.has("from") ? dateArg(args.get("from")!, false) : undefined,
    to: args.has("to") ? dateArg(args.get("to")!, true) : undefined,
    window,
    deposit,
    utilization,
    depth,
    exact: flags.has("exact"),
    pool,
    json: args.get("json"),
    bench: flags.has("bench"),
    quiet: flags.has("quiet"),
  };
}

/** The perp report's JSON, with interest instead of funding and the Aave figures, per window and in total. */
export interface AaveReportJson extends Omit<ReportJson, "windows"> {
  venue: "aave";
  interestPaid: number;
  minHealthFactor: number;
  borrowRatePct: { mean: number; min: number; max: number };
  windows: (WindowJson & { interestPaid: number; minHealthFactor: number; borrowRatePct: number })[];
}

const r2 = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export function aaveReport(symbol: string, ws: AaveWindowResult[], wall: number): AaveReportJson {
  // The perp report's aggregation, with interest in the funding slot, then moved to its own key.
  const base = aggregate(
    symbol,
    "ballast",
    "bar",
    ws.map((w) => ({ ...w, fundingPaid: w.interestPaid })),
    wall,
  );
  const bars = ws.reduce((a, w) => a + w.bars, 0);
  return {
    ...base,
    venue: "aave",
    fundingPaid: 0,
    interestPaid: base.fundingPaid,
    minHealthFactor: r2(Math.min(...ws.map((w) => w.minHealthFactor)), 4),
    borrowRatePct: {
      mean: r2(ws.reduce((a, w) => a + w.borrowRatePct.mean * w.bars, 0) / Math.max(1, bars), 3),
      min: r2(Math.min(...ws.map((w) => w.borrowRatePct.min)), 3),
      max: r2(Math.max(...ws.map((w) => w.borrowRatePct.max)), 3),
    },
    windows: ws.map((w) => ({
      ...windowJson(symbol, "ballast", "bar", { ...w, fundingPaid: 0 }),
      interestPaid: r2(w.interestPaid),
      minHealthFactor: r2(w.minHealthFactor, 4),
      borrowRatePct: r2(w.borrowRatePct.mean, 3),
    })),
  };
}

export interface AaveRunOutput {
  reports: AaveReportJson[];
  lines: string[];
}

/** Runs every product of `opts` on one chain; returns the reports and the printed lines. */
export async function runAaveBacktest(
  hre: HardhatRuntimeEnvironment,
  opts: AaveCliOptions,
  log: (s: string) => void,
): Promise<AaveRunOutput> {
  const out: string[] = [];
  const say = (s: string) => {
    out.push(s);
    log(s);
  };
  const setupStarted = Date.now();
  const series = parsePrices(opts.prices);
  const from = opts.from ?? -Infinity;
  const to = opts.to ?? Infinity;
  const candles = series.candles.filter((c) => c.t >= from && c.t < to);
  if (candles.length === 0) throw new AaveUsageError("no candles in the --from/--to range");
  const ws = windows(candles, opts.window);
  say(
    `${opts.prices}: ${candles.length} candles of ${series.barSeconds} s from ${shortDate(candles[0].t)} to ${shortDate(candles[candles.length - 1].t)} UTC; ` +
      `BTC's USD prices drive every product (no ETH history in data/: the ETH market follows BTC's candles)`,
  );
  const engine = new AaveEngine(hre);
  await engine.setup(opts.depth);
  const setupSeconds = (Date.now() - setupStarted) / 1000;
  say(
    `real-venue market deployed in ${setupSeconds.toFixed(1)} s; a ${opts.depth.toExponential(1)} USD full-range position added to each Uniswap pool; ` +
      `USDC utilisation held at ${opts.utilization} at each window's start by a background borrower; pool ${opts.pool}${opts.exact ? "; keeper asks at every close" : ""}`,
  );
  const reports: AaveReportJson[] = [];
  for (const symbol of opts.products) {
    const d = productDefaults(symbol);
    const m = d.methodology;
    const f = (x: bigint) => (Number(x) / 1e18).toString();
    const liqLev = aaveLiquidationLeverage(d.market, true);
    say("");
    say(
      `${symbol}: band ${f(m.minLeverage)}-${f(m.maxLeverage)} target ${f(m.targetLeverage)} ripcord ${f(m.ripcordLeverage)} interval ${m.interval / 3600} h tolerance ${f(m.tolerance)}; ` +
        `Aave liquidates at leverage ${liqLev.toFixed(2)} (health factor 1): ${(100 * moveToLeverage(Number(m.maxLeverage) / 1e18, liqLev, true)).toFixed(1)}% from the band top ` +
        `(a perp at 1% maintenance: ${(100 * liquidationMove(Number(m.maxLeverage) / 1e18, 0.01, true)).toFixed(1)}%); keeper bar; ${ws.length} window(s) of ${opts.window}, ${opts.deposit} USD each`,
    );
    engine.alignTime(candles[0].t);
    const progress = new Progress(candles.length, `${symbol} aave bar`, !opts.quiet);
    const results: AaveWindowResult[] = [];
    const started = Date.now();
    const cpuStarted = process.cpuUsage();
    for (const w of ws)
      results.push(
        await engine.runWindow(
          {
            symbol,
            deposit: opts.deposit,
            barSeconds: series.barSeconds,
            utilization: opts.utilization,
            exact: opts.exact,
            pool: opts.pool,
          },
          w,
          () => progress.tick(),
        ),
      );
    const loopSeconds = (Date.now() - started) / 1000;
    const loopCpu = process.cpuUsage(cpuStarted);
    const loopCpuSeconds = (loopCpu.user + loopCpu.system) / 1e6;
    const report = aaveReport(symbol, results, loopSeconds);
    reports.push(report);
    for (const line of humanTable(
      {
        ...report,
        fundingPaid: report.interestPaid,
        windows: report.windows.map((w) => ({ ...w, fundingPaid: w.interestPaid })),
      },
      results,
      "interest",
    ).split("\n"))
      say(line);
    const posted = results.reduce((a, w) => a + w.extremesPosted, 0);
    const asks = results.reduce((a, w) => a + w.keeperAsks, 0);
    say(
      `${symbol} on Aave: interest paid ${report.interestPaid.toFixed(2)} USD (USDC borrow rate mean ${report.borrowRatePct.mean}%/yr, ` +
        `${report.borrowRatePct.min}–${report.borrowRatePct.max}); swap costs ${report.tradingCosts.toFixed(2)} USD; lowest health factor ${report.minHealthFactor} ` +
        `(a ${(100 * (1 / report.minHealthFactor - 1)).toFixed(1)}% fall from there to liquidation); ${report.liquidations} liquidation(s); ` +
        `lows posted ${posted}, keeper asks ${asks}`,
    );
    if (opts.bench) {
      const cpu = process.cpuUsage();
      say(
        `aave benchmark: ${symbol} ${report.bars} bars, ${report.priceUpdates} price updates, ${report.rebalances + report.ripcords} keeper txs; ` +
          `windows ${loopSeconds.toFixed(1)} s (${((1000 * loopSeconds) / Math.max(1, report.bars)).toFixed(2)} ms/bar); setup ${setupSeconds.toFixed(1)} s; ` +
          `windows CPU ${loopCpuSeconds.toFixed(1)} s (${((1000 * loopCpuSeconds) / Math.max(1, report.bars)).toFixed(2)} ms/bar); process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s; load average ${loadavg()
            .map((x) => x.toFixed(1))
            .join(" ")} on ${cpus().length} cores`,
      );
    }
    if (opts.json) {
      const file = opts.json.endsWith(".json") ? `${opts.json.slice(0, -5)}.${symbol}.json` : `${opts.json}.${symbol}`;
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      say(`json: ${file}`);
    }
  }
  return { reports, lines: out };
}

export async function aaveMain(argv: string[]): Promise<void> {
  let opts: AaveCliOptions;
  try {
    opts = parseAaveArgs(argv);
    parsePrices(opts.prices);
  } catch (e) {
    if (e instanceof AaveUsageError) {
      if (e.message) process.stderr.write(`error: ${e.message}\n\n`);
      process.stderr.write(`${AAVE_USAGE}\n`);
      process.exitCode = e.message ? 2 : 0;
      return;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const hre = (await import("hardhat")).default;
  await hre.run("compile", { quiet: true });
  const { Engine } = await import("./engine");
  Engine.disableStackTraces(hre);
  await runAaveBacktest(hre, opts, (s) => console.log(s));
}
