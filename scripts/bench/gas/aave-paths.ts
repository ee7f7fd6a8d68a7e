/**
 * The same user and keeper paths on the money-market venue (issue 14, item 8): AaveETH2L on Aave v3 + Uniswap v3
 * from their npm bytecode (`deployRealVenues`), measured after the perp figures in a fixture of its own. A trade is a
 * Uniswap flash swap whose callback supplies, repays, withdraws or borrows on Aave, so these figures include the
 * swap and two to four Aave calls; they sit beside the perp venue's rows, without a target.
 *
 * Same clock rule as the perp rows: ADVANCE seconds before every measured transaction, the feed re-posted (through
 * the market mover, so the pool stays at the oracle price).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { LeveragedToken, MockUSDC, Rebalancer } from "../../../typechain-types";
import { usdc } from "../../../config/parameters";
import { Action } from "../../../protocol/actions";
import { deployRealVenues } from "../../market/realVenues";
import { movePrice, movePriceBy } from "../../market/mover";
import { ADVANCE } from "./meter";

/** The Aave product every Aave row uses. */
export const AAVE_BENCH_PRODUCT = "AaveETH2L";

async function gasOf(send: () => Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await send()).wait();
  if (!receipt || receipt.status !== 1) throw new Error("measured transaction failed");
  return Number(receipt.gasUsed);
}

/** Measures aave.mint.first / .newHolder / .existing, aave.redeem.partial / .full and aave.rebalance.normal. */
export async function measureAavePaths(hre: HardhatRuntimeEnvironment): Promise<Record<string, number>> {
  const { ethers, deployments } = hre;
  await deployRealVenues(deployments);
  const [, keeper, , , a, b, c] = await ethers.getSigners();
  const at = async <T>(name: string, contract: string): Promise<T> =>
    (await ethers.getContractAt(contract, (await deployments.get(name)).address)) as T;
  const token = await at<LeveragedToken>(AAVE_BENCH_PRODUCT, "LeveragedToken");
  const collateral = await at<MockUSDC>("USDC", "MockUSDC");
  const rebalancer = await at<Rebalancer>("Rebalancer", "Rebalancer");
  const feed = await ethers.getContractAt("MockV3Aggregator", (await deployments.get("ETHUSDFeed")).address);
  for (const w of [a, b, c]) {
    await (await collateral.mint(w.address, usdc(10_000_000))).wait();
    await (await collateral.connect(w).approve(await token.getAddress(), ethers.MaxUint256)).wait();
  }
  await (await collateral.mint(keeper.address, usdc(1))).wait();

  const gas: Record<string, number> = {};
  const measure = async (key: string, send: () => Promise<ContractTransactionResponse>): Promise<void> => {
    await time.increase(ADVANCE);
    await movePrice(hre, "ETH", await feed.latestAnswer());
    gas[key] = await gasOf(send);
  };
  await measure("aave.mint.first", () => token.connect(a).mint(usdc(10_000), 0n, a.address));
  await (await token.connect(b).mint(usdc(10_000), 0n, b.address)).wait();
  await measure("aave.mint.newHolder", () => token.connect(c).mint(usdc(10_000), 0n, c.address));
  await measure("aave.mint.existing", () => token.connect(a).mint(usdc(10_000), 0n, a.address));
  const half = (await token.balanceOf(a.address)) / 2n;
  await measure("aave.redeem.partial", () => token.connect(a).redeem(half, 0n, a.address));
  const all = await token.balanceOf(c.address);
  await measure("aave.redeem.full", () => token.connect(c).redeem(all, 0n, c.address));

  // Due: ETH falls 15%, AaveETH2L leaves its band (2.25x) without reaching the ripcord (3x).
  await (await token.connect(b).mint(usdc(100_000), 0n, b.address)).wait();
  await movePriceBy(hre, "ETH", -1_500);
  await time.increase(60);
  const tokenAddress = await token.getAddress();
  if ((await rebalancer.shouldRebalance(tokenAddress)) !== BigInt(Action.REBALANCE)) {
    const [size, equity, price] = await token.positionSnapshot();
    throw new Error(
      `${AAVE_BENCH_PRODUCT} is not due a REBALANCE after a 15% fall: action ${await rebalancer.shouldRebalance(tokenAddress)}, size ${size}, equity ${equity}, price ${price}`,
    );
  }
  const due = await takeSnapshot();
  gas["aave.rebalance.normal"] = await gasOf(() => rebalancer.connect(keeper).rebalance(tokenAddress));
  await due.restore();
  return gas;
}
