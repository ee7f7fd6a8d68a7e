/**
 * The backtest engine: drives the real contracts on the in-process Hardhat network over a price path.
 *
 * Per window: a fresh product is created through the LeveragedTokenFactory (so it is registered with the Rebalancer
 * under the rule set's methodology), a holder mints at the first candle's open and redeems everything after the last
 * candle's close. In between, each candle is one BacktestDriver transaction (contracts/backtest) that posts the
 * candle's prices to the feed one by one, sets the venue's funding rate when it changes, lets the venue's own
 * `isLiquidatable` decide wherever liquidation is possible (and then liquidates for real), and asks the Rebalancer's
 * `shouldRebalance` wherever a keeper action is possible. When one is due, the driver stops and a keeper account sends
 * the Rebalancer's `rebalance`/`ripcord` in its own transaction (real gas), then the candle resumes where it stopped.
 *
 * Speed: a candle is first sent QUIET (the driver reverts with `Due` instead of stopping), without reading its
 * receipt; the quiet candles' `Run` events are read in one `eth_getLogs` at the window's end, and a due candle is
 * replayed one second later the normal way. See docs/backtest.md, "The driver and the speed budget".
 *
 * Time: chain time = candle time + a constant offset (the chain starts "now", the data in 2017); every block gets its
 * timestamp from the candles with `evm_setNextBlockTimestamp`. A candle's transaction is mined at its close time; the
 * keeper's and the holder's follow 1 s apart. Every price is read in the block that posts it (or within seconds), so
 * the deployed oracle adapter with Chainlink's 3,600 s heartbeat is used unchanged, also across the data's gaps.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Interface } from "ethers";
import {
  DEFAULT_BOUNTY,
  DEFAULT_FEES,
  MARKETS,
  WAD,
  type MarketSymbol,
  type Methodology,
} from "../../config/parameters";
import type { Candle, FundingPoint } from "./csv";
import { methodologyForRules, referenceBand, type RuleOverrides, type RulesName } from "./presets";
import { theory, trackingDiffBpsPerYear, YEAR_SECONDS, type TheorySample } from "./theory";

export type KeeperMode = "bar" | "tick";

export interface ProductSpec {
  symbol: string; // e.g. BTC3L (or BTC-2.5x-long for a custom leverage)
  market: MarketSymbol;
  leverage: number; // positive magnitude
  isLong: boolean;
}

export interface FundingSchedule {
  points: FundingPoint[];
  intervalSeconds: number;
}

export interface EngineConfig {
  product: ProductSpec;
  rules: RulesName;
  overrides: RuleOverrides;
  keeper: KeeperMode;
  /** Largest oracle move per update in tick mode (0.005 = 0.5%). */
  step: number;
  /** Collateral the holder mints with, USD. */
  deposit: number;
  barSeconds: number;
  funding: FundingSchedule | null;
}

export interface Window {
  label: string;
  candles: Candle[];
}

export interface ChartPoint {
  t: number; // candle close, unix s
  price: number;
  nav: number; // holder's value, USD
  theory: number; // theoretical value, USD
  leverage: number; // after the keeper, at the candle's close
  maxLeverage: number; // highest the venue saw inside the candle
}

export interface Liquidation {
  candle: Candle;
  price: number; // the price at which the venue found the account liquidatable
  prevClose: number;
}

export interface WindowResult {
  label: string;
  from: number;
  to: number;
  bars: number;
  priceUpdates: number;
  rebalances: number;
  ripcords: number;
  liquidations: number;
  liquidation: Liquidation | null;
  minMarginRatio: number;
  maxLeverage: number;
  timeInBandPct: number;
  startNav: number;
  endNav: number;
  theoreticalEndNav: number;
  trackingDiffBpsPerYear: number | null;
  feesPaid: number;
  fundingPaid: number;
  tradingCosts: number;
  keeperBounties: number;
  gasUsed: number[];
  keeperFailures: number;
  wallSeconds: number;
  methodology: Methodology;
  chart: ChartPoint[];
}

type Hex = string;
interface RawLog {
  address: string;
  topics: string[];
  data: string;
}
interface RawReceipt {
  status: Hex;
  gasUsed: Hex;
  logs: RawLog[];
}

