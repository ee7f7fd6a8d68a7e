/**
 * Keeper configuration from flags and environment (flags win). Pure: no I/O, so it is unit-tested directly.
 *
 *   --network <name>        deployments/<name> and defaults; default "localhost"
 *   --rpc <url>             JSON-RPC endpoint (env BALLAST_RPC_URL); localhost default http://127.0.0.1:8545
 *   --key <0x..>            private key of the keeper account (env BALLAST_KEEPER_KEY); prefer the env variable
 *   --account <i|0x..>      an unlocked account of a local node, by index or address (local networks only);
 *                           default on localhost without a key: #1, the "keeper" named account
 *   --deployments <dir>     hardhat-deploy folder to read addresses and ABIs from; default deployments/<network>
 *   --once                  one pass, wait for its transactions, exit 0 (nothing failed) or 1
 *   --interval <ms>         time between passes; default 1000
 *   --heartbeat <ms>        an "idle: … checked, none due, block …, keeper balance … ETH" line at least this often
 *                           while running (and after the first pass); 0 = never; default 60000
 *   --json                  one JSON object per line (raw integer units) instead of readable lines
 *   --max-fee-gwei <n>      do not send while the network's max fee per gas is above this
 *   --gas-buffer <pct>      added to each gas estimate; default 20
 *   --retries <n>           RPC retries per call; default 5
 *   --backoff <ms>          first retry delay (doubles each time, with jitter); default 250
 *   --backoff-max <ms>      retry delay cap; default 8000
 *   --confirm-timeout <ms>  give up waiting for a receipt after this; default 120000
 */
import { isAddress } from "ethers";

export const LOCAL_NETWORKS: ReadonlySet<string> = new Set(["localhost"]);
export const DEFAULT_LOCAL_RPC = "http://127.0.0.1:8545";
/** Index of the "keeper" named account in hardhat.config.ts. */
export const DEFAULT_LOCAL_ACCOUNT = 1;

export type SignerSpec = { kind: "key"; key: string } | { kind: "unlocked"; account: number | string };

export interface BackoffOptions {
  retries: number;
  baseMs: number;
  maxMs: number;
}

export interface KeeperConfig {
  network: string;
  rpcUrl: string;
  signer: SignerSpec;
  deploymentsDir: string;
  once: boolean;
  intervalMs: number;
  heartbeatMs: number;
  json: boolean;
  maxFeePerGas: bigint | null; // wei
  gasBufferPct: number;
  backoff: BackoffOptions;
  confirmTimeoutMs: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Thrown for --help; the message is the usage text. */
export class HelpRequested extends Error {
  override name = "HelpRequested";
}

export const USAGE = `usage: npm run keeper -- [--network localhost] [--once] [--interval ms] [--rpc URL] [--key 0x..|--account i]
                      [--deployments dir] [--max-fee-gwei n] [--gas-buffer pct] [--retries n] [--backoff ms]
                      [--backoff-max ms] [--confirm-timeout ms] [--heartbeat ms] [--json]
output: readable lines (leverage as 3.52× → 3.00×, bounty in USDC, balance in ETH) and an "idle: …" heartbeat
        every --heartbeat ms (default 60000, 0 = never); --json: one JSON object per line, raw integer units
env: BALLAST_RPC_URL, BALLAST_KEEPER_KEY (flags win)`;

const VALUE_FLAGS = new Set([
  "network",
  "rpc",
  "key",
  "account",
  "deployments",
  "interval",
  "heartbeat",
  "max-fee-gwei",
  "gas-buffer",
  "retries",
  "backoff",
  "backoff-max",
  "confirm-timeout",
]);
const BOOLEAN_FLAGS = new Set(["once", "help", "json"]);

/** `--name value`, `--name=value` and boolean `--name`; anything else is an error. */
export function parseFlags(argv: readonly string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq !== -1) throw new ConfigError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === "" || (eq === -1 && value.startsWith("--"))) {
        throw new ConfigError(`--${name} needs a value`);
      }
      flags.set(name, value);
    } else {
      throw new ConfigError(`unknown flag --${name}`);
    }
  }
  return flags;
}

