/**
 * The keeper against a real JSON-RPC node, all in separate processes:
 *   a `hardhat node` on a free loopback port (hardhat-deploy deploys the suite into a temporary deployments folder),
 *   keeper processes (`scripts/keeper/main.ts`) started, killed and restarted, and this test as a plain JSON-RPC client
 *   that mints, moves the BTC price and reads the chain. The in-process Hardhat network is not used at all.
 */
import { underCoverage } from "../helpers/coverage";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type Interface, JsonRpcProvider, Network, type JsonRpcSigner } from "ethers";
import { MockUSDC__factory, MockV3Aggregator__factory, type MockV3Aggregator } from "../../typechain-types";
import {
  Action,
  PRODUCT_SYMBOLS,
  actionName,
  formatAmount,
  connectRebalancer,
  connectToken,
  productInfo,
  toAction,
  type ILeveragedToken,
  type IRebalancer,
} from "../../protocol";
import { loadDeployments, requireDeployment, type DeploymentSet } from "../../scripts/lib/deployments";
import { usdc } from "../../config/parameters";
import { HARDHAT_CLI, freePort, launch, sleep, started, stopAll, type Proc } from "../helpers/processes";

const ALL_PRODUCTS = PRODUCT_SYMBOLS;
const BTC_PRODUCTS = PRODUCT_SYMBOLS.filter((s) => productInfo(s).market === "BTC");
/** "Within a few blocks": every tx is its own block on an automining node, so 4 due products need at least 4. */
const FEW_BLOCKS = 8;
/**
 * How long a due state may take to be served, wall clock. Generous: it only bounds a failing run, and CI shares two
 * cores with a Hardhat node, two keepers and this test; the bounds below were 15–30 s.
 */
const SERVE_TIMEOUT_MS = 60_000;

