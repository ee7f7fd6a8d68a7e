/**
 * Chainlink feed addresses per network, in one place. On local networks the feeds are the deployed mocks.
 * Nothing in this repository sends transactions to a live network; live entries are here so that a deployment there
 * is a configuration change, reviewed in docs/deploy.md.
 */
import type { DeploymentsExtension } from "hardhat-deploy/types";
import type { MarketSymbol } from "./parameters";

export interface NetworkFeeds {
  BTC: string;
  ETH: string;
  /** Chainlink L2 sequencer-uptime feed; the zero address on L1. */
  sequencerUptime: string;
  /** Seconds after the sequencer comes back before prices are trusted. */
  sequencerGracePeriod: number;
}

const ZERO = "0x0000000000000000000000000000000000000000";

/** Published Chainlink Data Feeds (docs.chain.link). Verify against the official list before any deployment. */
export const LIVE_FEEDS: Record<string, NetworkFeeds> = {
  mainnet: {
    BTC: "0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c",
    ETH: "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419",
    sequencerUptime: ZERO,
    sequencerGracePeriod: 0,
  },
  arbitrum: {
    BTC: "0x6ce185860a4963106506C203335A2910413708e9",
    ETH: "0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612",
    sequencerUptime: "0xFdB631F5EE196F0ed6FAa767959853A9F217697D",
    sequencerGracePeriod: 3600,
  },
};

export async function feedsFor(network: string, deployments: DeploymentsExtension): Promise<NetworkFeeds> {
  const live = LIVE_FEEDS[network];
  if (live) return live;
  const feed = async (m: MarketSymbol) => (await deployments.get(`${m}USDFeed`)).address;
  return { BTC: await feed("BTC"), ETH: await feed("ETH"), sequencerUptime: ZERO, sequencerGracePeriod: 0 };
}
