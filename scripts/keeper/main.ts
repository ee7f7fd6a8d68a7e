/**
 * Ballast keeper, a standalone process:
 *
 *   npm run keeper -- --network localhost [--once] [--interval ms] [--heartbeat ms] [--json] [--rpc URL]
 *                     [--key 0x..|--account i]
 *
 * Reads addresses and ABIs from hardhat-deploy's deployments/<network> folder, then rebalances every due product
 * until SIGINT/SIGTERM (prints a summary, exits 0). Readable lines by default (scripts/keeper/log.ts), `--json` for
 * machines. `--once`: one pass, exit 0 if nothing failed, else 1.
 * Exit code 2: bad configuration, missing deployments or the wrong chain. See scripts/keeper/config.ts for flags.
 */
import { FetchRequest, JsonRpcProvider, Network, Wallet, type Signer } from "ethers";
import { connectCollateral, connectRebalancer, describeError, protocolErrors } from "../../protocol";
import { loadDeployments, requireDeployment, DeploymentsError } from "../lib/deployments";
import { withRetry } from "./backoff";
import { ConfigError, HelpRequested, describeConfig, parseKeeperConfig, type KeeperConfig } from "./config";
import { Keeper } from "./keeper";
import { DEFAULT_UNITS, jsonLogger, readableLogger, type Logger, type ReadableUnits } from "./log";

const SHUTDOWN_GRACE_MS = 5_000;

/** eth_chainId over plain HTTP, so that an absent node is retried with our backoff, not ethers' endless retry. */
async function probeChainId(url: string): Promise<bigint> {
  const req = new FetchRequest(url);
  req.timeout = 5_000;
  req.body = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
  const res = await req.send();
  res.assertOk();
  const body = res.bodyJson as { result?: unknown; error?: { message?: string } };
  if (typeof body.result !== "string") throw new Error(`eth_chainId failed: ${body.error?.message ?? "no result"}`);
  return BigInt(body.result);
}

