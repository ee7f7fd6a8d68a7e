import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { BASE_TOKEN } from "../config/aave";
import { AAVE_VENUES } from "../config/aaveProducts";
import { AAVE_PRODUCT_SYMBOLS } from "../config/parameters";
import { poolDeploymentName } from "../config/uniswap";
import { realVenuesWanted } from "../scripts/market/realVenues";
import { deployProducts } from "../scripts/lib/products";

/**
 * The money-market venues and the products on them (issue 14): one AaveVenue per market and side
 * (config/aaveProducts.ts: ETHAaveLongVenue, ETHAaveShortVenue, BTCAaveLongVenue) over the local Aave v3 Pool
 * (deploy/11_aave.ts) and the market's Uniswap v3 pool (deploy/12_uniswap.ts), priced by the same oracle adapter as
 * the market's perp venue; then AaveETH2L, AaveETH3L, AaveBTC2L and AaveETH2S through the factory, exactly like the
 * perp products. Runs before deploy/05_governance.ts, which hands these products to the Timelock too.
 */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  const { deployments, getNamedAccounts } = hre;
  const { deployer } = await getNamedAccounts();
  const pool = (await deployments.get("AavePool")).address;
  const usdc = (await deployments.get("USDC")).address;
  for (const [name, v] of Object.entries(AAVE_VENUES)) {
    const base = BASE_TOKEN[v.market];
    await deployments.deploy(name, {
      from: deployer,
      log: true,
      autoMine: true,
      contract: "AaveVenue",
      args: [
        pool,
        (await deployments.get(poolDeploymentName(base))).address,
        usdc,
        (await deployments.get(base)).address,
        (await deployments.get(`${v.market}USDOracle`)).address,
        v.maxSlippage,
        v.isLong,
      ],
    });
  }
  await deployProducts(hre, AAVE_PRODUCT_SYMBOLS);
};

func.tags = ["AaveProducts", ...Object.keys(AAVE_VENUES), ...AAVE_PRODUCT_SYMBOLS, "RealVenues"];
func.dependencies = ["AaveMarket", "UniswapV3", "Oracles", "Rebalancer"];
func.skip = async (hre) => hre.network.live || !realVenuesWanted(hre);
export default func;
