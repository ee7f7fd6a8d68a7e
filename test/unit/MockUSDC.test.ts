import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Signature, TypedDataDomain } from "ethers";
import type { MockUSDC } from "../../typechain-types";
import { PERMIT_TYPES } from "../../protocol";

const NAME = "USD Coin (Ballast mock)";
const MAX_FAUCET_MINT = 10n ** 15n; // 1 billion USDC

interface UsdcFixture {
  readonly usdc: MockUSDC;
  readonly holder: HardhatEthersSigner;
  readonly spender: HardhatEthersSigner;
  readonly other: HardhatEthersSigner;
}

async function usdcFixture(): Promise<UsdcFixture> {
  const [, holder, spender, other] = await ethers.getSigners();
  const usdc = await (await ethers.getContractFactory("MockUSDC")).deploy();
  return { usdc, holder, spender, other };
}

async function domainOf(usdc: MockUSDC): Promise<TypedDataDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return { name: NAME, version: "1", chainId, verifyingContract: await usdc.getAddress() };
}

async function signPermit(
  usdc: MockUSDC,
  signer: HardhatEthersSigner,
  owner: string,
  spender: string,
  value: bigint,
  nonce: bigint,
  deadline: bigint,
): Promise<Signature> {
  const raw = await signer.signTypedData(await domainOf(usdc), PERMIT_TYPES, {
    owner,
    spender,
    value,
    nonce,
    deadline,
  });
  return ethers.Signature.from(raw);
}

describe("MockUSDC", function () {
  describe("metadata", function () {
    it("has 6 decimals, the USDC symbol and no initial supply", async function () {
      const { usdc } = await loadFixture(usdcFixture);
      expect(await usdc.decimals()).to.equal(6n);
      expect(await usdc.symbol()).to.equal("USDC");
      expect(await usdc.name()).to.equal(NAME);
      expect(await usdc.totalSupply()).to.equal(0n);
    });
  });

  describe("#mint", function () {
    it("lets anyone mint to any address", async function () {
      const { usdc, holder, other } = await loadFixture(usdcFixture);
      await expect(usdc.connect(other).mint(holder.address, 1_234_567n)).to.changeTokenBalance(
        usdc,
        holder,
        1_234_567n,
      );
      expect(await usdc.totalSupply()).to.equal(1_234_567n);
    });

    it("emits Transfer from the zero address", async function () {
      const { usdc, holder } = await loadFixture(usdcFixture);
      await expect(usdc.mint(holder.address, 5n))
        .to.emit(usdc, "Transfer")
        .withArgs(ethers.ZeroAddress, holder.address, 5n);
    });

    it("mints exactly the faucet limit in one call", async function () {
      const { usdc, holder } = await loadFixture(usdcFixture);
      expect(await usdc.MAX_FAUCET_MINT()).to.equal(MAX_FAUCET_MINT);
      await expect(usdc.mint(holder.address, MAX_FAUCET_MINT)).to.changeTokenBalance(usdc, holder, MAX_FAUCET_MINT);
    });

    it("reverts FaucetLimitExceeded one unit above the limit", async function () {
      const { usdc, holder } = await loadFixture(usdcFixture);
      await expect(usdc.mint(holder.address, MAX_FAUCET_MINT + 1n))
        .to.be.revertedWithCustomError(usdc, "FaucetLimitExceeded")
        .withArgs(MAX_FAUCET_MINT + 1n, MAX_FAUCET_MINT);
    });

    it("reverts ERC20InvalidReceiver when minting to the zero address", async function () {
      const { usdc } = await loadFixture(usdcFixture);
      await expect(usdc.mint(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(usdc, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("#permit", function () {
    it("exposes the EIP-712 domain separator of (name, version 1, chain id, address)", async function () {
      const { usdc } = await loadFixture(usdcFixture);
      expect(await usdc.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(await domainOf(usdc)));
    });

    it("sets the allowance from an off-chain signature and lets the spender use it", async function () {
      const { usdc, holder, spender, other } = await loadFixture(usdcFixture);
      await usdc.mint(holder.address, 1_000_000n);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signPermit(usdc, holder, holder.address, spender.address, 400_000n, 0n, deadline);

      // Anyone may submit the signature; the holder pays no gas.
      await expect(usdc.connect(other).permit(holder.address, spender.address, 400_000n, deadline, sig.v, sig.r, sig.s))
        .to.emit(usdc, "Approval")
        .withArgs(holder.address, spender.address, 400_000n);
      expect(await usdc.allowance(holder.address, spender.address)).to.equal(400_000n);
      expect(await usdc.nonces(holder.address)).to.equal(1n);

      await expect(usdc.connect(spender).transferFrom(holder.address, other.address, 400_000n)).to.changeTokenBalances(
        usdc,
        [holder, other],
        [-400_000n, 400_000n],
      );
    });

    it("rejects replaying a used signature with ERC2612InvalidSigner", async function () {
      const { usdc, holder, spender } = await loadFixture(usdcFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signPermit(usdc, holder, holder.address, spender.address, 1n, 0n, deadline);
      await usdc.permit(holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s);
      await expect(
        usdc.permit(holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(usdc, "ERC2612InvalidSigner");
    });

    it("rejects a signature by someone other than the owner with ERC2612InvalidSigner", async function () {
      const { usdc, holder, spender, other } = await loadFixture(usdcFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signPermit(usdc, other, holder.address, spender.address, 1n, 0n, deadline);
      await expect(usdc.permit(holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(usdc, "ERC2612InvalidSigner")
        .withArgs(other.address, holder.address);
    });

    it("rejects an expired permit with ERC2612ExpiredSignature", async function () {
      const { usdc, holder, spender } = await loadFixture(usdcFixture);
      const deadline = BigInt(await time.latest()) + 60n;
      const sig = await signPermit(usdc, holder, holder.address, spender.address, 1n, 0n, deadline);
      await time.increaseTo(deadline + 1n);
      await expect(usdc.permit(holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(usdc, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });
  });
});
