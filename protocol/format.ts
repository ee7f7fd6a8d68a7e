/** Exact bigint amounts as text: no floating point, rounded down, with thousands separators. */

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
