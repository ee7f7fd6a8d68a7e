/**
 * Turns a failed wallet request or transaction into plain words. Contract custom errors are decoded against the
 * error fragments of every deployed ABI (token, venue, rebalancer, oracle, USDC), because a mint can revert deep
 * inside the venue or the oracle, not only in the token.
 */
import { Interface, type ErrorDescription, type InterfaceAbi, type JsonFragment } from "ethers";
import { formatAmount } from "./format";

/** What the failed call was about, so amounts in the error are shown in the right unit. */
export interface ErrorContext {
  /** Unit of SlippageExceeded's numbers: tokens (18 decimals) for a mint, USDC (6) for a redeem. */
  outSymbol?: string;
  outDecimals?: number;
}

export function buildErrorInterface(abis: InterfaceAbi[]): Interface {
  const seen = new Set<string>();
  const fragments: JsonFragment[] = [];
  for (const abi of abis) {
    if (typeof abi === "string") continue;
    for (const f of abi) {
      if (typeof f !== "object" || f === null || (f as JsonFragment).type !== "error") continue;
      const frag = f as JsonFragment;
      const key = `${frag.name}(${(frag.inputs ?? []).map((i) => i.type).join(",")})`;
      if (seen.has(key)) continue;
      seen.add(key);
      fragments.push(frag);
    }
  }
  return new Interface(fragments);
}

/** Finds revert data (0x + 4-byte selector + ...) anywhere in an error object, as wallets and ethers nest it. */
export function findRevertData(e: unknown, depth = 0): string | null {
  if (depth > 6 || e === null || e === undefined) return null;
  if (typeof e === "string") return /^0x[0-9a-fA-F]{8}/.test(e) ? e : null;
  if (typeof e !== "object") return null;
  const obj = e as Record<string, unknown>;
  for (const key of ["data", "error", "info", "originalError", "cause", "payload"]) {
    if (!(key in obj)) continue;
    const found = findRevertData(obj[key], depth + 1);
    if (found) return found;
  }
  return null;
}

function fmt(value: unknown, ctx: ErrorContext): string {
  if (typeof value !== "bigint") return String(value);
  const decimals = ctx.outDecimals ?? 18;
  return `${formatAmount(value, decimals, decimals === 6 ? 2 : 6)}${ctx.outSymbol ? " " + ctx.outSymbol : ""}`;
}

const USDC = { outSymbol: "USDC", outDecimals: 6 };

/** Plain words for each custom error the page can meet. */
export function describeCustomError(err: ErrorDescription, ctx: ErrorContext = {}): string {
  const a = err.args;
  switch (err.name) {
    case "SlippageExceeded":
      return ctx.outSymbol
        ? `The price moved beyond your slippage setting: you asked for at least ${fmt(a[0], ctx)} but would get ${fmt(a[1], ctx)}. Nothing was spent.`
        : "The price moved beyond your slippage setting. Nothing was spent.";
    case "MintPaused":
      return "Minting is paused for this product. Redeeming still works.";
    case "ProductInactive":
    case "WoundDown":
      return "This product is closed (liquidated or wound down): it can no longer be minted, but you can still redeem.";
    case "SupplyCapExceeded":
      return "This product has reached its supply cap; try a smaller amount.";
    case "InsufficientShares":
      return "You are trying to redeem more tokens than you hold.";
    case "DepositTooSmall":
      return "That amount is too small to mint any tokens.";
    case "ZeroAmount":
      return "Enter an amount above zero.";
    case "ZeroAddress":
      return "A zero address was given.";
    case "ERC20InsufficientAllowance":
      return `The product is not allowed to take that much of your USDC yet (allowed ${fmt(a[1], USDC)}, needed ${fmt(a[2], USDC)}).`;
    case "ERC20InsufficientBalance":
      return `Your balance is too low (you have ${fmt(a[1], ctx.outDecimals === 6 ? {} : USDC)}, ${fmt(a[2], ctx.outDecimals === 6 ? {} : USDC)} is needed).`;
    case "ERC2612ExpiredSignature":
      return "The permit signature expired before it was used. Try again.";
    case "ERC2612InvalidSigner":
    case "InvalidAccountNonce":
    case "ECDSAInvalidSignature":
    case "ECDSAInvalidSignatureLength":
    case "ECDSAInvalidSignatureS":
      return "The permit signature was not accepted. Try again, or use an approve transaction.";
    case "VenuePaused":
      return "The perp venue behind this product is paused: minting is blocked until it resumes. Redeeming still works.";
    case "OpenInterestCapExceeded":
      return "The perp market is full (its open-interest cap is reached); try a smaller amount later.";
    case "InsufficientMargin":
      return "The perp venue refused the trade: not enough margin.";
    case "InsufficientVenueLiquidity":
      return "The perp venue does not have enough liquidity to pay out right now.";
    case "StalePrice":
      return "The price feed is out of date (stale), so the contracts refuse to price the trade. Nothing was spent.";
    case "InvalidPrice":
    case "FuturePrice":
    case "FeedUnavailable":
      return "The price feed returned an unusable price, so the contracts refuse to price the trade. Nothing was spent.";
    case "SequencerDown":
    case "SequencerGracePeriodNotOver":
      return "The network's sequencer is down or just restarted; prices are not trusted yet. Try again later.";
    case "FaucetLimitExceeded":
      return "The test faucet gives at most 1 billion USDC per call.";
    default:
      return `The contract refused the transaction: ${err.name}(${err.args.map((x) => String(x)).join(", ")}).`;
  }
}

function shortMessage(e: unknown): string {
  if (typeof e === "object" && e !== null) {
    const o = e as { shortMessage?: unknown; message?: unknown };
    if (typeof o.shortMessage === "string") return o.shortMessage;
    if (typeof o.message === "string") return o.message.split("\n")[0] ?? o.message;
  }
  return String(e);
}

function isUserRejection(e: unknown, depth = 0): boolean {
  if (depth > 4 || typeof e !== "object" || e === null) return false;
  const o = e as { code?: unknown; error?: unknown; info?: unknown };
  if (o.code === 4001 || o.code === "ACTION_REJECTED") return true;
  return isUserRejection(o.error, depth + 1) || isUserRejection(o.info, depth + 1);
}

/** One sentence for the user, from any error a wallet, ethers or a contract throws. */
export function explainError(e: unknown, errors: Interface, ctx: ErrorContext = {}): string {
  if (isUserRejection(e)) return "You declined the request in your wallet. Nothing was sent.";
  const data = findRevertData(e);
  if (data) {
    let parsed: ErrorDescription | null;
    try {
      parsed = errors.parseError(data);
    } catch {
      parsed = null;
    }
    if (parsed) return describeCustomError(parsed, ctx);
  }
  const msg = shortMessage(e);
  if (/insufficient funds/i.test(msg)) return "Your account does not have enough ETH to pay for gas.";
  if (/nonce/i.test(msg))
    return `The wallet's transaction count is out of step with the node (${msg}). Reset the account in your wallet.`;
  return `The transaction failed: ${msg}`;
}
