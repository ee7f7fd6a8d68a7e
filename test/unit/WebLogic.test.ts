/**
 * The web page's pure logic: the decay formula, amount formatting, and the protocol module's custom-error decoding
 * and explanations as the page uses them (no browser).
 */
import { expect } from "chai";
import { AbiCoder, Interface, id } from "ethers";
import { errorInterface, explainError, findRevertData } from "../../protocol";
import { computeDecay } from "../../web/src/decay";
import { checkAmount, maxMintUnderCap } from "../../web/src/amounts";
import { exact, formatAmount, percent } from "../../web/src/format";

const WAD = 10n ** 18n;
const wad = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;

/** computeDecay for a 3x product launched at `launch` (USD), now at `price` with NAV `nav` (per share, 1 at launch). */
function decayOf3x(p: {
  isLong: boolean;
  launch: number;
  price: number;
  nav: number;
}): ReturnType<typeof computeDecay> {
  return computeDecay({
    isLong: p.isLong,
    targetLeverageWad: 3n * WAD,
    launchPriceWad: wad(p.launch),
    priceWad: wad(p.price),
    navWad: wad(p.nav),
  });
}

describe("web: decay since launch", function () {
  it("is zero when NAV equals the one-off leveraged bet", function () {
    const d = decayOf3x({ isLong: true, launch: 60_000, price: 66_000, nav: 1.3 });
    expect(d.underlyingReturnWad).to.equal(wad(0.1));
    expect(d.benchmarkNavWad).to.equal(wad(1.3));
    expect(d.decayWad).to.equal(0n);
  });

  it("measures a short against 1 − L·r and reports the shortfall as negative", function () {
    const d = decayOf3x({ isLong: false, launch: 100, price: 90, nav: 1.2 });
    expect(d.benchmarkNavWad).to.equal(wad(1.3));
    expect(d.navReturnWad).to.equal(wad(0.2));
    expect(percent(d.decayWad ?? 0n)).to.equal("−7.69%");
  });

  it("has no benchmark when a static position would have been wiped out", function () {
    const d = decayOf3x({ isLong: false, launch: 100, price: 140, nav: 0.3 });
    expect(d.benchmarkNavWad).to.equal(null);
    expect(d.decayWad).to.equal(null);
  });
});

describe("web: formatting", function () {
  it("truncates, never rounds up, and separates thousands", function () {
    expect(formatAmount(1_234_567_899n, 6, 2)).to.equal("1,234.56");
    expect(formatAmount(-5n * 10n ** 17n, 18, 4)).to.equal("-0.5000");
    expect(percent(-wad(0.0772))).to.equal("−7.72%");
    expect(percent(wad(0.1))).to.equal("+10.00%");
  });
});

describe("web: error decoding", function () {
  const token = new Interface(["error SlippageExceeded(uint256 minOut, uint256 actualOut)", "error MintPaused()"]);
  const oracle = new Interface(["error StalePrice(uint256 updatedAt, uint256 maxAge)"]);
  const errors = errorInterface([token, JSON.parse(oracle.formatJson()) as []]);
  const slippage = token.encodeErrorResult("SlippageExceeded", [2n * WAD, WAD]);

  it("finds revert data nested as wallets and ethers nest it", function () {
    const nested = { code: "CALL_EXCEPTION", info: { error: { code: -32603, message: "x", data: slippage } } };
    expect(findRevertData(nested)).to.equal(slippage);
    expect(findRevertData({ error: { data: { data: slippage } } })).to.equal(slippage);
    expect(findRevertData({ message: "no data" })).to.equal(null);
  });

  it("puts SlippageExceeded in plain words with the amounts in the caller's unit", function () {
    const text = explainError({ data: slippage }, errors, { outSymbol: "BTC3L", outDecimals: 18 });
    expect(text).to.equal(
      "The price moved beyond your slippage setting: you asked for at least 2.000000 BTC3L but would get 1.000000 BTC3L. Nothing was spent.",
    );
  });

  it("decodes errors raised below the token (oracle) and says when the user declined", function () {
    const stale = AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [1n, 3600n]);
    const data = id("StalePrice(uint256,uint256)").slice(0, 10) + stale.slice(2);
    expect(explainError({ error: { data } }, errors)).to.contain("price feed is out of date");
    expect(explainError({ code: 4001, message: "User rejected" }, errors)).to.contain("declined");
    expect(explainError({ code: "ACTION_REJECTED" }, errors)).to.contain("declined");
  });
});

describe("web: amount fields (pre-flight)", function () {
  it("names what is wrong with a typed amount", function () {
    expect(checkAmount("1,000.5", 6, "USDC")).to.deep.equal({ value: 1_000_500_000n });
    expect(checkAmount("1.0000001", 6, "USDC").error).to.equal(
      "USDC has 6 decimals: enter at most 6 digits after the point.",
    );
    for (const bad of ["1e3", "-5", "abc", "1.2.3", "0x10"]) {
      expect(checkAmount(bad, 6, "USDC").error, bad).to.match(/^Enter a plain decimal number/);
    }
    expect(checkAmount("0", 18, "BTC3L").error).to.equal("Enter an amount of BTC3L above zero.");
    expect(checkAmount("  ", 18, "BTC3L").error).to.equal("Enter an amount of BTC3L.");
    expect(checkAmount("0.000000000000000001", 18, "BTC3L")).to.deep.equal({ value: 1n });
  });

  it("bounds a mint by the equity cap, grossed up by the mint fee", function () {
    const cap = 100_000_000n * WAD;
    expect(maxMintUnderCap(cap, cap, 10n ** 15n)).to.equal(0n);
    expect(maxMintUnderCap(cap, cap + 1n, 10n ** 15n)).to.equal(0n);
    // $999 of room at a 0.1% fee: 999 / 0.999 = 1,000 USDC.
    expect(maxMintUnderCap(cap, cap - 999n * WAD, 10n ** 15n)).to.equal(1_000_000_000n);
  });

  it("prints every decimal of an amount without trailing zeros", function () {
    expect(exact(1n, 6, "USDC")).to.equal("0.000001 USDC");
    expect(exact(1n, 18, "BTC3L")).to.equal("0.000000000000000001 BTC3L");
    expect(exact(1_500_000n, 6, "USDC")).to.equal("1.5 USDC");
    expect(exact(2_000_000_000n, 6, "USDC")).to.equal("2,000 USDC");
  });
});
