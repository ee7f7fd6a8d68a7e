/**
 * The backtest on the money-market venue (`npm run backtest -- --venue aave`): an Aave long product (AaveETH2L,
 * AaveETH3L, AaveBTC2L) through a price history on the in-process Hardhat network with the real-venue market of
 * scripts/market/realVenues.ts — Aave v3 and Uniswap v3 from their npm artifacts, AaveVenue, the project's
 * LeveragedToken, Rebalancer and factory.
 *
 * Per candle (bar mode, the only mode here): the market mover (contracts/backtest/BacktestMarketMover.sol, one
 * transaction) posts the close to the market's Chainlink-style feed and arbitrages the Uniswap pool to it, in a block
 * stamped with the candle's close time, so Aave's interest accrues over the candle's real duration. The adverse
 * extreme (the low, for a long) is posted before the close, with the same mover, and the account then judged by
 * Aave's own health factor (AaveVenue.isLiquidatable), whenever it could matter: when the account's health factor at
 * the low, computed from the account's last read balances, is below 1.05. Otherwise nothing can happen at the low
 * (in bar mode the keeper acts only at closes), and posting it would only move the pool there and back.
 * The keeper asks the Rebalancer's own `shouldRebalance` whenever the account's leverage at the close, from the last
 * read balances, is within 1% of a band edge, or the interval has elapsed and it is within 90% of the tolerance of
 * leaving the target (`--exact` asks at every close: the same report, slower; docs/backtest.md); then it sends `rebalance`/`ripcord` in
 * its own transaction until nothing is due. The balances are re-read every 12 candles and around every transaction
 * of the product; what the account's equity lost between two reads at one price, with no trade in between, is the
 * interest paid (USDC debt interest net of the base asset's supply interest).
 *
 * The market: one deep full-range Uniswap position (`--depth`, USD at the deployment price; the depth of a full-range
 * position scales with √price) is added to each pool, since the deployment's concentrated positions sit around the
 * deployment price and the history moves far from it; and a background borrower keeps the USDC reserve at
 * `--utilization` at every window's start (the deployed market has no other borrower, so its USDC rate would be ~0).
 * See docs/backtest.md, "The same product on Aave".
 */
import { Interface, type Result } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { AAVE_MARKET, BASE_TOKEN } from "../../config/aave";
import { LOCAL_FEED_TIMING } from "../../config/networks";
import { aaveVenueName } from "../../config/aaveProducts";
import { productDefaults, type MarketSymbol, type Methodology } from "../../config/parameters";
import { poolDeploymentName } from "../../config/uniswap";
import { Action, ACTION_NAMES, actionMethod } from "../../protocol/actions";
import { DEAD_SHARES } from "../../protocol/constants";
import { deployRealVenues } from "../market/realVenues";
import { addPoolLiquidity, pairShape } from "../market/mover";
import { POOL_INTERFACE, rayToPct } from "../market/aaveInfo";
import { sqrtPriceX96FromAnswer, type PairShape } from "../market/uniswapMath";
import { Abis } from "./abis";
import { Chain, type RawReceipt } from "./chain";
import { answerOf, toUsd6 } from "./driver-codec";
import { intervalActionAt } from "./keeper";
import { barPath } from "./price-path";
import { createdToken, readMint, readRebalances, readRedeem } from "./receipts";
import { emptyResult, finishResult, holderNav, type NavPoint } from "./result";
import type { TheorySample } from "./theory";
import type { ProductSpec, Window, WindowResult } from "./types";

/** The Aave products a backtest can run: the longs (a short's account is USDC supplied against base borrowed). */
export const AAVE_BACKTEST_PRODUCTS = ["AaveETH2L", "AaveETH3L", "AaveBTC2L"] as const;
export type AaveBacktestProduct = (typeof AAVE_BACKTEST_PRODUCTS)[number];

