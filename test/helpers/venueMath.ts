/**
 * Reference model of the mock perp venue's accounting, in plain bigint arithmetic.
 *
 * Tests derive every expected value from these functions and compare them with what the contract returns; nothing
 * here calls the contract. Units follow IVenue: sizes are base units scaled by WAD (signed), prices and account
 * values are USD scaled by WAD, rates are WAD fractions, collateral moves in its own decimals.
 *
 * Rounding rules (the venue's policy, "rounding favours the venue"):
 *  - mark value of a position `size * P` rounds towards -infinity;
 *  - notional `|size| * P` rounds down, maintenance margin rounds down, initial margin rounds up;
 *  - price impact rounds up, buys fill at a price rounded up and sells at one rounded down;
 *  - the cash cost of trading `d` units at `fill` is ceil(d * fill) (a buy costs more, a sale yields less);
 *  - the cost basis released on a partial close is pro-rata, truncated towards zero (equity-neutral: what leaves
 *    the basis enters margin as realised PnL);
 *  - taker fee = ceil(ceil(|d| * fill) * rate);
 *  - funding owed `size * indexChange` rounds towards +infinity (the payer pays the extra wei);
 *    the funding index grows by floor(rate * seconds * P).
 */

export const WAD = 10n ** 18n;

import type { VenueParams } from "../../config/parameters";
export type { VenueParams };

export interface AccountState {
  readonly margin: bigint;
  readonly size: bigint;
  readonly openNotional: bigint;
  readonly fundingIndex: bigint;
}

export const EMPTY_ACCOUNT: AccountState = { margin: 0n, size: 0n, openNotional: 0n, fundingIndex: 0n };

export function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

