/**
 * npm run backtest -- --prices <csv> [options]
 *
 * Runs a Ballast product through real price history on the in-process Hardhat network, with the real contracts
 * (see engine.ts), and compares it with the continuous-leverage theory of docs/mechanism.md. `--help` lists the options.
 */
import { writeFileSync } from "fs";
import { cpus, loadavg } from "os";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import {
  CsvError,
  iso,
  parseFunding,
  parsePrices,
  parseTimestamp,
  shortDate,
  type Candle,
  type PriceSeries,
} from "./csv";
import {
  Engine,
  productSpec,
  type EngineConfig,
  type FundingSchedule,
  type KeeperMode,
  type ProductSpec,
  type Window,
  type WindowResult,
} from "./engine";
import { RULES, type RuleOverrides, type RulesName } from "./presets";
import { aggregate, humanTable, type ReportJson } from "./report";
import { writeChart } from "./chart";

export const USAGE = `usage: npm run backtest -- --prices <csv> [options]

  --venue perp|aave       perp (default): the options below; aave: the Aave products, see --venue aave --help
  --prices <csv>          candles: header with timestamp,open,high,low,close (others ignored); timestamps ISO-8601,
                          "YYYY-MM-DD HH:MM:SS" (UTC) or unix seconds/milliseconds
  --funding <csv>         timestamp,funding_rate per funding interval (positive: longs pay); default: no funding
  --product <SYMBOL>      BTC2L BTC2S BTC3L BTC3S ETH2L ETH2S ETH3L ETH3S (default BTC3L)
  --leverage <x> --side long|short [--market BTC|ETH]   instead of --product
  --from <date> --to <date>   inclusive; a date without a time covers that whole day
  --window year|quarter|all   each window starts a fresh product (default year)
  --window-offset <dur>   cut year/quarter windows this long after midnight UTC, e.g. 8h (default 0): each window's
                          product is registered then, so its daily check starts at that hour of the day; give
                          --from the same hour (--from 2022-01-01T08:00:00Z), or its first hours form a window
  --keeper bar|tick       bar: keeper at each close, liquidation checked at each adverse extreme (default);
                          tick: open -> extremes -> close in oracle updates <= --step, keeper after each
  --step <pct>            tick size, e.g. 0.5% or 0.005 (default 0.5%)
  --rules ballast|ballast-v1|ftx|fli|tlx   rule set (default ballast: methodology v2; ballast-v1: the ±1/6 band)
  --band <frac> --interval <dur> --ripcord <multiple>   override the rule set (sweeps): band half-width as a
                          fraction of target, interval like 86400, 12h or 1d, ripcord as a multiple of target
  --band-low <frac>       the band's bottom alone, as a fraction of target below it (an asymmetric band)
  --width <x> --low <frac> --inner-band <frac> --envelope <frac> --tolerance <frac>   methodology v2's free
                          numbers (config/methodology.ts; --rules ballast): a 3x long's band width above target
                          (others scale by leverage drift), the bottom as a fraction of target below it, the inner
                          band a rebalance trades to, the smallest move from the band top to maintenance (caps the
                          top), the daily check's tolerance as a fraction of target (0: an exact daily reset)
  --deposit <usd>         the holder's mint per window (default 100000)
  --json <file>           write the JSON report
  --chart <file.svg>      write the chart
  --bench                 also measure and print the raw in-process transaction rate
  --quiet                 no progress bar`;

export interface CliOptions {
  prices: string;
  funding?: string;
  product: ProductSpec;
  from?: number;
  to?: number;
  window: "year" | "quarter" | "all";
  windowOffset: number;
  keeper: KeeperMode;
  step: number;
  rules: RulesName;
  overrides: RuleOverrides;
  deposit: number;
  json?: string;
  chart?: string;
  bench: boolean;
  quiet: boolean;
}

class UsageError extends Error {}

function duration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(s);
  if (!m) throw new UsageError(`bad duration ${s}`);
  const k = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
  return Math.round(Number(m[1]) * k);
}

function fraction(s: string, name: string): number {
  const pct = s.endsWith("%");
  const v = Number(pct ? s.slice(0, -1) : s);
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`${name} must be a positive number or percentage`);
  return pct ? v / 100 : v;
}

function dateArg(s: string, end: boolean): number {
  try {
    const t = parseTimestamp(s);
    return end && /^\d{4}-\d{2}-\d{2}$/.test(s.trim()) ? t + 86400 : end ? t + 1e-6 : t;
  } catch (e) {
    throw new UsageError(`bad date ${s}: ${(e as Error).message}`);
  }
}

