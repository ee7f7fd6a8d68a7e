/** Per-product handles and small actions shared by the LeveragedToken, factory and property tests. */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IMockPerpVenue, MockV3Aggregator } from "../../typechain-types";
import { productDefaults, type ProductSymbol } from "../../config/parameters";
import type { Suite } from "./deployment";
import { fund } from "./deployment";
import type { ModelContext } from "./accounting";

export interface ProductContext extends ModelContext {
  suite: Suite;
  symbol: ProductSymbol;
  feed: MockV3Aggregator;
  /** The product's venue through the mock's own interface, for scenarios that turn its knobs (pause, funding). */
  mockVenue: IMockPerpVenue;
  address: string;
}

export async function productContext(suite: Suite, symbol: ProductSymbol): Promise<ProductContext> {
  const { market } = productDefaults(symbol);
  const token = suite.products[symbol];
  return {
    suite,
    symbol,
    token,
    venue: suite.venues[market],
    mockVenue: suite.mockVenues[market],
    usdc: suite.usdc,
    rebalancer: suite.rebalancer,
    feed: suite.feeds[market],
    address: await token.getAddress(),
  };
}

/** Funds `user` with `amount` USDC, approves the product and mints with it (minSharesOut 0). */
export async function fundAndMint(ctx: ProductContext, user: HardhatEthersSigner, amount: bigint): Promise<bigint> {
  await fund(ctx.suite, user, amount, ctx.address);
  const before = await ctx.token.balanceOf(user.address);
  await ctx.token.connect(user).mint(amount, 0n, user.address);
  return (await ctx.token.balanceOf(user.address)) - before;
}

/** Re-posts the feed's answer (optionally a new one) so the oracle's 3600 s heartbeat is satisfied again. */
export async function postPrice(feed: MockV3Aggregator, answer?: bigint): Promise<void> {
  await feed.updateAnswer(answer ?? (await feed.latestAnswer()));
}

/** Moves time forward by `seconds` and re-posts the price, so later oracle reads are fresh. */
export async function advance(feed: MockV3Aggregator, seconds: number): Promise<void> {
  await time.increase(seconds);
  await postPrice(feed);
}

/** Sets the product's streaming fee to 0 (keeping trade fees), so NAV does not move with time. */
export async function disableStreamingFee(ctx: ProductContext): Promise<void> {
  const f = await ctx.token.fees();
  await ctx.token
    .connect(ctx.suite.governor)
    .setFees({ mintFeeRate: f.mintFeeRate, redeemFeeRate: f.redeemFeeRate, streamingFeeRate: 0n });
}
