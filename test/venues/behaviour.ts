/**
 * `shouldBehaveLikeVenue(impl)`: the venue conformance suite as mocha `describe`/`it`s, in the manner of
 * OpenZeppelin's `shouldBehaveLikeERC20`. Each `it` calls one named check of ./checks.ts on a fresh harness; a check
 * that needs a capability the implementation does not declare (or a synchronous venue) is registered as a pending
 * test whose title says why, so `npm test` lists it instead of passing it silently; a check that runs in a weaker
 * form for the implementation's VenueSemantics (a money market) says which in its title.
 */
import { expect } from "chai";
import { GROUPS, VENUE_CHECKS, notApplicable, weakerForm } from "./checks";
import type { VenueImplementation } from "./harness";

export function shouldBehaveLikeVenue(impl: VenueImplementation): void {
  for (const group of Object.values(GROUPS)) {
    describe(group, function () {
      for (const check of VENUE_CHECKS.filter((c) => c.group === group)) {
        const reason = notApplicable(check, impl);
        const known = impl.knownFailures?.[check.id];
        if (reason !== undefined) {
          it(`${check.title} [not applicable: ${reason}]`);
        } else if (known !== undefined) {
          it(`${check.title} [KNOWN FAILURE, asserted: ${known.reason}]`, async function () {
            let failure: string | undefined;
            try {
              await check.run(impl);
            } catch (e) {
              failure =
                e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` ${e.cause.message}` : ""}` : String(e);
            }
            expect(failure, `${check.id} passes now: remove it from ${impl.name}'s knownFailures`).to.not.equal(
              undefined,
            );
            expect(failure).to.match(known.message);
          });
        } else {
          const weaker = weakerForm(check, impl);
          it(weaker === undefined ? check.title : `${check.title} [weaker form: ${weaker}]`, async function () {
            await check.run(impl);
          });
        }
      }
    });
  }
}
