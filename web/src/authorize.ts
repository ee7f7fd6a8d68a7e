/**
 * Letting a product take the holder's USDC before a mint: nothing if the allowance suffices, else an EIP-2612 permit
 * for exactly the amount, signed and handed to `mintWithPermit` (the default: a signature and one transaction), or an
 * approve transaction before `mint` (two transactions). A wallet that cannot sign typed data falls back to approve.
 */
import { Signature, type JsonRpcSigner } from "ethers";
import { PERMIT_TYPES, explainError, permitDomain } from "@ballast/protocol";
import { usdc } from "./format";
import type { ProductStatic } from "./reader";
import { errorsIface, need, reader, state } from "./state";
import { runTx, step, type TxLog } from "./txlog";

const PERMIT_LIFETIME_SECONDS = 20 * 60;

/** Signs an EIP-2612 permit (eth_signTypedData_v4) for exactly `amount`, valid for 20 minutes. */
async function signPermit(
  signer: JsonRpcSigner,
  owner: string,
  spender: string,
  amount: bigint,
): Promise<{ sig: Signature; deadline: bigint }> {
  const collateral = reader().usdc;
  const domain = await collateral.eip712Domain();
  const nonce = await collateral.nonces(owner);
  const latest = await need(state.read, "provider").getBlock("latest");
  const deadline = BigInt((latest?.timestamp ?? Math.floor(Date.now() / 1000)) + PERMIT_LIFETIME_SECONDS);
  const sig = await signer.signTypedData(permitDomain(domain), PERMIT_TYPES, {
    owner,
    spender,
    value: amount,
    nonce,
    deadline,
  });
  return { sig: Signature.from(sig), deadline };
}

const permitChosen = (): boolean =>
  document.querySelector<HTMLInputElement>('input[name="auth"][value="permit"]')?.checked ?? false;

/** A signed permit for `mintWithPermit`. */
export interface SignedPermit {
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

/** How the mint may take the USDC: already allowed, with this permit, or not at all (the reason already shown). */
export type Authorization = { kind: "allowance" } | { kind: "permit"; permit: SignedPermit } | null;

/** Permit path: the signature, false = declined (shown), null = the wallet cannot sign, fall back to approve. */
async function permit(
  log: TxLog,
  signer: JsonRpcSigner,
  account: string,
  p: ProductStatic,
  amount: bigint,
): Promise<SignedPermit | false | null> {
  const signing = step(log, "pending", "Sign the USDC permit in your wallet (a signature, not a transaction)…");
  try {
    const { sig, deadline } = await signPermit(signer, account, p.address, amount);
    signing.remove();
    step(log, "info", `Permit signed for ${usdc(amount)}; the mint uses it in the same transaction.`);
    return { deadline, v: sig.v, r: sig.r, s: sig.s };
  } catch (e) {
    signing.remove();
    const msg = explainError(e, errorsIface());
    if (/declined/.test(msg)) {
      step(log, "failed", msg);
      return false;
    }
    step(log, "info", `The wallet could not sign a permit (${msg}); using an approve transaction instead.`);
    return null;
  }
}

/** Makes sure the product may take `amount` of the holder's USDC; null after showing why it could not. */
export async function authorize(
  log: TxLog,
  signer: JsonRpcSigner,
  account: string,
  p: ProductStatic,
  amount: bigint,
): Promise<Authorization> {
  const allowance = await reader().usdc.allowance(account, p.address);
  if (allowance >= amount) {
    step(log, "info", `USDC already approved for ${usdc(allowance)}.`);
    return { kind: "allowance" };
  }
  if (permitChosen()) {
    const signed = await permit(log, signer, account, p, amount);
    if (signed === false) return null;
    if (signed !== null) return { kind: "permit", permit: signed };
  }
  const collateral = reader().usdc.connect(signer);
  const approved = await runTx(log, `Approve ${usdc(amount)}`, () => collateral.approve(p.address, amount), {});
  return approved === null ? null : { kind: "allowance" };
}
