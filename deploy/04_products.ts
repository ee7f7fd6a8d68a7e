import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { PRODUCT_SYMBOLS } from "../config/parameters";
import { deployProducts } from "../scripts/lib/products";

/**
 * The eight perp products, created through the factory and saved as deployments named by symbol (BTC3L, ...), with
 * the guardian set (scripts/lib/products.ts).
 */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => deployProducts(hre, PRODUCT_SYMBOLS);

func.tags = ["Products", ...PRODUCT_SYMBOLS];
func.dependencies = ["Venues", "Rebalancer"];
export default func;
