/**
 * A pure-bigint reference model of the whole Ballast mechanism on one venue: the oracle, the perp venue (every
 * account, open interest, funding index, fees, bad debt, its collateral balance), the leveraged tokens (supply,
 * balances, streaming fee, idle collateral) and the Rebalancer (rules, chunking, Dutch-auction bounty, Automation).
 * No chain: the invariant tests run the same commands here and on the contracts and compare every field to the wei.
 *
 * The venue's per-account arithmetic (quotes, fills, funding owed, equity, liquidation split) is not re-implemented:
 * it comes from test/helpers/venueMath.ts. This file adds the market-level state around it and the token and
 * Rebalancer logic (docs/mechanism.md). A call that the contracts would revert throws `ModelRevert(errorName)`;
 * callers run each command on a `clone()` and keep the clone only when it did not throw, as the EVM does.
 */
import {
  WAD,
  abs,
  min,
  mulDivDown,
  mulDivUp,
  quote,
  trade,
  equity as accountEquity,
  notional,
  fundingIndexAfter,
  fundingOwed,
  liquidate as liquidateAccount,
  type AccountState,
  type VenueParams,
  EMPTY_ACCOUNT,
} from "../helpers/venueMath";
import type { BountyParams, FeeParams, Methodology } from "../../config/parameters";
import { Action } from "../../protocol/actions";
import { DEAD_ADDRESS, DEAD_SHARES } from "../../protocol/constants";

export { WAD };
export const YEAR = 365n * 24n * 3600n;
export const TO_WAD = 10n ** 12n; // 6-decimal collateral -> USD WAD
export const FEED_SCALE = 10n ** 10n; // 8-decimal answer -> WAD
const MAX_ABS_SIZE = 10n ** 30n;
const UINT_MAX = 2n ** 256n - 1n;

export { Action, DEAD_ADDRESS, DEAD_SHARES }; // the protocol module's (protocol/)
export type Mode = "REBALANCE" | "RIPCORD" | "ANY";

/** A revert the contracts would raise, by custom-error name (or "Panic"). */
export class ModelRevert extends Error {
  constructor(readonly errorName: string) {
    super(`model revert: ${errorName}`);
  }
}
const revert = (name: string): never => {
  throw new ModelRevert(name);
};

export interface OracleModel {
  answer: bigint; // 8 decimals
  updatedAt: bigint;
  heartbeat: bigint;
}

export interface MarketModel {
  params: VenueParams;
  fundingRate: bigint; // WAD per second
  fundingIndex: bigint; // stored index
  lastFundingTime: bigint;
  paused: boolean;
  oiLong: bigint;
  oiShort: bigint;
  feesCollected: bigint;
  badDebt: bigint;
  accounts: Record<string, AccountState>;
  liquidations: Record<string, number>;
}

export interface ProductModel {
  address: string;
  isLong: boolean;
  supply: bigint;
  balances: Record<string, bigint>;
  lastFeeAccrual: bigint;
  fees: FeeParams;
  mintPaused: boolean;
  woundDown: boolean;
  equityCap: bigint;
  methodology: Methodology;
  bounty: BountyParams; // `budget` is the remaining budget
  lastRebalance: bigint;
  iterating: boolean;
  /** Bounties already paid by the chunked rebalance in progress (absent = 0). */
  duePaid?: bigint;
  /** Taken out of the checkUpkeep scan by `retire` (absent = false). */
  retired?: boolean;
  /**
   * Observed start of the bounty auction of the due state in progress (Rebalancer `dueAfter`, TokenState.dueSince):
   * recorded by `poke` or by the first chunk of a chunked rebalance, cleared by a completing action (absent/0 = none).
   */
  dueSince?: bigint;
  /** Rebalancer trigger prices (8 decimals, as stored) of the last completed action, and the hot-slot flag. */
  triggers?: { low: bigint; high: bigint };
  triggersSet?: boolean;
}

export interface World {
  now: bigint;
  oracle: OracleModel;
  market: MarketModel;
  venue: string;
  treasury: string;
  products: Record<string, ProductModel>;
  /** Registration order in the Rebalancer (what `checkUpkeep` scans). */
  order: string[];
  usdc: Record<string, bigint>;
  usdcSupply: bigint;
  /** Streaming-fee accruals seen: shares, supply before, rate, seconds (for the "rate x time" invariant). */
  feeLog: { shares: bigint; supply: bigint; rate: bigint; elapsed: bigint }[];
}

export const clone = (w: World): World => structuredClone(w);

const bal = (r: Record<string, bigint>, a: string): bigint => r[a] ?? 0n;
function move(w: World, from: string, to: string, amount: bigint): void {
  if (amount === 0n) return;
  if (bal(w.usdc, from) < amount) revert("ERC20InsufficientBalance");
  w.usdc[from] = bal(w.usdc, from) - amount;
  w.usdc[to] = bal(w.usdc, to) + amount;
}

// ------------------------------------------------------------------------------------------------------------------
// Oracle and market
// ------------------------------------------------------------------------------------------------------------------