const OPERATOR = "0x00000000000000000000000000000000000b0b11"; // sends the mover's transactions
const KEEPER = "0x00000000000000000000000000000000000b0b12";
const BORROWER = "0x00000000000000000000000000000000000b0b13"; // the background USDC borrower
const LIQUIDATOR = "0x00000000000000000000000000000000000b0b14";
const FAUCET_CHUNK = 10n ** 15n; // MockUSDC.MAX_FAUCET_MINT
const MAX_UINT = 2n ** 256n - 1n;
/** Re-read the account's balances at least this often (candles): interest accrues between reads. */
const SYNC_EVERY = 12;
/** Post the adverse extreme when the health factor there, from the last read balances, is below this. */
const HF_WATCH = 1.05;
const MAX_KEEPER_CALLS = 32;

export interface AaveRunConfig {
  symbol: AaveBacktestProduct;
  deposit: number;
  barSeconds: number;
  /** Target utilisation of the USDC reserve at every window's start (0: the market as deployed). */
  utilization: number;
  /** Ask the Rebalancer at every close (validation of the leverage shortcut). */
  exact: boolean;
  /**
   * lazy: every price goes to the feed, and the pool is arbitraged to the feed right before each of the product's
   * trades (mint, keeper, redeem); eager: the pool follows the feed at every price. Only the product's trades read
   * the pool, and a Uniswap v3 pool's price after an arbitrage to a target does not depend on the path it took there,
   * so the product's fills are the same (docs/backtest.md checks the reports are equal).
   */
  pool: "lazy" | "eager";
}

/** A window's figures: the perp backtest's, with interest instead of funding and Aave's health factor. */
export interface AaveWindowResult extends WindowResult {
  interestPaid: number;
  minHealthFactor: number;
  /** USDC variable borrow rate, % per year, sampled at every balance read. */
  borrowRatePct: { mean: number; min: number; max: number };
  /** Candles at which the adverse extreme was posted (the health factor there was below HF_WATCH). */
  extremesPosted: number;
  keeperAsks: number;
}

interface MarketAddrs {
  market: MarketSymbol;
  feed: string;
  pool: string;
  venue: string;
  base: string;
  shape: PairShape;
  baseDecimals: number;
  liquidationThreshold: number;
}

/** The account's balances at the last read: size (base units, as a number of tokens) and cash (USD, negative = debt). */
interface Replica {
  size: number;
  cash: number;
}

export class AaveEngine {
  readonly chain: Chain;
  private readonly abis: Abis;
  private readonly venueIface: Interface;
  private readonly erc20 = new Interface([
    "function totalSupply() view returns (uint256)",
    "function approve(address,uint256) returns (bool)",
    "function mint(address,uint256)",
  ]);
  private readonly moverIface: Interface;
  private readonly feedIface = new Interface([
    "function updateAnswer(int256)",
    "function latestAnswer() view returns (int256)",
  ]);
  private mover = "";
  private admin = "";
  private holder = "";
  private usdc = "";
  private rebalancer = "";
  private factory = "";
  private aUsdc = "";
  private dUsdc = "";
  private aavePool = "";
  private windowCount = 0;

  constructor(private readonly hre: HardhatRuntimeEnvironment) {
    this.chain = new Chain(hre.network.provider);
    this.abis = new Abis(hre);
    this.venueIface = new Interface(hre.artifacts.readArtifactSync("AaveVenue").abi);
    this.moverIface = new Interface(hre.artifacts.readArtifactSync("BacktestMarketMover").abi);
  }

