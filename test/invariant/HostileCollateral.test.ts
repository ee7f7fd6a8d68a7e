/**
 * Issue 7: hostile collateral. A separate oracle + venue + Rebalancer + LeveragedToken is deployed over a collateral
 * that re-enters Ballast on every transfer, and over one that charges a fee on transfer.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { LeveragedToken, MockPerpVenue, Rebalancer } from "../../typechain-types";
import { MARKETS, DEFAULT_BOUNTY, DEFAULT_FEES, methodologyV1, usdc, wad } from "../../config/parameters";
import { LOCAL_FEED_TIMING } from "../../config/networks";

interface Market {
  venue: MockPerpVenue;
  token: LeveragedToken;
  rebalancer: Rebalancer;
  owner: HardhatEthersSigner;
  user: HardhatEthersSigner;
}

async function marketOver(
  collateral: string,
  faucet: (to: string, amount: bigint) => Promise<unknown>,
): Promise<Market> {
  const [owner, user] = await ethers.getSigners();
  const feed = await (await ethers.getContractFactory("MockV3Aggregator")).deploy(8, MARKETS.BTC.initialPrice);
  const oracle = await (
    await ethers.getContractFactory("ChainlinkOracleAdapter")
  ).deploy(
    await feed.getAddress(),
    LOCAL_FEED_TIMING.BTC.heartbeat,
    LOCAL_FEED_TIMING.BTC.stalenessBuffer,
    ethers.ZeroAddress,
    0,
  );
  const venue = await (
    await ethers.getContractFactory("MockPerpVenue")
  ).deploy(collateral, 6, await oracle.getAddress(), MARKETS.BTC.venue);
  const rebalancer = await (await ethers.getContractFactory("Rebalancer")).deploy(owner.address);
  const token = await (
    await ethers.getContractFactory("LeveragedToken")
  ).deploy(
    "Hostile 3L",
    "H3L",
    await venue.getAddress(),
    await rebalancer.getAddress(),
    true,
    owner.address,
    owner.address,
    { ...DEFAULT_FEES, streamingFeeRate: 0n }, // previews in one block equal execution in the next
    wad(1_000_000_000),
  );
  await rebalancer.register(await token.getAddress(), methodologyV1(3), DEFAULT_BOUNTY);
  await faucet(owner.address, usdc(10_000_000));
  const erc20 = await ethers.getContractAt("IERC20", collateral);
  await erc20.connect(owner).approve(await venue.getAddress(), usdc(10_000_000));
  await venue.connect(owner).addLiquidity(usdc(1_000_000));
  await faucet(user.address, usdc(1_000_000));
  await erc20.connect(user).approve(await token.getAddress(), ethers.MaxUint256);
  return { venue, token, rebalancer, owner, user };
}

describe("Hostile collateral", function () {
  describe("a collateral that re-enters on every transfer", function () {
    const cases = [
      ["TOKEN_MINT", 1, "ReentrancyGuardReentrantCall"],
      ["TOKEN_REDEEM", 2, "ReentrancyGuardReentrantCall"],
    ] as const;
    for (const [label, mode, error] of cases) {
      it(`blocks a ${label} re-entry during mint and redeem (${error}); the outer call settles exactly its preview`, async function () {
        const rc = await (await ethers.getContractFactory("ReentrantCollateral")).deploy();
        const m = await marketOver(await rc.getAddress(), (to, a) => rc.mint(to, a));
        const { token, user } = m;
        await token.connect(user).mint(usdc(10_000), 0n, user.address); // no hook yet: a first holder
        await rc.arm(mode, await token.getAddress(), await m.venue.getAddress());

        const preview = await token.previewMint(usdc(5_000));
        const before = await token.balanceOf(user.address);
        await token.connect(user).mint(usdc(5_000), 0n, user.address);
        expect((await token.balanceOf(user.address)) - before).to.equal(preview);
        expect(await rc.successes()).to.equal(0n);
        expect(await rc.attempts()).to.be.gt(0n);
        const selector = token.interface.getError(error)?.selector;
        expect((await rc.lastRevertData()).slice(0, 10)).to.equal(selector);

        const shares = await token.balanceOf(user.address);
        const out = await token.previewRedeem(shares);
        await expect(token.connect(user).redeem(shares, 0n, user.address)).to.changeTokenBalance(rc, user, out);
        expect(await rc.successes()).to.equal(0n);
      });
    }
    it("a VENUE_WITHDRAW re-entry during the venue's own transfer is blocked by the venue's guard", async function () {
      const rc = await (await ethers.getContractFactory("ReentrantCollateral")).deploy();
      const m = await marketOver(await rc.getAddress(), (to, a) => rc.mint(to, a));
      await m.token.connect(m.user).mint(usdc(10_000), 0n, m.user.address);
      await rc.arm(4, await m.token.getAddress(), await m.venue.getAddress());
      const shares = await m.token.balanceOf(m.user.address);
      await m.token.connect(m.user).redeem(shares / 2n, 0n, m.user.address);
      expect(await rc.successes()).to.equal(0n);
      const selector = m.venue.interface.getError("ReentrancyGuardReentrantCall")?.selector;
      // the last hook ran inside the token's transfer to the user, where the hook's own venue account is empty
      const data = await rc.lastRevertData();
      expect([selector, m.venue.interface.getError("WithdrawalExceedsFree")?.selector]).to.include(data.slice(0, 10));
    });
  });

  describe("a fee-on-transfer collateral (1% per transfer)", function () {
    it("is rejected at mint with CollateralTransferMismatch, so no holder can ever be stuck", async function () {
      const fot = await (await ethers.getContractFactory("FeeOnTransferCollateral")).deploy();
      const m = await marketOver(await fot.getAddress(), (to, a) => fot.mint(to, a));
      await expect(m.token.connect(m.user).mint(usdc(10_000), 0n, m.user.address))
        .to.be.revertedWithCustomError(m.token, "CollateralTransferMismatch")
        .withArgs(usdc(10_000), usdc(9_900));
      expect(await m.token.totalSupply()).to.equal(0n);
    });
  });
});