/** ChainlinkOracleAdapter.price(): answer > 0, not stale. */
export function oraclePrice(w: World): bigint {
  if (w.oracle.answer <= 0n) revert("InvalidPrice");
  if (w.now - w.oracle.updatedAt > w.oracle.heartbeat) revert("StalePrice");
  return w.oracle.answer * FEED_SCALE;
}

/** MockPerpVenue._priceOrZero: the oracle's price, or 0 when it has none. */
function priceOrZero(w: World): bigint {
  return w.oracle.answer > 0n && w.now - w.oracle.updatedAt <= w.oracle.heartbeat ? oraclePrice(w) : 0n;
}

export const priceFresh = (w: World): boolean =>
  w.oracle.answer > 0n && w.now - w.oracle.updatedAt <= w.oracle.heartbeat;

function indexAt(w: World, price: bigint): bigint {
  const m = w.market;
  if (m.fundingRate === 0n || w.now === m.lastFundingTime) return m.fundingIndex;
  return fundingIndexAfter(m.fundingIndex, m.fundingRate, w.now - m.lastFundingTime, price);
}

function accrue(w: World, price: bigint): bigint {
  const m = w.market;
  // Without a price (a position-less account's margin move, oracle down) the clock does not move either.
  if (m.fundingRate === 0n || w.now === m.lastFundingTime || price === 0n) return m.fundingIndex;
  m.fundingIndex = indexAt(w, price);
  m.lastFundingTime = w.now;
  return m.fundingIndex;
}

const account = (w: World, a: string): AccountState => w.market.accounts[a] ?? EMPTY_ACCOUNT;

function settled(acc: AccountState, index: bigint): AccountState {
  if (acc.fundingIndex === index) return acc;
  return { ...acc, margin: acc.margin - fundingOwed(acc.size, index - acc.fundingIndex), fundingIndex: index };
}

/** MockPerpVenue.setFundingRate. */
export function setFundingRate(w: World, rate: bigint): void {
  const maxRate = 10n ** 16n / 3600n;
  if (rate > maxRate || rate < -maxRate) revert("InvalidMarketParams");
  const price = oraclePrice(w);
  w.market.fundingIndex = indexAt(w, price);
  w.market.lastFundingTime = w.now;
  w.market.fundingRate = rate;
}

/** MockPerpVenue.accountSnapshot: (size, equity, price) at `now`. */
export function venueSnapshot(w: World, a: string): { size: bigint; eq: bigint; price: bigint } {
  const acc = account(w, a);
  // A position-less account is valued without a price.
  const price = acc.size === 0n ? priceOrZero(w) : oraclePrice(w);
  return { size: acc.size, eq: accountEquity(acc, price, indexAt(w, price)), price };
}

/** MockPerpVenue.previewTrade(a, delta).equityAfter. */
export function venuePreview(w: World, a: string, delta: bigint): bigint {
  const price = oraclePrice(w);
  const index = indexAt(w, price);
  const acc = settled(account(w, a), index);
  if (delta === 0n) return accountEquity(acc, price, index);
  return accountEquity(trade(acc, delta, price, w.market.params).account, price, index);
}

export function isLiquidatable(w: World, a: string): boolean {
  const price = oraclePrice(w);
  const acc = account(w, a);
  if (acc.size === 0n) return false;
  const eq = accountEquity(acc, price, indexAt(w, price));
  return eq < mulDivDown(notional(acc.size, price), w.market.params.maintenanceMarginRatio, WAD);
}

function updateOpenInterest(w: World, oldSize: bigint, newSize: bigint): void {
  const m = w.market;
  const cap = m.params.maxOpenInterest;
  const oldLong = oldSize > 0n ? oldSize : 0n;
  const oldShort = oldSize < 0n ? -oldSize : 0n;
  const newLong = newSize > 0n ? newSize : 0n;
  const newShort = newSize < 0n ? -newSize : 0n;
  if (newLong !== oldLong) {
    const oi = m.oiLong - oldLong + newLong;
    if (newLong > oldLong && oi > cap) revert("OpenInterestCapExceeded");
    m.oiLong = oi;
  }
  if (newShort !== oldShort) {
    const oi = m.oiShort - oldShort + newShort;
    if (newShort > oldShort && oi > cap) revert("OpenInterestCapExceeded");
    m.oiShort = oi;
  }
}

/**
 * MockPerpVenue._operate for `a`: deposit, trade, margin checks, withdrawal to `recipient`. Returns equity after.
 * `increases` follows the contract's own rule (see `venueIncreases`).
 */