  /** Deploys the real-venue market, the mover, the deep pool positions and the accounts. */
  async setup(depthUsd: number): Promise<void> {
    const { deployments, ethers } = this.hre;
    await deployRealVenues(deployments);
    const signers = await ethers.getSigners();
    this.admin = signers[0].address;
    this.holder = signers[4].address;
    const addr = async (name: string) => (await deployments.get(name)).address;
    this.usdc = await addr("USDC");
    this.rebalancer = await addr("Rebalancer");
    this.factory = await addr("LeveragedTokenFactory");
    this.aUsdc = await addr("AaveATokenUSDC");
    this.dUsdc = await addr("AaveVariableDebtTokenUSDC");
    this.aavePool = await addr("AavePool");
    const mover = await (await ethers.getContractFactory("BacktestMarketMover", signers[0])).deploy();
    await mover.waitForDeployment();
    this.mover = await mover.getAddress();
    for (const a of [OPERATOR, KEEPER, BORROWER, LIQUIDATOR]) await this.chain.impersonate(a);
    await this.chain.syncClock();
    // One deep full-range position per pool, from the liquidity provider (its USDC pre-minted in faucet-sized chunks).
    const lp = (await this.hre.getNamedAccounts()).liquidityProvider;
    const usdcNeeded = BigInt(Math.ceil(depthUsd * 1.01)) * 10n ** 6n; // both pools, half USDC each
    for (let minted = 0n; minted < usdcNeeded; minted += FAUCET_CHUNK)
      await this.send(this.admin, this.usdc, this.erc20.encodeFunctionData("mint", [lp, FAUCET_CHUNK]));
    for (const market of ["ETH", "BTC"] as const) await addPoolLiquidity(this.hre, market, [{ valueUsd: depthUsd }]);
    await this.chain.syncClock(); // addPoolLiquidity's blocks are stamped by Hardhat's clock
    // The liquidator's USDC, approved to the Aave pool.
    await this.send(this.admin, this.usdc, this.erc20.encodeFunctionData("mint", [LIQUIDATOR, FAUCET_CHUNK]));
    await this.send(LIQUIDATOR, this.usdc, this.erc20.encodeFunctionData("approve", [this.aavePool, MAX_UINT]));
    await this.chain.syncClock();
  }

  async marketAddrs(market: MarketSymbol): Promise<MarketAddrs> {
    const { deployments } = this.hre;
    const base = BASE_TOKEN[market];
    const shape = await pairShape(this.hre, market);
    return {
      market,
      feed: (await deployments.get(`${market}USDFeed`)).address,
      pool: (await deployments.get(poolDeploymentName(base))).address,
      venue: (await deployments.get(aaveVenueName(market, true))).address,
      base: (await deployments.get(base)).address,
      shape,
      baseDecimals: shape.baseDecimals,
      liquidationThreshold: AAVE_MARKET.reserves[base].liquidationThresholdBps / 10_000,
    };
  }

  /** Maps data time to chain time so that `firstT` lands after the chain's current head. */
  alignTime(firstT: number): void {
    this.chain.alignTime(firstT);
  }

  /** The mover's calldata: feed and pool of `m` to `price`. */
  private moveData(m: MarketAddrs, price: number): string {
    const answer = answerOf(price);
    return this.moverIface.encodeFunctionData("move", [
      m.feed,
      m.pool,
      answer,
      sqrtPriceX96FromAnswer(answer, m.shape),
    ]);
  }

  /** Moves the market in the next block (its timestamp set by the caller): one transaction, receipt not read. */
  async move(m: MarketAddrs, price: number): Promise<void> {
    await this.hre.network.provider.request({
      method: "eth_sendTransaction",
      params: [{ from: OPERATOR, to: this.mover, data: this.moveData(m, price), gas: "0xf42400" }],
    });
  }

  /** Posts the price to the feed only (lazy pool), in the next block (timestamp set by the caller). */
  async post(m: MarketAddrs, price: number): Promise<void> {
    await this.hre.network.provider.request({
      method: "eth_sendTransaction",
      params: [
        {
          from: OPERATOR,
          to: m.feed,
          data: this.feedIface.encodeFunctionData("updateAnswer", [answerOf(price)]),
          gas: "0xf42400",
        },
      ],
    });
  }

  private send(from: string, to: string, data: string, timed = false): Promise<RawReceipt> {
    return this.chain.send(from, to, data, timed);
  }

