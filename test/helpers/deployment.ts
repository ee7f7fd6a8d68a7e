import { deployments, ethers } from "hardhat";
import { impersonateAccount, setBalance } from "@nomicfoundation/hardhat-network-helpers";
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
  /** Deploys everything; the factory's operator (creates products under unused symbols, winds products down). */
  deployer: HardhatEthersSigner;
  /**
   * The owner of the Rebalancer, the factory and every product — the Timelock (deploy/05_governance.ts) — impersonated,
   * so that tests of other features can call owner functions in one step. Governance tests go through the real
   * timelock (test/unit/Governance.test.ts).
   */
  governor: HardhatEthersSigner;
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

const deployedSuite = deployments.createFixture(async (): Promise<Suite> => {
  await deployments.fixture();
  const [deployer, keeper, treasury, guardian, ...users] = await ethers.getSigners();
  const products = {} as Record<ProductSymbol, LeveragedToken>;
  const rebalancer = await at<Rebalancer>("Rebalancer", "Rebalancer");
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
    rebalancer,
    factory: await at<LeveragedTokenFactory>("LeveragedTokenFactory", "LeveragedTokenFactory"),
    products,
    deployer,
    governor: await impersonate(await rebalancer.owner()),
    keeper,
    treasury,
    guardian,
    users,
  };
});

/** The full hardhat-deploy suite (all tags), as a snapshot-restored fixture with typed contracts. */
export async function deploySuite(): Promise<Suite> {
  const suite = await deployedSuite();
  // Impersonation is a node setting, not chain state: set it on every call (snapshots do not carry it).
  await impersonateAccount(suite.governor.address);
  return suite;
}

/** Impersonates `address` (a contract, e.g. the Timelock) with gas money: a signer for its calls in tests. */
export async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await impersonateAccount(address);
  await setBalance(address, 10n ** 20n);
  return ethers.getSigner(address);
}

/** Mints `amount` USDC to `user` and approves `spender` for it. */
export async function fund(suite: Suite, user: HardhatEthersSigner, amount: bigint, spender: string): Promise<void> {
  await suite.usdc.mint(user.address, amount);
  await suite.usdc.connect(user).approve(spender, amount);
}
