import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import {
  MARKETS,
  MARKET_SYMBOLS,
  venueDeploymentName,
  type MarketSymbol,
  type MarketVenueKind,
} from "../config/parameters";

/** Deploys one market's venue; returns nothing, the deployment is saved under `venueDeploymentName(market)`. */
type VenueDeployer = (hre: HardhatRuntimeEnvironment, market: MarketSymbol) => Promise<void>;

/** The mock perp venue with realistic parameters and seeded counterparty liquidity. Local only. */
const deployMockPerp: VenueDeployer = async (hre, market) => {
  const { deployments, getNamedAccounts } = hre;
  const { deployer } = await getNamedAccounts();
  const usdc = await deployments.get("USDC");
  const oracle = await deployments.get(`${market}USDOracle`);
  const name = venueDeploymentName(market);
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
};

const DEPLOYERS: Record<MarketVenueKind, VenueDeployer> = { mockPerp: deployMockPerp };

/** Each market's venue, of the kind config/parameters.ts names for it. */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  for (const market of MARKET_SYMBOLS) await DEPLOYERS[MARKETS[market].venueKind](hre, market);
};

func.tags = ["Venues", ...MARKET_SYMBOLS.map(venueDeploymentName)];
func.dependencies = ["Mocks", "Oracles"];
func.skip = async (hre) => hre.network.live;
export default func;
