/**
 * The venue conformance checks: what every IVenue implementation must do, each as a named function that loads a
 * fresh harness, exercises the venue through `IVenue` only and throws (a chai AssertionError, or fast-check's report
 * of a counterexample) on the first violation. ./behaviour.ts turns them into `it`s; ./wrong-venues.test.ts runs
 * them against deliberately wrong venues and asserts which ones throw.
 *
 * Exactness: the checks compare to the wei. Fills and fees come from the venue's own return values (a static call
 * of the same operation in the same pending block, then the operation itself, mined at that block's timestamp);
 * the suite only adds them up, rounding as IVenue's units imply (a position is marked towards -infinity, a trade's
 * cash cost is rounded against the trader).
 */
import { AssertionError, expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IOracleAdapter } from "../../typechain-types";
import {
  WAD,
  Settlement,
  abs,
  ceilDiv,
  floorDiv,
  fmt,
  markValue,
  nextTimestamp,
  notional,
  sizeFor,
  tradeCost,
  type Capability,
  type Side,
  type VenueErrors,
  type VenueHarness,
  type VenueImplementation,
} from "./harness";

// ---------------------------------------------------------------------------------------------------------------
// Property-test budget: fixed seeds, documented run counts (about 0.1 s per run on the in-process network)
// ---------------------------------------------------------------------------------------------------------------

/** Runs of the preview-versus-execution property (each: a fresh fixture, an opening, a wait, a price move, a trade). */
export const PREVIEW_RUNS = 40;
export const PREVIEW_SEED = 20_250_612;
/** Runs of the quoteTradeAt-versus-previewTrade property (each: a price move and three reads). */
export const QUOTE_RUNS = 30;
export const QUOTE_SEED = 612_2025;

/** Funding rates drawn by the preview property: up to 0.01% of the price per hour. */
const MAX_PROPERTY_FUNDING_RATE = 10n ** 14n / 3600n;
/** The funding rate of the funding check: 0.01% of the price per hour, longs pay. */
const FUNDING_RATE = 10n ** 14n / 3600n;

export type { Side };
const SIDES: readonly Side[] = ["long", "short"];
const sign = (side: Side): bigint => (side === "long" ? 1n : -1n);

// ---------------------------------------------------------------------------------------------------------------
// Helpers: every trade goes through `execute`, every read of state at a known block
// ---------------------------------------------------------------------------------------------------------------

interface Snapshot {
  readonly size: bigint;
  readonly equity: bigint;
  readonly price: bigint;
}

