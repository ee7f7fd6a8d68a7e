import { deployments, ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  ChainlinkOracleAdapter,
  LeveragedToken,
  IMockPerpVenue,
  IVenue,
  LeveragedTokenFactory,
  MockUSDC,
  MockV3Aggregator,
  Rebalancer,
} from "../../typechain-types";
import {
  MARKET_SYMBOLS,
  PRODUCT_SYMBOLS,
  venueDeploymentName,
  type MarketSymbol,
  type ProductSymbol,
} from "../../config/parameters";

export interface Suite {
  usdc: MockUSDC;
  feeds: { BTC: MockV3Aggregator; ETH: MockV3Aggregator };
  oracles: { BTC: ChainlinkOracleAdapter; ETH: ChainlinkOracleAdapter };
  /** The venue of each market, through the boundary the products use. */
  venues: Record<MarketSymbol, IVenue>;
  /**
   * The same venues through the mock's own interface, for scenarios that turn the mock's knobs (funding rate, pause,
   * market parameters, liquidation): a venue without those knobs runs only the scenarios that do not need them.
   */
  mockVenues: Record<MarketSymbol, IMockPerpVenue>;
  rebalancer: Rebalancer;
  factory: LeveragedTokenFactory;
  products: Record<ProductSymbol, LeveragedToken>;
  deployer: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  users: HardhatEthersSigner[];
}

async function at<T>(name: string, contract: string): Promise<T> {
  return (await ethers.getContractAt(contract, (await deployments.get(name)).address)) as T;
}

async function perMarket<T>(get: (market: MarketSymbol) => Promise<T>): Promise<Record<MarketSymbol, T>> {
  const out = {} as Record<MarketSymbol, T>;
  for (const m of MARKET_SYMBOLS) out[m] = await get(m);
  return out;
}

/** The full hardhat-deploy suite (all tags), as a snapshot-restored fixture with typed contracts. */
export const deploySuite = deployments.createFixture(async (): Promise<Suite> => {
  await deployments.fixture();
  const [deployer, keeper, treasury, guardian, ...users] = await ethers.getSigners();
  const products = {} as Record<ProductSymbol, LeveragedToken>;
  for (const s of PRODUCT_SYMBOLS) products[s] = await at<LeveragedToken>(s, "LeveragedToken");
  return {
    usdc: await at<MockUSDC>("USDC", "MockUSDC"),
    feeds: { BTC: await at("BTCUSDFeed", "MockV3Aggregator"), ETH: await at("ETHUSDFeed", "MockV3Aggregator") },
    oracles: {
      BTC: await at("BTCUSDOracle", "ChainlinkOracleAdapter"),
      ETH: await at("ETHUSDOracle", "ChainlinkOracleAdapter"),
    },
    venues: await perMarket((m) => at<IVenue>(venueDeploymentName(m), "IVenue")),
    mockVenues: await perMarket((m) => at<IMockPerpVenue>(venueDeploymentName(m), "IMockPerpVenue")),
    rebalancer: await at<Rebalancer>("Rebalancer", "Rebalancer"),
    factory: await at<LeveragedTokenFactory>("LeveragedTokenFactory", "LeveragedTokenFactory"),
    products,
    deployer,
    keeper,
    treasury,
    guardian,
    users,
  };
});

/** Mints `amount` USDC to `user` and approves `spender` for it. */
export async function fund(suite: Suite, user: HardhatEthersSigner, amount: bigint, spender: string): Promise<void> {
  await suite.usdc.mint(user.address, amount);
  await suite.usdc.connect(user).approve(spender, amount);
}