export function parseArgs(argv: string[]): CliOptions {
  const args = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new UsageError(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (["bench", "quiet", "help"].includes(key)) {
      flags.add(key);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${key} needs a value`);
    args.set(key, value);
  }
  if (flags.has("help")) throw new UsageError("");
  const known = [
    "venue",
    "prices",
    "funding",
    "product",
    "leverage",
    "side",
    "market",
    "from",
    "to",
    "window",
    "window-offset",
    "keeper",
    "step",
    "rules",
    "band",
    "band-low",
    "interval",
    "ripcord",
    "width",
    "low",
    "inner-band",
    "envelope",
    "tolerance",
    "deposit",
    "json",
    "chart",
  ];
  for (const k of args.keys()) if (!known.includes(k)) throw new UsageError(`unknown option --${k}`);
  if ((args.get("venue") ?? "perp") !== "perp") throw new UsageError("--venue must be perp or aave");
  const prices = args.get("prices");
  if (!prices) throw new UsageError("--prices <csv> is required");
  let product: ProductSpec;
  if (args.has("leverage")) {
    if (args.has("product")) throw new UsageError("give --product or --leverage/--side, not both");
    const side = args.get("side") ?? "long";
    if (side !== "long" && side !== "short") throw new UsageError("--side must be long or short");
    product = productSpec(args.get("market") ?? "BTC", Number(args.get("leverage")), side);
  } else {
    try {
      product = productSpec(args.get("product") ?? "BTC3L");
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const window = args.get("window") ?? "year";
  if (window !== "year" && window !== "quarter" && window !== "all")
    throw new UsageError("--window must be year, quarter or all");
  const windowOffset = args.has("window-offset") ? duration(args.get("window-offset")!) : 0;
  if (windowOffset >= 86_400) throw new UsageError("--window-offset must be less than a day");
  const keeper = args.get("keeper") ?? "bar";
  if (keeper !== "bar" && keeper !== "tick") throw new UsageError("--keeper must be bar or tick");
  const rules = args.get("rules") ?? "ballast";
  if (!(RULES as readonly string[]).includes(rules)) throw new UsageError(`--rules must be one of ${RULES.join(", ")}`);
  const overrides: RuleOverrides = {};
  if (args.has("band")) overrides.bandFraction = fraction(args.get("band")!, "--band");
  if (args.has("band-low")) overrides.bandLowFraction = fraction(args.get("band-low")!, "--band-low");
  if (args.has("interval")) overrides.interval = duration(args.get("interval")!);
  if (args.has("ripcord")) overrides.ripcordMultiple = Number(args.get("ripcord"));
  const v2: NonNullable<RuleOverrides["v2"]> = {};
  if (args.has("width")) v2.widthScale = Number(args.get("width"));
  if (args.has("low")) v2.lowFraction = fraction(args.get("low")!, "--low");
  if (args.has("inner-band")) {
    v2.innerBand = Number(args.get("inner-band"));
    if (!(v2.innerBand >= 0 && v2.innerBand <= 0.75)) throw new UsageError("--inner-band must be between 0 and 0.75");
  }
  if (args.has("envelope")) v2.minTopEnvelope = fraction(args.get("envelope")!, "--envelope");
  if (args.has("tolerance")) {
    v2.tolerance = Number(args.get("tolerance"));
    if (!(v2.tolerance >= 0 && v2.tolerance < 1)) throw new UsageError("--tolerance must be at least 0 and below 1");
  }
  if (Object.keys(v2).length !== 0) {
    if (rules !== "ballast")
      throw new UsageError(
        "--width, --low, --inner-band, --envelope and --tolerance are methodology v2's: --rules ballast",
      );
    if (!(v2.widthScale === undefined || v2.widthScale > 0)) throw new UsageError("--width must be a positive number");
    overrides.v2 = v2;
  }
  const deposit = Number(args.get("deposit") ?? 100_000);
  if (!(deposit >= 10)) throw new UsageError("--deposit must be at least 10 USD");
  return {
    prices,
    funding: args.get("funding"),
    product,
    from: args.has("from") ? dateArg(args.get("from")!, false) : undefined,
    to: args.has("to") ? dateArg(args.get("to")!, true) : undefined,
    window,
    windowOffset,
    keeper,
    step: args.has("step") ? fraction(args.get("step")!, "--step") : 0.005,
    rules: rules as RulesName,
    overrides,
    deposit,
    json: args.get("json"),
    chart: args.get("chart"),
    bench: flags.has("bench"),
    quiet: flags.has("quiet"),
  };
}

/** Cuts candles into calendar windows (UTC), each starting `offset` seconds after its calendar start. */
export function windows(candles: Candle[], kind: "year" | "quarter" | "all", offset = 0): Window[] {
  if (kind === "all") return candles.length ? [{ label: "all", candles }] : [];
  const out: Window[] = [];
  for (const c of candles) {
    const d = new Date((c.t - offset) * 1000);
    const label =
      kind === "year" ? String(d.getUTCFullYear()) : `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    const last = out[out.length - 1];
    if (last && last.label === label) last.candles.push(c);
    else out.push({ label, candles: [c] });
  }
  return out;
}

function gapReport(series: PriceSeries, from: number, to: number): string[] {
  const gaps = series.gaps.filter((g) => g.to > from && g.from < to);
  if (gaps.length === 0) return [`${series.file}: ${series.candles.length} candles of ${series.barSeconds} s, no gaps`];
  const longest = gaps.reduce((a, g) => (g.to - g.from > a.to - a.from ? g : a));
  const lines = [
    `${series.file}: ${series.candles.length} candles of ${series.barSeconds} s; ${gaps.length} gap(s) longer than a bar in range, ` +
      `longest ${((longest.to - longest.from) / 3600).toFixed(0)} h after ${shortDate(longest.from)} (prices hold, funding accrues across gaps):`,
  ];
  for (const g of gaps.slice(0, 25))
    lines.push(`  gap ${shortDate(g.from)} -> ${shortDate(g.to)} UTC: ${g.missingBars} bar(s) missing`);
  if (gaps.length > 25) lines.push(`  ... and ${gaps.length - 25} more`);
  return lines;
}

export class Progress {
  private done = 0;
  private lastDraw = 0;
  private lastPct = -1;
  private readonly started = Date.now();
  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly enabled: boolean,
  ) {}
  tick(): void {
    this.done += 1;
    if (!this.enabled) return;
    const now = Date.now();
    const tty = process.stderr.isTTY;
    const pct = Math.floor((100 * this.done) / this.total);
    if (tty ? now - this.lastDraw < 200 && this.done < this.total : pct < this.lastPct + 10 && this.done < this.total)
      return;
    this.lastDraw = now;
    this.lastPct = pct;
    const el = (now - this.started) / 1000;
    const eta = this.done ? (el / this.done) * (this.total - this.done) : 0;
    const width = 30;
    const fill = Math.round((width * this.done) / this.total);
    const bar = `[${"#".repeat(fill)}${".".repeat(width - fill)}] ${String(pct).padStart(3)}% ${this.done}/${this.total} bars ${el.toFixed(0)} s, eta ${eta.toFixed(0)} s ${this.label}`;
    process.stderr.write(tty ? `\r${bar}` : `${bar}\n`);
    if (tty && this.done >= this.total) process.stderr.write("\n");
  }
}