interface Execution {
  readonly fillPrice: bigint;
  readonly fee: bigint;
  readonly equityAfter: bigint;
  readonly timestamp: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Semantics: the exact form for a perp, the weaker form a VenueSemantics declares (./harness.ts)
// ---------------------------------------------------------------------------------------------------------------

/** The highest leverage the checks open at, nominally (what maxTestLeverage stands for). */
const NOMINAL_MAX_TEST_LEVERAGE = 15n * WAD;

/** `preferred` if the venue serves it, else the side it serves (side-neutral checks on a one-sided venue). */
function sideFor(impl: VenueImplementation, preferred: Side): Side {
  return impl.semantics.sides.includes(preferred) ? preferred : impl.semantics.sides[0];
}

/** A check's nominal leverage, scaled to the implementation's maxTestLeverage. */
function lev(impl: VenueImplementation, nominal: bigint): bigint {
  const max = impl.semantics.maxTestLeverage;
  return max === undefined ? nominal : (nominal * max) / NOMINAL_MAX_TEST_LEVERAGE;
}

/** A nominal adverse move (percent) meant to take a nominal position into negative equity, scaled likewise. */
function adverseMove(impl: VenueImplementation, pct: number): number {
  const max = impl.semantics.maxTestLeverage;
  return max === undefined ? pct : (pct * Number(NOMINAL_MAX_TEST_LEVERAGE)) / Number(max);
}

/** The interest a venue may accrue on an account of `notional` and `equity` (USD WAD) over `seconds`, plus rounding. */
function carryBound(impl: VenueImplementation, gross: bigint, seconds: number): bigint {
  const { carryPerSecond, roundingSlackWad } = impl.semantics;
  return (abs(gross) * carryPerSecond * BigInt(Math.max(seconds, 0))) / WAD + roundingSlackWad;
}

/** How far a size may drift from what was traded: rounding, plus interest on a borrowed base over `seconds`. */
function sizeBound(impl: VenueImplementation, size: bigint, seconds: number): bigint {
  const { carryPerSecond, sizeSlackWad } = impl.semantics;
  return (abs(size) * carryPerSecond * BigInt(Math.max(seconds, 0))) / WAD + sizeSlackWad;
}

/** `actual` equals `expected` (slack 0: chai's exact equality, as for a perp) or is within `slack` of it. */
function expectNear(actual: bigint, expected: bigint, slack: bigint, message: string): void {
  if (slack === 0n) {
    expect(actual, message).to.equal(expected);
  } else {
    ensure(
      abs(actual - expected) <= slack,
      `${message}: ${fmt(actual)} vs ${fmt(expected)}, off by ${fmt(actual - expected)} (slack ${fmt(slack)})`,
    );
  }
}

/** Throws an AssertionError with `message` unless `condition` holds. */
function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Awaits `step`; a revert or error it throws is rethrown as an AssertionError that says which step it was. */
async function expectSuccess<T>(what: string, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (e) {
    throw new AssertionError(`${what} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Collateral units for `whole` whole tokens. */
function units(h: VenueHarness, whole: bigint): bigint {
  return whole * 10n ** BigInt(h.collateralDecimals);
}

/** Collateral units to USD WAD. */
function toWad(h: VenueHarness, amount: bigint): bigint {
  return amount * 10n ** BigInt(18 - h.collateralDecimals);
}

/** No bound: the most a buyer accepts, the least a seller accepts. */
function unbounded(sizeDelta: bigint): bigint {
  return sizeDelta > 0n ? ethers.MaxUint256 : 0n;
}

async function snapshot(
  h: VenueHarness,
  account: string,
  blockTag: "latest" | "pending" = "latest",
): Promise<Snapshot> {
  const [size, equity, price] = await h.venue.accountSnapshot(account, { blockTag });
  return { size, equity, price };
}

/** Leverage (WAD) of a snapshot: notional over equity; the caller ensures equity > 0. */
function leverageOf(s: Snapshot): bigint {
  return (notional(s.size, s.price) * WAD) / s.equity;
}

/**
 * `modifyPositionWithMargin` by `trader`, mined in a block whose timestamp is fixed in advance (`at`, already set
 * with setNextBlockTimestamp, or the latest block's plus one); its return values are those of a static call of the
 * same operation in that same (pending) block.
 */
async function execute(
  h: VenueHarness,
  trader: HardhatEthersSigner,
  marginDelta: bigint,
  sizeDelta: bigint,
  acceptablePrice: bigint = unbounded(sizeDelta),
  recipient: string = ethers.ZeroAddress,
  at?: number,
): Promise<Execution> {
  const timestamp = at ?? (await nextTimestamp());
  const venue = h.venue.connect(trader);
  const [fillPrice, fee, equityAfter] = await venue.modifyPositionWithMargin.staticCall(
    marginDelta,
    sizeDelta,
    acceptablePrice,
    recipient,
    { blockTag: "pending" },
  );
  const receipt = await (
    await venue.modifyPositionWithMargin(marginDelta, sizeDelta, acceptablePrice, recipient)
  ).wait();
  const block = receipt === null ? null : await ethers.provider.getBlock(receipt.blockNumber);
  if (block?.timestamp !== timestamp) throw new Error(`execution mined at ${block?.timestamp}, expected ${timestamp}`);
  return { fillPrice, fee, equityAfter, timestamp };
}

/** Funds `trader` with `deposit` units, deposits it and opens `size` in one call. */
async function open(h: VenueHarness, trader: HardhatEthersSigner, deposit: bigint, size: bigint): Promise<Execution> {
  await h.fund(trader, deposit);
  return execute(h, trader, deposit, size);
}

/** The size of a `side` position of `leverage` (WAD) times `deposit` (units) at the oracle's price. */
async function sizeAtLeverage(h: VenueHarness, side: Side, deposit: bigint, leverage: bigint): Promise<bigint> {
  return sign(side) * sizeFor((toWad(h, deposit) * leverage) / WAD, await h.price());
}

/** A position opened by `openAtLeverage`: the deposit (units), the size and the opening's execution. */
interface Opened {
  readonly deposit: bigint;
  readonly size: bigint;
  readonly opening: Execution;
}

/**
 * Funds `trader` with `whole` collateral tokens, deposits them and opens a `side` position of `leverage` (WAD) times
 * the deposit at the oracle's price, in one call.
 */
async function openAtLeverage(
  h: VenueHarness,
  trader: HardhatEthersSigner,
  side: Side,
  leverage: bigint,
  whole = 10_000n,
): Promise<Opened> {
  const deposit = units(h, whole);
  const size = await sizeAtLeverage(h, side, deposit, leverage);
  return { deposit, size, opening: await open(h, trader, deposit, size) };
}

/** Asserts a revert, with the implementation's own error when the harness names it. */
async function expectVenueRevert(
  h: VenueHarness,
  attempt: Promise<unknown>,
  kind: Exclude<keyof VenueErrors, "source">,
): Promise<void> {
  const name = h.errors?.[kind];
  if (h.errors !== undefined && name !== undefined) {
    await expect(attempt).to.be.revertedWithCustomError(h.errors.source, name);
  } else {
    await expect(attempt).to.be.reverted;
  }
}

/**
 * Runs `attempt` (which must revert) and asserts that the accounts' snapshots and the collateral balances of
 * `addresses` (and the venue's) are what they were, read at the same timestamp before and after.
 */
async function expectUnchanged(
  h: VenueHarness,
  accounts: readonly string[],
  addresses: readonly string[],
  attempt: () => Promise<void>,
): Promise<void> {
  const at = await nextTimestamp();
  const watched = [...addresses, h.venueAddress];
  const before = await Promise.all(accounts.map((a) => snapshot(h, a, "pending")));
  const balancesBefore = await Promise.all(watched.map((a) => h.balanceOf(a)));
  await attempt();
  // A reverted transaction may or may not have been mined (at `at`); either way read the state at `at`.
  const tag = (await time.latest()) === at ? "latest" : "pending";
  const after = await Promise.all(accounts.map((a) => snapshot(h, a, tag)));
  const balancesAfter = await Promise.all(watched.map((a) => h.balanceOf(a)));
  accounts.forEach((a, i) => {
    expect(after[i].size, `size of ${a} after a reverted operation`).to.equal(before[i].size);
    expect(after[i].equity, `equity of ${a} after a reverted operation`).to.equal(before[i].equity);
  });
  watched.forEach((a, i) => {
    expect(balancesAfter[i], `collateral balance of ${a} after a reverted operation`).to.equal(balancesBefore[i]);
  });
}

/** The largest grid price at or below `p`, and the smallest at or above it. */
const gridDown = (p: bigint, tick: bigint): bigint => (p / tick) * tick;
const gridUp = (p: bigint, tick: bigint): bigint => ceilDiv(p, tick) * tick;

// ---------------------------------------------------------------------------------------------------------------
// (1) Valuation consistent with trades and fees
// ---------------------------------------------------------------------------------------------------------------

/**
 * After `modifyPositionWithMargin(deposit, size, bound, 0)`: size == requested, the snapshot's price is the oracle's,
 * equity == deposit - fee - impact cost, where impact cost = ceil(size * fill) - floor(size * mark) (what the fill
 * costs beyond the mark); the call's own equityAfter agrees.
 */
export async function checkOpeningValuation(impl: VenueImplementation, side: Side): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  const { deposit, size, opening: r } = await openAtLeverage(h, trader, side, lev(impl, 5n * WAD));
  const s = await snapshot(h, trader.address);
  expectNear(s.size, size, impl.semantics.sizeSlackWad, "accountSnapshot size after opening");
  expect(s.price, "accountSnapshot price vs the oracle's price").to.equal(await h.price());
  const impactCost = tradeCost(size, r.fillPrice) - markValue(size, s.price);
  ensure(impactCost >= 0n, `the ${side} fill ${fmt(r.fillPrice)} is on the trader's side of the mark`);
  expectNear(
    s.equity,
    toWad(h, deposit) - r.fee - impactCost,
    impl.semantics.roundingSlackWad,
    `equity after opening ${fmt(size)} on ${fmt(toWad(h, deposit))} USD: deposit - fee ${fmt(r.fee)} - impact cost ` +
      `${fmt(impactCost)}`,
  );
  expect(r.equityAfter, "modifyPositionWithMargin's equityAfter vs accountSnapshot's equity").to.equal(s.equity);
}

/**
 * Opening and closing at an unchanged price loses exactly the two fees and the two fills' impact costs. The close is
 * of the size accountSnapshot reports in its block; a venue with interest (`carryPerSecond`) also gains or loses
 * what accrued between the two blocks, measured from accountSnapshot and bounded (for a perp: exactly nothing).
 */
export async function checkRoundTripCost(impl: VenueImplementation, side: Side): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  const { deposit, size, opening: opened } = await openAtLeverage(h, trader, side, lev(impl, 5n * WAD));
  const afterOpening = await snapshot(h, trader.address);
  const at = await nextTimestamp();
  const beforeClose = await snapshot(h, trader.address, "pending");
  const carry = beforeClose.equity - afterOpening.equity;
  expectNear(
    carry,
    0n,
    carryBound(impl, notional(size, afterOpening.price) + afterOpening.equity, at - opened.timestamp),
    `equity carried between the opening and the close (${at - opened.timestamp} s)`,
  );
  const closed = await execute(h, trader, 0n, -beforeClose.size, unbounded(-beforeClose.size), ethers.ZeroAddress, at);
  const s = await snapshot(h, trader.address);
  expectNear(s.size, 0n, impl.semantics.sizeSlackWad, "size after the round trip");
  // At an unchanged mark the two fills' cash flows net to their two impact costs (size x mark cancels out; when
  // interest changed the size in between, the difference is marked).
  const impacts = tradeCost(size, opened.fillPrice) + tradeCost(-beforeClose.size, closed.fillPrice);
  const drift = markValue(size, afterOpening.price) - markValue(beforeClose.size, beforeClose.price);
  ensure(impacts + drift >= 0n, "the round trip's fills cost the trader, never pay");
  expectNear(
    s.equity,
    toWad(h, deposit) - opened.fee - closed.fee - impacts + drift + carry,
    impl.semantics.roundingSlackWad,
    `equity after a ${side} round trip: deposit - fees (${fmt(opened.fee)}, ${fmt(closed.fee)}) - impacts ${fmt(impacts)}` +
      (carry === 0n ? "" : ` + carry ${fmt(carry)}`),
  );
}

/** With the position unchanged, equity moves by exactly floor(size * P1) - floor(size * P0) as the price moves. */
export async function checkMarkToMarket(impl: VenueImplementation, side: Side): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  const { size } = await openAtLeverage(h, trader, side, lev(impl, 5n * WAD));
  const s0 = await snapshot(h, trader.address);
  const t0 = await time.latest();
  for (const pct of [3.7, -6.13, 0.01, -0.5]) {
    const price = await h.movePrice(pct);
    const s = await snapshot(h, trader.address);
    const seconds = (await time.latest()) - t0;
    expect(s.price, "accountSnapshot price vs the oracle's after a move").to.equal(price);
    expectNear(s.size, size, sizeBound(impl, size, seconds), "size after a price move");
    // With interest (carryPerSecond) the cash part of equity moves too: measured and bounded; a perp's must not.
    const change = markValue(s.size, price) - markValue(s0.size, s0.price);
    expectNear(
      s.equity - s0.equity,
      change,
      carryBound(impl, notional(size, price) + s0.equity, seconds),
      `equity change of ${fmt(size)} from ${fmt(s0.price)} to ${fmt(price)}`,
    );
  }
}

/**
 * Equity includes funding owed up to now: with longs paying a positive rate, a long's equity falls and a short's
 * rises by size * rate * seconds * price (within 1e-9 of it plus 10 wei of rounding); previewTrade(account, 0) and a
 * margin-only operation in the same block agree with the snapshot. Capability `funding`.
 */
export async function checkFundingAccruesIntoEquity(impl: VenueImplementation): Promise<void> {
  const h = await impl.load();
  const [long, short] = h.traders;
  await h.setFundingRate(FUNDING_RATE);
  const { deposit, size } = await openAtLeverage(h, long, "long", 5n * WAD);
  await open(h, short, deposit, -size);
  const t0 = await time.latest();
  const long0 = await snapshot(h, long.address);
  const short0 = await snapshot(h, short.address);
  await h.advanceTime(8 * 3600);
  const t1 = await nextTimestamp();
  const long1 = await snapshot(h, long.address, "pending");
  const short1 = await snapshot(h, short.address, "pending");
  const expected = (size * FUNDING_RATE * BigInt(t1 - t0) * long0.price) / WAD / WAD;
  const slack = expected / 10n ** 9n + 10n;
  const paid = long0.equity - long1.equity;
  const received = short1.equity - short0.equity;
  ensure(expected > 0n, "set-up: funding accrues");
  ensure(abs(paid - expected) <= slack, `funding paid by the long ${fmt(paid)} vs ${fmt(expected)}`);
  ensure(abs(received - expected) <= slack, `funding received by the short ${fmt(received)} vs ${fmt(expected)}`);
  const [, , previewEquity] = await h.venue.previewTrade(long.address, 0n, { blockTag: "pending" });
  expect(previewEquity, "previewTrade(account, 0) equity vs accountSnapshot in the same block").to.equal(long1.equity);
  const oneUnit = units(h, 1n);
  await h.fund(long, oneUnit);
  const r = await execute(h, long, oneUnit, 0n);
  expect(r.equityAfter, "a margin-only operation's equityAfter vs accountSnapshot in its block").to.equal(
    (await snapshot(h, long.address)).equity,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// (2) previewTrade and quoteTradeAt
// ---------------------------------------------------------------------------------------------------------------

type TradeKind = "grow" | "reduce" | "close" | "flip";

interface PreviewScenario {
  readonly start: -1n | 0n | 1n; // no position, a long or a short
  readonly startSize: bigint;
  readonly kind: TradeKind; // when flat: an opening of `extra`, buying when `buyWhenFlat`
  readonly buyWhenFlat: boolean;
  readonly partPerMille: bigint;
  readonly extra: bigint;
  readonly movePpm: number;
  readonly wait: number; // seconds between the opening and the price move
  readonly gap: number; // seconds between the price move and the trade's block
  readonly fundingRate: bigint;
}

function scenarioDelta(s: PreviewScenario): bigint {
  if (s.start === 0n) return (s.buyWhenFlat ? 1n : -1n) * s.extra;
  const size = s.start * s.startSize;
  switch (s.kind) {
    case "grow":
      return s.start * s.extra;
    case "reduce":
      return (-size * s.partPerMille) / 1000n;
    case "close":
      return -size;
    case "flip":
      return -size - s.start * s.extra;
  }
}

/** On a one-sided venue: starts flat or on its side, opens only on its side, never flips. */
function previewScenarios(
  funding: boolean,
  sides: readonly Side[],
  minTradeSize?: bigint,
): fc.Arbitrary<PreviewScenario> {
  const oneSide = sides.length === 1 ? sign(sides[0]) : undefined;
  return fc.record({
    start:
      oneSide === undefined
        ? fc.constantFrom<-1n | 0n | 1n>(-1n, 0n, 1n)
        : fc.constantFrom<-1n | 0n | 1n>(0n, oneSide as -1n | 1n),
    startSize: fc.bigInt(10n ** 15n, 2n * WAD),
    kind:
      oneSide === undefined
        ? fc.constantFrom<TradeKind>("grow", "reduce", "close", "flip")
        : fc.constantFrom<TradeKind>("grow", "reduce", "close"),
    buyWhenFlat: oneSide === undefined ? fc.boolean() : fc.constant(oneSide > 0n),
    partPerMille: fc.bigInt(1n, 999n),
    extra: fc.bigInt(minTradeSize ?? 10n ** 9n, 2n * WAD),
    movePpm: fc.integer({ min: -150_000, max: 150_000 }),
    wait: fc.integer({ min: 1, max: 2 * 86_400 }),
    gap: fc.integer({ min: 1, max: 600 }),
    fundingRate: funding ? fc.bigInt(-MAX_PROPERTY_FUNDING_RATE, MAX_PROPERTY_FUNDING_RATE) : fc.constant(0n),
  });
}

/**
 * Property: previewTrade(account, delta) read in the very block the trade then executes in (its timestamp fixed
 * with setNextBlockTimestamp, derived from the chain) equals the execution to the wei or is worse for the trader:
 * a buy's fill no lower, a sell's no higher, the fee no lower, equityAfter no higher. Random sizes over opens,
 * grows, reductions, full closes and flips on both sides, after a random wait (funding running when the venue has
 * it) and a random price move.
 */
export async function checkPreviewNeverBetterThanExecution(impl: VenueImplementation): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      previewScenarios(impl.capabilities.funding, impl.semantics.sides, impl.semantics.minTradeSize),
      async (s) => {
        const h = await impl.load();
        const [trader] = h.traders;
        if (s.fundingRate !== 0n) await h.setFundingRate(s.fundingRate);
        const deposit = units(h, 100_000n);
        await open(h, trader, deposit, s.start * s.startSize);
        await h.advanceTime(s.wait);
        await h.movePrice(s.movePpm / 10_000);
        const delta = scenarioDelta(s);
        const before = await snapshot(h, trader.address);

        const at = await nextTimestamp(s.gap);
        const [pFill, pFee, pEquity] = await h.venue.previewTrade(trader.address, delta, { blockTag: "pending" });
        const e = await execute(h, trader, 0n, delta, unbounded(delta), ethers.ZeroAddress, at);
        expectNear(
          (await snapshot(h, trader.address)).size,
          before.size + delta,
          sizeBound(impl, before.size, s.gap),
          "size after execution",
        );

        const what = `previewTrade(${fmt(delta)}) on a position of ${fmt(before.size)}`;
        if (delta > 0n) {
          ensure(
            pFill >= e.fillPrice,
            `${what}: fill ${fmt(pFill)} is better for a buyer than execution's ${fmt(e.fillPrice)}`,
          );
        } else {
          ensure(
            pFill <= e.fillPrice,
            `${what}: fill ${fmt(pFill)} is better for a seller than execution's ${fmt(e.fillPrice)}`,
          );
        }
        ensure(pFee >= e.fee, `${what}: fee ${fmt(pFee)} is lower than execution's ${fmt(e.fee)}`);
        ensure(
          pEquity <= e.equityAfter,
          `${what}: equityAfter ${fmt(pEquity)} is higher than execution's ${fmt(e.equityAfter)}`,
        );
      },
    ),
    { seed: PREVIEW_SEED, numRuns: PREVIEW_RUNS, endOnFailure: true },
  );
}

