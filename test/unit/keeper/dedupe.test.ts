import { expect } from "chai";
import { Action } from "../../../protocol/actions";
import { ActionLedger, dueStateKey, type DueState } from "../../../scripts/keeper/dedupe";

const TOKEN_A = "0xAD4e198623A5E2723e19E4D4a6ECF72B1D19FE4B";
const TOKEN_B = "0x400890FeB77E0e555D02f8969CA00850f65B96D2";
const base: DueState = {
  token: TOKEN_A,
  action: Action.REBALANCE,
  lastRebalance: 1_000n,
  iterating: false,
  size: 5n * 10n ** 17n,
  oracleUpdatedAt: 2_000n,
};

describe("keeper dedupe", function () {
  describe("#dueStateKey", function () {
    it("is the same for the same state whatever the address case", function () {
      expect(dueStateKey(base)).to.equal(dueStateKey({ ...base, token: TOKEN_A.toLowerCase() }));
    });

    it("changes with anything the Rebalancer's decision depends on", function () {
      const k = dueStateKey(base);
      for (const changed of [
        { action: Action.RIPCORD },
        { lastRebalance: 1_001n },
        { iterating: true },
        { size: 4n * 10n ** 17n },
        { oracleUpdatedAt: 2_001n },
        { token: TOKEN_B },
      ]) {
        expect(dueStateKey({ ...base, ...changed })).to.not.equal(k);
      }
    });

    it("refuses an unknown action code", function () {
      expect(() => dueStateKey({ ...base, action: 7 as Action })).to.throw(/unknown Rebalancer action/);
    });
  });

  describe("ActionLedger", function () {
    it("sends once per due state and never twice while a transaction is in flight", function () {
      const ledger = new ActionLedger();
      const k1 = dueStateKey(base);
      expect(ledger.decide(TOKEN_A, k1, 0)).to.equal("send");
      ledger.markSent(TOKEN_A, k1, "0x01");
      expect(ledger.decide(TOKEN_A, k1, 0)).to.equal("skip-inflight");
      // A new oracle round while the first transaction is pending still waits for it.
      const k2 = dueStateKey({ ...base, oracleUpdatedAt: 2_100n });
      expect(ledger.decide(TOKEN_A.toLowerCase(), k2, 0)).to.equal("skip-inflight");
      // Other tokens are independent.
      expect(ledger.decide(TOKEN_B, dueStateKey({ ...base, token: TOKEN_B }), 0)).to.equal("send");
      ledger.settle(k1, "confirmed");
      expect(ledger.decide(TOKEN_A, k1, 0)).to.equal("skip-handled");
      expect(ledger.decide(TOKEN_A, k2, 0)).to.equal("send");
      expect(ledger.outcome(k1)).to.equal("confirmed");
      expect(ledger.inflight()).to.equal(0);
    });

    it("treats a state someone else served as handled", function () {
      const ledger = new ActionLedger();
      const k = dueStateKey(base);
      ledger.settle(k, "not-needed");
      expect(ledger.decide(TOKEN_A, k, 0)).to.equal("skip-handled");
    });

    it("allows a retry only when nothing reached the chain", function () {
      const ledger = new ActionLedger();
      const k = dueStateKey(base);
      ledger.markSent(TOKEN_A, k);
      ledger.release(k);
      expect(ledger.decide(TOKEN_A, k, 0)).to.equal("send");
    });

    it("holds a failed pre-flight back until its cooldown ends", function () {
      const ledger = new ActionLedger();
      const k = dueStateKey(base);
      ledger.cooldown(TOKEN_A, k, 10_000);
      expect(ledger.decide(TOKEN_A, k, 9_999)).to.equal("skip-cooldown");
      expect(ledger.decide(TOKEN_A, k, 10_000)).to.equal("send");
    });

    it("stays bounded without ever forgetting an in-flight transaction", function () {
      const ledger = new ActionLedger(3);
      const inflightKey = dueStateKey(base);
      ledger.markSent(TOKEN_A, inflightKey);
      for (let i = 0; i < 10; i++)
        ledger.settle(dueStateKey({ ...base, token: TOKEN_B, lastRebalance: BigInt(i) }), "confirmed");
      expect(ledger.decide(TOKEN_A, inflightKey, 0)).to.equal("skip-inflight");
      expect(ledger.outcome(dueStateKey({ ...base, token: TOKEN_B, lastRebalance: 0n }))).to.equal(undefined);
      expect(ledger.outcome(dueStateKey({ ...base, token: TOKEN_B, lastRebalance: 9n }))).to.equal("confirmed");
    });
  });
});
