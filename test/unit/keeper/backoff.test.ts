import { expect } from "chai";
import { makeError } from "ethers";
import { backoffDelay, isRetryableRpcError, withRetry } from "../../../scripts/keeper/backoff";

const opts = { retries: 3, baseMs: 100, maxMs: 1_000 };

describe("keeper backoff", function () {
  describe("#backoffDelay", function () {
    it("doubles per attempt with equal jitter in [half, full]", function () {
      expect([0, 1, 2, 3].map((a) => backoffDelay(a, opts, () => 1))).to.deep.equal([100, 200, 400, 800]);
      expect([0, 1, 2, 3].map((a) => backoffDelay(a, opts, () => 0))).to.deep.equal([50, 100, 200, 400]);
    });

    it("is capped at maxMs, even for huge attempt numbers", function () {
      expect(backoffDelay(4, opts, () => 1)).to.equal(1_000);
      expect(backoffDelay(10_000, opts, () => 1)).to.equal(1_000);
    });
  });

  describe("#isRetryableRpcError", function () {
    it("retries transport and node failures", function () {
      expect(isRetryableRpcError(new Error("connect ECONNREFUSED 127.0.0.1:8545"))).to.equal(true);
      expect(isRetryableRpcError(makeError("bad gateway", "SERVER_ERROR"))).to.equal(true);
      expect(isRetryableRpcError(makeError("timeout", "TIMEOUT", { operation: "x", reason: "timeout" }))).to.equal(
        true,
      );
    });

    it("does not retry answers the chain gave on purpose", function () {
      expect(
        isRetryableRpcError(
          makeError("reverted", "CALL_EXCEPTION", {
            action: "call",
            data: "0x",
            reason: null,
            transaction: { data: "0x", to: null },
            invocation: null,
            revert: null,
          }),
        ),
      ).to.equal(false);
      expect(isRetryableRpcError(makeError("funds", "INSUFFICIENT_FUNDS", { transaction: {} }))).to.equal(false);
      expect(isRetryableRpcError(new Error("invalid opcode"))).to.equal(false);
    });
  });

  describe("#withRetry", function () {
    it("retries retryable failures with growing delays, then succeeds", async function () {
      const sleeps: number[] = [];
      let calls = 0;
      const out = await withRetry(
        async () => {
          if (++calls < 3) throw new Error("ECONNRESET");
          return 42n;
        },
        opts,
        { sleep: async (ms) => void sleeps.push(ms), random: () => 1 },
      );
      expect(out).to.equal(42n);
      expect(calls).to.equal(3);
      expect(sleeps).to.deep.equal([100, 200]);
    });

    it("gives up after `retries` retries and rethrows the last error", async function () {
      let calls = 0;
      const attempt = withRetry(
        async () => {
          calls++;
          throw new Error(`ECONNREFUSED #${calls}`);
        },
        opts,
        { sleep: async () => undefined },
      );
      await expect(attempt).to.be.rejectedWith("ECONNREFUSED #4");
      expect(calls).to.equal(4);
    });

    it("does not retry a non-retryable error", async function () {
      let calls = 0;
      const attempt = withRetry(
        async () => {
          calls++;
          throw new Error("execution reverted");
        },
        opts,
        { sleep: async () => undefined },
      );
      await expect(attempt).to.be.rejectedWith("execution reverted");
      expect(calls).to.equal(1);
    });
  });
});