/**
 * Property: quoteTradeAt(delta, mark), read while the oracle is elsewhere, returns the fill and fee previewTrade
 * returns for the same delta once the oracle is at `mark`.
 */
export async function checkQuoteTradeAtAgreesWithPreview(impl: VenueImplementation): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  await openAtLeverage(h, trader, sideFor(impl, "long"), lev(impl, 3n * WAD), 100_000n);
  const p0 = await h.price();
  await fc.assert(
    fc.asyncProperty(
      fc.bigInt(10n ** 9n, 5n * WAD),
      fc.boolean(),
      fc.integer({ min: -300_000, max: 300_000 }),
      async (magnitude, buy, movePpm) => {
        const delta = buy ? magnitude : -magnitude;
        const mark = gridDown((p0 * BigInt(1_000_000 + movePpm)) / 1_000_000n, h.priceTick);
        const [qFill, qFee] = await h.venue.quoteTradeAt(delta, mark);
        await h.setPrice(mark);
        const [pFill, pFee] = await h.venue.previewTrade(trader.address, delta);
        const what = `quoteTradeAt(${fmt(delta)}, ${fmt(mark)}) vs previewTrade at that mark`;
        expect(qFill, `${what}: fill`).to.equal(pFill);
        expect(qFee, `${what}: fee`).to.equal(pFee);
      },
    ),
    { seed: QUOTE_SEED, numRuns: QUOTE_RUNS, endOnFailure: true },
  );
}

