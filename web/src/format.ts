/** Display helpers: exact bigint amounts rendered with a fixed number of decimals (rounded down) and separators. */

export const WAD = 10n ** 18n;

/** `value / 10^decimals`, truncated to `digits` decimals, with thousands separators. */
export function formatAmount(value: bigint, decimals: number, digits: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  let frac = (abs % scale).toString().padStart(decimals, "0").slice(0, digits);
  if (digits > decimals) frac = frac.padEnd(digits, "0");
  const wholeText = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${wholeText}${digits > 0 ? "." + frac : ""}`;
}

export const usd = (wad: bigint, digits = 2): string => `$${formatAmount(wad, 18, digits)}`;
export const usdc = (units: bigint, digits = 2): string => `${formatAmount(units, 6, digits)} USDC`;
export const tokens = (shares: bigint, symbol: string, digits = 4): string =>
  `${formatAmount(shares, 18, digits)} ${symbol}`;
export const leverage = (wad: bigint): string => `${formatAmount(wad, 18, 2)}×`;

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
