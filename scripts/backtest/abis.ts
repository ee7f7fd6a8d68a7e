/** The interfaces of the contracts a backtest talks to, their event topics, and a receipt's logs of one event. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Interface } from "ethers";
import type { RawLog, RawReceipt } from "./chain";

export type EventName =
  | "Run"
  | "RebalanceExecuted"
  | "PositionModified"
  | "FundingSettled"
  | "Liquidated"
  | "Minted"
  | "Redeemed"
  | "StreamingFeeAccrued"
  | "ProductCreated";

export class Abis {
  readonly driver: Interface;
  readonly rebalancer: Interface;
  /** The backtest market's venue: the harness deploys the mock venue. */
  readonly venue: Interface;
  readonly token: Interface;
  readonly factory: Interface;
  readonly usdc: Interface;
  readonly topics: Record<EventName, string>;

  constructor(hre: HardhatRuntimeEnvironment) {
    const abi = (name: string) => hre.artifacts.readArtifactSync(name).abi;
    this.driver = new Interface(abi("BacktestDriver"));
    this.rebalancer = new Interface(abi("Rebalancer"));
    this.venue = new Interface(abi("MockPerpVenue"));
    this.token = new Interface(abi("LeveragedToken"));
    this.factory = new Interface(abi("LeveragedTokenFactory"));
    this.usdc = new Interface(abi("MockUSDC"));
    const topic = (i: Interface, e: string) => i.getEvent(e)!.topicHash;
    this.topics = {
      Run: topic(this.driver, "Run"),
      RebalanceExecuted: topic(this.rebalancer, "RebalanceExecuted"),
      PositionModified: topic(this.venue, "PositionModified"),
      FundingSettled: topic(this.venue, "FundingSettled"),
      Liquidated: topic(this.venue, "Liquidated"),
      Minted: topic(this.token, "Minted"),
      Redeemed: topic(this.token, "Redeemed"),
      StreamingFeeAccrued: topic(this.token, "StreamingFeeAccrued"),
      ProductCreated: topic(this.factory, "ProductCreated"),
    };
  }

  /** A receipt's logs of one event, from one contract if `address` is given. */
  logs(receipt: RawReceipt, event: EventName, address?: string): RawLog[] {
    const t = this.topics[event];
    const a = address?.toLowerCase();
    return receipt.logs.filter((l) => l.topics[0] === t && (!a || l.address.toLowerCase() === a));
  }
}
