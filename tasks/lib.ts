/**
 * Shared plumbing for the ballast:* tasks: typed contracts from hardhat-deploy deployments, product lookup with clear
 * errors, the local-only guard, and custom-error decoding. Tasks stay thin: they read contract views and send the
 * holder's or operator's transaction, never re-implementing contract logic.
 */
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Interface } from "ethers";
import type {
  ChainlinkOracleAdapter,
  LeveragedToken,
  MockPerpVenue,
  MockUSDC,
  MockV3Aggregator,
  Rebalancer,
} from "../typechain-types";
import { PRODUCT_SYMBOLS, type MarketSymbol, type ProductSymbol } from "../config/parameters";
import { decodeRevert, describeError } from "../scripts/lib/revert";

export const PLUGIN = "ballast";
export const LOCAL_NETWORKS: ReadonlySet<string> = new Set(["hardhat", "localhost"]);
export const LOCAL_CHAIN_ID = 31337n;
export const MARKET_SYMBOLS: readonly MarketSymbol[] = ["BTC", "ETH"];

export class BallastTaskError extends HardhatPluginError {
  constructor(message: string) {
    super(PLUGIN, message);
  }
}

/**
 * Refuses anything but a local development chain, before any RPC call when the network is configured as live.
 * Pure on its inputs so it can be tested without a network.
 */
export function localOnlyViolation(
  task: string,
  network: { name: string; live: boolean },
  chainId?: bigint,
): string | null {
  if (network.live || !LOCAL_NETWORKS.has(network.name)) {
    return `${task} is local-only: refusing network "${network.name}" (use --network localhost with \`npm run node\`)`;
  }
  if (chainId !== undefined && chainId !== LOCAL_CHAIN_ID) {
    return `${task} is local-only: network "${network.name}" answers with chain ${chainId}, not the local chain ${LOCAL_CHAIN_ID}`;
  }
  return null;
}

export async function assertLocal(hre: HardhatRuntimeEnvironment, task: string): Promise<void> {
  const early = localOnlyViolation(task, hre.network);
  if (early) throw new BallastTaskError(early);
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  const late = localOnlyViolation(task, hre.network, chainId);
  if (late) throw new BallastTaskError(late);
}

/**
 * Makes sure deployments exist: on the in-process `hardhat` network a fresh suite is deployed (it lives only as long
 * as this command); elsewhere they must have been written by `npm run node` or a deployment.
 */
export async function ensureDeployments(hre: HardhatRuntimeEnvironment): Promise<void> {
  if (hre.network.name === "hardhat") {
    // Inside one process (tests) reuse what is deployed; a fresh CLI process gets a throwaway suite.
    if (await hre.deployments.getOrNull("Rebalancer")) return;
    process.stderr.write(
      "note: --network hardhat is an in-process chain: deploying a fresh suite for this command only\n",
    );
    await hre.deployments.fixture();
    return;
  }
  if (!(await hre.deployments.getOrNull("Rebalancer"))) {
    throw new BallastTaskError(
      `no Ballast deployments for network "${hre.network.name}": start a node with \`npm run node\` (deployments/localhost)`,
    );
  }
}

async function at<T>(hre: HardhatRuntimeEnvironment, deployment: string, contract: string): Promise<T> {
  const d = await hre.deployments.get(deployment);
  return (await hre.ethers.getContractAt(contract, d.address)) as unknown as T;
}

export interface Suite {
  rebalancer: Rebalancer;
  usdc: MockUSDC;
  products: Map<ProductSymbol, LeveragedToken>;
  venues: Map<MarketSymbol, MockPerpVenue>;
  oracles: Map<MarketSymbol, ChainlinkOracleAdapter>;
}

/** Products present in this network's deployments, in the canonical order. */
export async function availableProducts(hre: HardhatRuntimeEnvironment): Promise<ProductSymbol[]> {
  const all = await hre.deployments.all();
  return PRODUCT_SYMBOLS.filter((s) => all[s] !== undefined);
}

