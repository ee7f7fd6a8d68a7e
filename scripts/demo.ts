/**
 * The main job: a local demo on the in-process Hardhat network.
 * A holder mints BTC3L and another BTC3S with USDC; BTC walks down 15% then up 20% in 1% steps (one oracle update
 * per step); after every update a keeper asks the Rebalancer what is due and acts; each step prints price, NAV,
 * leverage and the keeper's action. At the end both holders redeem everything and the table shows what they got.
 *
 *   npm run demo
 */
import { deployments, ethers } from "hardhat";
import { formatUnits } from "ethers";
import type { LeveragedToken, MockUSDC, MockV3Aggregator, Rebalancer } from "../typechain-types";
import { usdc } from "../config/parameters";

const ACTIONS = ["-", "REBALANCE", "ITERATE", "RIPCORD"] as const;
const fmt = (x: bigint, decimals: number, digits = 4): string => Number(formatUnits(x, decimals)).toFixed(digits);

async function main(): Promise<void> {
  const started = Date.now();
  await deployments.fixture();
  const [, keeper, , , alice, bob] = await ethers.getSigners();
  const get = async <T>(name: string, contract: string): Promise<T> =>
    (await ethers.getContractAt(contract, (await deployments.get(name)).address)) as T;
  const usdcToken = await get<MockUSDC>("USDC", "MockUSDC");
  const feed = await get<MockV3Aggregator>("BTCUSDFeed", "MockV3Aggregator");
  const rebalancer = await get<Rebalancer>("Rebalancer", "Rebalancer");
  const long = await get<LeveragedToken>("BTC3L", "LeveragedToken");
  const short = await get<LeveragedToken>("BTC3S", "LeveragedToken");

  const deposit = usdc(10_000);
  for (const [who, token] of [
    [alice, long],
    [bob, short],
  ] as const) {
    await usdcToken.mint(who.address, deposit);
    await usdcToken.connect(who).approve(await token.getAddress(), deposit);
    await token.connect(who).mint(deposit, 0, who.address);
  }
  console.log(`alice minted BTC3L and bob minted BTC3S with ${fmt(deposit, 6, 2)} USDC each\n`);

  const header = ["step", "BTC price", "BTC3L NAV", "lev", "action", "BTC3S NAV", "lev", "action"];
  const widths = [5, 11, 10, 6, 10, 10, 6, 10];
  const row = (cells: string[]) => console.log(cells.map((c, i) => c.padStart(widths[i])).join("  "));
  row(header);

  let price = (await feed.latestAnswer()) as bigint;
  const path = [...Array(15).fill(-1), ...Array(20).fill(1)] as number[]; // percent per step
  for (let i = 0; i <= path.length; i++) {
    if (i > 0) {
      price = (price * BigInt(100 + path[i - 1])) / 100n;
      await feed.updateAnswer(price);
    }
    const cells = [String(i), fmt(price, 8, 2)];
    for (const token of [long, short]) {
      const addr = await token.getAddress();
      let action = Number(await rebalancer.shouldRebalance(addr));
      const taken: string[] = [];
      while (action !== 0) {
        const tx = action === 3 ? rebalancer.connect(keeper).ripcord(addr) : rebalancer.connect(keeper).rebalance(addr);
        await (await tx).wait();
        taken.push(ACTIONS[action]);
        action = Number(await rebalancer.shouldRebalance(addr));
      }
      cells.push(fmt(await token.navPerShare(), 18), fmt(await token.currentLeverage(), 18, 2), taken.join("+") || "-");
    }
    row(cells);
  }

  console.log("\nholders redeem everything:");
  row(["", "holder", "token", "", "paid in", "got back", "return", ""]);
  for (const [name, who, token] of [
    ["alice", alice, long],
    ["bob", bob, short],
  ] as const) {
    const shares = await token.balanceOf(who.address);
    const before = await usdcToken.balanceOf(who.address);
    await (await token.connect(who).redeem(shares, 0, who.address)).wait();
    const got = (await usdcToken.balanceOf(who.address)) - before;
    const ret = (Number(got) / Number(deposit) - 1) * 100;
    row(["", name, await token.symbol(), "", fmt(deposit, 6, 2), fmt(got, 6, 2), `${ret.toFixed(2)}%`, ""]);
  }
  const move = (Number(price) / Number(60_000n * 10n ** 8n) - 1) * 100;
  console.log(
    `\nBTC moved ${move.toFixed(2)}% over the path (0.85 x 1.01^20); 3x of that would be ${(3 * move).toFixed(2)}%.`,
  );
  console.log("The difference is volatility decay, fees and trading costs, in the numbers above.");
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
