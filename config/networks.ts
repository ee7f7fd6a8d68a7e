/**
 * Chainlink feeds per network, in one place: addresses, each feed's heartbeat and the staleness buffer Ballast adds to
 * it. On local networks the feeds are the deployed mocks. Nothing in this repository sends transactions to a live
 * network; live entries are here so that a deployment there is a configuration change, reviewed in docs/deploy.md
 * (which says where every heartbeat below comes from).
 */
import type { DeploymentsExtension } from "hardhat-deploy/types";
import type { MarketSymbol } from "./parameters";

/** How long a feed may stay quiet, and how long past that Ballast still accepts its answer. */
export interface FeedTiming {
  /**
   * The feed's published heartbeat, seconds: Chainlink starts a round when this long has passed since the last one,
   * whatever the price did (it also starts one on every move beyond the feed's deviation threshold).
   */
  heartbeat: number;
  /**
   * Seconds past the heartbeat that an answer is still accepted: the heartbeat round is only started at the deadline
   * and then has to be agreed, transmitted and mined. Without it every quiet hour has a window in which every priced
   * path (ripcord and redeem included) reverts StalePrice (issue 13.5).
   */
  stalenessBuffer: number;
}

export interface FeedConfig extends FeedTiming {
  /** The feed (the proxy, for a live Chainlink feed) the adapter reads. */
  address: string;
}

export interface NetworkFeeds {
  BTC: FeedConfig;
  ETH: FeedConfig;
  /** Chainlink L2 sequencer-uptime feed; the zero address on L1. */
  sequencerUptime: string;
  /** Seconds after the sequencer comes back before prices are trusted. */
  sequencerGracePeriod: number;
}

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * 15 minutes past the heartbeat, on every feed: the delay of a heartbeat round is the time to agree on and land one
 * transaction (seconds normally, minutes under congestion), not a fraction of the heartbeat, so it is one figure. A
 * stopped feed is therefore refused 15 minutes after its heartbeat deadline instead of at it.
 */
export const STALENESS_BUFFER = 900;

/**
 * The local networks' mock feeds (hardhat, localhost): BTC/USD and ETH/USD as on Ethereum mainnet, one-hour heartbeat.
 * Tests, the venue conformance suite and the backtester build their adapters from these too.
 */
export const LOCAL_FEED_TIMING: Record<MarketSymbol, FeedTiming> = {
  BTC: { heartbeat: 3600, stalenessBuffer: STALENESS_BUFFER },
  ETH: { heartbeat: 3600, stalenessBuffer: STALENESS_BUFFER },
};

/**
 * Published Chainlink Data Feeds (docs.chain.link, data.chain.link): addresses and heartbeats. Verify both against the
 * official pages before any deployment; docs/deploy.md says which of these values are checked and which are not.
 */
export const LIVE_FEEDS: Record<string, NetworkFeeds> = {
  mainnet: {
    // BTC/USD and ETH/USD on Ethereum: 0.5% deviation threshold, 3,600 s heartbeat.
    BTC: { address: "0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c", heartbeat: 3600, stalenessBuffer: STALENESS_BUFFER },
    ETH: { address: "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419", heartbeat: 3600, stalenessBuffer: STALENESS_BUFFER },
    sequencerUptime: ZERO,
    sequencerGracePeriod: 0,
  },
  arbitrum: {
    // BTC/USD and ETH/USD on Arbitrum One: 0.05% deviation threshold, 86,400 s heartbeat (not the 3,600 s of mainnet).
    BTC: { address: "0x6ce185860a4963106506C203335A2910413708e9", heartbeat: 86400, stalenessBuffer: STALENESS_BUFFER },
    ETH: { address: "0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612", heartbeat: 86400, stalenessBuffer: STALENESS_BUFFER },
    sequencerUptime: "0xFdB631F5EE196F0ed6FAa767959853A9F217697D",
    sequencerGracePeriod: 3600,
  },
};

/** The oldest answer the adapter accepts, seconds: heartbeat + buffer. */
export const maxStaleness = (t: FeedTiming): number => t.heartbeat + t.stalenessBuffer;

export async function feedsFor(network: string, deployments: DeploymentsExtension): Promise<NetworkFeeds> {
  const live = LIVE_FEEDS[network];
  if (live) return live;
  const feed = async (m: MarketSymbol): Promise<FeedConfig> => ({
    address: (await deployments.get(`${m}USDFeed`)).address,
    ...LOCAL_FEED_TIMING[m],
  });
  return { BTC: await feed("BTC"), ETH: await feed("ETH"), sequencerUptime: ZERO, sequencerGracePeriod: 0 };
}

