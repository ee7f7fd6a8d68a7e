/**
 * The keeper loop: on every new block (checked every `intervalMs`), ask the Rebalancer which products are due and
 * send `rebalance` / `ripcord` for them, at most once per due state, with its own nonces, gas settings and RPC retries.
 * All reads of one pass are pinned to one block so that a decision never mixes two states.
 */
import {
  AbiCoder,
  type Interface,
  ZeroAddress,
  isError,
  type JsonRpcProvider,
  type Signer,
  type TransactionReceipt,
} from "ethers";
import {
  Action,
  MAX_BATCH,
  actionMethod,
  actionName,
  connectOracle,
  connectToken,
  decodeRevert,
  describeError,
  explainRevert,
  protocolErrors,
  toAction,
  type IRebalancer,
} from "../../protocol";
import { backoffDelay, isRetryableRpcError, sleep, withRetry } from "./backoff";
import type { BackoffOptions } from "./config";
import { ActionLedger, dueStateKey, type DueState } from "./dedupe";
import type { LogFields, Logger } from "./log";
import { NonceTracker } from "./nonce";

/** Custom errors that mean "someone else already acted on this state": success for the keeper. */
const NOT_NEEDED = new Set(["RebalanceNotNeeded", "RipcordNotNeeded"]);

export interface KeeperOptions {
  intervalMs: number;
  gasBufferPct: number;
  maxFeePerGas: bigint | null;
  backoff: BackoffOptions;
  confirmTimeoutMs: number;
  /** How long a failed pre-flight (gas estimation) keeps a due state from being tried again. */
  preflightCooldownMs: number;
  /** Re-read the product list every this many passes. */
  tokenRefreshPasses: number;
  /**
   * A `heartbeat` line (products checked, how many due, block, gas balance) after the first pass and then at least
   * this often while the loop runs, so that an idle keeper and a hung one look different; 0 = never.
   */
  heartbeatMs?: number;
}

export interface KeeperStats {
  passes: number;
  /** Transactions broadcast. */
  sent: number;
  /** Sent and mined successfully. */
  confirmed: number;
  /** Due states another keeper acted on first (a revert with RebalanceNotNeeded/RipcordNotNeeded): success. */
  alreadyHandled: number;
  /** Due states seen and deliberately not acted on: already handled, a transaction in flight, gas above cap. */
  skipped: number;
  errors: number;
}

export interface KeeperDeps {
  provider: JsonRpcProvider;
  signer: Signer;
  address: string;
  rebalancer: IRebalancer;
  /** Decodes the custom errors in logs; default: the protocol's own (`protocolErrors()`). */
  errors?: Interface;
  /** Lower-case address → product symbol, for logs. */
  symbols: ReadonlyMap<string, string>;
  log: Logger;
  options: KeeperOptions;
  now?: () => number;
}

type PassDecision = "send" | "skip-inflight" | "skip-handled" | "skip-cooldown" | "skip-pending-nonce";

export class Keeper {
  readonly stats: KeeperStats = { passes: 0, sent: 0, confirmed: 0, alreadyHandled: 0, skipped: 0, errors: 0 };
  private readonly ledger = new ActionLedger();
  private readonly nonces: NonceTracker;
  private readonly coder = AbiCoder.defaultAbiCoder();
  private readonly errors: Interface;
  private readonly receipts = new Set<Promise<void>>();
  private readonly lastAction = new Map<string, Action>();
  private readonly lastLogged = new Map<string, string>();
  private readonly now: () => number;
  private tokens: string[] = [];
  private maxBatch = MAX_BATCH;
  private lastBlock = -1;
  /** What the last completed pass saw: for the heartbeat. */
  private lastScan: { block: number; products: number; due: number } | null = null;
  private lastHeartbeat: number | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(private readonly deps: KeeperDeps) {
    this.now = deps.now ?? Date.now;
    this.errors = deps.errors ?? protocolErrors();
    this.nonces = new NonceTracker(() =>
      this.rpc("nonce", () => deps.provider.getTransactionCount(deps.address, "pending")),
    );
  }

  /** An error for the logs: the decoded custom error and its explanation when it is one, else its message. */
  private errorFields(err: unknown): LogFields {
    const decoded = decodeRevert(err, this.errors);
    if (!decoded) return { error: describeError(err) };
    return { error: decoded.signature, explanation: explainRevert(decoded) };
  }

