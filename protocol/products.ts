/**
 * The products the deployment creates, by symbol: market, leverage and side are read from the symbol
 * (BTC3L = BTC 3x long). hardhat-deploy names each product's deployment after its symbol.
 */
export const MARKET_SYMBOLS = ["BTC", "ETH"] as const;
export type MarketSymbol = (typeof MARKET_SYMBOLS)[number];

export const PRODUCT_SYMBOLS = ["BTC2L", "BTC2S", "BTC3L", "BTC3S", "ETH2L", "ETH2S", "ETH3L", "ETH3S"] as const;
export type ProductSymbol = (typeof PRODUCT_SYMBOLS)[number];

export interface ProductInfo {
  symbol: ProductSymbol;
  market: MarketSymbol;
  /** The target leverage as a whole number (2 or 3). */
  leverage: number;
  isLong: boolean;
  /** e.g. "BTC 3× long". */
  name: string;
}

export function isProductSymbol(symbol: string): symbol is ProductSymbol {
  return (PRODUCT_SYMBOLS as readonly string[]).includes(symbol);
}

/** Market, leverage and side of a product symbol; throws on anything that is not one of PRODUCT_SYMBOLS. */
export function productInfo(symbol: string): ProductInfo {
  const m = /^(BTC|ETH)([23])([LS])$/.exec(symbol);
  if (!m || !isProductSymbol(symbol)) {
    throw new Error(`unknown product ${symbol}: expected one of ${PRODUCT_SYMBOLS.join(", ")}`);
  }
  const market = m[1] as MarketSymbol;
  const leverage = Number(m[2]);
  const isLong = m[3] === "L";
  return { symbol, market, leverage, isLong, name: `${market} ${leverage}× ${isLong ? "long" : "short"}` };
}
