import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { MARKETS, type MarketSymbol } from "../config/parameters";

/** The mock perp venues (one per market) with realistic parameters and seeded counterparty liquidity. Local only. */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  const { deployments, getNamedAccounts } = hre;
  const { deployer } = await getNamedAccounts();
  const usdc = await deployments.get("USDC");
  for (const market of ["BTC", "ETH"] as MarketSymbol[]) {
    const oracle = await deployments.get(`${market}USDOracle`);
    const name = `${market}PerpVenue`;
    const result = await deployments.deploy(name, {
      from: deployer,
      log: true,
      autoMine: true,
      contract: "MockPerpVenue",
      args: [usdc.address, 6, oracle.address, MARKETS[market].venue],
    });
    if (result.newlyDeployed) {
      const liquidity = MARKETS[market].liquidity;
      await deployments.execute("USDC", { from: deployer, autoMine: true }, "mint", deployer, liquidity);
      await deployments.execute("USDC", { from: deployer, autoMine: true }, "approve", result.address, liquidity);
      await deployments.execute(name, { from: deployer, autoMine: true }, "addLiquidity", liquidity);
    }
  }
};

func.tags = ["Venues", "BTCPerpVenue", "ETHPerpVenue"];
func.dependencies = ["Mocks", "Oracles"];
func.skip = async (hre) => hre.network.live;
export default func;