/**
 * ChainlinkOracleAdapter's constructor arguments for one market of a network:
 * (feed, heartbeat, stalenessBuffer, sequencerUptimeFeed, gracePeriod).
 */
export function oracleArgs(
  feeds: NetworkFeeds,
  market: MarketSymbol,
): [feed: string, heartbeat: number, stalenessBuffer: number, sequencerUptimeFeed: string, gracePeriod: number] {
  const f = feeds[market];
  return [f.address, f.heartbeat, f.stalenessBuffer, feeds.sequencerUptime, feeds.sequencerGracePeriod];
}

/**
 * Who governs on a network, and how slowly (issue 13.8). The Rebalancer, the factory and every product are owned by an
 * OpenZeppelin TimelockController (deploy/05_governance.ts, deployment `Timelock`): every change that can move holders'
 * value (methodology, bounty and fees within their bounds, venue allow-list, reusing a symbol, ownership) is scheduled
 * in public and executable only `minDelay` seconds later, so holders can leave first. One-step actions that cannot hurt
 * holders stay with the factory's operator (the deployer) and the products' guardian.
 */
export interface GovernanceConfig {
  /** The timelock's minimum delay, seconds. */
  minDelay: number;
  /**
   * Proposes, executes and cancels timelock operations: the governance multisig on a live network (from the
   * environment, like the RPC URLs and keys), the deployer on local networks (undefined).
   */
  proposer?: string;
}

/** Two days: a holder who watches `CallScheduled` has a full working day to redeem whatever the time zone. */
export const TIMELOCK_DELAY = 2 * 86_400;

export const GOVERNANCE: Record<string, GovernanceConfig> = {
  hardhat: { minDelay: TIMELOCK_DELAY },
  localhost: { minDelay: TIMELOCK_DELAY },
  mainnet: { minDelay: TIMELOCK_DELAY, proposer: process.env.MAINNET_GOVERNANCE_MULTISIG },
  arbitrum: { minDelay: TIMELOCK_DELAY, proposer: process.env.ARBITRUM_GOVERNANCE_MULTISIG },
};

/**
 * The governance of `network`: its delay and its proposer / executor / canceller (the deployer where none is named). A
 * live network without its multisig in the environment is refused rather than left governed by the deployer's key.
 */
export function governanceFor(network: string, live: boolean, deployer: string): Required<GovernanceConfig> {
  const g = GOVERNANCE[network] ?? { minDelay: TIMELOCK_DELAY };
  if (live && !g.proposer) {
    throw new Error(`${network}: set ${network.toUpperCase()}_GOVERNANCE_MULTISIG (the timelock's proposer/executor)`);
  }
  return { minDelay: g.minDelay, proposer: g.proposer ?? deployer };
}

/**
 * The real money market and AMM the Aave products use on a live network (deploy/13_aave_products.ts; on paper: no
 * live network is reachable from here). The Aave Pool is read from the market's PoolAddressesProvider and each
 * market's Uniswap v3 pool from the factory (`getPool(base, USDC, fee)`), so only registries and tokens are listed.
 * docs/venues.md says which of these values were checked and how.
 */
export interface LiveMoneyMarket {
  /** Aave v3 PoolAddressesProvider of the market. */
  aaveAddressesProvider: string;
  /** Uniswap v3 factory. */
  uniswapFactory: string;
  tokens: { USDC: string; WETH: string; WBTC: string };
  /** Uniswap v3 fee tier of each market's base/USDC pool (hundredths of a bp). */
  poolFee: Record<MarketSymbol, number>;
}

export const LIVE_MONEY_MARKETS: Record<string, LiveMoneyMarket> = {
  mainnet: {
    // Aave v3 Ethereum (bgd-labs/aave-address-book, AaveV3Ethereum.POOL_ADDRESSES_PROVIDER; Pool 0x8787…4E2).
    aaveAddressesProvider: "0x2f39d218133AFaB8F2B819B1066c7E434Ad94E9e",
    // Uniswap v3's canonical factory (the same address on Ethereum, Arbitrum, Optimism, Polygon).
    uniswapFactory: "0x1F98431c8aD98523631AE4a59f267346ea31F984",
    tokens: {
      USDC: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
      WETH: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
      WBTC: "0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599",
    },
    // The deepest USDC pools on Ethereum: WETH/USDC 0.05%, WBTC/USDC 0.30% (config/uniswap.ts mirrors them locally).
    poolFee: { ETH: 500, BTC: 3_000 },
  },
};