export async function loadSuite(hre: HardhatRuntimeEnvironment): Promise<Suite> {
  await ensureDeployments(hre);
  const products = new Map<ProductSymbol, LeveragedToken>();
  for (const s of await availableProducts(hre)) products.set(s, await at<LeveragedToken>(hre, s, "LeveragedToken"));
  const venues = new Map<MarketSymbol, MockPerpVenue>();
  const oracles = new Map<MarketSymbol, ChainlinkOracleAdapter>();
  for (const m of MARKET_SYMBOLS) {
    if (await hre.deployments.getOrNull(`${m}PerpVenue`))
      venues.set(m, await at(hre, `${m}PerpVenue`, "MockPerpVenue"));
    if (await hre.deployments.getOrNull(`${m}USDOracle`))
      oracles.set(m, await at(hre, `${m}USDOracle`, "ChainlinkOracleAdapter"));
  }
  return {
    rebalancer: await at<Rebalancer>(hre, "Rebalancer", "Rebalancer"),
    usdc: await at<MockUSDC>(hre, "USDC", "MockUSDC"),
    products,
    venues,
    oracles,
  };
}

/** Case-insensitive product lookup; an unknown name lists the valid ones. */
export function resolveProduct(name: string, available: readonly string[]): ProductSymbol {
  const wanted = name.trim().toUpperCase();
  const found = available.find((s) => s.toUpperCase() === wanted);
  if (!found) {
    throw new BallastTaskError(
      `unknown product "${name}": valid products are ${available.join(", ") || "(none deployed)"}`,
    );
  }
  return found as ProductSymbol;
}

export function resolveMarket(name: string): MarketSymbol {
  const wanted = name.trim().toUpperCase();
  const found = MARKET_SYMBOLS.find((m) => m === wanted);
  if (!found) throw new BallastTaskError(`unknown market "${name}": valid markets are ${MARKET_SYMBOLS.join(", ")}`);
  return found;
}

export async function feedFor(hre: HardhatRuntimeEnvironment, market: MarketSymbol): Promise<MockV3Aggregator> {
  return at<MockV3Aggregator>(hre, `${market}USDFeed`, "MockV3Aggregator");
}

/** Basis points from a CLI string: 0..10000, whole numbers. */
export function parseBps(raw: string): bigint {
  if (!/^\d+$/.test(raw.trim()) || BigInt(raw.trim()) > 10_000n) {
    throw new BallastTaskError(`--slippage must be whole basis points between 0 and 10000, got "${raw}"`);
  }
  return BigInt(raw.trim());
}

/** `amount * (10000 - bps) / 10000`, rounded down: the bound never exceeds what the user asked to tolerate. */
export function minOutWithSlippage(amount: bigint, bps: bigint): bigint {
  return (amount * (10_000n - bps)) / 10_000n;
}

/**
 * A holder-facing sentence for a failed call: slippage, balance and pause errors in words, any other custom error
 * decoded by name with its arguments.
 */
export function explainTxError(
  err: unknown,
  ifaces: readonly Interface[],
  units: { out: string; decimals: number },
): string {
  const decoded = decodeRevert(err, ifaces);
  if (!decoded) return describeError(err, ifaces);
  const [a, b] = decoded.args;
  switch (decoded.name) {
    case "SlippageExceeded":
      return (
        `slippage: the minimum accepted was ${String(a)} ${units.out} but execution would give ${String(b)} ` +
        `(base units, ${units.decimals} decimals); raise --slippage (bps) or retry`
      );
    case "ERC20InsufficientBalance":
      return `insufficient balance: have ${String(b)}, need ${String(decoded.args[2])} (base units)`;
    case "ERC20InsufficientAllowance":
      return `insufficient allowance: ${String(b)} approved, ${String(decoded.args[2])} needed (base units)`;
    case "MintPaused":
      return "minting is paused for this product (redeem never is)";
    case "ProductInactive":
      return "the product is inactive (liquidated, wound down or without equity): mint is closed, redeem pays pro rata";
    default:
      return `reverted: ${decoded.signature}`;
  }
}

export function contractInterfaces(...contracts: ReadonlyArray<{ interface: unknown }>): Interface[] {
  return contracts.map((c) => c.interface as Interface);
}
