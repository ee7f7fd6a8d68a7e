/**
 * LeverageMath.priceAtLeverage, the trigger prices' formula, on its edges: the price it returns gives exactly the
 * asked leverage (to rounding) for a long and a short, and 0 where no price can (a long at or below 1x, a long not
 * borrowing, a short without cash, no position).
 */
import { expect } from "chai";
import { ethers } from "hardhat";

const WAD = 10n ** 18n;
const wad = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;

describe("LeverageMath.priceAtLeverage (trigger prices)", function () {
  async function harness() {
    return (await ethers.getContractFactory("LeverageMathHarness")).deploy();
  }

  it("a long borrowing and a short holding cash: the price gives the asked leverage back", async function () {
    const h = await harness();
    // 1 BTC long at 60,000 with 20,000 of equity: cash -40,000 (3x). Leverage 3.8x at P: P / (P - 40,000) = 3.8.
    const longP = await h.priceAtLeverage(WAD, -wad(40_000), wad(3.8));
    expect(Number(longP) / 1e18).to.be.closeTo((3.8 * 40_000) / 2.8, 1e-6);
    // 1 BTC short at 60,000 with 20,000 of equity: cash 80,000. Leverage 3.8x at P: P / (80,000 - P) = 3.8.
    const shortP = await h.priceAtLeverage(-WAD, wad(80_000), wad(3.8));
    expect(Number(shortP) / 1e18).to.be.closeTo((3.8 * 80_000) / 4.8, 1e-6);
  });

  it("is 0 where no price gives the leverage: a long at or below 1x or not borrowing, a short without cash, no position", async function () {
    const h = await harness();
    expect(await h.priceAtLeverage(WAD, -wad(40_000), WAD)).to.equal(0n);
    expect(await h.priceAtLeverage(WAD, -wad(40_000), wad(0.5))).to.equal(0n);
    expect(await h.priceAtLeverage(WAD, 0n, wad(3))).to.equal(0n);
    expect(await h.priceAtLeverage(WAD, wad(10), wad(3))).to.equal(0n);
    expect(await h.priceAtLeverage(-WAD, 0n, wad(3))).to.equal(0n);
    expect(await h.priceAtLeverage(-WAD, -wad(1), wad(3))).to.equal(0n);
    expect(await h.priceAtLeverage(0n, wad(80_000), wad(3))).to.equal(0n);
  });
});
