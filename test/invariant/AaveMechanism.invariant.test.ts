/**
 * Issue 14, item 6: the mechanism's invariants on the Aave v3 + Uniswap v3 venue (contracts/venues/aave/AaveVenue.sol),
 * against the REAL contracts (scripts/market/realVenues.ts: Aave v3 and Uniswap v3 from their npm bytecode). AMM fills
 * and Aave interest cannot be modelled to the wei, so unlike test/invariant/Mechanism.invariant.test.ts there is no
 * reference model: fast-check drives random sequences of commands (mint incl. dust and up to 200k USDC, redeem part /
 * all / dust, share transfer, USDC donation, a same-block round trip, price move within the envelope with the keeper
 * acting after it (or, one time in four, missing it: the next move is then clamped to the smaller envelope left), time passing with interest, keeper via rebalance/ripcord or Chainlink's performUpkeep, a third-party
 * Aave borrow raising the borrow rate) against AaveETH3L and AaveETH2S (FUZZ_PRODUCTS to change), and checks the
 * invariants that need no exact model:
 *
 *   (1) ERC-20 sums: holders + treasury + dead shares = totalSupply                          (after every command)
 *   (2) solvency: equity > 0, Aave health factor > 1, liquidationCount 0                     (after every command)
 *   (3) previews never favour the user, in the same block: minted >= previewMint, paid >= previewRedeem; a preview of 0
 *       means the call reverts (mint) or pays 0 (redeem)                                      (every mint and redeem)
 *   (4) the others are never diluted: NAV per share before (pending block) and after (that block) a mint, redeem,
 *       transfer, donation or round trip by one holder, within 1e-9 relative                 (those commands)
 *   (5) no free round trip: mint then redeem exactly the minted shares in one block returns < the deposit
 *   (6) leverage within [min, max] after a due rebalance completes (the keeper has nothing more to do)
 *   (7) collateral never stuck: at the end of every sequence every holder redeems everything in one block (each paid
 *       >= its preview); the supply is back to the dead shares; the product's Aave account holds (almost) nothing
 *
 * Block timestamps come from the chain only: every transaction is mined at the latest block's time + 1 s unless a
 * command set the next timestamp explicitly (`installChainClock`), so a run does not depend on the wall clock.
 * CI: FUZZ_RUNS (default 8) sequences of FUZZ_LEN (default 15) commands from the fixed seed CI_SEED (FUZZ_SEED to
 * change, FUZZ_PATH to replay a counterexample, FUZZ_NO_SHRINK=1 to stop at the first failure).
 */
import { expect } from "chai";
import { deployments, ethers, network } from "hardhat";
import fc from "fast-check";
import { takeSnapshot, time, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Interface, MaxUint256, type Contract, type ContractTransactionResponse, type ErrorFragment } from "ethers";
import { productDefaults, type MarketSymbol } from "../../config/parameters";
import { aaveLiquidationLeverage, moveToLeverage } from "../../config/aaveProducts";
import type { AaveProductSymbol } from "../../protocol/products";
import { aaveArtifact } from "../../scripts/market/artifacts";
import type { LeveragedToken } from "../../typechain-types";
import { Action, keeperAct, wadToNumber } from "../helpers/keeper";
import {
  ONE_USDC,
  WAD,
  deployAaveSuite,
  marketOf,
  moveMarket,
  moveMarketBy,
  rearbitrage,
  type AaveSuite,
} from "../helpers/aave";

const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const LEN = Number(process.env.FUZZ_LEN ?? 15);
const CI_SEED = 20261414;
const SEED = Number(process.env.FUZZ_SEED ?? CI_SEED);
const SYMS = (process.env.FUZZ_PRODUCTS?.split(",") ?? ["AaveETH3L", "AaveETH2S"]) as AaveProductSymbol[];
const ALL: AaveProductSymbol[] = ["AaveETH2L", "AaveETH3L", "AaveBTC2L", "AaveETH2S"];
const MARKETS = [...new Set(SYMS.map(marketOf))];
const USERS = 3;
const DEAD_ADDRESS = "0x000000000000000000000000000000000000dEaD";
/** (4): the others' NAV per share may fall by at most this fraction (Aave's ray rounding, a second of interest). */
const DILUTION_TOLERANCE = 10n ** 9n; // NAV / 1e9
/** A move is kept within this fraction of the envelope (the move that takes a product to Aave's liquidation). */
const ENVELOPE_SHARE = 0.8;
const GAS = 5_000_000n;
const MINUTE = 60;
const DAY = 86_400;

// ------------------------------------------------------------------------------------------------------------------
// Chain clock: every transaction at the latest block's time + 1 s unless set explicitly
// ------------------------------------------------------------------------------------------------------------------

const clock = { auto: true };

type RpcArgs = { method: string; params?: unknown[] };
interface PatchableProvider {
  send(method: string, params?: unknown[]): Promise<unknown>;
  request(args: RpcArgs): Promise<unknown>;
}

/**
 * Hardhat mines an automined block at the wall-clock time (plus the offset of earlier time jumps). The market mover
 * and the keeper helper send their own transactions, so the clock is set here for all of them: a transaction with no
 * explicit next timestamp is mined at latest + 1. Returns the uninstaller.
 */
