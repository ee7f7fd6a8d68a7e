/**
 * The candles of one window. Each candle is one BacktestDriver transaction (contracts/backtest) that posts the
 * candle's prices to the feed one by one, sets the venue's funding rate when it changes, lets the venue's own
 * `isLiquidatable` decide wherever liquidation is possible (and then liquidates for real), and asks the Rebalancer's
 * `shouldRebalance` wherever a keeper action is possible. When one is due, the driver stops and the keeper acts in its
 * own transaction (keeper.ts), then the candle resumes where it stopped.
 *
 * Speed: a candle is first sent QUIET (the driver reverts with `Due` instead of stopping), without reading its
 * receipt; the quiet candles' `Run` events are read in one `eth_getLogs` at the window's end, and a due candle is
 * replayed one second later the normal way. See docs/backtest.md, "The driver and the speed budget".
 *
 * A candle's transaction is mined at its close time; the keeper's follow 1 s apart. The interval's rebalance falls
 * due at `lastRebalance + interval`, usually seconds after a close (a keeper action lands one second after a close, a
 * product is registered just after the previous window's redeem): a keeper watching every block acts at that second,
 * at the last posted price, and so does this one (`keeperWhenDue`) when it falls within the feed's heartbeat of the
 * close, instead of at the next candle's close, which made the daily check run every 26 hours and a window's result
 * depend on when its product was registered.
 */
import { LOCAL_FEED_TIMING } from "../../config/networks";
import { Action } from "../../protocol/actions";
import { decodeRun, encodeRun, fromWad, isDueRevert, priceWad, QUIET, runFlags } from "./driver-codec";
import { DueForecast } from "./forecast";
import type { WindowContext } from "./harness";
import { intervalActionAt, keeperActs } from "./keeper";
import type { Holding } from "./lifecycle";
import { barPath, fundingWad, tickPath } from "./price-path";
import { holderNav, tallyRun, type NavPoint } from "./result";
import type { TheorySample } from "./theory";

const MAX_PRICES_PER_TX = 100;
/** The driver's replica is compared with the venue's own valuation at least this often (candles), and at a window's end. */
const VERIFY_EVERY = 64;

/** One candle's prices as the driver posts them, and from which index the keeper may act. */
interface CandleRun {
  ci: number;
  path: number[];
  keeperFrom: number;
  rate: bigint; // funding rate per second, WAD
  verify: boolean;
}

export class CandleLoop {
  /** The open, then every candle's close: the theory's path. */
  readonly theorySamples: TheorySample[];
  readonly navSeries: NavPoint[] = [];
  /** Sum over candles of the fraction of prices inside the reference band. */
  inBandSum = 0;
  /** The venue liquidated the product: the remaining candles only carry its last value. */
  dead = false;
  private prevPrice: number;
  private leverageAtClose: number;
  private refresh = true; // the mint changed the account
  private readonly forecast: DueForecast;
  /** Candles sent QUIET and not yet accounted: their `Run` logs are read in one request at the window's end. */
  private readonly quiet = new Map<string, number>();
  private firstBlock = 0;

  constructor(
    private readonly w: WindowContext,
    private readonly holding: Holding,
  ) {
    const { cfg, window, methodology } = w;
    const first = window.candles[0];
    this.theorySamples = [
      { t: first.t, price: first.o, fundingPerSecond: Number(fundingWad(cfg.funding, first.t)) / 1e18 },
    ];
    this.prevPrice = first.o;
    this.leverageAtClose = fromWad(methodology.targetLeverage);
    this.forecast = new DueForecast(methodology, cfg.product.isLong, cfg.barSeconds, first);
  }

  /** Every candle of the window, then the quiet candles' accounts. */
  async run(onCandle?: () => void): Promise<void> {
    this.firstBlock = (await this.w.h.chain.blockNumber()) + 1;
    for (let ci = 0; ci < this.w.window.candles.length; ci++) {
      await this.candle(ci);
      onCandle?.();
    }
    await this.readQuietCandles();
  }

  private async candle(ci: number): Promise<void> {
    const { cfg, window, h } = this.w;
    const c = window.candles[ci];
    const close = c.t + cfg.barSeconds;
    const rate = fundingWad(cfg.funding, close);
    this.theorySamples.push({ t: close, price: c.c, fundingPerSecond: Number(rate) / 1e18 });
    if (this.dead) {
      this.navSeries.push({ nav: this.navSeries[this.navSeries.length - 1]?.nav ?? 0, lev: 0, maxLev: 0 });
      return;
    }
    const path = cfg.keeper === "tick" ? tickPath(this.prevPrice, c, cfg.step) : barPath(c, cfg.product.isLong);
    const keeperFrom = cfg.keeper === "tick" ? 0 : path.length - 1;
    const verify = ci % VERIFY_EVERY === VERIFY_EVERY - 1 || ci === window.candles.length - 1;
    const run: CandleRun = { ci, path, keeperFrom, rate, verify };
    await h.chain.at(close);
    if (path.length <= MAX_PRICES_PER_TX && !this.forecast.mayBeDue(path, keeperFrom, close)) {
      if (await this.sendQuiet(run)) return this.keeperWhenDue(close);
      await h.chain.next(); // the reverted attempt was mined: replay the candle one second later
    }
    await this.sendInChunks(run);
    await this.keeperWhenDue(close);
  }

