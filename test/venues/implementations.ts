/**
 * Every IVenue implementation in the repo, each with the harness the conformance suite drives it through. Adding a
 * venue to the suite = adding one entry to `VENUE_IMPLEMENTATIONS` (an Aave v3 + Uniswap v3 adapter would declare
 * `funding: false` and supply its own fund / setPrice / liquidate / advanceTime).
 */
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { MARKETS, type MarketSymbol } from "../../config/parameters";
import { LOCAL_FEED_TIMING } from "../../config/networks";
import type { IMockPerpVenue, IOracleAdapter, IVenue, MockUSDC, MockV3Aggregator } from "../../typechain-types";
import {
  Settlement,
  nextTimestamp,
  type VenueCapabilities,
  type VenueHarness,
  type VenueImplementation,
} from "./harness";

/** Chainlink answers have 8 decimals: one answer unit is 1e10 WAD. */
const FEED_DECIMALS = 8;
const TICK = 10n ** BigInt(18 - FEED_DECIMALS);
const COLLATERAL_DECIMALS = 6;
/** Percent moves are applied in parts per million so prices stay exact bigints. */
const PPM = 1_000_000n;

/**
 * Contracts deployed with MockPerpVenue's constructor arguments: the mock itself and the wrong test doubles
 * (contracts/mocks/test/WrongMockPerpVenue.sol, which take the same arguments as one struct).
 */
export type MockPerpVenueContract =
  "MockPerpVenue" | "FlatteringQuoteVenue" | "FeelessEquityVenue" | "MarkIgnoringQuoteVenue";

export const MOCK_PERP_CAPABILITIES: VenueCapabilities = { funding: true, pause: true, liquidation: true };

/**
 * MockPerpVenue (or a wrong double with its constructor arguments) as deploy/00_mocks, 01_oracles and 02_venues deploy it on a
 * local network: MockUSDC (6 decimals), Chainlink's MockV3Aggregator at the market's initial answer, a
 * ChainlinkOracleAdapter with the local feed's heartbeat and staleness buffer (config/networks.ts) and no sequencer feed, the venue with the market's parameters
 * from config/parameters.ts and its seeded counterparty liquidity. Deployed directly (not through hardhat-deploy's
 * fixture) so that the wrong doubles get the very same set-up.
 */
export function mockPerpVenueImplementation(
  contract: MockPerpVenueContract = "MockPerpVenue",
  market: MarketSymbol = "BTC",
): VenueImplementation {
  const name = contract === "MockPerpVenue" ? `MockPerpVenue (${market}-USD)` : contract;
  const m = MARKETS[market];

  // loadFixture keys snapshots by function identity and rejects anonymous functions: one named function per entry.
  async function deployMockPerpHarness(): Promise<VenueHarness> {
    const [deployer, alice, bob, carol, liquidator, recipient] = await ethers.getSigners();
    const deploy = async (contractName: string, args: unknown[]): Promise<string> => {
      await nextTimestamp();
      const c = await (await ethers.getContractFactory(contractName, deployer)).deploy(...args);
      return c.getAddress();
    };
    const usdcAddress = await deploy("MockUSDC", []);
    const feedAddress = await deploy("MockV3Aggregator", [FEED_DECIMALS, m.initialPrice]);
    const { heartbeat, stalenessBuffer } = LOCAL_FEED_TIMING[market];
    const oracleAddress = await deploy("ChainlinkOracleAdapter", [
      feedAddress,
      heartbeat,
      stalenessBuffer,
      ethers.ZeroAddress,
      0,
    ]);
    // The wrong doubles (WrongMockPerpVenue) take MockPerpVenue's constructor arguments as one struct.
    const venueArgs = [usdcAddress, COLLATERAL_DECIMALS, oracleAddress, m.venue];
    const venueAddress = await deploy(contract, contract === "MockPerpVenue" ? venueArgs : [venueArgs]);
    const usdc = (await ethers.getContractAt("MockUSDC", usdcAddress, deployer)) as unknown as MockUSDC;
    const feed = (await ethers.getContractAt("MockV3Aggregator", feedAddress, deployer)) as unknown as MockV3Aggregator;
    const adapter = (await ethers.getContractAt("IOracleAdapter", oracleAddress)) as unknown as IOracleAdapter;
    const venue = (await ethers.getContractAt("IVenue", venueAddress)) as unknown as IVenue;
    const mock = (await ethers.getContractAt("IMockPerpVenue", venueAddress, deployer)) as unknown as IMockPerpVenue;
    const faucetLimit = await usdc.MAX_FAUCET_MINT();

    async function mint(to: string, amount: bigint): Promise<void> {
      for (let left = amount; left > 0n;) {
        const chunk = left < faucetLimit ? left : faucetLimit;
        await nextTimestamp();
        await usdc.mint(to, chunk);
        left -= chunk;
      }
    }

    await mint(deployer.address, m.liquidity);
    await nextTimestamp();
    await usdc.approve(venueAddress, m.liquidity);
    await nextTimestamp();
    await mock.addLiquidity(m.liquidity);

    const postAnswer = async (answer: bigint): Promise<void> => {
      await nextTimestamp();
      await feed.updateAnswer(answer);
    };

    return {
      venue,
      venueAddress,
      collateralAddress: usdcAddress,
      collateralDecimals: COLLATERAL_DECIMALS,
      oracleAddress,
      priceTick: TICK,
      traders: [alice, bob, carol],
      recipient,
      liquidator,
      errors: {
        source: mock,
        insufficientMargin: "InsufficientMargin",
        withdrawalExceedsFree: "WithdrawalExceedsFree",
        notLiquidatable: "NotLiquidatable",
      },
      async fund(account: HardhatEthersSigner, amount: bigint): Promise<void> {
        await mint(account.address, amount);
        await nextTimestamp();
        await usdc.connect(account).approve(venueAddress, ethers.MaxUint256);
      },
      balanceOf: (address: string) => usdc.balanceOf(address),
      price: () => adapter.price(),
      async setPrice(priceWad: bigint): Promise<void> {
        if (priceWad <= 0n || priceWad % TICK !== 0n) throw new RangeError(`price ${priceWad} is not on the feed grid`);
        await postAnswer(priceWad / TICK);
      },
      async movePrice(pct: number): Promise<bigint> {
        const answer = ((await feed.latestAnswer()) * (PPM + BigInt(Math.round(pct * 10_000)))) / PPM;
        await postAnswer(answer);
        return answer * TICK;
      },
      async advanceTime(seconds: number): Promise<void> {
        await nextTimestamp(seconds);
        await feed.updateAnswer(await feed.latestAnswer());
      },
      async liquidate(account: string): Promise<ContractTransactionResponse> {
        await nextTimestamp();
        return mock.connect(liquidator).liquidate(account);
      },
      async pause(paused: boolean): Promise<void> {
        await nextTimestamp();
        await mock.setPaused(paused);
      },
      async setFundingRate(ratePerSecond: bigint): Promise<void> {
        await nextTimestamp();
        await mock.setFundingRate(ratePerSecond);
      },
    };
  }

  return {
    name,
    settlement: Settlement.SYNCHRONOUS,
    capabilities: MOCK_PERP_CAPABILITIES,
    load: () => loadFixture(deployMockPerpHarness),
  };
}

/** The list the conformance suite (./conformance.test.ts) runs: every IVenue implementation in the repo. */
export const VENUE_IMPLEMENTATIONS: readonly VenueImplementation[] = [mockPerpVenueImplementation("MockPerpVenue")];
