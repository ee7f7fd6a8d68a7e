/** Number formatting for operator output. Amounts stay bigint until the last moment (display only). */
import { formatUnits } from "ethers";

/** Leverage, NAV and ratios above this are "infinite" sentinels (e.g. type(uint256).max with equity <= 0). */
const HUGE = 10n ** 40n;

/** `x` (scaled by 10^decimals) with a fixed number of fraction digits, rounded half away from zero. */
export function fixed(x: bigint, decimals: number, digits: number): string {
  if (digits >= decimals) return Number(formatUnits(x, decimals)).toFixed(digits);
  const step = 10n ** BigInt(decimals - digits);
  const neg = x < 0n;
  const abs = neg ? -x : x;
  const rounded = (abs + step / 2n) / step;
  const s = formatUnits(rounded, digits);
  const [int, frac = ""] = s.split(".");
  const body = digits === 0 ? int : `${int}.${frac.padEnd(digits, "0")}`;
  return neg && rounded !== 0n ? `-${body}` : body;
}

export const fmtWad = (x: bigint, digits = 4): string => (x >= HUGE || x <= -HUGE ? "inf" : fixed(x, 18, digits));
export const fmtUsdc = (x: bigint, digits = 2): string => fixed(x, 6, digits);
export const fmtLev = (x: bigint): string => (x >= HUGE ? "inf" : `${fixed(x, 18, 2)}x`);
export const fmtPct = (xWad: bigint, digits = 2): string =>
  xWad >= HUGE || xWad <= -HUGE ? "-" : `${fixed(xWad * 100n, 18, digits)}%`;

/** A plain text table: right-aligned columns, a header and a rule. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), space);
}
