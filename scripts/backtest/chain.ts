/**
 * Raw JSON-RPC to the in-process Hardhat network, and the clock that maps data time to chain time. The hot path avoids
 * ethers' contract wrappers: one price step costs about one transaction.
 *
 * Time: chain time = data time + a constant offset (the chain starts "now", the data in 2017); every block gets its
 * timestamp from the caller with `evm_setNextBlockTimestamp`, or one second after the previous one.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Interface } from "ethers";

type Hex = string;
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
}
export interface RawReceipt {
  status: Hex;
  gasUsed: Hex;
  logs: RawLog[];
}

const GAS = "0xf42400"; // 16M: under the per-transaction gas cap (2^24) of the hardhat network

export class Chain {
  private clock = 0;
  private offset = 0;

  constructor(private readonly provider: HardhatRuntimeEnvironment["network"]["provider"]) {}

  /** Starts the clock at the latest block's timestamp. */
  async syncClock(): Promise<void> {
    const latest = (await this.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
      timestamp: Hex;
    };
    this.clock = Number(BigInt(latest.timestamp));
  }

  /** Maps data time to chain time so that `firstT` lands after the chain's current head. */
  alignTime(firstT: number): void {
    this.offset = this.clock + 3600 - Math.floor(firstT);
  }

  /** The data time of the last timestamp set. */
  dataTime(): number {
    return this.clock - this.offset;
  }

  /** The next block is mined at `dataTime` (or one second after the previous one, if that is later). */
  async at(dataTime: number): Promise<void> {
    const ts = Math.max(this.clock + 1, Math.floor(dataTime + this.offset));
    await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [ts] });
    this.clock = ts;
  }

  /** The next block is mined one second after the previous one. */
  async next(): Promise<void> {
    this.clock += 1;
    await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [this.clock] });
  }

  /** An account whose transactions Hardhat sends unsigned, with 1,000 ETH for gas. */
  async impersonate(account: string): Promise<void> {
    await this.provider.request({ method: "hardhat_impersonateAccount", params: [account] });
    await this.provider.request({ method: "hardhat_setBalance", params: [account, "0x3635c9adc5dea00000"] });
  }

  /** Sends a transaction in the next block (timestamp set by the caller or +1 s) and returns its receipt. */
  async send(from: string, to: string, data: string, timed = false): Promise<RawReceipt> {
    if (!timed) await this.next();
    const hash = (await this.provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to, data, gas: GAS }],
    })) as string;
    const receipt = (await this.provider.request({
      method: "eth_getTransactionReceipt",
      params: [hash],
    })) as RawReceipt;
    if (receipt.status !== "0x1") throw new Error(`transaction to ${to} failed`);
    return receipt;
  }

  /** Sends a transaction (timestamp set by the caller) without reading its receipt: its hash, or null if it
   *  reverted with an error that `expected` accepts (the reverted attempt is mined all the same). */
  async trySend(from: string, to: string, data: string, expected: (e: unknown) => boolean): Promise<string | null> {
    try {
      return (await this.provider.request({
        method: "eth_sendTransaction",
        params: [{ from, to, data, gas: GAS }],
      })) as string;
    } catch (e) {
      if (expected(e)) return null;
      throw e;
    }
  }

  async call(to: string, iface: Interface, fn: string, args: unknown[]): Promise<unknown> {
    const data = iface.encodeFunctionData(fn, args);
    const out = (await this.provider.request({ method: "eth_call", params: [{ to, data }, "latest"] })) as string;
    return iface.decodeFunctionResult(fn, out)[0];
  }

  /** The chain time of a data time. */
  chainTime(dataTime: number): number {
    return Math.floor(dataTime + this.offset);
  }

  /** A view call in a block at chain time `ts` (at least one second after the previous one), which the next
   *  transaction sent without a timestamp of its own (`send`) is then mined in. */
  async callInBlockAt(ts: number, to: string, iface: Interface, fn: string, args: unknown[]): Promise<unknown> {
    const at = Math.max(ts, this.clock + 1);
    await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [at] });
    this.clock = at - 1; // `next()` sets `at` again
    const data = iface.encodeFunctionData(fn, args);
    const out = (await this.provider.request({ method: "eth_call", params: [{ to, data }, "pending"] })) as string;
    return iface.decodeFunctionResult(fn, out)[0];
  }

  async blockNumber(): Promise<number> {
    return Number(BigInt((await this.provider.request({ method: "eth_blockNumber" })) as string));
  }

  /** One contract's logs of one topic from `fromBlock` to the head, in one request. */
  async logsSince(
    fromBlock: number,
    address: string,
    topic: string,
  ): Promise<(RawLog & { transactionHash: string })[]> {
    return (await this.provider.request({
      method: "eth_getLogs",
      params: [{ fromBlock: `0x${fromBlock.toString(16)}`, toBlock: "latest", address, topics: [topic] }],
    })) as (RawLog & { transactionHash: string })[];
  }
}