export interface RunOutput {
  report: ReportJson;
  windows: WindowResult[];
  table: string;
  rawTxPerSecond?: number;
  /** The same measurement after the run (the machine is shared: the load may change during a long run). */
  rawTxPerSecondAfter?: number;
  /** Seconds spent in the windows themselves (without start-up, deployment and the raw-rate measurements). */
  loopSeconds: number;
}

/** The whole run, given a loaded Hardhat runtime. */
export async function runBacktest(
  hre: HardhatRuntimeEnvironment,
  opts: CliOptions,
  log: (s: string) => void,
): Promise<RunOutput> {
  const started = Date.now();
  const series = parsePrices(opts.prices);
  let funding: FundingSchedule | null = null;
  if (opts.funding) {
    const f = parseFunding(opts.funding);
    funding = { points: f.points, intervalSeconds: f.intervalSeconds };
  }
  const from = opts.from ?? -Infinity;
  const to = opts.to ?? Infinity;
  const candles = series.candles.filter((c) => c.t >= from && c.t < to);
  if (candles.length === 0) throw new UsageError("no candles in the --from/--to range");
  for (const line of gapReport(series, candles[0].t, candles[candles.length - 1].t + series.barSeconds)) log(line);
  if (funding) {
    const fp = funding.points;
    log(
      `${opts.funding}: ${fp.length} funding rates every ${funding.intervalSeconds / 3600} h from ${shortDate(fp[0].t)} to ${shortDate(fp[fp.length - 1].t)}; 0 outside`,
    );
  } else log("no --funding: funding rate 0");
  const ws = windows(candles, opts.window, opts.windowOffset);

  const engine = new Engine(hre);
  await engine.setup(opts.product.market);
  let rawTxPerSecond: number | undefined;
  // The benchmark's own measurement is not part of the run it measures.
  const rawStarted = Date.now();
  if (opts.bench) rawTxPerSecond = await engine.rawTxRate(2000);
  const rawSeconds = (Date.now() - rawStarted) / 1000;
  engine.alignTime(candles[0].t);
  const cfg: EngineConfig = {
    product: opts.product,
    rules: opts.rules,
    overrides: opts.overrides,
    keeper: opts.keeper,
    step: opts.step,
    deposit: opts.deposit,
    barSeconds: series.barSeconds,
    funding,
  };
  const m = engine.methodology(cfg);
  const f = (x: bigint) => (Number(x) / 1e18).toString();
  log(
    `${opts.product.symbol} rules ${opts.rules}: band ${f(m.minLeverage)}-${f(m.maxLeverage)} target ${f(m.targetLeverage)} ` +
      `ripcord ${f(m.ripcordLeverage)} interval ${m.interval / 3600} h tolerance ${f(m.tolerance)}; keeper ${opts.keeper}` +
      (opts.keeper === "tick" ? ` step ${(opts.step * 100).toFixed(2)}%` : "") +
      `; ${ws.length} window(s) of ${opts.window}, ${opts.deposit} USD each`,
  );
  const progress = new Progress(candles.length, `${opts.product.symbol} ${opts.rules} ${opts.keeper}`, !opts.quiet);
  const results: WindowResult[] = [];
  const loopStarted = Date.now();
  for (const w of ws) results.push(await engine.runWindow(cfg, w, () => progress.tick()));
  const loopSeconds = (Date.now() - loopStarted) / 1000;
  const wall = (Date.now() - started) / 1000 - rawSeconds;
  const rawTxPerSecondAfter = opts.bench ? await engine.rawTxRate(2000) : undefined;
  const report = aggregate(opts.product.symbol, opts.rules, opts.keeper, results, wall);
  const table = humanTable(report, results);
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.chart) {
    const title = `${opts.product.symbol} · ${opts.rules} rules · ${opts.keeper} keeper · ${iso(candles[0].t).slice(0, 10)} to ${iso(candles[candles.length - 1].t).slice(0, 10)}`;
    writeChart(opts.chart, title, results);
  }
  return { report, windows: results, table, rawTxPerSecond, rawTxPerSecondAfter, loopSeconds };
}

