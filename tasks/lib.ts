/**
 * Shared plumbing for the ballast:* tasks: typed contracts from hardhat-deploy deployments, product lookup with clear
 * errors, the local-only guard, and custom-error decoding. Tasks stay thin: they read contract views and send the
 * holder's or operator's transaction, never re-implementing contract logic.
 */
import { HardhatPluginError } from "hardhat/plugins";
import { HardhatError } from "hardhat/internal/core/errors";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Interface } from "ethers";
import type * as ProtocolContracts from "../protocol/contracts";
import type { ERC20Permit, ILeveragedToken, IOracleAdapter, IRebalancer, IVenue } from "../protocol/contracts";
import { LOCAL_CHAIN_ID as LOCAL_CHAIN } from "../protocol/constants";
import { explainError, explainRevert, type ExplainContext } from "../protocol/explain";
import {
  ALL_PRODUCT_SYMBOLS,
  MARKET_SYMBOLS,
  productInfo,
  type AnyProductSymbol,
  type MarketSymbol,
} from "../protocol/products";
import { decodeRevert, describeError, type ErrorSource } from "../protocol/revert";
import { formatAmount } from "../protocol/format";
import type { VenueParameter } from "../protocol/venues";
import { fmtPct, fmtWad } from "../scripts/lib/format";

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
  products: Map<AnyProductSymbol, ILeveragedToken>;
  /** Each product's venue, as the product names it (`token.venue()`), through the IVenue boundary. */
  venues: Map<AnyProductSymbol, IVenue>;
  /** Each market's oracle adapter, as its venue names it (`venue.oracle()`). */
  oracles: Map<MarketSymbol, IOracleAdapter>;
  /** Decodes every custom error the protocol and the deployed contracts can revert with. */
  errors: Interface;
}

/**
 * Products present in this network's deployments, in the canonical order: the perp products, then the Aave products
 * when the real-venue market is deployed (`npm run node`).
 */
export async function availableProducts(hre: HardhatRuntimeEnvironment): Promise<AnyProductSymbol[]> {
  const all = await hre.deployments.all();
  return ALL_PRODUCT_SYMBOLS.filter((s) => all[s] !== undefined);
}

export async function loadSuite(hre: HardhatRuntimeEnvironment): Promise<Suite> {
  await ensureDeployments(hre);
  const c = await protocolContracts();
  const runner = hre.ethers.provider;
  const address = async (name: string): Promise<string> => (await hre.deployments.get(name)).address;
  const products = new Map<AnyProductSymbol, ILeveragedToken>();
  const venues = new Map<AnyProductSymbol, IVenue>();
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

/** One venue and what it carries: its market and the products that name it. */
export interface VenueUse {
  venue: IVenue;
  address: string;
  market: MarketSymbol;
  products: AnyProductSymbol[];
}

/**
 * Every distinct venue the products name, in product order: a market's perp venue (its products share it) and, with
 * the real-venue market, its Aave venues (one per side).
 */
export async function productVenues(suite: Suite): Promise<VenueUse[]> {
  const out = new Map<string, VenueUse>();
  for (const [symbol, venue] of suite.venues) {
    const address = await venue.getAddress();
    const use = out.get(address) ?? { venue, address, market: productInfo(symbol).market, products: [] };
    use.products.push(symbol);
    out.set(address, use);
  }
  return [...out.values()];
}

/** A venue's value as its reader means it to be read (protocol/venues). */
export function venueValueText(q: VenueParameter): string {
  switch (q.format) {
    case "pct":
      return fmtPct(q.value);
    case "pct3":
      return fmtPct(q.value, 3);
    case "pct4":
      return fmtPct(q.value, 4);
    case "base0":
      return fmtWad(q.value, 0);
    case "base4":
      return fmtWad(q.value, 4);
    case "ratio2":
      return fmtWad(q.value, 2);
    case "ratePerSecondAsYearPct":
      return fmtPct(q.value * 31_536_000n);
  }
}

/** Case-insensitive product lookup; an unknown name lists the valid ones. */
export function resolveProduct(name: string, available: readonly string[]): AnyProductSymbol {
  const wanted = name.trim().toUpperCase();
  const found = available.find((s) => s.toUpperCase() === wanted);
  if (!found) {
    throw new BallastTaskError(
      `unknown product "${name}": valid products are ${available.join(", ") || "(none deployed)"}`,
    );
  }
  return found as AnyProductSymbol;
}

export function resolveMarket(name: string): MarketSymbol {
  const wanted = name.trim().toUpperCase();
  const found = MARKET_SYMBOLS.find((m) => m === wanted);
  if (!found) throw new BallastTaskError(`unknown market "${name}": valid markets are ${MARKET_SYMBOLS.join(", ")}`);
  return found;
}

/**
 * An amount as a person reads it: USDC-like tokens (6 decimals or fewer) with 2 decimals, 18-decimal shares with 4,
 * thousands separators, the symbol after; a non-zero amount too small for those digits keeps all of its decimals
 * (0.000001 USDC, not 0.00).
 */
export function amountText(value: bigint, decimals: number, symbol?: string): string {
  const digits = Math.min(decimals, decimals <= 6 ? 2 : 4);
  let text = formatAmount(value, decimals, digits);
  if (value !== 0n && /^-?[0,.]*$/.test(text)) text = formatAmount(value, decimals, decimals).replace(/0+$/, "");
  return symbol ? `${text} ${symbol}` : text;
}

/** The largest --slippage the tasks accept, in percent: the page's limit too (web/src/amounts.ts). */
export const MAX_SLIPPAGE_PCT = 50;
/** --slippage's help text: the same unit as the page's slippage field. */
export const SLIPPAGE_HELP = `tolerance in percent (0.5 = 0.5%; at most 2 decimals, 0 to ${MAX_SLIPPAGE_PCT})`;

/**
 * Slippage in percent, as the page takes it ("0.5" = 0.5%), to basis points: 0 to 50 with at most 2 decimals (a
 * percent with 2 decimals is exactly a whole number of basis points).
 */
export function parseSlippagePct(raw: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,2}))?%?$/.exec(raw.trim());
  const bps = m ? BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0")) : null;
  if (bps === null || bps > BigInt(MAX_SLIPPAGE_PCT) * 100n) {
    throw new BallastTaskError(
      `--slippage is a percentage between 0 and ${MAX_SLIPPAGE_PCT} with at most 2 decimals (0.5 means 0.5%), got "${raw}"`,
    );
  }
  return bps;
}

