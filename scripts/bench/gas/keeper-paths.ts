/**
 * The keeper's paths. Every product holds a position at target under methodology v1's band (±1/6 of target) with v2's
 * inner band and trigger TTL: one 12% fall then takes every product outside its band (longs above Lmax, shorts below Lmin) without
 * reaching a ripcord, which v2's asymmetric bands cannot all show at once; the gas of a path does not depend on where
 * the band lies. Every scenario starts from that
 * one "due" state (GasMeter.measureKeeper restores it), so rebalance and performUpkeep act on the identical state.
 */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder } from "ethers";
import { PRODUCT_SYMBOLS, methodologyV1, productDefaults, usdc, wad } from "../../../config/parameters";
import { Action } from "../../../protocol/actions";
import type { GasMeter } from "./meter";
import type { Suite } from "./suite";

/** performUpkeep's data: every token with a REBALANCE. */
const upkeepData = (tokens: string[]): string =>
  AbiCoder.defaultAbiCoder().encode(["address[]", "uint8[]"], [tokens, tokens.map(() => Action.REBALANCE)]);

/** Every product at target, then the 12% fall; the breach is a minute old (the Dutch-auction bounty has grown a
 *  little). */
async function makeEveryProductDue(m: GasMeter, s: Suite): Promise<void> {
  const { b } = s.wallets;
  for (const sym of PRODUCT_SYMBOLS) {
    const { leverage, methodology } = productDefaults(sym);
    await (
      await s.rebalancer.connect(s.governor).setMethodology(await s.products[sym].getAddress(), {
        ...methodologyV1(leverage),
        innerBand: methodology.innerBand,
        triggerTtl: methodology.triggerTtl,
      })
    ).wait();
    if ((await s.products[sym].totalSupply()) === 0n)
      await (await s.products[sym].connect(b).mint(usdc(100_000), 0n, b.address)).wait();
  }
  await m.tick();
  await m.movePrice("BTC", 0.88);
  await m.movePrice("ETH", 0.88);
  await time.increase(60);
}

export async function measureKeeperPaths(m: GasMeter, s: Suite): Promise<void> {
  const { rebalancer, keeper, governor } = s;
  const tokenAddr = await s.token.getAddress();
  await makeEveryProductDue(m, s);
  await m.snapshotDue();
  const allTokens = await Promise.all(PRODUCT_SYMBOLS.map((sym) => s.products[sym].getAddress()));
  // Normal rebalance: one product, the whole trade back to target in one call.
  const rebalance = () => rebalancer.connect(keeper).rebalance(tokenAddr);
  await m.measureKeeper("rebalance.normal", rebalance, Action.REBALANCE, 1, "rebalance (normal)");
  // performUpkeep over 1 and over all 8 due products, from the same state.
  await m.measureKeeper(
    "upkeep.1",
    () => rebalancer.connect(keeper).performUpkeep(upkeepData([tokenAddr])),
    Action.REBALANCE,
    1,
  );
  await m.measureKeeper(
    "upkeep.8",
    () => rebalancer.connect(keeper).performUpkeep(upkeepData(allTokens)),
    Action.REBALANCE,
    8,
  );
  // ITERATE chunk: a small maxTradeNotional splits the trade; the first call (REBALANCE, capped) starts the
  // iteration and the measured call is a middle chunk (ITERATE, still capped).
  const v2 = productDefaults("BTC3L").methodology;
  const methodology = { ...methodologyV1(3), innerBand: v2.innerBand, triggerTtl: v2.triggerTtl };
  await (
    await rebalancer.connect(governor).setMethodology(tokenAddr, { ...methodology, maxTradeNotional: wad(10_000) })
  ).wait();
  await (await rebalance()).wait();
  await m.measureKeeper("rebalance.iterate", rebalance, Action.ITERATE, 1);
  // Ripcord: a further fall takes BTC3L above its ripcord level (4.5x in v1); ripcord trades back to target at once.
  await m.movePrice("BTC", 0.96);
  await time.increase(60);
  await m.measureKeeper(
    "rebalance.ripcord",
    () => rebalancer.connect(keeper).ripcord(tokenAddr),
    Action.RIPCORD,
    1,
    "ripcord",
  );
}

/**
 * What the trigger prices save a keeper's checks: `checkUpkeep` over the 8 products and `shouldRebalance` on one,
 * with nothing due, (a) right after every product was rebalanced (each has trigger prices: the venue is not read) and
 * (b) on the identical state once `setMethodology` has cleared them (each product's venue and oracle are read, as
 * before v2). eth_estimateGas of the call, as Chainlink Automation simulates `checkUpkeep` from address(0).
 */
export async function measureTriggerPaths(m: GasMeter, s: Suite): Promise<void> {
  const { rebalancer, keeper, governor } = s;
  await makeEveryProductDue(m, s);
  for (let i = 0; i < 32; i++) {
    const [needed, data] = await rebalancer.checkUpkeep.staticCall("0x");
    if (!needed) break;
    await (await rebalancer.connect(keeper).performUpkeep(data, { gasLimit: 15_000_000n })).wait();
  }
  const rebalancerAddress = await rebalancer.getAddress();
  const btc3l = await s.products.BTC3L.getAddress();
  const estimate = async (data: string) =>
    Number(await rebalancer.runner!.provider!.estimateGas({ to: rebalancerAddress, from: ZERO, data }));
  const check = rebalancer.interface.encodeFunctionData("checkUpkeep", ["0x"]);
  const should = rebalancer.interface.encodeFunctionData("shouldRebalance", [btc3l]);
  for (const sym of PRODUCT_SYMBOLS) {
    const [, high] = await rebalancer.triggerPrices(await s.products[sym].getAddress());
    if (high === 0n) throw new Error(`${sym} has no trigger prices after its rebalance`);
  }
  m.gas["check.triggers"] = await estimate(check);
  m.gas["should.triggers"] = await estimate(should);
  for (const sym of PRODUCT_SYMBOLS) {
    const token = await s.products[sym].getAddress();
    const m = await rebalancer.methodology(token);
    const current = {
      minLeverage: m.minLeverage,
      targetLeverage: m.targetLeverage,
      maxLeverage: m.maxLeverage,
      ripcordLeverage: m.ripcordLeverage,
      interval: m.interval,
      tolerance: m.tolerance,
      maxSlippage: m.maxSlippage,
      maxTradeNotional: m.maxTradeNotional,
      innerBand: m.innerBand,
      triggerTtl: m.triggerTtl,
    };
    await (await rebalancer.connect(governor).setMethodology(token, current)).wait();
  }
  m.gas["check.venue"] = await estimate(check);
  m.gas["should.venue"] = await estimate(should);
}

const ZERO = "0x0000000000000000000000000000000000000000";
