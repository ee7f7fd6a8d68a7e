/**
 * npx hardhat ballast:bench-gas [--update-baseline] [--breakdown] [--json] [--no-streaming-fee]   (npm run bench:gas)
 *
 * The gas benchmark (scripts/bench/gas/): a table and bench/gas.json; exit code 1 if a figure is more than 2% above
 * bench/gas-baseline.json. The breakdown of mint, redeem and rebalance is always written to bench/out/breakdown.md.
 */
import { task } from "hardhat/config";
import { TASK_COMPILE } from "hardhat/builtin-tasks/task-names";
import type { GasBenchOptions } from "../scripts/bench/gas";

task("ballast:bench-gas", "Gas of every path against OpenZeppelin references; fails on a >2% regression")
  .addFlag("updateBaseline", "also write bench/gas-baseline.json (deliberately)")
  .addFlag("breakdown", "also regenerate the tables in bench/gas-breakdown.md")
  .addFlag("json", "machine output on stdout instead of the table")
  .addFlag("noStreamingFee", "experiment: BTC3L with a zero streaming fee; writes nothing")
  .setAction(async (args: GasBenchOptions, hre) => {
    await hre.run(TASK_COMPILE, { quiet: true });
    const { runGasBench } = await import("../scripts/bench/gas");
    if (await runGasBench(hre, args)) process.exitCode = 1;
  });
