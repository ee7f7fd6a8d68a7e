/** Read-only views of the protocol: one snapshot per product, from the deployed contracts' own views. */
import type { ContractRunner, Interface } from "ethers";
import {
  ALL_PRODUCT_SYMBOLS,
  connectCollateral,
  connectRebalancer,
  connectToken,
  explainError,
  productInfo,
  toAction,
  venueOf,
  type Action,
  type ERC20Permit,
  type ILeveragedToken,
  type IRebalancer,
  type MarketSymbol,
} from "@ballast/protocol";
import type { BallastConfig } from "./config";
import { computeDecay, type DecayResult } from "./decay";

export interface Methodology {
  minLeverage: bigint;
  targetLeverage: bigint;
  maxLeverage: bigint;
  ripcordLeverage: bigint;
  interval: bigint;
  tolerance: bigint;
  maxTradeNotional: bigint;
  maxSlippage: bigint;
  /** Fraction of each half band (WAD): a rebalance from outside the inner band stops at its nearer edge. */
  innerBand: bigint;
}

export interface Fees {
  mintFeeRate: bigint;
  redeemFeeRate: bigint;
  streamingFeeRate: bigint;
}

export interface ProductStatic {
  symbol: string;
  name: string;
  market: MarketSymbol;
  isLong: boolean;
  address: string;
  token: ILeveragedToken;
}

export interface LaunchInfo {
  firstMintBlock: number;
  launchPriceWad: bigint;
}

/** The oracle-dependent views; absent (with `unavailable`) when the price cannot be read, e.g. a stale feed. */
interface PricedViews {
  priceWad?: bigint;
  sizeWad?: bigint;
  equityWad?: bigint;
  navWad?: bigint;
  leverageWad?: bigint;
  action?: Action;
  active?: boolean;
  unavailable?: string;
}

export interface ProductSnapshot extends PricedViews {
  product: ProductStatic;
  methodology: Methodology;
  fees: Fees;
  totalSupply: bigint;
  mintPaused: boolean;
  /** The most equity (USD, WAD) a mint may leave the product with (`equityCap()`). */
  equityCap: bigint;
  /** Seconds of feed silence after which anyone may wind the product down (`OUTAGE_WIND_DOWN_DELAY`). */
  outageWindDownDelay: bigint;
  balance: bigint | null;
  launch?: LaunchInfo | null;
  decay?: DecayResult;
}

function toMethodology(m: Methodology): Methodology {
  return {
    minLeverage: m.minLeverage,
    targetLeverage: m.targetLeverage,
    maxLeverage: m.maxLeverage,
    ripcordLeverage: m.ripcordLeverage,
    interval: m.interval,
    tolerance: m.tolerance,
    maxTradeNotional: m.maxTradeNotional,
    maxSlippage: m.maxSlippage,
    innerBand: m.innerBand,
  };
}

function deployed(config: BallastConfig, name: string): string {
  const d = config.contracts[name];
  if (!d) throw new Error(`no ${name} deployment`);
  return d.address;
}

export class ProtocolReader {
  readonly products: ProductStatic[];
  readonly usdc: ERC20Permit;
  readonly rebalancer: IRebalancer;
  private readonly launches = new Map<string, LaunchInfo>();

  constructor(
    readonly config: BallastConfig,
    readonly runner: ContractRunner,
    readonly errors: Interface,
  ) {
    this.usdc = connectCollateral(deployed(config, "USDC"), runner);
    this.rebalancer = connectRebalancer(deployed(config, "Rebalancer"), runner);
    // Every product the export holds, in display order: the perp products, then the Aave products when the node
    // deployed the real-venue market (`npm run node`). All are read through the same views.
    this.products = ALL_PRODUCT_SYMBOLS.filter((symbol) => config.contracts[symbol]).map((symbol) => {
      const info = productInfo(symbol);
      const address = deployed(config, symbol);
      return { ...info, address, token: connectToken(address, runner) };
    });
  }

  product(symbol: string): ProductStatic {
    const p = this.products.find((x) => x.symbol === symbol);
    if (!p) throw new Error(`unknown product ${symbol}`);
    return p;
  }

  async snapshot(p: ProductStatic, account: string | null): Promise<ProductSnapshot> {
    const [methodology, fees, totalSupply, mintPaused, equityCap, outageWindDownDelay, balance] = await Promise.all([
      this.rebalancer.methodology(p.address).then(toMethodology),
      p.token.fees().then((f) => ({
        mintFeeRate: f.mintFeeRate,
        redeemFeeRate: f.redeemFeeRate,
        streamingFeeRate: f.streamingFeeRate,
      })),
      p.token.totalSupply(),
      p.token.mintPaused(),
      p.token.equityCap(),
      p.token.OUTAGE_WIND_DOWN_DELAY(),
      account ? p.token.balanceOf(account) : Promise.resolve(null),
    ]);
    const snap: ProductSnapshot = {
      product: p,
      methodology,
      fees,
      totalSupply,
      mintPaused,
      equityCap,
      outageWindDownDelay,
      balance,
    };
    try {
      Object.assign(snap, await this.pricedViews(p));
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

  private async pricedViews(p: ProductStatic): Promise<PricedViews> {
    const [position, nav, lev, action, active] = await Promise.all([
      p.token.positionSnapshot(),
      p.token.navPerShare(),
      p.token.currentLeverage(),
      this.rebalancer.shouldRebalance(p.address),
      p.token.isActive(),
    ]);
    return {
      sizeWad: position.size,
      equityWad: position.equityWad,
      priceWad: position.price,
      navWad: nav,
      leverageWad: lev,
      action: toAction(action),
      active,
    };
  }

  /**
   * The product's first Minted event and its venue's mark price at that block (a historical eth_call; a local
   * Hardhat node keeps all history). Searched from block 0: the export carries no deployment block. Cached.
   */
  async launchInfo(p: ProductStatic): Promise<LaunchInfo | null> {
    const cached = this.launches.get(p.symbol);
    if (cached) return cached;
    try {
      const logs = await p.token.queryFilter(p.token.filters.Minted(), 0, "latest");
      const first = logs[0];
      if (!first) return null;
      const venue = await venueOf(p.token, this.runner);
      const [, , price] = await venue.accountSnapshot(p.address, { blockTag: first.blockNumber });
      const info = { firstMintBlock: first.blockNumber, launchPriceWad: price };
      this.launches.set(p.symbol, info);
      return info;
    } catch {
      return null;
    }
  }

  /** How many rebalances (and ripcords) the Rebalancer has executed for the product. */
  async rebalanceCount(p: ProductStatic): Promise<number> {
    const logs = await this.rebalancer.queryFilter(this.rebalancer.filters.RebalanceExecuted(p.address), 0, "latest");
    return logs.length;
  }
}
