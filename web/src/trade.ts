/**
 * The mint and redeem forms' actions: check the form against the previews (preflight.ts) and send nothing that
 * would fail or pay nothing, authorize the USDC (mint), send, and report what was received. During a flow both
 * forms' buttons are disabled and the active one says what is happening; "confirmed" is shown only once the mint or
 * redeem itself is mined, and the form is cleared after it.
 */
import type { TransactionReceipt } from "ethers";
import { USDC_UNITS, explainError } from "@ballast/protocol";
import { authorize } from "./authorize";
import { walletReady, type ReadyWallet } from "./connection";
import { h } from "./dom";
import { el } from "./elements";
import { tokens, usdc } from "./format";
import { isRefusal, planMint, planRedeem, type Refusal } from "./preflight";
import { updatePreviews } from "./previews";
import type { ProductStatic } from "./reader";
import { errorsIface, reader, requestRefresh, selected, state } from "./state";
import { runTx, startLog, step, type TxLog } from "./txlog";

const BUTTON_TEXT = new Map<HTMLButtonElement, string>();

/** Disables both forms' buttons while a flow runs; `active` shows `label` (e.g. "Minting…") meanwhile. */
function setBusy(busy: boolean, active: HTMLButtonElement, label: string): void {
  state.busy = busy;
  for (const b of [el.mintSubmit, el.redeemSubmit, el.redeemAll]) {
    b.disabled = busy;
    if (!BUTTON_TEXT.has(b)) BUTTON_TEXT.set(b, b.textContent ?? "");
  }
  active.textContent = busy ? label : (BUTTON_TEXT.get(active) ?? active.textContent);
  active.setAttribute("aria-busy", String(busy));
  for (const form of [el.mintForm, el.redeemForm]) form.dataset.busy = String(busy && form.contains(active));
}

/** Starts a form action: one at a time, a fresh step log, a connected wallet on the Ballast network (else says why). */
function beginAction(ev: SubmitEvent, box: HTMLElement): { log: TxLog; ready: ReadyWallet } | null {
  ev.preventDefault();
  if (state.busy) return null;
  const log = startLog(box);
  const ready = walletReady();
  if (typeof ready === "string") {
    step(log, "failed", ready);
    return null;
  }
  return { log, ready };
}

/** Shows a pre-flight refusal (nothing was sent) and puts the cursor where the problem is. */
function refuse(log: TxLog, r: Refusal): void {
  step(log, "failed", `${r.error} Nothing was sent.`);
  r.focus?.focus();
}

/** Runs an action's checks and transactions with the page busy; a failure ends in the log in plain words, and the
 *  products table refreshes afterwards either way. */
async function whileBusy(log: TxLog, button: HTMLButtonElement, label: string, work: () => Promise<void>) {
  setBusy(true, button, label);
  try {
    await work();
  } catch (e) {
    step(log, "failed", explainError(e, errorsIface()));
  } finally {
    setBusy(false, button, label);
    void requestRefresh();
  }
}

/** The product's event in a receipt (Minted or Redeemed), decoded. */
function productEvent(p: ProductStatic, receipt: TransactionReceipt, name: "Minted" | "Redeemed") {
  for (const log of receipt.logs) {
    const parsed = p.token.interface.parseLog(log);
    if (parsed?.name === name) return parsed;
  }
  return null;
}

export async function onMint(ev: SubmitEvent): Promise<void> {
  const begun = beginAction(ev, el.mintStatus);
  if (!begun) return;
  const { log, ready } = begun;
  const p = selected();
  await whileBusy(log, el.mintSubmit, "Minting…", () => mint(log, ready, p));
}

async function mint(log: TxLog, ready: ReadyWallet, p: ProductStatic): Promise<void> {
  const checking = step(log, "pending", "Checking the preview…");
  const plan = await planMint(p);
  checking.remove();
  if (isRefusal(plan)) return refuse(log, plan);
  const { amount } = plan;
  const balance = await reader().usdc.balanceOf(ready.account);
  if (balance < amount) return refuse(log, { error: `You have ${usdc(balance)}, less than ${usdc(amount)}.` });

  const signer = await ready.signer;
  const auth = await authorize(log, signer, ready.account, p, amount);
  if (!auth) return;
  // Time (a signature, or a block) has passed: check again, with a fresh preview, before the mint itself.
  const again = await planMint(p);
  if (isRefusal(again)) return refuse(log, again);
  const token = p.token.connect(signer);
  const send =
    auth.kind === "permit"
      ? () => {
          const { deadline, v, r, s } = auth.permit;
          return token.mintWithPermit(amount, again.minOut, ready.account, deadline, v, r, s);
        }
      : () => token.mint(amount, again.minOut, ready.account);
  const receipt = await runTx(log, `Mint ${p.symbol} with ${usdc(amount)}`, send, {
    outSymbol: p.symbol,
    outDecimals: 18,
  });
  if (!receipt) return;
  const minted = productEvent(p, receipt, "Minted");
  if (minted) {
    const [, , collateralIn, shares, fee] = minted.args as unknown as [string, string, bigint, bigint, bigint];
    step(
      log,
      "info",
      h("strong", {}, `You received ${tokens(shares, p.symbol)}`),
      ` for ${usdc(collateralIn)} (fee ${usdc(fee, 6)}).`,
    );
  }
  log.box.dataset.state = "confirmed";
  el.mintAmount.value = "";
  el.mintMinOut.value = "";
  void updatePreviews();
}

export async function onRedeem(ev: SubmitEvent): Promise<void> {
  const begun = beginAction(ev, el.redeemStatus);
  if (!begun) return;
  const { log, ready } = begun;
  const p = selected();
  await whileBusy(log, el.redeemSubmit, "Redeeming…", () => redeem(log, ready, p));
}

async function redeem(log: TxLog, ready: ReadyWallet, p: ProductStatic): Promise<void> {
  const checking = step(log, "pending", "Checking the preview…");
  const plan = await planRedeem(p, await p.token.balanceOf(ready.account));
  checking.remove();
  if (isRefusal(plan)) return refuse(log, plan);
  const signer = await ready.signer;
  const token = p.token.connect(signer);
  const receipt = await runTx(
    log,
    `Redeem ${tokens(plan.shares, p.symbol)}`,
    () => token.redeem(plan.shares, plan.minOut, ready.account),
    USDC_UNITS,
  );
  if (!receipt) return;
  const redeemed = productEvent(p, receipt, "Redeemed");
  if (redeemed) {
    const [, , , collateralOut, fee] = redeemed.args as unknown as [string, string, bigint, bigint, bigint];
    step(log, "info", h("strong", {}, `You received ${usdc(collateralOut)}`), ` (redeem fee ${usdc(fee, 6)}).`);
  }
  log.box.dataset.state = "confirmed";
  state.redeemAll = false;
  el.redeemAmount.value = "";
  void updatePreviews();
}