/** previewTrade(account, 0) is no trade: the mark as the fill, no fee, the account's equity now. */
export async function checkPreviewWithoutTrade(impl: VenueImplementation): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  await openAtLeverage(h, trader, sideFor(impl, "short"), lev(impl, 4n * WAD));
  await h.movePrice(-1.5);
  const s = await snapshot(h, trader.address);
  const [fill, fee, equityAfter] = await h.venue.previewTrade(trader.address, 0n);
  expect(fill, "previewTrade(account, 0) fill vs the mark").to.equal(s.price);
  expect(fee, "previewTrade(account, 0) fee").to.equal(0n);
  expect(equityAfter, "previewTrade(account, 0) equityAfter vs accountSnapshot's equity").to.equal(s.equity);
}

// ---------------------------------------------------------------------------------------------------------------
// (3) Margin and withdrawal rules
// ---------------------------------------------------------------------------------------------------------------

/**
 * The set-up of the maxLeverage checks: a 10x long on 10k (a short on a short-only venue; leverage scaled to
 * maxTestLeverage), maxLeverage(), and the size that puts the position at `percent`% of maxLeverage() times its
 * equity now.
 */
async function longWithTarget(
  impl: VenueImplementation,
  percent: bigint,
): Promise<{ h: VenueHarness; trader: HardhatEthersSigner; size: bigint; max: bigint; target: bigint }> {
  const h = await impl.load();
  const [trader] = h.traders;
  const side = sideFor(impl, "long");
  const { size } = await openAtLeverage(h, trader, side, lev(impl, 10n * WAD));
  const max = await h.venue.maxLeverage();
  const s0 = await snapshot(h, trader.address);
  return {
    h,
    trader,
    size,
    max,
    target: sign(side) * sizeFor((((s0.equity * max) / WAD) * percent) / 100n, s0.price),
  };
}

/** Growing a position to 95% of maxLeverage() (measured on the equity before the trade) succeeds. */
export async function checkGrowWithinMaxLeverage(impl: VenueImplementation): Promise<void> {
  const { h, trader, size, max, target } = await longWithTarget(impl, 95n);
  await expectSuccess(`growing to 95% of maxLeverage ${fmt(max)}`, execute(h, trader, 0n, target - size));
  const s1 = await snapshot(h, trader.address);
  expectNear(s1.size, target, sizeBound(impl, size, 2), "size after growing within maxLeverage");
  ensure(leverageOf(s1) <= max, `leverage ${fmt(leverageOf(s1))} after growing, maxLeverage ${fmt(max)}`);
}

/**
 * Growing a position to 101% of maxLeverage() times the equity before the trade (so beyond it whatever the trade
 * costs) reverts and leaves the account and balances unchanged.
 */
export async function checkGrowBeyondMaxLeverageReverts(impl: VenueImplementation): Promise<void> {
  const { h, trader, size, target } = await longWithTarget(impl, 101n);
  await expectUnchanged(h, [trader.address], [trader.address], () =>
    expectVenueRevert(
      h,
      h.venue.connect(trader).modifyPositionWithMargin(0n, target - size, ethers.MaxUint256, ethers.ZeroAddress),
      "insufficientMargin",
    ),
  );
}

/**
 * Free margin = what keeps leverage at or under maxLeverage(): one collateral unit more reverts and changes nothing,
 * with a position (10x) and without one (the whole deposit plus one unit).
 */
export async function checkWithdrawBeyondFreeMarginReverts(impl: VenueImplementation): Promise<void> {
  const h = await impl.load();
  const [flat, holder] = h.traders;
  const deposit = units(h, 10_000n);
  await open(h, flat, deposit, 0n);
  await expectUnchanged(h, [flat.address], [flat.address, h.recipient.address], () =>
    expectVenueRevert(
      h,
      h.venue.connect(flat).modifyPositionWithMargin(-(deposit + 1n), 0n, 0n, h.recipient.address),
      "withdrawalExceedsFree",
    ),
  );

  await open(h, holder, deposit, await sizeAtLeverage(h, sideFor(impl, "long"), deposit, lev(impl, 10n * WAD)));
  const max = await h.venue.maxLeverage();
  await nextTimestamp();
  const s = await snapshot(h, holder.address, "pending");
  const unit = toWad(h, 1n);
  const free = floorDiv(s.equity - ceilDiv(notional(s.size, s.price) * WAD, max), unit);
  await expectUnchanged(h, [holder.address], [holder.address, h.recipient.address], () =>
    expectVenueRevert(
      h,
      h.venue.connect(holder).modifyPositionWithMargin(-(free + 1n), 0n, 0n, h.recipient.address),
      "withdrawalExceedsFree",
    ),
  );
}

/** Withdrawing exactly the free margin of a 10x position pays the recipient and leaves leverage <= maxLeverage. */
export async function checkWithdrawFreeMargin(impl: VenueImplementation): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  await openAtLeverage(h, trader, sideFor(impl, "short"), lev(impl, 10n * WAD));
  const max = await h.venue.maxLeverage();
  const paidBefore = await h.balanceOf(h.recipient.address);
  // The free margin as accountSnapshot reports it in the block the withdrawal is mined in.
  const at = await nextTimestamp();
  const s0 = await snapshot(h, trader.address, "pending");
  const unit = toWad(h, 1n);
  const free = floorDiv(s0.equity - ceilDiv(notional(s0.size, s0.price) * WAD, max), unit);
  ensure(free > 0n, "a 10x position has free margin under a higher maxLeverage");
  const r = await expectSuccess(
    `withdrawing the free margin (${free} units, from accountSnapshot and maxLeverage)`,
    execute(h, trader, -free, 0n, 0n, h.recipient.address, at),
  );
  expect((await h.balanceOf(h.recipient.address)) - paidBefore, "collateral paid to the recipient").to.equal(free);
  const s1 = await snapshot(h, trader.address);
  expectNear(
    s1.equity,
    s0.equity - free * unit,
    impl.semantics.roundingSlackWad,
    "equity after withdrawing: less exactly the withdrawal",
  );
  expect(r.equityAfter, "modifyPositionWithMargin's equityAfter after the withdrawal").to.equal(s1.equity);
  ensure(leverageOf(s1) <= max, `leverage ${fmt(leverageOf(s1))} after withdrawing free margin`);
}

