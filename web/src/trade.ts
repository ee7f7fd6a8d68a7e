/** The mint and redeem forms' actions: validate, authorize the USDC (mint), send, and report what was received. */
import type { TransactionReceipt } from "ethers";
import { USDC_UNITS, explainError } from "@ballast/protocol";
import { applySlippage, parseAmount, slippageBps } from "./amounts";
import { authorize } from "./authorize";
import { walletReady, type ReadyWallet } from "./connection";
import { h } from "./dom";
import { el } from "./elements";
import { tokens, usdc } from "./format";
import type { ProductStatic } from "./reader";
import { errorsIface, reader, requestRefresh, selected, state } from "./state";
import { runTx, startLog, step, type TxLog } from "./txlog";

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

/** Runs a validated action's transactions: the page stays busy meanwhile, a failure ends in the log in plain words,
 *  and the products table refreshes afterwards either way. */
async function whileBusy(log: TxLog, work: () => Promise<void>): Promise<void> {
  state.busy = true;
  try {
    await work();
  } catch (e) {
    step(log, "failed", explainError(e, errorsIface()));
  } finally {
    state.busy = false;
    void requestRefresh();
  }
}

/** The slippage field in basis points, or null after saying it is invalid. */
function slippageOrFail(log: TxLog): bigint | null {
  const bps = slippageBps(el.slippage.value);
  if (bps === null) step(log, "failed", "Enter a slippage tolerance between 0 and 50%.");
  return bps;
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
  const amount = parseAmount(el.mintAmount.value, 6);
  if (amount === null || amount === 0n) {
    step(log, "failed", "Enter an amount in USDC above zero.");
    el.mintAmount.focus();
    return;
  }
  const bps = slippageOrFail(log);
  if (bps === null) {
    el.slippage.focus();
    return;
  }
  const override = el.mintMinOut.value.trim() === "" ? null : parseAmount(el.mintMinOut.value, 18);
  if (el.mintMinOut.value.trim() !== "" && override === null) {
    step(log, "failed", "The minimum tokens out is not a number.");
    return;
  }
  await whileBusy(log, () => mint(log, ready, p, amount, (preview) => override ?? applySlippage(preview, bps)));
}

async function mint(
  log: TxLog,
  ready: ReadyWallet,
  p: ProductStatic,
  amount: bigint,
  minOutOf: (preview: bigint) => bigint,
): Promise<void> {
  const signer = await ready.signer;
  const balance = await reader().usdc.balanceOf(ready.account);
  if (balance < amount) {
    step(log, "failed", `You have ${usdc(balance)}, less than ${usdc(amount)}.`);
    return;
  }
  if (!(await authorize(log, signer, ready.account, p, amount))) return;
  const minOut = minOutOf(await p.token.previewMint(amount));
  const token = p.token.connect(signer);
  const receipt = await runTx(
    log,
    `Mint ${p.symbol} with ${usdc(amount)}`,
    () => token.mint(amount, minOut, ready.account),
    { outSymbol: p.symbol, outDecimals: 18 },
  );
  if (!receipt) return;
  const minted = productEvent(p, receipt, "Minted");
  if (minted) {
    const [, , collateralIn, shares, fee] = minted.args as unknown as [string, string, bigint, bigint, bigint];
    step(
      log,
      "info",
      h("strong", {}, `You received ${tokens(shares, p.symbol)}`),
      ` for ${usdc(collateralIn)} (fee ${usdc(fee)}).`,
    );
  }
  log.box.dataset.state = "confirmed";
}

export async function onRedeem(ev: SubmitEvent): Promise<void> {
  const begun = beginAction(ev, el.redeemStatus);
  if (!begun) return;
  const { log, ready } = begun;
  const p = selected();
  const bps = slippageOrFail(log);
  if (bps === null) return;
  await whileBusy(log, () => redeem(log, ready, p, bps));
}

async function redeem(log: TxLog, ready: ReadyWallet, p: ProductStatic, bps: bigint): Promise<void> {
  const signer = await ready.signer;
  const held = await p.token.balanceOf(ready.account);
  const shares = state.redeemAll ? held : parseAmount(el.redeemAmount.value, 18);
  if (shares === null || shares === 0n) {
    step(log, "failed", state.redeemAll ? "You hold none of this token." : "Enter a number of tokens above zero.");
    return;
  }
  if (shares > held) {
    step(log, "failed", `You hold ${tokens(held, p.symbol)}, less than ${tokens(shares, p.symbol)}.`);
    return;
  }
  const minOut = applySlippage(await p.token.previewRedeem(shares), bps);
  const token = p.token.connect(signer);
  const receipt = await runTx(
    log,
    `Redeem ${tokens(shares, p.symbol)}`,
    () => token.redeem(shares, minOut, ready.account),
    USDC_UNITS,
  );
  if (!receipt) return;
  const redeemed = productEvent(p, receipt, "Redeemed");
  if (redeemed) {
    const [, , , collateralOut, fee] = redeemed.args as unknown as [string, string, bigint, bigint, bigint];
    step(log, "info", h("strong", {}, `You received ${usdc(collateralOut)}`), ` (redeem fee ${usdc(fee)}).`);
  }
  log.box.dataset.state = "confirmed";
  state.redeemAll = false;
  el.redeemAmount.value = "";
}
