import { expect } from "chai";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { underCoverage } from "../helpers/coverage";

/**
 * plugins/snapshot-clock.ts: after `evm_revert` the chain's clock continues from the snapshot's latest block, not
 * from the wall clock. Without it a fixture restored late in a slow run came back with stale oracle answers.
 */
describe("Snapshot clock (plugins/snapshot-clock.ts)", function () {
  // solidity-coverage runs its own provider, without Hardhat's provider extenders.
  before(function () {
    if (underCoverage()) this.skip();
  });

  it("the first block after a revert is stamped one second after the restored latest block, however long ago the snapshot was taken", async function () {
    const id = (await network.provider.send("evm_snapshot", [])) as string;
    const t = await time.latest();
    // Let the wall clock move past the snapshot (a fixture reused an hour later is the same case).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await network.provider.send("evm_revert", [id])).to.equal(true);
    expect(await time.latest()).to.equal(t);
    const [signer] = await ethers.getSigners();
    const receipt = await (await signer.sendTransaction({ to: signer.address, value: 0n })).wait();
    const block = await ethers.provider.getBlock(receipt!.blockNumber);
    expect(block!.timestamp).to.equal(t + 1);
  });
});
