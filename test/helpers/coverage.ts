import hre from "hardhat";

/**
 * True under `hardhat coverage`. Tests that spawn another Hardhat process (a `hardhat node`, the backtest CLI) skip
 * then: the child compiles into the same artifacts/ and would overwrite the instrumented build mid-run, and it
 * measures no contract code of this process anyway.
 */
export function underCoverage(): boolean {
  return "__SOLIDITY_COVERAGE_RUNNING" in hre;
}
