/**
 * The real-venue market (Aave v3 and Uniswap v3 from their npm artifacts: deploy/10_venue_tokens.ts, 11_aave.ts,
 * 12_uniswap.ts) is outside the default hardhat-deploy fixture: it adds about a hundred transactions that the perp
 * suite's tests do not need. It is deployed when asked for, either
 * - in-process (tests, scripts): `await deployRealVenues(deployments)`, or `withRealVenues(() => deployments.fixture(...))`;
 * - by environment (`npm run node` sets it): BALLAST_REAL_VENUES=1.
 * docs/venues-aave-market.md says which setups deploy it.
 */
import type { DeploymentsExtension } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** The deploy tags of the real-venue market; "RealVenues" selects all of them. */
export const REAL_VENUE_TAGS = ["VenueTokens", "AaveMarket", "UniswapV3", "AaveProducts"] as const;
export const REAL_VENUES_TAG = "RealVenues";

let requested = 0;

/** True when the real-venue deploy scripts should run: asked for in-process, or by BALLAST_REAL_VENUES=1. */
export function realVenuesWanted(_hre?: HardhatRuntimeEnvironment): boolean {
  return requested > 0 || process.env.BALLAST_REAL_VENUES === "1";
}

/** Runs `body` (typically a `deployments.fixture(...)` call) with the real-venue deploy scripts enabled. */
export async function withRealVenues<T>(body: () => Promise<T>): Promise<T> {
  requested += 1;
  try {
    return await body();
  } finally {
    requested -= 1;
  }
}

/** Deploys the real-venue market (and what it depends on: the mocks and feeds) as a hardhat-deploy fixture. */
export async function deployRealVenues(deployments: DeploymentsExtension, extraTags: string[] = []): Promise<void> {
  // fallbackToGlobal: false, or a process that already ran the default (all-tags) fixture would be handed that
  // snapshot, which has no real venues.
  await withRealVenues(() => deployments.fixture([REAL_VENUES_TAG, ...extraTags], { fallbackToGlobal: false }));
}
