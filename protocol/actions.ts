/**
 * IRebalancer.Action: what a product needs now. The numeric order is part of the contract's ABI (a uint8 in
 * `shouldRebalance`, `checkUpkeep`'s performData, `RebalanceExecuted` and `RebalanceNotNeeded`).
 */
export enum Action {
  NONE = 0,
  REBALANCE = 1,
  ITERATE = 2,
  RIPCORD = 3,
}

/** The names of `Action`, indexed by value. */
export const ACTION_NAMES = [
  "NONE",
  "REBALANCE",
  "ITERATE",
  "RIPCORD",
] as const satisfies readonly (keyof typeof Action)[];
export type ActionName = (typeof ACTION_NAMES)[number];

export function isAction(value: number | bigint): boolean {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n < ACTION_NAMES.length;
}

/** A uint8 from the chain as an `Action`; throws on a value the contract never returns. */
export function toAction(value: number | bigint): Action {
  if (!isAction(value)) throw new Error(`unknown Rebalancer action ${String(value)}`);
  return Number(value) as Action;
}

/** "NONE" | "REBALANCE" | "ITERATE" | "RIPCORD"; throws on an unknown value. */
export function actionName(value: number | bigint): ActionName {
  return ACTION_NAMES[toAction(value)];
}

/** The Rebalancer function that serves a due action: `ripcord` for RIPCORD, `rebalance` for REBALANCE and ITERATE. */
export function actionMethod(action: Action): "rebalance" | "ripcord" {
  return action === Action.RIPCORD ? "ripcord" : "rebalance";
}