export function venueOperate(
  w: World,
  a: string,
  depositUnits: bigint,
  withdrawalUnits: bigint,
  delta: bigint,
  acceptablePrice: bigint,
  recipient: string,
): bigint {
  const p = w.market.params;
  move(w, a, w.venue, depositUnits);
  // Margin moves of a position-less account need no price.
  const price = account(w, a).size === 0n && delta === 0n ? priceOrZero(w) : oraclePrice(w);
  const index = accrue(w, price);
  let acc = settled(account(w, a), index);
  if (depositUnits !== 0n) acc = { ...acc, margin: acc.margin + depositUnits * TO_WAD };
  let equityBefore = 0n;
  let notionalBefore = 0n;
  if (withdrawalUnits !== 0n) {
    const e = accountEquity(acc, price, index);
    equityBefore = e > 0n ? e : 0n;
    notionalBefore = notional(acc.size, price);
  }
  let increases = false;
  if (delta !== 0n) {
    const oldSize = acc.size;
    const newSize = oldSize + delta;
    if (abs(delta) > MAX_ABS_SIZE || abs(newSize) > MAX_ABS_SIZE) revert("SizeOutOfRange");
    increases = venueIncreases(oldSize, newSize);
    if (w.market.paused && increases) revert("VenuePaused");
    const q = quote(delta, price, p);
    if (delta > 0n ? q.fillPrice > acceptablePrice : q.fillPrice < acceptablePrice) revert("PriceLimitExceeded");
    acc = trade(acc, delta, price, p).account;
    updateOpenInterest(w, oldSize, newSize);
    w.market.feesCollected += q.fee;
  }
  let eqAfter = accountEquity(acc, price, index);
  const notionalAfter = notional(acc.size, price);
  const locked = mulDivUp(notionalAfter, p.initialMarginRatio, WAD);
  if (increases && eqAfter < locked) revert("InsufficientMargin");
  if (withdrawalUnits !== 0n) {
    let free = 0n;
    if (eqAfter > 0n) {
      free = eqAfter > locked ? eqAfter - locked : 0n;
      const nAfter = increases ? 0n : notionalAfter;
      if (nAfter !== 0n && nAfter < notionalBefore && equityBefore !== 0n) {
        const keep = mulDivUp(equityBefore, nAfter, notionalBefore);
        if (eqAfter > keep && eqAfter - keep > free) free = eqAfter - keep;
      }
      free /= TO_WAD;
    }
    if (withdrawalUnits > free) revert("WithdrawalExceedsFree");
    acc = { ...acc, margin: acc.margin - withdrawalUnits * TO_WAD };
    eqAfter -= withdrawalUnits * TO_WAD;
  }
  w.market.accounts[a] = acc;
  if (withdrawalUnits !== 0n) {
    if (withdrawalUnits > bal(w.usdc, w.venue)) revert("InsufficientVenueLiquidity");
    move(w, w.venue, recipient, withdrawalUnits);
  }
  return eqAfter;
}

/**
 * The venue's "does this trade grow or flip the position" rule, as `MockPerpVenue._trade` computes it:
 * `|new| > |old|`, or the sign bit of `old ^ new` set, i.e. a flip through zero.
 */
export function venueIncreases(oldSize: bigint, newSize: bigint): boolean {
  return abs(newSize) > abs(oldSize) || (oldSize !== 0n && newSize !== 0n && oldSize > 0n !== newSize > 0n);
}

/** MockPerpVenue.liquidate(a) by `liquidator`; returns the fee paid in collateral units. */
export function venueLiquidate(w: World, a: string, liquidator: string): bigint {
  const price = oraclePrice(w);
  const index = accrue(w, price);
  const acc = settled(account(w, a), index);
  const res =
    acc.size === 0n
      ? undefined
      : (() => {
          const eq = accountEquity(acc, price, index);
          const mm = mulDivDown(notional(acc.size, price), w.market.params.maintenanceMarginRatio, WAD);
          return eq < mm ? liquidateAccount(acc, price, w.market.params, TO_WAD) : undefined;
        })();
  if (res === undefined) return revert("NotLiquidatable");
  updateOpenInterest(w, acc.size, 0n);
  w.market.accounts[a] = res.account;
  w.market.badDebt += res.badDebt;
  w.market.feesCollected += res.penalty;
  w.market.liquidations[a] = (w.market.liquidations[a] ?? 0) + 1;
  move(w, w.venue, liquidator, res.liquidatorFeeUnits);
  return res.liquidatorFeeUnits;
}

// ------------------------------------------------------------------------------------------------------------------
// LeverageMath
// ------------------------------------------------------------------------------------------------------------------

export function leverage(size: bigint, price: bigint, eq: bigint): bigint {
  if (size === 0n) return 0n;
  if (eq <= 0n) return UINT_MAX;
  return mulDivUp(mulDivUp(abs(size), price, WAD), WAD, eq);
}

export function targetSize(target: bigint, eq: bigint, price: bigint, long: boolean): bigint {
  if (eq <= 0n) return 0n;
  const m = mulDivDown(target, eq, price);
  return long ? m : -m;
}

const proRata = (size: bigint, part: bigint, whole: bigint): bigint => {
  const m = mulDivDown(abs(size), part, whole);
  return size >= 0n ? m : -m;
};

function capDelta(delta: bigint, price: bigint, maxNotional: bigint): { delta: bigint; capped: boolean } {
  if (maxNotional === 0n) return { delta, capped: false };
  const maxSize = mulDivDown(maxNotional, WAD, price);
  if (abs(delta) <= maxSize) return { delta, capped: false };
  return { delta: delta > 0n ? maxSize : -maxSize, capped: true };
}

// ------------------------------------------------------------------------------------------------------------------
// LeveragedToken
// ------------------------------------------------------------------------------------------------------------------

const product = (w: World, sym: string): ProductModel => w.products[sym];
export const idleWad = (w: World, p: ProductModel): bigint => bal(w.usdc, p.address) * TO_WAD;

