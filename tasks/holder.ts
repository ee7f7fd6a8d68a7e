/**
 * Holder tasks: mint and redeem with a slippage bound taken from the contract's own preview.
 *
 *   npx hardhat ballast:mint --network localhost --product BTC3L --amount 1000 [--slippage 0.5] [--account 0]
 *   npx hardhat ballast:redeem --network localhost --product BTC3L --shares all|<n> [--slippage 0.5] [--account 0]
 *
 * --slippage is in percent, as on the page (0.5 = 0.5%). Nothing is approved or sent that the preview says cannot
 * succeed; a failure prints once, as a sentence (see `withTaskErrors`).
 */
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { parseUnits } from "ethers";
import {
  BallastTaskError,
  SLIPPAGE_HELP,
  amountText,
  availableProducts,
  explainTxError,
  formatSlippagePct,
  loadSuite,
  minOutWithSlippage,
  parseSlippagePct,
  resolveProduct,
  withTaskErrors,
} from "./lib";

async function signerAt(hre: HardhatRuntimeEnvironment, index: number): Promise<HardhatEthersSigner> {
  const signers = await hre.ethers.getSigners();
  const signer = signers[index];
  if (!signer) throw new BallastTaskError(`--account ${index}: this network has ${signers.length} account(s)`);
  return signer;
}

/** A positive decimal amount with at most `decimals` fraction digits, in base units. */
export function parseAmount(raw: string, decimals: number, what: string): bigint {
  const s = raw.trim();
  if (!/^\d+(\.\d+)?$/.test(s)) throw new BallastTaskError(`${what} must be a positive decimal number, got "${raw}"`);
  const frac = s.split(".")[1] ?? "";
  if (frac.length > decimals) throw new BallastTaskError(`${what} has more than ${decimals} decimals: "${raw}"`);
  const value = parseUnits(s, decimals);
  if (value === 0n) throw new BallastTaskError(`${what} must be greater than zero`);
  return value;
}

interface HolderArgs {
  product: string;
  slippage: string;
  account: number;
}

task("ballast:mint", "Approve USDC and mint a product, bounded by previewMint minus --slippage (percent)")
  .addParam("product", "product symbol, e.g. BTC3L")
  .addParam("amount", "USDC to pay in, e.g. 1000")
  .addOptionalParam("slippage", `${SLIPPAGE_HELP} below previewMint`, "0.5")
  .addOptionalParam("account", "index of the paying account", 0, types.int)
  .setAction(
    withTaskErrors("ballast:mint", async (args: HolderArgs & { amount: string }, hre) => {
      const suite = await loadSuite(hre);
      const symbol = resolveProduct(args.product, await availableProducts(hre));
      const token = suite.products.get(symbol);
      if (!token) throw new BallastTaskError(`product ${symbol} is not deployed`);
      const bps = parseSlippagePct(args.slippage);
      const decimals = Number(await suite.usdc.decimals());
      const usdc = (x: bigint): string => amountText(x, decimals, "USDC");
      const shares18 = (x: bigint): string => amountText(x, 18, symbol);
      const amount = parseAmount(args.amount, decimals, "--amount");
      const signer = await signerAt(hre, args.account);
      const tokenAddress = await token.getAddress();

      const balance = await suite.usdc.balanceOf(signer.address);
      if (balance < amount) {
        const hint = hre.network.live ? "" : "; get test USDC with `npx hardhat ballast:faucet --network localhost`";
        throw new BallastTaskError(
          `insufficient USDC: ${signer.address} has ${usdc(balance)}, needs ${usdc(amount)}${hint}`,
        );
      }
      // The preview first: nothing is approved for a mint the contract says cannot succeed.
      let preview: bigint;
      try {
        preview = await token.previewMint(amount);
      } catch (err) {
        throw new BallastTaskError(
          `cannot mint ${symbol} for ${usdc(amount)}: ${explainTxError(err, suite.errors, { outSymbol: symbol, outDecimals: 18 })}`,
        );
      }
      if (preview === 0n) {
        throw new BallastTaskError(
          `cannot mint ${symbol} for ${usdc(amount)}: That amount is too small to mint any tokens.`,
        );
      }
      const minShares = minOutWithSlippage(preview, bps);
      const allowance = await suite.usdc.allowance(signer.address, tokenAddress);
      if (allowance < amount) {
        await (await suite.usdc.connect(signer).approve(tokenAddress, amount)).wait();
        console.log(`approved ${usdc(amount)} for ${symbol}`);
      }
      try {
        // Simulate first: a failure is explained before anything is sent.
        await token.connect(signer).mint.staticCall(amount, minShares, signer.address);
        const receipt = await (await token.connect(signer).mint(amount, minShares, signer.address)).wait();
        const minted = receipt?.logs.map((l) => token.interface.parseLog(l)).find((e) => e?.name === "Minted");
        const shares = (minted?.args.shares as bigint | undefined) ?? 0n;
        const fee = (minted?.args.fee as bigint | undefined) ?? 0n;
        console.log(
          `minted ${shares18(shares)} for ${usdc(amount)} ` +
            `(fee ${usdc(fee)}; preview ${shares18(preview)}, minimum ${shares18(minShares)} at ${formatSlippagePct(bps)} slippage) ` +
            `in tx ${receipt?.hash ?? "?"}`,
        );
      } catch (err) {
        throw new BallastTaskError(
          `mint ${symbol} failed: ${explainTxError(err, suite.errors, { outSymbol: symbol, outDecimals: 18 })}`,
        );
      }
    }),
  );

