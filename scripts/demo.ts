/**
 * The main job: a local demo on the in-process Hardhat network.
 * A holder mints BTC3L and another BTC3S with USDC; BTC walks 15 steps of -1% then 20 steps of +1% (one oracle update
 * per step); after every update a keeper asks the Rebalancer what is due and acts; each step prints price, NAV,
 * leverage and the keeper's action, with each product's band printed first so that every REBALANCE row can be read
 * against it. At the end both holders redeem everything, and the footer explains each result from the run's own
 * numbers: the path's arithmetic, constant-leverage compounding (path dependence), the leverage the product really
 * had inside its band, the rebalance costs (keeper bounties, trades, streaming fee, funding), and the mint/redeem fees.
 * Every figure comes from typed contract calls and events (the protocol/ module's handles and typechain mocks).
 *
 *   npm run demo          (test/unit/demo.test.ts runs `runDemo` and checks the footer's arithmetic)
 *   npm run demo -- --venue aave   the same story on the Aave products (scripts/demo-aave.ts)
 *
 * `npm run demo` compiles, then runs this file with ts-node (not `hardhat run`, which takes no script arguments).
 */
import { deployments, ethers } from "hardhat";
import { formatUnits } from "ethers";
import { MockPerpVenue__factory, MockUSDC__factory, MockV3Aggregator__factory } from "../typechain-types";
import {
  Action,
  actionMethod,
  actionName,
  connectRebalancer,
  connectToken,
  formatAmount,
  toAction,
  type ILeveragedToken,
} from "../protocol";
import { usdc } from "../config/parameters";

const PRICE_DECIMALS = 8; // the Chainlink BTC/USD answer
const USDC_DECIMALS = 6;
const WAD_DECIMALS = 18;

const num = (x: bigint, decimals: number): number => Number(formatUnits(x, decimals));
const usd = (x: bigint, decimals = PRICE_DECIMALS): string => formatAmount(x, decimals, 2);
const usdcText = (x: bigint): string => formatAmount(x, USDC_DECIMALS, 2);
const lev = (x: number): string => `${x.toFixed(2)}×`;
const pct = (x: number, digits = 2): string => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(digits)}%`;
const rate = (x: bigint, digits = 2): string => `${(num(x, WAD_DECIMALS) * 100).toFixed(digits)}%`;
const pts = (x: number): string => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(2)} pts`;
const money = (x: number): string =>
  `${x < 0 ? "−" : ""}${Math.abs(x)
    .toFixed(2)
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",")} USDC`;

/** One product's band, as the Rebalancer's methodology says (numbers, ×). */
export interface Band {
  min: number;
  target: number;
  max: number;
  ripcord: number;
  intervalSeconds: number;
  tolerance: number;
  /** The inner band's edges: a rebalance from outside it trades only to the nearer edge (methodology v2). */
  innerMin: number;
  innerMax: number;
}

/** What the footer explains for one holder; fractions (0.05 = 5%) and USDC. */
export interface HolderResult {
  symbol: string;
  signedLeverage: number; // +3 for a long, -3 for a short
  band: Band;
  paid: number;
  got: number;
  naive: number; // L × the overall move
  constant: number; // Π(1 + L r_i) − 1: exactly L at every step, no costs
  actual: number; // Π(1 + L_{i-1} r_i) − 1: the leverage it really had, no costs
  nav: number; // NAV per share end / start − 1
  final: number; // got / paid − 1
  bounties: number;
  funding: number;
  streaming: number;
  trades: number;
}

export interface DemoRun {
  lines: string[];
  prices: number[]; // USD per step, 0..35
  move: number; // overall, fraction
  holders: HolderResult[];
}

