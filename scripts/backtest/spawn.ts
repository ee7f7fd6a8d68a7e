/**
 * Runs the backtest CLI (scripts/backtest/cli.ts) in a child process, a fresh in-process chain per run, as
 * `npm run backtest` does; used by backtest:history, backtest:sweep and bench:backtest.
 */
import { spawn } from "child_process";
import { join, resolve } from "path";

const ROOT = resolve(__dirname, "../..");

export interface BacktestRun {
  code: number;
  /** stdout, followed by stderr unless `stderr` is "inherit". */
  out: string;
}

/** The CLI arguments naming the data and the product of a run. */
export const dataArgs = (prices: string, funding: string, product: string): string[] => [
  ...["--prices", prices, "--funding", funding],
  ...["--product", product],
];

/** Spawns `cli.ts <args>` from the repo root; stderr is collected with stdout, or passed through. */
export function spawnBacktest(args: string[], stderr: "collect" | "inherit" = "collect"): Promise<BacktestRun> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", join(ROOT, "scripts/backtest/cli.ts"), ...args],
      { cwd: ROOT, stdio: ["ignore", "pipe", stderr === "collect" ? "pipe" : "inherit"] },
    );
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => done({ code: code ?? 1, out }));
  });
}

/**
 * Runs `run` over `jobs`, at most `concurrency` at a time, in order; `onDone` after each, with how many have finished
 * and the job's wall time in seconds. Resolves when every job has run.
 */
export async function runPool<J, R>(
  jobs: readonly J[],
  concurrency: number,
  run: (job: J) => Promise<R>,
  onDone: (job: J, result: R, finished: number, seconds: number) => void = () => {},
): Promise<void> {
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const t0 = Date.now();
      const result = await run(job);
      finished += 1;
      onDone(job, result, finished, (Date.now() - t0) / 1000);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}
