/**
 * The backtest harness on the in-process network: the project's USDC mock, Rebalancer and factory (hardhat-deploy
 * scripts), and a backtest market: the project's ChainlinkOracleAdapter (Chainlink's heartbeat, as deployed) and
 * MockPerpVenue (the deploy script's market parameters and seeded liquidity) over a BacktestFeed, then the driver,
 * which takes over the venue's ownership. The factory creates products only on allow-listed venues: the harness
 * allow-lists its venue as the factory's owner (the deployer here, or the Timelock impersonated when the governance
 * script has run: a local simulation, not a governance action).
 *
 * BacktestFeed instead of Chainlink's MockV3Aggregator: the mock stores every round (two new storage slots per
 * price), which a backtest posts by the hundred thousand; nothing in the protocol reads past rounds.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { MARKETS, type MarketSymbol, type Methodology } from "../../config/parameters";
import { LOCAL_FEED_TIMING } from "../../config/networks";
import type { Abis } from "./abis";
import type { Chain } from "./chain";
import { fromWad } from "./driver-codec";
import type { CostBook } from "./receipts";
import type { Contracts, EngineConfig, Window, WindowResult } from "./types";

/** Impersonated accounts: the driver's operator and the keeper. */
const OPERATOR = "0x00000000000000000000000000000000000b0b01";
const KEEPER = "0x00000000000000000000000000000000000b0b02";
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** A deployed harness: the chain, the contracts, and who sends what. */
export interface Harness {
  chain: Chain;
  abis: Abis;
  addrs: Contracts;
  admin: string; // creates products (the factory's owner or operator), mints USDC
  operator: string; // sends the driver's runs
  keeper: string; // sends the Rebalancer's rebalance/ripcord
  holder: string; // mints at a window's open, redeems after its close
  venueMaxLeverage: number;
}

/** One window on the harness: its product, its rules, the result it fills and the venue's costs to the product. */
export interface WindowContext {
  h: Harness;
  cfg: EngineConfig;
  window: Window;
  methodology: Methodology;
  token: string;
  r: WindowResult;
  costs: CostBook;
}

export async function deployHarness(
  hre: HardhatRuntimeEnvironment,
  chain: Chain,
  abis: Abis,
  market: MarketSymbol,
): Promise<Harness> {
  const { deployments, ethers } = hre;
  await deployments.fixture(["Mocks", "Rebalancer"]);
  const signers = await ethers.getSigners();
  const admin = signers[0].address;
  // The driver's operator and the keeper send one transaction per candle and per rebalance: impersonated
  // accounts, whose transactions Hardhat does not sign (ECDSA is ~20% of a small transaction's time). Gas is the same.
  for (const a of [OPERATOR, KEEPER]) await chain.impersonate(a);
  const addr = async (name: string) => (await deployments.get(name)).address;
  const usdc = await addr("USDC");
  const rebalancer = await addr("Rebalancer");
  const deploy = async (name: string, args: unknown[]): Promise<string> => {
    const c = await (await ethers.getContractFactory(name, signers[0])).deploy(...args);
    await c.waitForDeployment();
    return c.getAddress();
  };
  const params = MARKETS[market];
  const feed = await deploy("BacktestFeed", [8, params.initialPrice]);
  const oracle = await deploy("ChainlinkOracleAdapter", [
    feed,
    LOCAL_FEED_TIMING[market].heartbeat,
    LOCAL_FEED_TIMING[market].stalenessBuffer,
    ZERO_ADDRESS,
    0,
  ]);
  const venue = await deploy("MockPerpVenue", [usdc, 6, oracle, params.venue]);
  const driver = await deploy("BacktestDriver", [OPERATOR, feed, venue, rebalancer]);
  const addrs = { usdc, feed, venue, rebalancer, factory: await addr("LeveragedTokenFactory"), driver };
  await chain.syncClock();
  await chain.send(admin, usdc, abis.usdc.encodeFunctionData("mint", [admin, params.liquidity]));
  await chain.send(admin, usdc, abis.usdc.encodeFunctionData("approve", [venue, params.liquidity]));
  await chain.send(admin, venue, abis.venue.encodeFunctionData("addLiquidity", [params.liquidity]));
  await chain.send(admin, venue, abis.venue.encodeFunctionData("transferOwnership", [driver]));
  await chain.send(OPERATOR, driver, abis.driver.encodeFunctionData("acceptVenueOwnership"));
  const factoryOwner = (await chain.call(addrs.factory, abis.factory, "owner", [])) as string;
  if (factoryOwner.toLowerCase() !== admin.toLowerCase()) await chain.impersonate(factoryOwner);
  await chain.send(factoryOwner, addrs.factory, abis.factory.encodeFunctionData("setVenueAllowed", [venue, true]));
  const maxLeverage = (await chain.call(venue, abis.venue, "maxLeverage", [])) as bigint;
  return {
    chain,
    abis,
    addrs,
    admin,
    operator: OPERATOR,
    keeper: KEEPER,
    holder: signers[4].address,
    venueMaxLeverage: fromWad(maxLeverage),
  };
}
