/**
 * `npm run demo -- --venue aave`: the demo's story on the money-market venue. A holder mints AaveETH2L and another
 * AaveETH2S with USDC on the local Aave v3 market (their trades go through the local Uniswap v3 WETH/USDC pool); ETH
 * walks 15 steps of −1% then 20 of +1%, each step moving the Chainlink feed and arbitraging the pool to it
 * (scripts/market/mover.ts, since AaveVenue fills only within its slippage bound of the oracle); after every step a
 * keeper asks the Rebalancer what is due and acts. Each row prints price, NAV, leverage, each product's Aave health
 * factor and the keeper's action, each product's band printed first; the borrow rates (Aave Pool.getReserveData's
 * currentVariableBorrowRate, ray → % a year) at the start and the end. Both holders redeem, and the footer explains
 * each result from the run's own numbers as the perp demo does, with swap costs instead of taker fees and interest
 * instead of funding.
 */
import hre, { deployments, ethers } from "hardhat";
import { AAVE_MARKET } from "../config/aave";
import { aaveLiquidationLeverage } from "../config/aaveProducts";
import { usdc } from "../config/parameters";
import { Action, actionMethod, actionName, connectRebalancer, connectToken, formatAmount, toAction } from "../protocol";
import { AaveVenue__factory, MockUSDC__factory, MockV3Aggregator__factory } from "../typechain-types";
import { movePrice } from "./market/mover";
import { deployRealVenues } from "./market/realVenues";
import { rayToPct, utilisation, variableBorrowRate } from "./market/aaveInfo";
import type { Band } from "./demo";
import { formatUnits } from "ethers";

const WAD_DECIMALS = 18;
const USDC_DECIMALS = 6;
const num = (x: bigint, decimals: number): number => Number(formatUnits(x, decimals));
const usd = (x: bigint): string => formatAmount(x, 8, 2);
const usdcText = (x: bigint): string => formatAmount(x, USDC_DECIMALS, 2);
const lev = (x: number): string => `${x.toFixed(2)}×`;
const pct = (x: number, digits = 2): string => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(digits)}%`;
const pts = (x: number): string => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(2)} pts`;
const money = (x: number): string =>
  `${x < 0 ? "−" : ""}${Math.abs(x)
    .toFixed(2)
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",")} USDC`;
const hfText = (x: bigint): string => (x >= 10n ** 30n ? "∞" : num(x, WAD_DECIMALS).toFixed(3));

/** One holder's figures on Aave (fractions and USDC). */
export interface AaveHolderResult {
  symbol: string;
  signedLeverage: number;
  band: Band;
  paid: number;
  got: number;
  final: number;
  nav: number;
  actual: number;
  constant: number;
  naive: number;
  bounties: number;
  swaps: number;
  streaming: number;
  interest: number;
  healthFactors: number[]; // after the keeper, per step
  liquidationLeverage: number;
}

export interface AaveDemoRun {
  lines: string[];
  prices: number[];
  move: number;
  holders: AaveHolderResult[];
  /** % a year, at the start and at the end: USDC (the long's debt) and WETH (the short's). */
  rates: { usdc: [number, number]; weth: [number, number] };
}

