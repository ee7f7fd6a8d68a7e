/**
 * Ballast's default parameters, in one place: deploy scripts, tests, the demo, the backtester and docs/parameters.md
 * all read them from here. Units are spelled out per field; WAD = 1e18.
 */
import { parseUnits } from "ethers";
import {
  AAVE_PRODUCT_SYMBOLS,
  MARKET_SYMBOLS,
  PRODUCT_SYMBOLS,
  type AaveProductSymbol,
  type MarketSymbol,
  type ProductSymbol,
} from "../protocol/products";
import type { VenueKind } from "../protocol/venues";
import { AAVE_PRODUCT_CONFIG, aaveVenueName } from "./aaveProducts";
import { methodologyV2 } from "./methodology";

// The symbols are the protocol module's (protocol/products.ts), shared with the page, the tasks and the keeper.
export {
  AAVE_PRODUCT_SYMBOLS,
  MARKET_SYMBOLS,
  PRODUCT_SYMBOLS,
  type AaveProductSymbol,
  type MarketSymbol,
  type ProductSymbol,
};

export const WAD = 10n ** 18n;
export const wad = (x: string | number): bigint => parseUnits(String(x), 18);
export const usdc = (x: string | number): bigint => parseUnits(String(x), 6);

/**
 * The venue implementations a product can be carried by (protocol/venues has one reader of each kind's own parameters).
 * Products only ever see the venue through IVenue.
 */
export type { VenueKind };
/**
 * The kinds a market's own venue can be (deploy/02_venues.ts has one deployer per kind). The Aave venues are one per
 * market and side, deployed beside it by deploy/13_aave_products.ts (config/aaveProducts.ts).
 */
export type MarketVenueKind = Exclude<VenueKind, "aave">;

/** Mirrors IMockPerpVenue.MarketParams. */
export interface VenueParams {
  initialMarginRatio: bigint; // WAD fraction of notional
  maintenanceMarginRatio: bigint; // WAD fraction of notional
  takerFeeRate: bigint; // WAD fraction of fill notional
  liquidatorFeeRate: bigint; // WAD fraction of notional
  liquidationPenaltyRate: bigint; // WAD fraction of notional
  maxPriceImpact: bigint; // WAD fraction
  impactPerNotional: bigint; // impact (WAD) per USD (WAD) of trade notional, scaled by WAD
  maxOpenInterest: bigint; // per side, base units (WAD)
}

const baseVenue = {
  initialMarginRatio: wad("0.05"), // 20x max leverage
  maintenanceMarginRatio: wad("0.01"),
  takerFeeRate: wad("0.0005"), // 5 bps
  liquidatorFeeRate: wad("0.0025"),
  liquidationPenaltyRate: wad("0.0025"),
  maxPriceImpact: wad("0.01"),
  // 1e-10 per USD: a 10k USD trade moves its fill 0.0001%, a 10M USD trade 0.1%.
  impactPerNotional: 10n ** 8n,
};

export const MARKETS: Record<
  MarketSymbol,
  {
    initialPrice: bigint;
    /** Which venue implementation carries this market's products. */
    venueKind: MarketVenueKind;
    /** The mock perp venue's parameters (venueKind "mockPerp"). */
    venue: VenueParams;
    liquidity: bigint;
  }
> = {
  BTC: {
    initialPrice: 60_000n * 10n ** 8n, // Chainlink answer, 8 decimals (heartbeat and staleness: config/networks.ts)
    venueKind: "mockPerp",
    venue: { ...baseVenue, maxOpenInterest: wad(10_000) }, // 10,000 BTC per side
    liquidity: usdc(100_000_000), // counterparty liquidity seeded on local networks
  },
  ETH: {
    initialPrice: 3_000n * 10n ** 8n,
    venueKind: "mockPerp",
    venue: { ...baseVenue, maxOpenInterest: wad(200_000) }, // 200,000 ETH per side
    liquidity: usdc(100_000_000),
  },
};

/** The hardhat-deploy name of a market's venue (BTCPerpVenue, ETHPerpVenue for the mock perp venue). */
export function venueDeploymentName(market: MarketSymbol): string {
  const kind: MarketVenueKind = MARKETS[market].venueKind;
  switch (kind) {
    case "mockPerp":
      return `${market}PerpVenue`;
  }
}

/** Mirrors IRebalancer.Methodology. */
export interface Methodology {
  minLeverage: bigint;
  targetLeverage: bigint;
  maxLeverage: bigint;
  ripcordLeverage: bigint;
  interval: number; // seconds
  tolerance: bigint; // WAD
  maxTradeNotional: bigint; // USD WAD per call, 0 = unlimited
  maxSlippage: bigint; // WAD fraction
  /** WAD fraction of each half band: a rebalance from outside the inner band trades only to its edge; 0 = to target. */
  innerBand: bigint;
  /** Seconds the trigger prices of a rebalance answer for the venue (≤ interval); 0 = never. */
  triggerTtl: number;
}

/** Mirrors IRebalancer.BountyParams (collateral units, 6 decimals). */
export interface BountyParams {
  base: bigint;
  perSecond: bigint;
  cap: bigint;
  maxEquityFraction: bigint;
  budget: bigint;
}

/** Mirrors ILeveragedToken.FeeParams. */
export interface FeeParams {
  mintFeeRate: bigint;
  redeemFeeRate: bigint;
  streamingFeeRate: bigint; // per year
}

