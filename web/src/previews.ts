/** The mint and redeem previews under each form, from the token's own previewMint / previewRedeem. */
import { explainError } from "@ballast/protocol";
import { applySlippage, feeUp, parseAmount, slippageBps } from "./amounts";
import { el } from "./elements";
import { ratePct, tokens, usdc } from "./format";
import { errorsIface, selected, state } from "./state";

// A preview answered after a newer one was asked for is dropped.
let mintSeq = 0;
let redeemSeq = 0;

export function updatePreviews(): Promise<void> {
  return Promise.all([updateMintPreview(), updateRedeemPreview()]).then(() => undefined);
}

export async function updateMintPreview(): Promise<void> {
  const seq = ++mintSeq;
  const p = selected();
  const amount = parseAmount(el.mintAmount.value, 6);
  if (el.mintAmount.value.trim() === "") {
    el.mintPreview.textContent = "Enter how much USDC to pay.";
    return;
  }
  if (amount === null || amount === 0n) {
    el.mintPreview.textContent = "Enter an amount in USDC, like 1000 or 250.5.";
    return;
  }
  const s = state.snapshots.get(p.symbol);
  const bps = slippageBps(el.slippage.value);
  try {
    const shares = await p.token.previewMint(amount);
    if (seq !== mintSeq) return;
    if (shares === 0n) {
      el.mintPreview.textContent = s?.mintPaused
        ? "Minting is paused for this product."
        : "This amount cannot be minted now (too small, or the product is closed).";
      return;
    }
    const fee = s ? feeUp(amount, s.fees.mintFeeRate) : null;
    const override = parseAmount(el.mintMinOut.value, 18);
    const minOut = override ?? (bps === null ? null : applySlippage(shares, bps));
    el.mintPreview.textContent =
      `You get about ${tokens(shares, p.symbol)}` +
      (fee === null ? "" : ` (mint fee ${usdc(fee)}; trading costs are already in the preview)`) +
      `. ` +
      (minOut === null
        ? "Enter a slippage between 0 and 50%."
        : `You accept no less than ${tokens(minOut, p.symbol)}${override === null ? "" : " (your minimum)"}.`);
  } catch (e) {
    if (seq === mintSeq) el.mintPreview.textContent = `No preview: ${explainError(e, errorsIface())}`;
  }
}

/** The shares the redeem form asks for: the whole balance after "All", else the typed number. */
function redeemShares(): bigint | null {
  const s = state.snapshots.get(selected().symbol);
  if (state.redeemAll) return s?.balance ?? null;
  return parseAmount(el.redeemAmount.value, 18);
}

export async function updateRedeemPreview(): Promise<void> {
  const seq = ++redeemSeq;
  const p = selected();
  if (!state.redeemAll && el.redeemAmount.value.trim() === "") {
    el.redeemPreview.textContent = "Enter how many tokens to redeem, or choose All.";
    return;
  }
  const shares = redeemShares();
  if (shares === null || shares === 0n) {
    el.redeemPreview.textContent = state.redeemAll
      ? "You hold none of this token."
      : "Enter a number of tokens, like 100.";
    return;
  }
  const s = state.snapshots.get(p.symbol);
  try {
    const out = await p.token.previewRedeem(shares);
    if (seq !== redeemSeq) return;
    const bps = slippageBps(el.slippage.value);
    const held = s?.balance ?? null;
    const tooMany = held !== null && shares > held ? ` You hold only ${tokens(held, p.symbol)}.` : "";
    el.redeemPreview.textContent =
      `You get about ${usdc(out)} for ${tokens(shares, p.symbol)}` +
      (s ? ` after the ${ratePct(s.fees.redeemFeeRate)} redeem fee` : "") +
      `. ` +
      (bps === null
        ? "Enter a slippage between 0 and 50%."
        : `You accept no less than ${usdc(applySlippage(out, bps))}.`) +
      tooMany;
  } catch (e) {
    if (seq === redeemSeq) el.redeemPreview.textContent = `No preview: ${explainError(e, errorsIface())}`;
  }
}