/** LeveragedToken._snapshot: venue snapshot plus idle collateral. */
export function tokenSnapshot(w: World, sym: string): { size: bigint; eq: bigint; price: bigint } {
  const p = product(w, sym);
  const s = venueSnapshot(w, p.address);
  return { ...s, eq: s.eq + idleWad(w, p) };
}

export function pendingFeeShares(w: World, p: ProductModel, supply: bigint, size: bigint): bigint {
  const rate = p.fees.streamingFeeRate;
  if (supply === 0n || rate === 0n || size === 0n) return 0n;
  let fraction = mulDivDown(rate, w.now - p.lastFeeAccrual, YEAR);
  if (fraction === 0n) return 0n;
  if (fraction > WAD / 2n) fraction = WAD / 2n;
  return mulDivDown(supply, fraction, WAD - fraction);
}

function accrueFee(w: World, p: ProductModel, supply: bigint, size: bigint): bigint {
  const shares = pendingFeeShares(w, p, supply, size);
  if (shares !== 0n) {
    w.feeLog.push({ shares, supply, rate: p.fees.streamingFeeRate, elapsed: w.now - p.lastFeeAccrual });
    mintShares(p, w.treasury, shares);
  }
  p.lastFeeAccrual = w.now;
  return shares;
}

function mintShares(p: ProductModel, to: string, s: bigint): void {
  p.supply += s;
  p.balances[to] = bal(p.balances, to) + s;
}

const feeUp = (amount: bigint, rate: bigint): bigint => mulDivUp(amount, rate, WAD);
export const isInactive = (w: World, p: ProductModel): boolean =>
  p.woundDown || (w.market.liquidations[p.address] ?? 0) !== 0;

/** LeveragedToken._isClosed: holders but no position, or no equity. */
export const isClosed = (supply: bigint, size: bigint, eq: bigint): boolean =>
  supply !== 0n && (size === 0n || eq <= 0n);

/** LeveragedToken's `_MINT_COST_REFINEMENTS`. */
const MINT_COST_REFINEMENTS = 4;
const MINT_SIZE_SETTLED = 10n ** 6n;

/** LeveragedToken._mintSizeDelta: for the equity the mint adds after its own quoted costs, solved until it settles. */
function mintSizeDelta(
  w: World,
  p: ProductModel,
  supply: bigint,
  size: bigint,
  eqBefore: bigint,
  price: bigint,
  added: bigint,
): bigint {
  let target = 0n;
  if (supply === 0n) {
    target = p.methodology.targetLeverage;
    if (price === 0n) price = oraclePrice(w);
  }
  const deltaFor = (a: bigint): bigint =>
    target !== 0n ? targetSize(target, eqBefore + a, price, p.isLong) - size : proRata(size, a, eqBefore);
  let delta = deltaFor(added);
  // a' = added * a / (a + costs(size(a))): costs taken as proportional to the size.
  let afterCosts = added;
  for (let i = 0; i < MINT_COST_REFINEMENTS && delta !== 0n; i++) {
    const q = quote(delta, price, w.market.params);
    const impact = q.fillPrice > price ? q.fillPrice - price : price - q.fillPrice;
    const costs = mulDivDown(abs(delta), impact, WAD) + q.fee;
    afterCosts = mulDivDown(added, afterCosts, afterCosts + costs);
    const next = deltaFor(afterCosts);
    // Settled once a step moves the size by at most 1e-6 of it (LeveragedToken._MINT_SIZE_SETTLED).
    const settled = abs(next - delta) <= abs(next) / MINT_SIZE_SETTLED;
    delta = next;
    if (settled) break;
  }
  return delta;
}

function sharesFor(supply: bigint, eqBefore: bigint, eqAfter: bigint): bigint {
  if (eqAfter <= eqBefore) return 0n;
  if (supply === 0n) return eqAfter > DEAD_SHARES ? eqAfter - DEAD_SHARES : 0n;
  return mulDivDown(supply, eqAfter - eqBefore, eqBefore);
}

/** LeveragedToken.mint(collateralIn, 0, user) sent by `user`; returns the shares. */
export function tokenMint(w: World, sym: string, user: string, collateralIn: bigint): bigint {
  const p = product(w, sym);
  if (collateralIn === 0n) revert("ZeroAmount");
  if (p.mintPaused) revert("MintPaused");
  if (p.woundDown) revert("ProductInactive");
  const { size, eq: eqBefore, price } = tokenSnapshot(w, sym);
  let supply = p.supply;
  if (isClosed(supply, size, eqBefore)) revert("ProductInactive");
  supply += accrueFee(w, p, supply, size);
  const fee = feeUp(collateralIn, p.fees.mintFeeRate);
  const net = collateralIn - fee;
  if (net === 0n) revert("DepositTooSmall");
  move(w, user, p.address, collateralIn);
  move(w, p.address, w.treasury, fee);
  const delta = mintSizeDelta(w, p, supply, size, eqBefore, price, net * TO_WAD);
  // Net deposit plus any idle collateral (which counted in eqBefore) in one venue call.
  const eqAfter = venueOperate(w, p.address, bal(w.usdc, p.address), 0n, delta, p.isLong ? UINT_MAX : 0n, "0x");
  const shares = sharesFor(supply, eqBefore, eqAfter);
  if (shares === 0n) revert("DepositTooSmall");
  // The cap is on equity (USD), not on shares.
  if (eqAfter > p.equityCap) revert("EquityCapExceeded");
  if (supply === 0n) mintShares(p, DEAD_ADDRESS, DEAD_SHARES);
  mintShares(p, user, shares);
  return shares;
}