describe("keeper against a real node (integration)", function () {
  this.timeout(300_000);

  let tmp: string;
  let url: string;
  let node: Proc;
  let provider: JsonRpcProvider;
  let deployments: DeploymentSet;
  let rebalancer: IRebalancer;
  let feed: MockV3Aggregator;
  let products: Record<string, ILeveragedToken>;
  let deployer: JsonRpcSigner;
  let rebalancerAddress: string;
  const symbolOf = new Map<string, string>();
  const keeperAddress: Record<number, string> = {};
  let rebalancerIface: Interface;

  function startKeeper(name: string, account: number): Proc {
    return launch(
      name,
      [
        "-r",
        "ts-node/register/transpile-only",
        "scripts/keeper/main.ts",
        "--network",
        "localhost",
        "--rpc",
        url,
        "--deployments",
        join(tmp, "localhost"),
        "--interval",
        "150",
        "--account",
        String(account),
        "--backoff",
        "100",
        "--json",
      ],
      { BALLAST_RPC_URL: undefined, BALLAST_KEEPER_KEY: undefined, TS_NODE_TRANSPILE_ONLY: "true" },
    );
  }

  async function waitStarted(keeper: Proc): Promise<void> {
    await keeper.waitFor((l) => l.includes('"event":"start"'), SERVE_TIMEOUT_MS);
  }

  /** Moves BTC by `pct` percent; returns the update's block and which products it made due (read at that block). */
  async function movePrice(pct: bigint): Promise<{ block: number; due: Map<string, Action> }> {
    const before = await feed.latestAnswer();
    const receipt = await (await feed.connect(deployer).updateAnswer((before * (100n + pct)) / 100n)).wait();
    const block = receipt?.blockNumber ?? 0;
    const due = new Map<string, Action>();
    for (const s of ALL_PRODUCTS) {
      const action = toAction(await rebalancer.shouldRebalance(await products[s].getAddress(), { blockTag: block }));
      if (action !== Action.NONE) due.set(s, action);
    }
    return { block, due };
  }

  interface Executed {
    symbol: string;
    action: number;
    keeper: string;
    block: number;
  }

  async function executedSince(fromBlock: number): Promise<Executed[]> {
    const logs = await rebalancer.queryFilter(rebalancer.filters.RebalanceExecuted(), fromBlock + 1, "latest");
    return logs.map((l) => ({
      symbol: symbolOf.get(l.args.token.toLowerCase()) ?? l.args.token,
      action: Number(l.args.action),
      keeper: l.args.keeper,
      block: l.blockNumber,
    }));
  }

  /** Waits until every due product has been served and nothing is due any more. */
  async function waitServed(fromBlock: number, due: Map<string, number>, timeoutMs: number): Promise<Executed[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const executed = await executedSince(fromBlock);
      const served = [...due.keys()].every((s) => executed.some((e) => e.symbol === s));
      let nothingDue = true;
      for (const s of ALL_PRODUCTS) {
        if (Number(await rebalancer.shouldRebalance(await products[s].getAddress())) !== Action.NONE)
          nothingDue = false;
      }
      if (served && nothingDue) return executed;
      if (Date.now() > deadline) {
        throw new Error(
          `not served within ${timeoutMs} ms: due ${[...due.keys()].join(",")}, executed ${JSON.stringify(executed)}`,
        );
      }
      await sleep(150);
    }
  }

  /** Every transaction any keeper sent to the Rebalancer after `fromBlock`, reverted ones included. */
  async function keeperTxs(
    fromBlock: number,
  ): Promise<Array<{ from: string; symbol: string; method: string; ok: boolean }>> {
    const latest = await provider.getBlockNumber();
    const out: Array<{ from: string; symbol: string; method: string; ok: boolean }> = [];
    for (let n = fromBlock + 1; n <= latest; n++) {
      const block = await provider.getBlock(n, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (tx.to?.toLowerCase() !== rebalancerAddress.toLowerCase()) continue;
        const parsed = rebalancerIface.parseTransaction({ data: tx.data });
        const receipt = await provider.getTransactionReceipt(tx.hash);
        out.push({
          from: tx.from,
          symbol: symbolOf.get(String(parsed?.args[0]).toLowerCase()) ?? "?",
          method: parsed?.name ?? "?",
          ok: receipt?.status === 1,
        });
      }
    }
    return out;
  }

  /** Exactly one successful action per due product, in a few blocks, and no keeper sent twice for one due state. */
  async function expectServedOnce(
    move: { block: number; due: Map<string, number> },
    keepers: string[],
  ): Promise<Executed[]> {
    expect(move.due.size, "the move makes products due").to.be.greaterThan(0);
    const executed = await waitServed(move.block, move.due, SERVE_TIMEOUT_MS);
    for (const [symbol, action] of move.due) {
      const mine = executed.filter((e) => e.symbol === symbol);
      expect(mine, `${symbol} served exactly once`).to.have.length(1);
      expect(mine[0].action, `${symbol} action`).to.equal(action);
      expect(mine[0].block - move.block, `${symbol} within a few blocks`).to.be.at.most(FEW_BLOCKS);
      expect(keepers.map((k) => k.toLowerCase())).to.include(mine[0].keeper.toLowerCase());
    }
    expect(
      executed.filter((e) => !move.due.has(e.symbol)),
      "nothing else was touched",
    ).to.have.length(0);
    const txs = await keeperTxs(move.block);
    for (const k of keepers) {
      for (const symbol of move.due.keys()) {
        const sent = txs.filter((t) => t.from.toLowerCase() === k.toLowerCase() && t.symbol === symbol);
        expect(sent.length, `${k} sent at most one tx for ${symbol}'s due state`).to.be.at.most(1);
      }
    }
    return executed;
  }

  function summaryOf(keeper: Proc): Record<string, unknown> {
    const summary = keeper.events().find((e) => e.event === "summary");
    expect(summary, `${keeper.name} printed a summary`).to.not.equal(undefined);
    return summary ?? {};
  }

  before(async function () {
    if (underCoverage()) this.skip(); // a child `hardhat node` (see helpers/coverage.ts)
    tmp = mkdtempSync(join(tmpdir(), "ballast-keeper-it-"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // hardhat-deploy's node task deploys everything; BALLAST_DEPLOYMENTS_DIR keeps its files out of ./deployments.
    node = launch("hardhat node", [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      BALLAST_DEPLOYMENTS_DIR: tmp,
    });
    await node.waitFor((l) => l.includes("Started HTTP and WebSocket JSON-RPC server"), 90_000);

    const network = Network.from(31337n);
    provider = new JsonRpcProvider(url, network, { staticNetwork: network, pollingInterval: 100 });
    deployments = loadDeployments(join(tmp, "localhost"));
    const at = (name: string): string => requireDeployment(deployments, name).address;
    rebalancer = connectRebalancer(at("Rebalancer"), provider);
    rebalancerAddress = await rebalancer.getAddress();
    rebalancerIface = rebalancer.interface;
    feed = MockV3Aggregator__factory.connect(at("BTCUSDFeed"), provider);
    products = {};
    for (const s of ALL_PRODUCTS) {
      products[s] = connectToken(at(s), provider);
      symbolOf.set((await products[s].getAddress()).toLowerCase(), s);
    }
    deployer = await provider.getSigner(0);
    keeperAddress[1] = await (await provider.getSigner(1)).getAddress();
    keeperAddress[5] = await (await provider.getSigner(5)).getAddress();

    // A holder (account #6) mints the four BTC products over RPC.
    const holder = await provider.getSigner(6);
    const stable = MockUSDC__factory.connect(at("USDC"), provider);
    const deposit = usdc(10_000);
    await (await stable.connect(deployer).mint(await holder.getAddress(), deposit * 4n)).wait();
    for (const s of BTC_PRODUCTS) {
      const token = products[s];
      await (await stable.connect(holder).approve(await token.getAddress(), deposit)).wait();
      await (await token.connect(holder).mint(deposit, 0n, await holder.getAddress())).wait();
      expect(await token.balanceOf(await holder.getAddress())).to.be.greaterThan(0n);
    }
  });

  after(async function () {
    await stopAll();
    provider?.destroy();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("ballast:status reads the spawned node through the Hardhat task", async function () {
    const status = launch("ballast:status", [HARDHAT_CLI, "ballast:status", "--network", "localhost", "--json"], {
      BALLAST_RPC_URL: url,
      BALLAST_DEPLOYMENTS_DIR: tmp,
    });
    const { code } = await status.exited;
    expect(code, status.stderr).to.equal(0);
    const report = JSON.parse(status.lines.join("\n")) as {
      chainId: string;
      products: Array<{ product: string; due: string; totalSupply: string }>;
    };
    expect(report.chainId).to.equal("31337");
    expect(report.products.map((p) => p.product)).to.deep.equal([...ALL_PRODUCTS]);
    for (const p of report.products) {
      expect(p.due).to.equal("NONE");
      expect(BigInt(p.totalSupply) > 0n).to.equal((BTC_PRODUCTS as readonly string[]).includes(p.product));
    }
  });

  it("rebalances every product a price move makes due, within a few blocks", async function () {
    const keeper = startKeeper("keeper #1", 1);
    await waitStarted(keeper);
    // −16%: both BTC longs pass their band tops (3x to 4.85x, 2x to 2.47x); the shorts' leverage falls, still inside
    // their low bottoms (methodology v2).
    const move = await movePrice(-16n);
    expect([...move.due.keys()].sort()).to.deep.equal(["BTC2L", "BTC3L"]);
    const executed = await expectServedOnce(move, [keeperAddress[1]]);
    expect(executed.every((e) => e.keeper === keeperAddress[1])).to.equal(true);
  });

  it("killed mid-run and restarted: nothing missed, nothing sent twice", async function () {
    const first = started.find((p) => p.name === "keeper #1");
    expect(first?.alive).to.equal(true);
    const from = first?.lines.length ?? 0;
    // +40%: BTC3S (1.70x after the fall) passes its 6.03x ripcord, BTC2S its 2.8x band top.
    const move = await movePrice(40n);
    expect([...move.due.values()]).to.include(3);
    // Crash it (SIGKILL, no chance to clean up) right after its first send for this move.
    await first?.waitFor((l) => l.includes('"event":"sent"'), SERVE_TIMEOUT_MS, from);
    first?.signal("SIGKILL");
    await first?.exited;

    const restarted = startKeeper("keeper #1 (restarted)", 1);
    await waitStarted(restarted);
    await expectServedOnce(move, [keeperAddress[1]]);
    const txs = await keeperTxs(move.block);
    expect(
      txs.every((t) => t.ok),
      "no reverted duplicate",
    ).to.equal(true);
    expect(txs).to.have.length(move.due.size);
    const beforeKill = first?.lines.slice(from).filter((l) => l.includes('"event":"sent"')).length ?? 0;
    const afterRestart = restarted.events().filter((e) => e.event === "sent").length;
    console.log(`      (due ${move.due.size}: sent ${beforeKill} before the kill, ${afterRestart} after the restart)`);
  });

  it("two keepers racing on the same node: each due state served once, both stay healthy", async function () {
    const a = started.find((p) => p.name === "keeper #1 (restarted)");
    expect(a?.alive).to.equal(true);
    const b = startKeeper("keeper #5", 5);
    await waitStarted(b);
    // Each move makes something due under v2's bands: +12% the shorts, −44% the 3x long (about 1.74x after the rises,
    // to about 4.2x; the shorts' leverage falls towards their bottoms, a tenth of target, and stays inside), −15% the
    // longs again.
    for (const pct of [12n, -44n, -15n]) {
      const move = await movePrice(pct);
      await expectServedOnce(move, [keeperAddress[1], keeperAddress[5]]);
      await sleep(400); // let both keepers see the final state before the next move
    }
    expect(a?.alive && b.alive, "both keepers still running").to.equal(true);

    for (const k of [a, b]) k?.signal("SIGTERM");
    const [ea, eb] = await Promise.all([a?.exited, b.exited]);
    expect(ea?.code, a?.stderr).to.equal(0);
    expect(eb.code, b.stderr).to.equal(0);
    for (const k of [a, b]) {
      if (!k) continue;
      const s = summaryOf(k);
      console.log(
        `      (${k.name}: sent ${String(s.sent)}, confirmed ${String(s.confirmed)}, lost races ${String(s.alreadyHandled)}, skipped ${String(s.skipped)})`,
      );
      const errors = k.events().filter((e) => e.event === "error");
      expect(s.errors, `${k.name} errors: ${JSON.stringify(errors)}`).to.equal(0);
      expect(s.reason).to.equal("SIGTERM");
      expect(k.events().some((e) => e.event === "fatal")).to.equal(false);
    }
  });

  function startOnce(name: string, extra: string[] = []): Proc {
    return launch(
      name,
      [
        "-r",
        "ts-node/register/transpile-only",
        "scripts/keeper/main.ts",
        "--once",
        "--rpc",
        url,
        "--deployments",
        join(tmp, "localhost"),
        ...extra,
      ],
      { BALLAST_RPC_URL: undefined, BALLAST_KEEPER_KEY: undefined },
    );
  }

  it("readable by default: one line per rebalance with the chain's leverage before → after, bounty and tx", async function () {
    const move = await movePrice(-12n); // BTC3L, back at 3x after the −15%, passes its band top (about 4.1x)
    expect(move.due.size).to.be.greaterThan(0);
    const once = startOnce("keeper --once (readable)");
    const { code } = await once.exited;
    expect(code, once.stderr + once.lines.join("\n")).to.equal(0);
    expect(
      once.lines.some((l) => l.startsWith("{")),
      "no JSON without --json",
    ).to.equal(false);
    const logs = await rebalancer.queryFilter(rebalancer.filters.RebalanceExecuted(), move.block + 1, "latest");
    expect(logs.length).to.be.at.least(move.due.size);
    for (const l of logs) {
      const symbol = symbolOf.get(l.args.token.toLowerCase()) ?? "?";
      const expected =
        `${symbol} ${actionName(toAction(l.args.action))} confirmed: ` +
        `leverage ${formatAmount(l.args.leverageBefore, 18, 2)}× → ${formatAmount(l.args.leverageAfter, 18, 2)}×, ` +
        `bounty ${formatAmount(l.args.bounty, 6, 2)} USDC, gas `;
      const line = once.lines.find((x) => x.includes(expected) && x.endsWith(`tx ${l.transactionHash}`));
      expect(line, `a line "${expected}… tx ${l.transactionHash}" in:\n${once.lines.join("\n")}`).to.not.equal(
        undefined,
      );
      console.log(`      (${line})`);
    }
    expect(once.lines.at(-1)).to.match(/summary \(once\): 1 pass, sent \d+, confirmed \d+, .* errors 0/);
  });

  it("--once with nothing due makes one pass, prints the idle line (block and gas balance as on chain), exits 0", async function () {
    const once = startOnce("keeper --once");
    const { code } = await once.exited;
    expect(code, once.stderr).to.equal(0);
    const block = await provider.getBlockNumber();
    const balance = await provider.getBalance(keeperAddress[1]);
    const idle = `idle: 8 products checked, none due, block ${block}, keeper balance ${formatAmount(balance, 18, 4)} ETH`;
    expect(
      once.lines.some((l) => l.endsWith(idle)),
      `"${idle}" in:\n${once.lines.join("\n")}`,
    ).to.equal(true);
    console.log(`      (${once.lines.find((l) => l.endsWith(idle))})`);
    expect(once.lines.at(-1)).to.match(/summary \(once\): 1 pass, sent 0, confirmed 0, .* errors 0/);

    const json = startOnce("keeper --once --json", ["--json"]);
    expect((await json.exited).code, json.stderr).to.equal(0);
    const s = summaryOf(json);
    expect(s.passes).to.equal(1);
    expect(s.sent).to.equal(0);
    const beat = json.events().find((e) => e.event === "heartbeat");
    expect(beat).to.deep.include({ block, products: 8, due: 0, balance: balance.toString() });
  });

  it("--once against an unreachable node retries with backoff, then exits 1", async function () {
    const deadPort = await freePort();
    const once = launch(
      "keeper --once (no node)",
      [
        "-r",
        "ts-node/register/transpile-only",
        "scripts/keeper/main.ts",
        "--once",
        "--rpc",
        `http://127.0.0.1:${deadPort}`,
        "--deployments",
        join(tmp, "localhost"),
        "--retries",
        "2",
        "--backoff",
        "50",
        "--json",
      ],
      { BALLAST_RPC_URL: undefined, BALLAST_KEEPER_KEY: undefined },
    );
    const { code } = await once.exited;
    expect(code, once.stderr).to.equal(1);
    expect(once.events().filter((e) => e.event === "retry")).to.have.length(2);
    expect(once.events().some((e) => e.event === "fatal")).to.equal(true);
  });
});
