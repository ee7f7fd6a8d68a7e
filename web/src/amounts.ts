/** Amounts typed into the forms, and the arithmetic the previews and actions do on them (as the contracts round). */
import { parseUnits } from "ethers";
import { BPS, WAD } from "@ballast/protocol";

/** Parses a decimal amount; null for empty or malformed input. */
export function parseAmount(text: string, decimals: number): bigint | null {
  const t = text.trim().replace(/,/g, "");
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t)) return null;
  const [whole = "0", frac = ""] = t.split(".");
  if (frac.length > decimals) return null;
  try {
    return parseUnits(`${whole === "" ? "0" : whole}.${frac === "" ? "0" : frac}`, decimals);
  } catch {
    return null;
  }
}

/** Slippage in basis points from the percent field's text (0–50%); null when invalid. */
export function slippageBps(text: string): bigint | null {
  const v = parseAmount(text, 2);
  if (v === null || v > 5000n) return null;
  return v; // a percent with 2 decimals is exactly basis points
}

/** The least accepted out of `amount` at `bps` slippage, rounded down. */
export const applySlippage = (amount: bigint, bps: bigint): bigint => (amount * (BPS - bps)) / BPS;

/** A fee at a WAD rate, rounded up as the contract charges it. */
export const feeUp = (amount: bigint, rateWad: bigint): bigint => (amount * rateWad + WAD - 1n) / WAD;
