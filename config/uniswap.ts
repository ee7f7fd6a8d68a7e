/**
 * The local Uniswap v3 pools (deploy/12_uniswap.ts) and the market mover's arbitrageur (scripts/market/mover.ts).
 * Fee tiers are those of the deepest USDC pools of each base on Ethereum mainnet; docs/venues-aave-market.md says
 * where each value comes from. The depth is a parameter: the USD value of each liquidity position at the initial
 * price, and the ranges they cover.
 */
import type { MarketSymbol } from "./parameters";

/** One liquidity position: `rangePct` each way around the initial price (log-symmetric), or the full range. */
export interface PositionConfig {
  /** Half-width of the range in percent of the price (5 = [P/1.05, P·1.05]); `undefined` = the full tick range. */
  rangePct?: number;
  /** USD value of the position at the initial price (half base, half USDC for a centred range). */
  valueUsd: number;
}

export interface PoolConfig {
  /** Uniswap v3 fee tier, hundredths of a bp (500 = 0.05%, tick spacing 10; 3000 = 0.30%, tick spacing 60). */
  fee: number;
  tickSpacing: number;
  /** The positions the `liquidityProvider` account mints at deployment: together, the pool's depth. */
  positions: PositionConfig[];
}

export const UNISWAP_POOLS: Record<MarketSymbol, PoolConfig> = {
  ETH: {
    fee: 500,
    tickSpacing: 10,
    positions: [
      { rangePct: 2, valueUsd: 20_000_000 },
      { rangePct: 20, valueUsd: 40_000_000 },
      { rangePct: 100, valueUsd: 80_000_000 },
      { valueUsd: 20_000_000 },
    ],
  },
  BTC: {
    fee: 3_000,
    tickSpacing: 60,
    positions: [
      { rangePct: 2, valueUsd: 20_000_000 },
      { rangePct: 20, valueUsd: 40_000_000 },
      { rangePct: 100, valueUsd: 80_000_000 },
      { valueUsd: 20_000_000 },
    ],
  },
};

/** hardhat-deploy name of a market's pool, e.g. UniswapV3Pool_WETH_USDC. */
export function poolDeploymentName(base: string): string {
  return `UniswapV3Pool_${base}_USDC`;
}

/**
 * The market mover's arbitrageur (named account `arbitrageur`) keeps at least this much of each token, in USD, topping
 * up from the faucets when it runs low: a move needs as much input as the pool's liquidity between the two prices.
 */
export const ARBITRAGEUR_FLOAT_USD = 500_000_000n;