/** Impersonated accounts: the driver's operator and the keeper. */
const OPERATOR = "0x00000000000000000000000000000000000b0b01";
const KEEPER = "0x00000000000000000000000000000000000b0b02";
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const GAS = "0xf42400"; // 16M: under the per-transaction gas cap (2^24) of the hardhat network
const MAX_PRICES_PER_TX = 100;
/** BacktestDriver.run flags. */
const REFRESH = 1n;
const VERIFY = 2n;
const QUIET = 4n;
/** The driver's replica is compared with the venue's own valuation at least this often (candles), and at a window's end. */
const VERIFY_EVERY = 64;
/** LeveragedToken.DEAD_SHARES: locked at the first mint. */
const DEAD_SHARES = 10n ** 15n;
const ACTION_NAMES = ["NONE", "REBALANCE", "ITERATE", "RIPCORD"] as const;

const toUsd6 = (x: bigint): number => Number(x) / 1e6;
const fromWad = (x: bigint): number => Number(x) / 1e18;
const answerOf = (price: number): bigint => BigInt(Math.round(price * 1e8));

/** BacktestDriver.run(int256[],uint256,int256,uint8) calldata, encoded by hand (this runs once per candle). */
const RUN_SELECTOR = new Interface(["function run(int256[],uint256,int256,uint8)"]).getFunction("run")!.selector;
const DUE_SELECTOR = new Interface(["error Due(uint256,uint8)"]).getError("Due")!.selector;
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

/** The nine static words of a BacktestDriver `Run` event, unsigned (decoded by hand: this runs once per candle). */
function runWords(log: RawLog): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < 9; i++) out.push(BigInt(`0x${log.data.slice(2 + 64 * i, 66 + 64 * i)}`));
  return out;
}

/** Builds a product spec from a symbol like BTC3L, or from market + leverage + side. */
export function productSpec(symbolOrMarket: string, leverage?: number, side?: "long" | "short"): ProductSpec {
  const m = /^(BTC|ETH)(\d+(?:\.\d+)?)([LS])$/.exec(symbolOrMarket);
  if (m) return { symbol: symbolOrMarket, market: m[1] as MarketSymbol, leverage: Number(m[2]), isLong: m[3] === "L" };
  if (symbolOrMarket !== "BTC" && symbolOrMarket !== "ETH")
    throw new Error(`unknown product or market ${symbolOrMarket}`);
  if (leverage === undefined || !(leverage > 0)) throw new Error("--leverage must be a positive number");
  const isLong = (side ?? "long") === "long";
  return { symbol: `${symbolOrMarket}${leverage}${isLong ? "L" : "S"}`, market: symbolOrMarket, leverage, isLong };
}

/** Tick-mode path of a candle: previous price -> open -> first extreme -> second extreme -> close, in moves of at
 *  most `step`. The extreme nearer in direction comes first: a rising candle (close >= open) dips to its low first. */
export function tickPath(prev: number, c: Candle, step: number): number[] {
  const rising = c.c >= c.o;
  const keys = [c.o, rising ? c.l : c.h, rising ? c.h : c.l, c.c];
  const out: number[] = [];
  const unit = Math.log(1 + step);
  let a = prev;
  for (const b of keys) {
    if (b === a) continue;
    const n = Math.max(1, Math.ceil(Math.abs(Math.log(b / a)) / unit - 1e-9));
    for (let k = 1; k < n; k++) out.push(a * Math.pow(b / a, k / n));
    out.push(b);
    a = b;
  }
  if (out.length === 0) out.push(c.c);
  return out;
}

/** Bar-mode path: the adverse extreme (low for a long, high for a short), then the close. */
export function barPath(c: Candle, isLong: boolean): number[] {
  return [isLong ? c.l : c.h, c.c];
}

/** Funding rate per second (fraction) in force at `t`: the rate settled at the first funding time >= t. */
export function fundingAt(schedule: FundingSchedule | null, t: number): number {
  if (!schedule || schedule.points.length === 0) return 0;
  const pts = schedule.points;
  if (t > pts[pts.length - 1].t || t <= pts[0].t - schedule.intervalSeconds) return 0;
  let lo = 0;
  let hi = pts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid].t >= t) hi = mid;
    else lo = mid + 1;
  }
  return pts[lo].rate / schedule.intervalSeconds;
}

export interface Contracts {
  usdc: string;
  feed: string;
  venue: string;
  rebalancer: string;
  factory: string;
  driver: string;
}

