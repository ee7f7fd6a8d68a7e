/**
 * What the chain's events say about a product and a holder: the account's Minted / Redeemed events, every mint and
 * redeem fee, the Rebalancer's RebalanceExecuted events (leverage before and after, keeper, bounty), and block
 * times. Logs are scanned once: each list remembers the last block it has read and asks only for newer ones.
 * Searched from block 0 (the export carries no deployment block; see docs/web.md).
 */
import type { Provider } from "ethers";
import { toAction, type Action, type IRebalancer } from "@ballast/protocol";
import type { HolderEvent } from "./position";
import type { ProductStatic } from "./reader";

export interface RebalanceRow {
  blockNumber: number;
  logIndex: number;
  txHash: string;
  time: number | null;
  action: Action;
  leverageBefore: bigint;
  leverageAfter: bigint;
  sizeDelta: bigint;
  keeper: string;
  /** Collateral units the product paid the keeper. */
  bounty: bigint;
}

export interface ProductFlows {
  /** Every Minted and Redeemed event of the product (any account). */
  events: HolderEvent[];
  mintFees: bigint;
  redeemFees: bigint;
  /** Σ StreamingFeeAccrued.shares: tokens minted to the treasury. */
  streamingFeeShares: bigint;
}

interface Scan<T> {
  to: number;
  items: T[];
}

export class ChainHistory {
  private readonly scans = new Map<string, Scan<unknown>>();
  private readonly times = new Map<number, Promise<number | null>>();

  constructor(
    readonly provider: Provider,
    readonly rebalancer: IRebalancer,
  ) {}

  /** A block's time (Unix seconds), cached. */
  blockTime(n: number): Promise<number | null> {
    let t = this.times.get(n);
    if (!t) {
      t = this.provider.getBlock(n).then(
        (b) => (b ? b.timestamp : null),
        () => null,
      );
      this.times.set(n, t);
    }
    return t;
  }

  /** The items of `fetch` from block 0 to `toBlock`, asking only for the blocks not read before. */
  private async scan<T>(key: string, toBlock: number, fetch: (from: number, to: number) => Promise<T[]>): Promise<T[]> {
    const prev = this.scans.get(key) as Scan<T> | undefined;
    const from = prev ? prev.to + 1 : 0;
    if (prev && from > toBlock) return prev.items;
    const fresh = await fetch(from, toBlock);
    const items = [...(prev?.items ?? []), ...fresh];
    this.scans.set(key, { to: toBlock, items });
    return items;
  }

  private async withTimes<T extends { blockNumber: number; time: number | null }>(items: T[]): Promise<T[]> {
    for (const x of items) if (x.time === null) x.time = await this.blockTime(x.blockNumber);
    return items;
  }

  /** The account's mints (it received the shares) and redeems (it burnt the shares), in chain order. */
  async holderEvents(p: ProductStatic, account: string, toBlock: number): Promise<HolderEvent[]> {
    const key = `holder:${p.address}:${account.toLowerCase()}`;
    const items = await this.scan<HolderEvent>(key, toBlock, async (from, to) => {
      const [mints, redeems] = await Promise.all([
        p.token.queryFilter(p.token.filters.Minted(undefined, account), from, to),
        p.token.queryFilter(p.token.filters.Redeemed(account), from, to),
      ]);
      return [
        ...mints.map((l): HolderEvent => ({
          kind: "mint",
          blockNumber: l.blockNumber,
          logIndex: l.index,
          txHash: l.transactionHash,
          time: null,
          collateral: l.args.collateralIn,
          shares: l.args.shares,
          fee: l.args.fee,
        })),
        ...redeems.map((l): HolderEvent => ({
          kind: "redeem",
          blockNumber: l.blockNumber,
          logIndex: l.index,
          txHash: l.transactionHash,
          time: null,
          collateral: l.args.collateralOut,
          shares: l.args.shares,
          fee: l.args.fee,
        })),
      ];
    });
    return this.withTimes(items.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex));
  }

  /** Every mint and redeem of the product, and the fees they paid. */
  async productFlows(p: ProductStatic, toBlock: number): Promise<ProductFlows> {
    const events = await this.scan<HolderEvent>(`flows:${p.address}`, toBlock, async (from, to) => {
      const [mints, redeems] = await Promise.all([
        p.token.queryFilter(p.token.filters.Minted(), from, to),
        p.token.queryFilter(p.token.filters.Redeemed(), from, to),
      ]);
      const base = (l: { blockNumber: number; index: number; transactionHash: string }) => ({
        blockNumber: l.blockNumber,
        logIndex: l.index,
        txHash: l.transactionHash,
        time: null,
      });
      return [
        ...mints.map((l): HolderEvent => ({
          ...base(l),
          kind: "mint",
          collateral: l.args.collateralIn,
          shares: l.args.shares,
          fee: l.args.fee,
        })),
        ...redeems.map((l): HolderEvent => ({
          ...base(l),
          kind: "redeem",
          collateral: l.args.collateralOut,
          shares: l.args.shares,
          fee: l.args.fee,
        })),
      ];
    });
    const streaming = await this.scan<bigint>(`streaming:${p.address}`, toBlock, async (from, to) =>
      (await p.token.queryFilter(p.token.filters.StreamingFeeAccrued(), from, to)).map((l) => l.args.shares),
    );
    let mintFees = 0n;
    let redeemFees = 0n;
    for (const e of events) {
      if (e.kind === "mint") mintFees += e.fee;
      else redeemFees += e.fee;
    }
    return {
      events: [...events].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex),
      mintFees,
      redeemFees,
      streamingFeeShares: streaming.reduce((a, b) => a + b, 0n),
    };
  }

  /** The Rebalancer's RebalanceExecuted events for the product, oldest first, with block times. */
  async rebalances(p: ProductStatic, toBlock: number): Promise<RebalanceRow[]> {
    const r = this.rebalancer;
    const items = await this.scan<RebalanceRow>(`rebalances:${p.address}`, toBlock, async (from, to) =>
      (await r.queryFilter(r.filters.RebalanceExecuted(p.address), from, to)).map((l) => ({
        blockNumber: l.blockNumber,
        logIndex: l.index,
        txHash: l.transactionHash,
        time: null,
        action: toAction(l.args.action),
        leverageBefore: l.args.leverageBefore,
        leverageAfter: l.args.leverageAfter,
        sizeDelta: l.args.sizeDelta,
        keeper: l.args.keeper,
        bounty: l.args.bounty,
      })),
    );
    return this.withTimes(items);
  }

  /** Blocks at which the feed published an answer (its AnswerUpdated events), when the feed emits them. */
  async answerBlocks(feed: string, toBlock: number): Promise<number[]> {
    const topic = "0x0559884fd3a460db3073b7fc896cc77986f16e378210ded43186175bf646fc5f"; // AnswerUpdated(int256,uint256,uint256)
    return this.scan<number>(`answers:${feed.toLowerCase()}`, toBlock, async (from, to) =>
      (await this.provider.getLogs({ address: feed, topics: [topic], fromBlock: from, toBlock: to })).map(
        (l) => l.blockNumber,
      ),
    );
  }
}
