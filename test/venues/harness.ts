/**
 * The venue-neutral harness the conformance suite (./behaviour.ts, ./checks.ts) drives an IVenue implementation
 * through. The suite touches the venue only through the typechain `IVenue`; everything an IVenue cannot do by itself
 * (fund a trader, move the oracle, pause, liquidate, let time pass, set a funding rate) is one harness operation
 * here, implemented per venue in ./implementations.ts.
 *
 * Time: every block the harness or the suite mines gets its timestamp from `time.setNextBlockTimestamp`, derived from
 * the chain's latest block (`nextTimestamp`), never from the wall clock, so a run is the same whenever it runs.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IVenue } from "../../typechain-types";

export const WAD = 10n ** 18n;

/** `IVenue.Settlement`, in ABI order. */
export enum Settlement {
  SYNCHRONOUS = 0,
  ASYNCHRONOUS = 1,
}

/**
 * What an implementation can do beyond the IVenue core. A check that needs a capability the implementation lacks is
 * reported as pending, with the reason in its title, never silently passed.
 */
export interface VenueCapabilities {
  /** Perp funding: `setFundingRate(r)` (WAD per second of the price, per base unit; positive: longs pay shorts). */
  readonly funding: boolean;
  /** A reduce-only mode the harness can switch with `pause(bool)` (IVenue.paused / VenuePaused). */
  readonly pause: boolean;
  /** A liquidation anyone can trigger, which the harness runs from a third party with `liquidate(account)`. */
  readonly liquidation: boolean;
}

export type Capability = keyof VenueCapabilities;

export type Side = "long" | "short";

/**
 * Where the venue's semantics differ from a perp's exact ones (a money market: Aave v3 + Uniswap v3). The suite
 * checks every guarantee it can in the exact form for `PERP_SEMANTICS`, and in the weaker form these fields state for
 * the others; a check that cannot hold at all is pending with the reason in its title. Never a silent pass.
 */
export interface VenueSemantics {
  /**
   * The sides the venue serves. A one-sided venue (an Aave account is either long or short) lists one: its per-side
   * checks of the other side are pending, the side-neutral checks trade on the side it serves and skip flips.
   */
  readonly sides: readonly Side[];
  /**
   * The highest leverage (WAD) the suite may open at. The checks are written for a perp of 20x maxLeverage and 100x
   * liquidation leverage, and open at up to 15x; a venue declaring less gets every leverage the checks open at scaled
   * by maxTestLeverage / 15x, and the adverse price moves meant to push a position past maxLeverage (or into negative
   * equity) by the inverse. Undefined: the nominal leverages and moves.
   */
  readonly maxTestLeverage?: bigint;
  /**
   * True: a fill can be had at a given price and a quote of a trade is its execution (previewTrade, quoteTradeAt,
   * closeAtLastValidPrice at the fill quoteTradeAt gives). False: fills come from an AMM, a quote is a bound, never
   * better for the trader than execution, and checks assert that instead of equality.
   */
  readonly exactQuotes: boolean;
  /** Rounding (WAD) allowed in the venue's bookkeeping of equity, per comparison (Aave's ray rounding). 0: exact. */
  readonly roundingSlackWad: bigint;
  /** Rounding (WAD) allowed in the venue's bookkeeping of size, per comparison. 0: exact. */
  readonly sizeSlackWad: bigint;
  /**
   * Interest that accrues every second without any rate the harness sets (a money market's supply and borrow rates),
   * as the largest WAD fraction of notional per second the checks accept. 0: equity and size do not move between
   * blocks at a constant price (a perp without a funding rate set). Checks that span blocks measure that carry from
   * accountSnapshot and bound it by this.
   */
  readonly carryPerSecond: bigint;
  /**
   * True: a liquidation closes the whole position. False: it takes part of it (Aave's close factor: half the debt
   * while the health factor is above 0.95), and the check asserts that the position shrank and is safe again.
   */
  readonly fullLiquidation: boolean;
  /**
   * How close to liquidationPrice (WAD fraction of the price) the liquidation boundary is checked: 0 is one feed
   * tick either side. Interest moves a money market's liquidation price every second (by far more than a tick
   * between the blocks the check needs), so it is checked that far either side.
   */
  readonly liquidationBoundary: bigint;
  /**
   * The smallest trade (base units, WAD) the random properties draw. An AMM rounds a swap's amounts to whole token
   * units in its own favour, so a dust trade's average price is off the oracle by more than any slippage bound (a
   * 1e-9 ETH buy costs 4 USDC units instead of 3: 33% above the oracle) and reverts. Undefined: 1e9 wei.
   */
  readonly minTradeSize?: bigint;
}

/**
 * A check the implementation is known to fail (an adapter bug or limitation, reported, not yet fixed). The suite
 * runs it and asserts that it fails with `message`: the test goes red once the adapter is fixed (then remove the
 * entry) or fails differently. Never a silent pass.
 */
export interface KnownFailure {
  readonly reason: string;
  readonly message: RegExp;
}

/** A perp's exact semantics: both sides, quotes equal execution, no rounding slack, no carry without funding. */
export const PERP_SEMANTICS: VenueSemantics = {
  sides: ["long", "short"],
  exactQuotes: true,
  roundingSlackWad: 0n,
  sizeSlackWad: 0n,
  carryPerSecond: 0n,
  fullLiquidation: true,
  liquidationBoundary: 0n,
};