export interface ProductDefaults {
  symbol: string;
  /** The hardhat-deploy name of the venue the product trades on. */
  venueDeployment: string;
  name: string;
  market: MarketSymbol;
  isLong: boolean;
  leverage: number;
  methodology: Methodology;
  bounty: BountyParams;
  fees: FeeParams;
  equityCap: bigint;
}

export const DEFAULT_FEES: FeeParams = {
  mintFeeRate: wad("0.001"), // 0.1%
  redeemFeeRate: wad("0.001"), // 0.1%
  streamingFeeRate: wad("0.02"), // 2% a year
};

export const DEFAULT_BOUNTY: BountyParams = {
  base: usdc("0.5"),
  perSecond: usdc("0.01"), // +0.01 USDC per second while due: a Dutch auction
  cap: usdc(5),
  maxEquityFraction: wad("0.001"), // never more than 0.1% of the product per call
  budget: usdc(10_000),
};

/**
 * Methodology v1, the rules before v2 (config/methodology.ts): a symmetric band of ±1/6 of target for every 2x and 3x
 * product, every rebalance back to target. Kept as one setting so that the backtester can compare (`--rules
 * ballast-v1`), and as the unit tests' fixture, whose price moves are written against its band.
 */
export function methodologyV1(leverage: number): Methodology {
  const common = {
    interval: 86_400, // a day
    maxTradeNotional: wad(5_000_000), // 5M USD per call; bigger rebalances ITERATE
    maxSlippage: wad("0.02"),
    innerBand: 0n,
    triggerTtl: 0, // v1 had no trigger prices
  };
  if (leverage === 2) {
    return {
      ...common,
      minLeverage: wad("1.75"),
      targetLeverage: wad(2),
      maxLeverage: wad("2.25"),
      ripcordLeverage: wad(3),
      tolerance: wad("0.1"),
    };
  }
  if (leverage === 3) {
    return {
      ...common,
      minLeverage: wad("2.5"),
      targetLeverage: wad(3),
      maxLeverage: wad("3.5"),
      ripcordLeverage: wad("4.5"),
      tolerance: wad("0.15"),
    };
  }
  throw new Error(`no default methodology for ${leverage}x`);
}

/** A perp product's default methodology: v2, from the cost model of config/methodology.ts. */
export function methodologyFor(leverage: number, isLong: boolean): Methodology {
  return methodologyV2(leverage, isLong, venueMaxLeverage());
}

/** The mock perp venue's max leverage, 1 / initial margin (20x). */
function venueMaxLeverage(): number {
  return Number(WAD) / Number(baseVenue.initialMarginRatio);
}

/** Aave products: the market's money-market venue of the product's side, 1M USD per rebalance call (pool depth). */
function aaveProductDefaults(symbol: AaveProductSymbol): ProductDefaults {
  const c = AAVE_PRODUCT_CONFIG[symbol];
  return {
    symbol,
    venueDeployment: aaveVenueName(c.market, c.isLong),
    name: `Ballast ${c.market} ${c.leverage}x ${c.isLong ? "Long" : "Short"} on Aave`,
    market: c.market,
    isLong: c.isLong,
    leverage: c.leverage,
    methodology: {
      minLeverage: c.minLeverage,
      targetLeverage: wad(c.leverage),
      maxLeverage: c.maxLeverage,
      ripcordLeverage: c.ripcordLeverage,
      interval: 86_400,
      tolerance: c.tolerance,
      maxTradeNotional: wad(1_000_000),
      maxSlippage: wad("0.01"),
      innerBand: 0n,
      // No trigger prices on Aave: equity there is valued with Aave's own oracle and accrues interest; every check
      // reads the venue.
      triggerTtl: 0,
    },
    bounty: DEFAULT_BOUNTY,
    fees: DEFAULT_FEES,
    equityCap: wad(20_000_000),
  };
}

export function productDefaults(symbol: string): ProductDefaults {
  if ((AAVE_PRODUCT_SYMBOLS as readonly string[]).includes(symbol)) {
    return aaveProductDefaults(symbol as AaveProductSymbol);
  }
  const m = /^(BTC|ETH)([23])([LS])$/.exec(symbol);
  if (!m) throw new Error(`unknown product ${symbol}: expected one of ${PRODUCT_SYMBOLS.join(", ")}`);
  const market = m[1] as MarketSymbol;
  const leverage = Number(m[2]);
  const isLong = m[3] === "L";
  return {
    symbol,
    venueDeployment: venueDeploymentName(market),
    name: `Ballast ${market} ${leverage}x ${isLong ? "Long" : "Short"}`,
    market,
    isLong,
    leverage,
    methodology: methodologyFor(leverage, isLong),
    bounty: DEFAULT_BOUNTY,
    fees: DEFAULT_FEES,
    equityCap: wad(100_000_000),
  };
}

/**
 * The single unmonitored underlying return that takes an account from leverage `l` to maintenance margin `m`
 * (docs/mechanism.md): long x = (m l - 1) / (l (1 - m)), short x = (1 - m l) / (l (1 + m)).
 */
export function liquidationMove(leverage: number, maintenance: number, isLong: boolean): number {
  return isLong
    ? (maintenance * leverage - 1) / (leverage * (1 - maintenance))
    : (1 - maintenance * leverage) / (leverage * (1 + maintenance));
}
