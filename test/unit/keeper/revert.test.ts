import { expect } from "chai";
import { makeError } from "ethers";
import { Rebalancer__factory, LeveragedToken__factory } from "../../../typechain-types";
import { decodeRevert, describeError } from "../../../protocol";
import {
  explainTxError,
  localOnlyViolation,
  formatSlippagePct,
  minOutWithSlippage,
  parseSlippagePct,
  resolveProduct,
} from "../../../tasks/lib";

const TOKEN = "0xAD4e198623A5E2723e19E4D4a6ECF72B1D19FE4B";
const rebalancer = Rebalancer__factory.createInterface();
const token = LeveragedToken__factory.createInterface();

describe("revert decoding and task guards", function () {
  describe("#decodeRevert", function () {
    it("finds a custom error nested anywhere in an RPC error (eth_estimateGas / eth_sendTransaction shapes)", function () {
      const data = rebalancer.encodeErrorResult("RebalanceNotNeeded", [TOKEN, 0, 3n * 10n ** 18n]);
      const err = makeError("could not coalesce error", "UNKNOWN_ERROR", {
        error: { code: -32603, message: "x", data: { message: "y", data } },
      });
      const decoded = decodeRevert(err, [token, rebalancer]);
      expect(decoded?.name).to.equal("RebalanceNotNeeded");
      expect(decoded?.signature).to.equal(`RebalanceNotNeeded(${TOKEN}, 0, 3000000000000000000)`);
    });

    it("falls back to Hardhat's message when the data was dropped", function () {
      const err = new Error(
        "VM Exception while processing transaction: reverted with custom error 'RipcordNotNeeded(\"0xabc\", 2)'",
      );
      expect(decodeRevert(err, [rebalancer])?.name).to.equal("RipcordNotNeeded");
    });

    it("returns null for failures that are not reverts, and describes them in one line", function () {
      const err = new Error("connect ECONNREFUSED 127.0.0.1:8545\n    at stack");
      expect(decodeRevert(err, [rebalancer])).to.equal(null);
      expect(describeError(err, [rebalancer])).to.equal("connect ECONNREFUSED 127.0.0.1:8545");
    });
  });

  describe("#explainTxError", function () {
    it("turns SlippageExceeded into a sentence with the bound and the actual amount, and says what to do", function () {
      const data = token.encodeErrorResult("SlippageExceeded", [10n ** 18n, 99n * 10n ** 16n]);
      const msg = explainTxError({ data }, token, { outSymbol: "BTC3L", outDecimals: 18 });
      expect(msg).to.equal(
        "The price moved beyond your slippage setting: you asked for at least 1.000000 BTC3L but would get " +
          "0.990000 BTC3L. Nothing was spent. Raise --slippage (in percent) or retry.",
      );
    });

    it("explains any other custom error in the protocol's words", function () {
      const data = token.encodeErrorResult("EquityCapExceeded", [5n, 4n]);
      expect(explainTxError({ data }, token)).to.equal(
        "This product has reached its equity cap (the most it may hold); try a smaller amount.",
      );
    });

    it("describes a failure that is not a revert in one line", function () {
      expect(explainTxError(new Error("socket hang up\n    at stack"), token)).to.equal("socket hang up");
    });
  });

  describe("#localOnlyViolation", function () {
    it("refuses live and unknown networks before any RPC call", function () {
      expect(localOnlyViolation("ballast:price", { name: "arbitrum", live: true })).to.match(
        /local-only: refusing network "arbitrum"/,
      );
      expect(localOnlyViolation("ballast:price", { name: "sepolia", live: false })).to.match(/local-only/);
      expect(localOnlyViolation("ballast:price", { name: "localhost", live: true })).to.match(/local-only/);
    });

    it("refuses a 'localhost' that answers with another chain id", function () {
      expect(localOnlyViolation("ballast:faucet", { name: "localhost", live: false }, 1n)).to.match(
        /chain 1, not the local chain 31337/,
      );
      expect(localOnlyViolation("ballast:faucet", { name: "localhost", live: false }, 31337n)).to.equal(null);
    });
  });

  describe("holder helpers", function () {
    it("resolves products case-insensitively and lists the valid ones otherwise", function () {
      expect(resolveProduct("btc3l", ["BTC3L", "ETH2S"])).to.equal("BTC3L");
      expect(() => resolveProduct("BTC5L", ["BTC3L", "ETH2S"])).to.throw(
        /unknown product "BTC5L": valid products are BTC3L, ETH2S/,
      );
    });

    it("bounds the minimum out from the preview, rounding down", function () {
      expect(minOutWithSlippage(10_000n, 50n)).to.equal(9_950n);
      expect(minOutWithSlippage(999n, 1n)).to.equal(998n); // 998.9 rounds down
      expect(minOutWithSlippage(12_345n, 0n)).to.equal(12_345n);
      // --slippage is in percent, as on the page: "0.5" is 0.5% = 50 basis points.
      expect(parseSlippagePct("0.5")).to.equal(50n);
      expect(parseSlippagePct("0.75")).to.equal(75n);
      expect(parseSlippagePct("2")).to.equal(200n);
      expect(parseSlippagePct("1%")).to.equal(100n);
      expect(parseSlippagePct("50")).to.equal(5_000n);
      expect(() => parseSlippagePct("50.01")).to.throw(/percentage between 0 and 50 .*0\.5 means 0\.5%/);
      expect(() => parseSlippagePct("0.125")).to.throw(/at most 2 decimals/);
      expect(() => parseSlippagePct("-1")).to.throw(/percentage/);
      expect(formatSlippagePct(50n)).to.equal("0.5%");
      expect(formatSlippagePct(200n)).to.equal("2%");
      expect(formatSlippagePct(125n)).to.equal("1.25%");
    });
  });
});
