/** The mock perp venue's own parameters and market state (IMockPerpVenue: not part of the IVenue boundary). */
import { IMockPerpVenue__factory } from "../../typechain-types/factories/contracts/venues/mock/IMockPerpVenue__factory";
import type { IVenue } from "../contracts";
import type { VenueParameter } from "./index";

const connect = async (venue: IVenue) => IMockPerpVenue__factory.connect(await venue.getAddress(), venue.runner);

/** True when `venue` answers the mock perp venue's own views (its market parameters). */
export async function isMockPerpVenue(venue: IVenue): Promise<boolean> {
  try {
    await (await connect(venue)).params();
    return true;
  } catch {
    return false;
  }
}

export async function mockPerpParameters(venue: IVenue): Promise<VenueParameter[]> {
  const mock = await connect(venue);
  const [p, openInterestLong, openInterestShort, fundingRatePerSecond] = await Promise.all([
    mock.params(),
    mock.openInterestLong(),
    mock.openInterestShort(),
    mock.fundingRatePerSecond(),
  ]);
  return [
    { key: "initialMarginRatio", label: "init. margin", value: p.initialMarginRatio, format: "pct" },
    { key: "maintenanceMarginRatio", label: "maint. margin", value: p.maintenanceMarginRatio, format: "pct" },
    { key: "takerFeeRate", label: "taker fee", value: p.takerFeeRate, format: "pct3" },
    { key: "liquidatorFeeRate", label: "liq. fee", value: p.liquidatorFeeRate, format: "pct3" },
    { key: "liquidationPenaltyRate", label: "penalty", value: p.liquidationPenaltyRate, format: "pct3" },
    { key: "maxPriceImpact", label: "max impact", value: p.maxPriceImpact, format: "pct" },
    { key: "maxOpenInterest", label: "OI cap", value: p.maxOpenInterest, format: "base0" },
    { key: "openInterestLong", label: "OI long", value: openInterestLong, format: "base4" },
    { key: "openInterestShort", label: "OI short", value: openInterestShort, format: "base4" },
    { key: "fundingRatePerSecond", label: "funding/yr", value: fundingRatePerSecond, format: "ratePerSecondAsYearPct" },
  ];
}

/** What a product's position pays to hold on the perp venue: the market's funding rate (positive: longs pay). */
export async function mockPerpProductParameters(venue: IVenue): Promise<VenueParameter[]> {
  const rate = await (await connect(venue)).fundingRatePerSecond();
  return [{ key: "fundingRatePerSecond", label: "funding/yr", value: rate, format: "ratePerSecondAsYearPct" }];
}