function redeemGross(eqBefore: bigint, eqAfter: bigint, sharesIn: bigint, supply: bigint): bigint {
  const keep = mulDivUp(eqBefore, supply - sharesIn, supply);
  if (eqAfter <= keep) return 0n;
  return (eqAfter - keep) / TO_WAD;
}

export interface RedeemResult {
  out: bigint;
  fee: bigint;
  gross: bigint;
}

/** LeveragedToken.redeem(sharesIn, 0, user) sent by `user`. */
export function tokenRedeem(w: World, sym: string, user: string, sharesIn: bigint): RedeemResult {
  const p = product(w, sym);
  if (sharesIn === 0n) revert("ZeroAmount");
  if (sharesIn > bal(p.balances, user)) revert("InsufficientShares");
  const { size, eq: eqBefore } = tokenSnapshot(w, sym);
  let supply = p.supply;
  supply += accrueFee(w, p, supply, size);
  p.balances[user] = bal(p.balances, user) - sharesIn;
  p.supply -= sharesIn;
  if (eqBefore <= 0n) return { out: 0n, fee: 0n, gross: 0n };
  const delta = -proRata(size, sharesIn, supply);
  const eqAfter = delta !== 0n ? venuePreview(w, p.address, delta) + idleWad(w, p) : eqBefore;
  const gross = redeemGross(eqBefore, eqAfter, sharesIn, supply);
  if (gross === 0n) return { out: 0n, fee: 0n, gross: 0n }; // nothing to pay: no trade either
  const fee = feeUp(gross, p.fees.redeemFeeRate);
  const out = gross - fee;
  const idle = bal(w.usdc, p.address);
  const fromVenue = gross > idle ? gross - idle : 0n;
  if (delta !== 0n || fromVenue !== 0n) {
    venueOperate(w, p.address, 0n, fromVenue, delta, p.isLong ? 0n : UINT_MAX, p.address);
  }
  move(w, p.address, user, out);
  move(w, p.address, w.treasury, fee);
  return { out, fee, gross };
}

/** LeveragedToken.previewMint (a view: no state change). */
export function previewMint(w: World, sym: string, collateralIn: bigint): bigint {
  const p = product(w, sym);
  if (collateralIn === 0n || p.mintPaused || p.woundDown) return 0n;
  const { size, eq: eqBefore, price } = tokenSnapshot(w, sym);
  let supply = p.supply;
  if (isClosed(supply, size, eqBefore)) return 0n;
  supply += pendingFeeShares(w, p, supply, size);
  const net = collateralIn - feeUp(collateralIn, p.fees.mintFeeRate);
  if (net === 0n) return 0n;
  const delta = mintSizeDelta(w, p, supply, size, eqBefore, price, net * TO_WAD);
  let eqAfter = eqBefore + net * TO_WAD;
  if (delta !== 0n) eqAfter = venuePreview(w, p.address, delta) + net * TO_WAD + idleWad(w, p);
  return sharesFor(supply, eqBefore, eqAfter);
}

/** LeveragedToken.previewRedeem. */
export function previewRedeem(w: World, sym: string, sharesIn: bigint): bigint {
  const p = product(w, sym);
  let supply = p.supply;
  if (sharesIn === 0n || sharesIn > supply) return 0n;
  const { size, eq: eqBefore } = tokenSnapshot(w, sym);
  if (eqBefore <= 0n) return 0n;
  supply += pendingFeeShares(w, p, supply, size);
  const delta = -proRata(size, sharesIn, supply);
  const eqAfter = delta !== 0n ? venuePreview(w, p.address, delta) + idleWad(w, p) : eqBefore;
  const gross = redeemGross(eqBefore, eqAfter, sharesIn, supply);
  return gross - feeUp(gross, p.fees.redeemFeeRate);
}

/** navPerShare(): equity (floored at 0) / (supply + pending fee shares), rounded down; 1 USD when empty. */
export function navPerShare(w: World, sym: string): bigint {
  const p = product(w, sym);
  if (p.supply === 0n) return WAD;
  const { size, eq } = tokenSnapshot(w, sym);
  return mulDivDown(eq > 0n ? eq : 0n, WAD, p.supply + pendingFeeShares(w, p, p.supply, size));
}

export function transferShares(w: World, sym: string, from: string, to: string, amount: bigint): void {
  const p = product(w, sym);
  if (bal(p.balances, from) < amount) revert("ERC20InsufficientBalance");
  p.balances[from] = bal(p.balances, from) - amount;
  p.balances[to] = bal(p.balances, to) + amount;
}

// ------------------------------------------------------------------------------------------------------------------
// Rebalancer
// ------------------------------------------------------------------------------------------------------------------

