import { expect } from "chai";
import { type Interface, makeError } from "ethers";
import { Rebalancer__factory, LeveragedToken__factory } from "../../../typechain-types";
import { decodeRevert, describeError } from "../../../scripts/lib/revert";
import { explainTxError, localOnlyViolation, minOutWithSlippage, parseBps, resolveProduct } from "../../../tasks/lib";

const TOKEN = "0xAD4e198623A5E2723e19E4D4a6ECF72B1D19FE4B";
const rebalancer = Rebalancer__factory.createInterface() as unknown as Interface;
const token = LeveragedToken__factory.createInterface() as unknown as Interface;

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
    it("turns SlippageExceeded into a sentence with the bound and the actual amount", function () {
      const data = token.encodeErrorResult("SlippageExceeded", [1_000n, 990n]);
      const msg = explainTxError({ data }, [token], { out: "share units", decimals: 18 });
      expect(msg).to.match(/^slippage: the minimum accepted was 1000 share units but execution would give 990/);
      expect(msg).to.include("--slippage");
    });

    it("names any other custom error with its arguments", function () {
      const data = token.encodeErrorResult("SupplyCapExceeded", [5n, 4n]);
      expect(explainTxError({ data }, [token], { out: "x", decimals: 0 })).to.equal(
        "reverted: SupplyCapExceeded(5, 4)",
      );
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
      expect(parseBps("75")).to.equal(75n);
      expect(() => parseBps("10001")).to.throw(/basis points/);
      expect(() => parseBps("0.5")).to.throw(/basis points/);
    });
  });
});
