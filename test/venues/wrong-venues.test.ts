/**
 * The conformance suite can fail: every check of ./checks.ts runs against deliberately wrong venues
 * (contracts/mocks/test/: MockPerpVenue with one view overridden), and each double must fail exactly the checks
 * listed for it, with the message given, and pass all the others. A check that stopped catching a double, or a
 * double that started failing an unrelated check, fails here.
 */
import { expect } from "chai";
import { VENUE_CHECKS, notApplicable } from "./checks";
import { mockPerpVenueImplementation, type MockPerpVenueContract } from "./implementations";

interface WrongVenue {
  readonly contract: MockPerpVenueContract;
  readonly bug: string;
  /** Check id -> what its failure message must say. Every other applicable check must pass. */
  readonly fails: Readonly<Record<string, RegExp>>;
}

const WRONG_VENUES: readonly WrongVenue[] = [
  {
    contract: "FlatteringQuoteVenue",
    bug: "previewTrade forgets price impact: it quotes fills at the mark",
    fails: {
      "preview.neverBetterThanExecution": /fill [\d.]+ is better for a (buyer|seller) than execution's [\d.]+/,
      "preview.quoteTradeAt": /quoteTradeAt\(.*\) vs previewTrade at that mark: fill/,
      // A withdrawal sized from the flattering preview is more than the venue then allows.
      "margin.proRataExit.long": /pro-rata exit .* sized from previewTrade\) failed: .*WithdrawalExceedsFree/,
      "margin.proRataExit.short": /pro-rata exit .* sized from previewTrade\) failed: .*WithdrawalExceedsFree/,
    },
  },
  {
    contract: "FeelessEquityVenue",
    bug: "accountSnapshot values equity without the opening fee paid",
    fails: {
      "valuation.opening.long": /equity after opening .*: deposit - fee [\d.]+ - impact cost/,
      "valuation.opening.short": /equity after opening .*: deposit - fee [\d.]+ - impact cost/,
      "valuation.funding": /previewTrade\(account, 0\) equity vs accountSnapshot in the same block/,
      "preview.noTrade": /previewTrade\(account, 0\) equityAfter vs accountSnapshot's equity/,
      // Free margin computed from the inflated snapshot is more than the venue pays out.
      "margin.withdrawFree": /withdrawing the free margin .* failed: .*WithdrawalExceedsFree/,
      // Its snapshot reads the oracle even without a position, and counts the closing fee out of equity.
      "outage.positionless.long": /StalePrice/,
      "outage.positionless.short": /StalePrice/,
      "outage.closeAtLastValidPrice.long": /equity after the close/,
      "outage.closeAtLastValidPrice.short": /equity after the close/,
      "margin.proRataExit.long": /equityAfter of the pro-rata exit vs accountSnapshot/,
      "margin.proRataExit.short": /equityAfter of the pro-rata exit vs accountSnapshot/,
      "liquidation.marginRatio.long": /marginRatio -?[\d.]+ vs equity -?[\d.]+ \/ notional/,
      "liquidation.marginRatio.short": /marginRatio -?[\d.]+ vs equity -?[\d.]+ \/ notional/,
    },
  },
  {
    contract: "MarkIgnoringQuoteVenue",
    bug: "quoteTradeAt ignores the mark it is given and prices at the oracle",
    fails: {
      "preview.quoteTradeAt": /quoteTradeAt\(.*\) vs previewTrade at that mark: fill/,
      // Quoting the last valid price, it asks the stale oracle instead.
      "outage.closeAtLastValidPrice.long": /StalePrice/,
      "outage.closeAtLastValidPrice.short": /StalePrice/,
    },
  },
];

/** The error's message with its cause's (fast-check reports the failing assertion as the cause). */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? `\ncaused by: ${e.cause.message}` : "";
  return `${e.message}${cause}`;
}

describe("IVenue conformance catches wrong venues", function () {
  for (const wrong of WRONG_VENUES) {
    describe(`${wrong.contract} (${wrong.bug})`, function () {
      const impl = mockPerpVenueImplementation(wrong.contract);

      it("lists only checks that exist", function () {
        const ids = new Set(VENUE_CHECKS.map((c) => c.id));
        for (const id of Object.keys(wrong.fails)) expect(ids.has(id), `unknown check ${id}`).to.equal(true);
      });

      for (const check of VENUE_CHECKS) {
        if (notApplicable(check, impl) !== undefined) continue;
        const pattern = wrong.fails[check.id];
        if (pattern === undefined) {
          it(`passes ${check.id}`, async function () {
            await check.run(impl);
          });
        } else {
          it(`fails ${check.id}`, async function () {
            let failure: string | undefined;
            try {
              await check.run(impl);
            } catch (e) {
              failure = describeError(e);
            }
            expect(failure, `${check.id} did not catch ${wrong.contract}`).to.not.equal(undefined);
            expect(failure).to.match(pattern);
          });
        }
      }
    });
  }
});
