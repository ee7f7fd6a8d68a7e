import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ChainlinkOracleAdapter, MockPerpVenue, MockUSDC, MockV3Aggregator } from "../../typechain-types";
import type { VenueParams } from "./venueMath";
import { MARKETS } from "../../config/parameters";
import { LOCAL_FEED_TIMING } from "../../config/networks";

// -----------------------------------------------------------------------------------------------------------------
// Shared constants (deploy scripts may import these so tests and deployments use the same market)
// -----------------------------------------------------------------------------------------------------------------

export const USDC_DECIMALS = 6;
/** 10 ** (18 - 6): one USDC unit in WAD. */
export const USDC_TO_WAD = 10n ** 12n;
export const ONE_USDC = 10n ** 6n;

export const FEED_DECIMALS = 8;
/** BTC-USD at 60,000 as an 8-decimal Chainlink answer. */
export const BTC_USD_ANSWER = 60_000n * 10n ** 8n;
/** The local BTC/USD feed's heartbeat, seconds (config/networks.ts). */
export const FEED_HEARTBEAT = BigInt(LOCAL_FEED_TIMING.BTC.heartbeat);
/** Seconds past the heartbeat for which the adapter still accepts an answer (config/networks.ts). */
export const FEED_STALENESS_BUFFER = BigInt(LOCAL_FEED_TIMING.BTC.stalenessBuffer);
/** Maximum age of an accepted feed answer, seconds: heartbeat + buffer. */
export const FEED_MAX_AGE = FEED_HEARTBEAT + FEED_STALENESS_BUFFER;

/** The BTC-USD market of the deploy scripts (config/parameters.ts): the mock venue's tests run on the same market. */
export const VENUE_PARAMS: VenueParams = MARKETS.BTC.venue;

/** Counterparty liquidity seeded into the venue by the owner (USDC units). */
export const VENUE_LIQUIDITY = 50_000_000n * ONE_USDC;
/** USDC each trader receives from the faucet in the fixture (USDC units). */
export const TRADER_FUNDS = 100_000_000n * ONE_USDC;

export interface VenueFixture {
  readonly usdc: MockUSDC;
  readonly feed: MockV3Aggregator;
  readonly adapter: ChainlinkOracleAdapter;
  readonly venue: MockPerpVenue;
  readonly owner: HardhatEthersSigner;
  readonly alice: HardhatEthersSigner;
  readonly bob: HardhatEthersSigner;
  readonly carol: HardhatEthersSigner;
  readonly keeper: HardhatEthersSigner;
  /** Holds no USDC and has approved nothing. */
  readonly stranger: HardhatEthersSigner;
}

/** Mints `amount` USDC to `to` through the faucet, in calls within the faucet's per-call limit. */
export async function faucet(usdc: MockUSDC, to: string, amount: bigint): Promise<void> {
  const limit = await usdc.MAX_FAUCET_MINT();
  for (let left = amount; left > 0n; left -= left < limit ? left : limit) {
    await usdc.mint(to, left < limit ? left : limit);
  }
}

/** USDC, BTC-USD feed, oracle adapter and a liquid BTC perp venue; alice, bob and carol funded and approved. */
export async function deployVenueFixture(): Promise<VenueFixture> {
  const [owner, alice, bob, carol, keeper, stranger] = await ethers.getSigners();

  const usdc = await (await ethers.getContractFactory("MockUSDC")).deploy();
  const feed = await (await ethers.getContractFactory("MockV3Aggregator")).deploy(FEED_DECIMALS, BTC_USD_ANSWER);
  const adapter = await (
    await ethers.getContractFactory("ChainlinkOracleAdapter")
  ).deploy(await feed.getAddress(), FEED_HEARTBEAT, FEED_STALENESS_BUFFER, ethers.ZeroAddress, 0n);
  const venue = await (
    await ethers.getContractFactory("MockPerpVenue")
  ).deploy(await usdc.getAddress(), USDC_DECIMALS, await adapter.getAddress(), VENUE_PARAMS);
  const venueAddress = await venue.getAddress();

  await faucet(usdc, owner.address, VENUE_LIQUIDITY);
  await usdc.connect(owner).approve(venueAddress, VENUE_LIQUIDITY);
  await venue.connect(owner).addLiquidity(VENUE_LIQUIDITY);

  for (const trader of [alice, bob, carol]) {
    await faucet(usdc, trader.address, TRADER_FUNDS);
    await usdc.connect(trader).approve(venueAddress, ethers.MaxUint256);
  }

  return { usdc, feed, adapter, venue, owner, alice, bob, carol, keeper, stranger };
}
