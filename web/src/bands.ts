/**
 * Pure risk logic (no browser): where leverage stands against the band and the ripcord, how old the oracle's price
 * is, and the short form of addresses and hashes. Loaded by Node tests too (relative imports only).
 */

export type LeverageState = "none" | "inside" | "outside" | "ripcord";

export interface Band {
  minLeverage: bigint;
  maxLeverage: bigint;
  ripcordLeverage: bigint;
}

/** "ripcord" at or beyond the ripcord level, "outside" off the band, "inside" within it; "none" without a position. */
export function leverageState(leverageWad: bigint | undefined, hasPosition: boolean, band: Band): LeverageState {
  if (leverageWad === undefined || !hasPosition) return "none";
  if (leverageWad >= band.ripcordLeverage) return "ripcord";
  if (leverageWad < band.minLeverage || leverageWad > band.maxLeverage) return "outside";
  return "inside";
}

/** The words shown next to the coloured leverage (never colour alone). */
export const LEVERAGE_STATE_LABEL: Record<LeverageState, string> = {
  none: "no position",
  inside: "inside band",
  outside: "outside band",
  ripcord: "at or beyond ripcord",
};

export interface FeedAge {
  /** Seconds since the feed's last valid answer, at the chain's latest block time. */
  ageSeconds: number;
  /** The adapter's limit (`maxStaleness()`), seconds. */
  maxStaleness: number;
  stale: boolean;
}

export function feedAge(updatedAt: bigint, blockTime: bigint, maxStaleness: bigint): FeedAge {
  const age = blockTime > updatedAt ? Number(blockTime - updatedAt) : 0;
  return { ageSeconds: age, maxStaleness: Number(maxStaleness), stale: age > Number(maxStaleness) };
}

/** "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h". */
export function ageText(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

/** 0x1234…abcd: the first 4 and last 4 hex digits of an address or hash. */
export function shorten(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : hex;
}
