/**
 * What a backtest reads out of receipts: the product the factory created, the holder's mint and redeem, the keeper's
 * trades, and the venue's charges to the product's account (trading costs and funding).
 */
import { WAD } from "../../config/parameters";
import type { Abis } from "./abis";
import type { RawReceipt } from "./chain";
import { fromWad, toUsd6 } from "./driver-codec";
import type { WindowResult } from "./types";

/** The token a `createProduct` transaction deployed. */
export function createdToken(abis: Abis, receipt: RawReceipt): string {
  return abis.factory.parseLog(abis.logs(receipt, "ProductCreated")[0])!.args[0] as string;
}

/** The holder's mint: shares received and the mint fee (USDC units). */
export function readMint(abis: Abis, receipt: RawReceipt, token: string): { shares: bigint; fee: bigint } {
  const ev = abis.token.parseLog(abis.logs(receipt, "Minted", token)[0])!;
  return { shares: ev.args[3] as bigint, fee: ev.args[4] as bigint };
}

/** The holder's redeem: collateral out and the redeem fee (USDC units), and the streaming-fee shares it accrued. */
export function readRedeem(
  abis: Abis,
  receipt: RawReceipt,
  token: string,
): { out: bigint; fee: bigint; streamingFeeShares: bigint | null } {
  const ev = abis.token.parseLog(abis.logs(receipt, "Redeemed", token)[0])!;
  const streaming = abis.logs(receipt, "StreamingFeeAccrued", token);
  return {
    out: ev.args[3] as bigint,
    fee: ev.args[4] as bigint,
    streamingFeeShares: streaming.length ? (abis.token.parseLog(streaming[0])!.args[0] as bigint) : null,
  };
}

/** One executed rebalance or ripcord: leverage after (WAD), the size traded and the keeper's bounty (USDC units). */
export interface RebalanceRead {
  leverageAfter: bigint;
  sizeDelta: bigint;
  bounty: bigint;
}

export function readRebalances(abis: Abis, receipt: RawReceipt, rebalancer: string): RebalanceRead[] {
  return abis.logs(receipt, "RebalanceExecuted", rebalancer).map((log) => {
    const ev = abis.rebalancer.parseLog(log)!;
    return { leverageAfter: ev.args[3] as bigint, sizeDelta: ev.args[4] as bigint, bounty: ev.args[6] as bigint };
  });
}

/**
 * The venue's charges to one account, added to a window's result receipt by receipt: a trade's fee and its price
 * impact against the last posted price, funding settled, and a liquidation's fee and penalty.
 */
export class CostBook {
  /** WAD, the last posted price: a fill's price impact is measured against it. */
  mark: bigint;
  private readonly account: string;

  constructor(
    private readonly abis: Abis,
    private readonly venue: string,
    token: string,
    private readonly r: WindowResult,
    mark: bigint,
  ) {
    this.account = token.toLowerCase();
    this.mark = mark;
  }

  add(receipt: RawReceipt): void {
    const { abis, venue, r, account } = this;
    for (const log of abis.logs(receipt, "PositionModified", venue)) {
      const ev = abis.venue.parseLog(log)!;
      if ((ev.args[0] as string).toLowerCase() !== account) continue;
      const delta = ev.args[1] as bigint;
      const fill = ev.args[2] as bigint;
      const fee = ev.args[3] as bigint;
      const absDelta = delta < 0n ? -delta : delta;
      const slip = fill > this.mark ? fill - this.mark : this.mark - fill;
      r.tradingCosts += fromWad(fee) + fromWad((absDelta * slip) / WAD);
    }
    for (const log of abis.logs(receipt, "FundingSettled", venue)) {
      const ev = abis.venue.parseLog(log)!;
      if ((ev.args[0] as string).toLowerCase() === account) r.fundingPaid += fromWad(ev.args[1] as bigint);
    }
    for (const log of abis.logs(receipt, "Liquidated", venue)) {
      const ev = abis.venue.parseLog(log)!;
      if ((ev.args[0] as string).toLowerCase() !== account) continue;
      r.tradingCosts += toUsd6(ev.args[4] as bigint) + fromWad(ev.args[5] as bigint);
    }
  }
}