  /** Runs passes until `stop()`; RPC failures back off exponentially and never end the loop. */
  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.pass(false);
        failures = 0;
        await this.heartbeat(false);
      } catch (err) {
        failures++;
        this.stats.errors++;
        this.deps.log("error", { stage: "pass", consecutive: failures, ...this.errorFields(err) });
      }
      const delay =
        failures === 0 ? this.deps.options.intervalMs : backoffDelay(failures - 1, this.deps.options.backoff);
      await this.pause(delay);
    }
  }

  /** One pass whatever the block, then waits for its transactions. True when nothing failed. */
  async runOnce(): Promise<boolean> {
    try {
      await this.pass(true);
    } catch (err) {
      this.stats.errors++;
      this.deps.log("error", { stage: "pass", ...this.errorFields(err) });
    }
    await this.drain(this.deps.options.confirmTimeoutMs + 1_000);
    try {
      await this.heartbeat(true);
    } catch (err) {
      this.stats.errors++;
      this.deps.log("error", { stage: "heartbeat", ...this.errorFields(err) });
    }
    return this.stats.errors === 0;
  }

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Waits (at most `timeoutMs`) for the receipts of transactions still in flight. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.receipts.size === 0) return;
    await Promise.race([Promise.allSettled([...this.receipts]), sleep(timeoutMs)]);
  }

  inflight(): number {
    return this.ledger.inflight();
  }

  /**
   * Logs a `heartbeat` event when one is due (`force`: now): the last pass's block, products checked and due, the
   * transactions in flight and the keeper's gas balance. The first completed pass always gets one. True if it logged.
   */
  async heartbeat(force: boolean): Promise<boolean> {
    const every = this.deps.options.heartbeatMs ?? 0;
    if (this.lastScan === null) return false;
    const now = this.now();
    if (!force) {
      if (every <= 0) return false;
      if (this.lastHeartbeat !== null && now - this.lastHeartbeat < every) return false;
    }
    this.lastHeartbeat = now;
    const balance = await this.rpc("balance", () => this.deps.provider.getBalance(this.deps.address));
    this.deps.log("heartbeat", { ...this.lastScan, inflight: this.ledger.inflight(), balance });
    return true;
  }

  /** One look at every product; `force` runs it even if no block was mined since the last pass. */
  async pass(force: boolean): Promise<void> {
    const { provider, rebalancer, log } = this.deps;
    const block = await this.rpc("blockNumber", () => provider.getBlockNumber());
    if (!force && block === this.lastBlock) return;
    this.stats.passes++;
    const blockTag = block;

    if (this.tokens.length === 0 || this.stats.passes % this.deps.options.tokenRefreshPasses === 1) {
      this.tokens = [...(await this.rpc("tokens", () => rebalancer.tokens({ blockTag })))];
      this.maxBatch = await this.rpc("maxBatch", () => rebalancer.maxBatch({ blockTag }));
    }
    const due = await this.scan(blockTag);
    // Transactions of this account still pending (e.g. sent by an earlier run of this keeper that was killed): wait
    // for them before sending anything, or a restart could send a second transaction for a state already served.
    let holdSends = false;
    if (due.size > 0 && this.ledger.inflight() === 0) {
      const pending = await this.rpc("nonce", () => provider.getTransactionCount(this.deps.address, "pending"));
      const mined = await this.rpc("nonce", () => provider.getTransactionCount(this.deps.address, "latest"));
      holdSends = pending > mined;
    }

    for (const token of this.tokens) {
      const id = token.toLowerCase();
      const action = due.get(id) ?? Action.NONE;
      const previous = this.lastAction.get(id);
      this.lastAction.set(id, action);
      if (action === Action.NONE) {
        if (previous !== undefined && previous !== Action.NONE) {
          this.lastLogged.delete(id);
          log("decision", { block, token, symbol: this.symbol(token), action: "NONE", decision: "idle" });
        }
        continue;
      }
      try {
        await this.consider(token, action, blockTag, holdSends);
      } catch (err) {
        this.stats.errors++;
        log("error", {
          stage: "consider",
          block,
          token,
          symbol: this.symbol(token),
          ...this.errorFields(err),
        });
      }
    }
    this.lastBlock = block;
    this.lastScan = { block, products: this.tokens.length, due: due.size };
  }

  /** `checkUpkeep` from address(0) as Chainlink Automation simulates it, one slice of `maxBatch` products at a time. */
  private async scan(blockTag: number): Promise<Map<string, Action>> {
    const due = new Map<string, Action>();
    const batch = this.maxBatch > 0n ? this.maxBatch : MAX_BATCH;
    for (let start = 0n; start < BigInt(this.tokens.length); start += batch) {
      const checkData = this.coder.encode(["uint256", "uint256"], [start, batch]);
      const [needed, performData] = await this.rpc("checkUpkeep", () =>
        this.deps.rebalancer.checkUpkeep.staticCall(checkData, { from: ZeroAddress, blockTag }),
      );
      if (!needed) continue;
      const [tokens, actions] = this.coder.decode(["address[]", "uint8[]"], performData) as unknown as [
        string[],
        bigint[],
      ];
      tokens.forEach((t, i) => due.set(t.toLowerCase(), toAction(actions[i])));
    }
    return due;
  }

  private async consider(token: string, action: Action, blockTag: number, holdSends: boolean): Promise<void> {
    const state = await this.dueState(token, action, blockTag);
    const key = dueStateKey(state);
    let decision: PassDecision = this.ledger.decide(token, key, this.now());
    if (decision === "send" && holdSends) decision = "skip-pending-nonce";

    const id = token.toLowerCase();
    const fingerprint = `${key}|${decision}`;
    const repeated = this.lastLogged.get(id) === fingerprint;
    this.lastLogged.set(id, fingerprint);
    if (decision !== "send") {
      if (repeated) return; // the same skip for the same state: said once already
      this.stats.skipped++;
    }
    this.deps.log("decision", {
      block: blockTag,
      token,
      symbol: this.symbol(token),
      action: actionName(action),
      key,
      decision,
    });
    if (decision === "send") await this.act(token, action, key);
  }

  private async dueState(token: string, action: Action, blockTag: number): Promise<DueState> {
    const { provider, rebalancer } = this.deps;
    const product = connectToken(token, provider);
    const [st, snapshot] = await Promise.all([
      this.rpc("tokenState", () => rebalancer.tokenState(token, { blockTag })),
      this.rpc("positionSnapshot", () => product.positionSnapshot({ blockTag })),
    ]);
    const oracle = connectOracle(st.oracle, provider);
    const [, updatedAt] = await this.rpc("latestPrice", () => oracle.latestPrice({ blockTag }));
    return {
      token,
      action,
      lastRebalance: st.lastRebalance,
      iterating: st.iterating,
      size: snapshot[0],
      oracleUpdatedAt: updatedAt,
    };
  }

  /** Pre-flight, gas, nonce, send; the receipt is awaited in the background. */
  private async act(token: string, action: Action, key: string): Promise<void> {
    const { provider, signer, address, log, options } = this.deps;
    const symbol = this.symbol(token);
    const { to, data } = await this.deps.rebalancer[actionMethod(action)].populateTransaction(token);

    let gas: bigint;
    try {
      gas = await this.rpc("estimateGas", () => provider.estimateGas({ from: address, to, data }));
    } catch (err) {
      const decoded = decodeRevert(err, this.errors);
      if (decoded && NOT_NEEDED.has(decoded.name)) {
        this.ledger.settle(key, "not-needed");
        this.stats.alreadyHandled++;
        log("already-handled", {
          token,
          symbol,
          action: actionName(action),
          key,
          stage: "preflight",
          reason: decoded.signature,
        });
        return;
      }
      this.ledger.cooldown(token, key, this.now() + options.preflightCooldownMs);
      this.stats.errors++;
      log("error", { stage: "preflight", token, symbol, key, ...this.errorFields(err) });
      return;
    }

    const fee = await this.rpc("feeData", () => provider.getFeeData());
    const maxFee = fee.maxFeePerGas ?? fee.gasPrice;
    if (options.maxFeePerGas !== null && maxFee !== null && maxFee > options.maxFeePerGas) {
      this.stats.skipped++;
      log("decision", {
        token,
        symbol,
        key,
        decision: "skip-gas-price",
        maxFeePerGas: maxFee,
        cap: options.maxFeePerGas,
      });
      this.lastLogged.delete(token.toLowerCase()); // decide again next block
      return;
    }
    const gasLimit = (gas * BigInt(100 + options.gasBufferPct)) / 100n;
    const fees =
      fee.maxFeePerGas !== null && fee.maxPriorityFeePerGas !== null
        ? { maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas }
        : { gasPrice: fee.gasPrice ?? undefined };

    const nonce = await this.nonces.take();
    try {
      // No automatic retry: a send is not idempotent. Its fate is settled below from the chain's nonce instead.
      const tx = await signer.sendTransaction({ to, data, nonce, gasLimit, ...fees });
      this.ledger.markSent(token, key, tx.hash);
      this.stats.sent++;
      log("sent", { token, symbol, action: actionName(action), key, hash: tx.hash, nonce, gasLimit });
      const tracked: Promise<void> = this.confirm(tx.hash, token, action, key)
        .catch((err: unknown) => {
          // Never an unhandled rejection: the state stays "sent" (no resend), the token is freed.
          this.ledger.settle(key, "unconfirmed");
          this.stats.errors++;
          log("error", {
            stage: "confirm",
            token,
            symbol,
            key,
            hash: tx.hash,
            ...this.errorFields(err),
          });
        })
        .finally(() => this.receipts.delete(tracked));
      this.receipts.add(tracked);
    } catch (err) {
      await this.onSendFailure(err, token, action, key, nonce);
    }
  }

  private async onSendFailure(err: unknown, token: string, action: Action, key: string, nonce: number): Promise<void> {
    const { provider, address, log, options } = this.deps;
    const symbol = this.symbol(token);
    this.nonces.reset();
    let consumed: boolean;
    try {
      consumed = (await this.rpc("nonce", () => provider.getTransactionCount(address, "pending"))) > nonce;
    } catch {
      consumed = true; // unknown: assume it went out, so that it is never sent twice
    }
    const decoded = decodeRevert(err, this.errors);
    if (decoded && NOT_NEEDED.has(decoded.name)) {
      // Lost a race (a node that mines reverting transactions and reports them as errors, like Hardhat's).
      if (consumed) this.stats.sent++;
      this.ledger.settle(key, "not-needed");
      this.stats.alreadyHandled++;
      log("already-handled", {
        token,
        symbol,
        action: actionName(action),
        key,
        stage: "send",
        reason: decoded.signature,
      });
      return;
    }
    if (!consumed && (isError(err, "NONCE_EXPIRED") || isError(err, "REPLACEMENT_UNDERPRICED"))) {
      // Our local nonce was behind the node (another process used this account): resynchronised, nothing went out.
      this.ledger.release(key);
      log("nonce-resync", { token, symbol, key, nonce, ...this.errorFields(err) });
      return;
    }
    this.stats.errors++;
    if (consumed) {
      this.stats.sent++;
      this.ledger.settle(key, decoded ? "reverted" : "broadcast-unknown");
    } else if (isRetryableRpcError(err)) {
      this.ledger.release(key); // it never left: the next block may try this state again
    } else {
      this.ledger.cooldown(token, key, this.now() + options.preflightCooldownMs);
    }
    log("error", {
      stage: "send",
      token,
      symbol,
      key,
      nonce,
      broadcast: consumed,
      ...this.errorFields(err),
    });
  }

  private async confirm(hash: string, token: string, action: Action, key: string): Promise<void> {
    const { provider, log, options } = this.deps;
    const symbol = this.symbol(token);
    const deadline = this.now() + options.confirmTimeoutMs;
    const poll = Math.max(50, Math.min(options.intervalMs, 500));
    let receipt: TransactionReceipt | null = null;
    while (receipt === null && this.now() < deadline) {
      try {
        receipt = await provider.getTransactionReceipt(hash);
      } catch (err) {
        if (!isRetryableRpcError(err)) throw err;
      }
      if (receipt === null) await sleep(poll);
    }
    if (receipt === null) {
      this.nonces.reset();
      this.ledger.settle(key, "unconfirmed");
      this.stats.errors++;
      log("error", {
        stage: "confirm",
        token,
        symbol,
        key,
        hash,
        error: `no receipt after ${options.confirmTimeoutMs} ms`,
      });
      return;
    }
    if (receipt.status === 1) {
      this.ledger.settle(key, "confirmed");
      this.stats.confirmed++;
      const event = receipt.logs
        .map((l) => {
          try {
            return this.deps.rebalancer.interface.parseLog(l);
          } catch {
            return null;
          }
        })
        .find((e) => e?.name === "RebalanceExecuted");
      log("confirmed", {
        token,
        symbol,
        action: actionName(action),
        key,
        hash,
        block: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
        leverageBefore: event?.args.leverageBefore as bigint | undefined,
        leverageAfter: event?.args.leverageAfter as bigint | undefined,
        bounty: event?.args.bounty as bigint | undefined,
      });
      return;
    }
    // Reverted on chain: if another keeper's action for this token landed in the same block, we merely lost the race.
    const filter = this.deps.rebalancer.filters.RebalanceExecuted(token);
    const rivals = await this.rpc("logs", () =>
      this.deps.rebalancer.queryFilter(filter, receipt.blockNumber, receipt.blockNumber),
    );
    if (rivals.length > 0) {
      this.ledger.settle(key, "not-needed");
      this.stats.alreadyHandled++;
      log("already-handled", { token, symbol, action: actionName(action), key, hash, stage: "receipt" });
    } else {
      this.ledger.settle(key, "reverted");
      this.stats.errors++;
      log("error", { stage: "receipt", token, symbol, key, hash, error: "transaction reverted" });
    }
  }

  private rpc<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (process.env.BALLAST_KEEPER_DEBUG) {
      const inner = fn;
      fn = async () => {
        this.deps.log("debug", { call: what, phase: "start" });
        const out = await inner();
        this.deps.log("debug", { call: what, phase: "end" });
        return out;
      };
    }
    return withRetry(fn, this.deps.options.backoff, {
      onRetry: (attempt, delayMs, err) =>
        this.deps.log("retry", { call: what, attempt, delayMs, error: describeError(err) }),
    });
  }

  private symbol(token: string): string {
    return this.deps.symbols.get(token.toLowerCase()) ?? token;
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
