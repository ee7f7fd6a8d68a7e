import { deployments } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  MARKETS,
  PRODUCT_SYMBOLS,
  methodologyV1,
  productDefaults,
  usdc,
  type MarketSymbol,
  type ProductSymbol,
} from "../../config/parameters";
import { deploySuite, fund, type Suite } from "./deployment";

/** Collateral each product is seeded with by `deployFundedSuite` (USDC, 6 decimals). */
export const SEED = usdc(100_000);

/** Funding of 0.1% of notional per 8 hours, as a WAD rate per second (longs pay when positive). */
export const FUNDING_0_1PCT_PER_8H = 10n ** 15n / 28_800n;

/** Parts per million: moves are expressed as integer ppm so that prices stay exact bigints. */
export const PPM = 1_000_000n;

export function marketOf(symbol: ProductSymbol): MarketSymbol {
  return productDefaults(symbol).market;
}

/**
 * The full suite with every one of the eight products seeded by `users[0]` with `SEED` USDC (so each holds a position
 * at target leverage), as its own snapshot-restored fixture: each call costs one `evm_revert`.
 */
export const deployFundedSuite = deployments.createFixture(async (): Promise<Suite> => {
  const suite = await deploySuite();
  const holder = suite.users[0];
  for (const symbol of PRODUCT_SYMBOLS) {
    const token = suite.products[symbol];
    await fund(suite, holder, SEED, await token.getAddress());
    await (await token.connect(holder).mint(SEED, 0n, holder.address)).wait();
  }
  return suite;
});

/**
 * `deployFundedSuite` with every product under methodology v1's band (±1/6 of target, every rebalance back to target;
 * config/parameters.ts methodologyV1), set by governance before the seed mints: the Rebalancer's unit tests are
 * written against those numbers (e.g. "3x long after -8% is above its band"); the deployed v2 defaults are exercised
 * by test/unit/MethodologyV2.test.ts, the leverage-maintenance, no-liquidation and invariant tests.
 */
export const deployFundedSuiteV1 = deployments.createFixture(async (): Promise<Suite> => {
  const suite = await deploySuite();
  const holder = suite.users[0];
  for (const symbol of PRODUCT_SYMBOLS) {
    const token = suite.products[symbol];
    await suite.rebalancer
      .connect(suite.governor)
      .setMethodology(await token.getAddress(), methodologyV1(productDefaults(symbol).leverage));
    await fund(suite, holder, SEED, await token.getAddress());
    await (await token.connect(holder).mint(SEED, 0n, holder.address)).wait();
  }
  return suite;
});

/** The market's latest Chainlink answer (8 decimals). */
export async function answerOf(suite: Suite, market: MarketSymbol): Promise<bigint> {
  return suite.feeds[market].latestAnswer();
}

/** Gas for one MockV3Aggregator.updateAnswer (a fixed limit skips eth_estimateGas: these helpers run thousands). */
const UPDATE_ANSWER_GAS = 300_000n;

/**
 * Posts a new Chainlink answer (8 decimals) for `market`; its `updatedAt` is the mining block's timestamp.
 * With automine (the default) the transaction is mined, or has thrown, when the send returns.
 */
export async function postAnswer(suite: Suite, market: MarketSymbol, answer: bigint): Promise<void> {
  await suite.feeds[market].updateAnswer(answer, { gasLimit: UPDATE_ANSWER_GAS });
}

/** Moves `market` by `movePpm` parts per million of its current answer (rounded down); returns the new answer. */
export async function movePrice(suite: Suite, market: MarketSymbol, movePpm: bigint): Promise<bigint> {
  const next = ((await answerOf(suite, market)) * (PPM + movePpm)) / PPM;
  await postAnswer(suite, market, next);
  return next;
}

/** Re-posts the current answer of every market (after a time jump, so reads do not revert `StalePrice`). */
export async function refreshPrices(suite: Suite): Promise<void> {
  for (const market of Object.keys(MARKETS) as MarketSymbol[]) {
    await postAnswer(suite, market, await answerOf(suite, market));
  }
}

/** Advances time by `seconds` and re-posts every market's price. */
export async function advanceAndRefresh(suite: Suite, seconds: number): Promise<void> {
  await time.increase(seconds);
  await refreshPrices(suite);
}
