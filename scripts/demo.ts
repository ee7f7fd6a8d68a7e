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
import { MockUSDC__factory, MockV3Aggregator__factory } from "../typechain-types";
import { Action, actionMethod, actionName, connectRebalancer, connectToken, toAction } from "../protocol";
import { usdc } from "../config/parameters";

const fmt = (x: bigint, decimals: number, digits = 4): string => Number(formatUnits(x, decimals)).toFixed(digits);

async function main(): Promise<void> {
  const started = Date.now();
  await deployments.fixture();
  const [deployer, keeper, , , alice, bob] = await ethers.getSigners();
  const address = async (name: string): Promise<string> => (await deployments.get(name)).address;
  // The local mocks: the USDC faucet and the Chainlink feed the demo moves.
  const usdcToken = MockUSDC__factory.connect(await address("USDC"), deployer);
  const feed = MockV3Aggregator__factory.connect(await address("BTCUSDFeed"), deployer);
  const rebalancer = connectRebalancer(await address("Rebalancer"), keeper);
  const long = connectToken(await address("BTC3L"), deployer);
  const short = connectToken(await address("BTC3S"), deployer);

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
      let action = toAction(await rebalancer.shouldRebalance(addr));
      const taken: string[] = [];
      while (action !== Action.NONE) {
        await (await rebalancer[actionMethod(action)](addr)).wait();
        taken.push(actionName(action));
        action = toAction(await rebalancer.shouldRebalance(addr));
      }
      cells.push(fmt(await token.navPerShare(), 18), fmt(await token.currentLeverage(), 18, 2), taken.join("+") || "-");
    }
    row(cells);
  }

  console.log("\nholders redeem everything:");
  row(["", "holder", "token", "", "paid in", "got back", "return", ""]);
  for (const [name, who, token, symbol] of [
    ["alice", alice, long, "BTC3L"],
    ["bob", bob, short, "BTC3S"],
  ] as const) {
    const shares = await token.balanceOf(who.address);
    const before = await usdcToken.balanceOf(who.address);
    await (await token.connect(who).redeem(shares, 0, who.address)).wait();
    const got = (await usdcToken.balanceOf(who.address)) - before;
    const ret = (Number(got) / Number(deposit) - 1) * 100;
    row(["", name, symbol, "", fmt(deposit, 6, 2), fmt(got, 6, 2), `${ret.toFixed(2)}%`, ""]);
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