async function makeSigner(config: KeeperConfig, provider: JsonRpcProvider): Promise<Signer> {
  if (config.signer.kind === "key") return new Wallet(config.signer.key, provider);
  return provider.getSigner(config.signer.account);
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let config: KeeperConfig;
  try {
    config = parseKeeperConfig(argv, env);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(err.message + "\n");
      return 0;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`keeper: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // Readable until the collateral's decimals are known (read once the node answers); JSON is unit-free.
  const units: ReadableUnits = { ...DEFAULT_UNITS };
  const log: Logger = config.json ? jsonLogger() : readableLogger(units);
  const startedAt = Date.now();
  // A long-running keeper logs a stray rejection (e.g. from a library's background poller) instead of dying on it.
  process.on("unhandledRejection", (reason) => log("error", { stage: "unhandled", error: describeError(reason) }));

  let deployments;
  try {
    deployments = loadDeployments(config.deploymentsDir);
    requireDeployment(deployments, "Rebalancer");
  } catch (err) {
    if (!(err instanceof DeploymentsError)) throw err;
    log("fatal", { error: err.message });
    return 2;
  }

  // Stop requests may arrive before the keeper exists (the node is not up yet): remember them.
  let keeper: Keeper | null = null;
  let stopReason: string | null = null;
  let stopped: () => void = () => undefined;
  const stoppedPromise = new Promise<void>((resolve) => (stopped = resolve));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopReason !== null) return; // the first signal already asked; shutdown is bounded anyway
      stopReason = signal;
      log("stopping", { signal });
      keeper?.stop();
      stopped();
    });
  }

  const retryLog = (call: string) => (attempt: number, delayMs: number, err: unknown) =>
    log("retry", { call, attempt, delayMs, error: describeError(err) });
  let chainId: bigint;
  try {
    chainId = await Promise.race([
      // A long-running keeper waits for its node as long as it takes; `--once` gives up after the usual retries.
      withRetry(
        () => probeChainId(config.rpcUrl),
        { ...config.backoff, retries: config.once ? config.backoff.retries : Number.MAX_SAFE_INTEGER },
        { onRetry: retryLog("eth_chainId") },
      ),
      stoppedPromise.then(() => {
        throw new Error("stopped before the node answered");
      }),
    ]);
  } catch (err) {
    log("fatal", { error: `cannot reach ${describeConfig(config).rpc}: ${describeError(err)}` });
    log("summary", {
      reason: stopReason ?? "unreachable",
      passes: 0,
      sent: 0,
      confirmed: 0,
      alreadyHandled: 0,
      skipped: 0,
      errors: 1,
    });
    return stopReason !== null ? 0 : config.once ? 1 : 2;
  }
  if (deployments.chainId !== null && deployments.chainId !== chainId) {
    log("fatal", {
      error: `wrong network: ${deployments.dir} is for chain ${deployments.chainId}, the node is chain ${chainId}`,
    });
    return 2;
  }

  const network = Network.from(chainId);
  const provider = new JsonRpcProvider(config.rpcUrl, network, {
    staticNetwork: network,
    pollingInterval: Math.min(config.intervalMs, 4_000),
    // No response cache: ethers otherwise answers a repeated eth_getTransactionCount from a 250 ms cache, and a stale
    // nonce right after our own send is exactly what must never happen.
    cacheTimeout: -1,
  });
  try {
    const signer = await makeSigner(config, provider);
    const address = await signer.getAddress();
    const record = requireDeployment(deployments, "Rebalancer");
    if ((await provider.getCode(record.address)) === "0x") {
      log("fatal", { error: `no Rebalancer at ${record.address} on chain ${chainId}: stale ${deployments.dir}?` });
      return 2;
    }
    const rebalancer = connectRebalancer(record.address, provider);
    const usdc = deployments.contracts.get("USDC");
    if (usdc) {
      const collateral = connectCollateral(usdc.address, provider);
      const [symbol, decimals] = await Promise.all([collateral.symbol(), collateral.decimals()]);
      Object.assign(units, { collateralSymbol: symbol, collateralDecimals: Number(decimals) });
    }
    const symbols = new Map<string, string>();
    for (const [name, r] of deployments.contracts) symbols.set(r.address.toLowerCase(), name);

    keeper = new Keeper({
      provider,
      signer,
      address,
      rebalancer,
      // The deployments' ABIs too: a venue implementation's own errors are only there.
      errors: protocolErrors([...deployments.contracts.values()].map((r) => r.abi)),
      symbols,
      log,
      options: {
        intervalMs: config.intervalMs,
        gasBufferPct: config.gasBufferPct,
        maxFeePerGas: config.maxFeePerGas,
        backoff: config.backoff,
        confirmTimeoutMs: config.confirmTimeoutMs,
        preflightCooldownMs: Math.max(10 * config.intervalMs, 10_000),
        tokenRefreshPasses: 30,
        heartbeatMs: config.heartbeatMs,
      },
    });
    const balance = await provider.getBalance(address);
    log("start", { ...describeConfig(config), chainId, keeper: address, rebalancer: record.address, balance });
    if (balance === 0n) log("warning", { message: `keeper ${address} has no ether for gas` });

    let ok = true;
    if (config.once) {
      ok = await keeper.runOnce();
    } else if (stopReason === null) {
      const running = keeper.run();
      await stoppedPromise;
      await Promise.race([running, new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS))]);
      await keeper.drain(SHUTDOWN_GRACE_MS);
    }
    log("summary", {
      reason: config.once ? "once" : stopReason,
      ...keeper.stats,
      inflight: keeper.inflight(),
      uptimeMs: Date.now() - startedAt,
    });
    // A signal is a clean shutdown (exit 0); `--once` reports whether anything failed.
    return config.once ? (ok ? 0 : 1) : 0;
  } finally {
    provider.destroy();
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`keeper: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
