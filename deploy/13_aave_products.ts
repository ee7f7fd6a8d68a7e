import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { AAVE_VENUES } from "../config/aaveProducts";
import { AAVE_PRODUCT_SYMBOLS } from "../config/parameters";
import { realVenuesWanted } from "../scripts/market/realVenues";
import { deployProducts } from "../scripts/lib/products";

/**
 * The money-market venues and the products on them (issue 14): one AaveVenue per market and side
 * (config/aaveProducts.ts: ETHAaveLongVenue, ETHAaveShortVenue, BTCAaveLongVenue) over the Aave v3 Pool and the
 * market's Uniswap v3 pool (scripts/market/moneyMarket.ts: locally deploy/11_aave.ts and 12_uniswap.ts, on a live
 * network the real ones from config/networks.ts), priced by the same oracle adapter as the market's perp venue; then
 * AaveETH2L, AaveETH3L, AaveBTC2L and AaveETH2S through the factory, exactly like the perp products. Runs before
 * deploy/05_governance.ts, which hands these products to the Timelock too.
 */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  const { moneyMarketFor } = await import("../scripts/market/moneyMarket");
  const { deployments, getNamedAccounts } = hre;
  const { deployer } = await getNamedAccounts();
  const mm = await moneyMarketFor(hre);
  for (const [name, v] of Object.entries(AAVE_VENUES)) {
    await deployments.deploy(name, {
      from: deployer,
      log: true,
      autoMine: true,
      contract: "AaveVenue",
      args: [
        mm.aavePool,
        mm.swapPool[v.market],
        mm.usdc,
        mm.base[v.market],
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
// Locally only when the real-venue market is wanted; on a live network where config/networks.ts names a money market.
func.skip = async (hre) => {
  const { hasMoneyMarket } = await import("../scripts/market/moneyMarket");
  return hre.network.live ? !hasMoneyMarket(hre) : !realVenuesWanted(hre);
};
export default func;
