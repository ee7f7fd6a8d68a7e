/** The backtest's keeper: sends the Rebalancer's due action in its own transaction (real gas) until nothing is due. */
import { WAD, type Methodology } from "../../config/parameters";
import { Action, ACTION_NAMES, actionMethod } from "../../protocol/actions";
import type { Interface } from "ethers";
import type { Chain } from "./chain";
import { fromWad, toUsd6 } from "./driver-codec";
import type { WindowContext } from "./harness";
import { readRebalances, type RebalanceRead } from "./receipts";

/** A runaway guard: more calls than this for one candle is a bug, not a market. */
const MAX_CALLS = 32;

/**
 * Nothing can be due after a trade that was not cut to the per-call cap (so no chunk is pending) and left leverage
 * inside the band (the interval restarts with it); otherwise the Rebalancer is asked.
 */
function settledBy(ev: RebalanceRead, m: Methodology, markWad: bigint): boolean {
  const { leverageAfter: after, sizeDelta: delta } = ev;
  const traded = ((delta < 0n ? -delta : delta) * markWad) / WAD;
  const clipped = m.maxTradeNotional > 0n && traded * 1000n >= BigInt(m.maxTradeNotional) * 999n;
  return !clipped && after * 1000n > BigInt(m.minLeverage) * 1002n && after * 1000n < BigInt(m.maxLeverage) * 998n;
}

/**
 * The interval's check, asked when it falls due rather than at the next candle's close: the Rebalancer's answer in a
 * block at `lastRebalance + interval`, if that is within the feed's heartbeat of the candle's `close` (data time);
 * later, a real feed would have posted a price this history does not have, and the next candle's own block sees the
 * due state, so NONE. Both engines (the perp candle loop, the Aave backtest) use it, so both run a 24-hour daily check.
 */
export async function intervalActionAt(
  chain: Chain,
  rebalancer: { address: string; abi: Interface },
  token: string,
  interval: number,
  close: number,
  heartbeat: number,
): Promise<Action> {
  const state = (await chain.call(rebalancer.address, rebalancer.abi, "tokenState", [token])) as {
    lastRebalance: bigint;
  };
  const due = Number(state.lastRebalance) + interval;
  if (due > chain.chainTime(close) + heartbeat) return Action.NONE;
  return Number(await chain.callInBlockAt(due, rebalancer.address, rebalancer.abi, "shouldRebalance", [token]));
}

/** Calls the Rebalancer for `action` until nothing is due; returns the leverage after. */
export async function keeperActs(k: WindowContext, action: Action, leverageBefore: number): Promise<number> {
  const { h, token, methodology, r, costs } = k;
  const markWad = costs.mark;
  let lev = leverageBefore;
  for (let calls = 0; calls < MAX_CALLS && action !== Action.NONE; calls++) {
    const fn = actionMethod(action);
    let receipt;
    try {
      receipt = await h.chain.send(h.keeper, h.addrs.rebalancer, h.abis.rebalancer.encodeFunctionData(fn, [token]));
    } catch (e) {
      r.keeperFailures += 1;
      if (r.keeperFailures <= 5)
        process.stderr.write(`\nkeeper ${ACTION_NAMES[action]} failed: ${(e as Error).message.split("\n")[0]}\n`);
      break;
    }
    costs.add(receipt);
    r.gasUsed.push(Number(BigInt(receipt.gasUsed)));
    let settled = false;
    for (const ev of readRebalances(h.abis, receipt, h.addrs.rebalancer)) {
      lev = fromWad(ev.leverageAfter);
      r.keeperBounties += toUsd6(ev.bounty);
      settled = settledBy(ev, methodology, markWad);
    }
    if (action === Action.RIPCORD) r.ripcords += 1;
    else r.rebalances += 1;
    action = settled
      ? Action.NONE
      : Number((await h.chain.call(h.addrs.rebalancer, h.abis.rebalancer, "shouldRebalance", [token])) as bigint);
  }
  return lev;
}
