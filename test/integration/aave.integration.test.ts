/**
 * The Aave products through the operator's own tools, against a real JSON-RPC node, all in separate processes: a
 * `hardhat node` with the real-venue market (BALLAST_REAL_VENUES=1, as `npm run node`: Aave v3, Uniswap v3 and the
 * Aave products), the `ballast:price` task CLI moving both markets (feed and Uniswap pool together), the keeper CLI
 * (`scripts/keeper/main.ts --once`, what `npm run keeper -- --network localhost --once` runs) after every move, and
 * `ballast:status` / `ballast:params` reading the node. This test is a plain JSON-RPC client that mints and reads.
 *
 * The same Rebalancer, keeper and tasks serve the perp and the Aave products: nothing here names a venue kind but the
 * checks of what the Aave venue itself reports (its health factor, its reserves' rates).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Network, formatUnits } from "ethers";
import {
  AaveVenue__factory,
  IAaveV3Pool__factory,
  MockUSDC__factory,
  MockV3Aggregator__factory,
} from "../../typechain-types";
import {
  AAVE_PRODUCT_SYMBOLS,
  Action,
  actionName,
  connectRebalancer,
  connectToken,
  formatAmount,
  toAction,
  type IRebalancer,
} from "../../protocol";
import { loadDeployments, requireDeployment, type DeploymentSet } from "../../scripts/lib/deployments";
import { fmtPct, fmtWad } from "../../scripts/lib/format";
import { usdc } from "../../config/parameters";
import { underCoverage } from "../helpers/coverage";
import { HARDHAT_CLI, freePort, launch, stopAll, type Proc } from "../helpers/processes";

const WAD = 10n ** 18n;
/** Few, sizeable steps: each long crosses its band top on the way down, each short its band bottom and top. */
const STEPS = ["-4", "-4", "-4", "+4", "+4", "+4"];
const MARKETS = ["BTC", "ETH"] as const;

