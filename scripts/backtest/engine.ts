/**
 * The backtest engine: drives the real contracts on the in-process Hardhat network over a price path.
 *
 * Per window: a fresh product is created through the LeveragedTokenFactory (so it is registered with the Rebalancer
 * under the rule set's methodology), a holder mints at the first candle's open and redeems everything after the last
 * candle's close (lifecycle.ts). In between, each candle is one BacktestDriver transaction; where a keeper action is
 * due, a keeper account sends the Rebalancer's `rebalance`/`ripcord` in its own transaction, with real gas
 * (candle-loop.ts, keeper.ts). See docs/backtest.md, "The driver and the speed budget".
 *
 * Time: chain time = candle time + a constant offset (the chain starts "now", the data in 2017); every block gets its
 * timestamp from the candles with `evm_setNextBlockTimestamp`. A candle's transaction is mined at its close time; the
 * keeper's and the holder's follow 1 s apart. Every price is read in the block that posts it (or within seconds), so
 * the deployed oracle adapter (3,600 s heartbeat + 900 s buffer) is used unchanged, also across the data's gaps.
 *
 * Modules: harness.ts (deployment), chain.ts (RPC and clock), abis.ts and receipts.ts (events), driver-codec.ts (the
 * driver's calldata and event), price-path.ts (tick and bar paths, funding), forecast.ts (which candles go QUIET),
 * result.ts (the window's figures), types.ts and product-spec.ts (shapes).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { BacktestFeed__factory } from "../../typechain-types/factories/contracts/backtest/BacktestFeed__factory";
import type { MarketSymbol, Methodology } from "../../config/parameters";
import { Abis } from "./abis";
import { CandleLoop } from "./candle-loop";
import { Chain } from "./chain";
import { answerOf, priceWad } from "./driver-codec";
import { deployHarness, type Harness, type WindowContext } from "./harness";
import { createProduct, mintAtOpen, redeemAtEnd } from "./lifecycle";
import { methodologyForRules } from "./presets";
import { CostBook } from "./receipts";
import { emptyResult, finishResult } from "./result";
import type { Contracts, EngineConfig, Window, WindowResult } from "./types";

export type * from "./types";
export { encodeRun } from "./driver-codec";
export { barPath, fundingAt, tickPath } from "./price-path";
export { productSpec } from "./product-spec";

export class Engine {
  private readonly chain: Chain;
  private readonly abis: Abis;
  private h!: Harness;
  private venueMaxLeverage = 20;
  private windowCount = 0;

  constructor(private readonly hre: HardhatRuntimeEnvironment) {
    this.chain = new Chain(hre.network.provider);
    this.abis = new Abis(hre);
  }

  /** Deploys the harness (harness.ts) with a backtest market for `market`. */
  async setup(market: MarketSymbol): Promise<void> {
    this.h = await deployHarness(this.hre, this.chain, this.abis, market);
    this.venueMaxLeverage = this.h.venueMaxLeverage;
  }

  /** The deployed backtest market and the driver's and keeper's (impersonated) accounts. */
  deployment(): Contracts & { operator: string; keeper: string; holder: string } {
    return { ...this.h.addrs, operator: this.h.operator, keeper: this.h.keeper, holder: this.h.holder };
  }

  /** Maps data time to chain time so that `firstT` lands after the chain's current head. */
  alignTime(firstT: number): void {
    this.chain.alignTime(firstT);
  }

  methodology(cfg: EngineConfig): Methodology {
    return methodologyForRules(
      cfg.rules,
      cfg.product.leverage,
      cfg.product.isLong,
      this.venueMaxLeverage,
      cfg.overrides,
    );
  }

  /** One window: a fresh product, the holder's mint, every candle, the holder's redeem, the window's figures. */
  async runWindow(cfg: EngineConfig, window: Window, onCandle?: () => void): Promise<WindowResult> {
    const started = Date.now();
    const h = this.h;
    const methodology = this.methodology(cfg);
    this.windowCount += 1;
    const token = await createProduct(h, cfg, window, this.windowCount, methodology);
    const r = emptyResult(window, cfg.barSeconds, methodology);
    const costs = new CostBook(h.abis, h.addrs.venue, token, r, priceWad(window.candles[0].o));
    const w: WindowContext = { h, cfg, window, methodology, token, r, costs };
    const holding = await mintAtOpen(w);
    const loop = new CandleLoop(w, holding);
    await loop.run(onCandle);
    const redeemTime = await redeemAtEnd(w, holding, loop.dead);
    finishResult(r, {
      product: cfg.product,
      theorySamples: loop.theorySamples,
      navSeries: loop.navSeries,
      inBandSum: loop.inBandSum,
      mintTime: holding.mintTime,
      redeemTime,
    });
    r.wallSeconds = (Date.now() - started) / 1000;
    return r;
  }

  /**
   * Turns off Hardhat's Solidity stack-trace engine for this process's in-process network (call it before the network
   * is first used). The engine identifies the contract of every call frame, which triples the cost of the backtest's
   * deep view calls; without it a revert still surfaces with its custom error data. Nothing else changes.
   */
  static disableStackTraces(hre: HardhatRuntimeEnvironment): void {
    (hre.artifacts as unknown as { getBuildInfoPaths: () => Promise<string[]> }).getBuildInfoPaths = async () => [];
  }

  /** Raw in-process transaction rate: `n` one-slot transactions (the harness feed's updateAnswer), each in its own
   *  timestamped block, with its receipt: the floor under any backtest step. */
  async rawTxRate(n: number): Promise<number> {
    const started = Date.now();
    const feed = BacktestFeed__factory.createInterface();
    const data = (i: number) => feed.encodeFunctionData("updateAnswer", [answerOf(50_000 + i)]);
    for (let i = 0; i < n; i++) await this.chain.send(this.h.operator, this.h.addrs.feed, data(i));
    return n / ((Date.now() - started) / 1000);
  }
}