function integer(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`--${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Gwei (up to 9 decimals) to wei, exactly. */
export function gweiToWei(raw: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(raw);
  if (!m) throw new ConfigError(`--max-fee-gwei must be a decimal number of gwei, got "${raw}"`);
  return BigInt(m[1]) * 10n ** 9n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

export function parseKeeperConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): KeeperConfig {
  const flags = parseFlags(argv);
  if (flags.has("help")) throw new HelpRequested(USAGE);
  const str = (name: string): string | undefined => {
    const v = flags.get(name);
    return typeof v === "string" ? v : undefined;
  };

  const network = str("network") ?? "localhost";
  if (!/^[A-Za-z0-9_-]+$/.test(network)) throw new ConfigError(`invalid network name "${network}"`);
  const local = LOCAL_NETWORKS.has(network);

  const rpcUrl = str("rpc") ?? env.BALLAST_RPC_URL ?? (local ? DEFAULT_LOCAL_RPC : undefined);
  if (!rpcUrl) throw new ConfigError(`network "${network}" needs --rpc or BALLAST_RPC_URL`);
  if (!/^https?:\/\//.test(rpcUrl)) throw new ConfigError(`--rpc must be an http(s) URL, got "${rpcOrigin(rpcUrl)}"`);

  const key = str("key") ?? env.BALLAST_KEEPER_KEY;
  const account = str("account");
  let signer: SignerSpec;
  if (key !== undefined && account !== undefined) throw new ConfigError("use either a key or --account, not both");
  if (key !== undefined) {
    // Never echo the key itself.
    if (!PRIVATE_KEY.test(key)) throw new ConfigError("the keeper key must be 0x followed by 64 hex digits");
    signer = { kind: "key", key };
  } else if (account !== undefined) {
    if (!local)
      throw new ConfigError(`--account uses a node's unlocked accounts: local networks only, not "${network}"`);
    if (/^\d+$/.test(account)) signer = { kind: "unlocked", account: integer("account", account, 0, 1000) };
    else if (isAddress(account)) signer = { kind: "unlocked", account };
    else throw new ConfigError(`--account must be an index or an address, got "${account}"`);
  } else if (local) {
    signer = { kind: "unlocked", account: DEFAULT_LOCAL_ACCOUNT };
  } else {
    throw new ConfigError(`network "${network}" needs a keeper key: set BALLAST_KEEPER_KEY (or --key)`);
  }

  const maxFee = str("max-fee-gwei");
  return {
    network,
    rpcUrl,
    signer,
    deploymentsDir: str("deployments") ?? `deployments/${network}`,
    once: flags.get("once") === true,
    intervalMs: integer("interval", str("interval") ?? "1000", 50, 3_600_000),
    heartbeatMs: integer("heartbeat", str("heartbeat") ?? "60000", 0, 86_400_000),
    json: flags.get("json") === true,
    maxFeePerGas: maxFee === undefined ? null : gweiToWei(maxFee),
    gasBufferPct: integer("gas-buffer", str("gas-buffer") ?? "20", 0, 500),
    backoff: {
      retries: integer("retries", str("retries") ?? "5", 0, 100),
      baseMs: integer("backoff", str("backoff") ?? "250", 1, 600_000),
      maxMs: integer("backoff-max", str("backoff-max") ?? "8000", 1, 3_600_000),
    },
    confirmTimeoutMs: integer("confirm-timeout", str("confirm-timeout") ?? "120000", 1000, 3_600_000),
  };
}

/** What may be logged about the configuration (no key material). */
export function describeConfig(c: KeeperConfig): Record<string, unknown> {
  return {
    network: c.network,
    rpc: rpcOrigin(c.rpcUrl), // hosted endpoints carry API keys in the path or user info
    signer: c.signer.kind === "key" ? "key" : `unlocked:${String(c.signer.account)}`,
    deployments: c.deploymentsDir,
    once: c.once,
    intervalMs: c.intervalMs,
    heartbeatMs: c.heartbeatMs,
    maxFeePerGas: c.maxFeePerGas === null ? null : c.maxFeePerGas.toString(),
  };
}

/** Scheme, host and port only. */
export function rpcOrigin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "(invalid url)";
  }
}