task("ballast:redeem", "Redeem product shares for USDC, bounded by previewRedeem minus --slippage (percent)")
  .addParam("product", "product symbol, e.g. BTC3L")
  .addParam("shares", "shares to redeem: a number (18 decimals) or `all`")
  .addOptionalParam("slippage", `${SLIPPAGE_HELP} below previewRedeem`, "0.5")
  .addOptionalParam("account", "index of the redeeming account", 0, types.int)
  .setAction(
    withTaskErrors("ballast:redeem", async (args: HolderArgs & { shares: string }, hre) => {
      const suite = await loadSuite(hre);
      const symbol = resolveProduct(args.product, await availableProducts(hre));
      const token = suite.products.get(symbol);
      if (!token) throw new BallastTaskError(`product ${symbol} is not deployed`);
      const bps = parseSlippagePct(args.slippage);
      const shares18 = (x: bigint): string => amountText(x, 18, symbol);
      const signer = await signerAt(hre, args.account);
      const balance = await token.balanceOf(signer.address);
      const shares = args.shares.trim().toLowerCase() === "all" ? balance : parseAmount(args.shares, 18, "--shares");
      if (shares === 0n) throw new BallastTaskError(`${signer.address} holds no ${symbol}`);
      if (shares > balance) {
        throw new BallastTaskError(
          `insufficient ${symbol}: ${signer.address} holds ${shares18(balance)}, asked to redeem ${shares18(shares)}`,
        );
      }
      const decimals = Number(await suite.usdc.decimals());
      const usdc = (x: bigint): string => amountText(x, decimals, "USDC");
      let preview: bigint;
      try {
        preview = await token.previewRedeem(shares);
      } catch (err) {
        throw new BallastTaskError(
          `cannot redeem ${shares18(shares)}: ${explainTxError(err, suite.errors, { outSymbol: "USDC", outDecimals: decimals })}`,
        );
      }
      if (preview === 0n) {
        throw new BallastTaskError(`cannot redeem ${shares18(shares)}: it would pay nothing (0 USDC).`);
      }
      const minOut = minOutWithSlippage(preview, bps);
      try {
        await token.connect(signer).redeem.staticCall(shares, minOut, signer.address);
        const receipt = await (await token.connect(signer).redeem(shares, minOut, signer.address)).wait();
        const redeemed = receipt?.logs.map((l) => token.interface.parseLog(l)).find((e) => e?.name === "Redeemed");
        const out = (redeemed?.args.collateralOut as bigint | undefined) ?? 0n;
        const fee = (redeemed?.args.fee as bigint | undefined) ?? 0n;
        console.log(
          `redeemed ${shares18(shares)} for ${usdc(out)} ` +
            `(fee ${usdc(fee)}; preview ${usdc(preview)}, minimum ${usdc(minOut)} at ${formatSlippagePct(bps)} slippage) ` +
            `in tx ${receipt?.hash ?? "?"}`,
        );
      } catch (err) {
        throw new BallastTaskError(
          `redeem ${symbol} failed: ${explainTxError(err, suite.errors, { outSymbol: "USDC", outDecimals: decimals })}`,
        );
      }
    }),
  );
