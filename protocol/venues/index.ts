/**
 * What a venue shows beyond the IVenue boundary: its own risk and cost parameters and market state, one reader per
 * venue kind (the mock perp venue, the Aave money-market venue; an async perp venue would add its own). Tools print
 * these as labelled values; nothing outside this folder branches on the kind of venue.
 *
 * A venue's kind is found by asking it: each kind has a probe, a view only that implementation answers (the mock perp
 * venue's `params()`, the AaveVenue's `IS_LONG()` and `AAVE_POOL()`), never the product's symbol or a deployment name.
 *
 * The readers load typechain factories, so callers that start before the first compile (the Hardhat tasks) import
 * this file lazily.
 */
import type { IVenue } from "../contracts";
import { aaveParameters, aaveProductParameters, isAaveVenue } from "./aave";
import { isMockPerpVenue, mockPerpParameters, mockPerpProductParameters } from "./mockPerp";

/** The venue implementations a product can be carried by. */
export type VenueKind = "mockPerp" | "aave";

/**
 * How a value is meant to be read: a WAD fraction as a percentage (with 2, 3 or 4 decimals: a rate near zero at low
 * utilisation stays visible), base units, a rate per second as a rate per year, a WAD ratio with 2 decimals (a health
 * factor, a leverage; huge values are "inf").
 */
export type VenueValueFormat = "pct" | "pct3" | "pct4" | "base0" | "base4" | "ratePerSecondAsYearPct" | "ratio2";

/** One named value of a venue, in the venue's own units. */
export interface VenueParameter {
  key: string; // the JSON key
  label: string; // the column heading
  value: bigint;
  format: VenueValueFormat;
}

interface VenueReader {
  /** True when the venue is of this kind (a view only this implementation answers). */
  detect(venue: IVenue): Promise<boolean>;
  /** The venue's own parameters and market state. */
  parameters(venue: IVenue): Promise<VenueParameter[]>;
  /** What is particular to one product's account on the venue (e.g. its health factor) and what it pays to hold. */
  productParameters(venue: IVenue, product: string): Promise<VenueParameter[]>;
}

/** In probe order: the most specific first. */
const READERS: Record<VenueKind, VenueReader> = {
  aave: { detect: isAaveVenue, parameters: aaveParameters, productParameters: aaveProductParameters },
  mockPerp: {
    detect: isMockPerpVenue,
    parameters: mockPerpParameters,
    productParameters: (venue) => mockPerpProductParameters(venue),
  },
};
const KINDS = Object.keys(READERS) as VenueKind[];

/** The kind of `venue`, asked of the venue itself; null for an implementation no reader knows. */
export async function venueKind(venue: IVenue): Promise<VenueKind | null> {
  for (const kind of KINDS) if (await READERS[kind].detect(venue)) return kind;
  return null;
}

/** The venue-specific parameters of `venue` (none for an unknown kind), with its kind. */
export async function venueParameters(
  venue: IVenue,
): Promise<{ kind: VenueKind | null; parameters: VenueParameter[] }> {
  const kind = await venueKind(venue);
  return { kind, parameters: kind ? await READERS[kind].parameters(venue) : [] };
}

/** The values of `product`'s account on `venue` (none for an unknown kind), with the venue's kind. */
export async function productVenueParameters(
  venue: IVenue,
  product: string,
): Promise<{ kind: VenueKind | null; parameters: VenueParameter[] }> {
  const kind = await venueKind(venue);
  return { kind, parameters: kind ? await READERS[kind].productParameters(venue, product) : [] };
}