/** Rebalancer._aim: where a rebalance takes leverage `lev` (the inner band's nearer edge from outside it, else target). */
export function aimOf(m: Methodology, lev: bigint): bigint {
  const target = m.targetLeverage;
  if (m.innerBand === 0n) return target;
  const high = target + mulDivDown(m.maxLeverage - target, m.innerBand, WAD);
  if (lev > high) return high;
  const low = target - mulDivDown(target - m.minLeverage, m.innerBand, WAD);
  return lev < low ? low : target;
}

export function evaluate(w: World, sym: string): { action: Action; lev: bigint } {
  const p = product(w, sym);
  const { size, eq, price } = tokenSnapshot(w, sym);
  if (size === 0n) return { action: Action.NONE, lev: 0n };
  const lev = leverage(size, price, eq);
  const m = p.methodology;
  if (lev >= m.ripcordLeverage) return { action: Action.RIPCORD, lev };
  if (p.iterating) return { action: Action.ITERATE, lev };
  if (lev < m.minLeverage || lev > m.maxLeverage) return { action: Action.REBALANCE, lev };
  if (w.now - p.lastRebalance >= BigInt(m.interval)) {
    const gap = lev > m.targetLeverage ? lev - m.targetLeverage : m.targetLeverage - lev;
    if (gap > m.tolerance) return { action: Action.REBALANCE, lev };
  }
  return { action: Action.NONE, lev };
}

/**
 * Rebalancer._ruleDueSince: when the action became due as the state shows it without an observation. Time-based only
 * while leverage is inside the band; a band breach (or ripcord, or iteration) is due since the breaching oracle round,
 * no earlier than the last rebalance.
 */
export function ruleDueSince(w: World, sym: string, action: Action, lev: bigint): bigint {
  const p = product(w, sym);
  const interval = BigInt(p.methodology.interval);
  const inBand = lev >= p.methodology.minLeverage && lev <= p.methodology.maxLeverage;
  if (action === Action.REBALANCE && inBand && w.now - p.lastRebalance >= interval) return p.lastRebalance + interval;
  return w.oracle.updatedAt > p.lastRebalance ? w.oracle.updatedAt : p.lastRebalance;
}

/**
 * Rebalancer._bounty: the Dutch auction from the observed start (`dueSince`) when there is one, else from the rule's
 * start; also the start used (0 when nothing is payable).
 */
export function bountyAndStart(
  w: World,
  sym: string,
  action: Action,
  eq: bigint,
  lev: bigint,
): { amount: bigint; dueSince: bigint } {
  const p = product(w, sym);
  const b = p.bounty;
  if (b.budget === 0n || b.cap === 0n || eq <= 0n) return { amount: 0n, dueSince: 0n };
  const dueSince = (p.dueSince ?? 0n) !== 0n ? (p.dueSince as bigint) : ruleDueSince(w, sym, action, lev);
  const elapsed = w.now > dueSince ? w.now - dueSince : 0n;
  let amount = min(b.base + b.perSecond * elapsed, b.cap);
  amount = min(amount, mulDivDown(eq / TO_WAD, b.maxEquityFraction, WAD));
  // One bounty per due state: a chunk is paid only what the auction's amount exceeds what its rebalance has paid.
  if (action === Action.ITERATE) {
    const paid = p.duePaid ?? 0n;
    amount = amount > paid ? amount - paid : 0n;
  }
  return { amount: min(amount, b.budget), dueSince };
}

export function bounty(w: World, sym: string, action: Action, eq: bigint, lev: bigint): bigint {
  return bountyAndStart(w, sym, action, eq, lev).amount;
}

/** Rebalancer.currentBounty: what a keeper acting now would be paid (0 when nothing is due). */
export function currentBounty(w: World, sym: string): bigint {
  const { action, lev } = evaluate(w, sym);
  if (action === Action.NONE) return 0n;
  return bounty(w, sym, action, tokenSnapshot(w, sym).eq, lev);
}

/**
 * Rebalancer.poke: records the rule's start of a due product without one (or an earlier one than recorded), clears
 * the start of a product that is not due. Returns the start (0 when not due) and whether the state changed.
 */
export function poke(w: World, sym: string): { since: bigint; changed: boolean } {
  const p = product(w, sym);
  const { action, lev } = evaluate(w, sym);
  let since = 0n;
  if (action !== Action.NONE) {
    since = ruleDueSince(w, sym, action, lev);
    const stored = p.dueSince ?? 0n;
    if (stored !== 0n && stored < since) since = stored;
  }
  const changed = since !== (p.dueSince ?? 0n);
  p.dueSince = since;
  return { since, changed };
}

/** The payee of a keeper action that pays no bounty (an Automation forwarder without a configured payee). */
export const NO_PAYEE = "0x0000000000000000000000000000000000000000";

export interface RebalanceResult {
  action: Action;
  delta: bigint;
  capped: boolean;
  bounty: bigint;
}

