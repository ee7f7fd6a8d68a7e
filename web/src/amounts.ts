/** Amounts typed into the forms, and the arithmetic the previews and actions do on them (as the contracts round). */
import { parseUnits } from "ethers";
// Relative, not @ballast/protocol: also loaded by Node tests (test/unit/WebLogic.test.ts), which do not know the alias.
import { BPS, WAD } from "../../protocol/constants";

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

/** A typed amount, or the sentence that says what is wrong with it. */
export type Checked = { value: bigint; error?: undefined } | { value?: undefined; error: string };

/**
 * Reads an amount field: `unit` names what is typed ("USDC", or a product's symbol), `decimals` how many digits
 * after the point it has. Empty, malformed ("1e3", "-5", "abc"), too precise and zero inputs each get their own
 * sentence.
 */
export function checkAmount(text: string, decimals: number, unit: string): Checked {
  const t = text.trim().replace(/,/g, "");
  if (t === "") return { error: `Enter an amount of ${unit}.` };
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t)) {
    return { error: `Enter a plain decimal number, like 1000 or 250.5 (no exponents, signs or letters).` };
  }
  const frac = t.split(".")[1] ?? "";
  if (frac.length > decimals) {
    return { error: `${unit} has ${decimals} decimals: enter at most ${decimals} digits after the point.` };
  }
  const value = parseAmount(t, decimals);
  if (value === null) return { error: `Enter a plain decimal number, like 1000 or 250.5.` };
  if (value === 0n) return { error: `Enter an amount of ${unit} above zero.` };
  return { value };
}

/**
 * The most USDC (6 decimals) a mint may pay so that the product's equity stays within its cap: the room left
 * (cap − equity, in USD WAD) grossed up by the mint fee. 0 when the product is at or above its cap.
 */
export function maxMintUnderCap(capWad: bigint, equityWad: bigint, mintFeeRateWad: bigint): bigint {
  if (equityWad >= capWad) return 0n;
  const roomUnits = (capWad - equityWad) / 10n ** 12n;
  return (roomUnits * WAD) / (WAD - mintFeeRateWad);
}
