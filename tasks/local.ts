/**
 * Local-only helpers for a development node; both refuse any live network before sending anything.
 *
 *   npx hardhat ballast:faucet --network localhost [--amount 10000] [--to 0x..|--account 0]
 *   npx hardhat ballast:price --network localhost --market BTC --set 65000     (or --move -12 for -12%)
 *   npx hardhat ballast:price --network localhost --market BTC,ETH --move -4   (several markets by the same move)
 *
 * ballast:price sets the market's mock Chainlink feed; with the real-venue market deployed (`npm run node`: the
 * market has a Uniswap v3 pool) it moves the market as scripts/market/mover.ts does, feed and pool together (the pool
 * arbitraged to the new price), or the Aave venues' oracle bound would refuse every trade after the move.
 */
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatUnits, isAddress } from "ethers";
import { actionName, isAction } from "../protocol/actions";
import { productInfo, type MarketSymbol } from "../protocol/products";
import { formatAmount } from "../protocol/format";
import {
  BallastTaskError,
  amountText,
  assertLocal,
  loadSuite,
  protocolContracts,
  resolveMarket,
  withTaskErrors,
  type Suite,
} from "./lib";
import { parseAmount } from "./holder";
import { mockFeed, mockUsdc } from "./mocks";

task("ballast:faucet", "Mint test USDC to an account (local networks only)")
  .addOptionalParam("amount", "USDC to mint", "10000")
  .addOptionalParam("to", "recipient address (default: --account)")
  .addOptionalParam("account", "index of the recipient account", 0, types.int)
  .setAction(
    withTaskErrors("ballast:faucet", async (args: { amount: string; to?: string; account: number }, hre) => {
      await assertLocal(hre, "ballast:faucet");
      const suite = await loadSuite(hre);
      const signers = await hre.ethers.getSigners();
      let to: string;
      if (args.to !== undefined) {
        if (!isAddress(args.to)) throw new BallastTaskError(`--to must be an address, got "${args.to}"`);
        to = args.to;
      } else {
        const signer = signers[args.account];
        if (!signer)
          throw new BallastTaskError(`--account ${args.account}: this network has ${signers.length} account(s)`);
        to = signer.address;
      }
      const decimals = Number(await suite.usdc.decimals());
      const amount = parseAmount(args.amount, decimals, "--amount");
      await (await (await mockUsdc(hre, signers[0])).mint(to, amount)).wait();
      console.log(
        `minted ${amountText(amount, decimals, "USDC")} to ${to}; balance ${amountText(await suite.usdc.balanceOf(to), decimals, "USDC")}`,
      );
    }),
  );

/** A decimal percentage such as "-12" or "2.5" as a signed fraction in parts per million. */
function parseMovePpm(raw: string): bigint {
  const m = /^([+-]?)(\d+)(?:\.(\d{1,4}))?$/.exec(raw.trim());
  if (!m) throw new BallastTaskError(`--move must be a percentage such as -12 or 2.5, got "${raw}"`);
  const ppm = BigInt(m[2]) * 10_000n + BigInt((m[3] ?? "").padEnd(4, "0"));
  if (ppm >= 1_000_000n && m[1] === "-") throw new BallastTaskError("--move cannot take the price to zero or below");
  return m[1] === "-" ? -ppm : ppm;
}

/** The market's Uniswap v3 pool deployment, when the real-venue market is deployed; else null. */
async function marketPool(hre: HardhatRuntimeEnvironment, market: MarketSymbol): Promise<string | null> {
  const [{ BASE_TOKEN }, { poolDeploymentName }] = await Promise.all([
    import("../config/aave"),
    import("../config/uniswap"),
  ]);
  const name = poolDeploymentName(BASE_TOKEN[market]);
  return (await hre.deployments.getOrNull(name)) ? name : null;
}

/** Moves one market to `next` (feed answer units): feed and pool with real venues, else the feed; prints the result. */
async function setMarketPrice(
  hre: HardhatRuntimeEnvironment,
  suite: Suite,
  market: MarketSymbol,
  next: (before: bigint, decimals: number) => bigint,
): Promise<void> {
  const feed = await mockFeed(hre, market, (await hre.ethers.getSigners())[0]);
  const decimals = Number(await feed.decimals());
  const before = await feed.latestAnswer();
  const answer = next(before, decimals);
  if (answer <= 0n) throw new BallastTaskError("the new price must be positive");
  const pool = await marketPool(hre, market);
  let poolNote = "";
  if (pool) {
    // Feed and pool together: the arbitrageur swaps the pool to the new price.
    const { movePrice } = await import("../scripts/market/mover");
    const moved = await movePrice(hre, market, answer);
    const swaps = `${moved.swaps} swap${moved.swaps === 1 ? "" : "s"}`;
    poolNote = `; ${pool} $${formatAmount(moved.after.answer, decimals, 2)} (${swaps})`;
  } else {
    await (await feed.updateAnswer(answer)).wait();
  }
  const change = Number(((answer - before) * 1_000_000n) / before) / 10_000;
  console.log(
    `${market}/USD $${formatAmount(before, decimals, 2)} -> $${formatAmount(answer, decimals, 2)} (${change >= 0 ? "+" : ""}${change.toFixed(2)}%)${poolNote}`,
  );
  for (const [symbol, token] of suite.products) {
    if (productInfo(symbol).market !== market) continue;
    const address = await token.getAddress();
    const [action, leverage] = await Promise.all([suite.rebalancer.shouldRebalance(address), token.currentLeverage()]);
    const lev = leverage === 0n ? "-" : `${Number(formatUnits(leverage, 18)).toFixed(2)}x`;
    console.log(`  ${symbol}: leverage ${lev}, due ${isAction(action) ? actionName(action) : String(action)}`);
  }
}

task("ballast:price", "Set a market's mock Chainlink price, and its Uniswap pool's with real venues (local only)")
  .addParam("market", "BTC or ETH (with --move, several: BTC,ETH)")
  .addOptionalParam("set", "new price in USD, e.g. 65000")
  .addOptionalParam("move", "relative move in percent instead, e.g. -12")
  .setAction(
    withTaskErrors("ballast:price", async (args: { market: string; set?: string; move?: string }, hre) => {
      // Every module first, before the first RPC call: loading them between calls can stall a busy process long
      // enough for the node to close the idle keep-alive socket under the next request ("other side closed").
      await Promise.all([
        protocolContracts(),
        import("../typechain-types"), // the mocks' factories (./mocks.ts)
        import("../scripts/market/mover"),
        import("../config/aave"),
        import("../config/uniswap"),
      ]);
      await assertLocal(hre, "ballast:price");
      const markets = [...new Set(args.market.split(",").map(resolveMarket))];
      if ((args.set === undefined) === (args.move === undefined))
        throw new BallastTaskError("give exactly one of --set <usd> or --move <pct>");
      if (args.set !== undefined && markets.length > 1)
        throw new BallastTaskError("--set takes one market (the price is in its units); --move takes several");
      const ppm = args.move === undefined ? null : parseMovePpm(args.move);
      const suite = await loadSuite(hre);
      for (const market of markets) {
        await setMarketPrice(hre, suite, market, (before, decimals) =>
          ppm === null ? parseAmount(args.set ?? "", decimals, "--set") : (before * (1_000_000n + ppm)) / 1_000_000n,
        );
      }
    }),
  );
