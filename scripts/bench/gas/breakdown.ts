/**
 * The gas of one transaction per contract and per opcode class, from `debug_traceTransaction`: execution gas of each
 * contract's own frames (its callees excluded), the intrinsic part and the storage refund.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ContractTransactionResponse } from "ethers";

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

export type OpClass = "SLOAD" | "SSTORE" | "CALL" | "LOG" | "compute";
export const CLASSES: OpClass[] = ["SLOAD", "SSTORE", "CALL", "LOG", "compute"];
const CALL_OPS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);

export interface OpCounts {
  sload: number;
  sstore: number;
  calls: number;
  logs: number;
}

export interface Breakdown {
  label: string;
  gasUsed: number;
  intrinsic: number; // 21000 + calldata
  refund: number; // storage refunds (negative contribution)
  byContract: Map<string, Map<OpClass, number>>; // execution gas, self only (children excluded)
  counts: Map<string, OpCounts>;
}

function classOf(op: string): OpClass {
  if (op === "SLOAD" || op === "TLOAD") return "SLOAD";
  if (op === "SSTORE" || op === "TSTORE") return "SSTORE";
  if (CALL_OPS.has(op)) return "CALL";
  if (op.startsWith("LOG")) return "LOG";
  return "compute";
}

/** A call op's own cost (access, value, memory) = gas before - gas after return - what the callee consumed. */
function callOwnCost(logs: StructLog[], i: number): number {
  const l = logs[i];
  let j = i + 1;
  while (j < logs.length && logs[j].depth > l.depth) j++;
  const after = j < logs.length ? logs[j].gas : l.gas - l.gasCost;
  let childUsed = 0;
  if (i + 1 < j) {
    const last = logs[j - 1];
    childUsed = logs[i + 1].gas - (last.gas - last.gasCost);
  }
  return l.gas - after - childUsed;
}

/** The contract a call op enters: the target on the stack, or the caller itself for DELEGATECALL and CALLCODE. */
function callee(l: StructLog, caller: string, name: (addr: string) => string): string {
  const stack = l.stack ?? [];
  const target = "0x" + (stack[stack.length - 2] ?? "").replace(/^0x/, "").padStart(40, "0").slice(-40);
  return l.op === "DELEGATECALL" || l.op === "CALLCODE" ? caller : name(target);
}

/** Traces a mined transaction; `names` labels contracts by lower-case address. */
export async function traceBreakdown(
  hre: HardhatRuntimeEnvironment,
  label: string,
  tx: ContractTransactionResponse,
  names: Map<string, string>,
): Promise<Breakdown> {
  const receipt = await tx.wait();
  const trace = (await hre.network.provider.send("debug_traceTransaction", [
    tx.hash,
    { disableStorage: true, disableMemory: true },
  ])) as { structLogs: StructLog[] };
  const logs = trace.structLogs;
  const name = (addr: string): string => names.get(addr.toLowerCase()) ?? addr;
  const frames: string[] = [name(tx.to ?? "")]; // frames[depth - 1] = the contract executing at that depth
  const byContract = new Map<string, Map<OpClass, number>>();
  const counts = new Map<string, OpCounts>();

  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    const who = frames[l.depth - 1];
    const cls = classOf(l.op);
    let cost = l.gasCost;
    if (CALL_OPS.has(l.op)) {
      cost = callOwnCost(logs, i);
      frames[l.depth] = callee(l, who, name);
    }
    const m = byContract.get(who) ?? new Map<OpClass, number>();
    m.set(cls, (m.get(cls) ?? 0) + cost);
    byContract.set(who, m);
    const c = counts.get(who) ?? { sload: 0, sstore: 0, calls: 0, logs: 0 };
    if (l.op === "SLOAD") c.sload++;
    if (l.op === "SSTORE") c.sstore++;
    if (CALL_OPS.has(l.op)) c.calls++;
    if (cls === "LOG") c.logs++;
    counts.set(who, c);
  }
  const first = logs[0];
  const lastTop = [...logs].reverse().find((x) => x.depth === 1)!;
  const execution = first.gas - (lastTop.gas - lastTop.gasCost);
  const intrinsic = Number(tx.gasLimit) - first.gas;
  const gasUsed = Number(receipt!.gasUsed);
  return { label, gasUsed, intrinsic, refund: intrinsic + execution - gasUsed, byContract, counts };
}