/** Basis points as the percent the user typed ("0.5%"). */
export function formatSlippagePct(bps: bigint): string {
  const whole = bps / 100n;
  const frac = (bps % 100n).toString().padStart(2, "0").replace(/0+$/, "");
  return `${whole}${frac ? "." + frac : ""}%`;
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
  return decoded.name === "SlippageExceeded" ? `${sentence} Raise --slippage (in percent) or retry.` : sentence;
}

/** A message as a sentence: a capital first letter and a full stop (or other closing mark) at the end. */
export function asSentence(message: string): string {
  const text = message.trim().replace(/\s+/g, " ");
  if (text === "") return "Something went wrong.";
  const capital = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * The one sentence for whatever a task threw: its own BallastTaskError's message; a contract's custom error in the
 * protocol's words (decoded against `errors`); Hardhat's own error message; else the first line of the message.
 * Never a stack trace.
 */
export function taskErrorSentence(err: unknown, errors: ErrorSource = []): string {
  if (err instanceof BallastTaskError) return asSentence(err.message);
  const decoded = decodeRevert(err, errors);
  if (decoded) return asSentence(explainRevert(decoded));
  if (HardhatError.isHardhatError(err)) return asSentence(err.message.replace(/^HH\d+:\s*/, ""));
  return asSentence(explainError(err, errors).replace(/^The transaction failed: /, ""));
}

/** True when `task` is the task this process was started to run (`npx hardhat … <task> …`), not a test's `hre.run`. */
export function isCommandLineTask(task: string, argv: readonly string[] = process.argv): boolean {
  return argv.slice(2).includes(task);
}

type TaskAction<A> = (args: A, hre: HardhatRuntimeEnvironment) => Promise<void>;

/**
 * A task action whose failure is said once, as a sentence, with no stack trace: run from the command line, it prints
 * `error: <sentence>` on stderr and exits 1 (Hardhat's own handler would print the error twice, with its stack, on
 * any machine without a display); run from code (tests, another task), it rejects with a BallastTaskError carrying
 * that sentence. Custom errors are decoded against the protocol's ABIs and the network's deployments.
 */
export function withTaskErrors<A>(
  task: string,
  action: TaskAction<A>,
  write: (line: string) => void = (line) => process.stderr.write(line + "\n"),
): TaskAction<A> {
  return async (args, hre) => {
    try {
      await action(args, hre);
    } catch (err) {
      const sentence = taskErrorSentence(err, await knownErrors(hre));
      if (!isCommandLineTask(task)) throw new BallastTaskError(sentence);
      write(`error: ${sentence}`);
      process.exitCode = 1;
    }
  };
}

/** Every custom error the protocol and this network's deployments can revert with; none if they cannot be loaded. */
async function knownErrors(hre: HardhatRuntimeEnvironment): Promise<Interface[]> {
  try {
    const c = await protocolContracts();
    const abis = Object.values(await hre.deployments.all()).map((d) => d.abi);
    return [c.protocolErrors(abis)];
  } catch {
    return [];
  }
}
