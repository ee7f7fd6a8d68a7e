/**
 * The local Aave v3 market (deploy/11_aave.ts), configured like Aave v3 Ethereum ("Aave Ethereum Market", the Pool at
 * 0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2). docs/venues-aave-market.md gives the source of every value and says
 * which ones are local choices rather than the live market's. Units are spelled out per field: bps = 1/10,000,
 * RAY = 1e27 (Aave's rate unit), caps in whole tokens as Aave stores them.
 */
import type { MarketSymbol } from "./parameters";

export const RAY = 10n ** 27n;
/** A percentage as an Aave ray, e.g. rayPct("3.8") = 0.038e27. */
export const rayPct = (pct: string): bigint => {
  const [whole, frac = ""] = pct.split(".");
  const digits = frac.padEnd(4, "0");
  if (digits.length > 4) throw new Error(`rayPct: at most 4 decimals in ${pct}`);
  return ((BigInt(whole) * 10_000n + BigInt(digits)) * RAY) / 1_000_000n;
};

/** The local venue tokens: each is a reserve of the Aave market and (but USDC) the base of a Uniswap pool. */
export const VENUE_TOKENS = ["USDC", "WETH", "WBTC"] as const;
export type VenueToken = (typeof VENUE_TOKENS)[number];

/** The base token of each Ballast market on the money-market venue. */
export const BASE_TOKEN: Record<MarketSymbol, Exclude<VenueToken, "USDC">> = { BTC: "WBTC", ETH: "WETH" };

/** Mirrors DefaultReserveInterestRateStrategy's constructor (Aave v3.0.x), every rate a ray. */
export interface RateStrategy {
  optimalUsageRatio: bigint;
  baseVariableBorrowRate: bigint;
  variableRateSlope1: bigint;
  variableRateSlope2: bigint;
  stableRateSlope1: bigint;
  stableRateSlope2: bigint;
  baseStableRateOffset: bigint;
  stableRateExcessOffset: bigint;
  optimalStableToTotalDebtRatio: bigint;
}

export interface ReserveConfig {
  /** hardhat-deploy name of the underlying token (USDC is the project's MockUSDC, the others MockERC20). */
  token: VenueToken;
  decimals: number;
  /** hardhat-deploy name of the Chainlink-style USD feed (8 decimals) the AaveOracle reads for this asset. */
  feed: string;
  ltvBps: number;
  liquidationThresholdBps: number;
  /** Aave's encoding: 10,000 + the bonus, e.g. 10,500 = a 5% bonus to the liquidator. */
  liquidationBonusBps: number;
  /** Share of the liquidation bonus that goes to the treasury, bps. */
  liquidationProtocolFeeBps: number;
  reserveFactorBps: number;
  /** Whole tokens (Aave's unit); 0 would mean no cap. */
  supplyCap: bigint;
  borrowCap: bigint;
  borrowingEnabled: boolean;
  flashLoanEnabled: boolean;
  rates: RateStrategy;
  /** Supplied by the `liquidityProvider` named account at deployment, whole tokens. */
  seed: bigint;
}

/** Stable-rate borrowing is disabled on every reserve (as on Aave v3 Ethereum); its parameters are inert. */
const INERT_STABLE = {
  stableRateSlope1: 0n,
  stableRateSlope2: 0n,
  baseStableRateOffset: 0n,
  stableRateExcessOffset: 0n,
  optimalStableToTotalDebtRatio: rayPct("20"),
};

export const AAVE_MARKET = {
  marketId: "Ballast local market (Aave v3 Ethereum parameters)",
  /** Aave names the tokens "Aave <prefix> <symbol>" / a<symbolPrefix><symbol>; the live market uses Ethereum / Eth. */
  tokenNamePrefix: "Ballast Local",
  tokenSymbolPrefix: "Loc",
  /** Pool.FLASHLOAN_PREMIUM_TOTAL and the part of it that goes to the treasury, bps. */
  flashLoanPremiumTotalBps: 5,
  flashLoanPremiumToProtocolBps: 0,
  /** Aave prices in USD with 8 decimals (base currency = the zero address, unit 1e8), as on Aave v3 Ethereum. */
  baseCurrencyUnit: 10n ** 8n,
  /** The USDC/USD feed's answer (8 decimals), a MockV3Aggregator like the BTC and ETH feeds. */
  usdcInitialPrice: 1n * 10n ** 8n,
  reserves: {
    USDC: {
      token: "USDC",
      decimals: 6,
      feed: "USDCUSDFeed",
      ltvBps: 7_700,
      liquidationThresholdBps: 7_900,
      liquidationBonusBps: 10_450,
      liquidationProtocolFeeBps: 1_000,
      reserveFactorBps: 1_000,
      supplyCap: 2_000_000_000n,
      borrowCap: 1_800_000_000n,
      borrowingEnabled: true,
      flashLoanEnabled: true,
      rates: {
        optimalUsageRatio: rayPct("90"),
        baseVariableBorrowRate: 0n,
        variableRateSlope1: rayPct("4"),
        variableRateSlope2: rayPct("60"),
        ...INERT_STABLE,
      },
      seed: 200_000_000n,
    },
    WETH: {
      token: "WETH",
      decimals: 18,
      feed: "ETHUSDFeed",
      ltvBps: 8_000,
      liquidationThresholdBps: 8_250,
      liquidationBonusBps: 10_500,
      liquidationProtocolFeeBps: 1_000,
      reserveFactorBps: 1_500,
      supplyCap: 1_000_000n,
      borrowCap: 800_000n,
      borrowingEnabled: true,
      flashLoanEnabled: true,
      rates: {
        optimalUsageRatio: rayPct("80"),
        baseVariableBorrowRate: 0n,
        variableRateSlope1: rayPct("3.8"),
        variableRateSlope2: rayPct("80"),
        ...INERT_STABLE,
      },
      seed: 50_000n,
    },
    WBTC: {
      token: "WBTC",
      decimals: 8,
      feed: "BTCUSDFeed",
      ltvBps: 7_000,
      liquidationThresholdBps: 7_500,
      liquidationBonusBps: 10_625,
      liquidationProtocolFeeBps: 1_000,
      reserveFactorBps: 2_000,
      supplyCap: 50_000n,
      borrowCap: 25_000n,
      borrowingEnabled: true,
      flashLoanEnabled: true,
      rates: {
        optimalUsageRatio: rayPct("45"),
        baseVariableBorrowRate: 0n,
        variableRateSlope1: rayPct("4"),
        variableRateSlope2: rayPct("300"),
        ...INERT_STABLE,
      },
      seed: 2_000n,
    },
  } satisfies Record<VenueToken, ReserveConfig>,
};

/** The local test tokens' names, symbols and decimals (MockERC20 for WETH and WBTC; USDC is MockUSDC). */
export const MOCK_TOKENS: Record<Exclude<VenueToken, "USDC">, { name: string; symbol: string; decimals: number }> = {
  WETH: { name: "Wrapped Ether (Ballast mock)", symbol: "WETH", decimals: 18 },
  WBTC: { name: "Wrapped BTC (Ballast mock)", symbol: "WBTC", decimals: 8 },
};