/** Rebalancer.rebalance / ripcord / executeFromUpkeep for `sym`, paid to `keeper` (nothing when it is NO_PAYEE). */
export function rebalancerExecute(w: World, sym: string, mode: Mode, keeper: string): RebalanceResult {
  const p = product(w, sym);
  const { size, eq, price } = tokenSnapshot(w, sym);
  const { action, lev } = evaluate(w, sym);
  const isRipcord = action === Action.RIPCORD;
  if (mode === "RIPCORD") {
    if (!isRipcord) revert("RipcordNotNeeded");
  } else if (action === Action.NONE || (isRipcord && mode === "REBALANCE")) {
    revert("RebalanceNotNeeded");
  }
  const m = p.methodology;
  const auction = keeper === NO_PAYEE ? { amount: 0n, dueSince: 0n } : bountyAndStart(w, sym, action, eq, lev);
  const pay = auction.amount;
  // Sized against the equity left once the bounty is paid; a ripcord also against its own quoted costs.
  const eqTarget = eq - pay * TO_WAD;
  // Rebalancer._aim: a rebalance from outside the inner band stops at its nearer edge; a ripcord goes to target.
  let delta = targetSize(isRipcord ? m.targetLeverage : aimOf(m, lev), eqTarget, price, size > 0n) - size;
  let capped = false;
  if (isRipcord) {
    // Rebalancer._costAwareDelta: one refinement for the trade's own costs, up to two more while they exceed 1/64 of
    // the equity and the delta still moves.
    const refine = (d: bigint): { next: bigint; costs: bigint } => {
      if (d === 0n) return { next: 0n, costs: 0n };
      const q = quote(d, price, w.market.params);
      const priceMove = q.fillPrice > price ? q.fillPrice - price : price - q.fillPrice;
      const costs = mulDivDown(d < 0n ? -d : d, priceMove, WAD) + q.fee;
      return { next: targetSize(m.targetLeverage, eqTarget - costs, price, size > 0n) - size, costs };
    };
    const first = refine(delta);
    delta = first.next;
    if (eqTarget > 0n && first.costs * 64n > eqTarget) {
      for (let i = 0; i < 2; i++) {
        const next = refine(delta).next;
        if (next === delta) break;
        delta = next;
      }
    }
  } else ({ delta, capped } = capDelta(delta, price, m.maxTradeNotional));
  const acceptable =
    delta > 0n ? mulDivDown(price, WAD + m.maxSlippage, WAD) : mulDivDown(price, WAD - m.maxSlippage, WAD);
  p.iterating = capped;
  if (capped) {
    p.duePaid = (action === Action.ITERATE ? (p.duePaid ?? 0n) : 0n) + pay;
    // The chunks that follow keep this due state's auction start.
    if ((p.dueSince ?? 0n) === 0n && auction.dueSince !== 0n) p.dueSince = auction.dueSince;
  } else {
    p.lastRebalance = w.now;
    p.duePaid = 0n;
    p.dueSince = 0n;
  }
  p.bounty.budget -= pay;
  // LeveragedToken.rebalancerTrade
  const idle = bal(w.usdc, p.address);
  let marginDelta: bigint;
  if (idle >= pay) {
    move(w, p.address, keeper, pay);
    marginDelta = idle - pay;
  } else {
    move(w, p.address, keeper, idle);
    marginDelta = -(pay - idle);
  }
  if (delta !== 0n || marginDelta !== 0n) {
    venueOperate(
      w,
      p.address,
      marginDelta > 0n ? marginDelta : 0n,
      marginDelta < 0n ? -marginDelta : 0n,
      delta,
      acceptable,
      keeper,
    );
  }
  if (!capped && m.triggerTtl !== 0) storeTriggers(p, tokenSnapshot(w, sym));
  return { action, delta, capped, bounty: pay };
}

const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_UINT80 = 2n ** 80n - 1n;
const TRIGGER_UNIT = 10n ** 10n;

/** LeverageMath.priceAtLeverage. */
export function priceAtLeverage(size: bigint, cash: bigint, lev: bigint): bigint {
  if (size > 0n) {
    if (cash >= 0n || lev <= WAD) return 0n;
    return (((-cash * lev) / size) * WAD) / (lev - WAD);
  }
  if (size === 0n || cash <= 0n) return 0n;
  return (((cash * lev) / -size) * WAD) / (lev + WAD);
}

/** Rebalancer._storeTriggers after a completed rebalance or ripcord: the position it left at the price it used. */
function storeTriggers(p: ProductModel, after: { size: bigint; eq: bigint; price: bigint }): void {
  const m = p.methodology;
  const { size, eq, price } = after;
  const cash = eq - (size * price) / WAD;
  const top = m.maxLeverage - (m.maxLeverage - m.targetLeverage) / 8n;
  const bottom = m.minLeverage + (m.targetLeverage - m.minLeverage) / 8n;
  let low: bigint;
  let high: bigint;
  if (size > 0n) {
    low = priceAtLeverage(size, cash, top);
    high = bottom > WAD ? priceAtLeverage(size, cash, bottom) : MAX_UINT256;
  } else {
    low = priceAtLeverage(size, cash, bottom);
    high = priceAtLeverage(size, cash, top);
  }
  low = low / TRIGGER_UNIT + 1n;
  high = high / TRIGGER_UNIT < MAX_UINT80 ? high / TRIGGER_UNIT : MAX_UINT80;
  if (!(low * TRIGGER_UNIT < price && price < high * TRIGGER_UNIT)) [low, high] = [0n, 0n];
  p.triggers = { low, high };
  p.triggersSet = high !== 0n;
}