export class Engine {
  private readonly provider: HardhatRuntimeEnvironment["network"]["provider"];
  private addrs!: Contracts;
  private admin!: string;
  private operator!: string;
  private keeper!: string;
  private holder!: string;
  private clock = 0;
  private offset = 0;
  private venueMaxLeverage = 20;
  private readonly driverIface: Interface;
  private readonly rebalancerIface: Interface;
  private readonly venueIface: Interface;
  private readonly tokenIface: Interface;
  private readonly factoryIface: Interface;
  private readonly usdcIface: Interface;
  private readonly topics: Record<string, string>;
  private windowCount = 0;

  constructor(private readonly hre: HardhatRuntimeEnvironment) {
    this.provider = hre.network.provider;
    const abi = (name: string) => hre.artifacts.readArtifactSync(name).abi;
    this.driverIface = new Interface(abi("BacktestDriver"));
    this.rebalancerIface = new Interface(abi("Rebalancer"));
    this.venueIface = new Interface(abi("MockPerpVenue"));
    this.tokenIface = new Interface(abi("LeveragedToken"));
    this.factoryIface = new Interface(abi("LeveragedTokenFactory"));
    this.usdcIface = new Interface(abi("MockUSDC"));
    const topic = (i: Interface, e: string) => i.getEvent(e)!.topicHash;
    this.topics = {
      Run: topic(this.driverIface, "Run"),
      RebalanceExecuted: topic(this.rebalancerIface, "RebalanceExecuted"),
      PositionModified: topic(this.venueIface, "PositionModified"),
      FundingSettled: topic(this.venueIface, "FundingSettled"),
      Liquidated: topic(this.venueIface, "Liquidated"),
      Minted: topic(this.tokenIface, "Minted"),
      Redeemed: topic(this.tokenIface, "Redeemed"),
      StreamingFeeAccrued: topic(this.tokenIface, "StreamingFeeAccrued"),
      ProductCreated: topic(this.factoryIface, "ProductCreated"),
    };
  }

  /**
   * Deploys the project's USDC mock, Rebalancer and factory (hardhat-deploy scripts), and a backtest market: the
   * project's ChainlinkOracleAdapter (Chainlink's heartbeat, as deployed) and MockPerpVenue (the deploy script's market
   * parameters and seeded liquidity) over a BacktestFeed, then the driver, which takes over the venue's ownership.
   *
   * BacktestFeed instead of Chainlink's MockV3Aggregator: the mock stores every round (two new storage slots per
   * price), which a backtest posts by the hundred thousand; nothing in the protocol reads past rounds.
   */
  async setup(market: MarketSymbol): Promise<void> {
    const { deployments, ethers } = this.hre;
    await deployments.fixture(["Mocks", "Rebalancer"]);
    const signers = await ethers.getSigners();
    this.admin = signers[0].address;
    this.holder = signers[4].address;
    // The driver's operator and the keeper send one transaction per candle and per rebalance: impersonated
    // accounts, whose transactions Hardhat does not sign (ECDSA is ~20% of a small transaction's time). Gas is the same.
    for (const a of [OPERATOR, KEEPER]) {
      await this.provider.request({ method: "hardhat_impersonateAccount", params: [a] });
      await this.provider.request({ method: "hardhat_setBalance", params: [a, "0x3635c9adc5dea00000"] });
    }
    this.operator = OPERATOR;
    this.keeper = KEEPER;
    const addr = async (name: string) => (await deployments.get(name)).address;
    const usdc = await addr("USDC");
    const rebalancer = await addr("Rebalancer");
    const deploy = async (name: string, args: unknown[]): Promise<string> => {
      const c = await (await ethers.getContractFactory(name, signers[0])).deploy(...args);
      await c.waitForDeployment();
      return c.getAddress();
    };
    const params = MARKETS[market];
    const feed = await deploy("BacktestFeed", [8, params.initialPrice]);
    const oracle = await deploy("ChainlinkOracleAdapter", [feed, params.heartbeat, ZERO_ADDRESS, 0]);
    const venue = await deploy("MockPerpVenue", [usdc, 6, oracle, params.venue]);
    const driver = await deploy("BacktestDriver", [this.operator, feed, venue, rebalancer]);
    this.addrs = { usdc, feed, venue, rebalancer, factory: await addr("LeveragedTokenFactory"), driver };
    const latest = (await this.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
      timestamp: Hex;
    };
    this.clock = Number(BigInt(latest.timestamp));
    await this.send(this.admin, usdc, this.usdcIface.encodeFunctionData("mint", [this.admin, params.liquidity]));
    await this.send(this.admin, usdc, this.usdcIface.encodeFunctionData("approve", [venue, params.liquidity]));
    await this.send(this.admin, venue, this.venueIface.encodeFunctionData("addLiquidity", [params.liquidity]));
    await this.send(this.admin, venue, this.venueIface.encodeFunctionData("transferOwnership", [driver]));
    await this.send(this.operator, driver, this.driverIface.encodeFunctionData("acceptVenueOwnership"));
    const maxLev = (await this.call(venue, this.venueIface, "maxLeverage", [])) as bigint;
    this.venueMaxLeverage = fromWad(maxLev);
  }

