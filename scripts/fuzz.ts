/**
 * `npm run fuzz -- --seed <n> --runs <n> [--len <n>] [--path <p>] [--no-shrink]`: the model-based invariant test
 * (test/invariant/Mechanism.invariant.test.ts) with more sequences or a fixed seed (to replay a CI failure, pass the
 * seed and path fast-check printed). Thin: it only sets FUZZ_* and runs `hardhat test` on that file.
 */
import { spawnSync } from "child_process";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const env: NodeJS.ProcessEnv = { ...process.env };
const runs = option("runs");
const seed = option("seed");
const len = option("len");
const replayPath = option("path");
if (runs !== undefined) env.FUZZ_RUNS = runs;
env.FUZZ_SEED = seed ?? String(Math.floor(Math.random() * 2 ** 31)); // a fresh seed unless replaying
if (len !== undefined) env.FUZZ_LEN = len;
if (replayPath !== undefined) env.FUZZ_PATH = replayPath;
if (process.argv.includes("--no-shrink")) env.FUZZ_NO_SHRINK = "1";
console.log(`fuzz: runs=${env.FUZZ_RUNS ?? 200} len=${env.FUZZ_LEN ?? 50} seed=${env.FUZZ_SEED}`);
const r = spawnSync("npx", ["hardhat", "test", "test/invariant/Mechanism.invariant.test.ts"], {
  stdio: "inherit",
  env,
});
process.exit(r.status ?? 1);
