/**
 * A window's product from birth to the holder's exit: created and registered through the factory (under the rule
 * set's methodology), the holder's mint at the first candle's open, and the redeem of everything after the last close.
 */
import { DEFAULT_BOUNTY, DEFAULT_FEES, type Methodology } from "../../config/parameters";
import { DEAD_SHARES } from "../../protocol/constants";
import { encodeRun, priceWad, REFRESH, toUsd6 } from "./driver-codec";
import type { Harness, WindowContext } from "./harness";
import { referenceBand } from "./presets";
import { fundingWad } from "./price-path";
import { createdToken, readMint, readRedeem } from "./receipts";
import type { EngineConfig, Window } from "./types";

/** A fresh product for the window (the `index`-th of the run), created and registered through the factory, and
 *  handed to the driver with its reference band. Returns the token's address. */
export async function createProduct(
  h: Harness,
  cfg: EngineConfig,
  window: Window,
  index: number,
  methodology: Methodology,
): Promise<string> {
  const { product } = cfg;
  await h.chain.at(window.candles[0].t - 60);
  const create = h.abis.factory.encodeFunctionData("createProduct", [
    {
      name: `Ballast backtest ${product.symbol} ${window.label}`,
      symbol: `${product.symbol}.${index}`,
      venue: h.addrs.venue,
      isLong: product.isLong,
      fees: DEFAULT_FEES,
      equityCap: 2n ** 96n - 1n, // the largest cap the token stores (uint96): no cap in a backtest
      methodology,
      bounty: DEFAULT_BOUNTY,
    },
  ]);
  const created = await h.chain.send(h.admin, h.addrs.factory, create, true);
  const token = createdToken(h.abis, created);
  const band = referenceBand(product.leverage);
  await h.chain.send(
    h.operator,
    h.addrs.driver,
    h.abis.driver.encodeFunctionData("setToken", [token, band.min, band.max]),
  );
  return token;
}

/** The holder's position after the mint. */
export interface Holding {
  shares: bigint;
  /** The holder's fraction of the supply (the rest is the dead shares). */
  holderFraction: number;
  /** Data time of the mint. */
  mintTime: number;
}

/** Posts the opening price, then the holder mints with the deposit. */
export async function mintAtOpen(w: WindowContext): Promise<Holding> {
  const { h, cfg, window, token, r, costs } = w;
  const { chain, abis, addrs, holder } = h;
  const first = window.candles[0];
  await chain.at(first.t);
  await chain.send(h.operator, addrs.driver, encodeRun([first.o], 1, fundingWad(cfg.funding, first.t), REFRESH), true);
  const deposit = BigInt(Math.round(cfg.deposit * 1e6));
  await chain.send(h.admin, addrs.usdc, abis.usdc.encodeFunctionData("mint", [holder, deposit]));
  await chain.send(holder, addrs.usdc, abis.usdc.encodeFunctionData("approve", [token, deposit]));
  const minted = await chain.send(holder, token, abis.token.encodeFunctionData("mint", [deposit, 0n, holder]));
  const { shares, fee } = readMint(abis, minted, token);
  r.feesPaid += toUsd6(fee);
  r.startNav = toUsd6(deposit);
  costs.add(minted);
  return { shares, holderFraction: Number(shares) / Number(shares + DEAD_SHARES), mintTime: chain.dataTime() };
}

/** The holder redeems everything after the last close (re-posting the close first if the product died earlier).
 *  Returns the data time of the redeem. */
export async function redeemAtEnd(w: WindowContext, holding: Holding, dead: boolean): Promise<number> {
  const { h, cfg, window, token, r, costs } = w;
  const { chain, abis, holder } = h;
  const last = window.candles[window.candles.length - 1];
  const close = last.t + cfg.barSeconds;
  if (dead) {
    await chain.at(close);
    await chain.send(h.operator, h.addrs.driver, encodeRun([last.c], 1, fundingWad(cfg.funding, close), REFRESH), true);
    costs.mark = priceWad(last.c);
  }
  const { shares } = holding;
  const redeemed = await chain.send(holder, token, abis.token.encodeFunctionData("redeem", [shares, 0n, holder]));
  costs.add(redeemed);
  const { out, fee, streamingFeeShares } = readRedeem(abis, redeemed, token);
  r.endNav = toUsd6(out);
  r.feesPaid += toUsd6(fee);
  // The streaming fee the redeem accrued, valued at the redeemer's gross price per share.
  if (streamingFeeShares !== null) r.feesPaid += (Number(streamingFeeShares) / Number(shares)) * toUsd6(out + fee);
  return chain.dataTime();
}
