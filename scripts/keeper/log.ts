/**
 * The keeper's two log formats, over one stream of events (`log(event, fields)`):
 *
 *   readable (default)  one line per event for a person: time, product, action, leverage as "3.52× → 3.00×", the
 *                       bounty in USDC, gas balance in ETH, the full transaction hash
 *   --json              one JSON object per line for machines: grep-able, bigint-safe, raw integer units (WAD
 *                       leverage, collateral base units, wei)
 *
 * `formatEvent` is pure (no clock, no I/O): test/unit/keeper/log.test.ts checks it line by line.
 */
import { formatAmount } from "../../protocol/format";
import { toJson } from "../lib/format";

export type LogFields = Record<string, unknown>;
export type Logger = (event: string, fields?: LogFields) => void;

export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line + "\n")): Logger {
  return (event, fields = {}) => write(toJson({ ts: new Date().toISOString(), event, ...fields }));
}

/** Units of the amounts in the events: the collateral's symbol and decimals (USDC, 6). */
export interface ReadableUnits {
  collateralSymbol: string;
  collateralDecimals: number;
}

export const DEFAULT_UNITS: ReadableUnits = { collateralSymbol: "USDC", collateralDecimals: 6 };

/** Readable lines, each prefixed with the local time of day (HH:MM:SS). */
export function readableLogger(
  units: ReadableUnits = DEFAULT_UNITS,
  write: (line: string) => void = (line) => process.stdout.write(line + "\n"),
  clock: () => Date = () => new Date(),
): Logger {
  return (event, fields = {}) => write(`${clock().toTimeString().slice(0, 8)} ${formatEvent(event, fields, units)}`);
}

const big = (v: unknown): bigint | null => {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
  return null;
};

/** A WAD leverage as "3.52×". */
export function leverageText(wad: unknown): string {
  const v = big(wad);
  if (v === null) return "?";
  if (v >= 10n ** 40n) return "∞×";
  return `${formatAmount(v, 18, 2)}×`;
}

/** Collateral base units as "0.50 USDC". */
export function collateralText(amount: unknown, units: ReadableUnits = DEFAULT_UNITS): string {
  const v = big(amount);
  return v === null ? "?" : `${formatAmount(v, units.collateralDecimals, 2)} ${units.collateralSymbol}`;
}

/** Wei as "9.9999 ETH". */
export function etherText(wei: unknown): string {
  const v = big(wei);
  return v === null ? "?" : `${formatAmount(v, 18, 4)} ETH`;
}

