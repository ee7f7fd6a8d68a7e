/**
 * `shouldBehaveLikeVenue(impl)`: the venue conformance suite as mocha `describe`/`it`s, in the manner of
 * OpenZeppelin's `shouldBehaveLikeERC20`. Each `it` calls one named check of ./checks.ts on a fresh harness; a check
 * that needs a capability the implementation does not declare (or a synchronous venue) is registered as a pending
 * test whose title says why, so `npm test` lists it instead of passing it silently.
 */
import { GROUPS, VENUE_CHECKS, notApplicable } from "./checks";
import type { VenueImplementation } from "./harness";

export function shouldBehaveLikeVenue(impl: VenueImplementation): void {
  for (const group of Object.values(GROUPS)) {
    describe(group, function () {
      for (const check of VENUE_CHECKS.filter((c) => c.group === group)) {
        const reason = notApplicable(check, impl);
        if (reason !== undefined) {
          it(`${check.title} [not applicable: ${reason}]`);
        } else {
          it(check.title, async function () {
            await check.run(impl);
          });
        }
      }
    });
  }
}
