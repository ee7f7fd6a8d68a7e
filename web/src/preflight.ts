/**
 * Pre-flight: what a mint or redeem would do, from the forms and the token's own previews, or the sentence that says
 * why it would fail or pay nothing. The previews show it; the actions send nothing unless it passes.
 */
import { explainError } from "@ballast/protocol";
import { applySlippage, checkAmount, feeUp, maxMintUnderCap, parseAmount, slippageBps } from "./amounts";
import { el } from "./elements";
import { exact, tokens, usd, usdc } from "./format";
import type { ProductStatic } from "./reader";
import { errorsIface, state } from "./state";

export interface MintPlan {
  amount: bigint;
  /** previewMint(amount). */
  shares: bigint;
  /** The least accepted: the holder's own minimum, or the preview less the slippage. */
  minOut: bigint;
  ownMinimum: boolean;
  /** The mint fee as the contract rounds it, when the fees are known. */
  fee: bigint | null;
}

export interface RedeemPlan {
  shares: bigint;
  /** previewRedeem(shares), net of the redeem fee. */
  out: bigint;
  minOut: bigint;
  held: bigint | null;
}

/** A failed check: the sentence, and the field to put the cursor in. */
export interface Refusal {
  error: string;
  focus?: HTMLInputElement;
}

const SLIPPAGE = "Enter a slippage tolerance between 0 and 50%.";
export const isRefusal = <T>(x: T | Refusal): x is Refusal => typeof (x as Refusal).error === "string";

/** The mint form checked against the product's state and previewMint; nothing here sends anything. */
export async function planMint(p: ProductStatic): Promise<MintPlan | Refusal> {
  const checked = checkAmount(el.mintAmount.value, 6, "USDC");
  if (checked.error !== undefined) return { error: checked.error, focus: el.mintAmount };
  const amount = checked.value;

  let own: bigint | null = null;
  if (el.mintMinOut.value.trim() !== "") {
    const m = checkAmount(el.mintMinOut.value, 18, p.symbol);
    own = m.value ?? parseAmount(el.mintMinOut.value, 18); // a minimum of 0 is allowed
    if (own === null) return { error: `Minimum tokens out: ${m.error ?? ""}`, focus: el.mintMinOut };
  }
  const bps = slippageBps(el.slippage.value);
  if (own === null && bps === null) return { error: SLIPPAGE, focus: el.slippage };

  const s = state.snapshots.get(p.symbol);
  if (s?.mintPaused) return { error: `Minting is paused for ${p.symbol}. Redeeming still works.` };
  if (s?.active === false) {
    return { error: `${p.symbol} is closed (liquidated or wound down): it can no longer be minted.` };
  }
  if (s?.equityWad !== undefined) {
    const most = maxMintUnderCap(s.equityCap, s.equityWad, s.fees.mintFeeRate);
    if (amount > most) {
      return {
        error:
          `That is more than ${p.symbol} can take: a mint may leave it with at most ${usd(s.equityCap, 0)} of ` +
          `equity and it holds ${usd(s.equityWad, 0)}, so at most about ${usdc(most)} can be minted now.`,
        focus: el.mintAmount,
      };
    }
  }

  let shares: bigint;
  try {
    shares = await p.token.previewMint(amount);
  } catch (e) {
    return { error: `No preview: ${explainError(e, errorsIface())}` };
  }
  if (shares === 0n) {
    return {
      error: `${exact(amount, 6, "USDC")} is too small to mint any ${p.symbol}: the preview gives 0 tokens.`,
      focus: el.mintAmount,
    };
  }
  if (own !== null && own > shares) {
    return {
      error:
        `Your minimum of ${tokens(own, p.symbol)} is above what the preview gives (${tokens(shares, p.symbol)}), ` +
        `so the mint would fail. Lower the minimum or leave it empty.`,
      focus: el.mintMinOut,
    };
  }
  const minOut = own ?? applySlippage(shares, bps ?? 0n);
  return { amount, shares, minOut, ownMinimum: own !== null, fee: s ? feeUp(amount, s.fees.mintFeeRate) : null };
}

/**
 * The redeem form checked against the holder's balance and previewRedeem. `held` is the balance to check against
 * (the action reads it fresh; the preview uses the last snapshot).
 */
export async function planRedeem(p: ProductStatic, held: bigint | null): Promise<RedeemPlan | Refusal> {
  let shares: bigint;
  if (state.redeemAll) {
    if (held === null || held === 0n) return { error: `You hold no ${p.symbol}.` };
    shares = held;
  } else {
    const checked = checkAmount(el.redeemAmount.value, 18, p.symbol);
    if (checked.error !== undefined) return { error: checked.error, focus: el.redeemAmount };
    shares = checked.value;
  }
  if (held !== null && shares > held) {
    return {
      error:
        held === 0n ? `You hold no ${p.symbol}.` : `You hold only ${exact(held, 18, p.symbol)}: enter at most that.`,
      focus: el.redeemAmount,
    };
  }
  const bps = slippageBps(el.slippage.value);
  if (bps === null) return { error: SLIPPAGE, focus: el.slippage };
  let out: bigint;
  try {
    out = await p.token.previewRedeem(shares);
  } catch (e) {
    return { error: `No preview: ${explainError(e, errorsIface())}` };
  }
  if (out === 0n) {
    return {
      error: `Redeeming ${exact(shares, 18, p.symbol)} would pay 0.00 USDC (too small): nothing to send.`,
      focus: el.redeemAmount,
    };
  }
  return { shares, out, minOut: applySlippage(out, bps), held };
}