function installChainClock(): () => void {
  const provider = network.provider as unknown as PatchableProvider;
  const send = provider.send.bind(provider);
  const request = provider.request.bind(provider);
  let explicit = false;
  let inside = false;
  const hook = async (method: string, call: () => Promise<unknown>): Promise<unknown> => {
    if (inside) return call();
    if (method === "evm_setNextBlockTimestamp") explicit = true;
    if (method === "evm_mine" || method === "hardhat_mine" || method === "evm_revert") explicit = false;
    if (method !== "eth_sendTransaction" && method !== "eth_sendRawTransaction") return call();
    if (clock.auto && !explicit) {
      const b = (await request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { timestamp: string };
      await request({ method: "evm_setNextBlockTimestamp", params: [Number(BigInt(b.timestamp)) + 1] });
    }
    if (clock.auto) explicit = false;
    inside = true; // send may delegate to request: the inner call must not set the clock again
    try {
      return await call();
    } finally {
      inside = false;
    }
  };
  provider.send = (method, params) => hook(method, () => send(method, params));
  provider.request = (args) => hook(args.method, () => request(args));
  return () => {
    provider.send = send;
    provider.request = request;
  };
}

/** The next block's timestamp, set from the chain: latest + dt. Views with `{ blockTag: "pending" }` then run in it. */
async function nextBlockAt(dt = 1): Promise<number> {
  const t = (await time.latest()) + dt;
  await time.setNextBlockTimestamp(t);
  return t;
}
const PENDING = { blockTag: "pending" } as const;

// ------------------------------------------------------------------------------------------------------------------
// Context, errors, stats
// ------------------------------------------------------------------------------------------------------------------

interface Ctx {
  suite: AaveSuite;
  holders: HardhatEthersSigner[];
  treasury: HardhatEthersSigner;
  whale: HardhatEthersSigner;
  dataProvider: Contract;
  errors: Interface;
}

type Stats = Record<string, number>;
const totals: Stats = {};
const figures = {
  worstNavDrop: 0, // relative, over (4)
  worstNavDropAt: "",
  bestRoundTrip: 0, // returned / deposited, max over (5)
  maxAccountDustUsd: 0, // (7) Aave collateral + debt left, USD
  maxEquityLeftUsd: 0, // (7) equity left with the dead shares, USD
  minHealthFactor: Infinity,
  minHealthFactorAt: "",
  zeroPreviewMints: [] as string[],
};
const bump = (s: Stats, k: string, n = 1): void => {
  s[k] = (s[k] ?? 0) + n;
};

async function errorInterface(): Promise<Interface> {
  const seen = new Set<string>();
  const fragments: ErrorFragment[] = [];
  for (const n of ["LeveragedToken", "AaveVenue", "Rebalancer", "ChainlinkOracleAdapter", "MockUSDC"]) {
    (await ethers.getContractFactory(n)).interface.forEachError((e) => {
      if (!seen.has(e.selector)) {
        seen.add(e.selector);
        fragments.push(e);
      }
    });
  }
  return new Interface(fragments);
}

function findRevertData(e: unknown, depth = 0): string | undefined {
  if (depth > 6 || e === null || typeof e !== "object") return undefined;
  const rec = e as Record<string, unknown>;
  const d = rec["data"];
  if (typeof d === "string" && /^0x[0-9a-fA-F]{8}/.test(d)) return d;
  for (const k of ["error", "info", "cause", "data", "receipt"]) {
    const found = findRevertData(rec[k], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The custom error's name, `Error(<aave code>)` for Aave's string errors, or a short message. */
function revertName(ctx: Ctx, e: unknown): string {
  const data = findRevertData(e);
  const msg = e instanceof Error ? e.message : String(e);
  if (data === undefined) {
    const m = /reverted with (?:custom error '([A-Za-z0-9_]+)\(|reason string '([^']*)')/.exec(msg);
    return m ? (m[1] ?? `Error(${m[2]})`) : `unknown (${msg.slice(0, 160)})`;
  }
  if (data.startsWith("0x4e487b71")) return "Panic";
  if (data.startsWith("0x08c379a0")) {
    const [reason] = ethers.AbiCoder.defaultAbiCoder().decode(["string"], "0x" + data.slice(10));
    return `Error(${String(reason)})`;
  }
  const parsed = ctx.errors.parseError(data);
  return parsed ? parsed.name : `unknown selector ${data.slice(0, 10)}`;
}

/** Reverts a mint may meet although its preview was positive: the venue's limits, which a view cannot foresee. */
const VENUE_LIMITS = ["OracleDeviation", "InsufficientMargin", "EquityCapExceeded", "VenuePaused"];
const isVenueLimit = (name: string): boolean => VENUE_LIMITS.includes(name) || /^Error\(\d+\)$/.test(name);

async function tx(send: () => Promise<ContractTransactionResponse>) {
  return (await (await send()).wait())!;
}

function eventArgs(token: LeveragedToken, logs: readonly { topics: readonly string[]; data: string }[], name: string) {
  for (const log of logs) {
    try {
      const parsed = token.interface.parseLog(log as { topics: string[]; data: string });
      if (parsed?.name === name) return parsed.args;
    } catch {
      /* another contract's log */
    }
  }
  throw new Error(`no ${name} event`);
}

/** NAV per share at full precision (equity WAD × 1e36 / supply); undefined without supply. */
async function navExact(token: LeveragedToken, pending = false): Promise<bigint | undefined> {
  const o = pending ? PENDING : {};
  const supply = await token.totalSupply(o);
  if (supply === 0n) return undefined;
  return ((await token.totalEquityWad(o)) * WAD * WAD) / supply;
}

/** (4): the NAV per share the others hold did not fall beyond the tolerance; records the worst relative drop. */
function checkNotDiluted(stats: Stats, what: string, before: bigint | undefined, after: bigint | undefined): void {
  if (before === undefined || after === undefined || before === 0n) return;
  if (after < before) {
    const drop = Number(before - after) / Number(before);
    if (drop > figures.worstNavDrop) {
      figures.worstNavDrop = drop;
      figures.worstNavDropAt = what;
    }
  }
  expect(after, `${what}: the others' NAV per share fell (${before} -> ${after})`).to.be.gte(
    before - before / DILUTION_TOLERANCE,
  );
  bump(stats, "(4) others not diluted");
}

// ------------------------------------------------------------------------------------------------------------------
// Invariants after every command
// ------------------------------------------------------------------------------------------------------------------

async function checkAlways(ctx: Ctx, stats: Stats, after: string): Promise<void> {
  const { suite } = ctx;
  for (const sym of SYMS) {
    const token = suite.products[sym];
    const product = await token.getAddress();
    // (1) ERC-20 sums.
    let sum = (await token.balanceOf(DEAD_ADDRESS)) + (await token.balanceOf(ctx.treasury.address));
    for (const h of ctx.holders) sum += await token.balanceOf(h.address);
    const supply = await token.totalSupply();
    expect(sum, `${sym} after ${after}: holders + treasury + dead = totalSupply`).to.equal(supply);
    bump(stats, "(1) ERC-20 sums");
    // (2) Solvency.
    const [size, equity] = await token.positionSnapshot();
    const venue = suite.venues[sym];
    expect(await venue.liquidationCount(product), `${sym} after ${after}: liquidationCount`).to.equal(0n);
    if (supply === 0n) continue;
    expect(equity, `${sym} after ${after}: equity`).to.be.gt(0n);
    expect(await token.totalEquityWad(), `${sym} after ${after}: totalEquityWad`).to.be.gt(0n);
    if (size !== 0n) {
      const hf = await venue.healthFactor(product);
      const x = wadToNumber(hf);
      if (x < figures.minHealthFactor) {
        figures.minHealthFactor = x;
        figures.minHealthFactorAt = `${sym} after ${after}, leverage ${wadToNumber(await token.currentLeverage()).toFixed(3)}`;
      }
      expect(hf, `${sym} after ${after}: health factor`).to.be.gt(WAD);
      expect(await venue.isLiquidatable(product), `${sym} after ${after}: liquidatable`).to.equal(false);
    }
    bump(stats, "(2) solvency");
  }
}

/**
 * The keeper acts on every product of `markets` until nothing is due (rebalance / ripcord by the keeper account), the
 * pool re-arbitraged after each product's trades; (6) for the tracked products that it served.
 */
async function keeperOn(ctx: Ctx, stats: Stats, markets: MarketSymbol[], context: string): Promise<void> {
  for (const sym of ALL) {
    if (!markets.includes(marketOf(sym))) continue;
    const taken = await keeperAct(ctx.suite, ctx.suite.products[sym]);
    if (taken.length === 0) continue;
    await rearbitrage(marketOf(sym));
    for (const a of taken) bump(stats, a === Action.RIPCORD ? "keeper: ripcord" : "keeper: rebalance");
    if (SYMS.includes(sym)) await checkBand(ctx, stats, sym, `${context}, after ${taken.join(",")}`);
  }
}

/** (6) Leverage within [min, max] once the keeper has nothing more to do. */
async function checkBand(ctx: Ctx, stats: Stats, sym: AaveProductSymbol, context: string): Promise<void> {
  const token = ctx.suite.products[sym];
  const product = await token.getAddress();
  expect(await ctx.suite.rebalancer.shouldRebalance(product), `${sym} ${context}: still due`).to.equal(Action.NONE);
  const [size] = await token.positionSnapshot();
  if (size === 0n || (await token.totalSupply()) === 0n) return;
  const m = productDefaults(sym).methodology;
  const lev = await token.currentLeverage();
  const where = `${sym} ${context}: leverage ${wadToNumber(lev).toFixed(4)}`;
  expect(lev, `${where} below band`).to.be.gte(m.minLeverage);
  expect(lev, `${where} above band`).to.be.lte(m.maxLeverage);
  bump(stats, "(6) leverage in band after a due rebalance");
}

// ------------------------------------------------------------------------------------------------------------------
// Commands
// ------------------------------------------------------------------------------------------------------------------

interface Model {
  stats: Stats;
}
interface Real {
  ctx: Ctx;
}

abstract class Cmd implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  abstract run(m: Model, r: Real): Promise<void>;
  abstract toString(): string;
}

const usd = (units: bigint): string => (Number(units) / 1e6).toFixed(6);

class Mint extends Cmd {
  constructor(
    readonly sym: AaveProductSymbol,
    readonly user: number,
    readonly amount: bigint,
  ) {
    super();
  }
  async run(m: Model, { ctx }: Real): Promise<void> {
    const token = ctx.suite.products[this.sym];
    const who = ctx.holders[this.user];
    await nextBlockAt();
    const preview = await token.previewMint(this.amount, PENDING);
    const nav0 = await navExact(token, true);
    let shares: bigint;
    try {
      const receipt = await tx(() => token.connect(who).mint(this.amount, 0n, who.address, { gasLimit: GAS }));
      shares = eventArgs(token, receipt.logs, "Minted").shares as bigint;
    } catch (e) {
      const name = revertName(ctx, e);
      if (preview === 0n) bump(m.stats, `(3) mint reverted ${name}, preview 0`);
      else if (isVenueLimit(name)) bump(m.stats, `mint reverted ${name} (venue limit; preview > 0)`);
      else expect.fail(`${this}: mint reverted ${name} with previewMint ${preview} > 0`);
      return;
    }
    // (3) never favour the user. ILeveragedToken.previewMint is 0 when the mint would revert (checked above). The
    // converse fails for dust (the separate KNOWN FAILURE test below): the venue's quote deducts Aave's rounding
    // slack, which a deposit of a few units does not cover, so the preview is 0 while the better real fill adds
    // equity and the mint succeeds. Each occurrence is recorded and reported.
    if (preview === 0n) {
      const worth = (shares * (await token.totalEquityWad())) / (await token.totalSupply()); // USD WAD
      figures.zeroPreviewMints.push(`${this}: ${shares} shares worth ${(Number(worth) / 1e12).toFixed(3)} units`);
      bump(m.stats, "(3) KNOWN: previewMint 0 yet the mint succeeded (dust)");
    }
    expect(shares, `${this}: minted below previewMint`).to.be.gte(preview);
    bump(m.stats, "(3) minted >= previewMint");
    checkNotDiluted(m.stats, this.toString(), nav0, await navExact(token));
    await rearbitrage(marketOf(this.sym));
  }
  toString(): string {
    return `mint(${this.sym}, user${this.user}, ${usd(this.amount)} USDC)`;
  }
}

/** Redeems `perMille` of the holder's balance, or `dust` shares when given. */
class Redeem extends Cmd {
  constructor(
    readonly sym: AaveProductSymbol,
    readonly user: number,
    readonly perMille: bigint,
    readonly dust?: bigint,
  ) {
    super();
  }
  async run(m: Model, { ctx }: Real): Promise<void> {
    const token = ctx.suite.products[this.sym];
    const who = ctx.holders[this.user];
    const balance = await token.balanceOf(who.address);
    const shares = this.dust ?? (balance * this.perMille) / 1000n;
    if (shares === 0n || shares > balance) {
      bump(m.stats, "redeem skipped (no shares)");
      return;
    }
    await nextBlockAt();
    const preview = await token.previewRedeem(shares, PENDING);
    const nav0 = await navExact(token, true);
    let receipt;
    try {
      receipt = await tx(() => token.connect(who).redeem(shares, 0n, who.address, { gasLimit: GAS }));
    } catch (e) {
      expect.fail(`${this}: redeem of ${shares} shares (preview ${preview}) reverted ${revertName(ctx, e)}`);
    }
    const paid = eventArgs(token, receipt.logs, "Redeemed").collateralOut as bigint;
    // (3) never favour the user; a preview of 0 pays nothing (the redeemer's costs eat its share: dust).
    expect(paid, `${this}: paid below previewRedeem`).to.be.gte(preview);
    if (preview === 0n) {
      expect(paid, `${this}: previewRedeem 0 but paid`).to.equal(0n);
      bump(m.stats, "(3) previewRedeem 0 pays 0");
    }
    bump(m.stats, "(3) paid >= previewRedeem");
    checkNotDiluted(m.stats, this.toString(), nav0, await navExact(token));
    await rearbitrage(marketOf(this.sym));
  }
  toString(): string {
    const what = this.dust !== undefined ? `${this.dust} shares` : `${this.perMille}‰`;
    return `redeem(${this.sym}, user${this.user}, ${what})`;
  }
}

class Transfer extends Cmd {
  constructor(
    readonly sym: AaveProductSymbol,
    readonly from: number,
    readonly to: number,
    readonly perMille: bigint,
  ) {
    super();
  }
  async run(m: Model, { ctx }: Real): Promise<void> {
    const token = ctx.suite.products[this.sym];
    const from = ctx.holders[this.from];
    const amount = ((await token.balanceOf(from.address)) * this.perMille) / 1000n;
    await nextBlockAt();
    const nav0 = await navExact(token, true);
    await tx(() => token.connect(from).transfer(ctx.holders[this.to].address, amount));
    checkNotDiluted(m.stats, this.toString(), nav0, await navExact(token));
  }
  toString(): string {
    return `transfer(${this.sym}, user${this.from} -> user${this.to}, ${this.perMille}‰)`;
  }
}

class Donate extends Cmd {
  constructor(
    readonly sym: AaveProductSymbol,
    readonly user: number,
    readonly amount: bigint,
  ) {
    super();
  }
  async run(m: Model, { ctx }: Real): Promise<void> {
    const token = ctx.suite.products[this.sym];
    await nextBlockAt();
    const nav0 = await navExact(token, true);
    await tx(() => ctx.suite.usdc.connect(ctx.holders[this.user]).transfer(token, this.amount));
    const nav1 = await navExact(token);
    checkNotDiluted(m.stats, this.toString(), nav0, nav1);
    if (nav0 !== undefined && nav1 !== undefined) expect(nav1, `${this}: NAV per share`).to.be.gte(nav0);
  }
  toString(): string {
    return `donate(${this.sym}, user${this.user}, ${usd(this.amount)} USDC)`;
  }
}

/**
 * (5) A holder mints `amount` and redeems exactly the shares it got, in one block (automine off; the redeem's size is
 * read from the pending block, after the mint): it gets back less than it paid, and the others are not diluted.
 */
class RoundTrip extends Cmd {
  constructor(
    readonly sym: AaveProductSymbol,
    readonly user: number,
    readonly amount: bigint,
  ) {
    super();
  }
  async run(m: Model, { ctx }: Real): Promise<void> {
    const token = ctx.suite.products[this.sym];
    const who = ctx.holders[this.user];
    const t = await nextBlockAt();
    const previewShares = await token.previewMint(this.amount, PENDING);
    if (previewShares === 0n) {
      bump(m.stats, "round trip skipped (previewMint 0)");
      return;
    }
    const nav0 = await navExact(token, true);
    const shares0 = await token.balanceOf(who.address);
    const nonce = await who.getNonce();
    clock.auto = false;
    await network.provider.send("evm_setAutomine", [false]);
    let mint: ContractTransactionResponse;
    let redeem: ContractTransactionResponse | undefined;
    let minted: bigint;
    let previewOut = 0n;
    try {
      mint = await token.connect(who).mint(this.amount, 0n, who.address, { nonce, gasLimit: GAS });
      minted = (await token.balanceOf(who.address, PENDING)) - shares0;
      if (minted > 0n) {
        previewOut = await token.previewRedeem(minted, PENDING);
        redeem = await token.connect(who).redeem(minted, 0n, who.address, { nonce: nonce + 1, gasLimit: GAS });
      }
      await network.provider.send("evm_mine", [t]);
    } finally {
      await network.provider.send("evm_setAutomine", [true]);
      clock.auto = true;
    }
    let receipt;
    try {
      await mint.wait();
      receipt = await redeem?.wait();
    } catch (e) {
      const name = revertName(ctx, e);
      if (isVenueLimit(name)) {
        bump(m.stats, `round trip reverted ${name} (venue limit)`);
        await rearbitrage(marketOf(this.sym));
        return;
      }
      expect.fail(`${this}: reverted ${name}`);
    }
    if (receipt === undefined || receipt === null) {
      bump(m.stats, "round trip skipped (mint reverted in the block)");
      return;
    }
    expect(minted, `${this}: minted below previewMint`).to.be.gte(previewShares);
    const back = eventArgs(token, receipt.logs, "Redeemed").collateralOut as bigint;
    expect(back, `${this}: redeem paid below previewRedeem`).to.be.gte(previewOut);
    expect(await token.balanceOf(who.address), `${this}: shares left`).to.equal(shares0);
    expect(back, `${this}: a mint + redeem in one block returned ${back} of ${this.amount}`).to.be.lt(this.amount);
    figures.bestRoundTrip = Math.max(figures.bestRoundTrip, Number(back) / Number(this.amount));
    bump(m.stats, "(5) no free round trip");
    bump(m.stats, "(3) minted >= previewMint");
    bump(m.stats, "(3) paid >= previewRedeem");
    checkNotDiluted(m.stats, this.toString(), nav0, await navExact(token));
    await rearbitrage(marketOf(this.sym));
  }
  toString(): string {
    return `roundTrip(${this.sym}, user${this.user}, ${usd(this.amount)} USDC)`;
  }
}

/**
 * Moves `market` (feed and pool) by `bps`, kept within ENVELOPE_SHARE of every product's envelope on that market
 * (from its current leverage to Aave's liquidation leverage), after `seconds`; then the keeper acts, unless it missed
 * this move (`keeperActs` false: the product stays where the move left it, still inside Aave's envelope).
 */
class PriceMove extends Cmd {
  constructor(
    readonly market: MarketSymbol,
    readonly bps: number,
    readonly seconds: number,
    readonly keeperActs: boolean,
  ) {
    super();
  }
  async run(m: Model, { ctx }: Real): Promise<void> {
    let x = this.bps / 10_000;
    for (const sym of ALL) {
      if (marketOf(sym) !== this.market) continue;
      const token = ctx.suite.products[sym];
      const [size] = await token.positionSnapshot();
      if (size === 0n) continue;
      const p = productDefaults(sym);
      const lev = wadToNumber(await token.currentLeverage());
      const envelope = moveToLeverage(lev, aaveLiquidationLeverage(this.market, p.isLong), p.isLong);
      const limit = envelope * ENVELOPE_SHARE;
      if ((p.isLong && x < limit) || (!p.isLong && x > limit)) {
        x = limit;
        bump(m.stats, "price move clamped to the envelope");
      }
    }
    await nextBlockAt(this.seconds);
    await moveMarketBy(this.market, x);
    for (const other of ["ETH", "BTC"] as MarketSymbol[]) if (other !== this.market) await moveMarket(other, 0); // heartbeat
    bump(m.stats, this.keeperActs ? "price moves" : "price moves, keeper missed (unmonitored)");
    if (this.keeperActs) await keeperOn(ctx, m.stats, ALL.map(marketOf), this.toString());
  }
  toString(): string {
    const keeper = this.keeperActs ? "" : ", keeper missed";
    return `price(${this.market} ${this.bps > 0 ? "+" : ""}${this.bps / 100}%, after ${this.seconds}s${keeper})`;
  }
}

/** Time passes (interest accrues); the feeds re-post their answers (heartbeat); the keeper acts. */
class Wait extends Cmd {
  constructor(readonly seconds: number) {
    super();
  }
  async run(m: Model, { ctx }: Real): Promise<void> {
    await nextBlockAt(this.seconds);
    for (const market of ["ETH", "BTC"] as MarketSymbol[]) await moveMarket(market, 0);
    await keeperOn(ctx, m.stats, ["ETH", "BTC"], this.toString());
  }
  toString(): string {
    return `wait(${this.seconds}s)`;
  }
}

/**
 * The keeper: `act` asks shouldRebalance and calls ripcord or rebalance until nothing is due; `upkeep` is Chainlink
 * Automation's path (checkUpkeep simulated, then performUpkeep by the keeper account) until no upkeep is needed.
 */
class Keeper extends Cmd {
  constructor(readonly mode: "act" | "upkeep") {
    super();
  }
  async run(m: Model, { ctx }: Real): Promise<void> {
    const { suite } = ctx;
    if (this.mode === "act") {
      await keeperOn(ctx, m.stats, ["ETH", "BTC"], "keeper");
      return;
    }
    const rebalancer = suite.rebalancer.connect(suite.keeper);
    const served = new Set<AaveProductSymbol>();
    for (let k = 0; k < 16; k++) {
      const [needed, data] = await rebalancer.checkUpkeep.staticCall("0x");
      if (!needed) break;
      const [due] = ethers.AbiCoder.defaultAbiCoder().decode(["address[]", "uint8[]"], data) as unknown as [string[]];
      for (const s of ALL) if (due.includes(await suite.products[s].getAddress())) served.add(s);
      await tx(() => rebalancer.performUpkeep(data, { gasLimit: 3n * GAS }));
      bump(m.stats, "keeper: performUpkeep");
      for (const market of ["ETH", "BTC"] as MarketSymbol[]) await rearbitrage(market);
    }
    const [needed] = await rebalancer.checkUpkeep.staticCall("0x");
    expect(needed, "upkeep still needed after 16 performUpkeep calls").to.equal(false);
    for (const s of served) if (SYMS.includes(s)) await checkBand(ctx, m.stats, s, "after performUpkeep");
  }
  toString(): string {
    return `keeper(${this.mode})`;
  }
}

/** A third party (WBTC collateral) borrows `asset` up to `utilisationBps` of the reserve: the borrow rate rises. */
class ThirdPartyBorrow extends Cmd {
  constructor(
    readonly asset: "USDC" | "WETH",
    readonly utilisationBps: bigint,
  ) {
    super();
  }
  async run(m: Model, { ctx }: Real): Promise<void> {
    const token = this.asset === "USDC" ? ctx.suite.usdc : ctx.suite.weth;
    const address = await token.getAddress();
    const d = await ctx.dataProvider.getReserveData(address);
    const borrow = (BigInt(d.totalAToken) * this.utilisationBps) / 10_000n - BigInt(d.totalVariableDebt);
    if (borrow <= 0n) {
      bump(m.stats, "third-party borrow skipped (utilisation already above)");
      return;
    }
    await nextBlockAt();
    const pool = ctx.suite.aavePool.connect(ctx.whale) as Contract;
    await (await pool.borrow(address, borrow, 2, 0, ctx.whale.address)).wait();
    bump(m.stats, "third-party borrows");
  }
  toString(): string {
    return `borrow(${this.asset} to ${Number(this.utilisationBps) / 100}% utilisation)`;
  }
}

// ------------------------------------------------------------------------------------------------------------------
// (7) The bank run at the end of every sequence
// ------------------------------------------------------------------------------------------------------------------

/**
 * Every holder (and the treasury, if it holds shares) redeems everything in one block, each paid at least the preview
 * read in the pending block just before its own redeem (after the earlier ones). Then only the dead shares are left,
 * and the product's Aave account holds (almost) nothing: reports the dust.
 */
async function bankRun(ctx: Ctx, stats: Stats): Promise<void> {
  const { suite } = ctx;
  const t = await nextBlockAt();
  const sent: {
    sym: AaveProductSymbol;
    who: string;
    shares: bigint;
    preview: bigint;
    res: ContractTransactionResponse;
  }[] = [];
  clock.auto = false;
  await network.provider.send("evm_setAutomine", [false]);
  try {
    for (const sym of SYMS) {
      const token = suite.products[sym];
      for (const h of [...ctx.holders, ctx.treasury]) {
        const shares = await token.balanceOf(h.address);
        if (shares === 0n) continue;
        const preview = await token.previewRedeem(shares, PENDING);
        const res = await token.connect(h).redeem(shares, 0n, h.address, { gasLimit: GAS });
        sent.push({ sym, who: h.address, shares, preview, res });
      }
    }
    await network.provider.send("evm_mine", [t]);
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
    clock.auto = true;
  }
  for (const s of sent) {
    const token = suite.products[s.sym];
    let receipt;
    try {
      receipt = (await s.res.wait())!;
    } catch (e) {
      expect.fail(
        `bank run: ${s.sym} redeem of ${s.shares} by ${s.who} (preview ${s.preview}) reverted ${revertName(ctx, e)}`,
      );
    }
    const paid = eventArgs(token, receipt.logs, "Redeemed").collateralOut as bigint;
    expect(paid, `bank run: ${s.sym} ${s.who} paid below its preview`).to.be.gte(s.preview);
    bump(stats, "(7) bank run: paid >= preview");
  }
  for (const sym of SYMS) {
    const token = suite.products[sym];
    const product = await token.getAddress();
    expect(await token.totalSupply(), `${sym} supply after the bank run`).to.equal(await token.DEAD_SHARES());
    const account = await suite.venues[sym].aaveAccount(product);
    const data = await suite.aavePool.getUserAccountData(account);
    const dustUsd = (Number(data[0]) + Number(data[1])) / 1e8; // Aave's base currency: USD, 8 decimals
    const equityUsd = Number(await token.totalEquityWad()) / 1e18;
    figures.maxAccountDustUsd = Math.max(figures.maxAccountDustUsd, dustUsd);
    figures.maxEquityLeftUsd = Math.max(figures.maxEquityLeftUsd, equityUsd);
    // The dead shares' pro-rata slice (1e15 of ~1e22+ shares) and rounding crumbs: well under a dollar.
    expect(dustUsd, `${sym}: the Aave account still holds ${dustUsd} USD after the bank run`).to.be.lt(1);
    expect(equityUsd, `${sym}: equity left after the bank run`).to.be.lt(1);
    bump(stats, "(7) supply back to the dead shares");
  }
  await rearbitrage("ETH");
}

// ------------------------------------------------------------------------------------------------------------------
// Generators
// ------------------------------------------------------------------------------------------------------------------

const symArb = fc.constantFrom<AaveProductSymbol>(...SYMS);
const userArb = fc.integer({ min: 0, max: USERS - 1 });
/** Dust (1 unit .. 0.001 USDC) or 1 .. 200,000 USDC, log-uniform-ish. */
const amountArb = fc.oneof(
  { arbitrary: fc.bigInt({ min: 1n, max: 1_000n }), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 5 }), fc.bigInt({ min: ONE_USDC, max: 2n * ONE_USDC }))
      .map(([e, mantissa]) => mantissa * 10n ** BigInt(e)),
    weight: 6,
  },
);
const perMilleArb = fc.oneof(fc.constant(1000n), fc.bigInt({ min: 1n, max: 1000n }));
const bpsArb = fc.tuple(fc.boolean(), fc.integer({ min: 50, max: 800 })).map(([up, bps]) => (up ? bps : -bps));
const waitArb = fc.oneof(
  { arbitrary: fc.integer({ min: MINUTE, max: 3600 }), weight: 3 },
  { arbitrary: fc.integer({ min: 3600, max: 3 * DAY }), weight: 2 },
);

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.tuple(symArb, userArb, amountArb).map(([s, u, a]) => new Mint(s, u, a)), weight: 8 },
  { arbitrary: fc.tuple(symArb, userArb, perMilleArb).map(([s, u, p]) => new Redeem(s, u, p)), weight: 5 },
  {
    arbitrary: fc
      .tuple(symArb, userArb, fc.bigInt({ min: 1n, max: 10n ** 9n }))
      .map(([s, u, d]) => new Redeem(s, u, 0n, d)),
    weight: 1,
  },
  {
    arbitrary: fc.tuple(symArb, userArb, userArb, perMilleArb).map(([s, a, b, p]) => new Transfer(s, a, b, p)),
    weight: 2,
  },
  { arbitrary: fc.tuple(symArb, userArb, amountArb).map(([s, u, a]) => new Donate(s, u, a / 10n + 1n)), weight: 1 },
  { arbitrary: fc.tuple(symArb, userArb, amountArb).map(([s, u, a]) => new RoundTrip(s, u, a)), weight: 2 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom<MarketSymbol>(...MARKETS),
        bpsArb,
        fc.integer({ min: 12, max: 3600 }),
        fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
      )
      .map(([mk, b, s, k]) => new PriceMove(mk, b, s, k)),
    weight: 6,
  },
  { arbitrary: waitArb.map((s) => new Wait(s)), weight: 3 },
  { arbitrary: fc.constantFrom<"act" | "upkeep">("act", "upkeep").map((k) => new Keeper(k)), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom<"USDC" | "WETH">("USDC", "WETH"), fc.constantFrom(5_000n, 8_000n, 9_000n, 9_500n))
      .map(([a, u]) => new ThirdPartyBorrow(a, u)),
    weight: 1,
  },
);
const sequenceArb = fc.array(cmdArb, { minLength: LEN, maxLength: LEN });

