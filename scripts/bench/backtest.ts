/**
 * npm run bench:backtest [-- --prices <csv> --funding <csv> --product BTC3L --keepers bar,tick --update]
 * npm run bench:backtest -- --venue aave [--product AaveETH2L,AaveBTC2L --from <date> --to <date>]   (the Aave case)
 *
 * The backtester's speed benchmark (issue: one product over the full history within 60 s in bar mode and 180 s in tick
 * mode on a 2-core machine). Runs `npm run backtest -- ... --bench` once per keeper mode, each in its own process (a
 * fresh in-process chain), sequentially, and prints per run: wall seconds, ms per bar, the raw in-process transaction
 * rate measured in the same process before and after, and the load-independent figure — what one candle costs in raw
 * transactions. Writes bench/backtest.json.
 *
 * Fails (exit 1) when a run exceeds its time target, or when a candle costs more than 25% more raw transactions than
 * in bench/backtest-baseline.json (a regression that load cannot explain). `--update` rewrites the baseline.
 */
import { dataArgs, spawnBacktest } from "../backtest/spawn";
import { existsSync, readFileSync, writeFileSync } from "fs";
import { cpus, loadavg } from "os";
import { join, resolve } from "path";

const ROOT = resolve(__dirname, "../..");
const TARGET_SECONDS: Record<string, number> = { bar: 60, tick: 180 };
const REGRESSION = 1.25;
/** The Aave case's target per product: the full history in bar mode within 15 minutes. */
const AAVE_TARGET_SECONDS = 900;

function arg(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
}

interface Figures {
  keeper: string;
  bars: number;
  wallSeconds: number;
  msPerBar: number;
  rawTxPerSecond: [number, number];
  rawTxPerBar: number;
}

async function runOnce(args: string[]): Promise<string> {
  const { code, out } = await spawnBacktest(args, "inherit");
  if (code !== 0) throw new Error(`backtest exited ${code}\n${out}`);
  return out;
}

/** Parses the `benchmark:` line that `backtest --bench` prints. */
export function parseBenchLine(keeper: string, out: string): Figures {
  const line = out.split("\n").find((l) => l.startsWith("benchmark:"));
  if (!line) throw new Error(`no benchmark line in the output:\n${out}`);
  const num = (re: RegExp): number => {
    const m = re.exec(line);
    if (!m) throw new Error(`cannot read ${re} from: ${line}`);
    return Number(m[1]);
  };
  return {
    keeper,
    bars: num(/benchmark: (\d+) bars/),
    wallSeconds: num(/whole run ([\d.]+) s wall/),
    msPerBar: num(/\(([\d.]+) ms\/bar\)/),
    rawTxPerSecond: [num(/: (\d+) tx\/s before/), num(/, (\d+) after/)],
    rawTxPerBar: num(/one bar costs ([\d.]+) raw transactions/),
  };
}

/** The Aave case's figures, from the `aave benchmark:` line of one product. */
export interface AaveFigures {
  product: string;
  bars: number;
  windowsSeconds: number;
  msPerBar: number;
  cpuSeconds: number;
  cpuMsPerBar: number;
  setupSeconds: number;
}

/** Parses every `aave benchmark:` line that `backtest --venue aave --bench` prints. */
export function parseAaveBenchLines(out: string): AaveFigures[] {
  return out
    .split("\n")
    .filter((l) => l.startsWith("aave benchmark:"))
    .map((line) => {
      const m =
        /aave benchmark: (\S+) (\d+) bars.*windows ([\d.]+) s \(([\d.]+) ms\/bar\); setup ([\d.]+) s; windows CPU ([\d.]+) s \(([\d.]+) ms\/bar\)/.exec(
          line,
        );
      if (!m) throw new Error(`cannot read the aave benchmark line: ${line}`);
      return {
        product: m[1],
        bars: Number(m[2]),
        windowsSeconds: Number(m[3]),
        msPerBar: Number(m[4]),
        setupSeconds: Number(m[5]),
        cpuSeconds: Number(m[6]),
        cpuMsPerBar: Number(m[7]),
      };
    });
}

/**
 * `--venue aave`: AaveETH2L and AaveBTC2L over the BTC history in bar mode on the real-venue market, one process,
 * one product after the other (`--from`/`--to` for a shorter window). Target: each product within AAVE_TARGET_SECONDS.
 */