  private async call(to: string, iface: Interface, fn: string, args: unknown[]): Promise<Result> {
    const data = iface.encodeFunctionData(fn, args);
    const out = (await this.hre.network.provider.request({
      method: "eth_call",
      params: [{ to, data }, "latest"],
    })) as string;
    return iface.decodeFunctionResult(fn, out);
  }

  /** The USDC reserve's current variable borrow rate, % per year. */
  async borrowRatePct(): Promise<number> {
    const [reserve] = await this.call(this.aavePool, POOL_INTERFACE, "getReserveData", [this.usdc]);
    return rayToPct(reserve.currentVariableBorrowRate as bigint);
  }

  /**
   * Brings the USDC reserve's utilisation to `u` with the background borrower: it supplies the other market's base
   * asset as collateral and borrows USDC, or repays with faucet USDC.
   */
  async retargetUtilization(u: number, collateral: MarketAddrs): Promise<void> {
    if (u <= 0) return;
    const supply = (await this.call(this.aUsdc, this.erc20, "totalSupply", []))[0] as bigint;
    const debt = (await this.call(this.dUsdc, this.erc20, "totalSupply", []))[0] as bigint;
    const target = (supply * BigInt(Math.round(u * 1e6))) / 1_000_000n;
    if (target > debt) {
      const borrow = target - debt;
      // Collateral worth twice the new debt over its LTV, at the other market's (unmoved) feed.
      const answer = (
        await this.call(
          collateral.feed,
          new Interface(["function latestAnswer() view returns (int256)"]),
          "latestAnswer",
          [],
        )
      )[0] as bigint;
      const ltv = BigInt(AAVE_MARKET.reserves[BASE_TOKEN[collateral.market]].ltvBps);
      const valueUsd8 = (borrow * 100n * 2n * 10_000n) / ltv; // USDC 6 decimals → USD 8 decimals
      const amount = (valueUsd8 * 10n ** BigInt(collateral.baseDecimals)) / answer + 1n;
      await this.send(this.admin, collateral.base, this.erc20.encodeFunctionData("mint", [BORROWER, amount]));
      await this.send(BORROWER, collateral.base, this.erc20.encodeFunctionData("approve", [this.aavePool, amount]));
      await this.send(
        BORROWER,
        this.aavePool,
        POOL_INTERFACE.encodeFunctionData("supply", [collateral.base, amount, BORROWER, 0]),
      );
      await this.send(
        BORROWER,
        this.aavePool,
        POOL_INTERFACE.encodeFunctionData("borrow", [this.usdc, borrow, 2, 0, BORROWER]),
      );
    } else if (debt > target) {
      const repay = debt - target;
      for (let minted = 0n; minted < repay; minted += FAUCET_CHUNK) {
        const chunk = repay - minted < FAUCET_CHUNK ? repay - minted : FAUCET_CHUNK;
        await this.send(this.admin, this.usdc, this.erc20.encodeFunctionData("mint", [BORROWER, chunk]));
      }
      await this.send(BORROWER, this.usdc, this.erc20.encodeFunctionData("approve", [this.aavePool, repay]));
      await this.send(
        BORROWER,
        this.aavePool,
        POOL_INTERFACE.encodeFunctionData("repay", [this.usdc, repay, 2, BORROWER]),
      );
    }
  }

