/**
 * Shared plumbing for the ballast:* tasks: typed contracts from hardhat-deploy deployments, product lookup with clear
 * errors, the local-only guard, and custom-error decoding. Tasks stay thin: they read contract views and send the
 * holder's or operator's transaction, never re-implementing contract logic.
 */
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Interface } from "ethers";
import type * as ProtocolContracts from "../protocol/contracts";
import type { ERC20Permit, ILeveragedToken, IOracleAdapter, IRebalancer, IVenue } from "../protocol/contracts";
import { LOCAL_CHAIN_ID as LOCAL_CHAIN } from "../protocol/constants";
import { explainRevert, type ExplainContext } from "../protocol/explain";
import {
  MARKET_SYMBOLS,
  PRODUCT_SYMBOLS,
  productInfo,
  type MarketSymbol,
  type ProductSymbol,
} from "../protocol/products";
import { decodeRevert, describeError } from "../protocol/revert";

/**
 * The typechain factories, loaded when a task runs, never when it is registered: hardhat.config.ts loads these tasks
 * before the first `npx hardhat compile` has generated typechain-types/.
 */
export const protocolContracts = (): Promise<typeof ProtocolContracts> => import("../protocol/contracts");

export const PLUGIN = "ballast";
export const LOCAL_NETWORKS: ReadonlySet<string> = new Set(["hardhat", "localhost"]);
export const LOCAL_CHAIN_ID = BigInt(LOCAL_CHAIN);
export { MARKET_SYMBOLS };

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

export interface Suite {
  rebalancer: IRebalancer;
  usdc: ERC20Permit;
  products: Map<ProductSymbol, ILeveragedToken>;
  /** Each product's venue, as the product names it (`token.venue()`), through the IVenue boundary. */
  venues: Map<ProductSymbol, IVenue>;
  /** Each market's oracle adapter, as its venue names it (`venue.oracle()`). */
  oracles: Map<MarketSymbol, IOracleAdapter>;
  /** Decodes every custom error the protocol and the deployed contracts can revert with. */
  errors: Interface;
}

/** Products present in this network's deployments, in the canonical order. */
export async function availableProducts(hre: HardhatRuntimeEnvironment): Promise<ProductSymbol[]> {
  const all = await hre.deployments.all();
  return PRODUCT_SYMBOLS.filter((s) => all[s] !== undefined);
}

export async function loadSuite(hre: HardhatRuntimeEnvironment): Promise<Suite> {
  await ensureDeployments(hre);
  const c = await protocolContracts();
  const runner = hre.ethers.provider;
  const address = async (name: string): Promise<string> => (await hre.deployments.get(name)).address;
  const products = new Map<ProductSymbol, ILeveragedToken>();
  const venues = new Map<ProductSymbol, IVenue>();
  const oracles = new Map<MarketSymbol, IOracleAdapter>();
  for (const s of await availableProducts(hre)) {
    const token = c.connectToken(await address(s), runner);
    const venue = await c.venueOf(token, runner);
    products.set(s, token);
    venues.set(s, venue);
    const market = productInfo(s).market;
    if (!oracles.has(market)) oracles.set(market, await c.oracleOf(venue, runner));
  }
  // The deployments' ABIs too: a venue implementation's own errors are only there.
  const abis = Object.values(await hre.deployments.all()).map((d) => d.abi);
  return {
    rebalancer: c.connectRebalancer(await address("Rebalancer"), runner),
    usdc: c.connectCollateral(await address("USDC"), runner),
    products,
    venues,
    oracles,
    errors: c.protocolErrors(abis),
  };
}

/** Each market's venue: the one its products name (they share it). */
export function marketVenues(suite: Suite): Map<MarketSymbol, IVenue> {
  const out = new Map<MarketSymbol, IVenue>();
  for (const [symbol, venue] of suite.venues) {
    const market = productInfo(symbol).market;
    if (!out.has(market)) out.set(market, venue);
  }
  return out;
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
 * A sentence for a failed call: a decoded custom error in the protocol's own words (amounts in `units`), anything
 * else in one line. A slippage failure adds what to do about it on the command line.
 */
export function explainTxError(err: unknown, errors: Interface, units: ExplainContext = {}): string {
  const decoded = decodeRevert(err, errors);
  if (!decoded) return describeError(err, errors);
  const sentence = explainRevert(decoded, units);
  return decoded.name === "SlippageExceeded" ? `${sentence} Raise --slippage (basis points) or retry.` : sentence;
}