  /** The interval's rebalance, if it falls due before the next candle's close (see the top of this file). */
  private async keeperWhenDue(close: number): Promise<void> {
    const { h, token, costs, methodology, cfg } = this.w;
    if (this.dead || !this.forecast.intervalMayBeDue(close + cfg.barSeconds, this.prevPrice)) return;
    const heartbeat = LOCAL_FEED_TIMING[cfg.product.market].heartbeat;
    const rebalancer = { address: h.addrs.rebalancer, abi: h.abis.rebalancer };
    const action = await intervalActionAt(h.chain, rebalancer, token, methodology.interval, close, heartbeat);
    if (action === Action.NONE) return;
    this.leverageAtClose = await keeperActs(this.w, action, this.leverageAtClose);
    this.forecast.rebalanced(this.leverageAtClose, fromWad(costs.mark), close);
    this.refresh = true;
  }

  /** Sends the candle QUIET: if nothing is due, the candle is done and its receipt is read later with the others.
   *  Returns false if the driver reverted with `Due`. */
  private async sendQuiet({ ci, path, keeperFrom, rate, verify }: CandleRun): Promise<boolean> {
    const { h, costs } = this.w;
    const data = encodeRun(path, keeperFrom, rate, runFlags(this.refresh, verify) | QUIET);
    const hash = await h.chain.trySend(h.operator, h.addrs.driver, data, isDueRevert);
    if (hash === null) return false;
    this.quiet.set(hash, ci);
    this.refresh = false;
    this.prevPrice = path[path.length - 1];
    costs.mark = priceWad(this.prevPrice);
    this.navSeries.push({ nav: 0, lev: 0, maxLev: 0 }); // filled in from the logs at the window's end
    return true;
  }

  /** Sends the candle the normal way, in chunks of at most MAX_PRICES_PER_TX prices with each receipt read at once:
   *  the keeper acts wherever the driver stops for it, and the candle ends where the venue liquidates. */
  private async sendInChunks({ ci, path, keeperFrom: keeperFromAll, rate, verify }: CandleRun): Promise<void> {
    const { h, r, costs, window, cfg } = this.w;
    const c = window.candles[ci];
    const close = c.t + cfg.barSeconds;
    let pos = 0;
    let candleInBand = 0;
    let candleUpdates = 0;
    let candleMaxLev = 0;
    let equity = 0n;
    while (pos < path.length) {
      const chunk = path.slice(pos, pos + MAX_PRICES_PER_TX);
      const keeperFrom = Math.max(0, keeperFromAll - pos);
      const flags = runFlags(this.refresh, verify);
      this.refresh = false;
      if (pos > 0) await h.chain.next();
      const receipt = await h.chain.send(h.operator, h.addrs.driver, encodeRun(chunk, keeperFrom, rate, flags), true);
      costs.add(receipt);
      const ev = decodeRun(h.abis.logs(receipt, "Run", h.addrs.driver)[0]);
      costs.mark = ev.mark;
      equity = ev.equity;
      this.leverageAtClose = fromWad(ev.leverage);
      if (ev.stop === 0 && ev.leverage < 2n ** 255n) this.forecast.moved(this.leverageAtClose, fromWad(ev.mark));
      candleUpdates += ev.processed;
      candleInBand += ev.inBand;
      candleMaxLev = tallyRun(r, ev, candleMaxLev);
      pos += ev.processed;
      this.prevPrice = chunk[ev.processed - 1];
      if (ev.stop === 2) {
        this.dead = true;
        r.liquidations += 1;
        r.liquidation = {
          candle: c,
          price: this.prevPrice,
          prevClose: ci > 0 ? window.candles[ci - 1].c : window.candles[0].o,
        };
        break;
      }
      if (ev.stop === 1) {
        this.leverageAtClose = await keeperActs(this.w, ev.action, this.leverageAtClose);
        this.forecast.rebalanced(this.leverageAtClose, fromWad(costs.mark), close);
        this.refresh = true;
      }
    }
    this.inBandSum += candleUpdates > 0 ? candleInBand / candleUpdates : 0;
    const lev = this.dead ? 0 : this.leverageAtClose;
    this.navSeries.push({ nav: this.nav(equity, close), lev, maxLev: candleMaxLev });
  }

  /** The quiet candles' `Run` events, in one request. */
  private async readQuietCandles(): Promise<void> {
    if (this.quiet.size === 0) return;
    const { h, r, window, cfg } = this.w;
    for (const log of await h.chain.logsSince(this.firstBlock, h.addrs.driver, h.abis.topics.Run)) {
      const ci = this.quiet.get(log.transactionHash);
      if (ci === undefined) continue;
      this.quiet.delete(log.transactionHash);
      const ev = decodeRun(log);
      this.inBandSum += ev.processed > 0 ? ev.inBand / ev.processed : 0;
      const maxLev = tallyRun(r, ev, 0);
      this.navSeries[ci] = {
        nav: this.nav(ev.equity, window.candles[ci].t + cfg.barSeconds),
        lev: fromWad(ev.leverage),
        maxLev,
      };
    }
    if (this.quiet.size > 0) throw new Error(`${this.quiet.size} quiet candle transactions have no Run event`);
  }

  private nav(equity: bigint, close: number): number {
    return holderNav(equity, close, this.w.window.candles[0].t, this.holding.holderFraction);
  }
}
