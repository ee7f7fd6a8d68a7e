import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { MARKETS, type MarketSymbol } from "../config/parameters";
import { feedsFor } from "../config/networks";

/** One ChainlinkOracleAdapter per market, over the network's feed (the local mock on hardhat/localhost). */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  const { deployments, getNamedAccounts, network } = hre;
  const { deployer } = await getNamedAccounts();
  const feeds = await feedsFor(network.name, deployments);
  for (const market of ["BTC", "ETH"] as MarketSymbol[]) {
    await deployments.deploy(`${market}USDOracle`, {
      from: deployer,
      log: true,
      autoMine: true,
      contract: "ChainlinkOracleAdapter",
      args: [feeds[market], MARKETS[market].heartbeat, feeds.sequencerUptime, feeds.sequencerGracePeriod],
    });
  }
};

func.tags = ["Oracles", "BTCUSDOracle", "ETHUSDOracle"];
func.dependencies = ["Mocks"];
export default func;
