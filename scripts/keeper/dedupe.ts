/**
 * Never the same action twice for one due state.
 *
 * A due state is identified by what the Rebalancer's decision depends on: the token, the action, the time of its
 * last completed rebalance, whether a chunked rebalance is in progress, the position size (it changes with every
 * chunk, mint and redeem) and the oracle round the price comes from. A keeper sends at most one transaction per key,
 * and at most one transaction per token at a time (a new oracle round while a transaction is pending waits for it).
 * A key is released for another attempt only when it is certain that nothing reached the chain.
 */
import { actionName, type Action } from "../../protocol/actions";

export interface DueState {
  token: string;
  action: Action; // REBALANCE, ITERATE or RIPCORD
  lastRebalance: bigint; // seconds
  iterating: boolean;
  size: bigint; // signed base units, WAD
  oracleUpdatedAt: bigint; // seconds
}

export function dueStateKey(s: DueState): string {
  return [
    s.token.toLowerCase(),
    actionName(s.action),
    s.lastRebalance.toString(),
    s.iterating ? "iter" : "-",
    s.size.toString(),
    s.oracleUpdatedAt.toString(),
  ].join(":");
}

export type Decision =
  | "send" // nothing was sent for this state yet
  | "skip-inflight" // a transaction for this token is still pending
  | "skip-handled" // this state was already acted on (by us, or we saw someone else do it)
  | "skip-cooldown"; // a pre-flight check failed recently; try again later

export type Outcome =
  "confirmed" | "not-needed" | "reverted" | "unconfirmed" | "preflight-failed" | "broadcast-unknown";

interface Entry {
  key: string;
  token: string;
  status: "inflight" | "settled" | "cooldown";
  outcome?: Outcome;
  hash?: string;
  retryAt?: number;
}

export class ActionLedger {
  private readonly byKey = new Map<string, Entry>();
  private readonly inflightByToken = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  decide(token: string, key: string, nowMs: number): Decision {
    if (this.inflightByToken.has(token.toLowerCase())) return "skip-inflight";
    const entry = this.byKey.get(key);
    if (!entry) return "send";
    if (entry.status === "cooldown") return nowMs >= (entry.retryAt ?? 0) ? "send" : "skip-cooldown";
    return "skip-handled";
  }

  /** A transaction for `key` was broadcast (or may have been): no second one for this state. */
  markSent(token: string, key: string, hash?: string): void {
    const entry: Entry = { key, token: token.toLowerCase(), status: "inflight", hash };
    this.put(entry);
    this.inflightByToken.set(entry.token, entry);
  }

  /** The transaction for `key` is final (or given up on); the token is free for the next state. */
  settle(key: string, outcome: Outcome): void {
    const entry = this.byKey.get(key);
    if (!entry) {
      this.put({ key, token: key.split(":")[0], status: "settled", outcome });
      return;
    }
    entry.status = "settled";
    entry.outcome = outcome;
    if (this.inflightByToken.get(entry.token) === entry) this.inflightByToken.delete(entry.token);
  }

  /** Nothing reached the chain (e.g. the send was refused before broadcast): this state may be tried again. */
  release(key: string): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    this.byKey.delete(key);
    if (this.inflightByToken.get(entry.token) === entry) this.inflightByToken.delete(entry.token);
  }

  /** A pre-flight check (gas estimation) failed without sending: retry this state no earlier than `retryAt`. */
  cooldown(token: string, key: string, retryAtMs: number): void {
    this.put({ key, token: token.toLowerCase(), status: "cooldown", outcome: "preflight-failed", retryAt: retryAtMs });
  }

  inflight(): number {
    return this.inflightByToken.size;
  }

  outcome(key: string): Outcome | undefined {
    return this.byKey.get(key)?.outcome;
  }

  private put(entry: Entry): void {
    this.byKey.delete(entry.key); // re-insert at the end (Map keeps insertion order)
    this.byKey.set(entry.key, entry);
    // Evict the oldest settled entries; old due states can never come back (lastRebalance only grows).
    for (const [k, e] of this.byKey) {
      if (this.byKey.size <= this.maxEntries) break;
      if (e.status !== "inflight") this.byKey.delete(k);
    }
  }
}
