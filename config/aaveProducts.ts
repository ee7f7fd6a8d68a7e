/**
 * Ballast products on the money-market venue (contracts/venues/aave/AaveVenue.sol over the local Aave v3 market of
 * config/aave.ts and the Uniswap v3 pools of config/uniswap.ts): which venues are deployed and the products on them.
 * deploy/13_aave_products.ts deploys them; docs/parameters.md shows them (scripts/params-doc.ts).
 *
 * The envelope of a money-market product is a health-factor move, not a maintenance margin: Aave liquidates when the
 * health factor falls below 1, i.e. at leverage ℓ* = 1/(1 − LT(base)) for a long and LT(USDC)/(1 − LT(USDC)) for a
 * short (`aaveLiquidationLeverage`). Each side is its own venue, because Aave's limits differ by side.
 */
import { parseUnits } from "ethers";
import type { AaveProductSymbol } from "../protocol/products";
import { AAVE_MARKET, BASE_TOKEN } from "./aave";
import type { MarketSymbol } from "./parameters";

// Not config/parameters.ts's `wad`: that module imports this one.
const wad = (x: string | number): bigint => parseUnits(String(x), 18);

/** One AaveVenue deployment: one market, one side. */
export interface AaveVenueConfig {
  market: MarketSymbol;
  isLong: boolean;
  /**
   * AaveVenue.MAX_SLIPPAGE: the worst fill, as a fraction of the oracle price against the trader, that a trade may
   * get; also what a quote (and so a redeem) is priced at. The pool's fee plus the impact of `maxTradeNotional`.
   */
  maxSlippage: bigint;
}

export const AAVE_VENUES = {
  // WETH/USDC 0.05% pool: fee 0.05% + ~0.10% average impact of a 1M USD trade (config/uniswap.ts depth).
  ETHAaveLongVenue: { market: "ETH", isLong: true, maxSlippage: wad("0.005") },
  ETHAaveShortVenue: { market: "ETH", isLong: false, maxSlippage: wad("0.005") },
  // WBTC/USDC 0.30% pool: fee 0.30% + the same impact.
  BTCAaveLongVenue: { market: "BTC", isLong: true, maxSlippage: wad("0.0075") },
} as const satisfies Record<string, AaveVenueConfig>;
export type AaveVenueName = keyof typeof AAVE_VENUES;

/** The venue deployment serving `market` on `side`. */
export function aaveVenueName(market: MarketSymbol, isLong: boolean): AaveVenueName {
  const name = `${market}Aave${isLong ? "Long" : "Short"}Venue`;
  if (!(name in AAVE_VENUES)) throw new Error(`no Aave venue for ${market} ${isLong ? "long" : "short"}`);
  return name as AaveVenueName;
}

/**
 * The leverage at which Aave's health factor reaches 1 for an account of one side (USDC at par): a long's collateral
 * is the notional and its debt notional − equity, so HF = LT(base)·ℓ/(ℓ − 1); a short's collateral is equity +
 * notional against a debt of the notional, so HF = LT(USDC)·(1 + 1/ℓ).
 */
export function aaveLiquidationLeverage(market: MarketSymbol, isLong: boolean): number {
  const lt = (bps: number): number => bps / 10_000;
  if (isLong) return 1 / (1 - lt(AAVE_MARKET.reserves[BASE_TOKEN[market]].liquidationThresholdBps));
  const ltUsdc = lt(AAVE_MARKET.reserves.USDC.liquidationThresholdBps);
  return ltUsdc / (1 - ltUsdc);
}

/**
 * The single unmonitored move of the underlying that takes an account from leverage ℓ to leverage ℓ*: a long's
 * leverage after a return x is ℓ(1 + x)/(1 + ℓx), a short's ℓ(1 + x)/(1 − ℓx).
 * Long: x = (ℓ − ℓ*)/(ℓ(ℓ* − 1)); short: x = (ℓ* − ℓ)/(ℓ(1 + ℓ*)).
 */
export function moveToLeverage(from: number, to: number, isLong: boolean): number {
  return isLong ? (from - to) / (from * (to - 1)) : (to - from) / (from * (1 + to));
}

/** The Aave products: each its own symbol, venue and methodology (Rebalancer-validated: ripcord ≤ maxLeverage). */
export interface AaveProductConfig {
  market: MarketSymbol;
  isLong: boolean;
  leverage: number;
  minLeverage: bigint;
  maxLeverage: bigint;
  ripcordLeverage: bigint;
  tolerance: bigint;
}

export const AAVE_PRODUCT_CONFIG = {
  // ETH long: liquidation at 1/(1 − 82.5%) = 5.71x; venue max (LTV 80%) 5x.
  AaveETH2L: {
    market: "ETH",
    isLong: true,
    leverage: 2,
    minLeverage: wad("1.75"),
    maxLeverage: wad("2.25"),
    ripcordLeverage: wad(3),
    tolerance: wad("0.1"),
  },
  AaveETH3L: {
    market: "ETH",
    isLong: true,
    leverage: 3,
    minLeverage: wad("2.5"),
    maxLeverage: wad("3.5"),
    ripcordLeverage: wad(4),
    tolerance: wad("0.15"),
  },
  // BTC long: liquidation at 1/(1 − 75%) = 4x; venue max (LTV 70%) 3.33x, so no 3x BTC long with a band above it.
  AaveBTC2L: {
    market: "BTC",
    isLong: true,
    leverage: 2,
    minLeverage: wad("1.75"),
    maxLeverage: wad("2.25"),
    ripcordLeverage: wad(3),
    tolerance: wad("0.1"),
  },
  // ETH short: liquidation at 79%/21% = 3.76x; venue max (LTV 77%) 3.35x. A 3x short would sit 5.3% from
  // liquidation at target, so 2x is the highest with a defensible envelope (+14.1% from the band top).
  AaveETH2S: {
    market: "ETH",
    isLong: false,
    leverage: 2,
    minLeverage: wad("1.75"),
    maxLeverage: wad("2.25"),
    ripcordLeverage: wad("2.75"),
    tolerance: wad("0.1"),
  },
} as const satisfies Record<AaveProductSymbol, AaveProductConfig>;
