/** Display helpers: exact bigint amounts rendered with a fixed number of decimals (rounded down) and separators. */
// Relative, not @ballast/protocol: this file is also loaded by Node tests (test/unit/WebLogic.test.ts), which do not
// know the Vite alias.
import { WAD } from "../../protocol/constants";
import { formatAmount } from "../../protocol/format";

export { formatAmount };

export const usd = (wad: bigint, digits = 2): string => `$${formatAmount(wad, 18, digits)}`;
export const usdc = (units: bigint, digits = 2): string => `${formatAmount(units, 6, digits)} USDC`;
export const tokens = (shares: bigint, symbol: string, digits = 4): string =>
  `${formatAmount(shares, 18, digits)} ${symbol}`;
export const leverage = (wad: bigint): string => `${formatAmount(wad, 18, 2)}×`;
/** A WAD rate as a percentage with two decimals, e.g. 0.1% for 1e15. */
export const ratePct = (rateWad: bigint): string => `${formatAmount(rateWad * 100n, 18, 2)}%`;

/** A signed fraction (WAD) as a percentage with two decimals and an explicit sign. */
export function percent(fractionWad: bigint): string {
  const bp = (fractionWad * 10000n) / WAD; // basis points, truncated toward zero
  const sign = bp > 0n ? "+" : bp < 0n ? "−" : "";
  const abs = bp < 0n ? -bp : bp;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}%`;
}

export function shortHash(hash: string): string {
  return hash.length > 14 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : hash;
}

/** "day", "3 days", "hour", "6 hours" or "90 seconds". */
export function humanDuration(seconds: bigint): string {
  const s = Number(seconds);
  if (s % 86_400 === 0) return s === 86_400 ? "day" : `${s / 86_400} days`;
  if (s % 3600 === 0) return s === 3600 ? "hour" : `${s / 3600} hours`;
  return `${s} seconds`;
}

/** Every decimal of an amount, without trailing zeros (e.g. "0.000001 USDC", "0.000000000000000001 BTC3L"). */
export function exact(value: bigint, decimals: number, unit: string): string {
  const text = formatAmount(value, decimals, decimals).replace(/\.?0+$/, "");
  return `${text} ${unit}`;
}
