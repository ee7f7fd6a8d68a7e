/**
 * Shared machinery of the model-based invariant tests: the environment (suite, lens, actors), building the reference
 * model's initial World from the chain, sending one transaction per command at a pinned timestamp while the model
 * predicts its outcome, decoding custom-error names, and comparing the chain with the model field by field.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { Interface, type ContractTransactionResponse, type ErrorFragment } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  AutomationForwarder,
  IMockPerpVenue,
  LeveragedToken,
  MockV3Aggregator,
  StateLens,
} from "../../typechain-types";
import type { Suite } from "../helpers/deployment";
import { PRODUCT_SYMBOLS } from "../../config/parameters";
import {
  DEAD_ADDRESS,
  attempt,
  clone,
  currentBounty,
  shouldRebalance,
  idleWad,
  isClosed,
  isInactive,
  isLiquidatable,
  leverage,
  navPerShare,
  previewRedeem,
  priceFresh,
  tokenSnapshot,
  venueSnapshot,
  type ProductModel,
  type World,
} from "../model/ballastModel";

export type Sym = "BTC3L" | "BTC3S";
export const SYMS: readonly Sym[] = ["BTC3L", "BTC3S"];

export interface Env {
  suite: Suite;
  lens: StateLens;
  venue: IMockPerpVenue;
  feed: MockV3Aggregator;
  tokens: Record<Sym, LeveragedToken>;
  users: HardhatEthersSigner[];
  keeper: HardhatEthersSigner;
  liquidator: HardhatEthersSigner;
  /** Share holders compared after every command: users, treasury, dead address. */
  shareHolders: string[];
  /** Every address that holds USDC (their sum must equal the USDC supply). */
  usdcHolders: string[];
  /** Chainlink's AutomationForwarder (no payee configured) and the stand-in registry that calls it. */
  forwarder: AutomationForwarder;
  registry: HardhatEthersSigner;
  /** Contracts that cannot move ERC-20s: no bounty may ever reach them (the forwarder, the Rebalancer). */
  cannotSpend: string[];
  errors: Interface;
}

/** Counts how often each invariant was evaluated (non-vacuously), for the closing report. */
export type Stats = Record<string, number>;
export const bump = (s: Stats, name: string, n = 1): void => {
  s[name] = (s[name] ?? 0) + n;
};

export interface Model {
  w: World;
  stats: Stats;
}

