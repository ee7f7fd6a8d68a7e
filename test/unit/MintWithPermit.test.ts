/**
 * `mintWithPermit` (issue 16.5): a mint paid with an EIP-2612 permit of the collateral in one transaction, so a wallet
 * signs once and sends once. Front-run permits and bad signatures: the allowance decides.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { PERMIT_TYPES, permitDomain } from "../../protocol/permit";
import { usdc } from "../../config/parameters";
import type { LeveragedToken, MockUSDC } from "../../typechain-types";
import { deploySuite } from "../helpers/deployment";

async function signPermit(collateral: MockUSDC, owner: HardhatEthersSigner, spender: string, value: bigint) {
  const deadline = BigInt((await time.latest()) + 3600);
  const domain = permitDomain(await collateral.eip712Domain());
  const nonce = await collateral.nonces(owner.address);
  const sig = ethers.Signature.from(
    await owner.signTypedData(domain, PERMIT_TYPES, { owner: owner.address, spender, value, nonce, deadline }),
  );
  return { deadline, v: sig.v, r: sig.r, s: sig.s };
}

describe("LeveragedToken.mintWithPermit: one signature, one transaction", function () {
  async function setUp() {
    const suite = await deploySuite();
    const token: LeveragedToken = suite.products.BTC3L;
    const [holder, other] = suite.users;
    await suite.usdc.mint(holder.address, usdc(10_000));
    return { suite, token, holder, other, spender: await token.getAddress() };
  }

  it("mints with no prior allowance, exactly as mint would, and uses up the permit", async function () {
    const { suite, token, holder, spender } = await setUp();
    expect(await suite.usdc.allowance(holder.address, spender)).to.equal(0n);
    const p = await signPermit(suite.usdc, holder, spender, usdc(1_000));
    const preview = await token.previewMint(usdc(1_000));
    await expect(
      token.connect(holder).mintWithPermit(usdc(1_000), preview, holder.address, p.deadline, p.v, p.r, p.s),
    ).to.emit(token, "Minted");
    expect(await token.balanceOf(holder.address)).to.be.gte(preview);
    expect(await suite.usdc.balanceOf(holder.address)).to.equal(usdc(9_000));
    expect(await suite.usdc.allowance(holder.address, spender)).to.equal(0n);
    expect(await suite.usdc.nonces(holder.address)).to.equal(1n);
  });

  it("still mints when someone submitted the permit first (front-run)", async function () {
    const { suite, token, holder, other, spender } = await setUp();
    const p = await signPermit(suite.usdc, holder, spender, usdc(1_000));
    await suite.usdc.connect(other).permit(holder.address, spender, usdc(1_000), p.deadline, p.v, p.r, p.s);
    await expect(
      token.connect(holder).mintWithPermit(usdc(1_000), 0n, holder.address, p.deadline, p.v, p.r, p.s),
    ).to.emit(token, "Minted");
    expect(await suite.usdc.balanceOf(holder.address)).to.equal(usdc(9_000));
  });

  it("a permit signed by someone else, or for less, mints nothing: the allowance error, nothing changed", async function () {
    const { suite, token, holder, other, spender } = await setUp();
    const forged = await signPermit(suite.usdc, other, spender, usdc(1_000)); // signed by `other` for `holder`'s USDC
    await expect(
      token
        .connect(holder)
        .mintWithPermit(usdc(1_000), 0n, holder.address, forged.deadline, forged.v, forged.r, forged.s),
    ).to.be.revertedWithCustomError(suite.usdc, "ERC20InsufficientAllowance");
    const tooSmall = await signPermit(suite.usdc, holder, spender, usdc(999)); // the mint asks for 1,000
    await expect(
      token
        .connect(holder)
        .mintWithPermit(usdc(1_000), 0n, holder.address, tooSmall.deadline, tooSmall.v, tooSmall.r, tooSmall.s),
    ).to.be.revertedWithCustomError(suite.usdc, "ERC20InsufficientAllowance");
    expect(await token.balanceOf(holder.address)).to.equal(0n);
    expect(await suite.usdc.balanceOf(holder.address)).to.equal(usdc(10_000));
    expect(await suite.usdc.nonces(holder.address)).to.equal(0n);
  });

  it("the mint's own checks still apply (paused, slippage)", async function () {
    const { suite, token, holder, spender } = await setUp();
    const p = await signPermit(suite.usdc, holder, spender, usdc(1_000));
    const preview = await token.previewMint(usdc(1_000));
    await expect(
      token.connect(holder).mintWithPermit(usdc(1_000), preview * 2n, holder.address, p.deadline, p.v, p.r, p.s),
    ).to.be.revertedWithCustomError(token, "SlippageExceeded");
    await token.connect(suite.governor).setMintPaused(true);
    await expect(
      token.connect(holder).mintWithPermit(usdc(1_000), 0n, holder.address, p.deadline, p.v, p.r, p.s),
    ).to.be.revertedWithCustomError(token, "MintPaused");
  });
});
