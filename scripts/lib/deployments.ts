/**
 * Reads a hardhat-deploy deployments folder (e.g. deployments/localhost): addresses and ABIs as deployed, so no
 * address is ever copied by hand and the ABI is the one the contract was deployed with.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { InterfaceAbi } from "ethers";

export interface DeploymentRecord {
  address: string;
  abi: InterfaceAbi;
}

export interface DeploymentSet {
  dir: string;
  /** From the folder's `.chainId` file when present. */
  chainId: bigint | null;
  contracts: Map<string, DeploymentRecord>;
}

export class DeploymentsError extends Error {
  override name = "DeploymentsError";
}

export function loadDeployments(dir: string): DeploymentSet {
  if (!existsSync(dir)) {
    throw new DeploymentsError(`no deployments at ${dir}: start a node with \`npm run node\` (or pass --deployments)`);
  }
  const contracts = new Map<string, DeploymentRecord>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".json")) continue;
    const parsed = JSON.parse(readFileSync(join(dir, file), "utf8")) as Partial<DeploymentRecord>;
    if (typeof parsed.address !== "string" || !Array.isArray(parsed.abi)) continue;
    contracts.set(file.slice(0, -".json".length), { address: parsed.address, abi: parsed.abi });
  }
  const chainIdFile = join(dir, ".chainId");
  const chainId = existsSync(chainIdFile) ? BigInt(readFileSync(chainIdFile, "utf8").trim()) : null;
  return { dir, chainId, contracts };
}

export function requireDeployment(set: DeploymentSet, name: string): DeploymentRecord {
  const record = set.contracts.get(name);
  if (!record) throw new DeploymentsError(`deployment "${name}" missing from ${set.dir}`);
  return record;
}
