/**
 * The one place where the tasks call mocks: what only a local development deployment has. The USDC mock's open
 * `mint` (ballast:faucet) and the Chainlink aggregator mock's `updateAnswer` (ballast:price). A venue's own
 * parameters (ballast:params) are read by protocol/venues, one reader per venue kind. Like lib.ts, the typechain factories load when a task runs.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { MockUSDC, MockV3Aggregator } from "../typechain-types";
import type { MarketSymbol } from "../protocol/products";

const typechain = () => import("../typechain-types");

/** The USDC mock, for its faucet `mint`. */
export async function mockUsdc(hre: HardhatRuntimeEnvironment, signer: HardhatEthersSigner): Promise<MockUSDC> {
  const { MockUSDC__factory } = await typechain();
  return MockUSDC__factory.connect((await hre.deployments.get("USDC")).address, signer);
}

/** A market's Chainlink aggregator mock (`<market>USDFeed`), for `updateAnswer`. */
export async function mockFeed(
  hre: HardhatRuntimeEnvironment,
  market: MarketSymbol,
  signer: HardhatEthersSigner,
): Promise<MockV3Aggregator> {
  const { MockV3Aggregator__factory } = await typechain();
  return MockV3Aggregator__factory.connect((await hre.deployments.get(`${market}USDFeed`)).address, signer);
}