/** Runs the demo on the current Hardhat network (a fresh fixture), printing through `print`. */
export async function runDemo(print: (line: string) => void = console.log): Promise<DemoRun> {
  const lines: string[] = [];
  const out = (line = "") => {
    lines.push(line);
    print(line);
  };
  await deployments.fixture();
  const [deployer, keeper, , , alice, bob] = await ethers.getSigners();
  const address = async (name: string): Promise<string> => (await deployments.get(name)).address;
  // The local mocks: the USDC faucet, the Chainlink feed the demo moves, the perp venue (for its events).
  const usdcToken = MockUSDC__factory.connect(await address("USDC"), deployer);
  const feed = MockV3Aggregator__factory.connect(await address("BTCUSDFeed"), deployer);
  const rebalancer = connectRebalancer(await address("Rebalancer"), keeper);
  const long = connectToken(await address("BTC3L"), deployer);
  const short = connectToken(await address("BTC3S"), deployer);
  const venue = MockPerpVenue__factory.connect(await long.venue(), deployer);

  interface Product {
    symbol: string;
    holder: string;
    who: typeof alice;
    token: ILeveragedToken;
    addr: string;
    sign: number;
    band: Band;
    levAfter: number[]; // after the keeper, per step
    nav: bigint[]; // per share, WAD, per step
  }
  const products: Product[] = [];
  for (const [symbol, holder, who, token] of [
    ["BTC3L", "alice", alice, long],
    ["BTC3S", "bob", bob, short],
  ] as const) {
    const addr = await token.getAddress();
    const m = await rebalancer.methodology(addr);
    const band: Band = {
      min: num(m.minLeverage, WAD_DECIMALS),
      target: num(m.targetLeverage, WAD_DECIMALS),
      max: num(m.maxLeverage, WAD_DECIMALS),
      ripcord: num(m.ripcordLeverage, WAD_DECIMALS),
      intervalSeconds: Number(m.interval),
      tolerance: num(m.tolerance, WAD_DECIMALS),
      innerMin: num(m.targetLeverage - ((m.targetLeverage - m.minLeverage) * m.innerBand) / 10n ** 18n, WAD_DECIMALS),
      innerMax: num(m.targetLeverage + ((m.maxLeverage - m.targetLeverage) * m.innerBand) / 10n ** 18n, WAD_DECIMALS),
    };
    products.push({
      symbol,
      holder,
      who,
      token,
      addr,
      sign: (await token.isLong()) ? 1 : -1,
      band,
      levAfter: [],
      nav: [],
    });
  }

  const fees = await long.fees();
  out("Ballast demo: BTC3L (3× long) and BTC3S (3× short) on the local BTC/USD market, parameters as deployed.");
  out(
    `Fees (LeveragedToken.fees): mint ${rate(fees.mintFeeRate)}, redeem ${rate(fees.redeemFeeRate)}, streaming ${rate(fees.streamingFeeRate)} a year; the venue's taker fee ${rate((await venue.params()).takerFeeRate, 3)} of each trade, funding ${rate((await venue.fundingRatePerSecond()) * 31_536_000n)} a year.`,
  );
  out("Bands (Rebalancer.methodology): when leverage leaves the band the keeper trades it to the nearer edge of the");
  out("inner band (a partial rebalance; to the target where there is none), and back to the target through the");
  out("ripcord at once when it reaches the ripcord level; inside the band only after the interval, and only if");
  out("|leverage − target| exceeds the tolerance (the demo takes seconds, so that never applies here).");
  for (const p of products) {
    const b = p.band;
    out(
      `  ${p.symbol}: band ${lev(b.min)}–${lev(b.max)}, target ${lev(b.target)}, ripcord ${lev(b.ripcord)}; inner band ${b.innerMin === b.innerMax ? "none" : `${lev(b.innerMin)}–${lev(b.innerMax)}`}; interval ${b.intervalSeconds / 3600} h, tolerance ${lev(b.tolerance)}`,
    );
  }
  out();

  const deposit = usdc(10_000);
  for (const p of products) {
    await usdcToken.mint(p.who.address, deposit);
    await usdcToken.connect(p.who).approve(p.addr, deposit);
    await p.token.connect(p.who).mint(deposit, 0, p.who.address);
  }
  out(`alice minted BTC3L and bob minted BTC3S with ${usdcText(deposit)} USDC each.`);
  out("Leverage shows before→after the keeper where it acted; the action says which edge of the band was crossed.");
  out();

  const header = ["step", "BTC (USD)", "move"];
  const widths = [4, 10, 7];
  for (const p of products) {
    header.push(`${p.symbol} NAV`, "lev", "keeper");
    widths.push(10, 11, 19);
  }
  const row = (cells: string[]) =>
    out(
      cells
        .map((c, i) => (i >= 5 && i % 3 === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
        .join("  ")
        .trimEnd(),
    );
  row(header);
  row(["", "", "", "(USDC)", "(×)", "", "(USDC)", "(×)", ""]);

  let price = (await feed.latestAnswer()) as bigint;
  const prices: bigint[] = [price];
  const path = [...Array(15).fill(-1), ...Array(20).fill(1)] as number[]; // percent per step
  for (let i = 0; i <= path.length; i++) {
    if (i > 0) {
      price = (price * BigInt(100 + path[i - 1])) / 100n;
      await feed.updateAnswer(price);
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
      p.levAfter.push(after);
      p.nav.push(nav);
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
        .map((c, i) => (i < 2 ? c.padEnd([6, 6][i]) : c.padStart([16, 16, 9][i - 2])))
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

  // The path's arithmetic, from the prices the feed reported.
  const P = prices.map((x) => num(x, PRICE_DECIMALS));
  const down = P[15] / P[0];
  const up = P[35] / P[15];
  const move = P[35] / P[0] - 1;
  out();
  out(`BTC's path: 15 steps of −1% then 20 of +1% (each step's price rounded down to the feed's 8 decimals):`);
  out(
    `  down leg ${usd(prices[15])} / ${usd(prices[0])} USD = ${down.toFixed(5)}   (0.99^15 = ${(0.99 ** 15).toFixed(5)})`,
  );
  out(
    `  up leg   ${usd(prices[35])} / ${usd(prices[15])} USD = ${up.toFixed(5)}   (1.01^20 = ${(1.01 ** 20).toFixed(5)})`,
  );
  out(
    `  overall  ${usd(prices[35])} / ${usd(prices[0])} USD = ${down.toFixed(5)} × ${up.toFixed(5)} = ${(down * up).toFixed(5)}: BTC moved ${pct(move)}, not the steps' sum ${pct(path.reduce((sum, x) => sum + x, 0) / 100, 0)}: percentages compound.`,
  );

  const holders: HolderResult[] = [];
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
    // Values in USDC: A after the mint, B at the leverage it had without costs, C at the end NAV, then the redeem.
    const A = sh * nav0;
    const B = A * actualFactor;
    const C = sh * navT;
    const naive = L * move;
    // Keeper bounties, funding and the streaming fee from the run's own events; trades are the remainder.
    const bountyEvents = await rebalancer.queryFilter(rebalancer.filters.RebalanceExecuted(p.addr));
    const bounties = num(
      bountyEvents.reduce((s, e) => s + e.args.bounty, 0n),
      USDC_DECIMALS,
    );
    const fundingEvents = await venue.queryFilter(venue.filters.FundingSettled(p.addr));
    const funding = num(
      fundingEvents.reduce((s, e) => s + e.args.funding, 0n),
      USDC_DECIMALS,
    );
    const feeEvents = await p.token.queryFilter(p.token.filters.StreamingFeeAccrued());
    const streaming =
      num(
        feeEvents.reduce((s, e) => s + e.args.shares, 0n),
        WAD_DECIMALS,
      ) * navT;
    const costs = B - C; // USDC the rebalances and time cost between the mint and the redeem
    const trades = costs - bounties - funding - streaming;
    // The mint and redeem fees the token reported in its events; the rest of each edge is the opening/closing trade.
    const [minted] = await p.token.queryFilter(p.token.filters.Minted(undefined, p.who.address));
    const [redeemed] = await p.token.queryFilter(p.token.filters.Redeemed(undefined, p.who.address));
    const mintFee = num(minted.args.fee, USDC_DECIMALS);
    const redeemFee = num(redeemed.args.fee, USDC_DECIMALS);
    const openTrade = paid - A - mintFee;
    const closeTrade = C - gotBack - redeemFee;
    const res: HolderResult = {
      symbol: p.symbol,
      signedLeverage: L,
      band: p.band,
      paid,
      got: gotBack,
      naive,
      constant,
      actual: actualFactor - 1,
      nav: navT / nav0 - 1,
      final: gotBack / paid - 1,
      bounties,
      funding,
      streaming,
      trades,
    };
    holders.push(res);

    const kind = p.sign > 0 ? "long" : "short";
    const Ltext = `${L > 0 ? "" : "−"}${Math.abs(L)}`;
    const one = (x: number) => (1 + L * x).toFixed(2);
    const downLevs = p.levAfter.slice(0, 15);
    const upLevs = p.levAfter.slice(15, 35);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const rebalances = bountyEvents.length;
    out();
    out(
      `${p.symbol} (${Math.abs(L)}× ${kind}, ${p.holder}): paid ${usdcText(deposit)} USDC, got back ${usdcText(got.get(p.symbol)!)} USDC = ${pct(res.final)}; ${Ltext} × the move would be ${Ltext} × ${pct(move)} = ${pct(naive)}. Step by step:`,
    );
    out(
      `  1. exactly ${Ltext}× at every step, no costs: ${one(-0.01)}^15 × ${one(0.01)}^20 = ${((1 + L * -0.01) ** 15).toFixed(5)} × ${((1 + L * 0.01) ** 20).toFixed(5)} = ${(1 + constant).toFixed(5)} → ${pct(constant)}`,
    );
    out(
      `     ${pts(constant - naive)}: path dependence (volatility decay): a −1% and a +1% step at ${Ltext}× give ${one(-0.01)} × ${one(0.01)} = ${((1 + L * -0.01) * (1 + L * 0.01)).toFixed(4)}, less than 1.`,
    );
    out(
      `  2. at the leverage it really had after each step: Π(1 ${L > 0 ? "+" : "−"} leverage × step) = ${actualFactor.toFixed(4)} → ${pct(actualFactor - 1)}`,
    );
    const against = p.sign > 0 ? downLevs : upLevs;
    const favour = p.sign > 0 ? upLevs : downLevs;
    const drift =
      mean(against) > mean(favour)
        ? "it lost with more leverage than it gained with"
        : "it gained with more leverage than it lost with";
    out(
      `     ${pts(actualFactor - 1 - constant)}: band drift: leverage moves freely inside ${lev(p.band.min)}–${lev(p.band.max)} between rebalances; its mean was ${lev(mean(against))} over the ${against.length} steps against the ${kind} and ${lev(mean(favour))} over the ${favour.length} in its favour: ${drift}.`,
    );
    out(
      `  3. NAV per share ${formatAmount(p.nav[0], WAD_DECIMALS, 4)} → ${formatAmount(p.nav[p.nav.length - 1], WAD_DECIMALS, 4)} USDC = ${(navT / nav0).toFixed(4)} → ${pct(res.nav)}`,
    );
    out(
      `     ${pts(res.nav - (actualFactor - 1))}: the ${rebalances} rebalance${rebalances === 1 ? "" : "s"} and time cost ${money(costs)} of ${money(A)}: keeper bounties ${money(bounties)}, trades (taker fee, price impact) ${money(trades)}, streaming fee ${money(streaming)}, funding ${money(funding)}.`,
    );
    out(
      `  4. got back / paid = ${usdcText(got.get(p.symbol)!)} / ${usdcText(deposit)} = ${(gotBack / paid).toFixed(4)} → ${pct(res.final)}`,
    );
    out(
      `     ${pts(res.final - res.nav)}: the mint turned ${usdcText(deposit)} USDC into ${money(A)} of NAV (mint fee ${money(mintFee)}, opening trade ${money(openTrade)}),`,
    );
    out(
      `     the redeem ${money(C)} of NAV into ${usdcText(got.get(p.symbol)!)} USDC (redeem fee ${money(redeemFee)}, closing trade ${money(closeTrade)}).`,
    );
    out(
      `  Sum: ${pct(naive)} ${pts(constant - naive)} ${pts(actualFactor - 1 - constant)} ${pts(res.nav - (actualFactor - 1))} ${pts(res.final - res.nav)} = ${pct(res.final)}`,
    );
  }
  return { lines, prices: P, move, holders };
}

/** A bad command line: printed as its message alone. */
export class DemoUsageError extends Error {}

/** The demo's options: `--venue perp` (default) or `--venue aave` (scripts/demo-aave.ts). */
export function parseDemoArgs(argv: string[]): { venue: "perp" | "aave" } {
  let venue = "perp";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--venue") venue = argv[++i] ?? "";
    else if (a.startsWith("--venue=")) venue = a.slice("--venue=".length);
    else throw new DemoUsageError(`unexpected argument ${a} (usage: npm run demo [-- --venue perp|aave])`);
  }
  if (venue !== "perp" && venue !== "aave") throw new DemoUsageError(`--venue must be perp or aave, not ${venue}`);
  return { venue };
}

if (require.main === module) {
  const started = Date.now();
  Promise.resolve()
    .then(async () => {
      const { venue } = parseDemoArgs(process.argv.slice(2));
      if (venue === "aave") await (await import("./demo-aave")).runAaveDemo();
      else await runDemo();
    })
    .then(() => console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`))
    .catch((err) => {
      console.error(err instanceof DemoUsageError ? `error: ${err.message}` : err);
      process.exitCode = 1;
    });
}
