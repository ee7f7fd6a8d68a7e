/**
 * The venue conformance suite (issue 12) over every IVenue implementation in the repo (./implementations.ts). What
 * is checked: ./checks.ts. That the checks can fail: ./wrong-venues.test.ts.
 */
import { shouldBehaveLikeVenue } from "./behaviour";
import { VENUE_IMPLEMENTATIONS } from "./implementations";

describe("IVenue conformance", function () {
  for (const impl of VENUE_IMPLEMENTATIONS) {
    describe(impl.name, function () {
      shouldBehaveLikeVenue(impl);
    });
  }
});