/** Milliseconds as "850 ms", "12.5 s", "3m 05s", "2h 04m". */
export function durationText(ms: unknown): string {
  const v = typeof ms === "number" ? ms : Number(big(ms) ?? NaN);
  if (!Number.isFinite(v)) return "?";
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  const s = Math.floor(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

const str = (v: unknown): string =>
  v === undefined || v === null
    ? "?"
    : typeof v === "string" || typeof v === "bigint" || typeof v === "number" || typeof v === "boolean"
      ? String(v)
      : toJson(v);
/** A whole number with thousands separators ("412,345"). */
const count = (v: unknown): string => {
  const n = big(v);
  return n === null ? str(v) : formatAmount(n, 0, 0);
};
const plural = (n: unknown, one: string, many = one + "s"): string => `${str(n)} ${Number(n) === 1 ? one : many}`;

/** What a `decision` means, in words. */
const DECISIONS: Record<string, string> = {
  send: "due: sending",
  "skip-inflight": "due: a transaction for it is already in flight, waiting",
  "skip-handled": "due: already served for this state, waiting for the chain to show it",
  "skip-cooldown": "due: its last pre-flight failed, waiting before trying again",
  "skip-pending-nonce": "due: this account has pending transactions from before, waiting for them to be mined",
  "skip-gas-price": "due: gas price above --max-fee-gwei, not sending",
  idle: "no longer due",
};

/** An error as "sentence [Name(args)]", or the message. */
function errorText(f: LogFields): string {
  if (typeof f.explanation === "string") return `${f.explanation} [${str(f.error)}]`;
  return str(f.error);
}

/** The product and action a line is about: "BTC3L REBALANCE". */
function subject(f: LogFields): string {
  const who = typeof f.symbol === "string" ? f.symbol : typeof f.token === "string" ? f.token : "";
  const what = typeof f.action === "string" && f.action !== "NONE" ? ` ${f.action}` : "";
  return `${who}${what}`;
}

/** One readable line (without the time prefix) for a keeper event. */
export function formatEvent(event: string, f: LogFields, units: ReadableUnits = DEFAULT_UNITS): string {
  switch (event) {
    case "start":
      return (
        `started: keeper ${str(f.keeper)} on ${str(f.network)} (chain ${str(f.chainId)}, ${str(f.rpc)}), ` +
        `Rebalancer ${str(f.rebalancer)}, balance ${etherText(f.balance)}, ` +
        `checking every ${durationText(f.intervalMs)}${f.once ? ", one pass" : ""}`
      );
    case "idle":
    case "heartbeat": {
      const due = Number(f.due ?? 0);
      const state =
        due === 0
          ? "none due"
          : `${due} due${Number(f.inflight ?? 0) > 0 ? `, ${plural(f.inflight, "transaction")} in flight` : ""}`;
      return (
        `${due === 0 ? "idle" : "alive"}: ${plural(f.products, "product")} checked, ${state}, ` +
        `block ${str(f.block)}, keeper balance ${etherText(f.balance)}`
      );
    }
    case "decision":
      return `${subject(f)} ${DECISIONS[str(f.decision)] ?? str(f.decision)}${f.block !== undefined ? ` (block ${str(f.block)})` : ""}`;
    case "sent":
      return `${subject(f)} sent: tx ${str(f.hash)} (nonce ${str(f.nonce)}, gas limit ${count(f.gasLimit)})`;
    case "confirmed": {
      const lev =
        f.leverageBefore !== undefined
          ? `leverage ${leverageText(f.leverageBefore)} → ${leverageText(f.leverageAfter)}, `
          : "";
      const bounty = f.bounty !== undefined ? `bounty ${collateralText(f.bounty, units)}, ` : "";
      return `${subject(f)} confirmed: ${lev}${bounty}gas ${count(f.gasUsed)}, block ${str(f.block)}, tx ${str(f.hash)}`;
    }
    case "already-handled":
      return `${subject(f)} already handled by another keeper (${str(f.stage)})${f.hash ? `, tx ${str(f.hash)}` : ""}`;
    case "nonce-resync":
      return `${subject(f)} nonce ${str(f.nonce)} was behind the node: resynchronised, nothing sent (${errorText(f)})`;
    case "retry":
      return `retry: ${str(f.call)} failed (${str(f.error)}), attempt ${str(f.attempt)} in ${durationText(f.delayMs)}`;
    case "error": {
      const where = subject(f);
      return `error (${str(f.stage)})${where ? ` ${where}` : ""}: ${errorText(f)}${f.hash ? ` [tx ${str(f.hash)}]` : ""}`;
    }
    case "warning":
      return `warning: ${str(f.message)}`;
    case "fatal":
      return `fatal: ${str(f.error)}`;
    case "stopping":
      return `stopping on ${str(f.signal)}: waiting for transactions in flight`;
    case "summary":
      return (
        `summary (${str(f.reason)}): ${plural(f.passes, "pass", "passes")}, sent ${str(f.sent)}, confirmed ${str(f.confirmed)}, ` +
        `already handled ${str(f.alreadyHandled)}, skipped ${str(f.skipped)}, errors ${str(f.errors)}` +
        (f.inflight !== undefined ? `, in flight ${str(f.inflight)}` : "") +
        (f.uptimeMs !== undefined ? `, up ${durationText(f.uptimeMs)}` : "")
      );
    default: {
      const rest = Object.entries(f)
        .map(([k, v]) => `${k}=${str(v)}`)
        .join(" ");
      return rest ? `${event}: ${rest}` : event;
    }
  }
}
