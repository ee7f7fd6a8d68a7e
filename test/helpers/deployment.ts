import { deployments, ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  ChainlinkOracleAdapter,
  LeveragedToken,
  LeveragedTokenFactory,
  MockPerpVenue,
  MockUSDC,
  MockV3Aggregator,
  Rebalancer,
} from "../../typechain-types";
import { PRODUCT_SYMBOLS, type ProductSymbol } from "../../config/parameters";

export interface Suite {
  usdc: MockUSDC;
  feeds: { BTC: MockV3Aggregator; ETH: MockV3Aggregator };
  oracles: { BTC: ChainlinkOracleAdapter; ETH: ChainlinkOracleAdapter };
  venues: { BTC: MockPerpVenue; ETH: MockPerpVenue };
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
    venues: { BTC: await at("BTCPerpVenue", "MockPerpVenue"), ETH: await at("ETHPerpVenue", "MockPerpVenue") },
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