/** Rebalancer._triggerView: the trigger prices (WAD) and until when they answer, or null when there are none. */
export function triggerView(w: World, sym: string): { low: bigint; high: bigint; validUntil: bigint } | null {
  const p = product(w, sym);
  if (p.triggersSet !== true || p.iterating || p.methodology.triggerTtl === 0 || !p.triggers) return null;
  const high = p.triggers.high === MAX_UINT80 ? MAX_UINT256 : p.triggers.high * TRIGGER_UNIT;
  return { low: p.triggers.low * TRIGGER_UNIT, high, validUntil: p.lastRebalance + BigInt(p.methodology.triggerTtl) };
}

/** Whether the trigger prices alone answer NONE now (shouldRebalance's and checkUpkeep's first check). */
export function quietByTriggers(w: World, sym: string): boolean {
  const t = triggerView(w, sym);
  if (t === null || w.now >= t.validUntil) return false;
  const price = oraclePrice(w);
  return t.low < price && price < t.high;
}

/** Rebalancer.shouldRebalance: the trigger prices first, then the rules. */
export function shouldRebalance(w: World, sym: string): Action {
  if (quietByTriggers(w, sym)) return Action.NONE;
  return evaluate(w, sym).action;
}

export const MAX_BATCH = 16;
/** Rebalancer._MAX_OTHER_SIMULATIONS. */
const MAX_OTHER_SIMULATIONS = MAX_BATCH;
/** Where `simulateUpkeep` pays the bounty (the Rebalancer itself; the simulation is undone anyway). */
const SIMULATION_PAYEE = "rebalancer";

/**
 * Rebalancer.checkUpkeep(""), run in block `blockNumber`: scans from `(blockNumber * 16) % n` with wrap-around, keeps
 * the products whose due action would succeed (simulated on a clone, as the contract simulates it in a reverted
 * self-call), at most 16 ripcord and 16 other simulations; ripcords first, then the rest, each in registry order.
 */
export function checkUpkeep(w: World, blockNumber: bigint): { syms: string[]; actions: Action[] } {
  const n = w.order.length;
  const ripcords: number[] = [];
  let others: { i: number; action: Action }[] = [];
  let ripcordSims = 0;
  let otherSims = 0;
  const offset = n === 0 ? 0 : Number((blockNumber * BigInt(MAX_BATCH)) % BigInt(n));
  const succeeds = (sym: string): boolean => attempt(w, (x) => rebalancerExecute(x, sym, "ANY", SIMULATION_PAYEE)).ok;
  for (let k = 0; k < n; k++) {
    const i = (offset + k) % n;
    const sym = w.order[i];
    if (!(sym in w.products)) continue; // products not modelled hold no position: always NONE
    if (w.products[sym].retired === true) continue;
    let action: Action;
    try {
      // Between its trigger prices a product is skipped without reading the venue (an oracle failure skips it too).
      if (quietByTriggers(w, sym)) continue;
      action = evaluate(w, sym).action;
    } catch (e) {
      if (!(e instanceof ModelRevert)) throw e;
      continue;
    }
    if (action === Action.NONE) continue;
    if (action === Action.RIPCORD) {
      if (ripcords.length === MAX_BATCH || ripcordSims === MAX_BATCH) continue;
      ripcordSims++;
      if (!succeeds(sym)) continue;
      ripcords.push(i);
      if (ripcords.length + others.length > MAX_BATCH) others = others.slice(0, -1);
    } else {
      if (ripcords.length + others.length === MAX_BATCH || otherSims === MAX_OTHER_SIMULATIONS) continue;
      otherSims++;
      if (!succeeds(sym)) continue;
      others.push({ i, action });
    }
  }
  ripcords.sort((a, b) => a - b);
  others.sort((a, b) => a.i - b.i);
  return {
    syms: [...ripcords.map((i) => w.order[i]), ...others.map((o) => w.order[o.i])],
    actions: [...ripcords.map(() => Action.RIPCORD), ...others.map((o) => o.action)],
  };
}

/** Rebalancer.performUpkeep: each product in its own try/catch. Returns the products that failed. */
export function performUpkeep(w: World, syms: string[], keeper: string): { world: World; failed: string[] } {
  let cur = w;
  const failed: string[] = [];
  for (const sym of syms) {
    const next = clone(cur);
    try {
      rebalancerExecute(next, sym, "ANY", keeper);
      cur = next;
    } catch (e) {
      if (!(e instanceof ModelRevert)) throw e;
      failed.push(sym);
    }
  }
  return { world: cur, failed };
}

/** Runs `f` on a clone of `w`; returns the new world and the result, or the revert. */
export function attempt<T>(
  w: World,
  f: (x: World) => T,
): { ok: true; world: World; value: T } | { ok: false; error: string } {
  const next = clone(w);
  try {
    const value = f(next);
    return { ok: true, world: next, value };
  } catch (e) {
    if (e instanceof ModelRevert) return { ok: false, error: e.errorName };
    throw e;
  }
}
