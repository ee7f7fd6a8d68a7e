/**
 * The market mover: moving a market's price sets its Chainlink-style feed and, in the same step, arbitrages the
 * market's Uniswap v3 pool to the new price, as arbitrageurs keep a live pool on its oracle. The arbitrageur (named
 * account `arbitrageur`) swaps through the SwapRouter with the target as the swap's price limit, so the pool stops
 * exactly there: the pool's price then equals the feed's to within one tick (rounding of the square root only).
 * The pool's depth is its liquidity: config/uniswap.ts sets it at deployment, `addPoolLiquidity` adds more.
 *
 * Used by the Aave tests; usable by tasks, the demo and the backtest through any HardhatRuntimeEnvironment with
 * hardhat-deploy's deployments of the real-venue market (scripts/market/realVenues.ts).
 */
import { MaxUint256, type Contract } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { BASE_TOKEN } from "../../config/aave";
import type { MarketSymbol } from "../../config/parameters";
import { ARBITRAGEUR_FLOAT_USD, UNISWAP_POOLS, poolDeploymentName, type PositionConfig } from "../../config/uniswap";
import { uniswapArtifact } from "./artifacts";
import {
  ANSWER_DECIMALS,
  answerFromSqrtPriceX96,
  positionAmounts,
  positionTicks,
  sqrtPriceX96FromAnswer,
  tickFromSqrtPriceX96,
  type PairShape,
} from "./uniswapMath";

const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address,address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
  "function mint(address,uint256)",
  "function decimals() view returns (uint8)",
];
const FEED_ABI = ["function latestAnswer() view returns (int256)", "function updateAnswer(int256)"];

/** A market's pool and everything needed to trade it. */
export interface UniswapMarket {
  market: MarketSymbol;
  pool: Contract;
  router: Contract;
  positionManager: Contract;
  feed: Contract;
  base: Contract;
  quote: Contract;
  shape: PairShape;
  fee: number;
  tickSpacing: number;
  /** Token addresses in the pool's order. */
  token0: string;
  token1: string;
}

export interface PoolState {
  sqrtPriceX96: bigint;
  tick: number;
  /** The pool's price as a feed answer (USD per base, 8 decimals). */
  answer: bigint;
  liquidity: bigint;
}

async function address(hre: HardhatRuntimeEnvironment, name: string): Promise<string> {
  return (await hre.deployments.get(name)).address;
}

/** The token order and decimals of a market's pool (base = WETH or WBTC, quote = USDC). */
export async function pairShape(hre: HardhatRuntimeEnvironment, market: MarketSymbol): Promise<PairShape> {
  const base = await address(hre, BASE_TOKEN[market]);
  const quote = await address(hre, "USDC");
  const erc20 = (a: string) => hre.ethers.getContractAt(ERC20_ABI, a);
  return {
    baseDecimals: Number(await (await erc20(base)).decimals()),
    quoteDecimals: Number(await (await erc20(quote)).decimals()),
    baseIsToken0: BigInt(base) < BigInt(quote),
  };
}

/** A market's pool, router, position manager, feed and tokens, connected to the provider (read-only). */
export async function loadUniswapMarket(hre: HardhatRuntimeEnvironment, market: MarketSymbol): Promise<UniswapMarket> {
  const { ethers } = hre;
  const baseName = BASE_TOKEN[market];
  const at = async (abi: ConstructorParameters<typeof ethers.Contract>[1], name: string) =>
    (await ethers.getContractAt(abi as never, await address(hre, name))) as unknown as Contract;
  const base = await at(ERC20_ABI, baseName);
  const quote = await at(ERC20_ABI, "USDC");
  const shape = await pairShape(hre, market);
  const [token0, token1] = shape.baseIsToken0
    ? [await base.getAddress(), await quote.getAddress()]
    : [await quote.getAddress(), await base.getAddress()];
  return {
    market,
    pool: await at(uniswapArtifact("UniswapV3Pool").abi, poolDeploymentName(baseName)),
    router: await at(uniswapArtifact("SwapRouter").abi, "SwapRouter"),
    positionManager: await at(uniswapArtifact("NonfungiblePositionManager").abi, "NonfungiblePositionManager"),
    feed: await at(FEED_ABI, `${market}USDFeed`),
    base,
    quote,
    shape,
    fee: UNISWAP_POOLS[market].fee,
    tickSpacing: UNISWAP_POOLS[market].tickSpacing,
    token0,
    token1,
  };
}

export async function poolState(m: UniswapMarket): Promise<PoolState> {
  const slot0 = await m.pool.slot0();
  const sqrtPriceX96 = BigInt(slot0.sqrtPriceX96);
  return {
    sqrtPriceX96,
    tick: Number(slot0.tick),
    answer: answerFromSqrtPriceX96(sqrtPriceX96, m.shape),
    liquidity: BigInt(await m.pool.liquidity()),
  };
}

async function deadline(hre: HardhatRuntimeEnvironment): Promise<bigint> {
  const block = await hre.ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp) + 3_600n;
}

async function ensureFunds(token: Contract, owner: string, amount: bigint, spender: string): Promise<void> {
  const balance = BigInt(await token.balanceOf(owner));
  if (balance < amount) await (await token.mint(owner, amount - balance)).wait();
  if (BigInt(await token.allowance(owner, spender)) < amount) await (await token.approve(spender, MaxUint256)).wait();
}

/**
 * Mints Uniswap positions around the pool's current price (each `rangePct` each way, or full range) worth `valueUsd`
 * each, from `owner` (default: the `liquidityProvider` named account), funding it from the faucets. Adds depth.
 */