/** All custom errors of the contracts involved, one Interface, to name a revert from its data. */
export async function errorInterface(): Promise<Interface> {
  const names = ["LeveragedToken", "MockPerpVenue", "Rebalancer", "ChainlinkOracleAdapter", "MockUSDC"];
  const seen = new Set<string>();
  const fragments: ErrorFragment[] = [];
  for (const n of names) {
    const f = await ethers.getContractFactory(n);
    f.interface.forEachError((e) => {
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
  for (const k of ["error", "info", "cause", "data"]) {
    const found = findRevertData(rec[k], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The custom-error name of a failed call ("Panic", "Error" for those; "unknown" if no data). */
export function revertName(env: Env, e: unknown): string {
  const data = findRevertData(e);
  if (data === undefined) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /reverted with custom error '([A-Za-z0-9_]+)\(/.exec(msg);
    return m ? m[1] : `unknown (${msg.slice(0, 200)})`;
  }
  if (data.startsWith("0x4e487b71")) return "Panic";
  if (data.startsWith("0x08c379a0")) return "Error";
  const parsed = env.errors.parseError(data);
  return parsed ? parsed.name : `unknown selector ${data.slice(0, 10)}`;
}

/** Builds the model's World from the chain (once per fixture; every run then starts from a clone). */
export async function worldFromChain(env: Env): Promise<World> {
  const { suite, venue, feed } = env;
  const p = await venue.params();
  const products: Record<string, ProductModel> = {};
  for (const sym of SYMS) {
    const t = env.tokens[sym];
    const address = await t.getAddress();
    const st = await suite.rebalancer.tokenState(address);
    const f = await t.fees();
    const m = st.methodology;
    products[sym] = {
      address,
      isLong: await t.isLong(),
      supply: await t.totalSupply(),
      balances: {},
      lastFeeAccrual: await t.lastFeeAccrual(),
      fees: { mintFeeRate: f.mintFeeRate, redeemFeeRate: f.redeemFeeRate, streamingFeeRate: f.streamingFeeRate },
      mintPaused: await t.mintPaused(),
      woundDown: await t.woundDown(),
      equityCap: await t.equityCap(),
      methodology: {
        minLeverage: m.minLeverage,
        targetLeverage: m.targetLeverage,
        maxLeverage: m.maxLeverage,
        ripcordLeverage: m.ripcordLeverage,
        interval: Number(m.interval),
        tolerance: m.tolerance,
        maxTradeNotional: m.maxTradeNotional,
        maxSlippage: m.maxSlippage,
        innerBand: m.innerBand,
        triggerTtl: Number(m.triggerTtl),
      },
      bounty: {
        base: st.bounty.base,
        perSecond: st.bounty.perSecond,
        cap: st.bounty.cap,
        maxEquityFraction: st.bounty.maxEquityFraction,
        budget: st.bounty.budget,
      },
      lastRebalance: st.lastRebalance,
      iterating: st.iterating,
      dueSince: st.dueSince,
    };
  }
  const usdc: Record<string, bigint> = {};
  for (const h of env.usdcHolders) usdc[h] = await suite.usdc.balanceOf(h);
  const [, , , updatedAt] = await feed.latestRoundData();
  return {
    now: BigInt(await time.latest()),
    // The model's `heartbeat` is the oldest accepted age: the adapter's heartbeat + staleness buffer.
    oracle: { answer: await feed.latestAnswer(), updatedAt, heartbeat: await suite.oracles.BTC.maxStaleness() },
    market: {
      params: {
        initialMarginRatio: p.initialMarginRatio,
        maintenanceMarginRatio: p.maintenanceMarginRatio,
        takerFeeRate: p.takerFeeRate,
        liquidatorFeeRate: p.liquidatorFeeRate,
        liquidationPenaltyRate: p.liquidationPenaltyRate,
        maxPriceImpact: p.maxPriceImpact,
        impactPerNotional: p.impactPerNotional,
        maxOpenInterest: p.maxOpenInterest,
      },
      fundingRate: await venue.fundingRatePerSecond(),
      fundingIndex: 0n,
      lastFundingTime: await venue.lastFundingTime(),
      paused: await venue.paused(),
      oiLong: await venue.openInterestLong(),
      oiShort: await venue.openInterestShort(),
      feesCollected: await venue.feesCollected(),
      badDebt: await venue.totalBadDebt(),
      accounts: {},
      liquidations: {},
    },
    venue: await venue.getAddress(),
    treasury: suite.treasury.address,
    products,
    order: [...PRODUCT_SYMBOLS],
    usdc,
    usdcSupply: await suite.usdc.totalSupply(),
    feeLog: [],
  };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * One command = one transaction mined at `now + dt`. The model predicts the outcome on a clone first; on success the
 * transaction must succeed and the clone becomes the model, on a predicted revert the transaction must revert with
 * the same custom error (then an empty block is mined at the same time, so views run at the model's `now`).
 */
export async function exec<T>(
  env: Env,
  m: Model,
  dt: bigint,
  send: () => Promise<ContractTransactionResponse>,
  apply: (w: World) => T,
): Promise<Outcome<T>> {
  const t = m.w.now + dt;
  const base = clone(m.w);
  base.now = t;
  const r = attempt(base, apply);
  await time.setNextBlockTimestamp(t);
  if (r.ok) {
    try {
      await (await send()).wait();
    } catch (e) {
      throw new Error(`model expected success, chain reverted with ${revertName(env, e)}`, { cause: e });
    }
    m.w = r.world;
    return { ok: true, value: r.value };
  }
  let reverted: unknown;
  try {
    await (await send()).wait();
  } catch (e) {
    reverted = e ?? new Error("reverted");
  }
  if (reverted === undefined) throw new Error(`model expected revert ${r.error}, chain succeeded`);
  expect(revertName(env, reverted), "revert reason (chain vs model)").to.equal(r.error);
  m.w.now = t;
  if (BigInt(await time.latest()) < t) await network.provider.send("evm_mine", [Number(t)]);
  return { ok: false, error: r.error };
}

/** Mines an empty block at `now + dt` (a pure passage of time). */
export async function mineAt(m: Model, dt: bigint): Promise<void> {
  m.w.now += dt;
  await network.provider.send("evm_mine", [Number(m.w.now)]);
}

/** Runs view calls on the block that the next transaction (pinned at `t`) will be mined in. */
export async function pin(t: bigint): Promise<{ blockTag: "pending" }> {
  await time.setNextBlockTimestamp(t);
  return { blockTag: "pending" };
}

const sumValues = (r: Record<string, bigint>): bigint => Object.values(r).reduce((a, b) => a + b, 0n);

/**
 * Compares every observable field of chain and model (to the wei) and checks the state invariants that hold after
 * any command: collateral conservation, ERC-20 sums, solvency, inactive state at NAV 0, streaming fee <= rate x time.
 */
export async function compareAndCheck(env: Env, m: Model): Promise<void> {
  const w = m.w;
  expect(BigInt(await time.latest()), "block time").to.equal(w.now);
  const tokens = SYMS.map((s) => env.tokens[s]);
  const [mk, pv, usdcBal] = await env.lens.read(
    env.venue,
    tokens,
    env.suite.rebalancer,
    env.shareHolders.concat(env.usdcHolders),
  );
  const nShare = env.shareHolders.length;

  // --- market
  const mm = w.market;
  expect(mk.paused, "venue paused").to.equal(mm.paused);
  expect(mk.fundingRate, "funding rate").to.equal(mm.fundingRate);
  expect(mk.lastFundingTime, "lastFundingTime").to.equal(mm.lastFundingTime);
  expect(mk.oiLong, "OI long").to.equal(mm.oiLong);
  expect(mk.oiShort, "OI short").to.equal(mm.oiShort);
  expect(mk.feesCollected, "venue fees").to.equal(mm.feesCollected);
  expect(mk.badDebt, "bad debt").to.equal(mm.badDebt);
  expect(mk.usdcSupply, "USDC supply").to.equal(w.usdcSupply);
  const fresh = priceFresh(w);
  expect(mk.priceOk, "oracle fresh").to.equal(fresh);
  if (fresh) {
    expect(mk.price, "mark price").to.equal(venueSnapshot(w, w.venue).price);
  }

  // --- USDC: every holder to the wei, and conservation (users + tokens + venues + keeper + treasury = supply)
  for (let i = 0; i < env.usdcHolders.length; i++) {
    const h = env.usdcHolders[i];
    expect(usdcBal[nShare + i], `USDC of ${h}`).to.equal(w.usdc[h] ?? 0n);
  }
  expect(sumValues(w.usdc), "collateral conservation (model)").to.equal(w.usdcSupply);
  bump(m.stats, "collateral conservation");
  // No bounty leaves to an address that cannot spend it (issue 13.4): the Automation forwarder and the Rebalancer
  // hold no USDC, whoever performed the upkeeps.
  for (const a of env.cannotSpend) {
    const i = env.usdcHolders.indexOf(a);
    expect(usdcBal[nShare + i], `USDC reaching ${a}, which cannot spend it`).to.equal(0n);
  }
  bump(m.stats, "no bounty to an address that cannot spend it");

  // --- products
  let positiveEquities = 0n;
  for (let i = 0; i < SYMS.length; i++) {
    const sym = SYMS[i];
    const p = w.products[sym];
    const v = pv[i];
    const acc = mm.accounts[p.address] ?? { margin: 0n, size: 0n, openNotional: 0n, fundingIndex: 0n };
    expect(v.position.margin, `${sym} margin`).to.equal(acc.margin);
    expect(v.position.size, `${sym} size`).to.equal(acc.size);
    expect(v.position.openNotional, `${sym} openNotional`).to.equal(acc.openNotional);
    expect(v.position.fundingIndex, `${sym} fundingIndex`).to.equal(acc.fundingIndex);
    expect(v.supply, `${sym} supply`).to.equal(p.supply);
    expect(v.mintPaused, `${sym} mintPaused`).to.equal(p.mintPaused);
    expect(v.liquidations, `${sym} liquidations`).to.equal(BigInt(mm.liquidations[p.address] ?? 0));
    expect(v.lastRebalance, `${sym} lastRebalance`).to.equal(p.lastRebalance);
    expect(v.iterating, `${sym} iterating`).to.equal(p.iterating);
    expect(v.budget, `${sym} bounty budget`).to.equal(p.bounty.budget);
    const st = await env.suite.rebalancer.tokenState(p.address);
    expect(st.dueSince, `${sym} dueSince (observed auction start)`).to.equal(p.dueSince ?? 0n);
    let sum = 0n;
    for (let j = 0; j < nShare; j++) {
      const h = env.shareHolders[j];
      expect(v.balances[j], `${sym} shares of ${h}`).to.equal(p.balances[h] ?? 0n);
      sum += v.balances[j];
    }
    // ERC-20 sums: the holders we know of hold the whole supply (chain and model).
    expect(sum, `${sym} ERC-20 sum`).to.equal(v.supply);
    expect(sumValues(p.balances), `${sym} ERC-20 sum (model)`).to.equal(p.supply);
    bump(m.stats, "ERC-20 sums");

    expect(v.viewsOk, `${sym} views`).to.equal(fresh);
    if (p.supply !== 0n && acc.size === 0n) {
      // Collateral of a position-less product is redeemable with any oracle state: valued and previewed without a
      // price, to the wei of the model (every holder's redeem runs the same code).
      const o = { blockTag: "latest" as const };
      const token = env.tokens[sym];
      const eq = tokenSnapshot(w, sym).eq;
      expect(await token.totalEquityWad(o), `${sym} equity without a position`).to.equal(eq > 0n ? eq : 0n);
      for (const holder of env.shareHolders) {
        const shares = p.balances[holder] ?? 0n;
        if (shares === 0n) continue;
        expect(await token.previewRedeem(shares, o), `${sym} previewRedeem without a position`).to.equal(
          previewRedeem(w, sym, shares),
        );
      }
      bump(m.stats, fresh ? "position-less product redeemable" : "position-less product redeemable, oracle stale");
    }
    if (!fresh) continue;
    const snap = tokenSnapshot(w, sym);
    expect(v.equityWad, `${sym} equity`).to.equal(snap.eq);
    expect(v.nav, `${sym} navPerShare`).to.equal(navPerShare(w, sym));
    expect(v.leverage, `${sym} leverage`).to.equal(leverage(snap.size, snap.price, snap.eq));
    expect(Number(v.action), `${sym} shouldRebalance`).to.equal(shouldRebalance(w, sym));
    expect(v.liquidatable, `${sym} isLiquidatable`).to.equal(isLiquidatable(w, p.address));
    expect(await env.suite.rebalancer.currentBounty(p.address), `${sym} currentBounty`).to.equal(currentBounty(w, sym));
    const venueEq = snap.eq - idleWad(w, p);
    if (venueEq > 0n) positiveEquities += venueEq;

    // Solvency: NAV x supply (with pending fee shares) never exceeds equity.
    if (p.supply !== 0n && snap.eq > 0n) {
      expect((v.nav * p.supply) / 10n ** 18n, `${sym} NAV x supply <= equity`).to.be.lte(snap.eq);
      bump(m.stats, "solvency");
    }
    // Inactive state at NAV 0: views answer (no revert, no division by zero), the product reports inactive.
    if (isInactive(w, p) || isClosed(p.supply, snap.size, snap.eq)) {
      expect(v.active, `${sym} inactive`).to.equal(false);
      const o = { blockTag: "latest" as const };
      expect(await env.tokens[sym].previewMint(10n ** 9n, o), `${sym} previewMint when inactive`).to.equal(0n);
      if (snap.eq <= 0n) {
        expect(v.nav, `${sym} NAV at 0 equity`).to.equal(0n);
        expect(await env.tokens[sym].previewRedeem(p.supply, o), `${sym} previewRedeem at NAV 0`).to.equal(0n);
      }
      bump(m.stats, "inactive state at NAV 0");
    }
  }
  // Venue solvency: its collateral covers every modelled account's positive equity.
  if (fresh) {
    expect((w.usdc[w.venue] ?? 0n) * 10n ** 12n, "venue covers equities").to.be.gte(positiveEquities);
  }

  // Streaming fee: every accrual took at most rate x time of the product: s / (S + s) <= rate * dt / YEAR.
  for (const f of w.feeLog) {
    expect(f.shares * 365n * 86_400n * 10n ** 18n, "streaming fee <= rate x time").to.be.lte(
      f.rate * f.elapsed * (f.supply + f.shares),
    );
    bump(m.stats, "fees bounded by rate x time");
  }
  w.feeLog = [];
}

export { DEAD_ADDRESS };
