/** The Timelock of the deployed suite, and scheduling / executing calls through it as governance would. */
import { deployments, ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import type { TimelockController } from "../../typechain-types";

/** One call the timelock makes. */
export interface Call {
  target: string;
  data: string;
}

/** The deployed Timelock (deploy/05_governance.ts). */
export async function deployedTimelock(): Promise<TimelockController> {
  return ethers.getContractAt("TimelockController", (await deployments.get("Timelock")).address);
}

/** A batch scheduled on the timelock: its id, and `execute` (by `executor`) for later. */
export interface Scheduled {
  id: string;
  schedule: ContractTransactionResponse;
  execute: (executor: HardhatEthersSigner) => Promise<ContractTransactionResponse>;
}

/** Schedules `calls` as one batch with the timelock's minimum delay (the proposer's only option that skips nothing). */
export async function scheduleBatch(
  timelock: TimelockController,
  proposer: HardhatEthersSigner,
  calls: Call[],
  salt: string = ethers.id("test"),
): Promise<Scheduled> {
  const targets = calls.map((c) => c.target);
  const values = calls.map(() => 0n);
  const payloads = calls.map((c) => c.data);
  const predecessor = ethers.ZeroHash;
  const delay = await timelock.getMinDelay();
  const id = await timelock.hashOperationBatch(targets, values, payloads, predecessor, salt);
  const schedule = await timelock.connect(proposer).scheduleBatch(targets, values, payloads, predecessor, salt, delay);
  return {
    id,
    schedule,
    execute: (executor) => timelock.connect(executor).executeBatch(targets, values, payloads, predecessor, salt),
  };
}