  /** The deployed backtest market and the driver's and keeper's (impersonated) accounts. */
  deployment(): Contracts & { operator: string; keeper: string; holder: string } {
    return { ...this.addrs, operator: this.operator, keeper: this.keeper, holder: this.holder };
  }

  /** Maps data time to chain time so that `firstT` lands after the chain's current head. */
  alignTime(firstT: number): void {
    this.offset = this.clock + 3600 - Math.floor(firstT);
  }

  methodology(cfg: EngineConfig): Methodology {
    return methodologyForRules(cfg.rules, cfg.product.leverage, this.venueMaxLeverage, cfg.overrides);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Low-level RPC (the hot path avoids ethers' contract wrappers: one price step ~ one transaction)
  // ------------------------------------------------------------------------------------------------------------

  private async at(dataTime: number): Promise<void> {
    const ts = Math.max(this.clock + 1, Math.floor(dataTime + this.offset));
    await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [ts] });
    this.clock = ts;
  }

  private async next(): Promise<void> {
    this.clock += 1;
    await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [this.clock] });
  }

  /** Sends a transaction in the next block (timestamp set by the caller or +1 s) and returns its receipt. */
  private async send(from: string, to: string, data: string, timed = false): Promise<RawReceipt> {
    if (!timed) await this.next();
    const hash = (await this.provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to, data, gas: GAS }],
    })) as string;
    const receipt = (await this.provider.request({
      method: "eth_getTransactionReceipt",
      params: [hash],
    })) as RawReceipt;
    if (receipt.status !== "0x1") throw new Error(`transaction to ${to} failed`);
    return receipt;
  }

  /** Sends a QUIET driver run (timestamp set by the caller): its hash, or null if it reverted with `Due`. */
  private async trySend(from: string, to: string, data: string): Promise<string | null> {
    try {
      return (await this.provider.request({
        method: "eth_sendTransaction",
        params: [{ from, to, data, gas: GAS }],
      })) as string;
    } catch (e) {
      const data = (e as { data?: unknown }).data;
      if (typeof data === "string" && data.startsWith(DUE_SELECTOR)) return null;
      throw e;
    }
  }

  private async call(to: string, iface: Interface, fn: string, args: unknown[]): Promise<unknown> {
    const data = iface.encodeFunctionData(fn, args);
    const out = (await this.provider.request({ method: "eth_call", params: [{ to, data }, "latest"] })) as string;
    return iface.decodeFunctionResult(fn, out)[0];
  }

  private logs(receipt: RawReceipt, topic: string, address?: string): RawLog[] {
    const t = this.topics[topic];
    const a = address?.toLowerCase();
    return receipt.logs.filter((l) => l.topics[0] === t && (!a || l.address.toLowerCase() === a));
  }

  // ------------------------------------------------------------------------------------------------------------
  // One window
  // ------------------------------------------------------------------------------------------------------------

  async runWindow(cfg: EngineConfig, window: Window, onCandle?: () => void): Promise<WindowResult> {
    const started = Date.now();
    const { product } = cfg;
    const candles = window.candles;
    const bar = cfg.barSeconds;
    const first = candles[0];
    const methodology = this.methodology(cfg);
    const band = referenceBand(product.leverage);
    this.windowCount += 1;

    // A fresh product for this window, created and registered through the factory.
    await this.at(first.t - 60);
    const symbol = `${product.symbol}.${this.windowCount}`;
    const create = this.factoryIface.encodeFunctionData("createProduct", [
      {
        name: `Ballast backtest ${product.symbol} ${window.label}`,
        symbol,
        venue: this.addrs.venue,
        isLong: product.isLong,
        fees: DEFAULT_FEES,
        supplyCap: 2n ** 96n - 1n, // the largest cap the token stores (uint96): no cap in a backtest
        methodology,
        bounty: DEFAULT_BOUNTY,
      },
    ]);
    const created = await this.send(this.admin, this.addrs.factory, create, true);
    const token = this.factoryIface.parseLog(this.logs(created, "ProductCreated")[0])!.args[0] as string;
    await this.send(
      this.operator,
      this.addrs.driver,
      this.driverIface.encodeFunctionData("setToken", [token, band.min, band.max]),
    );

    const r: WindowResult = {
      label: window.label,
      from: first.t,
      to: candles[candles.length - 1].t + bar,
      bars: candles.length,
      priceUpdates: 0,
      rebalances: 0,
      ripcords: 0,
      liquidations: 0,
      liquidation: null,
      minMarginRatio: Number.POSITIVE_INFINITY,
      maxLeverage: 0,
      timeInBandPct: 0,
      startNav: 0,
      endNav: 0,
      theoreticalEndNav: 0,
      trackingDiffBpsPerYear: null,
      feesPaid: 0,
      fundingPaid: 0,
      tradingCosts: 0,
      keeperBounties: 0,
      gasUsed: [],
      keeperFailures: 0,
      wallSeconds: 0,
      methodology,
      chart: [],
    };

    let mark = answerOf(first.o) * 10n ** 10n; // WAD, the last posted price
    const fundingWad = (t: number): bigint => BigInt(Math.round(fundingAt(cfg.funding, t) * 1e18));
    const account = token.toLowerCase();
    const costs = (receipt: RawReceipt): void => {
      for (const log of this.logs(receipt, "PositionModified", this.addrs.venue)) {
        const ev = this.venueIface.parseLog(log)!;
        if ((ev.args[0] as string).toLowerCase() !== account) continue;
        const delta = ev.args[1] as bigint;
        const fill = ev.args[2] as bigint;
        const fee = ev.args[3] as bigint;
        const absDelta = delta < 0n ? -delta : delta;
        const slip = fill > mark ? fill - mark : mark - fill;
        r.tradingCosts += fromWad(fee) + fromWad((absDelta * slip) / WAD);
      }
      for (const log of this.logs(receipt, "FundingSettled", this.addrs.venue)) {
        const ev = this.venueIface.parseLog(log)!;
        if ((ev.args[0] as string).toLowerCase() === account) r.fundingPaid += fromWad(ev.args[1] as bigint);
      }
      for (const log of this.logs(receipt, "Liquidated", this.addrs.venue)) {
        const ev = this.venueIface.parseLog(log)!;
        if ((ev.args[0] as string).toLowerCase() !== account) continue;
        r.tradingCosts += toUsd6(ev.args[4] as bigint) + fromWad(ev.args[5] as bigint);
      }
    };

    // Opening price, then the holder's mint.
    await this.at(first.t);
    await this.send(
      this.operator,
      this.addrs.driver,
      this.driverIface.encodeFunctionData("run", [[answerOf(first.o)], 1n, fundingWad(first.t), REFRESH]),
      true,
    );
    const deposit = BigInt(Math.round(cfg.deposit * 1e6));
    await this.send(this.admin, this.addrs.usdc, this.usdcIface.encodeFunctionData("mint", [this.holder, deposit]));
    await this.send(this.holder, this.addrs.usdc, this.usdcIface.encodeFunctionData("approve", [token, deposit]));
    const minted = await this.send(
      this.holder,
      token,
      this.tokenIface.encodeFunctionData("mint", [deposit, 0n, this.holder]),
    );
    const mintEv = this.tokenIface.parseLog(this.logs(minted, "Minted", token)[0])!;
    const shares = mintEv.args[3] as bigint;
    r.feesPaid += toUsd6(mintEv.args[4] as bigint);
    r.startNav = toUsd6(deposit);
    costs(minted);
    const mintTime = this.clock - this.offset;
    const holderFraction = Number(shares) / Number(shares + DEAD_SHARES);

    const theorySamples: TheorySample[] = [
      { t: first.t, price: first.o, fundingPerSecond: Number(fundingWad(first.t)) / 1e18 },
    ];
    const navSeries: { nav: number; lev: number; maxLev: number }[] = [];
    const windowFirstBlock = Number(BigInt((await this.provider.request({ method: "eth_blockNumber" })) as string)) + 1;
    /** Candles sent QUIET and not yet accounted: their `Run` logs are read in one request at the window's end. */
    const quiet = new Map<string, number>();
    let inBandSum = 0;
    let prevPrice = first.o;
    let dead = false;
    let leverageAtClose = fromWad(methodology.targetLeverage);
    let refresh = true; // the mint changed the account
    // A rough forecast of the driver's answer, only to choose how a candle is sent: leverage drifts from the last
    // exactly known point (L0 at P0) as l = L0 x / (1 + s L0 (x - 1)), x = P / P0, s = +1 long / -1 short (funding and
    // fees ignored, hence the 3% margins). A candle forecast as possibly due is sent the normal way (receipt read at
    // once) instead of QUIET, which would revert and be replayed. A wrong forecast costs time, never correctness: the
    // driver, the venue and the Rebalancer decide either way.
    const anchor = { lev: fromWad(methodology.targetLeverage), price: first.o, t: first.t };
    const lo = fromWad(methodology.minLeverage) * 1.03;
    const hi = fromWad(methodology.maxLeverage) * 0.97;
    const target = fromWad(methodology.targetLeverage);
    const tolerance = fromWad(methodology.tolerance) - 0.03 * target;
    const side = product.isLong ? 1 : -1;
    const mayBeDue = (path: number[], from: number, close: number): boolean => {
      const timeDue = close - anchor.t >= methodology.interval - bar;
      for (let i = 0; i < path.length; i++) {
        const x = path[i] / anchor.price;
        const den = 1 + side * anchor.lev * (x - 1);
        if (den <= 0) return true;
        const lev = (anchor.lev * x) / den;
        if (lev >= hi) return true; // the band top, the ripcord and liquidation are all above it
        if (i >= from && (lev <= lo || (timeDue && Math.abs(lev - target) > tolerance))) return true;
      }
      return false;
    };
    const pendingFee = (close: number): number =>
      Math.min(0.5, (fromWad(DEFAULT_FEES.streamingFeeRate) * (close - first.t)) / YEAR_SECONDS);
    /** Folds one run's statistics into the window's; returns the candle's maximum leverage so far. */
    const tally = (ev: bigint[], candleMaxLev: number): number => {
      const minMr = BigInt.asIntN(256, ev[3]);
      const maxLev = ev[4];
      r.priceUpdates += Number(ev[0]);
      if (minMr < 2n ** 255n - 1n) r.minMarginRatio = Math.min(r.minMarginRatio, fromWad(minMr));
      const ml = maxLev >= 2n ** 255n ? Number.POSITIVE_INFINITY : fromWad(maxLev);
      r.maxLeverage = Math.max(r.maxLeverage, ml);
      return Math.max(candleMaxLev, ml);
    };
    /** The holder's value: its share of the venue's equity, net of the streaming fee pending since the mint. */
    const navOf = (equity: bigint, close: number): number =>
      fromWad(equity > 0n ? equity : 0n) * holderFraction * (1 - pendingFee(close));

    for (let ci = 0; ci < candles.length; ci++) {
      const c = candles[ci];
      const close = c.t + bar;
      const rate = fundingWad(close);
      theorySamples.push({ t: close, price: c.c, fundingPerSecond: Number(rate) / 1e18 });
      if (dead) {
        navSeries.push({ nav: navSeries[navSeries.length - 1]?.nav ?? 0, lev: 0, maxLev: 0 });
        onCandle?.();
        continue;
      }
      const path = cfg.keeper === "tick" ? tickPath(prevPrice, c, cfg.step) : barPath(c, product.isLong);
      const keeperFromAll = cfg.keeper === "tick" ? 0 : path.length - 1;
      const verify = ci % VERIFY_EVERY === VERIFY_EVERY - 1 || ci === candles.length - 1;
      const baseFlags = (refresh ? REFRESH : 0n) | (verify ? VERIFY : 0n);
      await this.at(close);
      if (path.length <= MAX_PRICES_PER_TX && !mayBeDue(path, keeperFromAll, close)) {
        // First as QUIET: if nothing is due, the candle is done and its receipt is read later with the others.
        const hash = await this.trySend(
          this.operator,
          this.addrs.driver,
          encodeRun(path, keeperFromAll, rate, baseFlags | QUIET),
        );
        if (hash !== null) {
          quiet.set(hash, ci);
          refresh = false;
          prevPrice = path[path.length - 1];
          mark = answerOf(prevPrice) * 10n ** 10n;
          navSeries.push({ nav: 0, lev: 0, maxLev: 0 }); // filled in from the logs at the window's end
          onCandle?.();
          continue;
        }
        await this.next(); // the reverted attempt was mined: replay the candle one second later
      }
      let pos = 0;
      let candleInBand = 0;
      let candleUpdates = 0;
      let candleMaxLev = 0;
      let equity = 0n;
      while (pos < path.length) {
        const chunk = path.slice(pos, pos + MAX_PRICES_PER_TX);
        const keeperFrom = Math.max(0, keeperFromAll - pos);
        const flags = pos === 0 ? baseFlags : (refresh ? REFRESH : 0n) | (verify ? VERIFY : 0n);
        refresh = false;
        if (pos > 0) await this.next();
        const receipt = await this.send(
          this.operator,
          this.addrs.driver,
          encodeRun(chunk, keeperFrom, rate, flags),
          true,
        );
        costs(receipt);
        const ev = runWords(this.logs(receipt, "Run", this.addrs.driver)[0]);
        const processed = Number(ev[0]);
        const stop = Number(ev[1]);
        const action = Number(ev[2]);
        mark = ev[6];
        equity = BigInt.asIntN(256, ev[7]);
        leverageAtClose = fromWad(ev[8]);
        if (stop === 0 && ev[8] < 2n ** 255n) Object.assign(anchor, { lev: leverageAtClose, price: fromWad(mark) });
        candleUpdates += processed;
        candleInBand += Number(ev[5]);
        candleMaxLev = tally(ev, candleMaxLev);
        pos += processed;
        prevPrice = chunk[processed - 1];
        if (stop === 2) {
          dead = true;
          r.liquidations += 1;
          r.liquidation = { candle: c, price: prevPrice, prevClose: ci > 0 ? candles[ci - 1].c : first.o };
          break;
        }
        if (stop === 1) {
          leverageAtClose = await this.keeperActs(token, action, r, costs, leverageAtClose, methodology, mark);
          Object.assign(anchor, { lev: leverageAtClose, price: fromWad(mark), t: close });
          refresh = true;
        }
      }
      inBandSum += candleUpdates > 0 ? candleInBand / candleUpdates : 0;
      navSeries.push({ nav: navOf(equity, close), lev: dead ? 0 : leverageAtClose, maxLev: candleMaxLev });
      onCandle?.();
    }

    // The quiet candles' `Run` events, in one request.
    if (quiet.size > 0) {
      const logs = (await this.provider.request({
        method: "eth_getLogs",
        params: [
          {
            fromBlock: `0x${windowFirstBlock.toString(16)}`,
            toBlock: "latest",
            address: this.addrs.driver,
            topics: [this.topics.Run],
          },
        ],
      })) as (RawLog & { transactionHash: string })[];
      for (const log of logs) {
        const ci = quiet.get(log.transactionHash);
        if (ci === undefined) continue;
        quiet.delete(log.transactionHash);
        const ev = runWords(log);
        const updates = Number(ev[0]);
        inBandSum += updates > 0 ? Number(ev[5]) / updates : 0;
        const maxLev = tally(ev, 0);
        navSeries[ci] = { nav: navOf(BigInt.asIntN(256, ev[7]), candles[ci].t + bar), lev: fromWad(ev[8]), maxLev };
      }
      if (quiet.size > 0) throw new Error(`${quiet.size} quiet candle transactions have no Run event`);
    }

    // The holder redeems everything after the last close (re-posting the close if the product died earlier).
    const last = candles[candles.length - 1];
    if (dead) {
      await this.at(last.t + bar);
      const data = this.driverIface.encodeFunctionData("run", [
        [answerOf(last.c)],
        1n,
        fundingWad(last.t + bar),
        REFRESH,
      ]);
      await this.send(this.operator, this.addrs.driver, data, true);
      mark = answerOf(last.c) * 10n ** 10n;
    }
    const redeemed = await this.send(
      this.holder,
      token,
      this.tokenIface.encodeFunctionData("redeem", [shares, 0n, this.holder]),
    );
    costs(redeemed);
    const redEv = this.tokenIface.parseLog(this.logs(redeemed, "Redeemed", token)[0])!;
    const out = redEv.args[3] as bigint;
    const redeemFee = redEv.args[4] as bigint;
    r.endNav = toUsd6(out);
    r.feesPaid += toUsd6(redeemFee);
    const streaming = this.logs(redeemed, "StreamingFeeAccrued", token);
    if (streaming.length) {
      const feeShares = this.tokenIface.parseLog(streaming[0])!.args[0] as bigint;
      // Valued at the redeemer's gross price per share.
      r.feesPaid += (Number(feeShares) / Number(shares)) * toUsd6(out + redeemFee);
    }
    const redeemTime = this.clock - this.offset;

    // Theory on the same path, funding schedule and fees.
    const th = theory(theorySamples, product.isLong ? product.leverage : -product.leverage, {
      mintFee: fromWad(DEFAULT_FEES.mintFeeRate),
      redeemFee: fromWad(DEFAULT_FEES.redeemFeeRate),
      streamingPerYear: fromWad(DEFAULT_FEES.streamingFeeRate),
    });
    r.theoreticalEndNav = r.startNav * th.factors[th.factors.length - 1];
    const years = (redeemTime - mintTime) / YEAR_SECONDS;
    r.trackingDiffBpsPerYear = trackingDiffBpsPerYear(r.startNav, r.endNav, r.theoreticalEndNav, years);
    r.timeInBandPct = (100 * inBandSum) / candles.length;
    if (!Number.isFinite(r.minMarginRatio)) r.minMarginRatio = 0;
    r.chart = navSeries.map((p, i) => ({
      t: theorySamples[i + 1].t,
      price: theorySamples[i + 1].price,
      nav: p.nav,
      theory: r.startNav * th.factors[i + 1],
      leverage: p.lev,
      maxLeverage: p.maxLev,
    }));
    r.wallSeconds = (Date.now() - started) / 1000;
    return r;
  }

  /** The keeper: calls the Rebalancer for the due action until nothing is due; returns the leverage after. */
  private async keeperActs(
    token: string,
    action: number,
    r: WindowResult,
    costs: (x: RawReceipt) => void,
    leverageBefore: number,
    m: Methodology,
    markWad: bigint,
  ): Promise<number> {
    let lev = leverageBefore;
    for (let k = 0; k < 32 && action !== 0; k++) {
      const fn = action === 3 ? "ripcord" : "rebalance";
      let receipt: RawReceipt;
      try {
        receipt = await this.send(
          this.keeper,
          this.addrs.rebalancer,
          this.rebalancerIface.encodeFunctionData(fn, [token]),
        );
      } catch (e) {
        r.keeperFailures += 1;
        if (r.keeperFailures <= 5)
          process.stderr.write(`\nkeeper ${ACTION_NAMES[action]} failed: ${(e as Error).message.split("\n")[0]}\n`);
        break;
      }
      costs(receipt);
      r.gasUsed.push(Number(BigInt(receipt.gasUsed)));
      let settled = false;
      for (const log of this.logs(receipt, "RebalanceExecuted", this.addrs.rebalancer)) {
        const ev = this.rebalancerIface.parseLog(log)!;
        const after = ev.args[3] as bigint;
        const delta = ev.args[4] as bigint;
        lev = fromWad(after);
        r.keeperBounties += toUsd6(ev.args[6] as bigint);
        // Nothing can be due after a trade that was not cut to the per-call cap (so no chunk is pending) and left
        // leverage inside the band (the interval restarts with it); otherwise ask the Rebalancer.
        const traded = ((delta < 0n ? -delta : delta) * markWad) / WAD;
        const clipped = m.maxTradeNotional > 0n && traded * 1000n >= BigInt(m.maxTradeNotional) * 999n;
        settled =
          !clipped && after * 1000n > BigInt(m.minLeverage) * 1002n && after * 1000n < BigInt(m.maxLeverage) * 998n;
      }
      if (action === 3) r.ripcords += 1;
      else r.rebalances += 1;
      action = settled
        ? 0
        : Number((await this.call(this.addrs.rebalancer, this.rebalancerIface, "shouldRebalance", [token])) as bigint);
    }
    return lev;
  }

  /**
   * Turns off Hardhat's Solidity stack-trace engine for this process's in-process network (call it before the network
   * is first used). The engine identifies the contract of every call frame, which triples the cost of the backtest's
   * deep view calls; without it a revert still surfaces with its custom error data. Nothing else changes.
   */
  static disableStackTraces(hre: HardhatRuntimeEnvironment): void {
    (hre.artifacts as unknown as { getBuildInfoPaths: () => Promise<string[]> }).getBuildInfoPaths = async () => [];
  }

  /** Raw in-process transaction rate: `n` one-slot transactions (MockV3Aggregator.updateAnswer), each in its own
   *  timestamped block, with its receipt: the floor under any backtest step. */
  async rawTxRate(n: number): Promise<number> {
    const started = Date.now();
    const data = (i: number) =>
      new Interface(["function updateAnswer(int256)"]).encodeFunctionData("updateAnswer", [answerOf(50_000 + i)]);
    for (let i = 0; i < n; i++) await this.send(this.operator, this.addrs.feed, data(i));
    return n / ((Date.now() - started) / 1000);
  }
}
