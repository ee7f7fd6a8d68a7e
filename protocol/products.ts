/**
 * The products the deployment creates, by symbol: market, leverage and side are read from the symbol
 * (BTC3L = BTC 3x long). hardhat-deploy names each product's deployment after its symbol.
 */
export const MARKET_SYMBOLS = ["BTC", "ETH"] as const;
export type MarketSymbol = (typeof MARKET_SYMBOLS)[number];

export const PRODUCT_SYMBOLS = ["BTC2L", "BTC2S", "BTC3L", "BTC3S", "ETH2L", "ETH2S", "ETH3L", "ETH3S"] as const;
export type ProductSymbol = (typeof PRODUCT_SYMBOLS)[number];

/**
 * The products on the money-market venue (Aave v3 + Uniswap v3, contracts/venues/aave/): deployed with the real-venue
 * market (`npm run node`), absent from a perp-only deployment. Tools show each one that is deployed.
 */
export const AAVE_PRODUCT_SYMBOLS = ["AaveETH2L", "AaveETH3L", "AaveBTC2L", "AaveETH2S"] as const;
export type AaveProductSymbol = (typeof AAVE_PRODUCT_SYMBOLS)[number];

/** Every product symbol a deployment may hold, in display order: the perp products, then the Aave products. */
export const ALL_PRODUCT_SYMBOLS = [...PRODUCT_SYMBOLS, ...AAVE_PRODUCT_SYMBOLS] as const;
export type AnyProductSymbol = (typeof ALL_PRODUCT_SYMBOLS)[number];

export interface ProductInfo {
  symbol: AnyProductSymbol;
  market: MarketSymbol;
  /** The target leverage as a whole number (2 or 3). */
  leverage: number;
  isLong: boolean;
  /** e.g. "BTC 3× long", "ETH 2× long on Aave". */
  name: string;
}

export function isProductSymbol(symbol: string): symbol is ProductSymbol {
  return (PRODUCT_SYMBOLS as readonly string[]).includes(symbol);
}

export function isAnyProductSymbol(symbol: string): symbol is AnyProductSymbol {
  return (ALL_PRODUCT_SYMBOLS as readonly string[]).includes(symbol);
}

/** Market, leverage and side of a product symbol; throws on anything that is not one of ALL_PRODUCT_SYMBOLS. */
export function productInfo(symbol: string): ProductInfo {
  const m = /^(Aave)?(BTC|ETH)([23])([LS])$/.exec(symbol);
  if (!m || !isAnyProductSymbol(symbol)) {
    throw new Error(`unknown product ${symbol}: expected one of ${ALL_PRODUCT_SYMBOLS.join(", ")}`);
  }
  const market = m[2] as MarketSymbol;
  const leverage = Number(m[3]);
  const isLong = m[4] === "L";
  const venue = m[1] ? " on Aave" : "";
  return { symbol, market, leverage, isLong, name: `${market} ${leverage}× ${isLong ? "long" : "short"}${venue}` };
}