describe("Aave products through ballast:price, the keeper CLI and ballast:status (integration)", function () {
  this.timeout(900_000);

  let tmp: string;
  let url: string;
  let provider: JsonRpcProvider;
  let deployments: DeploymentSet;
  let rebalancer: IRebalancer;
  const mine: Proc[] = [];
  const address = (name: string): string => requireDeployment(deployments, name).address;
  const venueOf = async (symbol: string) =>
    AaveVenue__factory.connect(await connectToken(address(symbol), provider).venue(), provider);

  /** A Hardhat task CLI against the node: its exit code and output. */
  async function runTask(args: string[]): Promise<{ code: number | null; lines: string[]; stderr: string }> {
    const p = launch(`hardhat ${args[0]}`, [HARDHAT_CLI, ...args, "--network", "localhost"], {
      BALLAST_RPC_URL: url,
      BALLAST_DEPLOYMENTS_DIR: tmp,
      BALLAST_REAL_VENUES: "1",
    });
    mine.push(p);
    const { code } = await p.exited;
    return { code, lines: p.lines, stderr: p.stderr };
  }

  /** A Hardhat task CLI that must succeed; resolves with its output. */
  async function task(args: string[]): Promise<string[]> {
    const r = await runTask(args);
    expect(r.code, `${args.join(" ")}: ${r.stderr}\n${r.lines.join("\n")}`).to.equal(0);
    return r.lines;
  }

  /**
   * `ballast:price --market BTC,ETH --move <step>`. Should the connection to the node drop under a loaded machine
   * ("other side closed": the node closed an idle keep-alive socket), each market is set to the step's target with
   * `--set`, which is idempotent (feed and pool to that price), so a half-done move is completed, never doubled.
   */
  async function moveMarkets(step: string): Promise<string[]> {
    const targets = new Map<string, bigint>();
    for (const market of MARKETS) {
      const feed = MockV3Aggregator__factory.connect(address(`${market}USDFeed`), provider);
      const before = await feed.latestAnswer();
      targets.set(market, (before * (100n + BigInt(step))) / 100n);
    }
    const first = await runTask(["ballast:price", "--market", MARKETS.join(","), "--move", step]);
    if (first.code === 0) return first.lines;
    const output = `${first.stderr}\n${first.lines.join("\n")}`;
    expect(output, "only a dropped connection is retried").to.match(/other side closed|socket|ECONNRESET/i);
    console.log(`      (ballast:price lost its connection: ${output.trim().split("\n")[0]}; setting the targets)`);
    const lines: string[] = [];
    for (const [market, target] of targets) {
      lines.push(...(await task(["ballast:price", "--market", market, "--set", formatUnits(target, 8)])));
    }
    return lines;
  }

  /** One keeper pass, as `npm run keeper -- --network localhost --once` runs it, against this node's deployments. */
  async function keeperOnce(): Promise<string[]> {
    const p = launch(
      "keeper --once",
      [
        "-r",
        "ts-node/register/transpile-only",
        "scripts/keeper/main.ts",
        "--network",
        "localhost",
        "--once",
        "--rpc",
        url,
        "--deployments",
        join(tmp, "localhost"),
      ],
      { BALLAST_RPC_URL: undefined, BALLAST_KEEPER_KEY: undefined, TS_NODE_TRANSPILE_ONLY: "true" },
    );
    mine.push(p);
    const { code } = await p.exited;
    expect(code, `keeper --once: ${p.stderr}\n${p.lines.join("\n")}`).to.equal(0);
    return p.lines;
  }

  before(async function () {
    if (underCoverage()) this.skip(); // a child `hardhat node` (see helpers/coverage.ts)
    tmp = mkdtempSync(join(tmpdir(), "ballast-aave-it-"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const started = Date.now();
    const node = launch("hardhat node", [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      BALLAST_DEPLOYMENTS_DIR: tmp,
      BALLAST_REAL_VENUES: "1",
    });
    mine.push(node);
    await node.waitFor((l) => l.includes("Started HTTP and WebSocket JSON-RPC server"), 600_000);
    console.log(`      (node with real venues up in ${((Date.now() - started) / 1000).toFixed(1)} s)`);

    const network = Network.from(31337n);
    provider = new JsonRpcProvider(url, network, { staticNetwork: network, pollingInterval: 100 });
    deployments = loadDeployments(join(tmp, "localhost"));
    rebalancer = connectRebalancer(address("Rebalancer"), provider);

    // A holder (account #6) mints each Aave product over RPC.
    const deployer = await provider.getSigner(0);
    const holder = await provider.getSigner(6);
    const stable = MockUSDC__factory.connect(address("USDC"), provider);
    const deposit = usdc(10_000);
    await (
      await stable.connect(deployer).mint(await holder.getAddress(), deposit * BigInt(AAVE_PRODUCT_SYMBOLS.length))
    ).wait();
    for (const s of AAVE_PRODUCT_SYMBOLS) {
      const token = connectToken(address(s), holder);
      await (await stable.connect(holder).approve(address(s), deposit)).wait();
      await (await token.mint(deposit, 0n, await holder.getAddress())).wait();
      expect(await token.balanceOf(await holder.getAddress()), s).to.be.greaterThan(0n);
    }
  });

  after(async function () {
    await stopAll(mine);
    provider?.destroy();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("moves both markets in ±4% steps with ballast:price; after each keeper pass every Aave product is healthy and in its band", async function () {
    const rebalanced = new Map<string, number>(AAVE_PRODUCT_SYMBOLS.map((s) => [s, 0]));
    for (const step of STEPS) {
      const printed = await moveMarkets(step);
      // Feed and pool moved together: the pool line is there, and the Aave venues accept the trades that follow.
      for (const market of MARKETS) {
        const feed = MockV3Aggregator__factory.connect(address(`${market}USDFeed`), provider);
        const answer = await feed.latestAnswer();
        expect(
          printed.some(
            (l) =>
              l.startsWith(`${market}/USD `) &&
              l.includes(`-> $${formatAmount(answer, 8, 2)}`) &&
              l.includes(`; UniswapV3Pool_`),
          ),
          printed.join("\n"),
        ).to.equal(true);
      }
      const due = new Map<string, Action>();
      for (const s of AAVE_PRODUCT_SYMBOLS) {
        const action = toAction(await rebalancer.shouldRebalance(address(s)));
        if (action !== Action.NONE) due.set(s, action);
      }
      const from = await provider.getBlockNumber();
      const lines = await keeperOnce();
      const executed = await rebalancer.queryFilter(rebalancer.filters.RebalanceExecuted(), from + 1, "latest");
      const summary: string[] = [];
      for (const s of AAVE_PRODUCT_SYMBOLS) {
        const token = connectToken(address(s), provider);
        const venue = await venueOf(s);
        const [methodology, leverage, hf, action] = await Promise.all([
          rebalancer.methodology(address(s)),
          token.currentLeverage(),
          venue.healthFactor(address(s)),
          rebalancer.shouldRebalance(address(s)),
        ]);
        const served = executed.filter((e) => e.args.token === address(s));
        if (due.has(s)) {
          expect(served, `${s} was due ${actionName(due.get(s)!)} and the keeper served it`).to.have.length(1);
          expect(
            lines.some((l) => l.includes(`${s} ${actionName(due.get(s)!)} confirmed`)),
            lines.join("\n"),
          ).to.equal(true);
        }
        rebalanced.set(s, (rebalanced.get(s) ?? 0) + served.length);
        expect(hf, `${s} health factor`).to.be.greaterThan(WAD);
        expect(leverage, `${s} leverage above its band bottom`).to.be.at.least(methodology.minLeverage);
        expect(leverage, `${s} leverage below its band top`).to.be.at.most(methodology.maxLeverage);
        expect(toAction(action), `${s} nothing left due`).to.equal(Action.NONE);
        summary.push(`${s} ${fmtWad(leverage, 2)}x hf ${fmtWad(hf, 2)}${served.length ? " (rebalanced)" : ""}`);
      }
      console.log(`      (${step}%: ${summary.join(", ")})`);
    }
    for (const [s, n] of rebalanced) expect(n, `${s} was rebalanced by the keeper at least once`).to.be.greaterThan(0);
  });

  it("ballast:status shows each Aave product's health factor and borrow rate as the chain has them; ballast:params its venue", async function () {
    const [status, params] = await Promise.all([task(["ballast:status"]), task(["ballast:params"])]);
    const text = status.join("\n");
    for (const s of AAVE_PRODUCT_SYMBOLS) {
      const venue = await venueOf(s);
      const pool = IAaveV3Pool__factory.connect(await venue.AAVE_POOL(), provider);
      // A long supplies the base asset and borrows USDC (the venue's collateral token); a short the other way round.
      const [isLong, base, usdcToken] = await Promise.all([venue.IS_LONG(), venue.BASE(), venue.collateral()]);
      const [hf, debt, supplied] = await Promise.all([
        venue.healthFactor(address(s)),
        pool.getReserveData(isLong ? usdcToken : base),
        pool.getReserveData(isLong ? base : usdcToken),
      ]);
      const expected =
        `health ${fmtWad(hf, 2)}, borrow/yr ${fmtPct(debt.currentVariableBorrowRate / 10n ** 9n, 4)}, ` +
        `supply/yr ${fmtPct(supplied.currentLiquidityRate / 10n ** 9n, 4)}`;
      const row = status.find((l) => l.startsWith(`${s} `) && l.includes(" aave "));
      expect(row, `a row for ${s} in:\n${text}`).to.not.equal(undefined);
      expect(row).to.contain(expected);
      expect(hf).to.be.greaterThan(WAD);
      expect(debt.currentVariableBorrowRate, `${s} pays interest on its debt`).to.be.greaterThan(0n);
      console.log(`      (${row?.replace(/\s+/g, " ")})`);
    }
    // Each Aave venue, with the collateral reserve's limits as its configuration bitmap has them.
    expect(params.join("\n")).to.contain("Venues: aave");
    for (const name of ["ETHAaveLongVenue", "ETHAaveShortVenue", "BTCAaveLongVenue"]) {
      const venue = AaveVenue__factory.connect(address(name), provider);
      const pool = IAaveV3Pool__factory.connect(await venue.AAVE_POOL(), provider);
      const isLong = await venue.IS_LONG();
      const configuration = await pool.getConfiguration(isLong ? await venue.BASE() : await venue.collateral());
      const ltv = (configuration & 0xffffn) * 10n ** 14n;
      const row = params.find((l) => l.includes(` ${name} `));
      expect(row, `${name} in:\n${params.join("\n")}`).to.not.equal(undefined);
      expect(row).to.contain(` ${fmtPct(ltv)} `);
      expect(row).to.contain(` ${fmtPct(await venue.MAX_SLIPPAGE())} `);
    }
  });
});
