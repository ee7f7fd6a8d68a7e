import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { LeveragedToken } from "../../typechain-types";
import { WAD, liquidationMove, productDefaults, type ProductSymbol } from "../../config/parameters";
import type { Suite } from "./deployment";
import { Action } from "../../protocol/actions";

/** IRebalancer.Action, in its public numeric order (the protocol module's). */
export { Action };
export type ActionValue = Action;

/** A keeper never needs more calls than this for one oracle update (chunked rebalances included). */
const MAX_CALLS_PER_UPDATE = 64;
/** Comfortably above a rebalance's gas (~250k). */
const KEEPER_GAS = 1_500_000n;

/**
 * What a keeper bot does after every oracle update: asks `shouldRebalance` and calls `ripcord` or `rebalance`
 * (which also continues a chunked rebalance) until nothing is due. Returns the actions taken, in order.
 */
export async function keeperAct(
  suite: Pick<Suite, "rebalancer" | "keeper">,
  token: LeveragedToken,
  keeper: HardhatEthersSigner = suite.keeper,
): Promise<ActionValue[]> {
  const address = await token.getAddress();
  const rebalancer = suite.rebalancer.connect(keeper);
  const taken: ActionValue[] = [];
  for (;;) {
    const action = Number(await rebalancer.shouldRebalance(address)) as ActionValue;
    if (action === Action.NONE) return taken;
    if (taken.length >= MAX_CALLS_PER_UPDATE) throw new Error(`keeper: still ${action} after ${taken.length} calls`);
    // A fixed gas limit skips eth_estimateGas; with automine the call is mined (or has thrown) when it returns.
    const overrides = { gasLimit: KEEPER_GAS };
    await (action === Action.RIPCORD
      ? rebalancer.ripcord(address, overrides)
      : rebalancer.rebalance(address, overrides));
    taken.push(action);
  }
}

/** A WAD bigint as a JS number (for the closed-form formulas only, never for amounts). */
export function wadToNumber(x: bigint): number {
  return Number(x) / Number(WAD);
}

/**
 * The single unmonitored underlying return that liquidates a product sitting at its band top (the worst leverage
 * a keeper leaves it at), from docs/mechanism.md's formula with the venue's maintenance margin. Negative for longs.
 */
export function envelope(symbol: ProductSymbol, maintenanceMarginRatio: bigint): number {
  const p = productDefaults(symbol);
  return liquidationMove(wadToNumber(p.methodology.maxLeverage), wadToNumber(maintenanceMarginRatio), p.isLong);
}

/** Leverage tolerance after a completed rebalance (WAD). */
export const AFTER_REBALANCE_TOLERANCE = 10n ** 16n; // 0.01

/**
 * The leverage-maintenance contract, checked after one keeper opportunity: leverage inside the band, and inside the
 * inner band (within 0.01) when the keeper completed a rebalance or ripcord (the last call was not an unfinished
 * chunk): a band rebalance lands on the inner band's nearer edge, a ripcord or time-based one at target (methodology
 * v2; with `innerBand` 0 the inner band is the target itself, v1's "back at target"). Ripcords size themselves
 * against the equity left after their own costs, so they land within 0.01 too.
 */
export async function expectMaintained(
  suite: Suite,
  symbol: ProductSymbol,
  taken: readonly ActionValue[],
  context: string,
): Promise<void> {
  const token = suite.products[symbol];
  const m = await suite.rebalancer.methodology(await token.getAddress());
  const lev = await token.currentLeverage();
  const where = `${symbol} ${context}: leverage ${wadToNumber(lev).toFixed(4)}`;
  expect(lev, `${where} below band`).to.be.gte(m.minLeverage);
  expect(lev, `${where} above band`).to.be.lte(m.maxLeverage);
  if (taken.length > 0) {
    const { low, high } = innerBand(m);
    expect(lev, `${where} not back in the inner band after ${taken.join(",")}`).to.be.gte(
      low - AFTER_REBALANCE_TOLERANCE,
    );
    expect(lev, `${where} not back in the inner band after ${taken.join(",")}`).to.be.lte(
      high + AFTER_REBALANCE_TOLERANCE,
    );
  }
}

/** The inner band's edges (WAD): where a band rebalance lands. */
export function innerBand(m: { minLeverage: bigint; targetLeverage: bigint; maxLeverage: bigint; innerBand: bigint }): {
  low: bigint;
  high: bigint;
} {
  return {
    low: m.targetLeverage - ((m.targetLeverage - m.minLeverage) * m.innerBand) / WAD,
    high: m.targetLeverage + ((m.maxLeverage - m.targetLeverage) * m.innerBand) / WAD,
  };
}
