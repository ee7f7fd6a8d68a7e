/**
 * The step log under a form: each transaction shows Pending (with its hash), Confirmed (block and hash) or Failed.
 * The box's data-state is "pending" while a flow runs, "failed" after a failure, and "confirmed" only when the flow
 * itself says it is done (after its last transaction), never after an intermediate approve or permit.
 */
import type { ContractTransactionResponse, TransactionReceipt } from "ethers";
import { explainError, type ExplainContext } from "@ballast/protocol";
import { copyable } from "./copy";
import { h, replaceChildren } from "./dom";
import { shortHash } from "./format";
import { errorsIface } from "./state";

export type StepState = "pending" | "confirmed" | "failed" | "info";

/** A step log: the status box (its data-state says how the last step ended) and the list of steps in it. */
export interface TxLog {
  box: HTMLElement;
  list: HTMLOListElement;
}

/** Empties `box` and starts a new log in it. */
export function startLog(box: HTMLElement): TxLog {
  const list = h("ol", { class: "steps" });
  replaceChildren(box, list);
  box.dataset.state = "pending";
  return { box, list };
}

export function step(log: TxLog, st: StepState, ...content: (Node | string)[]): HTMLLIElement {
  const label = { pending: "Pending", confirmed: "Confirmed", failed: "Failed", info: "" }[st];
  const item = h("li", { class: `step ${st}` }, label ? h("strong", {}, `${label}: `) : null, ...content);
  log.list.append(item);
  // A confirmed step is one transaction of a flow: only the flow says when it is done (data-state="confirmed").
  if (st === "pending" || st === "failed") log.box.dataset.state = st;
  return item;
}

function hashNode(hash: string): HTMLElement {
  return copyable(hash, "transaction hash");
}

/** Sends one transaction and narrates it; returns the receipt, or null after showing why it failed. */
export async function runTx(
  log: TxLog,
  label: string,
  send: () => Promise<ContractTransactionResponse>,
  ctx: ExplainContext,
): Promise<TransactionReceipt | null> {
  const waiting = step(log, "pending", `${label} — confirm it in your wallet…`);
  let tx: ContractTransactionResponse;
  try {
    tx = await send();
  } catch (e) {
    waiting.remove();
    step(log, "failed", `${label}. ${explainError(e, errorsIface(), ctx)}`);
    return null;
  }
  replaceChildren(
    waiting,
    h("strong", {}, "Pending: "),
    `${label} sent, waiting to be mined. Transaction `,
    hashNode(tx.hash),
  );
  try {
    const receipt = await tx.wait();
    if (!receipt) throw new Error("no receipt");
    waiting.remove();
    step(log, "confirmed", `${label} in block ${receipt.blockNumber}. Transaction `, hashNode(receipt.hash));
    return receipt;
  } catch (e) {
    waiting.remove();
    step(log, "failed", `${label} (transaction ${shortHash(tx.hash)}). ${explainError(e, errorsIface(), ctx)}`);
    return null;
  }
}
