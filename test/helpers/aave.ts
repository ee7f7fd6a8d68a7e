/**
 * The Aave products (config/aaveProducts.ts) on the real Aave v3 / Uniswap v3 bytecode (scripts/market/realVenues.ts),
 * seeded and ready for the product-level tests of test/venues/aave-products.test.ts. Governance does not run in a
 * `deployRealVenues` fixture, so the products are owned by the deployer.
 */
import { expect } from "chai";
import hre, { deployments, ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Contract } from "ethers";
import type { AaveVenue, LeveragedToken, MockERC20, MockUSDC, Rebalancer } from "../../typechain-types";
import { AAVE_PRODUCT_SYMBOLS, productDefaults, type MarketSymbol } from "../../config/parameters";
import type { AaveProductSymbol } from "../../protocol/products";
import { aaveArtifact } from "../../scripts/market/artifacts";
import { arbitrageTo, loadUniswapMarket, movePrice, movePriceBy } from "../../scripts/market/mover";
import { deployRealVenues } from "../../scripts/market/realVenues";
import { keeperAct, wadToNumber, type ActionValue } from "./keeper";

export const WAD = 10n ** 18n;
export const ONE_USDC = 10n ** 6n;
/** Collateral each product is seeded with (USDC units): small next to the pools' depth (config/uniswap.ts). */
export const AAVE_SEED = 50_000n * ONE_USDC;

export interface AaveSuite {
  rebalancer: Rebalancer;
  products: Record<AaveProductSymbol, LeveragedToken>;
  /** Each product's venue (its market and side). */
  venues: Record<AaveProductSymbol, AaveVenue>;
  usdc: MockUSDC;
  weth: MockERC20;
  wbtc: MockERC20;
  /** The Aave v3 Pool (proxy), with the npm artifact's ABI. */
  aavePool: Contract;
  deployer: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
  /** users[0] seeded every product; the others hold nothing. */
  users: HardhatEthersSigner[];
}

async function at<T>(contract: string, name: string): Promise<T> {
  return (await ethers.getContractAt(contract, (await deployments.get(name)).address)) as T;
}

/**
 * The real-venue market with every Aave product seeded by `users[0]` with `AAVE_SEED` (so each holds a position at
 * target leverage) and its streaming fee set to 0 (NAV per share then moves only with the market, interest and
 * trades), as a snapshot-restored fixture.
 */
export const deployAaveSuite = deployments.createFixture(async (): Promise<AaveSuite> => {
  await deployRealVenues(deployments);
  const [deployer, keeper, , , ...rest] = await ethers.getSigners();
  const users = rest.slice(0, 12); // 18 and 19 are the liquidity provider and the arbitrageur
  const products = {} as Record<AaveProductSymbol, LeveragedToken>;
  const venues = {} as Record<AaveProductSymbol, AaveVenue>;
  const usdc = await at<MockUSDC>("MockUSDC", "USDC");
  for (const s of AAVE_PRODUCT_SYMBOLS) {
    const token = await at<LeveragedToken>("LeveragedToken", s);
    products[s] = token;
    venues[s] = await at<AaveVenue>("AaveVenue", productDefaults(s).venueDeployment);
    const f = await token.fees();
    await token
      .connect(deployer)
      .setFees({ mintFeeRate: f.mintFeeRate, redeemFeeRate: f.redeemFeeRate, streamingFeeRate: 0n });
    await usdc.mint(users[0].address, AAVE_SEED);
    await usdc.connect(users[0]).approve(await token.getAddress(), AAVE_SEED);
    await token.connect(users[0]).mint(AAVE_SEED, 0n, users[0].address);
  }
  return {
    rebalancer: await at<Rebalancer>("Rebalancer", "Rebalancer"),
    products,
    venues,
    usdc,
    weth: await at<MockERC20>("MockERC20", "WETH"),
    wbtc: await at<MockERC20>("MockERC20", "WBTC"),
    aavePool: (await ethers.getContractAt(
      aaveArtifact("Pool").abi,
      (await deployments.get("AavePool")).address,
    )) as unknown as Contract,
    deployer,
    keeper,
    users,
  };
});

export function marketOf(symbol: AaveProductSymbol): MarketSymbol {
  return productDefaults(symbol).market;
}

/** Moves `market` by `bps` (feed and pool together, scripts/market/mover.ts). 0 re-posts the price (heartbeat). */
export async function moveMarket(market: MarketSymbol, bps: number): Promise<void> {
  await movePriceBy(hre, market, bps);
}

/** Moves `market` by the fraction `x` (-0.1 = -10%) of its feed's answer, to the nearest 1e-9 (feed and pool). */
export async function moveMarketBy(market: MarketSymbol, x: number): Promise<void> {
  const m = await loadUniswapMarket(hre, market);
  const current = BigInt(await m.feed.latestAnswer());
  await movePrice(hre, market, (current * BigInt(Math.round((1 + x) * 1e9))) / 10n ** 9n);
}

/** Arbitrages `market`'s pool back to its feed (after trades moved it), as arbitrageurs do between blocks. */
export async function rearbitrage(market: MarketSymbol): Promise<void> {
  const m = await loadUniswapMarket(hre, market);
  await arbitrageTo(hre, market, BigInt(await m.feed.latestAnswer()), m);
}

/** A keeper acting on `symbol` until nothing is due (test/helpers/keeper.ts `keeperAct`): the actions taken. */
export async function keep(suite: AaveSuite, symbol: AaveProductSymbol): Promise<ActionValue[]> {
  return keeperAct(suite, suite.products[symbol]);
}

/** Leverage, health factor and liquidation count of a product. */
export async function state(suite: AaveSuite, symbol: AaveProductSymbol) {
  const product = await suite.products[symbol].getAddress();
  const venue = suite.venues[symbol];
  return {
    leverage: await suite.products[symbol].currentLeverage(),
    healthFactor: await venue.healthFactor(product),
    liquidations: await venue.liquidationCount(product),
  };
}

/**
 * The contract of a money-market product after a keeper opportunity: Aave health factor above 1, no Aave
 * liquidation, leverage inside the band. Returns the leverage and health factor.
 */
export async function expectSafeInBand(
  suite: AaveSuite,
  symbol: AaveProductSymbol,
  context: string,
): Promise<{ leverage: bigint; healthFactor: bigint }> {
  const m = productDefaults(symbol).methodology;
  const s = await state(suite, symbol);
  const where = `${symbol} ${context}: leverage ${wadToNumber(s.leverage).toFixed(4)}, HF ${wadToNumber(s.healthFactor).toFixed(4)}`;
  expect(s.healthFactor, `${where}: health factor`).to.be.gt(WAD);
  expect(s.liquidations, `${where}: liquidations`).to.equal(0n);
  expect(s.leverage, `${where}: below band`).to.be.gte(m.minLeverage);
  expect(s.leverage, `${where}: above band`).to.be.lte(m.maxLeverage);
  return s;
}

/** The product's NAV per share at full precision (equity WAD x WAD / supply), for comparisons finer than navPerShare. */
export async function navPerShareExact(token: LeveragedToken): Promise<bigint> {
  return ((await token.totalEquityWad()) * WAD * WAD) / (await token.totalSupply());
}
