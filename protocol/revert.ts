/**
 * The revert decoder: finds a contract's custom error in whatever a wallet, ethers or a node throws. Each wraps revert
 * data differently (eth_call, eth_estimateGas, Hardhat's eth_sendTransaction, an EIP-1193 wallet's
 * `{ code, message, data }`), so the error object is walked for revert data, which is decoded against the error
 * fragments it is given (a product can revert in the token, the Rebalancer, the venue, the oracle adapter or the
 * collateral, so callers pass all of them: see `protocolErrors`).
 */
import { Interface, type ErrorDescription, type InterfaceAbi, type JsonFragment } from "ethers";

export interface DecodedRevert {
  /** Custom error name, e.g. "RebalanceNotNeeded" (or "Error" / "Panic" for a require message or a panic). */
  name: string;
  /** `name(arg, ...)` with arguments rendered as strings (bigints in decimal). */
  signature: string;
  args: readonly unknown[];
}

/** One Interface or several: what a revert is decoded against. */
export type ErrorSource = Interface | readonly Interface[];

const HEX = /^0x[0-9a-fA-F]*$/;
const MESSAGE_PATTERN = /reverted with custom error '([A-Za-z_][A-Za-z0-9_]*)\((.*?)\)'/;

/** One Interface holding the error fragments of every ABI given (the first of each signature wins). */
export function errorInterface(abis: readonly (InterfaceAbi | Interface)[]): Interface {
  const seen = new Set<string>();
  const fragments: JsonFragment[] = [];
  for (const abi of abis) {
    const iface = abi instanceof Interface ? abi : new Interface(abi);
    iface.forEachError((e) => {
      const signature = e.format("sighash");
      if (seen.has(signature)) return;
      seen.add(signature);
      fragments.push(JSON.parse(e.format("json")) as JsonFragment);
    });
  }
  return new Interface(fragments);
}

/** Every string under one of `keys`, anywhere in `err` (breadth-first, cycle-safe, bounded), that `accept`s. */
function stringsUnder(err: unknown, keys: readonly string[], accept: (value: string) => boolean): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 200) {
    const node = queue.shift();
    if (node === null || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (keys.includes(key) && typeof value === "string" && accept(value)) out.push(value);
      else if (typeof value === "object" && value !== null) queue.push(value);
    }
  }
  return out;
}

const isRevertData = (v: string): boolean => HEX.test(v) && v.length >= 10;

/** Every hex string (selector and more) found under a `data` key anywhere in `err`, or `err` itself if it is one. */
export function revertDataCandidates(err: unknown): string[] {
  if (typeof err === "string") return isRevertData(err) ? [err] : [];
  return stringsUnder(err, ["data"], isRevertData);
}

/** The first revert data found in `err`, or null. */
export function findRevertData(err: unknown): string | null {
  return revertDataCandidates(err)[0] ?? null;
}

function messages(err: unknown): string[] {
  const out = stringsUnder(err, ["message", "shortMessage", "reason"], () => true);
  if (err instanceof Error) out.push(err.message);
  return out;
}

const render = (v: unknown): string => (typeof v === "bigint" ? v.toString() : String(v));

function fromDescription(d: ErrorDescription): DecodedRevert {
  const args = [...(d.args as Iterable<unknown>)];
  return { name: d.name, args, signature: `${d.name}(${args.map(render).join(", ")})` };
}

function parse(data: string, iface: Interface): DecodedRevert | null {
  try {
    const d = iface.parseError(data);
    return d ? fromDescription(d) : null;
  } catch {
    return null; // not this interface's error, or malformed arguments
  }
}

/** The first custom error of `errors` found in `err`, or null (out of gas, RPC failure, unknown error...). */
export function decodeRevert(err: unknown, errors: ErrorSource): DecodedRevert | null {
  const interfaces = errors instanceof Interface ? [errors] : errors;
  for (const data of revertDataCandidates(err)) {
    for (const iface of interfaces) {
      const decoded = parse(data, iface);
      if (decoded) return decoded;
    }
  }
  // Hardhat's message names the error even when the data was dropped on the way.
  for (const message of messages(err)) {
    const m = MESSAGE_PATTERN.exec(message);
    if (m) return { name: m[1], args: m[2] ? m[2].split(/,\s*/) : [], signature: `${m[1]}(${m[2]})` };
  }
  return null;
}

/** The first line of an error's message (ethers' `shortMessage` when there is one). */
export function shortMessage(err: unknown): string {
  if (typeof err === "object" && err !== null) {
    const o = err as { shortMessage?: unknown; message?: unknown };
    if (typeof o.shortMessage === "string") return o.shortMessage;
    if (typeof o.message === "string") return o.message.split("\n")[0] ?? o.message;
  }
  return String(err);
}

/** A one-line, log-friendly description of any error: the decoded `Name(args)` when possible. */
export function describeError(err: unknown, errors: ErrorSource = []): string {
  const decoded = decodeRevert(err, errors);
  return decoded ? decoded.signature : shortMessage(err);
}

/** True when a wallet says its user declined (EIP-1193 code 4001, ethers' ACTION_REJECTED), however nested. */
export function isUserRejection(err: unknown, depth = 0): boolean {
  if (depth > 4 || typeof err !== "object" || err === null) return false;
  const o = err as { code?: unknown; error?: unknown; info?: unknown };
  if (o.code === 4001 || o.code === "ACTION_REJECTED") return true;
  return isUserRejection(o.error, depth + 1) || isUserRejection(o.info, depth + 1);
}
