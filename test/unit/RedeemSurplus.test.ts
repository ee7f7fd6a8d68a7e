/**
 * A redeem on a venue whose quote is only a bound (an AMM fill capped at the oracle ± a slippage allowance, as
 * AaveVenue's): the redeemer is paid at least previewRedeem, and the fill's saving against the quote is withdrawn for
 * it too, so it bears exactly its own trading cost; if the venue refuses that margin-only withdrawal, the saving stays
 * with the holders and the redeemer gets the quote. BoundQuoteVenue (contracts/mocks/test/) is the mock venue with a
 * quote lowered by a set fraction of the trade's notional.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { MARKETS, productDefaults, usdc, wad } from "../../config/parameters";
import type { BoundQuoteVenue, LeveragedToken } from "../../typechain-types";
import { deploySuite, fund, type Suite } from "../helpers/deployment";

async function boundQuoteProduct(suite: Suite): Promise<{ venue: BoundQuoteVenue; token: LeveragedToken }> {
  const venue = (await (
    await ethers.getContractFactory("BoundQuoteVenue")
  ).deploy({
    collateral: await suite.usdc.getAddress(),
    collateralDecimals: 6,
    oracle: await suite.oracles.BTC.getAddress(),
    params: MARKETS.BTC.venue,
  })) as unknown as BoundQuoteVenue;
  const liquidity = usdc(10_000_000);
  await suite.usdc.mint(suite.deployer.address, liquidity);
  await suite.usdc.approve(await venue.getAddress(), liquidity);
  await venue.addLiquidity(liquidity);
  await suite.factory.connect(suite.governor).setVenueAllowed(await venue.getAddress(), true);
  const p = productDefaults("BTC3L");
  await suite.factory.createProduct({
    name: "Bound-quote BTC 3x",
    symbol: "BQ3L",
    venue: await venue.getAddress(),
    isLong: true,
    fees: p.fees,
    equityCap: p.equityCap,
    methodology: p.methodology,
    bounty: p.bounty,
  });
  const token = await ethers.getContractAt("LeveragedToken", await suite.factory.productBySymbol("BQ3L"));
  // No streaming fee: a preview read a block before the redeem is then what it pays on an exact venue.
  await token.connect(suite.governor).setFees({ ...p.fees, streamingFeeRate: 0n });
  return { venue, token };
}

/** Equity per share, WAD, in the same block as the caller's next read. */
async function navPerShare(token: LeveragedToken): Promise<bigint> {
  const [, equity] = await token.positionSnapshot();
  return (equity * wad(1)) / (await token.totalSupply());
}

describe("redeem on a venue whose quote is a bound: the redeemer bears exactly its own costs", function () {
  async function setUp() {
    const suite = await deploySuite();
    const { venue, token } = await boundQuoteProduct(suite);
    const [a, b] = suite.users;
    for (const u of [a, b]) {
      await fund(suite, u, usdc(10_000), await token.getAddress());
      await token.connect(u).mint(usdc(10_000), 0n, u.address);
    }
    return { suite, venue, token, a, b };
  }

  it("pays the fill's saving over previewRedeem, leaving the others' NAV per share where it was", async function () {
    const { suite, venue, token, a } = await setUp();
    const shares = (await token.balanceOf(a.address)) / 2n;
    // The exact venue's payout, from a snapshot: what the redeemer's own trade really costs.
    const snap = await takeSnapshot();
    const exactPreview = await token.previewRedeem(shares);
    const before0 = await suite.usdc.balanceOf(a.address);
    await token.connect(a).redeem(shares, exactPreview, a.address);
    const exactPaid = (await suite.usdc.balanceOf(a.address)) - before0;
    await snap.restore();

    await venue.setQuoteHaircut(wad("0.01")); // the quote understates equity by 1% of the trade's notional
    const preview = await token.previewRedeem(shares);
    expect(preview, "the bound quote is lower").to.be.lt(exactPreview - usdc(100));
    const nav0 = await navPerShare(token);
    const before = await suite.usdc.balanceOf(a.address);
    await expect(token.connect(a).redeem(shares, preview, a.address)).to.emit(token, "Redeemed");
    const paid = (await suite.usdc.balanceOf(a.address)) - before;
    // The saving is paid out, less the one unit left for the extra venue call's rounding (and the fee on it).
    expect(paid).to.be.gt(preview);
    expect(exactPaid - paid, "paid as on an exact venue, to 2 units")
      .to.be.gte(0n)
      .and.lte(2n);
    const nav1 = await navPerShare(token);
    expect(nav1, "the others' NAV per share").to.be.gte(nav0);
    expect(nav1 - nav0, "…and nothing of the saving left with them but a unit").to.be.lte(nav0 / 10n ** 9n);
  });

  it("when the venue refuses the saving's withdrawal, pays the quote and the saving stays with the holders", async function () {
    const { suite, venue, token, a } = await setUp();
    await venue.setQuoteHaircut(wad("0.01"));
    await venue.setRefuseMarginOnly(true);
    const shares = (await token.balanceOf(a.address)) / 2n;
    const preview = await token.previewRedeem(shares);
    const nav0 = await navPerShare(token);
    const before = await suite.usdc.balanceOf(a.address);
    await token.connect(a).redeem(shares, preview, a.address);
    expect((await suite.usdc.balanceOf(a.address)) - before).to.equal(preview);
    // About 1% of a 3x half-position's notional (~150 USD of 15,000) stays: the others' NAV per share rises.
    const nav1 = await navPerShare(token);
    expect(nav1 - nav0).to.be.gt(nav0 / 1_000n);
  });

  it("on an exact venue, no second call: the redeem pays previewRedeem to the unit", async function () {
    const { suite, venue, token, a } = await setUp();
    const shares = (await token.balanceOf(a.address)) / 3n;
    const preview = await token.previewRedeem(shares);
    const before = await suite.usdc.balanceOf(a.address);
    const receipt = await (await token.connect(a).redeem(shares, preview, a.address)).wait();
    expect((await suite.usdc.balanceOf(a.address)) - before).to.equal(preview);
    const venueAddress = await venue.getAddress();
    const modified = receipt!.logs.filter(
      (l) => l.address === venueAddress && venue.interface.parseLog(l)?.name === "PositionModified",
    );
    expect(modified.length, "one venue call").to.equal(1);
  });
});
