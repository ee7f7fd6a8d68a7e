/**
 * How a figure is measured: full transaction gas (receipt.gasUsed), after the same clock step on both sides of every
 * comparison, optionally with its trace breakdown; keeper transactions from one snapshot of the "due" state, so every
 * keeper path acts on the identical state.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ContractTransactionResponse } from "ethers";
import { takeSnapshot, time, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { traceBreakdown, type Breakdown } from "./breakdown";
import type { Suite } from "./suite";

/** Seconds between measured transactions, both sides. */
export const ADVANCE = 3600;

export type Send = () => Promise<ContractTransactionResponse>;

async function gasOf(
  tx: Promise<ContractTransactionResponse>,
): Promise<{ gas: number; tx: ContractTransactionResponse }> {
  const sent = await tx;
  const receipt = await sent.wait();
  if (!receipt || receipt.status !== 1) throw new Error("measured transaction failed");
  return { gas: Number(receipt.gasUsed), tx: sent };
}

export class GasMeter {
  /** Gas by scenario key. */
  readonly gas: Record<string, number> = {};
  readonly breakdowns: Breakdown[] = [];
  private due: SnapshotRestorer | null = null;

  constructor(
    private readonly hre: HardhatRuntimeEnvironment,
    private readonly suite: Suite,
  ) {}

  /** The same clock for every measured transaction: ADVANCE seconds, then both feeds re-posted. */
  async tick(): Promise<void> {
    await time.increase(ADVANCE);
    for (const f of Object.values(this.suite.feeds)) await f.updateAnswer(await f.latestAnswer());
  }

  /** Moves a market's price by `factor` (to 4 decimals). */
  async movePrice(market: "BTC" | "ETH", factor: number): Promise<void> {
    const feed = this.suite.feeds[market];
    const p = await feed.latestAnswer();
    await feed.updateAnswer((p * BigInt(Math.round(factor * 10_000))) / 10_000n);
  }

  /** Measures one transaction after a clock tick; `breakdownLabel`: also trace it. */
  async measure(key: string, send: Send, breakdownLabel?: string): Promise<ContractTransactionResponse> {
    await this.tick();
    const r = await gasOf(send());
    this.gas[key] = r.gas;
    if (breakdownLabel) this.breakdowns.push(await traceBreakdown(this.hre, breakdownLabel, r.tx, this.suite.names));
    return r.tx;
  }

  /** Marks the current state as the one every keeper scenario starts from. */
  async snapshotDue(): Promise<void> {
    this.due = await takeSnapshot();
  }

  /** Measures one keeper transaction, checks it executed `count` actions `action`, then restores the "due" state. */
  async measureKeeper(key: string, send: Send, action: number, count: number, breakdownLabel?: string): Promise<void> {
    if (!this.due) throw new Error("measureKeeper before snapshotDue");
    const r = await gasOf(send());
    this.gas[key] = r.gas;
    await this.expectActions(r.tx, action, count);
    if (breakdownLabel) this.breakdowns.push(await traceBreakdown(this.hre, breakdownLabel, r.tx, this.suite.names));
    await this.due.restore();
  }

  private async expectActions(tx: ContractTransactionResponse, action: number, count: number): Promise<void> {
    const receipt = await tx.wait();
    const events = receipt!.logs
      .map((l) => {
        try {
          return this.suite.rebalancer.interface.parseLog(l);
        } catch {
          return null;
        }
      })
      .filter((x) => x !== null);
    if (events.some((ev) => ev!.name === "UpkeepFailed")) throw new Error("an upkeep failed in the bench");
    const done = events.filter((ev) => ev!.name === "RebalanceExecuted" && Number(ev!.args.action) === action);
    if (done.length !== count) throw new Error(`expected ${count} actions ${action}, saw ${done.length}`);
  }
}
