/**
 * Issue 7: a keeper batch over hundreds of products. 200 extra products are registered through the factory; checkUpkeep
 * (simulated from address(0)) stays within Chainlink Automation's check gas limit and reports at most MAX_BATCH,
 * performUpkeep is bounded by MAX_BATCH and sharded scans cover every product.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { AbiCoder } from "ethers";
import { deploySuite, fund } from "../helpers/deployment";
import { methodologyV1, productDefaults, usdc } from "../../config/parameters";

const EXTRA = 200;
const DUE = 20;

describe("Keeper batch over 200 products", function () {
  it("keeps checkUpkeep under 10M gas, performUpkeep at MAX_BATCH per call, and serves every due product by slices", async function () {
    this.timeout(10 * 60_000);
    const suite = await deploySuite();
    const venue = await suite.venues.BTC.getAddress();
    const p = productDefaults("BTC3L");
    const tokens: string[] = [];
    for (let i = 0; i < EXTRA; i++) {
      await suite.factory.createProduct({
        name: `Batch ${i}`,
        symbol: `B${i}`,
        venue,
        isLong: true,
        fees: p.fees,
        equityCap: p.equityCap,
        methodology: methodologyV1(3), // the v1 band: the moves below are written against it
        bounty: p.bounty,
      });
      tokens.push(await suite.factory.productBySymbol(`B${i}`));
    }
    expect(await suite.rebalancer.tokenCount()).to.equal(BigInt(EXTRA + 8));
    const user = suite.users[0];
    for (const t of tokens.slice(0, DUE)) {
      await fund(suite, user, usdc(1_000), t);
      await (await ethers.getContractAt("LeveragedToken", t)).connect(user).mint(usdc(1_000), 0n, user.address);
    }
    await suite.feeds.BTC.updateAnswer(((await suite.feeds.BTC.latestAnswer()) * 90n) / 100n); // all 20 leave the band

    const rb = suite.rebalancer;
    const to = await rb.getAddress();
    const check = async (checkData: string): Promise<{ gas: bigint; due: string[]; data: string }> => {
      const data = rb.interface.encodeFunctionData("checkUpkeep", [checkData]);
      const gas = await ethers.provider.estimateGas({ to, data, from: ethers.ZeroAddress });
      const raw = await ethers.provider.call({ to, data, from: ethers.ZeroAddress });
      const [, performData] = rb.interface.decodeFunctionResult("checkUpkeep", raw) as unknown as [boolean, string];
      const [due] = AbiCoder.defaultAbiCoder().decode(["address[]", "uint8[]"], performData) as unknown as [string[]];
      return { gas, due: [...due], data: performData };
    };
    const full = await check("0x");
    console.log(`      checkUpkeep over ${EXTRA + 8} products: ${full.gas} gas, ${full.due.length} due reported`);
    expect(full.gas).to.be.lt(10_000_000n);
    expect(full.due.length).to.equal(Number(await rb.MAX_BATCH()));

    const tx = await rb.connect(suite.keeper).performUpkeep(full.data);
    const receipt = await tx.wait();
    console.log(`      performUpkeep of ${full.due.length} rebalances: ${receipt?.gasUsed} gas`);
    expect(receipt?.gasUsed ?? 0n).to.be.lt(15_000_000n);

    // A second upkeep serves the rest; a batch above MAX_BATCH is refused outright.
    const rest = await check("0x");
    expect(rest.due.length).to.equal(DUE - full.due.length);
    await rb.connect(suite.keeper).performUpkeep(rest.data);
    expect((await check("0x")).due.length).to.equal(0);
    const tooMany = AbiCoder.defaultAbiCoder().encode(
      ["address[]", "uint8[]"],
      [tokens.slice(0, 17), Array(17).fill(1)],
    );
    await expect(rb.performUpkeep(tooMany)).to.be.revertedWithCustomError(rb, "InvalidBatch");

    // The worst case scans everything and finds nothing due; sharded scans (one upkeep per slice of 50) cost less.
    const idle = await check("0x");
    console.log(`      checkUpkeep scanning all ${EXTRA + 8} products, none due: ${idle.gas} gas`);
    expect(idle.gas).to.be.lt(10_000_000n);
    const slice = await check(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [100, 50]));
    expect(slice.gas).to.be.lt(idle.gas);

    // Issue 13.2, the worst cases: every one of the 200 products due. All blocked (reduce-only venue, +12%: each long
    // needs to grow) costs the scan plus MAX_BATCH failed simulations; all ripcords (-16%) the scan plus MAX_BATCH
    // successful ones. A batch can hold at most MAX_BATCH ripcord and MAX_BATCH other simulations, so the sum of the
    // two, less one scan, bounds any check.
    for (const t of tokens.slice(DUE)) {
      await fund(suite, user, usdc(1_000), t);
      await (await ethers.getContractAt("LeveragedToken", t)).connect(user).mint(usdc(1_000), 0n, user.address);
    }
    const answer = await suite.feeds.BTC.latestAnswer();
    await suite.feeds.BTC.updateAnswer((answer * 112n) / 100n);
    await suite.mockVenues.BTC.setPaused(true);
    const blocked = await check("0x");
    console.log(
      `      checkUpkeep with all ${EXTRA} due and blocked: ${blocked.gas} gas, ${blocked.due.length} reported`,
    );
    expect(blocked.due.length).to.equal(0);
    await suite.mockVenues.BTC.setPaused(false);
    await suite.feeds.BTC.updateAnswer((answer * 84n) / 100n);
    const ripcords = await check("0x");
    console.log(
      `      checkUpkeep with all ${EXTRA} due a ripcord: ${ripcords.gas} gas, ${ripcords.due.length} reported`,
    );
    expect(ripcords.due.length).to.equal(Number(await rb.MAX_BATCH()));
    const bound = blocked.gas + ripcords.gas - idle.gas;
    console.log(`      bound on any checkUpkeep over ${EXTRA + 8} products: ${bound} gas`);
    expect(bound).to.be.lt(10_000_000n);
  });
});
