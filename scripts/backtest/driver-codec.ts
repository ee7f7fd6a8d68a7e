/**
 * The BacktestDriver's wire format, encoded and decoded by hand because it runs once per candle: `run` calldata and
 * its flags, the `Run` event, the `Due` revert; and the backtest's units (USDC 6 decimals, WAD, 8-decimal answers).
 */
import { BacktestDriver__factory } from "../../typechain-types/factories/contracts/backtest/BacktestDriver.sol/BacktestDriver__factory";
import type { RawLog } from "./chain";

/** BacktestDriver.run flags. */
export const REFRESH = 1n;
export const VERIFY = 2n;
export const QUIET = 4n;

export const toUsd6 = (x: bigint): number => Number(x) / 1e6;
export const fromWad = (x: bigint): number => Number(x) / 1e18;
/** A price as the feed's 8-decimal answer. */
export const answerOf = (price: number): bigint => BigInt(Math.round(price * 1e8));
/** A price as the driver posts it, WAD (its 8-decimal answer scaled up). */
export const priceWad = (price: number): bigint => answerOf(price) * 10n ** 10n;

/** The run flags of a chunk: REFRESH when something else touched the account, VERIFY when the replica is checked. */
export const runFlags = (refresh: boolean, verify: boolean): bigint =>
  (refresh ? REFRESH : 0n) | (verify ? VERIFY : 0n);

/** BacktestDriver.run(int256[],uint256,int256,uint8) calldata. */
const DRIVER = BacktestDriver__factory.createInterface();
const RUN_SELECTOR = DRIVER.getFunction("run").selector;
const DUE_SELECTOR = DRIVER.getError("Due")!.selector; // declared by BacktestDriver: never null
const word = (x: bigint): string => BigInt.asUintN(256, x).toString(16).padStart(64, "0");
export function encodeRun(prices: number[], keeperFrom: number, fundingRate: bigint, flags: bigint): string {
  let out =
    RUN_SELECTOR +
    word(128n) +
    word(BigInt(keeperFrom)) +
    word(fundingRate) +
    word(flags) +
    word(BigInt(prices.length));
  for (const p of prices) out += word(answerOf(p));
  return out;
}

/** Whether a failed transaction is a QUIET run's `Due` revert (a keeper action is due: replay the candle). */
export function isDueRevert(e: unknown): boolean {
  const data = (e as { data?: unknown }).data;
  return typeof data === "string" && data.startsWith(DUE_SELECTOR);
}

/** A BacktestDriver `Run` event: one run's statistics and the account's state after it. */
export interface RunEvent {
  processed: number; // prices processed
  stop: number; // 0 ran through, 1 a keeper action is due, 2 liquidated
  action: number; // the due action, when stop = 1
  minMarginRatio: bigint; // WAD, signed; type(int256).max when never measured
  maxLeverage: bigint; // WAD; 2^255 or more (all ones) once equity was not positive
  inBand: number; // prices after which leverage was inside the reference band
  mark: bigint; // WAD, the last posted price
  equity: bigint; // WAD, signed
  leverage: bigint; // WAD, at the last price; 2^255 or more (all ones) when equity is not positive
}

/** Decodes the nine static words of a `Run` event. */
export function decodeRun(log: RawLog): RunEvent {
  const w: bigint[] = [];
  for (let i = 0; i < 9; i++) w.push(BigInt(`0x${log.data.slice(2 + 64 * i, 66 + 64 * i)}`));
  return {
    processed: Number(w[0]),
    stop: Number(w[1]),
    action: Number(w[2]),
    minMarginRatio: BigInt.asIntN(256, w[3]),
    maxLeverage: w[4],
    inBand: Number(w[5]),
    mark: w[6],
    equity: BigInt.asIntN(256, w[7]),
    leverage: w[8],
  };
}
