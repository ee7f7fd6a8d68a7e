/**
 * Where the page finds the protocol: `deployments.json`, the hardhat-deploy export that `npm run node` writes
 * (`hardhat node --export web/public/deployments.json`). Addresses and ABIs come only from there.
 */
import type { InterfaceAbi } from "ethers";
import { PRODUCT_SYMBOLS } from "@ballast/protocol";

export interface DeployedContract {
  address: string;
  abi: InterfaceAbi;
}

export interface BallastConfig {
  /** hardhat-deploy network name, e.g. "localhost". */
  networkName: string;
  chainId: number;
  /** The node URL: used for read-only calls and offered to the wallet by wallet_addEthereumChain. */
  rpcUrl: string;
  contracts: Record<string, DeployedContract>;
}

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Validates the export's shape; throws with a plain explanation when it is not one. */
export function parseExport(raw: unknown, fallbackRpcUrl: string): BallastConfig {
  if (!isRecord(raw) || !isRecord(raw.contracts)) throw new Error("deployments.json is not a hardhat-deploy export");
  const chainId = Number(raw.chainId);
  if (!Number.isInteger(chainId) || chainId <= 0) throw new Error("deployments.json has no chainId");
  const contracts: Record<string, DeployedContract> = {};
  for (const [name, c] of Object.entries(raw.contracts)) {
    if (!isRecord(c) || typeof c.address !== "string" || !Array.isArray(c.abi)) continue;
    contracts[name] = { address: c.address, abi: c.abi as InterfaceAbi };
  }
  // Venues are found through each product (`token.venue()`), whatever their kind and deployment name. The perp
  // products are always deployed; the Aave products only with the real-venue market, and are shown when present.
  for (const required of ["USDC", "Rebalancer", ...PRODUCT_SYMBOLS]) {
    if (!contracts[required]) throw new Error(`deployments.json has no ${required} deployment`);
  }
  // `rpcUrl` is not part of hardhat-deploy's format; a server may add it (the browser test does).
  const rpcUrl = typeof raw.rpcUrl === "string" ? raw.rpcUrl : fallbackRpcUrl;
  return { networkName: typeof raw.name === "string" ? raw.name : "unknown", chainId, rpcUrl, contracts };
}

export async function loadConfig(): Promise<BallastConfig> {
  const envUrl: unknown = import.meta.env.VITE_BALLAST_RPC_URL;
  const fallback = typeof envUrl === "string" && envUrl !== "" ? envUrl : DEFAULT_RPC_URL;
  let response: Response;
  try {
    response = await fetch("./deployments.json", { cache: "no-store" });
  } catch {
    throw new Error("Could not load deployments.json.");
  }
  if (!response.ok) {
    throw new Error("No deployments found (deployments.json is missing). Start the local node first: npm run node");
  }
  return parseExport(await response.json(), fallback);
}
