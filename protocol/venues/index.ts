/**
 * What a venue shows beyond the IVenue boundary: its own risk and cost parameters and market state, one reader per
 * venue kind (the mock perp venue today; a money market or an async perp venue each add theirs). Tools print these
 * as labelled values; nothing outside this folder branches on the kind of venue.
 *
 * The readers load typechain factories, so callers that start before the first compile (the Hardhat tasks) import
 * this file lazily.
 */
import type { IVenue } from "../contracts";
import { mockPerpParameters } from "./mockPerp";

/** The venue implementations a market can be deployed on (config/parameters.ts names one per market). */
export type VenueKind = "mockPerp";

/** How a value is meant to be read: a WAD fraction as a percentage (with n decimals), base units, a rate per year. */
export type VenueValueFormat = "pct" | "pct3" | "base0" | "base4" | "ratePerSecondAsYearPct";

/** One named value of a venue, in the venue's own units. */
export interface VenueParameter {
  key: string; // the JSON key
  label: string; // the column heading
  value: bigint;
  format: VenueValueFormat;
}

const READERS: Record<VenueKind, (venue: IVenue) => Promise<VenueParameter[]>> = {
  mockPerp: mockPerpParameters,
};

/** The venue-specific parameters of `venue`, a venue of `kind`. */
export function venueParameters(kind: VenueKind, venue: IVenue): Promise<VenueParameter[]> {
  return READERS[kind](venue);
}