/** Runs the Aave demo on the current Hardhat network (the real-venue fixture), printing through `print`. */
export async function runAaveDemo(print: (line: string) => void = console.log): Promise<AaveDemoRun> {
  const lines: string[] = [];
  const out = (line = "") => {
    lines.push(line);
    print(line);
  };
  await deployRealVenues(deployments);
  const [deployer, keeper, , , alice, bob] = await ethers.getSigners();
  const address = async (name: string): Promise<string> => (await deployments.get(name)).address;
  const usdcToken = MockUSDC__factory.connect(await address("USDC"), deployer);
  const feed = MockV3Aggregator__factory.connect(await address("ETHUSDFeed"), deployer);
  const rebalancer = connectRebalancer(await address("Rebalancer"), keeper);
  const usdcAddress = await address("USDC");
  const wethAddress = await address("WETH");
  const rates = async (): Promise<[number, number]> => [
    rayToPct(await variableBorrowRate(hre, usdcAddress)),
    rayToPct(await variableBorrowRate(hre, wethAddress)),
  ];

  const products = [];
  for (const [symbol, holder, who] of [
    ["AaveETH2L", "alice", alice],
    ["AaveETH2S", "bob", bob],
  ] as const) {
    const addr = await address(symbol);
    const token = connectToken(addr, deployer);
    const venue = AaveVenue__factory.connect(await token.venue(), deployer);
    const m = await rebalancer.methodology(addr);
    const isLong = await token.isLong();
    products.push({
      symbol,
      holder,
      who,
      token,
      venue,
      addr,
      isLong,
      sign: isLong ? 1 : -1,
      band: {
        min: num(m.minLeverage, WAD_DECIMALS),
        target: num(m.targetLeverage, WAD_DECIMALS),
        max: num(m.maxLeverage, WAD_DECIMALS),
        ripcord: num(m.ripcordLeverage, WAD_DECIMALS),
        intervalSeconds: Number(m.interval),
        tolerance: num(m.tolerance, WAD_DECIMALS),
        innerMin: num(m.targetLeverage - ((m.targetLeverage - m.minLeverage) * m.innerBand) / 10n ** 18n, WAD_DECIMALS),
        innerMax: num(m.targetLeverage + ((m.maxLeverage - m.targetLeverage) * m.innerBand) / 10n ** 18n, WAD_DECIMALS),
      } as Band,
      liquidationLeverage: aaveLiquidationLeverage("ETH", isLong),
      levAfter: [] as number[],
      nav: [] as bigint[],
      hf: [] as bigint[],
      swaps: 0,
    });
  }

  const fees = await products[0].token.fees();
  const slippage = await products[0].venue.MAX_SLIPPAGE();
  const rate = (x: bigint, digits = 2): string => `${(num(x, WAD_DECIMALS) * 100).toFixed(digits)}%`;
  const ratesStart = await rates();
  out(
    "Ballast demo on Aave: AaveETH2L (2× long) and AaveETH2S (2× short) on the local Aave v3 market, trading through the local Uniswap v3 WETH/USDC pool; parameters as deployed.",
  );
  out(
    `Fees (LeveragedToken.fees): mint ${rate(fees.mintFeeRate)}, redeem ${rate(fees.redeemFeeRate)}, streaming ${rate(fees.streamingFeeRate)} a year. The venue: each trade is one Uniswap swap (the pool's 0.05% fee and its price impact are inside the fill, bounded to ±${rate(slippage)} of the oracle); a long borrows USDC, a short borrows WETH.`,
  );
  out(
    `Borrow rates (Aave Pool.getReserveData currentVariableBorrowRate): USDC ${ratesStart[0].toFixed(4)}% a year at utilisation ${(100 * (await utilisation(hre, "USDC"))).toFixed(4)}%, WETH ${ratesStart[1].toFixed(4)}% a year.`,
  );
  out("Bands (Rebalancer.methodology): the keeper trades back to the target when leverage leaves the band, and");
  out(
    "through the ripcord at once when it reaches the ripcord level; inside the band only after the interval, and only",
  );
  out("if |leverage − target| exceeds the tolerance (the demo takes seconds, so that never applies here).");
  for (const p of products) {
    const b = p.band;
    const lt = AAVE_MARKET.reserves[p.isLong ? "WETH" : "USDC"].liquidationThresholdBps / 100;
    out(
      `  ${p.symbol}: band ${lev(b.min)}–${lev(b.max)}, target ${lev(b.target)}, ripcord ${lev(b.ripcord)}; interval ${b.intervalSeconds / 3600} h, tolerance ${lev(b.tolerance)}; Aave liquidates at health factor 1 = leverage ${lev(p.liquidationLeverage)} (${p.isLong ? "WETH" : "USDC"} liquidation threshold ${lt}%)`,
    );
  }
  out();

  const deposit = usdc(10_000);
  for (const p of products) {
    await usdcToken.mint(p.who.address, deposit);
    await usdcToken.connect(p.who).approve(p.addr, deposit);
    await p.token.connect(p.who).mint(deposit, 0, p.who.address);
  }
  out("alice minted AaveETH2L and bob minted AaveETH2S with 10,000.00 USDC each.");
  out(
    "Leverage shows before→after the keeper where it acted; HF is the product's Aave health factor after the keeper.",
  );
  out();

  const header = ["step", "ETH (USD)", "move"];
  const widths = [4, 10, 7];
  for (const p of products) {
    header.push(`${p.symbol} NAV`, "lev", "HF", "keeper");
    widths.push(14, 11, 5, 19);
  }
  const row = (cells: string[]) =>
    out(
      cells
        .map((c, i) => (i >= 6 && i % 4 === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
        .join("  ")
        .trimEnd(),
    );
  row(header);
  row(["", "", "", "(USDC)", "(×)", "", "", "(USDC)", "(×)", "", ""]);

  let price = (await feed.latestAnswer()) as bigint;
  const prices: bigint[] = [price];
  const path = [...Array(15).fill(-1), ...Array(20).fill(1)] as number[];
  for (let i = 0; i <= path.length; i++) {
    if (i > 0) {
      price = (price * BigInt(100 + path[i - 1])) / 100n;
      await movePrice(hre, "ETH", price);
      price = (await feed.latestAnswer()) as bigint;
      prices.push(price);
    }
    const cells = [String(i), usd(price), i === 0 ? "" : pct(num(price, 8) / num(prices[i - 1], 8) - 1, 1)];
    for (const p of products) {
      const before = num(await p.token.currentLeverage(), WAD_DECIMALS);
      let action = toAction(await rebalancer.shouldRebalance(p.addr));
      const taken: string[] = [];
      while (action !== Action.NONE) {
        await (await rebalancer[actionMethod(action)](p.addr)).wait();
        taken.push(actionName(action));
        action = toAction(await rebalancer.shouldRebalance(p.addr));
      }
      const after = num(await p.token.currentLeverage(), WAD_DECIMALS);
      const nav = await p.token.navPerShare();
      const hf = await p.venue.healthFactor(p.addr);
      p.levAfter.push(after);
      p.nav.push(nav);
      p.hf.push(hf);
      const b = p.band;
      const why =
        before >= b.ripcord
          ? ` ≥${b.ripcord.toFixed(2)}`
          : before > b.max
            ? ` >${b.max.toFixed(2)}`
            : before < b.min
              ? ` <${b.min.toFixed(2)}`
              : "";
      cells.push(
        formatAmount(nav, WAD_DECIMALS, 4),
        taken.length ? `${before.toFixed(2)}→${after.toFixed(2)}` : after.toFixed(2),
        hfText(hf),
        taken.length ? `${taken.join("+")}${why}` : "-",
      );
    }
    row(cells);
  }

  out();
  out("Holders redeem everything:");
  const redeemRow = (cells: string[]) =>
    out(
      cells
        .map((c, i) => (i < 2 ? c.padEnd([6, 10][i]) : c.padStart([16, 16, 9][i - 2])))
        .join("  ")
        .trimEnd(),
    );
  redeemRow(["holder", "token", "paid in (USDC)", "got back (USDC)", "return"]);
  const got = new Map<string, bigint>();
  const sharesHeld = new Map<string, bigint>();
  for (const p of products) {
    const shares = await p.token.balanceOf(p.who.address);
    sharesHeld.set(p.symbol, shares);
    const before = await usdcToken.balanceOf(p.who.address);
    await (await p.token.connect(p.who).redeem(shares, 0, p.who.address)).wait();
    const paid = (await usdcToken.balanceOf(p.who.address)) - before;
    got.set(p.symbol, paid);
    redeemRow([p.holder, p.symbol, usdcText(deposit), usdcText(paid), pct(num(paid, 6) / num(deposit, 6) - 1)]);
  }
  const ratesEnd = await rates();

  const P = prices.map((x) => num(x, 8));
  const move = P[35] / P[0] - 1;
  out();
  out(
    `ETH's path: 15 steps of −1% then 20 of +1%: ${usd(prices[0])} → ${usd(prices[15])} → ${usd(prices[35])} USD, ${pct(move)} overall (percentages compound).`,
  );
  out(
    `Borrow rates at the end: USDC ${ratesEnd[0].toFixed(4)}% a year, WETH ${ratesEnd[1].toFixed(4)}% a year: the local market's only borrowers are these products, so its utilisation, and the interest they pay over the demo's seconds, are near 0 (npm run backtest -- --venue aave holds USDC utilisation at 80%).`,
  );

  const holders: AaveHolderResult[] = [];
  for (const p of products) {
    const L = p.sign * p.band.target;
    const shares = sharesHeld.get(p.symbol)!;
    const paid = num(deposit, USDC_DECIMALS);
    const gotBack = num(got.get(p.symbol)!, USDC_DECIMALS);
    const r = P.slice(1).map((x, i) => x / P[i] - 1);
    const constant = r.reduce((acc, ri) => acc * (1 + L * ri), 1) - 1;
    const actualFactor = r.reduce((acc, ri, i) => acc * (1 + p.sign * p.levAfter[i] * ri), 1);
    const nav0 = num(p.nav[0], WAD_DECIMALS);
    const navT = num(p.nav[p.nav.length - 1], WAD_DECIMALS);
    const sh = num(shares, WAD_DECIMALS);
    const A = sh * nav0;
    const B = A * actualFactor;
    const C = sh * navT;
    const naive = L * move;
    const bountyEvents = await rebalancer.queryFilter(rebalancer.filters.RebalanceExecuted(p.addr));
    const bounties = num(
      bountyEvents.reduce((s, e) => s + e.args.bounty, 0n),
      USDC_DECIMALS,
    );
    // Swap costs of the keeper's trades: |size| × |fill − oracle price| from the venue's events and the feed's
    // price in the same block.
    let swaps = 0;
    const rebalanceBlocks = new Set(bountyEvents.map((e) => e.blockNumber));
    for (const e of await p.venue.queryFilter(p.venue.filters.PositionModified(p.addr))) {
      if (!rebalanceBlocks.has(e.blockNumber)) continue;
      const mark = num((await feed.latestAnswer({ blockTag: e.blockNumber })) as bigint, 8);
      const size = Math.abs(num(e.args.sizeDelta, WAD_DECIMALS));
      swaps += size * Math.abs(num(e.args.fillPrice, WAD_DECIMALS) - mark);
    }
    const feeEvents = await p.token.queryFilter(p.token.filters.StreamingFeeAccrued());
    const streaming =
      num(
        feeEvents.reduce((s, e) => s + e.args.shares, 0n),
        WAD_DECIMALS,
      ) * navT;
    const costs = B - C;
    const interest = costs - bounties - swaps - streaming;
    const [minted] = await p.token.queryFilter(p.token.filters.Minted(undefined, p.who.address));
    const [redeemed] = await p.token.queryFilter(p.token.filters.Redeemed(undefined, p.who.address));
    const mintFee = num(minted.args.fee, USDC_DECIMALS);
    const redeemFee = num(redeemed.args.fee, USDC_DECIMALS);
    const openTrade = paid - A - mintFee;
    const closeTrade = C - gotBack - redeemFee;
    const res: AaveHolderResult = {
      symbol: p.symbol,
      signedLeverage: L,
      band: p.band,
      paid,
      got: gotBack,
      final: gotBack / paid - 1,
      nav: navT / nav0 - 1,
      actual: actualFactor - 1,
      constant,
      naive,
      bounties,
      swaps,
      streaming,
      interest,
      healthFactors: p.hf.map((x) => num(x, WAD_DECIMALS)),
      liquidationLeverage: p.liquidationLeverage,
    };
    holders.push(res);
    const kind = p.sign > 0 ? "long" : "short";
    const Ltext = `${L > 0 ? "" : "−"}${Math.abs(L)}`;
    const minHf = p.hf.reduce((a, x) => (x < a ? x : a));
    const rebalances = bountyEvents.length;
    out();
    out(
      `${p.symbol} (${Math.abs(L)}× ${kind}, ${p.holder}): paid ${usdcText(deposit)} USDC, got back ${usdcText(got.get(p.symbol)!)} USDC = ${pct(res.final)}; ${Ltext} × the move would be ${Ltext} × ${pct(move)} = ${pct(naive)}. Step by step:`,
    );
    out(
      `  1. exactly ${Ltext}× at every step, no costs: ${pct(constant)}; ${pts(constant - naive)}: path dependence (volatility decay).`,
    );
    out(
      `  2. at the leverage it really had after each step: ${pct(actualFactor - 1)}; ${pts(actualFactor - 1 - constant)}: band drift inside ${lev(p.band.min)}–${lev(p.band.max)}.`,
    );
    out(
      `  3. NAV per share ${formatAmount(p.nav[0], WAD_DECIMALS, 4)} → ${formatAmount(p.nav[p.nav.length - 1], WAD_DECIMALS, 4)} USDC = ${pct(res.nav)}; ${pts(res.nav - (actualFactor - 1))}: the ${rebalances} rebalance${rebalances === 1 ? "" : "s"} and time cost ${money(costs)} of ${money(A)}: keeper bounties ${money(bounties)}, swaps (pool fee, price impact) ${money(swaps)}, streaming fee ${money(streaming)}, the rest (interest, near 0 at these rates, and what the leverage path leaves) ${money(interest)}.`,
    );
    out(
      `  4. got back / paid = ${(gotBack / paid).toFixed(4)} → ${pct(res.final)}; ${pts(res.final - res.nav)}: mint fee ${money(mintFee)} and opening swap ${money(openTrade)}, redeem fee ${money(redeemFee)} and closing swap ${money(closeTrade)}.`,
    );
    out(
      `  Aave: lowest health factor ${hfText(minHf)} (liquidation at 1, leverage ${lev(p.liquidationLeverage)}); ${p.isLong ? "USDC" : "WETH"} borrowed at ${(p.isLong ? ratesStart[0] : ratesStart[1]).toFixed(4)}% a year at the start, ${(p.isLong ? ratesEnd[0] : ratesEnd[1]).toFixed(4)}% at the end.`,
    );
  }
  return {
    lines,
    prices: P,
    move,
    holders,
    rates: { usdc: [ratesStart[0], ratesEnd[0]], weth: [ratesStart[1], ratesEnd[1]] },
  };
}
