/** Read-only views of the protocol: one snapshot per product, from the deployed contracts' own views. */
import { Contract, type ContractRunner, type Interface } from "ethers";
import type { BallastConfig } from "./config";
import { PRODUCT_SYMBOLS } from "./config";
import { computeDecay, type DecayResult } from "./decay";
import { explainError } from "./errors";

export type Market = "BTC" | "ETH";

export interface Methodology {
  minLeverage: bigint;
  targetLeverage: bigint;
  maxLeverage: bigint;
  ripcordLeverage: bigint;
  interval: bigint;
  tolerance: bigint;
  maxTradeNotional: bigint;
  maxSlippage: bigint;
}

export interface Fees {
  mintFeeRate: bigint;
  redeemFeeRate: bigint;
  streamingFeeRate: bigint;
}

export interface ProductStatic {
  symbol: string;
  name: string;
  market: Market;
  isLong: boolean;
  address: string;
  token: Contract;
  venue: Contract;
}

export interface LaunchInfo {
  firstMintBlock: number;
  launchPriceWad: bigint;
}

export interface ProductSnapshot {
  product: ProductStatic;
  methodology: Methodology;
  fees: Fees;
  totalSupply: bigint;
  mintPaused: boolean;
  balance: bigint | null;
  /** Oracle-dependent views; absent with `unavailable` when the price cannot be read (e.g. a stale feed). */
  priceWad?: bigint;
  sizeWad?: bigint;
  equityWad?: bigint;
  navWad?: bigint;
  leverageWad?: bigint;
  action?: number;
  active?: boolean;
  unavailable?: string;
  launch?: LaunchInfo | null;
  decay?: DecayResult;
}

export function big(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  throw new Error(`expected a bigint, got ${typeof v}`);
}

export function bool(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  throw new Error(`expected a boolean, got ${typeof v}`);
}

function tuple(v: unknown): readonly unknown[] {
  if (Array.isArray(v)) return v as readonly unknown[];
  throw new Error("expected a tuple");
}

export async function view(c: Contract, fn: string, ...args: unknown[]): Promise<unknown> {
  const result: unknown = await c.getFunction(fn).staticCall(...args);
  return result;
}

function toMethodology(v: unknown): Methodology {
  const t = tuple(v);
  return {
    minLeverage: big(t[0]),
    targetLeverage: big(t[1]),
    maxLeverage: big(t[2]),
    ripcordLeverage: big(t[3]),
    interval: big(t[4]),
    tolerance: big(t[5]),
    maxTradeNotional: big(t[6]),
    maxSlippage: big(t[7]),
  };
}

function toFees(v: unknown): Fees {
  const t = tuple(v);
  return { mintFeeRate: big(t[0]), redeemFeeRate: big(t[1]), streamingFeeRate: big(t[2]) };
}

export class Protocol {
  readonly products: ProductStatic[];
  readonly usdc: Contract;
  readonly rebalancer: Contract;
  private readonly launches = new Map<string, LaunchInfo>();

  constructor(
    readonly config: BallastConfig,
    readonly runner: ContractRunner,
    readonly errors: Interface,
  ) {
    const c = config.contracts;
    const at = (name: string): Contract => {
      const d = c[name];
      if (!d) throw new Error(`no ${name} deployment`);
      return new Contract(d.address, d.abi, runner);
    };
    this.usdc = at("USDC");
    this.rebalancer = at("Rebalancer");
    this.products = PRODUCT_SYMBOLS.map((symbol) => {
      const market: Market = symbol.startsWith("BTC") ? "BTC" : "ETH";
      const isLong = symbol.endsWith("L");
      const leverage = symbol.slice(3, 4);
      return {
        symbol,
        name: `${market} ${leverage}× ${isLong ? "long" : "short"}`,
        market,
        isLong,
        address: at(symbol).target as string,
        token: at(symbol),
        venue: at(`${market}PerpVenue`),
      };
    });
  }

  product(symbol: string): ProductStatic {
    const p = this.products.find((x) => x.symbol === symbol);
    if (!p) throw new Error(`unknown product ${symbol}`);
    return p;
  }

  async snapshot(p: ProductStatic, account: string | null): Promise<ProductSnapshot> {
    const [methodology, fees, totalSupply, mintPaused, balance] = await Promise.all([
      view(this.rebalancer, "methodology", p.address).then(toMethodology),
      view(p.token, "fees").then(toFees),
      view(p.token, "totalSupply").then(big),
      view(p.token, "mintPaused").then(bool),
      account ? view(p.token, "balanceOf", account).then(big) : Promise.resolve(null),
    ]);
    const snap: ProductSnapshot = { product: p, methodology, fees, totalSupply, mintPaused, balance };
    try {
      const [position, nav, lev, action, active] = await Promise.all([
        view(p.token, "positionSnapshot").then(tuple),
        view(p.token, "navPerShare").then(big),
        view(p.token, "currentLeverage").then(big),
        view(this.rebalancer, "shouldRebalance", p.address).then((x) => Number(big(x))),
        view(p.token, "isActive").then(bool),
      ]);
      snap.sizeWad = big(position[0]);
      snap.equityWad = big(position[1]);
      snap.priceWad = big(position[2]);
      snap.navWad = nav;
      snap.leverageWad = lev;
      snap.action = action;
      snap.active = active;
    } catch (e) {
      snap.unavailable = explainError(e, this.errors);
      return snap;
    }
    if (totalSupply > 0n) {
      snap.launch = await this.launchInfo(p);
      if (snap.launch && snap.navWad !== undefined && snap.priceWad !== undefined) {
        snap.decay = computeDecay({
          isLong: p.isLong,
          targetLeverageWad: methodology.targetLeverage,
          launchPriceWad: snap.launch.launchPriceWad,
          priceWad: snap.priceWad,
          navWad: snap.navWad,
        });
      }
    }
    return snap;
  }

  /**
   * The product's first Minted event and the venue's mark price at that block (a historical eth_call; a local
   * Hardhat node keeps all history). Searched from block 0: the export carries no deployment block. Cached.
   */
  async launchInfo(p: ProductStatic): Promise<LaunchInfo | null> {
    const cached = this.launches.get(p.symbol);
    if (cached) return cached;
    try {
      const logs = await p.token.queryFilter(p.token.getEvent("Minted"), 0, "latest");
      const first = logs[0];
      if (!first) return null;
      const price = big(await p.venue.getFunction("markPrice").staticCall({ blockTag: first.blockNumber }));
      const info = { firstMintBlock: first.blockNumber, launchPriceWad: price };
      this.launches.set(p.symbol, info);
      return info;
    } catch {
      return null;
    }
  }

  /** How many rebalances (and ripcords) the Rebalancer has executed for the product. */
  async rebalanceCount(p: ProductStatic): Promise<number> {
    const logs = await this.rebalancer.queryFilter(
      this.rebalancer.getEvent("RebalanceExecuted")(p.address),
      0,
      "latest",
    );
    return logs.length;
  }
}
