/**
 * Decoding a contract's custom error out of whatever an RPC error looks like. ethers wraps revert data differently
 * for eth_call, eth_estimateGas and (on Hardhat, which throws on failed transactions) eth_sendTransaction, so this
 * walks the error object for revert data and tries each ABI it is given.
 */
import type { ErrorDescription, Interface } from "ethers";

export interface DecodedRevert {
  /** Custom error name, e.g. "RebalanceNotNeeded". */
  name: string;
  /** `name(arg, ...)` with arguments rendered as strings (bigints in decimal). */
  signature: string;
  args: readonly unknown[];
}

const HEX = /^0x[0-9a-fA-F]*$/;
const MESSAGE_PATTERN = /reverted with custom error '([A-Za-z_][A-Za-z0-9_]*)\((.*?)\)'/;

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

/** Every hex string found under a `data` key anywhere in `err`. */
export function revertDataCandidates(err: unknown): string[] {
  return stringsUnder(err, ["data"], (v) => HEX.test(v) && v.length >= 10);
}

function messages(err: unknown): string[] {
  const out = stringsUnder(err, ["message", "shortMessage", "reason"], () => true);
  if (err instanceof Error) out.push(err.message);
  return out;
}

const render = (v: unknown): string => (typeof v === "bigint" ? v.toString() : String(v));

function fromDescription(d: ErrorDescription): DecodedRevert {
  const args = [...d.args];
  return { name: d.name, args, signature: `${d.name}(${args.map(render).join(", ")})` };
}

/** The first custom error of `interfaces` found in `err`, or null (out of gas, RPC failure, unknown error...). */
export function decodeRevert(err: unknown, interfaces: readonly Interface[]): DecodedRevert | null {
  for (const data of revertDataCandidates(err)) {
    for (const iface of interfaces) {
      try {
        const d = iface.parseError(data);
        if (d) return fromDescription(d);
      } catch {
        // not this interface's error (or malformed arguments): try the next one
      }
    }
  }
  // Hardhat's message names the error even when the data was dropped on the way.
  for (const message of messages(err)) {
    const m = MESSAGE_PATTERN.exec(message);
    if (m) return { name: m[1], args: m[2] ? m[2].split(/,\s*/) : [], signature: `${m[1]}(${m[2]})` };
  }
  return null;
}

/** A one-line description of any error, decoded when possible. */
export function describeError(err: unknown, interfaces: readonly Interface[] = []): string {
  const decoded = decodeRevert(err, interfaces);
  if (decoded) return decoded.signature;
  if (err instanceof Error) {
    const short = (err as Error & { shortMessage?: unknown }).shortMessage;
    return typeof short === "string" ? short : err.message.split("\n")[0];
  }
  return String(err);
}