export async function addPoolLiquidity(
  hre: HardhatRuntimeEnvironment,
  market: MarketSymbol,
  positions: PositionConfig[],
  owner?: string,
): Promise<void> {
  const lp = owner ?? (await hre.getNamedAccounts()).liquidityProvider;
  const signer = await hre.ethers.getSigner(lp);
  const m = await loadUniswapMarket(hre, market);
  const { sqrtPriceX96 } = await poolState(m);
  const token0 = m.shape.baseIsToken0 ? m.base : m.quote;
  const token1 = m.shape.baseIsToken0 ? m.quote : m.base;
  const npm = await m.positionManager.getAddress();
  const mints = positions.map((p) => {
    const ticks = positionTicks(sqrtPriceX96, m.tickSpacing, p.rangePct);
    const value = BigInt(Math.round(p.valueUsd)) * 10n ** BigInt(m.shape.quoteDecimals);
    return { ...ticks, ...positionAmounts(sqrtPriceX96, ticks.tickLower, ticks.tickUpper, value, m.shape) };
  });
  const total0 = mints.reduce((s, x) => s + x.amount0, 0n);
  const total1 = mints.reduce((s, x) => s + x.amount1, 0n);
  await ensureFunds(token0.connect(signer) as Contract, lp, total0, npm);
  await ensureFunds(token1.connect(signer) as Contract, lp, total1, npm);
  const manager = m.positionManager.connect(signer) as Contract;
  for (const x of mints) {
    await (
      await manager.mint({
        token0: m.token0,
        token1: m.token1,
        fee: m.fee,
        tickLower: x.tickLower,
        tickUpper: x.tickUpper,
        amount0Desired: x.amount0,
        amount1Desired: x.amount1,
        amount0Min: 0n,
        amount1Min: 0n,
        recipient: lp,
        deadline: await deadline(hre),
      })
    ).wait();
  }
}

/** The result of one arbitrage: how far the pool was moved and what it took. */
export interface ArbitrageResult {
  before: PoolState;
  after: PoolState;
  /** Tick the target price falls in. */
  targetTick: number;
  swaps: number;
}

/**
 * Swaps the pool to the price `answer` (USD per base, 8 decimals) from the `arbitrageur` named account: one
 * exact-input swap with the target as its price limit, topped up from the faucets if the float runs out.
 */
export async function arbitrageTo(
  hre: HardhatRuntimeEnvironment,
  market: MarketSymbol,
  answer: bigint,
  m?: UniswapMarket,
): Promise<ArbitrageResult> {
  const mk = m ?? (await loadUniswapMarket(hre, market));
  const arbitrageur = (await hre.getNamedAccounts()).arbitrageur;
  const signer = await hre.ethers.getSigner(arbitrageur);
  const router = mk.router.connect(signer) as Contract;
  const routerAddress = await router.getAddress();
  const target = sqrtPriceX96FromAnswer(answer, mk.shape);
  const before = await poolState(mk);
  let state = before;
  let swaps = 0;
  for (; state.sqrtPriceX96 !== target && swaps < 4; swaps++) {
    const zeroForOne = target < state.sqrtPriceX96; // selling token0 lowers token1-per-token0
    const [tokenIn, tokenOut] = zeroForOne ? [mk.token0, mk.token1] : [mk.token1, mk.token0];
    const inIsBase = tokenIn === (await mk.base.getAddress());
    const token = (inIsBase ? mk.base : mk.quote).connect(signer) as Contract;
    // The float: ARBITRAGEUR_FLOAT_USD of the input token at the higher of the two prices.
    const price = answer > state.answer ? answer : state.answer;
    const floatUnits = inIsBase
      ? (ARBITRAGEUR_FLOAT_USD * 10n ** BigInt(ANSWER_DECIMALS + mk.shape.baseDecimals)) / price
      : ARBITRAGEUR_FLOAT_USD * 10n ** BigInt(mk.shape.quoteDecimals);
    await ensureFunds(token, arbitrageur, floatUnits, routerAddress);
    await (
      await router.exactInputSingle({
        tokenIn,
        tokenOut,
        fee: mk.fee,
        recipient: arbitrageur,
        deadline: await deadline(hre),
        amountIn: BigInt(await token.balanceOf(arbitrageur)),
        amountOutMinimum: 0n,
        sqrtPriceLimitX96: target,
      })
    ).wait();
    state = await poolState(mk);
  }
  return { before, after: state, targetTick: tickFromSqrtPriceX96(target), swaps };
}

/**
 * Moves a market: sets its feed to `answer` (USD per base, 8 decimals) as the `deployer` (the mocks' owner-free
 * updateAnswer) and arbitrages the pool to it.
 */
export async function movePrice(
  hre: HardhatRuntimeEnvironment,
  market: MarketSymbol,
  answer: bigint,
): Promise<ArbitrageResult> {
  const m = await loadUniswapMarket(hre, market);
  const { deployer } = await hre.getNamedAccounts();
  const feed = m.feed.connect(await hre.ethers.getSigner(deployer)) as Contract;
  await (await feed.updateAnswer(answer)).wait();
  return arbitrageTo(hre, market, answer, m);
}

/** Moves a market by `bps` basis points (−400 = −4%) from its feed's current answer. */
export async function movePriceBy(
  hre: HardhatRuntimeEnvironment,
  market: MarketSymbol,
  bps: number,
): Promise<ArbitrageResult & { answer: bigint }> {
  const m = await loadUniswapMarket(hre, market);
  const current = BigInt(await m.feed.latestAnswer());
  const answer = (current * BigInt(10_000 + bps)) / 10_000n;
  return { ...(await movePrice(hre, market, answer)), answer };
}
