/**
 * The mint and redeem previews under each form, from the token's own previewMint / previewRedeem, checked as the
 * actions check them (preflight.ts): a preview that says a mint or redeem would fail says why, in the same words.
 */
import { el } from "./elements";
import { exact, ratePct, tokens, usdc } from "./format";
import { isRefusal, planMint, planRedeem } from "./preflight";
import { selected, state } from "./state";

// A preview answered after a newer one was asked for is dropped.
let mintSeq = 0;
let redeemSeq = 0;

export function updatePreviews(): Promise<void> {
  return Promise.all([updateMintPreview(), updateRedeemPreview()]).then(() => undefined);
}

export async function updateMintPreview(): Promise<void> {
  const seq = ++mintSeq;
  const p = selected();
  if (el.mintAmount.value.trim() === "") {
    el.mintPreview.textContent = "Enter how much USDC to pay.";
    delete el.mintPreview.dataset.state;
    return;
  }
  const plan = await planMint(p);
  if (seq !== mintSeq) return;
  if (isRefusal(plan)) {
    el.mintPreview.textContent = plan.error;
    el.mintPreview.dataset.state = "refused";
    return;
  }
  el.mintPreview.dataset.state = "ok";
  el.mintPreview.textContent =
    `You get about ${tokens(plan.shares, p.symbol)}` +
    (plan.fee === null ? "" : ` (mint fee ${exact(plan.fee, 6, "USDC")}; trading costs are already in the preview)`) +
    `. You accept no less than ${tokens(plan.minOut, p.symbol)}${plan.ownMinimum ? " (your minimum)" : ""}.`;
}

export async function updateRedeemPreview(): Promise<void> {
  const seq = ++redeemSeq;
  const p = selected();
  if (!state.redeemAll && el.redeemAmount.value.trim() === "") {
    el.redeemPreview.textContent = "Enter how many tokens to redeem, or choose All.";
    delete el.redeemPreview.dataset.state;
    return;
  }
  const s = state.snapshots.get(p.symbol);
  const plan = await planRedeem(p, s?.balance ?? null);
  if (seq !== redeemSeq) return;
  if (isRefusal(plan)) {
    el.redeemPreview.textContent = plan.error;
    el.redeemPreview.dataset.state = "refused";
    return;
  }
  el.redeemPreview.dataset.state = "ok";
  el.redeemPreview.textContent =
    `You get about ${usdc(plan.out)} for ${tokens(plan.shares, p.symbol)}` +
    (s ? ` after the ${ratePct(s.fees.redeemFeeRate)} redeem fee` : "") +
    `. You accept no less than ${usdc(plan.minOut)}.`;
}
