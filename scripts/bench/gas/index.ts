/**
 * Gas benchmark (issue 8): full transaction gas (receipt.gasUsed) of Ballast's user and keeper paths next to
 * OpenZeppelin references deployed in the same run over the same USDC mock, a regression check against
 * bench/gas-baseline.json, and a per-contract / per-opcode-class breakdown of mint, redeem and rebalance.
 * Run by the `ballast:bench-gas` task (tasks/bench-gas.ts, `npm run bench:gas`).
 *
 *   suite.ts        the deployment and the references, in steady state
 *   meter.ts        how a figure is measured (clock step, snapshot of the keeper's "due" state)
 *   user-paths.ts   mint, redeem, transfer, permit, each with its reference (the fairness rules)
 *   keeper-paths.ts rebalance, performUpkeep over 1 and 8 products, an ITERATE chunk, ripcord
 *   aave-paths.ts   mint, redeem and rebalance of AaveETH2L on Aave v3 + Uniswap v3 (their npm bytecode)
 *   breakdown.ts    gas per contract and opcode class from a transaction's trace
 *   rows.ts         which figure is compared with what; report.ts the files; render.ts the text
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { measureAavePaths } from "./aave-paths";
import { measureKeeperPaths, measureTriggerPaths } from "./keeper-paths";
import { GasMeter } from "./meter";
import { renderBreakdown, renderTable, renderVerdict } from "./render";
import { benchDir, gasJson, readBaseline, regressionsOf, writeOutputs } from "./report";
import { rowsOf } from "./rows";
import { setUpSuite } from "./suite";
import { measureUserPaths } from "./user-paths";

export interface GasBenchOptions {
  /** Also write bench/gas-baseline.json (deliberately). */
  updateBaseline: boolean;
  /** Also regenerate the tables in bench/gas-breakdown.md. */
  breakdown: boolean;
  /** Machine output on stdout instead of the table. */
  json: boolean;
  /** Experiment: BTC3L with a zero streaming fee; writes nothing. */
  noStreamingFee: boolean;
}

/** Measures every path, writes the files and prints the report. Returns whether a figure regressed (and the
 *  baseline was not being rewritten). */
export async function runGasBench(hre: HardhatRuntimeEnvironment, opts: GasBenchOptions): Promise<boolean> {
  const suite = await setUpSuite(hre, opts.noStreamingFee);
  const meter = new GasMeter(hre, suite);
  await measureUserPaths(hre, meter, suite);
  await measureKeeperPaths(meter, suite);
  await measureTriggerPaths(meter, suite);
  const gas = { ...meter.gas, ...(opts.noStreamingFee ? {} : await measureAavePaths(hre)) };

  const rows = rowsOf(gas);
  const dir = benchDir(hre);
  const baseline = readBaseline(dir);
  const regressions = regressionsOf(gas, baseline);
  const output = gasJson(hre, gas, rows);
  const tables = meter.breakdowns.map(renderBreakdown).join("\n");
  writeOutputs(dir, output, tables, { ...opts, dryRun: opts.noStreamingFee });

  if (opts.json) {
    console.log(JSON.stringify({ ...output, regressions }, null, 2));
  } else {
    for (const line of renderTable(rows, gas, baseline)) console.log(line);
    for (const line of renderVerdict(regressions, baseline, opts)) console.log(line);
  }
  return regressions.length > 0 && !opts.updateBaseline;
}
