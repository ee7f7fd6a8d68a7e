/**
 * A ripcord sizes its trade for its own costs. Far beyond the ripcord level those costs are most of the equity, and
 * one correction was not enough: found by the model-based invariant test (seed 1517929845, a 79x product landing at
 * 3.51x after its ripcord). The ripcord now refines until its size settles (at most twice more).
 */
import { expect } from "chai";
import { deploySuite } from "../helpers/deployment";
import { usdc, wad } from "../../config/parameters";
import { Action } from "../../protocol";

describe("Rebalancer ripcord far beyond its level", function () {
  it("lands inside the band when the trade's costs are most of the equity (86.1x -> 3.00x; one cost correction left 87.5x at 3.98x)", async function () {
    const suite = await deploySuite();
    const [alice] = suite.users;
    const token = suite.products.BTC3L;
    const address = await token.getAddress();
    await suite.usdc.mint(alice.address, usdc(46_000_000));
    await suite.usdc.connect(alice).approve(address, usdc(46_000_000));
    // 3.00x on ~138M USD of notional (the first mint opens at target after its own costs).
    await token.connect(alice).mint(usdc(46_000_000), 0n, alice.address);
    await suite.feeds.BTC.updateAnswer(40_470n * 10n ** 8n); // 60,000 -> 40,470 in one round, no keeper in between
    const before = await token.currentLeverage();
    console.log(`      leverage before the ripcord: ${Number(before / 10n ** 14n) / 1e4}x`);
    expect(before).to.be.gt(wad(80));
    expect(await suite.venues.BTC.isLiquidatable(address)).to.equal(false);

    await suite.rebalancer.connect(suite.keeper).ripcord(address);

    expect((await suite.rebalancer.tokenState(address)).iterating).to.equal(false);
    const after = await token.currentLeverage();
    expect(after).to.be.lte(wad("3.5")); // one correction left it at 3.98x
    expect(after).to.be.closeTo(wad(3), wad("0.01"));
    expect(await suite.rebalancer.shouldRebalance(address)).to.equal(Action.NONE);
  });
});
