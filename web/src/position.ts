/**
 * A holder's position in one product, from the account's own events only (no browser, no chain: pure arithmetic on
 * the Minted / Redeemed events and the redeem preview, so that test/unit/WebLogic.test.ts can check it).
 *
 * Cost basis by the average-cost method:
 *   - a mint adds the USDC it took (`Minted.collateralIn`, fee included) to the open cost, and its shares to the
 *     shares held;
 *   - a redeem of s of the h shares held takes the pro-rata part of the open cost, openCost × s / h (rounded down),
 *     off the books; what it paid (`Redeemed.collateralOut`, after its fee) minus that part is realised PnL;
 *   - unrealised PnL = what a redeem of the whole balance pays now (`previewRedeem(balance)`) − the open cost;
 *   - total PnL = realised + unrealised = paid out + redeem value now − paid in.
 * Tokens that came by transfer have no cost (they count only in the redeem value); tokens that left by transfer
 * keep their cost on the books. `sharesFromEvents` vs the balance tells the page when that happened.
 */
// Relative, not @ballast/protocol: this file is also loaded by Node tests, which do not know the Vite alias.
import { WAD } from "../../protocol/constants";
import { formatAmount } from "../../protocol/format";

export type HolderEventKind = "mint" | "redeem";

/** One Minted (receiver = the account) or Redeemed (sender = the account) event, in collateral units and shares. */
export interface HolderEvent {
  kind: HolderEventKind;
  blockNumber: number;
  logIndex: number;
  txHash: string;
  /** Block time (Unix seconds); null when the block could not be read. */
  time: number | null;
  /** Mint: USDC paid in (fee included). Redeem: USDC paid out (after the fee). Collateral units. */
  collateral: bigint;
  shares: bigint;
  /** The fee the event reports (collateral units). */
  fee: bigint;
}

export interface CostBasis {
  /** Σ Minted.collateralIn. */
  paidIn: bigint;
  /** Σ Redeemed.collateralOut. */
  paidOut: bigint;
  /** Σ fees of both kinds. */
  fees: bigint;
  /** Shares minted minus shares redeemed. */
  sharesFromEvents: bigint;
  /** The cost of the shares still held (average cost). */
  openCost: bigint;
  /** Σ (collateralOut − the cost taken off) over redeems. */
  realizedPnl: bigint;
}

/** Chain order: by block, then by log index. */
export function sortEvents(events: readonly HolderEvent[]): HolderEvent[] {
  return [...events].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

export function costBasis(events: readonly HolderEvent[]): CostBasis {
  let paidIn = 0n;
  let paidOut = 0n;
  let fees = 0n;
  let held = 0n;
  let openCost = 0n;
  let realizedPnl = 0n;
  for (const e of sortEvents(events)) {
    fees += e.fee;
    if (e.kind === "mint") {
      paidIn += e.collateral;
      held += e.shares;
      openCost += e.collateral;
      continue;
    }
    paidOut += e.collateral;
    // Shares that came by transfer have no cost: only what the events minted is on the books.
    const fromBooks = e.shares >= held ? held : e.shares;
    const costOff = held === 0n ? 0n : fromBooks === held ? openCost : (openCost * fromBooks) / held;
    openCost -= costOff;
    held -= fromBooks;
    realizedPnl += e.collateral - costOff;
  }
  return { paidIn, paidOut, fees, sharesFromEvents: held, openCost, realizedPnl };
}

export interface Pnl {
  /** What a redeem of the whole balance pays now (previewRedeem(balance)), collateral units. */
  redeemValue: bigint;
  openCost: bigint;
  /** redeemValue − openCost. */
  unrealized: bigint;
  /** unrealized / openCost as a WAD fraction; null without an open cost. */
  unrealizedFractionWad: bigint | null;
  realized: bigint;
  /** realized + unrealized = paidOut + redeemValue − paidIn. */
  total: bigint;
  /** total / paidIn as a WAD fraction; null when nothing was paid in. */
  totalFractionWad: bigint | null;
}

export function pnl(basis: CostBasis, redeemValue: bigint): Pnl {
  const unrealized = redeemValue - basis.openCost;
  const total = basis.realizedPnl + unrealized;
  return {
    redeemValue,
    openCost: basis.openCost,
    unrealized,
    unrealizedFractionWad: basis.openCost > 0n ? (unrealized * WAD) / basis.openCost : null,
    realized: basis.realizedPnl,
    total,
    totalFractionWad: basis.paidIn > 0n ? (total * WAD) / basis.paidIn : null,
  };
}

/**
 * A fee (or any small amount) in collateral units: two decimals from one unit up, every decimal below it, so that a
 * non-zero fee never reads "0.00" (e.g. 0.001 USDC, 0.000001 USDC).
 */
export function feeAmount(units: bigint, decimals = 6, unit = "USDC"): string {
  const abs = units < 0n ? -units : units;
  const one = 10n ** BigInt(decimals);
  if (abs === 0n || abs >= one) return `${formatAmount(units, decimals, 2)} ${unit}`;
  return `${formatAmount(units, decimals, decimals).replace(/0+$/, "")} ${unit}`;
}

/** A signed USDC amount with an explicit sign: "+12.34 USDC", "−0.000001 USDC", "0.00 USDC". */
export function signedUsdc(units: bigint): string {
  const abs = units < 0n ? -units : units;
  const text = feeAmount(abs);
  return units > 0n ? `+${text}` : units < 0n ? `−${text}` : text;
}