  /** One window: a fresh product on the market's AaveVenue, the holder's mint, every candle, the redeem. */
  async runWindow(cfg: AaveRunConfig, window: Window, onCandle?: () => void): Promise<AaveWindowResult> {
    const started = Date.now();
    const defaults = productDefaults(cfg.symbol);
    const m = await this.marketAddrs(defaults.market);
    const other = await this.marketAddrs(defaults.market === "BTC" ? "ETH" : "BTC");
    const methodology: Methodology = defaults.methodology;
    const spec: ProductSpec = {
      symbol: cfg.symbol,
      market: defaults.market,
      leverage: defaults.leverage,
      isLong: true,
    };
    const candles = window.candles;
    const first = candles[0];
    const chain = this.chain;
    this.windowCount += 1;

    // The product, created through the factory with the deployed product's parameters.
    await chain.at(first.t - 600);
    await this.retargetUtilization(cfg.utilization, other);
    const factoryOwner = (await this.call(this.factory, this.abis.factory, "owner", []))[0] as string;
    if (factoryOwner.toLowerCase() !== this.admin.toLowerCase()) await chain.impersonate(factoryOwner);
    const allowed = (await this.call(this.factory, this.abis.factory, "isVenueAllowed", [m.venue]))[0] as boolean;
    if (!allowed)
      await this.send(
        factoryOwner,
        this.factory,
        this.abis.factory.encodeFunctionData("setVenueAllowed", [m.venue, true]),
      );
    const created = await this.send(
      factoryOwner,
      this.factory,
      this.abis.factory.encodeFunctionData("createProduct", [
        {
          name: `Ballast backtest ${cfg.symbol} ${window.label}`,
          symbol: `${cfg.symbol}.${this.windowCount}`,
          venue: m.venue,
          isLong: true,
          fees: defaults.fees,
          equityCap: defaults.equityCap,
          methodology,
          bounty: defaults.bounty,
        },
      ]),
    );
    const token = createdToken(this.abis, created);
    const r: AaveWindowResult = {
      ...emptyResult(window, cfg.barSeconds, methodology),
      interestPaid: 0,
      minHealthFactor: Number.POSITIVE_INFINITY,
      borrowRatePct: { mean: 0, min: Number.POSITIVE_INFINITY, max: 0 },
      extremesPosted: 0,
      keeperAsks: 0,
    };
    let rateSum = 0;
    let rateSamples = 0;
    let lastRebalance = chain.dataTime();
    const scale = 10 ** m.baseDecimals;
    const minLev = Number(methodology.minLeverage) / 1e18;
    const maxLev = Number(methodology.maxLeverage) / 1e18;
    const targetLev = Number(methodology.targetLeverage) / 1e18;
    const tolerance = Number(methodology.tolerance) / 1e18;

    /** The account's balances, read from the venue's snapshot (size and equity at the oracle price). */
    const read = async (): Promise<Replica> => {
      const [size, equity, price] = await this.call(m.venue, this.venueIface, "accountSnapshot", [token]);
      const s = Number(size as bigint) / 1e18;
      const p = Number(price as bigint) / 1e18;
      return { size: s, cash: Number(equity as bigint) / 1e18 - s * p };
    };
    let rep: Replica = { size: 0, cash: 0 };
    /** Re-reads the balances; what equity lost at `price` since the last read is interest (no trade in between). */
    const sync = async (price: number): Promise<void> => {
      const now = await read();
      r.interestPaid += rep.cash + rep.size * price - (now.cash + now.size * price);
      rep = now;
      const rate = await this.borrowRatePct();
      rateSum += rate;
      rateSamples += 1;
      r.borrowRatePct.min = Math.min(r.borrowRatePct.min, rate);
      r.borrowRatePct.max = Math.max(r.borrowRatePct.max, rate);
    };
    const equityAt = (p: number) => rep.cash + rep.size * p;
    const leverageAt = (p: number) => {
      const e = equityAt(p);
      return e > 0 ? (rep.size * p) / e : Number.POSITIVE_INFINITY;
    };
    const healthAt = (p: number) => (rep.cash < 0 ? (m.liquidationThreshold * rep.size * p) / -rep.cash : Infinity);
    /** Swap costs of the product's trades in a receipt: |size| × |fill − oracle price|. */
    const tradeCosts = (receipt: RawReceipt, mark: number) => {
      const topic = this.venueIface.getEvent("PositionModified")!.topicHash;
      for (const log of receipt.logs) {
        if (log.topics[0] !== topic || log.address.toLowerCase() !== m.venue.toLowerCase()) continue;
        const ev = this.venueIface.parseLog(log)!;
        if ((ev.args[0] as string).toLowerCase() !== token.toLowerCase()) continue;
        const size = Math.abs(Number(ev.args[2] as bigint)) / 1e18;
        r.tradingCosts += size * Math.abs(Number(ev.args[3] as bigint) / 1e18 - mark);
      }
    };

    /** The price to the feed (and the pool, eager), in the block the caller stamped. */
    const postPrice = (p: number) => (cfg.pool === "eager" ? this.move(m, p) : this.post(m, p));
    /** The pool to the feed's price (and the feed re-posted) right before a trade, one second later. */
    const arbitrage = async (p: number) => {
      await chain.next();
      await this.move(m, p);
    };

    // The holder's mint at the first open.
    await chain.at(first.t);
    await this.move(m, first.o);
    const deposit = BigInt(Math.round(cfg.deposit * 1e6));
    await this.send(this.admin, this.usdc, this.erc20.encodeFunctionData("mint", [this.holder, deposit]));
    await this.send(this.holder, this.usdc, this.erc20.encodeFunctionData("approve", [token, deposit]));
    const minted = await this.send(
      this.holder,
      token,
      this.abis.token.encodeFunctionData("mint", [deposit, 0n, this.holder]),
    );
    const { shares, fee: mintFee } = readMint(this.abis, minted, token);
    r.feesPaid += toUsd6(mintFee);
    r.startNav = toUsd6(deposit);
    tradeCosts(minted, first.o);
    const mintTime = chain.dataTime();
    const holderFraction = Number(shares) / Number(shares + DEAD_SHARES);
    rep = await read();

    const theorySamples: TheorySample[] = [{ t: first.t, price: first.o, fundingPerSecond: 0 }];
    const navSeries: NavPoint[] = [];
    let inBandSum = 0;
    const watch = (p: number) => {
      const lev = leverageAt(p);
      r.maxLeverage = Math.max(r.maxLeverage, lev);
      r.minMarginRatio = Math.min(r.minMarginRatio, Number.isFinite(lev) ? 1 / lev : -1);
      r.minHealthFactor = Math.min(r.minHealthFactor, healthAt(p));
      return lev >= minLev && lev <= maxLev ? 1 : 0;
    };

    for (let ci = 0; ci < candles.length; ci++) {
      const c = candles[ci];
      const close = c.t + cfg.barSeconds;
      theorySamples.push({ t: close, price: c.c, fundingPerSecond: 0 });
      const [extreme] = barPath(c, true);
      let inBand = watch(extreme) + watch(c.c);
      r.priceUpdates += 1;
      await chain.at(close);
      if (healthAt(extreme) < HF_WATCH) {
        // The low could matter: post it and let Aave judge.
        r.extremesPosted += 1;
        r.priceUpdates += 1;
        await postPrice(extreme);
        const [liquidatable] = await this.call(m.venue, this.venueIface, "isLiquidatable", [token]);
        if (liquidatable) {
          await sync(extreme);
          const receipt = await this.send(
            LIQUIDATOR,
            this.aavePool,
            POOL_INTERFACE.encodeFunctionData("liquidationCall", [
              m.base,
              this.usdc,
              await this.aaveAccount(m, token),
              MAX_UINT,
              false,
            ]),
          );
          r.liquidations += 1;
          if (!r.liquidation)
            r.liquidation = { candle: c, price: extreme, prevClose: ci > 0 ? candles[ci - 1].c : first.o };
          for (const log of receipt.logs) {
            if (log.topics[0] !== POOL_INTERFACE.getEvent("LiquidationCall")!.topicHash) continue;
            const ev = POOL_INTERFACE.parseLog(log)!;
            const repaid = Number(ev.args[3] as bigint) / 1e6;
            const seized = (Number(ev.args[4] as bigint) / scale) * extreme;
            r.tradingCosts += seized - repaid;
          }
          rep = await read();
          inBand = watch(extreme) + watch(c.c);
        }
        await chain.next();
      }
      await postPrice(c.c);
      // The keeper.
      const lev = leverageAt(c.c);
      const intervalDue = chain.dataTime() - lastRebalance >= methodology.interval - cfg.barSeconds;
      const mayBeDue =
        cfg.exact ||
        lev <= minLev * 1.01 ||
        lev >= maxLev * 0.99 ||
        (intervalDue && Math.abs(lev - targetLev) > tolerance * 0.9);
      let synced = false;
      if (mayBeDue) {
        r.keeperAsks += 1;
        await sync(c.c);
        synced = true;
        let action = Number((await this.call(this.rebalancer, this.abis.rebalancer, "shouldRebalance", [token]))[0]);
        if (action === Action.NONE && intervalDue)
          // As a keeper watching every block: at the due second, at the close's price (keeper.ts).
          action = await intervalActionAt(
            chain,
            { address: this.rebalancer, abi: this.abis.rebalancer },
            token,
            methodology.interval,
            close,
            LOCAL_FEED_TIMING[defaults.market].heartbeat,
          );
        if (action !== Action.NONE) await arbitrage(c.c);
        for (let calls = 0; calls < MAX_KEEPER_CALLS && action !== Action.NONE; calls++) {
          let receipt: RawReceipt;
          try {
            receipt = await this.send(
              KEEPER,
              this.rebalancer,
              this.abis.rebalancer.encodeFunctionData(actionMethod(action), [token]),
            );
          } catch (e) {
            r.keeperFailures += 1;
            if (r.keeperFailures <= 5)
              process.stderr.write(`\nkeeper ${ACTION_NAMES[action]} failed: ${(e as Error).message.split("\n")[0]}\n`);
            break;
          }
          r.gasUsed.push(Number(BigInt(receipt.gasUsed)));
          tradeCosts(receipt, c.c);
          for (const ev of readRebalances(this.abis, receipt, this.rebalancer)) r.keeperBounties += toUsd6(ev.bounty);
          if (action === Action.RIPCORD) r.ripcords += 1;
          else r.rebalances += 1;
          lastRebalance = chain.dataTime();
          action = Number((await this.call(this.rebalancer, this.abis.rebalancer, "shouldRebalance", [token]))[0]);
        }
        rep = await read();
      }
      if (!synced && ci % SYNC_EVERY === SYNC_EVERY - 1) await sync(c.c);
      inBandSum += inBand / 2;
      navSeries.push({
        nav: holderNav(
          BigInt(Math.round(Math.max(0, equityAt(c.c)) * 1e6)) * 10n ** 12n,
          close,
          first.t,
          holderFraction,
        ),
        lev: leverageAt(c.c),
        maxLev: leverageAt(extreme),
      });
      onCandle?.();
    }

    // The holder redeems everything after the last close.
    const last = candles[candles.length - 1];
    await arbitrage(last.c);
    await sync(last.c);
    const redeemed = await this.send(
      this.holder,
      token,
      this.abis.token.encodeFunctionData("redeem", [shares, 0n, this.holder]),
    );
    tradeCosts(redeemed, last.c);
    const { out, fee, streamingFeeShares } = readRedeem(this.abis, redeemed, token);
    r.endNav = toUsd6(out);
    r.feesPaid += toUsd6(fee);
    if (streamingFeeShares !== null) r.feesPaid += (Number(streamingFeeShares) / Number(shares)) * toUsd6(out + fee);
    finishResult(r, {
      product: spec,
      theorySamples,
      navSeries,
      inBandSum,
      mintTime,
      redeemTime: chain.dataTime(),
    });
    r.borrowRatePct.mean = rateSamples ? rateSum / rateSamples : 0;
    if (!Number.isFinite(r.borrowRatePct.min)) r.borrowRatePct.min = 0;
    r.wallSeconds = (Date.now() - started) / 1000;
    return r;
  }

  private async aaveAccount(m: MarketAddrs, token: string): Promise<string> {
    return (await this.call(m.venue, this.venueIface, "aaveAccount", [token]))[0] as string;
  }
}
