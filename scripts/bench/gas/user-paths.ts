/**
 * The holder's paths, each next to its OpenZeppelin reference over the same USDC mock: mint / ERC-4626 deposit,
 * redeem, ERC-20 transfer and EIP-2612 permit.
 *
 * Fairness rules, applied to both sides of every comparison:
 * - steady state: the treasury, the venue, the keeper and the vault already hold balances, so a measured transaction
 *   only creates the storage a real user's first action would (a new holder's balance);
 * - before every measured transaction time advances by the same ADVANCE seconds and the feed is re-posted (Ballast
 *   needs a fresh oracle; the references do not care, but they see the same clock);
 * - approvals are unlimited on both sides (no allowance write), every transaction is a fresh one (cold access list).
 */
import type { ContractTransactionResponse } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { LeveragedToken, MockUSDC } from "../../../typechain-types";
import { usdc, wad } from "../../../config/parameters";
import { PERMIT_TYPES } from "../../../protocol/permit";
import { ADVANCE, type GasMeter, type Send } from "./meter";
import type { Suite } from "./suite";

/** First ever: the product and the vault have no supply yet (the product opens at target and locks dead shares, the
 *  vault just mints). The depositor's USDC balance stays non-zero on both sides. */
async function measureMints(m: GasMeter, s: Suite): Promise<void> {
  const { token, vault } = s;
  const { a, b, c } = s.wallets;
  await m.measure("mint.first", () => token.connect(a).mint(usdc(10_000), 0n, a.address));
  await m.measure("ref.deposit.first", () => vault.connect(a).deposit(usdc(10_000), a.address));
  // Warm-up so the treasury already holds streaming-fee shares (the product's steady state).
  await m.tick();
  await (await token.connect(b).mint(usdc(10_000), 0n, b.address)).wait();
  await (await vault.connect(b).deposit(usdc(10_000), b.address)).wait();
  // New holder: the receiver has no shares yet (one zero -> non-zero balance slot on both sides).
  await m.measure("mint.newHolder", () => token.connect(c).mint(usdc(10_000), 0n, c.address));
  await m.measure("ref.deposit.newHolder", () => vault.connect(c).deposit(usdc(10_000), c.address));
  // Existing holder: receiver already holds shares.
  await m.measure("mint.existing", () => token.connect(a).mint(usdc(10_000), 0n, a.address), "mint (existing holder)");
  await m.measure(
    "ref.deposit.existing",
    () => vault.connect(a).deposit(usdc(10_000), a.address),
    "ReferenceVault.deposit (existing holder)",
  );
}

/** Partial: half of the holder's shares (balance stays non-zero). Full: all of them (balance -> 0, a refund on both
 *  sides). The receiver's USDC balance is non-zero before on both sides. */
async function measureRedeems(m: GasMeter, s: Suite): Promise<void> {
  const { token, vault } = s;
  const { a, c } = s.wallets;
  const half = (await token.balanceOf(a.address)) / 2n;
  const vhalf = (await vault.balanceOf(a.address)) / 2n;
  await m.measure("redeem.partial", () => token.connect(a).redeem(half, 0n, a.address), "redeem (partial)");
  await m.measure(
    "ref.redeem.partial",
    () => vault.connect(a).redeem(vhalf, a.address, a.address),
    "ReferenceVault.redeem (partial)",
  );
  const allC = await token.balanceOf(c.address);
  const vallC = await vault.balanceOf(c.address);
  await m.measure("redeem.full", () => token.connect(c).redeem(allC, 0n, c.address));
  await m.measure("ref.redeem.full", () => vault.connect(c).redeem(vallC, c.address, c.address));
}

/** Sender keeps a non-zero balance; "new" = recipient had none, "existing" = recipient has some. */
async function measureTransfers(m: GasMeter, s: Suite): Promise<void> {
  const { token, refErc20 } = s;
  const { a, b, d } = s.wallets;
  await (await refErc20.mint(a.address, wad(1_000))).wait();
  await (await refErc20.mint(b.address, wad(1_000))).wait();
  await m.measure("transfer.newHolder", () => token.connect(a).transfer(d.address, wad(1)));
  await m.measure("ref.transfer.newHolder", () => refErc20.connect(a).transfer(d.address, wad(1)));
  await m.measure("transfer.existing", () => token.connect(a).transfer(b.address, wad(1)));
  await m.measure("ref.transfer.existing", () => refErc20.connect(a).transfer(b.address, wad(1)));
}

/** A permit of `value` from wallet e to wallet d, signed now (deadline 10 ADVANCE ahead), sent by d when called. */
async function signedPermit(
  hre: HardhatRuntimeEnvironment,
  s: Suite,
  contract: LeveragedToken | MockUSDC,
  value: bigint,
): Promise<Send> {
  const { d, e: owner } = s.wallets;
  const spender = d.address;
  const deadline = (await time.latest()) + 10 * ADVANCE;
  const domain = {
    name: await contract.name(),
    version: "1",
    chainId: (await hre.ethers.provider.getNetwork()).chainId,
    verifyingContract: await contract.getAddress(),
  };
  const nonce = await contract.nonces(owner.address);
  const sig = hre.ethers.Signature.from(
    await owner.signTypedData(domain, PERMIT_TYPES, { owner: owner.address, spender, value, nonce, deadline }),
  );
  return (): Promise<ContractTransactionResponse> =>
    contract.connect(d).permit(owner.address, spender, value, deadline, sig.v, sig.r, sig.s);
}

/** The reference is the USDC mock, OpenZeppelin's own ERC20Permit. Steady state on both sides: the owner's nonce is
 *  already non-zero and the allowance changes from one non-zero value to another. */
async function measurePermits(hre: HardhatRuntimeEnvironment, m: GasMeter, s: Suite): Promise<void> {
  await (await (await signedPermit(hre, s, s.token, 1n))()).wait();
  await (await (await signedPermit(hre, s, s.usdc, 1n))()).wait();
  const p1 = await signedPermit(hre, s, s.token, 2n);
  await m.measure("permit", p1);
  const p2 = await signedPermit(hre, s, s.usdc, 2n);
  await m.measure("ref.permit", p2);
}

export async function measureUserPaths(hre: HardhatRuntimeEnvironment, m: GasMeter, s: Suite): Promise<void> {
  await measureMints(m, s);
  await measureRedeems(m, s);
  await measureTransfers(m, s);
  await measurePermits(hre, m, s);
}
