import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { MARKETS } from "../config/parameters";

/** Local-only test doubles: the USDC mock and Chainlink's MockV3Aggregator feeds. Skipped on live networks. */
const func: DeployFunction = async ({ deployments, getNamedAccounts }: HardhatRuntimeEnvironment) => {
  const { deployer } = await getNamedAccounts();
  const opts = { from: deployer, log: true, autoMine: true };
  await deployments.deploy("USDC", { ...opts, contract: "MockUSDC" });
  await deployments.deploy("BTCUSDFeed", {
    ...opts,
    contract: "MockV3Aggregator",
    args: [8, MARKETS.BTC.initialPrice],
  });
  await deployments.deploy("ETHUSDFeed", {
    ...opts,
    contract: "MockV3Aggregator",
    args: [8, MARKETS.ETH.initialPrice],
  });
};

func.tags = ["USDC", "BTCUSDFeed", "ETHUSDFeed", "Mocks"];
func.skip = async (hre) => hre.network.live;
export default func;
