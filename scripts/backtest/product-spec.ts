/** The product a backtest runs: from a symbol such as BTC3L, or from a market, a leverage and a side. */
import type { MarketSymbol } from "../../config/parameters";
import type { ProductSpec } from "./types";

/** Builds a product spec from a symbol like BTC3L, or from market + leverage + side. */
export function productSpec(symbolOrMarket: string, leverage?: number, side?: "long" | "short"): ProductSpec {
  const m = /^(BTC|ETH)(\d+(?:\.\d+)?)([LS])$/.exec(symbolOrMarket);
  if (m) return { symbol: symbolOrMarket, market: m[1] as MarketSymbol, leverage: Number(m[2]), isLong: m[3] === "L" };
  if (symbolOrMarket !== "BTC" && symbolOrMarket !== "ETH")
    throw new Error(`unknown product or market ${symbolOrMarket}`);
  if (leverage === undefined || !(leverage > 0)) throw new Error("--leverage must be a positive number");
  const isLong = (side ?? "long") === "long";
  return { symbol: `${symbolOrMarket}${leverage}${isLong ? "L" : "S"}`, market: symbolOrMarket, leverage, isLong };
}
