/**
 * A small bigint reference model of LeveragedToken's mint/redeem accounting (docs/mechanism.md, "Token accounting"), built
 * only from the venue's own views (`accountSnapshot`, `previewTrade`) and the token's public state. Tests compare
 * the contract's `mint`/`redeem`/previews against it to the wei.
 *
 * Timing: every number here depends on `block.timestamp` (streaming fee, oracle age). Hardhat's `eth_call` on
 * "latest" runs with the *latest mined* block's timestamp, while the next transaction is mined later. The robust way
 * to compare a view with an execution is `pinNextBlock()`: it fixes the next block's timestamp with
 * `time.setNextBlockTimestamp` and returns `{ blockTag: "pending" }`, so views evaluated on the pending block run at
 * exactly the timestamp the next transaction will be mined at (checked empirically on Hardhat 2.29; "latest" would
 * be off by the seconds elapsed). The transaction must then be the very next one sent.
 */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { IVenue, LeveragedToken, MockUSDC, Rebalancer } from "../../typechain-types";
import { DEAD_ADDRESS, DEAD_SHARES } from "../../protocol/constants";

export const WAD = 10n ** 18n;
export const YEAR = 365n * 24n * 3600n;
/** 10 ** (18 - 6): USDC units -> USD WAD. */
export const TO_WAD = 10n ** 12n;
export { DEAD_ADDRESS, DEAD_SHARES }; // the protocol module's

export type BlockOverrides = { blockTag: "pending" };
/** Overrides for the pinned next block, with the timestamp it was pinned at. */
export type PinnedBlock = BlockOverrides & { timestamp: number };

export const mulDivDown = (a: bigint, b: bigint, d: bigint): bigint => (a * b) / d;
export const mulDivUp = (a: bigint, b: bigint, d: bigint): bigint => (a * b + d - 1n) / d;
const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** Fixes the next block's timestamp (latest + `seconds`) and returns overrides that read views at that block. */
export async function pinNextBlock(seconds = 1): Promise<PinnedBlock> {
  const timestamp = (await time.latest()) + seconds;
  await time.setNextBlockTimestamp(timestamp);
  return { blockTag: "pending", timestamp };
}

export interface ModelContext {
  token: LeveragedToken;
  venue: IVenue;
  usdc: MockUSDC;
  rebalancer: Rebalancer;
}

export interface TokenState {
  size: bigint;
  /** Venue equity plus idle collateral, USD WAD. */
  equity: bigint;
  price: bigint;
  idleWad: bigint;
  supply: bigint;
  /** Streaming-fee shares that the next action at `timestamp` mints to the treasury. */
  feeShares: bigint;
  /** The token's fee rates. */
  fees: Awaited<ReturnType<LeveragedToken["fees"]>>;
}

/** Streaming-fee shares for `supply` after `elapsed` seconds at `rate` (WAD per year), as docs/mechanism.md words it. */
export function streamingFeeShares(supply: bigint, size: bigint, rate: bigint, elapsed: bigint): bigint {
  if (supply === 0n || rate === 0n || size === 0n) return 0n;
  let fraction = mulDivDown(rate, elapsed, YEAR);
  if (fraction === 0n) return 0n;
  fraction = min(fraction, WAD / 2n);
  return mulDivDown(supply, fraction, WAD - fraction);
}

/** The product's state as the next block (pinned at `timestamp`) will see it. */
export async function readState(ctx: ModelContext, o: PinnedBlock): Promise<TokenState> {
  const address = await ctx.token.getAddress();
  const [size, venueEquity, price] = await ctx.venue.accountSnapshot(address, o);
  const idle = await ctx.usdc.balanceOf(address, o);
  const supply = await ctx.token.totalSupply(o);
  const fees = await ctx.token.fees(o);
  const last = await ctx.token.lastFeeAccrual(o);
  const feeShares = streamingFeeShares(supply, size, fees.streamingFeeRate, BigInt(o.timestamp) - last);
  return { size, equity: venueEquity + idle * TO_WAD, price, idleWad: idle * TO_WAD, supply, feeShares, fees };
}

export interface MintQuote {
  fee: bigint;
  net: bigint;
  sizeDelta: bigint;
  equityBefore: bigint;
  equityAfter: bigint;
  /** Supply including the streaming-fee shares accrued first. */
  supply: bigint;
  feeShares: bigint;
  shares: bigint;
}

/** What `mint(collateralIn)` gives in the pinned block; shares 0 means the contract must revert. */
/** LeveragedToken's `_MINT_COST_REFINEMENTS`. */
const MINT_COST_REFINEMENTS = 4;
const MINT_SIZE_SETTLED = 10n ** 6n;