/** `--venue aave` (or `--venue=aave`) among the arguments: the Aave backtest (aave-cli.ts) takes them. */
export function wantsAave(argv: string[]): boolean {
  return argv.some((a, i) => a === "--venue=aave" || (a === "--venue" && argv[i + 1] === "aave"));
}

async function main(): Promise<void> {
  if (wantsAave(process.argv.slice(2))) {
    const { aaveMain } = await import("./aave-cli");
    return aaveMain(process.argv.slice(2));
  }
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
    // Fail on malformed input before the chain starts.
    parsePrices(opts.prices);
    if (opts.funding) parseFunding(opts.funding);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) process.stderr.write(`error: ${e.message}\n\n`);
      process.stderr.write(`${USAGE}\n`);
      process.exitCode = e.message ? 2 : 0;
      return;
    }
    if (e instanceof CsvError || (e as NodeJS.ErrnoException).code === "ENOENT") {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
  const hre = (await import("hardhat")).default;
  await hre.run("compile", { quiet: true });
  Engine.disableStackTraces(hre);
  const out = await runBacktest(hre, opts, (s) => console.log(s));
  console.log("");
  console.log(out.table);
  if (out.rawTxPerSecond !== undefined && out.rawTxPerSecondAfter !== undefined) {
    const r = out.report;
    const raw = (out.rawTxPerSecond + out.rawTxPerSecondAfter) / 2;
    const cpu = process.cpuUsage();
    console.log(
      `benchmark: ${r.bars} bars, ${r.priceUpdates} price updates, ${r.rebalances + r.ripcords} keeper txs; whole run ${r.wallSeconds} s wall, ` +
        `windows ${out.loopSeconds.toFixed(1)} s (${((1000 * out.loopSeconds) / Math.max(1, r.bars)).toFixed(2)} ms/bar); process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s; ` +
        `raw in-process rate in this run (timestamped tx + receipt): ${out.rawTxPerSecond.toFixed(0)} tx/s before, ${out.rawTxPerSecondAfter.toFixed(0)} after; ` +
        `one bar costs ${((out.loopSeconds / Math.max(1, r.bars)) * raw).toFixed(1)} raw transactions; load average ${loadavg()
          .map((x) => x.toFixed(1))
          .join(" ")} on ${cpus().length} cores`,
    );
  }
  if (opts.json) console.log(`json: ${opts.json}`);
  if (opts.chart) console.log(`chart: ${opts.chart}`);
}

if (require.main === module) {
  main()
    .catch((e) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    })
    // Exit at once: tearing down an in-process chain of ~100,000 blocks otherwise takes minutes.
    .finally(() => process.exit());
}
