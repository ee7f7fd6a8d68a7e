/**
 * The one place where the tasks call mocks: what only a local development deployment has. The USDC mock's open
 * `mint` (ballast:faucet), the Chainlink aggregator mock's `updateAnswer` (ballast:price), and the mock venue's own
 * risk parameters, funding and open interest (ballast:params), which are not part of the IVenue boundary: a real
 * venue publishes them in its own way. Like lib.ts, the typechain factories load when a task runs.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IMockPerpVenue, MockUSDC, MockV3Aggregator } from "../typechain-types";
import type { MarketSymbol } from "../protocol/products";
import type { IVenue } from "../protocol/contracts";

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

/** The mock venue's market parameters, funding rate and open interest (mock-only views). */
export async function mockVenueMarket(venue: IVenue) {
  const { IMockPerpVenue__factory } = await typechain();
  const mock: IMockPerpVenue = IMockPerpVenue__factory.connect(await venue.getAddress(), venue.runner);
  const [params, openInterestLong, openInterestShort, fundingRatePerSecond] = await Promise.all([
    mock.params(),
    mock.openInterestLong(),
    mock.openInterestShort(),
    mock.fundingRatePerSecond(),
  ]);
  return { params, openInterestLong, openInterestShort, fundingRatePerSecond };
}
