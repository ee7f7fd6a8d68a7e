/**
 * What the gas bench measures on: the full local deployment (hardhat-deploy fixture) and, over the same USDC mock,
 * OpenZeppelin references (an ERC-20 and an ERC-4626 vault), in steady state: every wallet holds USDC and has approved
 * every product and the vault without limit, and the keeper and the treasury already hold USDC.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  LeveragedToken,
  MockUSDC,
  MockV3Aggregator,
  Rebalancer,
  ReferenceERC20,
  ReferenceVault,
} from "../../../typechain-types";
import { PRODUCT_SYMBOLS, usdc } from "../../../config/parameters";

export interface Suite {
  deployer: HardhatEthersSigner;
  /** The Timelock that owns the products and the Rebalancer, impersonated (a local simulation). */
  governor: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
  treasury: HardhatEthersSigner;
  /** The wallets that mint, redeem, transfer and sign permits. */
  wallets: {
    a: HardhatEthersSigner;
    b: HardhatEthersSigner;
    c: HardhatEthersSigner;
    d: HardhatEthersSigner;
    e: HardhatEthersSigner;
  };
  usdc: MockUSDC;
  /** The markets' Chainlink aggregator mocks: the bench posts prices through them. */
  feeds: { BTC: MockV3Aggregator; ETH: MockV3Aggregator };
  rebalancer: Rebalancer;
  products: Record<string, LeveragedToken>;
  /** BTC3L: the product every single-product path uses. */
  token: LeveragedToken;
  refErc20: ReferenceERC20;
  vault: ReferenceVault;
  /** Contract names by lower-case address, for the trace breakdown. */
  names: Map<string, string>;
}

/** Deploys everything, then the references; labels every address. */
async function deploySuite(hre: HardhatRuntimeEnvironment): Promise<Suite> {
  const { ethers, deployments } = hre;
  await deployments.fixture();
  const [deployer, keeper, treasury, , a, b, c, d, e] = await ethers.getSigners();
  const at = async <T>(name: string, contract: string): Promise<T> =>
    (await ethers.getContractAt(contract, (await deployments.get(name)).address)) as T;
  const usdcToken = await at<MockUSDC>("USDC", "MockUSDC");
  const feeds = {
    BTC: await at<MockV3Aggregator>("BTCUSDFeed", "MockV3Aggregator"),
    ETH: await at<MockV3Aggregator>("ETHUSDFeed", "MockV3Aggregator"),
  };
  const rebalancer = await at<Rebalancer>("Rebalancer", "Rebalancer");
  const products = {} as Record<string, LeveragedToken>;
  for (const s of PRODUCT_SYMBOLS) products[s] = await at<LeveragedToken>(s, "LeveragedToken");

  const refErc20 = (await (await ethers.getContractFactory("ReferenceERC20")).deploy()) as unknown as ReferenceERC20;
  const vault = (await (
    await ethers.getContractFactory("ReferenceVault")
  ).deploy(await usdcToken.getAddress())) as unknown as ReferenceVault;

  const names = new Map<string, string>();
  for (const [n, dep] of Object.entries(await deployments.all())) names.set(dep.address.toLowerCase(), n);
  names.set((await vault.getAddress()).toLowerCase(), "ReferenceVault");
  names.set((await refErc20.getAddress()).toLowerCase(), "ReferenceERC20");
  names.set("0x0000000000000000000000000000000000000001", "ecrecover");
  const wallets = { a, b, c, d, e };
  const token = products.BTC3L;
  const governorAddress = (await deployments.get("Timelock")).address;
  await hre.network.provider.request({ method: "hardhat_impersonateAccount", params: [governorAddress] });
  await hre.network.provider.request({
    method: "hardhat_setBalance",
    params: [governorAddress, "0x56bc75e2d63100000"],
  });
  return {
    deployer,
    governor: await ethers.getSigner(governorAddress),
    keeper,
    treasury,
    wallets,
    usdc: usdcToken,
    feeds,
    rebalancer,
    products,
    token,
    refErc20,
    vault,
    names,
  };
}

/**
 * The suite in steady state. `noStreamingFee` (an experiment) sets BTC3L's streaming fee to zero, to price the
 * per-transaction fee accrual.
 */
export async function setUpSuite(hre: HardhatRuntimeEnvironment, noStreamingFee: boolean): Promise<Suite> {
  const s = await deploySuite(hre);
  const vaultAddr = await s.vault.getAddress();
  // Every wallet holds USDC and has approved both the product and the vault without limit.
  for (const w of Object.values(s.wallets)) {
    await s.usdc.mint(w.address, usdc(10_000_000));
    await s.usdc.connect(w).approve(vaultAddr, hre.ethers.MaxUint256);
    for (const sym of PRODUCT_SYMBOLS)
      await s.usdc.connect(w).approve(await s.products[sym].getAddress(), hre.ethers.MaxUint256);
  }
  if (noStreamingFee) {
    const f = await s.token.fees();
    await (
      await s.token
        .connect(s.governor)
        .setFees({ mintFeeRate: f.mintFeeRate, redeemFeeRate: f.redeemFeeRate, streamingFeeRate: 0n })
    ).wait();
  }
  // Steady-state keeper and treasury: they already hold USDC.
  await s.usdc.mint(s.keeper.address, usdc(1));
  await s.usdc.mint(s.treasury.address, usdc(1));
  return s;
}