async function aaveCase(argv: string[], prices: string): Promise<void> {
  const range = ["from", "to", "product", "json"].flatMap((k) =>
    argv.includes(`--${k}`) ? [`--${k}`, arg(argv, k, "")] : [],
  );
  const args = ["--venue", "aave", "--prices", prices, ...range, "--bench", "--quiet"];
  process.stderr.write(`bench: aave ${args.join(" ")} ...\n`);
  const out = await runOnce(args);
  process.stdout.write(out); // the run's own report, then the figures
  const figures = parseAaveBenchLines(out);
  const failures: string[] = [];
  for (const f of figures) {
    console.log(
      `${f.product} aave bar ${f.bars} bars in ${f.windowsSeconds.toFixed(1)} s wall (target ${AAVE_TARGET_SECONDS} s), ${f.msPerBar} ms/bar; ` +
        `CPU ${f.cpuSeconds.toFixed(1)} s (${f.cpuMsPerBar} ms/bar); market setup ${f.setupSeconds} s (once for the process)`,
    );
    if (f.windowsSeconds > AAVE_TARGET_SECONDS)
      failures.push(`${f.product}: ${f.windowsSeconds} s > ${AAVE_TARGET_SECONDS} s`);
  }
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
  for (const f of figures)
    writeFileSync(join(ROOT, "bench", `backtest-aave-${f.product}.json`), `${JSON.stringify(f, null, 2)}\n`);
  if (failures.length) {
    console.log(`FAILED: ${failures.join("; ")}`);
    process.exitCode = 1;
  } else console.log("bench:backtest (aave) passed");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const prices = resolve(ROOT, arg(argv, "prices", "data/btc-usdt-2h-2017-2025.csv"));
  const funding = resolve(ROOT, arg(argv, "funding", "data/btc-usdt-perp-funding-8h-2019-2026.csv"));
  if (arg(argv, "venue", "perp") === "aave") {
    if (!existsSync(prices)) throw new Error(`${prices} not found`);
    return aaveCase(argv, prices);
  }
  const product = arg(argv, "product", "BTC3L");
  const keepers = arg(argv, "keepers", "bar,tick").split(",");
  if (!existsSync(prices)) throw new Error(`${prices} not found (the full history lives in data/, see data/README.md)`);
  const baselineFile = join(ROOT, "bench", "backtest-baseline.json");
  const baseline = existsSync(baselineFile)
    ? (JSON.parse(readFileSync(baselineFile, "utf8")) as Record<string, Figures>)
    : {};
  const results: Record<string, Figures> = {};
  const failures: string[] = [];
  for (const keeper of keepers) {
    const args = [...dataArgs(prices, funding, product), "--keeper", keeper, "--bench", "--quiet"];
    process.stderr.write(`bench: ${product} ${keeper} over ${prices} ...\n`);
    const f = parseBenchLine(keeper, await runOnce(args));
    results[keeper] = f;
    const target = TARGET_SECONDS[keeper];
    const base = baseline[keeper];
    const vs = base ? ` (baseline ${base.rawTxPerBar})` : "";
    console.log(
      `${product} ${keeper.padEnd(4)} ${f.bars} bars in ${f.wallSeconds.toFixed(1)} s wall (target ${target} s), ${f.msPerBar} ms/bar; ` +
        `raw in-process rate ${f.rawTxPerSecond[0]} / ${f.rawTxPerSecond[1]} tx/s (before / after); one bar = ${f.rawTxPerBar} raw transactions${vs}`,
    );
    if (f.wallSeconds > target) failures.push(`${keeper}: ${f.wallSeconds} s > ${target} s`);
    if (base && f.rawTxPerBar > base.rawTxPerBar * REGRESSION)
      failures.push(`${keeper}: ${f.rawTxPerBar} raw tx per bar > ${REGRESSION} x ${base.rawTxPerBar}`);
  }
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
  writeFileSync(join(ROOT, "bench", "backtest.json"), `${JSON.stringify(results, null, 2)}\n`);
  if (argv.includes("--update")) writeFileSync(baselineFile, `${JSON.stringify(results, null, 2)}\n`);
  if (failures.length) {
    console.log(`FAILED: ${failures.join("; ")}`);
    process.exitCode = 1;
  } else console.log("bench:backtest passed");
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