// ------------------------------------------------------------------------------------------------------------------
// The test
// ------------------------------------------------------------------------------------------------------------------

let base: SnapshotRestorer | undefined;
let context: Ctx | undefined;

/** The seeded Aave suite, three funded holders and a WBTC-collateralised borrower; restored from a snapshot per run. */
async function setup(): Promise<Ctx> {
  if (base !== undefined && context !== undefined) {
    await base.restore();
    return context;
  }
  const suite = await deployAaveSuite();
  const holders = suite.users.slice(0, USERS);
  for (const u of holders) {
    await suite.usdc.mint(u.address, 50_000_000n * ONE_USDC);
    for (const s of SYMS) await suite.usdc.connect(u).approve(await suite.products[s].getAddress(), MaxUint256);
  }
  const treasury = await ethers.getSigner(await suite.products[SYMS[0]].treasury());
  const whale = suite.users[8];
  const wbtcCollateral = 20_000n * 10n ** 8n;
  await suite.wbtc.mint(whale.address, wbtcCollateral);
  await suite.wbtc.connect(whale).approve(await suite.aavePool.getAddress(), wbtcCollateral);
  await (suite.aavePool.connect(whale) as Contract).supply(
    await suite.wbtc.getAddress(),
    wbtcCollateral,
    whale.address,
    0,
  );
  const dataProvider = (await ethers.getContractAt(
    aaveArtifact("AaveProtocolDataProvider").abi,
    (await deployments.get("AaveProtocolDataProvider")).address,
  )) as unknown as Contract;
  context = { suite, holders, treasury, whale, dataProvider, errors: await errorInterface() };
  base = await takeSnapshot();
  return context;
}

