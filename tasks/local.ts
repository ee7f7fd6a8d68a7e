/**
 * Local-only helpers for a development node; both refuse any live network before sending anything.
 *
 *   npx hardhat ballast:faucet --network localhost [--amount 10000] [--to 0x..|--account 0]
 *   npx hardhat ballast:price --network localhost --market BTC --set 65000     (or --move -12 for -12%)
 */
import { task, types } from "hardhat/config";
import { formatUnits, isAddress } from "ethers";
import { actionName, isAction } from "../protocol/actions";
import { productInfo } from "../protocol/products";
import { formatAmount } from "../protocol/format";
import {
  BallastTaskError,
  amountText,
  assertLocal,
  availableProducts,
  loadSuite,
  resolveMarket,
  withTaskErrors,
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

task("ballast:price", "Set a market's mock Chainlink price (local networks only)")
  .addParam("market", "BTC or ETH")
  .addOptionalParam("set", "new price in USD, e.g. 65000")
  .addOptionalParam("move", "relative move in percent instead, e.g. -12")
  .setAction(
    withTaskErrors("ballast:price", async (args: { market: string; set?: string; move?: string }, hre) => {
      await assertLocal(hre, "ballast:price");
      const market = resolveMarket(args.market);
      if ((args.set === undefined) === (args.move === undefined))
        throw new BallastTaskError("give exactly one of --set <usd> or --move <pct>");
      const suite = await loadSuite(hre);
      const feed = await mockFeed(hre, market, (await hre.ethers.getSigners())[0]);
      const decimals = Number(await feed.decimals());
      const before = await feed.latestAnswer();
      let next: bigint;
      if (args.set !== undefined) {
        next = parseAmount(args.set, decimals, "--set");
      } else {
        next = (before * (1_000_000n + parseMovePpm(args.move ?? "0"))) / 1_000_000n;
      }
      if (next <= 0n) throw new BallastTaskError("the new price must be positive");
      await (await feed.updateAnswer(next)).wait();
      const change = Number(((next - before) * 1_000_000n) / before) / 10_000;
      console.log(
        `${market}/USD $${formatAmount(before, decimals, 2)} -> $${formatAmount(next, decimals, 2)} (${change >= 0 ? "+" : ""}${change.toFixed(2)}%)`,
      );
      for (const symbol of await availableProducts(hre)) {
        if (productInfo(symbol).market !== market) continue;
        const token = suite.products.get(symbol);
        if (!token) continue;
        const address = await token.getAddress();
        const [action, leverage] = await Promise.all([
          suite.rebalancer.shouldRebalance(address),
          token.currentLeverage(),
        ]);
        const lev = leverage === 0n ? "-" : `${Number(formatUnits(leverage, 18)).toFixed(2)}x`;
        console.log(`  ${symbol}: leverage ${lev}, due ${isAction(action) ? actionName(action) : String(action)}`);
      }
    }),
  );