/**
 * An account above maxLeverage (the price moved against it) halves its position and withdraws the most that leaves
 * its leverage no higher than before (computed from previewTrade): the call succeeds, pays the recipient, and the
 * account ends at no higher leverage, still above maxLeverage.
 */
export async function checkProRataExitAboveInitialMargin(impl: VenueImplementation, side: Side): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  const { size } = await openAtLeverage(h, trader, side, lev(impl, 15n * WAD));
  await h.movePrice(side === "long" ? -2.5 : 2.5);
  const max = await h.venue.maxLeverage();
  expect(await h.venue.isLiquidatable(trader.address), "set-up: still above maintenance").to.equal(false);

  await nextTimestamp();
  const s0 = await snapshot(h, trader.address, "pending");
  ensure(leverageOf(s0) > max, `set-up: leverage ${fmt(leverageOf(s0))} above maxLeverage ${fmt(max)}`);
  const delta = -size / 2n;
  const [, , equityAfterTrade] = await h.venue.previewTrade(trader.address, delta, { blockTag: "pending" });
  const n0 = notional(s0.size, s0.price);
  const n1 = notional(s0.size + delta, s0.price);
  const unit = toWad(h, 1n);
  const withdrawal = floorDiv(equityAfterTrade - ceilDiv(s0.equity * n1, n0), unit);
  ensure(withdrawal > 0n, "set-up: a pro-rata exit withdraws something");

  const paidBefore = await h.balanceOf(h.recipient.address);
  const r = await expectSuccess(
    `the pro-rata exit (reduce ${fmt(delta)}, withdraw ${withdrawal} units sized from previewTrade)`,
    execute(h, trader, -withdrawal, delta, unbounded(delta), h.recipient.address),
  );
  expect((await h.balanceOf(h.recipient.address)) - paidBefore, "collateral paid by the pro-rata exit").to.equal(
    withdrawal,
  );
  const s1 = await snapshot(h, trader.address);
  expectNear(s1.size, s0.size + delta, impl.semantics.sizeSlackWad, "size after the pro-rata exit");
  expect(r.equityAfter, "equityAfter of the pro-rata exit vs accountSnapshot").to.equal(s1.equity);
  ensure(
    notional(s1.size, s1.price) * s0.equity <= n0 * s1.equity,
    `leverage after the exit ${fmt(leverageOf(s1))} vs before ${fmt(leverageOf(s0))}`,
  );
  ensure(leverageOf(s1) > max, "the exit left the account above maxLeverage: the rule was the leverage one");
}

/**
 * A bound one wei on the wrong side of the fill reverts PriceLimitExceeded(fill, bound); the fill itself as the
 * bound is accepted and fills there.
 */
export async function checkPriceLimit(impl: VenueImplementation, side: Side): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  const deposit = units(h, 10_000n);
  await h.fund(trader, deposit);
  const delta = await sizeAtLeverage(h, side, deposit, lev(impl, 2n * WAD));
  const venue = h.venue.connect(trader);

  await nextTimestamp();
  const [fill] = await venue.modifyPositionWithMargin.staticCall(deposit, delta, unbounded(delta), ethers.ZeroAddress, {
    blockTag: "pending",
  });
  const crossed = side === "long" ? fill - 1n : fill + 1n;
  await expect(venue.modifyPositionWithMargin(deposit, delta, crossed, ethers.ZeroAddress))
    .to.be.revertedWithCustomError(h.venue, "PriceLimitExceeded")
    .withArgs(fill, crossed);

  const r = await expectSuccess("a trade bounded at its fill exactly", execute(h, trader, deposit, delta, fill));
  expect(r.fillPrice, "fill with the bound at the fill exactly").to.equal(fill);
  expect((await snapshot(h, trader.address)).size, "size after filling at the bound").to.equal(delta);
}

// ---------------------------------------------------------------------------------------------------------------
// (4) Liquidation
// ---------------------------------------------------------------------------------------------------------------

/**
 * At the feed price one tick on the safe side of liquidationPrice(account): not liquidatable and the venue's
 * liquidation (by a third party) reverts; one tick beyond (at or past it): liquidatable, a third party liquidates,
 * liquidationCount increments and the account holds no position.
 */
export async function checkLiquidationBoundary(impl: VenueImplementation, side: Side): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  expect(h.liquidator.address, "the liquidator is a third party").to.not.equal(trader.address);
  await openAtLeverage(h, trader, side, lev(impl, 15n * WAD));
  const price = await h.price();
  const liq = await h.venue.liquidationPrice(trader.address);
  if (side === "long") ensure(liq > 0n && liq < price, `long liquidationPrice ${fmt(liq)}`);
  else ensure(liq > price, `short liquidationPrice ${fmt(liq)}`);
  // One tick either side; a venue whose liquidation price moves with interest (liquidationBoundary) that far.
  const off = (liq * impl.semantics.liquidationBoundary) / WAD;
  const beyond = side === "long" ? gridDown(liq - off, h.priceTick) : gridUp(liq + off, h.priceTick);
  const safe =
    off === 0n
      ? side === "long"
        ? beyond + h.priceTick
        : beyond - h.priceTick
      : side === "long"
        ? gridUp(liq + off, h.priceTick)
        : gridDown(liq - off, h.priceTick);
  const count = await h.venue.liquidationCount(trader.address);
  const sizeBefore = (await snapshot(h, trader.address)).size;

  await h.setPrice(safe);
  expect(await h.venue.isLiquidatable(trader.address), `isLiquidatable at ${fmt(safe)}, one tick before`).to.equal(
    false,
  );
  await expectVenueRevert(h, h.liquidate(trader.address), "notLiquidatable");
  expect(await h.venue.liquidationCount(trader.address), "liquidationCount after a refused liquidation").to.equal(
    count,
  );

  await h.setPrice(beyond);
  expect(await h.venue.isLiquidatable(trader.address), `isLiquidatable at ${fmt(beyond)}, one tick beyond`).to.equal(
    true,
  );
  await expectSuccess("the third party's liquidation one tick beyond", h.liquidate(trader.address));
  expect(await h.venue.liquidationCount(trader.address), "liquidationCount after the liquidation").to.equal(count + 1n);
  const after = (await snapshot(h, trader.address)).size;
  if (impl.semantics.fullLiquidation) {
    expect(after, "size after the liquidation").to.equal(0n);
  } else {
    // A partial liquidation (Aave's close factor): the position shrank, on the same side.
    ensure(
      after * sign(side) >= 0n && abs(after) < abs(sizeBefore),
      `size after a partial liquidation ${fmt(after)}, before ${fmt(sizeBefore)}`,
    );
  }
  expect(await h.venue.isLiquidatable(trader.address), "isLiquidatable once liquidated").to.equal(false);
}

/**
 * marginRatio == equity / notional of the snapshot (WAD, within one wei of rounding) at several prices, down to
 * negative equity; type(int256).max without a position.
 */