describe("Aave mechanism invariants (real Aave v3 + Uniswap v3, no exact model)", function () {
  // Found by this test (seed 20261414, run 6): previewMint(4 units) = 0 on AaveETH2S, yet mint(4 units) gave
  // 2,750,963,670,452 shares worth 2.78 units. The preview still never favours the user (0 <= execution) and is 0
  // whenever the mint reverts (ILeveragedToken), but a preview of 0 does not mean the mint reverts for dust.
  it("[KNOWN FAILURE, asserted: previewMint is 0 for a dust mint that succeeds] AaveETH2S and AaveETH3L, 4 units", async function () {
    const ctx = await setup();
    const who = ctx.holders[1];
    for (const sym of ["AaveETH2S", "AaveETH3L"] as AaveProductSymbol[]) {
      const token = ctx.suite.products[sym];
      await nextBlockAt();
      const preview = await token.previewMint(4n, PENDING);
      const before = await token.balanceOf(who.address);
      await tx(() => token.connect(who).mint(4n, 0n, who.address, { gasLimit: GAS }));
      const shares = (await token.balanceOf(who.address)) - before;
      const worth = (shares * (await token.totalEquityWad())) / (await token.totalSupply());
      console.log(
        `      ${sym}: previewMint(4 units) = ${preview}; mint(4 units) gave ${shares} shares worth ${Number(worth) / 1e12} units`,
      );
      expect(preview).to.equal(0n);
      expect(shares).to.be.gt(0n);
    }
  });

  let uninstall: (() => void) | undefined;
  before(() => {
    uninstall = installChainClock();
  });
  after(() => uninstall?.());

  it(`hold over ${RUNS} random sequences of ${LEN} commands on ${SYMS.join(" + ")} (seed ${SEED})`, async function () {
    this.timeout(0);
    const started = Date.now();
    let runs = 0;
    let commandsRun = 0;
    await fc.assert(
      fc.asyncProperty(sequenceArb, async (cmds) => {
        const ctx = await setup();
        const m: Model = { stats: {} };
        await fc.asyncModelRun(
          () => ({ model: m, real: { ctx } }),
          cmds.map((c) => ({
            check: () => c.check(),
            run: async (mm: Model, rr: Real) => {
              await c.run(mm, rr);
              await checkAlways(rr.ctx, mm.stats, c.toString());
              commandsRun += 1;
            },
            toString: () => c.toString(),
          })),
        );
        await bankRun(ctx, m.stats);
        runs += 1;
        for (const [k, v] of Object.entries(m.stats)) bump(totals, k, v);
      }),
      { numRuns: RUNS, seed: SEED, path: process.env.FUZZ_PATH, endOnFailure: process.env.FUZZ_NO_SHRINK === "1" },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`      ${runs} runs x ${LEN} commands (${commandsRun} ran, seed ${SEED}) in ${seconds} s; checks:`);
    for (const [k, v] of Object.entries(totals).sort()) console.log(`        ${k.padEnd(56)} ${v}`);
    console.log(
      `      worst NAV-per-share drop for the others ${figures.worstNavDrop.toExponential(2)} (${figures.worstNavDropAt || "-"})`,
    );
    if (figures.zeroPreviewMints.length > 0) {
      console.log(`      previewMint 0 yet the mint succeeded (${figures.zeroPreviewMints.length}):`);
      for (const z of figures.zeroPreviewMints.slice(0, 5)) console.log(`        ${z}`);
    }
    console.log(`      best round trip returned ${(figures.bestRoundTrip * 100).toFixed(4)}% of the deposit`);
    console.log(
      `      lowest health factor ${figures.minHealthFactor.toFixed(4)} (${figures.minHealthFactorAt || "-"})`,
    );
    console.log(
      `      after the bank runs: Aave account dust <= ${figures.maxAccountDustUsd.toExponential(2)} USD, ` +
        `equity left with the dead shares <= ${figures.maxEquityLeftUsd.toExponential(2)} USD`,
    );
  });
});
