import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { AAVE_MARKET, MOCK_TOKENS } from "../config/aave";
import { realVenuesWanted } from "../scripts/market/realVenues";

/**
 * The real-venue market's test tokens (WETH 18 decimals, WBTC 8, each with an open faucet; USDC is the project's
 * MockUSDC) and the USDC/USD feed its AaveOracle reads beside the BTC/USD and ETH/USD mocks. Local only, and only when
 * the real venues are asked for (scripts/market/realVenues.ts).
 */
const func: DeployFunction = async ({ deployments, getNamedAccounts }: HardhatRuntimeEnvironment) => {
  const { deployer } = await getNamedAccounts();
  const opts = { from: deployer, log: true, autoMine: true };
  for (const [name, t] of Object.entries(MOCK_TOKENS)) {
    await deployments.deploy(name, { ...opts, contract: "MockERC20", args: [t.name, t.symbol, t.decimals] });
  }
  await deployments.deploy("USDCUSDFeed", {
    ...opts,
    contract: "MockV3Aggregator",
    args: [8, AAVE_MARKET.usdcInitialPrice],
  });
};

func.tags = ["VenueTokens", "WETH", "WBTC", "USDCUSDFeed", "RealVenues"];
func.dependencies = ["Mocks"];
func.skip = async (hre) => hre.network.live || !realVenuesWanted(hre);
export default func;