export async function checkMarginRatio(impl: VenueImplementation, side: Side): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  expect(await h.venue.marginRatio(trader.address), "marginRatio without a position").to.equal(ethers.MaxInt256);
  await openAtLeverage(h, trader, side, lev(impl, 15n * WAD));
  const against = side === "long" ? -1 : 1;
  for (const pct of [0, 4, 2.5, 3, 1]) {
    if (pct !== 0) await h.movePrice(against * adverseMove(impl, pct));
    const s = await snapshot(h, trader.address);
    const expected = floorDiv(s.equity * WAD, notional(s.size, s.price));
    const ratio = await h.venue.marginRatio(trader.address);
    ensure(
      abs(ratio - expected) <= 1n,
      `marginRatio ${fmt(ratio)} vs equity ${fmt(s.equity)} / notional ${fmt(notional(s.size, s.price))}`,
    );
  }
  ensure((await snapshot(h, trader.address)).equity < 0n, "set-up: the moves reached negative equity");
}

// ---------------------------------------------------------------------------------------------------------------
// (5) Pause: reduce-only, nobody trapped
// ---------------------------------------------------------------------------------------------------------------

/** A long of 5x on 10k (a short on a short-only venue; scaled to maxTestLeverage) and the venue paused afterwards. */
async function pausedWithLong(impl: VenueImplementation): Promise<{ h: VenueHarness; size: bigint }> {
  const h = await impl.load();
  const [trader] = h.traders;
  const { size } = await openAtLeverage(h, trader, sideFor(impl, "long"), lev(impl, 5n * WAD));
  await h.pause(true);
  return { h, size };
}

/** Closes `trader`'s whole position as accountSnapshot reports it in the block of the close. */
async function closeAll(h: VenueHarness, trader: HardhatEthersSigner): Promise<Execution> {
  const at = await nextTimestamp();
  const { size } = await snapshot(h, trader.address, "pending");
  return execute(h, trader, 0n, -size, unbounded(-size), ethers.ZeroAddress, at);
}

/** paused() follows the switch. */
export async function checkPausedFlag(impl: VenueImplementation): Promise<void> {
  const h = await impl.load();
  expect(await h.venue.paused(), "paused() after deployment").to.equal(false);
  await h.pause(true);
  expect(await h.venue.paused(), "paused() after pausing").to.equal(true);
  await h.pause(false);
  expect(await h.venue.paused(), "paused() after unpausing").to.equal(false);
}

