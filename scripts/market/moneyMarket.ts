/**
 * Where the Aave products' money market and pools are on the network being deployed to (deploy/13_aave_products.ts):
 * on a local network the real-venue market deployed from the npm artifacts (deploy/10–12); on a live network the
 * real Aave v3 and Uniswap v3 of config/networks.ts `LIVE_MONEY_MARKETS`, the Pool read from its addresses provider
 * and each pool from the Uniswap factory, so that a live deployment is a configuration change. On paper: no live
 * network is reachable from here; docs/venues.md says what was checked.
 */
import { Contract, ZeroAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { BASE_TOKEN } from "../../config/aave";
import { LIVE_MONEY_MARKETS } from "../../config/networks";
import type { MarketSymbol } from "../../config/parameters";
import { poolDeploymentName } from "../../config/uniswap";

export interface MoneyMarketAddresses {
  /** The Aave v3 Pool (proxy). */
  aavePool: string;
  /** The collateral, an Aave reserve (USDC). */
  usdc: string;
  /** Each market's base token (WETH, WBTC). */
  base: Record<MarketSymbol, string>;
  /** Each market's base/USDC Uniswap v3 pool. */
  swapPool: Record<MarketSymbol, string>;
}

const PROVIDER_ABI = ["function getPool() view returns (address)"];
const FACTORY_ABI = ["function getPool(address, address, uint24) view returns (address)"];

/** True when the network has a money market to deploy Aave products on. */
export function hasMoneyMarket(hre: HardhatRuntimeEnvironment): boolean {
  return !hre.network.live || LIVE_MONEY_MARKETS[hre.network.name] !== undefined;
}

export async function moneyMarketFor(hre: HardhatRuntimeEnvironment): Promise<MoneyMarketAddresses> {
  const { deployments, network, ethers } = hre;
  if (!network.live) {
    const address = async (name: string): Promise<string> => (await deployments.get(name)).address;
    return {
      aavePool: await address("AavePool"),
      usdc: await address("USDC"),
      base: { BTC: await address(BASE_TOKEN.BTC), ETH: await address(BASE_TOKEN.ETH) },
      swapPool: {
        BTC: await address(poolDeploymentName(BASE_TOKEN.BTC)),
        ETH: await address(poolDeploymentName(BASE_TOKEN.ETH)),
      },
    };
  }
  const live = LIVE_MONEY_MARKETS[network.name];
  if (!live) throw new Error(`no money market configured for ${network.name} (config/networks.ts LIVE_MONEY_MARKETS)`);
  const provider = new Contract(live.aaveAddressesProvider, PROVIDER_ABI, ethers.provider);
  const factory = new Contract(live.uniswapFactory, FACTORY_ABI, ethers.provider);
  const base = { BTC: live.tokens[BASE_TOKEN.BTC], ETH: live.tokens[BASE_TOKEN.ETH] };
  const swapPool = {} as Record<MarketSymbol, string>;
  for (const market of ["BTC", "ETH"] as const) {
    const pool = (await factory.getPool(base[market], live.tokens.USDC, live.poolFee[market])) as string;
    if (pool === ZeroAddress)
      throw new Error(`${network.name}: no ${BASE_TOKEN[market]}/USDC pool at fee ${live.poolFee[market]}`);
    swapPool[market] = pool;
  }
  return { aavePool: (await provider.getPool()) as string, usdc: live.tokens.USDC, base, swapPool };
}
