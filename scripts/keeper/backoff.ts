/** Exponential backoff with jitter, and a retry wrapper that only retries what an RPC retry can fix. */
import { isError } from "ethers";
import type { BackoffOptions } from "./config";

/**
 * Delay before retry number `attempt` (0-based): `base * 2^attempt`, capped at `max`, with "equal jitter"
 * (half fixed, half random) so that keepers restarted together do not retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  opts: Pick<BackoffOptions, "baseMs" | "maxMs">,
  random: () => number = Math.random,
): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const half = exp / 2;
  return Math.round(half + half * random());
}

const RETRYABLE_CODES = new Set(["NETWORK_ERROR", "SERVER_ERROR", "TIMEOUT", "UNKNOWN_ERROR", "BAD_DATA"]);
const RETRYABLE_SYSTEM =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|socket hang up|fetch failed|network|timeout/i;

/**
 * True for failures of the transport or the node (connection refused, timeouts, 5xx, malformed responses);
 * false for answers the chain gave on purpose (reverts, nonce or funds problems, invalid arguments).
 */
export function isRetryableRpcError(err: unknown): boolean {
  if (isError(err, "CALL_EXCEPTION") || isError(err, "INSUFFICIENT_FUNDS") || isError(err, "NONCE_EXPIRED"))
    return false;
  if (isError(err, "REPLACEMENT_UNDERPRICED") || isError(err, "INVALID_ARGUMENT")) return false;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && RETRYABLE_CODES.has(code)) return true;
  const message = err instanceof Error ? err.message : String(err);
  return RETRYABLE_SYSTEM.test(message);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryHooks {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  isRetryable?: (err: unknown) => boolean;
  onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
}

/** Runs `fn`, retrying retryable failures up to `opts.retries` times with backoff; rethrows the last error. */
export async function withRetry<T>(fn: () => Promise<T>, opts: BackoffOptions, hooks: RetryHooks = {}): Promise<T> {
  const wait = hooks.sleep ?? sleep;
  const retryable = hooks.isRetryable ?? isRetryableRpcError;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= opts.retries || !retryable(err)) throw err;
      const delay = backoffDelay(attempt, opts, hooks.random);
      hooks.onRetry?.(attempt + 1, delay, err);
      await wait(delay);
    }
  }
}