export async function quoteMint(ctx: ModelContext, collateralIn: bigint, o: PinnedBlock): Promise<MintQuote> {
  const st = await readState(ctx, o);
  const fee = mulDivUp(collateralIn, st.fees.mintFeeRate, WAD);
  const net = collateralIn - fee;
  const supply = st.supply + st.feeShares;
  const added = net * TO_WAD;
  const target =
    st.supply === 0n ? (await ctx.rebalancer.methodology(await ctx.token.getAddress(), o)).targetLeverage : 0n;
  const isLong = await ctx.token.isLong();
  // The first mint opens at target on the whole equity, later ones grow pro rata; either way for the equity the
  // mint adds after its own trading costs, solved (at most 4 quotes) until the delta settles.
  const deltaFor = (addedWad: bigint): bigint => {
    if (target !== 0n) {
      const magnitude = mulDivDown(target, st.equity + addedWad, st.price);
      return (isLong ? magnitude : -magnitude) - st.size;
    }
    const magnitude = mulDivDown(abs(st.size), addedWad, st.equity);
    return st.size >= 0n ? magnitude : -magnitude;
  };
  let sizeDelta = deltaFor(added);
  let afterCosts = added; // a' = added * a / (a + costs(size(a)))
  for (let i = 0; i < MINT_COST_REFINEMENTS && sizeDelta !== 0n; i++) {
    const [fill, tradeFee] = await ctx.venue.quoteTradeAt(sizeDelta, st.price, o);
    const costs = mulDivDown(abs(sizeDelta), fill > st.price ? fill - st.price : st.price - fill, WAD) + tradeFee;
    afterCosts = mulDivDown(added, afterCosts, afterCosts + costs);
    const next = deltaFor(afterCosts);
    // Settled once a step moves the size by at most 1e-6 of it (LeveragedToken._MINT_SIZE_SETTLED).
    const settled = abs(next - sizeDelta) <= abs(next) / MINT_SIZE_SETTLED;
    sizeDelta = next;
    if (settled) break;
  }
  let equityAfter = st.equity + added;
  if (sizeDelta !== 0n) {
    // previewTrade runs on the account before the deposit; the deposit adds `added` to margin one for one.
    const [, , venueEquity] = await ctx.venue.previewTrade(await ctx.token.getAddress(), sizeDelta, o);
    equityAfter = venueEquity + added + st.idleWad;
  }
  let shares = 0n;
  if (equityAfter > st.equity) {
    if (st.supply === 0n) shares = equityAfter > DEAD_SHARES ? equityAfter - DEAD_SHARES : 0n;
    else shares = mulDivDown(supply, equityAfter - st.equity, st.equity);
  }
  return { fee, net, sizeDelta, equityBefore: st.equity, equityAfter, supply, feeShares: st.feeShares, shares };
}

export interface RedeemQuote {
  sizeDelta: bigint;
  equityBefore: bigint;
  equityAfter: bigint;
  supply: bigint;
  feeShares: bigint;
  /** ceil(E_before * (S - s) / S): what the remaining holders must keep (USD WAD). */
  keep: bigint;
  gross: bigint;
  fee: bigint;
  out: bigint;
}

/** What `redeem(sharesIn)` pays in the pinned block. */
export async function quoteRedeem(ctx: ModelContext, sharesIn: bigint, o: PinnedBlock): Promise<RedeemQuote> {
  const st = await readState(ctx, o);
  const supply = st.supply + st.feeShares;
  const magnitude = mulDivDown(abs(st.size), sharesIn, supply);
  const sizeDelta = st.size >= 0n ? -magnitude : magnitude;
  let equityAfter = st.equity;
  if (st.equity > 0n && sizeDelta !== 0n) {
    const [, , venueEquity] = await ctx.venue.previewTrade(await ctx.token.getAddress(), sizeDelta, o);
    equityAfter = venueEquity + st.idleWad;
  }
  const keep = st.equity > 0n ? mulDivUp(st.equity, supply - sharesIn, supply) : 0n;
  const gross = st.equity > 0n && equityAfter > keep ? (equityAfter - keep) / TO_WAD : 0n;
  const fee = mulDivUp(gross, st.fees.redeemFeeRate, WAD);
  return {
    sizeDelta,
    equityBefore: st.equity,
    equityAfter,
    supply,
    feeShares: st.feeShares,
    keep,
    gross,
    fee,
    out: gross - fee,
  };
}

/** The product's equity (venue + idle, USD WAD, signed) at the latest block. */
export async function equityNow(ctx: ModelContext): Promise<bigint> {
  const address = await ctx.token.getAddress();
  const [, venueEquity] = await ctx.venue.accountSnapshot(address);
  return venueEquity + (await ctx.usdc.balanceOf(address)) * TO_WAD;
}
