/** The backtest's shapes: what a run is configured with, and what one window of it yields. */
import type { MarketSymbol, Methodology } from "../../config/parameters";
import type { Candle, FundingPoint } from "./csv";
import type { RuleOverrides, RulesName } from "./presets";

export type KeeperMode = "bar" | "tick";

export interface ProductSpec {
  symbol: string; // e.g. BTC3L (or BTC-2.5x-long for a custom leverage)
  market: MarketSymbol;
  leverage: number; // positive magnitude
  isLong: boolean;
}

export interface FundingSchedule {
  points: FundingPoint[];
  intervalSeconds: number;
}

export interface EngineConfig {
  product: ProductSpec;
  rules: RulesName;
  overrides: RuleOverrides;
  keeper: KeeperMode;
  /** Largest oracle move per update in tick mode (0.005 = 0.5%). */
  step: number;
  /** Collateral the holder mints with, USD. */
  deposit: number;
  barSeconds: number;
  funding: FundingSchedule | null;
}

export interface Window {
  label: string;
  candles: Candle[];
}

export interface ChartPoint {
  t: number; // candle close, unix s
  price: number;
  nav: number; // holder's value, USD
  theory: number; // theoretical value, USD
  leverage: number; // after the keeper, at the candle's close
  maxLeverage: number; // highest the venue saw inside the candle
}

export interface Liquidation {
  candle: Candle;
  price: number; // the price at which the venue found the account liquidatable
  prevClose: number;
}

export interface WindowResult {
  label: string;
  from: number;
  to: number;
  bars: number;
  priceUpdates: number;
  rebalances: number;
  ripcords: number;
  liquidations: number;
  liquidation: Liquidation | null;
  minMarginRatio: number;
  maxLeverage: number;
  timeInBandPct: number;
  startNav: number;
  endNav: number;
  theoreticalEndNav: number;
  trackingDiffBpsPerYear: number | null;
  feesPaid: number;
  fundingPaid: number;
  tradingCosts: number;
  keeperBounties: number;
  gasUsed: number[];
  keeperFailures: number;
  wallSeconds: number;
  methodology: Methodology;
  chart: ChartPoint[];
}

/** The backtest market's contract addresses. */
export interface Contracts {
  usdc: string;
  feed: string;
  venue: string;
  rebalancer: string;
  factory: string;
  driver: string;
}
