/**
 * The Aave venue's own parameters and state (contracts/venues/aave/AaveVenue.sol: not part of the IVenue boundary).
 * One AaveVenue serves one market and one side: a long supplies the base asset (its collateral reserve) and borrows
 * USDC (its debt reserve), a short supplies USDC and borrows the base asset. Rates are the Aave Pool's own (ray per
 * year), reserve limits come from the reserve's configuration bitmap (basis points), all returned as WAD fractions.
 */
import { AaveVenue__factory } from "../../typechain-types/factories/contracts/venues/aave/AaveVenue__factory";
import { IAaveV3Pool__factory } from "../../typechain-types/factories/contracts/venues/aave/IAaveVenueDeps.sol/IAaveV3Pool__factory";
import type { IVenue } from "../contracts";
import type { VenueParameter } from "./index";

/** Ray (1e27) to WAD (1e18). */
const RAY_TO_WAD = 10n ** 9n;
/** Basis points to a WAD fraction. */
const BPS_TO_WAD = 10n ** 14n;
const BPS = 10_000n;

/** Aave v3's ReserveConfigurationMap: LTV, liquidation threshold and liquidation bonus, 16 bits each, in bps. */
export function reserveLimits(configuration: bigint): { ltv: bigint; liquidationThreshold: bigint; bonus: bigint } {
  const field = (shift: bigint): bigint => (configuration >> shift) & 0xffffn;
  const bonus = field(32n);
  return {
    ltv: field(0n) * BPS_TO_WAD,
    liquidationThreshold: field(16n) * BPS_TO_WAD,
    // Stored as 10000 + the bonus (10500 = 5%); 0 when the reserve is not collateral.
    bonus: bonus > BPS ? (bonus - BPS) * BPS_TO_WAD : 0n,
  };
}

/** True when `venue` answers the AaveVenue's own views (its side and its Aave Pool). */
export async function isAaveVenue(venue: IVenue): Promise<boolean> {
  const aave = AaveVenue__factory.connect(await venue.getAddress(), venue.runner);
  try {
    await Promise.all([aave.IS_LONG(), aave.AAVE_POOL()]);
    return true;
  } catch {
    return false;
  }
}

/** The venue's reserves: what the side supplies (collateral) and what it borrows (debt). */
async function reserves(venue: IVenue) {
  const aave = AaveVenue__factory.connect(await venue.getAddress(), venue.runner);
  const [poolAddress, base, usdc, isLong, maxSlippage] = await Promise.all([
    aave.AAVE_POOL(),
    aave.BASE(),
    venue.collateral(),
    aave.IS_LONG(),
    aave.MAX_SLIPPAGE(),
  ]);
  const pool = IAaveV3Pool__factory.connect(poolAddress, venue.runner);
  const [collateral, debt] = isLong ? [base, usdc] : [usdc, base];
  return { aave, pool, collateral, debt, maxSlippage };
}

/** Rates of the venue's side: the debt reserve's variable borrow rate, the collateral reserve's supply rate. */
async function rates(venue: IVenue): Promise<VenueParameter[]> {
  const { pool, collateral, debt } = await reserves(venue);
  const [debtData, collateralData] = await Promise.all([pool.getReserveData(debt), pool.getReserveData(collateral)]);
  return [
    {
      key: "borrowRate",
      label: "borrow/yr",
      value: debtData.currentVariableBorrowRate / RAY_TO_WAD,
      format: "pct4",
    },
    {
      key: "supplyRate",
      label: "supply/yr",
      value: collateralData.currentLiquidityRate / RAY_TO_WAD,
      format: "pct4",
    },
  ];
}

export async function aaveParameters(venue: IVenue): Promise<VenueParameter[]> {
  const { pool, collateral, maxSlippage } = await reserves(venue);
  const [configuration, maxLeverage, rateValues] = await Promise.all([
    pool.getConfiguration(collateral),
    venue.maxLeverage(),
    rates(venue),
  ]);
  const limits = reserveLimits(configuration);
  return [
    ...rateValues,
    { key: "ltv", label: "LTV", value: limits.ltv, format: "pct" },
    { key: "liquidationThreshold", label: "liq. threshold", value: limits.liquidationThreshold, format: "pct" },
    { key: "liquidationBonus", label: "liq. bonus", value: limits.bonus, format: "pct" },
    { key: "maxLeverage", label: "max lev.", value: maxLeverage, format: "ratio2" },
    { key: "maxSlippage", label: "max slippage", value: maxSlippage, format: "pct" },
  ];
}

/** A product's account on the venue: its Aave health factor (WAD; uint256 max without debt), and the side's rates. */
export async function aaveProductParameters(venue: IVenue, product: string): Promise<VenueParameter[]> {
  const aave = AaveVenue__factory.connect(await venue.getAddress(), venue.runner);
  const [healthFactor, rateValues] = await Promise.all([aave.healthFactor(product), rates(venue)]);
  return [{ key: "healthFactor", label: "health", value: healthFactor, format: "ratio2" }, ...rateValues];
}