export function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** floor(a * b / d), rounding towards -infinity; d must be positive. */
export function mulDivDown(a: bigint, b: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError("mulDivDown: divisor must be positive");
  const n = a * b;
  const q = n / d; // bigint division truncates towards zero
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/** ceil(a * b / d), rounding towards +infinity; d must be positive. */
export function mulDivUp(a: bigint, b: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError("mulDivUp: divisor must be positive");
  const n = a * b;
  const q = n / d;
  return n % d !== 0n && n > 0n ? q + 1n : q;
}

/** a * b / d truncated towards zero. */
export function mulDivTrunc(a: bigint, b: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError("mulDivTrunc: divisor must be positive");
  return (a * b) / d;
}

// ---------------------------------------------------------------------------------------------------------------
// Prices, quotes
// ---------------------------------------------------------------------------------------------------------------

/** An 8-decimal (or any-decimal) Chainlink answer as a WAD price. */
export function answerToWad(answer: bigint, feedDecimals: number): bigint {
  return answer * 10n ** BigInt(18 - feedDecimals);
}

/** USD notional (WAD) of `size` base units at `price`, rounded down. */
export function notional(size: bigint, price: bigint): bigint {
  return mulDivDown(abs(size), price, WAD);
}

/** Signed mark value `size * price` (WAD), rounded towards -infinity. */
export function markValue(size: bigint, price: bigint): bigint {
  return mulDivDown(size, price, WAD);
}

export interface Quote {
  readonly tradeNotional: bigint;
  readonly impact: bigint;
  readonly fillPrice: bigint;
  readonly fee: bigint;
}

export function priceImpact(sizeDelta: bigint, price: bigint, p: VenueParams): bigint {
  return min(mulDivUp(notional(sizeDelta, price), p.impactPerNotional, WAD), p.maxPriceImpact);
}

export function quote(sizeDelta: bigint, price: bigint, p: VenueParams): Quote {
  if (sizeDelta === 0n) throw new RangeError("quote: zero size");
  const tradeNotional = notional(sizeDelta, price);
  const impact = priceImpact(sizeDelta, price, p);
  const fillPrice = sizeDelta > 0n ? mulDivUp(price, WAD + impact, WAD) : mulDivDown(price, WAD - impact, WAD);
  const fee = mulDivUp(mulDivUp(abs(sizeDelta), fillPrice, WAD), p.takerFeeRate, WAD);
  return { tradeNotional, impact, fillPrice, fee };
}

/** Cash paid for `delta` units at `fill` (negative: cash received), rounded against the trader. */
export function tradeCost(delta: bigint, fill: bigint): bigint {
  return mulDivUp(delta, fill, WAD);
}

// ---------------------------------------------------------------------------------------------------------------
// Funding
// ---------------------------------------------------------------------------------------------------------------

/** The funding index after `elapsed` seconds at `ratePerSecond` with the mark at `price`. */
export function fundingIndexAfter(index: bigint, ratePerSecond: bigint, elapsed: bigint, price: bigint): bigint {
  return index + mulDivDown(ratePerSecond * elapsed, price, WAD);
}

/** Funding owed by a position of `size` for an index change (positive: the account pays). */
export function fundingOwed(size: bigint, indexChange: bigint): bigint {
  return mulDivUp(size, indexChange, WAD);
}

export function settleFunding(acc: AccountState, index: bigint): AccountState {
  return {
    ...acc,
    margin: acc.margin - fundingOwed(acc.size, index - acc.fundingIndex),
    fundingIndex: index,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Account valuation
// ---------------------------------------------------------------------------------------------------------------

/** E = margin + size*P - openNotional - fundingOwed. */
export function equity(acc: AccountState, price: bigint, index: bigint = acc.fundingIndex): bigint {
  return acc.margin + markValue(acc.size, price) - acc.openNotional - fundingOwed(acc.size, index - acc.fundingIndex);
}

export function maintenanceMargin(size: bigint, price: bigint, p: VenueParams): bigint {
  return mulDivDown(notional(size, price), p.maintenanceMarginRatio, WAD);
}

export function initialMargin(size: bigint, price: bigint, p: VenueParams): bigint {
  return mulDivUp(notional(size, price), p.initialMarginRatio, WAD);
}

export function isLiquidatable(acc: AccountState, price: bigint, p: VenueParams, index?: bigint): boolean {
  if (acc.size === 0n) return false;
  return equity(acc, price, index) < maintenanceMargin(acc.size, price, p);
}

/** Collateral units the account may withdraw: equity above initial margin, whole units only. */
export function freeCollateral(acc: AccountState, price: bigint, p: VenueParams, toWad: bigint): bigint {
  const eq = equity(acc, price);
  const locked = initialMargin(acc.size, price, p);
  return eq <= locked ? 0n : (eq - locked) / toWad;
}

// ---------------------------------------------------------------------------------------------------------------
// State transitions
// ---------------------------------------------------------------------------------------------------------------

export function deposit(acc: AccountState, amountUnits: bigint, toWad: bigint): AccountState {
  return { ...acc, margin: acc.margin + amountUnits * toWad };
}

export function withdraw(acc: AccountState, amountUnits: bigint, toWad: bigint): AccountState {
  return { ...acc, margin: acc.margin - amountUnits * toWad };
}

export interface TradeResult extends Quote {
  readonly account: AccountState;
  readonly realizedPnl: bigint;
  /** True when the trade grows the position or flips its side (initial margin applies, pause blocks it). */
  readonly increases: boolean;
}

/**
 * Trades `delta` at mark `price`. Funding must already be settled into `acc`.
 * Opening/adding books the cost into the basis; reducing realises the closed part's PnL into margin; a flip
 * closes everything and opens the remainder at the same fill.
 */
export function trade(acc: AccountState, delta: bigint, price: bigint, p: VenueParams): TradeResult {
  const q = quote(delta, price, p);
  const oldSize = acc.size;
  const newSize = oldSize + delta;
  const flips = oldSize !== 0n && newSize !== 0n && oldSize > 0n !== newSize > 0n;
  const increases = abs(newSize) > abs(oldSize) || flips;

  let margin = acc.margin;
  let openNotional = acc.openNotional;
  let realizedPnl = 0n;
  const sameSide = oldSize === 0n || oldSize > 0n === delta > 0n;
  if (sameSide) {
    openNotional += tradeCost(delta, q.fillPrice);
  } else {
    const closesAll = abs(delta) >= abs(oldSize);
    const closed = closesAll ? -oldSize : delta;
    const basisClosed = closesAll ? openNotional : mulDivTrunc(openNotional, abs(delta), abs(oldSize));
    realizedPnl = -tradeCost(closed, q.fillPrice) - basisClosed;
    margin += realizedPnl;
    openNotional -= basisClosed;
    if (flips) openNotional += tradeCost(newSize, q.fillPrice);
  }
  margin -= q.fee;
  return {
    ...q,
    account: { margin, size: newSize, openNotional, fundingIndex: acc.fundingIndex },
    realizedPnl,
    increases,
  };
}

export interface LiquidationResult {
  readonly equity: bigint;
  readonly notional: bigint;
  readonly maintenanceMargin: bigint;
  /** Liquidator fee owed (USD, WAD) and what is actually transferred (collateral units, rounded down). */
  readonly liquidatorFeeWad: bigint;
  readonly liquidatorFeeUnits: bigint;
  /** Penalty kept by the venue (USD, WAD): what is left of the account after the liquidator fee, capped. */
  readonly penalty: bigint;
  readonly badDebt: bigint;
  readonly account: AccountState;
}

/** Liquidation at mark `price` of an account whose funding is settled. Throws if the account is healthy. */
export function liquidate(acc: AccountState, price: bigint, p: VenueParams, toWad: bigint): LiquidationResult {
  const eq = equity(acc, price);
  const n = notional(acc.size, price);
  const mm = mulDivDown(n, p.maintenanceMarginRatio, WAD);
  if (acc.size === 0n || eq >= mm) throw new Error("model: account is not liquidatable");
  const liquidatorFeeWad = mulDivDown(n, p.liquidatorFeeRate, WAD);
  const fullPenalty = mulDivDown(n, p.liquidationPenaltyRate, WAD);
  let penalty = 0n;
  let badDebt: bigint;
  let marginAfter = 0n;
  if (eq < 0n) {
    // The venue pays the liquidator from its own liquidity: that is bad debt too.
    badDebt = -eq + liquidatorFeeWad;
  } else {
    const fromAccount = min(eq, liquidatorFeeWad);
    badDebt = liquidatorFeeWad - fromAccount;
    penalty = min(eq - fromAccount, fullPenalty);
    marginAfter = eq - fromAccount - penalty;
  }
  return {
    equity: eq,
    notional: n,
    maintenanceMargin: mm,
    liquidatorFeeWad,
    liquidatorFeeUnits: liquidatorFeeWad / toWad,
    penalty,
    badDebt,
    account: { margin: marginAfter, size: 0n, openNotional: 0n, fundingIndex: acc.fundingIndex },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Liquidation threshold on the feed's price grid
// ---------------------------------------------------------------------------------------------------------------

/**
 * The feed answer at the edge of liquidation, found by bisection over the model's own `isLiquidatable` (no
 * closed form): for a long, the HIGHEST answer at which the account is liquidatable (one tick up is safe); for a
 * short, the LOWEST such answer (one tick down is safe). `safeAnswer` must be an answer at which it is safe.
 */
export function liquidationEdgeAnswer(
  acc: AccountState,
  p: VenueParams,
  feedDecimals: number,
  safeAnswer: bigint,
): bigint {
  if (acc.size === 0n) throw new RangeError("liquidationEdgeAnswer: no position");
  const liq = (answer: bigint): boolean => isLiquidatable(acc, answerToWad(answer, feedDecimals), p);
  if (liq(safeAnswer)) throw new RangeError("liquidationEdgeAnswer: safeAnswer is liquidatable");
  // Invariant: liq(liqSide) && !liq(safeSide).
  let liqSide: bigint;
  let safeSide = safeAnswer;
  if (acc.size > 0n) {
    liqSide = 1n;
  } else {
    liqSide = safeAnswer * 2n;
    while (!liq(liqSide)) liqSide *= 2n;
  }
  if (!liq(liqSide)) throw new RangeError("liquidationEdgeAnswer: never liquidatable");
  while (abs(safeSide - liqSide) > 1n) {
    const mid = (safeSide + liqSide) / 2n;
    if (liq(mid)) liqSide = mid;
    else safeSide = mid;
  }
  return liqSide;
}
