import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { MarketSymbol } from "../config/parameters";
import { feedsFor, oracleArgs } from "../config/networks";

/**
 * One ChainlinkOracleAdapter per market, over the network's feed (the local mock on hardhat/localhost), with the feed's
 * heartbeat and staleness buffer from config/networks.ts.
 */
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
      args: oracleArgs(feeds, market),
    });
  }
};

func.tags = ["Oracles", "BTCUSDOracle", "ETHUSDOracle"];
func.dependencies = ["Mocks"];
export default func;