/**
 * Names of the implementation's own custom errors for the failures IVenue leaves to the venue. When given, the suite
 * asserts the exact error; when absent, only that the call reverts.
 */
export interface VenueErrors {
  /** A contract whose ABI declares the errors below (usually the venue at its own interface). */
  readonly source: BaseContract;
  readonly insufficientMargin?: string;
  readonly withdrawalExceedsFree?: string;
  readonly notLiquidatable?: string;
}

export interface VenueHarness {
  /** The implementation under test, through the venue boundary only. */
  readonly venue: IVenue;
  readonly venueAddress: string;
  /** What the harness deployed: `collateral()` and `oracle()` must return these. */
  readonly collateralAddress: string;
  readonly collateralDecimals: number;
  readonly oracleAddress: string;
  /** The smallest step of the oracle's price, WAD (an 8-decimal Chainlink answer: 1e10). */
  readonly priceTick: bigint;
  /** Trading accounts (EOAs); each trades only after `fund`. */
  readonly traders: readonly HardhatEthersSigner[];
  /** Receives withdrawals (`recipient` of modifyPositionWithMargin); holds no account of its own. */
  readonly recipient: HardhatEthersSigner;
  /** The third party that runs `liquidate`; never one of `traders`. */
  readonly liquidator: HardhatEthersSigner;
  readonly errors?: VenueErrors;

  /** Gives `account` `amount` collateral units and approves the venue for all of its collateral. */
  fund(account: HardhatEthersSigner, amount: bigint): Promise<void>;
  /** The collateral balance (units) of an address. */
  balanceOf(address: string): Promise<bigint>;
  /** The oracle's price now (WAD), read from the oracle the harness deployed, not from the venue. */
  price(): Promise<bigint>;
  /** Posts `priceWad` (a multiple of `priceTick`) to the oracle. */
  setPrice(priceWad: bigint): Promise<void>;
  /** Moves the oracle by `pct` percent (e.g. -2.5), rounded down to the tick; returns the new price. */
  movePrice(pct: number): Promise<bigint>;
  /** Lets `seconds` pass (one block) and re-posts the current price so the oracle stays fresh. */
  advanceTime(seconds: number): Promise<void>;
  /** The venue's own liquidation of `account`, sent by `liquidator`. Capability `liquidation`. */
  liquidate(account: string): Promise<ContractTransactionResponse>;
  /** Switches the venue's reduce-only mode. Capability `pause`. */
  pause(paused: boolean): Promise<void>;
  /** Sets the funding rate (WAD per second; positive: longs pay). Capability `funding`. */
  setFundingRate(ratePerSecond: bigint): Promise<void>;
}

/** One entry of ./implementations.ts: adding a venue to the suite is adding one of these. */
export interface VenueImplementation {
  readonly name: string;
  readonly settlement: Settlement;
  readonly capabilities: VenueCapabilities;
  /** Where its semantics differ from a perp's (PERP_SEMANTICS for a perp). */
  readonly semantics: VenueSemantics;
  /** Check id -> why it fails on this implementation and what the failure says (see KnownFailure). */
  readonly knownFailures?: Readonly<Record<string, KnownFailure>>;
  /** A fresh, snapshot-restored harness (wraps `loadFixture` over a named deploy function). */
  readonly load: () => Promise<VenueHarness>;
}

export class UnsupportedOperation extends Error {
  constructor(implementation: string, operation: string) {
    super(`${implementation} has no ${operation} (see its capabilities)`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Chain time
// ---------------------------------------------------------------------------------------------------------------

/** Fixes the next block's timestamp at the latest block's plus `seconds` (>= 1) and returns it. */
export async function nextTimestamp(seconds = 1): Promise<number> {
  const t = (await time.latest()) + seconds;
  await time.setNextBlockTimestamp(t);
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// Integer helpers (bigint, explicit rounding)
// ---------------------------------------------------------------------------------------------------------------

export function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** floor(a / d) towards -infinity, d > 0. */
export function floorDiv(a: bigint, d: bigint): bigint {
  const q = a / d;
  return a % d !== 0n && a < 0n ? q - 1n : q;
}

/** ceil(a / d) towards +infinity, d > 0. */
export function ceilDiv(a: bigint, d: bigint): bigint {
  const q = a / d;
  return a % d !== 0n && a > 0n ? q + 1n : q;
}

/** Signed value of `size` at `price` (USD WAD), towards -infinity: what a position is marked at. */
export function markValue(size: bigint, price: bigint): bigint {
  return floorDiv(size * price, WAD);
}

/** Cash paid for `delta` base units at `fill` (negative: received), rounded against the trader. */
export function tradeCost(delta: bigint, fill: bigint): bigint {
  return ceilDiv(delta * fill, WAD);
}

/** |size| * price (USD WAD), rounded down. */
export function notional(size: bigint, price: bigint): bigint {
  return (abs(size) * price) / WAD;
}

/** Base units (WAD) worth `usd` (WAD) at `price`, rounded down. */
export function sizeFor(usd: bigint, price: bigint): bigint {
  return (usd * WAD) / price;
}

/** A WAD amount as a decimal string (for failure messages). */
export function fmt(x: bigint): string {
  return ethers.formatUnits(x, 18);
}