/** While paused, opening, growing and flipping revert VenuePaused() and change nothing. */
export async function checkPausedBlocksIncreases(impl: VenueImplementation): Promise<void> {
  const { h, size } = await pausedWithLong(impl);
  const [holder, newcomer] = h.traders;
  const deposit = units(h, 10_000n);
  await h.fund(newcomer, deposit);
  const attempts: Array<[HardhatEthersSigner, bigint, bigint]> = [
    [newcomer, deposit, size / 10n], // open
    [holder, 0n, size / 10n], // grow
  ];
  // A one-sided venue refuses a flip whether paused or not (its own side error): only a two-sided one is asked.
  if (impl.semantics.sides.length > 1) attempts.push([holder, 0n, -size - size / 10n]); // flip
  for (const [trader, margin, delta] of attempts) {
    await expectUnchanged(h, [trader.address], [trader.address], () =>
      expect(
        h.venue.connect(trader).modifyPositionWithMargin(margin, delta, unbounded(delta), ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(h.venue, "VenuePaused"),
    );
  }
}

/** While paused, a reduction and then a full close go through. */
export async function checkPausedAllowsReduceAndClose(impl: VenueImplementation): Promise<void> {
  const { h, size } = await pausedWithLong(impl);
  const [trader] = h.traders;
  const opened = await time.latest();
  await expectSuccess("reducing by a third while paused", execute(h, trader, 0n, -size / 3n));
  expectNear(
    (await snapshot(h, trader.address)).size,
    size - size / 3n,
    sizeBound(impl, size, (await time.latest()) - opened),
    "size after reducing while paused",
  );
  await expectSuccess("closing while paused", closeAll(h, trader));
  expectNear(
    (await snapshot(h, trader.address)).size,
    0n,
    impl.semantics.sizeSlackWad,
    "size after closing while paused",
  );
}

/** While paused, margin comes in and free margin goes out; a closed account takes everything out. */
export async function checkPausedAllowsDepositAndWithdraw(impl: VenueImplementation): Promise<void> {
  const { h } = await pausedWithLong(impl);
  const [trader] = h.traders;
  const unit = toWad(h, 1n);
  const topUp = units(h, 1_000n);
  await h.fund(trader, topUp);
  const at = await nextTimestamp();
  const s0 = await snapshot(h, trader.address, "pending");
  await expectSuccess("depositing while paused", execute(h, trader, topUp, 0n, 0n, ethers.ZeroAddress, at));
  expectNear(
    (await snapshot(h, trader.address)).equity,
    s0.equity + topUp * unit,
    impl.semantics.roundingSlackWad,
    "equity after depositing while paused",
  );
  const some = units(h, 500n);
  const paid0 = await h.balanceOf(h.recipient.address);
  await expectSuccess("withdrawing free margin while paused", execute(h, trader, -some, 0n, 0n, h.recipient.address));
  expect((await h.balanceOf(h.recipient.address)) - paid0, "free margin withdrawn while paused").to.equal(some);

  await expectSuccess("closing while paused", closeAll(h, trader));
  const closed = await snapshot(h, trader.address);
  const all = floorDiv(closed.equity, unit);
  await expectSuccess(
    "withdrawing everything after closing while paused",
    execute(h, trader, -all, 0n, 0n, h.recipient.address),
  );
  expect((await h.balanceOf(h.recipient.address)) - paid0, "everything withdrawn after closing while paused").to.equal(
    some + all,
  );
  ensure((await snapshot(h, trader.address)).equity < unit, "less than one unit left behind");
}

// ---------------------------------------------------------------------------------------------------------------
// (6) Settlement and wiring
// ---------------------------------------------------------------------------------------------------------------

/** settlement() is what the implementation declares (SYNCHRONOUS for the synchronous venues this suite trades on). */
export async function checkSettlement(impl: VenueImplementation): Promise<void> {
  const h = await impl.load();
  expect(Number(await h.venue.settlement()), "settlement()").to.equal(impl.settlement);
}

/** collateral() and oracle() are what the harness deployed; an empty account is marked at the oracle's price. */
export async function checkCollateralAndOracle(impl: VenueImplementation): Promise<void> {
  const h = await impl.load();
  expect(await h.venue.collateral(), "collateral()").to.equal(h.collateralAddress);
  expect(await h.venue.oracle(), "oracle()").to.equal(h.oracleAddress);
  const oracle = (await ethers.getContractAt("IOracleAdapter", h.oracleAddress)) as unknown as IOracleAdapter;
  await h.movePrice(1.25);
  const s = await snapshot(h, h.traders[0].address);
  expect(s.price, "accountSnapshot price vs oracle().price()").to.equal(await oracle.price());
  expect(s.size, "an untouched account's size").to.equal(0n);
  expect(s.equity, "an untouched account's equity").to.equal(0n);
}

// ---------------------------------------------------------------------------------------------------------------
// (7) Oracle outage: no price needed without a position; a stale feed's position closes at its last valid price
// ---------------------------------------------------------------------------------------------------------------

/** Lets the oracle go stale: the next block is one second past its oldest accepted answer. Returns the adapter. */
async function goStale(h: VenueHarness): Promise<IOracleAdapter> {
  const oracle = (await ethers.getContractAt("IOracleAdapter", h.oracleAddress)) as unknown as IOracleAdapter;
  const [, updatedAt] = await oracle.latestPrice();
  const staleAt = Number(updatedAt + (await oracle.maxStaleness())) + 1;
  await time.setNextBlockTimestamp(Math.max(staleAt, (await time.latest()) + 1));
  await ethers.provider.send("evm_mine", []);
  await expect(oracle.price(), "set-up: the oracle is stale").to.be.reverted;
  return oracle;
}

/**
 * A `side` position opened and closed leaves margin in the account; once the oracle has no price, the account is
 * still valued (size 0, its equity, price 0) and all of its margin is paid out to the recipient.
 */
export async function checkPositionlessWithoutPrice(impl: VenueImplementation, side: Side): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  await openAtLeverage(h, trader, side, lev(impl, 3n * WAD));
  const closed = await closeAll(h, trader);
  await goStale(h);
  const s = await snapshot(h, trader.address);
  expectNear(s.size, 0n, impl.semantics.sizeSlackWad, "size after the close");
  expect(s.price, "price of a position-less account without an oracle price").to.equal(0n);
  expectNear(
    s.equity,
    closed.equityAfter,
    carryBound(impl, closed.equityAfter, (await time.latest()) - closed.timestamp),
    "equity without a price: the margin left by the close",
  );
  const whole = s.equity / toWad(h, 1n);
  ensure(whole > 0n, "set-up: margin to withdraw");
  const before = await h.balanceOf(h.recipient.address);
  await execute(h, trader, -whole, 0n, 0n, h.recipient.address);
  expect((await h.balanceOf(h.recipient.address)) - before, "margin paid out without a price").to.equal(whole);
  expectNear(
    (await snapshot(h, trader.address)).equity,
    s.equity - toWad(h, whole),
    impl.semantics.roundingSlackWad,
    "dust left below one unit",
  );
}

/**
 * `closeAtLastValidPrice` reverts OraclePriceAvailable while the oracle is fresh; once it is stale it closes the
 * whole `side` position at the oracle's last valid answer, at the fill and fee `quoteTradeAt` gives for that price,
 * and a second call reverts NoPosition.
 */
export async function checkCloseAtLastValidPrice(impl: VenueImplementation, side: Side): Promise<void> {
  const h = await impl.load();
  const [trader] = h.traders;
  const { size, opening } = await openAtLeverage(h, trader, side, lev(impl, 5n * WAD));
  const venue = h.venue.connect(trader);
  await expect(venue.closeAtLastValidPrice(), "while the oracle is fresh").to.be.revertedWithCustomError(
    h.venue,
    "OraclePriceAvailable",
  );
  const last = await h.price();
  const equityAtLast = (await snapshot(h, trader.address)).equity;
  const oracle = await goStale(h);
  expect((await oracle.lastValidPrice())[0], "lastValidPrice of the stale feed").to.equal(last);
  await nextTimestamp();
  const [fillPrice, fee, equityAfter] = await venue.closeAtLastValidPrice.staticCall({ blockTag: "pending" });
  const [quotedFill, quotedFee] = await h.venue.quoteTradeAt(-size, last);
  if (impl.semantics.exactQuotes) {
    expect(fillPrice, "fill at the last valid price").to.equal(quotedFill);
    expect(fee, "fee at the last valid price").to.equal(quotedFee);
  } else {
    // An AMM fill: no worse for the account than quoteTradeAt's bound at the last valid price.
    const buy = size < 0n;
    ensure(
      buy ? fillPrice <= quotedFill : fillPrice >= quotedFill,
      `fill ${fmt(fillPrice)} at the last valid price is worse than quoteTradeAt's ${fmt(quotedFill)}`,
    );
    ensure(fee <= quotedFee, `fee ${fmt(fee)} above quoteTradeAt's ${fmt(quotedFee)}`);
  }
  const closedAt = await time.latest();
  await (await venue.closeAtLastValidPrice()).wait();
  const impactCost = tradeCost(-size, fillPrice) - markValue(-size, last);
  expectNear(
    equityAfter,
    equityAtLast - fee - impactCost,
    carryBound(impl, notional(size, last) + equityAtLast, closedAt + 1 - opening.timestamp),
    "equity after the close",
  );
  const s = await snapshot(h, trader.address);
  expect(s.size, "size after the close").to.equal(0n);
  expect(s.equity, "snapshot equity after the close").to.equal(equityAfter);
  await expect(venue.closeAtLastValidPrice(), "a second close").to.be.revertedWithCustomError(h.venue, "NoPosition");
}

// ---------------------------------------------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------------------------------------------

export interface VenueCheck {
  /** Stable identifier, e.g. "preview.neverBetterThanExecution". */
  readonly id: string;
  readonly group: string;
  /** The behaviour, as an `it` title. */
  readonly title: string;
  /** A capability the implementation must declare for the check to apply. */
  readonly requires?: Capability;
  /** The side a per-side check trades: it applies only to a venue that serves it. */
  readonly side?: Side;
  /** False for checks that make no trade (they apply to asynchronous venues too); trades by default. */
  readonly trades?: false;
  readonly run: (impl: VenueImplementation) => Promise<void>;
}

export const GROUPS = {
  valuation: "(1) valuation is consistent with trades, fees and prices",
  preview: "(2) previewTrade and quoteTradeAt",
  margin: "(3) margin and withdrawal rules",
  liquidation: "(4) liquidation beyond the venue's rule and not before",
  pause: "(5) pause is reduce-only; no account is trapped",
  wiring: "(6) settlement and wiring",
  outage: "(7) oracle outage: no price without a position, a stale position closes at the last valid price",
} as const;

const perSide = (
  id: string,
  group: string,
  title: (side: Side) => string,
  run: (impl: VenueImplementation, side: Side) => Promise<void>,
  requires?: Capability,
): VenueCheck[] =>
  SIDES.map((side) => ({
    id: `${id}.${side}`,
    group,
    title: title(side),
    requires,
    side,
    run: (impl) => run(impl, side),
  }));

export const VENUE_CHECKS: readonly VenueCheck[] = [
  ...perSide(
    "valuation.opening",
    GROUPS.valuation,
    (side) => `after opening a ${side}: size as requested, the oracle's price, equity = deposit - fee - impact cost`,
    checkOpeningValuation,
  ),
  ...perSide(
    "valuation.roundTrip",
    GROUPS.valuation,
    (side) => `a ${side} opened and closed at one price loses exactly the two fees and the two impact costs`,
    checkRoundTripCost,
  ),
  ...perSide(
    "valuation.markToMarket",
    GROUPS.valuation,
    (side) => `a ${side}'s equity moves by exactly size x price change`,
    checkMarkToMarket,
  ),
  {
    id: "valuation.funding",
    group: GROUPS.valuation,
    title: "equity includes funding owed up to now (the long pays, the short receives size x rate x time x price)",
    requires: "funding",
    run: checkFundingAccruesIntoEquity,
  },
  {
    id: "preview.neverBetterThanExecution",
    group: GROUPS.preview,
    title: `previewTrade equals execution in the same block or is worse for the trader (${PREVIEW_RUNS} random trades)`,
    run: checkPreviewNeverBetterThanExecution,
  },
  {
    id: "preview.quoteTradeAt",
    group: GROUPS.preview,
    title: `quoteTradeAt(delta, mark) returns previewTrade's fill and fee at that mark (${QUOTE_RUNS} random quotes)`,
    run: checkQuoteTradeAtAgreesWithPreview,
  },
  {
    id: "preview.noTrade",
    group: GROUPS.preview,
    title: "previewTrade(account, 0) is the mark, no fee and the account's equity",
    run: checkPreviewWithoutTrade,
  },
  {
    id: "margin.growWithin",
    group: GROUPS.margin,
    title: "growing to 95% of maxLeverage succeeds",
    run: checkGrowWithinMaxLeverage,
  },
  {
    id: "margin.growBeyond",
    group: GROUPS.margin,
    title: "growing beyond maxLeverage reverts and changes nothing",
    run: checkGrowBeyondMaxLeverageReverts,
  },
  {
    id: "margin.withdrawBeyondFree",
    group: GROUPS.margin,
    title: "withdrawing one unit more than free margin reverts and changes nothing",
    run: checkWithdrawBeyondFreeMarginReverts,
  },
  {
    id: "margin.withdrawFree",
    group: GROUPS.margin,
    title: "withdrawing exactly the free margin pays the recipient",
    run: checkWithdrawFreeMargin,
  },
  ...perSide(
    "margin.proRataExit",
    GROUPS.margin,
    (side) => `a ${side} above maxLeverage reduces and withdraws pro rata without raising its leverage`,
    checkProRataExitAboveInitialMargin,
  ),
  ...perSide(
    "margin.priceLimit",
    GROUPS.margin,
    (side) =>
      `${side === "long" ? "a buy" : "a sell"} reverts PriceLimitExceeded(fill, bound) one wei past its bound and fills at the bound exactly`,
    checkPriceLimit,
  ),
  ...perSide(
    "liquidation.boundary",
    GROUPS.liquidation,
    (side) => `a ${side} is safe one tick before liquidationPrice and liquidated by a third party one tick beyond`,
    checkLiquidationBoundary,
    "liquidation",
  ),
  ...perSide(
    "liquidation.marginRatio",
    GROUPS.liquidation,
    (side) => `a ${side}'s marginRatio is equity / notional, down to negative equity`,
    checkMarginRatio,
  ),
  {
    id: "pause.flag",
    group: GROUPS.pause,
    title: "paused() follows the switch",
    requires: "pause",
    trades: false,
    run: checkPausedFlag,
  },
  {
    id: "pause.blocksIncreases",
    group: GROUPS.pause,
    title: "while paused, opening, growing and flipping revert VenuePaused()",
    requires: "pause",
    run: checkPausedBlocksIncreases,
  },
  {
    id: "pause.reduceAndClose",
    group: GROUPS.pause,
    title: "while paused, reducing and closing work",
    requires: "pause",
    run: checkPausedAllowsReduceAndClose,
  },
  {
    id: "pause.depositAndWithdraw",
    group: GROUPS.pause,
    title: "while paused, depositing and withdrawing free margin work, and a closed account takes everything out",
    requires: "pause",
    run: checkPausedAllowsDepositAndWithdraw,
  },
  {
    id: "wiring.settlement",
    group: GROUPS.wiring,
    title: "settlement() is what the implementation declares",
    trades: false,
    run: checkSettlement,
  },
  {
    id: "wiring.collateralAndOracle",
    group: GROUPS.wiring,
    title: "collateral() and oracle() are what was deployed; accounts are marked at the oracle's price",
    trades: false,
    run: checkCollateralAndOracle,
  },
  ...perSide(
    "outage.positionless",
    GROUPS.outage,
    (side) => `an account whose ${side} was closed is valued and pays out its margin with a stale oracle`,
    checkPositionlessWithoutPrice,
  ),
  ...perSide(
    "outage.closeAtLastValidPrice",
    GROUPS.outage,
    (side) =>
      `closeAtLastValidPrice refuses while the oracle is fresh, then closes a ${side} at the last valid price as quoted`,
    checkCloseAtLastValidPrice,
  ),
];

/** Why `check` does not apply to `impl`, or undefined when it does. */
export function notApplicable(check: VenueCheck, impl: VenueImplementation): string | undefined {
  if (check.trades !== false && impl.settlement !== Settlement.SYNCHRONOUS) {
    return `${impl.name} settles asynchronously; this suite trades synchronously (docs/adr/0001-venue-boundary.md)`;
  }
  if (check.requires !== undefined && !impl.capabilities[check.requires]) {
    return `${impl.name} declares no ${check.requires} capability`;
  }
  if (check.side !== undefined && !impl.semantics.sides.includes(check.side)) {
    return `${impl.name} serves only ${impl.semantics.sides.join(" and ")} positions (a ${check.side} reverts WrongSide)`;
  }
  return undefined;
}

/** A WAD fraction as parts per million, for titles. */
const ppm = (x: bigint): string => `${Number((x * 1_000_000n) / WAD)} ppm`;

/**
 * The weaker form `check` runs in for `impl` (its VenueSemantics), as a phrase for the test's title; undefined when
 * it runs in the exact form (always for a perp with PERP_SEMANTICS).
 */
export function weakerForm(check: VenueCheck, impl: VenueImplementation): string | undefined {
  const m = impl.semantics;
  const parts: string[] = [];
  const family = check.id.replace(/\.(long|short)$/, "");
  const leverages = [
    "valuation.opening",
    "valuation.roundTrip",
    "valuation.markToMarket",
    "preview.quoteTradeAt",
    "preview.noTrade",
    "margin.growWithin",
    "margin.growBeyond",
    "margin.withdrawBeyondFree",
    "margin.withdrawFree",
    "margin.proRataExit",
    "margin.priceLimit",
    "liquidation.boundary",
    "liquidation.marginRatio",
    "pause.blocksIncreases",
    "pause.reduceAndClose",
    "pause.depositAndWithdraw",
    "outage.positionless",
    "outage.closeAtLastValidPrice",
  ];
  if (m.maxTestLeverage !== undefined && leverages.includes(family)) {
    parts.push(`leverages scaled to at most ${fmt(m.maxTestLeverage)}x`);
  }
  if (family === "liquidation.marginRatio" && m.maxTestLeverage !== undefined) {
    parts.push("price moves scaled by the inverse");
  }
  if (m.sides.length === 1 && ["preview.neverBetterThanExecution", "pause.blocksIncreases"].includes(family)) {
    parts.push(`${m.sides[0]} side only, no flips`);
  }
  const oneSided = ["preview.neverBetterThanExecution", "pause.blocksIncreases"];
  if (m.sides.length === 1 && check.side === undefined && check.trades !== false && !oneSided.includes(family)) {
    parts.push(`trades ${m.sides[0]}`);
  }
  const rounding = [
    "valuation.opening",
    "valuation.roundTrip",
    "valuation.markToMarket",
    "preview.neverBetterThanExecution",
    "margin.growWithin",
    "margin.withdrawFree",
    "margin.proRataExit",
    "pause.reduceAndClose",
    "pause.depositAndWithdraw",
    "outage.positionless",
    "outage.closeAtLastValidPrice",
  ];
  if ((m.roundingSlackWad > 0n || m.sizeSlackWad > 0n) && rounding.includes(family)) {
    parts.push(`equity within ${fmt(m.roundingSlackWad)} USD and size within ${m.sizeSlackWad} wei of rounding`);
  }
  const carry = [
    "valuation.roundTrip",
    "valuation.markToMarket",
    "preview.neverBetterThanExecution",
    "margin.growWithin",
    "pause.reduceAndClose",
    "outage.positionless",
    "outage.closeAtLastValidPrice",
  ];
  if (m.carryPerSecond > 0n && carry.includes(family)) {
    const perYear = Number((m.carryPerSecond * 31_536_000n * 1000n) / WAD) / 10;
    parts.push(`plus the interest accrued between blocks, measured and bounded by ${perYear}% of notional a year`);
  }
  if (family === "outage.closeAtLastValidPrice" && !m.exactQuotes) {
    parts.push("the fill is an AMM swap's, no worse than quoteTradeAt's bound (not equal to it)");
  }
  if (family === "liquidation.boundary") {
    if (m.liquidationBoundary > 0n)
      parts.push(
        `${ppm(m.liquidationBoundary)} either side of liquidationPrice, not one tick (interest moves it every second)`,
      );
    if (!m.fullLiquidation) parts.push("a liquidation takes part of the position (it shrinks and is safe again)");
  }
  return parts.length === 0 ? undefined : parts.join("; ");
}
