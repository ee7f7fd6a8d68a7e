/**
 * Read-outs of the local Aave v3 market that the demo and the backtest print: a reserve's variable borrow rate
 * (Pool.getReserveData's currentVariableBorrowRate, a ray per year) and its utilisation, and a product's health factor
 * (AaveVenue.healthFactor, WAD).
 */
import { Interface } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { RAY } from "../../config/aave";
import { aaveArtifact } from "./artifacts";

export const POOL_INTERFACE = new Interface(aaveArtifact("Pool").abi);

/** A ray rate per year as a percentage (0.0356e27 → 3.56). */
export const rayToPct = (ray: bigint): number => Number((ray * 1_000_000n) / RAY) / 10_000;

/** The reserve's current variable borrow rate, ray per year (Aave v3 Pool.getReserveData). */
export async function variableBorrowRate(hre: HardhatRuntimeEnvironment, asset: string): Promise<bigint> {
  const pool = (await hre.deployments.get("AavePool")).address;
  const data = POOL_INTERFACE.encodeFunctionData("getReserveData", [asset]);
  const out = await hre.ethers.provider.call({ to: pool, data });
  const [reserve] = POOL_INTERFACE.decodeFunctionResult("getReserveData", out);
  return reserve.currentVariableBorrowRate as bigint;
}

/** Debt over supply of a reserve (a fraction), from its aToken and variable debt token. */
export async function utilisation(hre: HardhatRuntimeEnvironment, token: "USDC" | "WETH" | "WBTC"): Promise<number> {
  const erc20 = ["function totalSupply() view returns (uint256)"];
  const supply = await hre.ethers.getContractAt(erc20, (await hre.deployments.get(`AaveAToken${token}`)).address);
  const debt = await hre.ethers.getContractAt(
    erc20,
    (await hre.deployments.get(`AaveVariableDebtToken${token}`)).address,
  );
  const s = (await supply.totalSupply()) as bigint;
  return s === 0n ? 0 : Number((((await debt.totalSupply()) as bigint) * 1_000_000n) / s) / 1e6;
}
