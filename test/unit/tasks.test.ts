/** The ballast:* tasks on the in-process network: happy paths and the errors a holder or operator will meet. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect } from "chai";
import { formatUnits } from "ethers";
import hre, { deployments, ethers, getNamedAccounts } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { connectOracle, connectRebalancer, connectToken, venueOf } from "../../protocol";
import { amountText } from "../../tasks/lib";
import { ageText, agoText, staleSentence } from "../../tasks/status";
import { underCoverage } from "../helpers/coverage";

/** Runs a task and returns what it printed. */
async function run(task: string, args: Record<string, unknown> = {}): Promise<string> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.map(String).join(" "));
  try {
    await hre.run(task, args);
  } finally {
    console.log = original;
  }
  return lines.join("\n");
}

/**
 * Runs a task as the command line does (its name in process.argv) and returns everything it wrote, stdout and stderr,
 * and the exit code it set.
 */
async function runAsCli(task: string, args: Record<string, unknown>): Promise<{ output: string[]; exitCode: number }> {
  const output: string[] = [];
  const saved = { argv: process.argv, log: console.log, error: console.error, write: process.stderr.write };
  process.argv = [saved.argv[0], "hardhat", task];
  console.log = (...parts: unknown[]) => void output.push(parts.map(String).join(" "));
  console.error = console.log;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    output.push(...String(chunk).replace(/\n$/, "").split("\n"));
    return true;
  }) as typeof process.stderr.write;
  try {
    await hre.run(task, args);
  } finally {
    process.argv = saved.argv;
    console.log = saved.log;
    console.error = saved.error;
    process.stderr.write = saved.write;
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { output, exitCode };
}

/** A JSON status report's product row. */
interface StatusRow {
  product: string;
  due: string;
  price: string;
  mintPaused: boolean;
  venuePaused: boolean;
  lastRebalance: string;
  bountyBudget: string;
  oracleUpdatedAt: string;
  oracleAgeSeconds: string;
  oracleMaxAgeSeconds: string;
  oracleStale: boolean;
}
interface StatusReport {
  block: number;
  timestamp: number;
  keeper: { address: string; balance: string } | null;
  products: StatusRow[];
}

describe("ballast:* tasks", function () {
  before(async function () {
    await deployments.fixture();
  });

  it("ballast:mint names the valid products when given an unknown one", async function () {
    await expect(
      run("ballast:mint", { product: "BTC9L", amount: "1", slippage: "0.5", account: 0 }),
    ).to.be.rejectedWith(
      /^Unknown product "BTC9L": valid products are BTC2L, BTC2S, BTC3L, BTC3S, ETH2L, ETH2S, ETH3L, ETH3S\.$/,
    );
  });

  it("ballast:mint explains a missing USDC balance and where to get it", async function () {
    await expect(
      run("ballast:mint", { product: "BTC3L", amount: "1000", slippage: "0.5", account: 7 }),
    ).to.be.rejectedWith(
      /Insufficient USDC: 0x[0-9a-fA-F]{40} has 0.00 USDC, needs 1,000.00 USDC; get test USDC with `npx hardhat ballast:faucet/,
    );
  });

  it("from the command line, an error prints once, as one sentence, with no stack trace, and exits 1", async function () {
    const { output, exitCode } = await runAsCli("ballast:mint", {
      product: "BTC3L",
      amount: "1000",
      slippage: "0.5",
      account: 7,
    });
    expect(exitCode).to.equal(1);
    expect(
      output.filter((l) => /error/i.test(l)),
      output.join("\n"),
    ).to.have.length(1);
    expect(
      output.filter((l) => /^\s+at /.test(l)),
      "no stack trace",
    ).to.have.length(0);
    expect(output).to.deep.equal([
      `error: Insufficient USDC: ${(await ethers.getSigners())[7].address} has 0.00 USDC, needs 1,000.00 USDC; ` +
        "get test USDC with `npx hardhat ballast:faucet --network localhost`.",
    ]);
  });

  it("the real hardhat CLI prints that error once too (Hardhat's own handler, which would add a stack, is not reached)", async function () {
    // A child Hardhat process would recompile over the instrumented build (test/helpers/coverage.ts).
    if (underCoverage()) this.skip();
    this.timeout(120_000);
    const cli = require.resolve("hardhat/internal/cli/cli.js");
    const env = { ...process.env };
    delete env.HARDHAT_NETWORK;
    const child = spawn(
      process.execPath,
      [cli, "ballast:mint", "--network", "hardhat", "--product", "BTC3L", "--amount", "1000", "--account", "7"],
      { cwd: join(__dirname, "..", ".."), env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    const lines = out.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("note: "));
    expect(code, out).to.equal(1);
    expect(lines, out).to.have.length(1);
    expect(lines[0]).to.match(
      /^error: Insufficient USDC: 0x[0-9a-fA-F]{40} has 0\.00 USDC, needs 1,000\.00 USDC; .*\.$/,
    );
    expect(out).to.not.match(/^\s+at /m);
  });

  it("faucet, mint and redeem all round-trip a holder's USDC", async function () {
    const [holder] = await ethers.getSigners();
    expect(await run("ballast:faucet", { amount: "2500", account: 0 })).to.match(/minted 2,500.00 USDC to/);
    const token = await ethers.getContractAt("LeveragedToken", (await deployments.get("BTC3L")).address);
    // --slippage is in percent, as on the page: 0.25 means 0.25% (25 basis points) below the contract's preview.
    // (The preview moves with the streaming fee from one second to the next: compared with the chain's to 0.01%.)
    const preview = await token.previewMint(2_000_000_000n);
    const minted = await run("ballast:mint", { product: "btc3l", amount: "2000", slippage: "0.25", account: 0 });
    const m =
      /^minted ([\d,.]+) BTC3L for 2,000\.00 USDC \(fee 2\.00 USDC; preview ([\d,.]+) BTC3L, minimum ([\d,.]+) BTC3L at 0\.25% slippage\) in tx 0x[0-9a-f]{64}$/m.exec(
        minted,
      );
    expect(m, minted).to.not.equal(null);
    const num = (text: string): number => Number(text.replace(/,/g, ""));
    const [shown, shownPreview, shownMin] = [num(m?.[1] ?? ""), num(m?.[2] ?? ""), num(m?.[3] ?? "")];
    expect(m?.[2]).to.match(/^[\d,]+\.\d{4}$/, "4 decimals for shares, not 18");
    expect(Math.abs(shownPreview / Number(formatUnits(preview, 18)) - 1)).to.be.below(1e-4);
    expect(Math.abs(shownMin / shownPreview - 0.9975)).to.be.below(1e-6);
    const shares = await token.balanceOf(holder.address);
    expect(m?.[1]).to.equal(amountText(shares, 18));
    expect(shown).to.be.at.least(shownMin);
    await expect(
      run("ballast:redeem", { product: "BTC3L", shares: "1000000", slippage: "0.5", account: 0 }),
    ).to.be.rejectedWith(/Insufficient BTC3L: .* holds [\d.,]+ BTC3L, asked to redeem 1,000,000.0000 BTC3L/);
    const payout = await token.previewRedeem(shares);
    const redeemed = await run("ballast:redeem", { product: "BTC3L", shares: "all", slippage: "0.5", account: 0 });
    const r =
      /^redeemed ([\d,.]+) BTC3L for ([\d,.]+) USDC \(fee ([\d,.]+) USDC; preview ([\d,.]+) USDC, minimum ([\d,.]+) USDC at 0\.5% slippage\) in tx 0x[0-9a-f]{64}$/m.exec(
        redeemed,
      );
    expect(r, redeemed).to.not.equal(null);
    expect(r?.[1]).to.equal(amountText(shares, 18));
    expect(r?.[4]).to.match(/^[\d,]+\.\d{2}$/, "2 decimals for USDC");
    expect(Math.abs(num(r?.[4] ?? "") / Number(formatUnits(payout, 6)) - 1)).to.be.below(1e-4);
    expect(Math.abs(num(r?.[5] ?? "") / num(r?.[4] ?? "") - 0.995)).to.be.below(2e-5);
    expect(await token.balanceOf(holder.address)).to.equal(0n);
  });

  it("slippage is a percentage: 0 to 50 with at most 2 decimals, said so when it is not", async function () {
    for (const slippage of ["0.125", "75", "-1", "abc"]) {
      await expect(run("ballast:mint", { product: "BTC3L", amount: "1", slippage, account: 0 })).to.be.rejectedWith(
        /--slippage is a percentage between 0 and 50 with at most 2 decimals \(0\.5 means 0\.5%\)/,
      );
    }
  });

  it("a mint the preview says is too small is refused as a sentence, before anything is approved", async function () {
    const [holder] = await ethers.getSigners();
    await run("ballast:faucet", { amount: "1", account: 0 });
    const usdc = await ethers.getContractAt("MockUSDC", (await deployments.get("USDC")).address);
    const btc3l = (await deployments.get("BTC3L")).address;
    const allowance = await usdc.allowance(holder.address, btc3l);
    await expect(
      run("ballast:mint", { product: "BTC3L", amount: "0.000001", slippage: "0.5", account: 0 }),
    ).to.be.rejectedWith(/^Cannot mint BTC3L for 0.000001 USDC: That amount is too small to mint any tokens\.$/);
    expect(await usdc.allowance(holder.address, btc3l), "nothing approved").to.equal(allowance);
  });

  it("ballast:price moves the mock feed and reports what became due; ballast:status --json agrees", async function () {
    await run("ballast:faucet", { amount: "1000", account: 0 });
    await run("ballast:mint", { product: "BTC3L", amount: "1000", slippage: "0.5", account: 0 });
    const out = await run("ballast:price", { market: "BTC", move: "-12" });
    expect(out).to.match(/BTC\/USD \$60,000.00 -> \$52,800.00 \(-12.00%\)/);
    expect(out).to.match(/BTC3L: leverage [\d.]+x, due REBALANCE/);
    const status = JSON.parse(await run("ballast:status", { json: true })) as {
      products: Array<{ product: string; due: string; price: string }>;
    };
    const btc3l = status.products.find((p) => p.product === "BTC3L");
    expect(btc3l?.due).to.equal("REBALANCE");
    expect(btc3l?.price).to.equal((52_800n * 10n ** 18n).toString());
  });

  it("ballast:price insists on exactly one of --set and --move", async function () {
    await expect(run("ballast:price", { market: "BTC" })).to.be.rejectedWith(/^Give exactly one of --set/);
    await expect(run("ballast:price", { market: "DOGE", set: "1" })).to.be.rejectedWith(
      /^Unknown market "DOGE": valid markets are BTC, ETH\.$/,
    );
    await expect(run("ballast:price", { market: "BTC,ETH", set: "1" })).to.be.rejectedWith(/^--set takes one market/);
  });

  it("ballast:params prints every product's band and every market's margins", async function () {
    const out = await run("ballast:params");
    for (const s of ["BTC2L", "ETH3S"]) expect(out).to.include(s);
    expect(out).to.match(/maint\. margin/);
    // One table per venue kind, each venue named with the products it carries; the perp-only suite has one kind.
    expect(out).to.match(/^Venues: mockPerp /m);
    expect(out).to.match(/^BTC\s+BTCPerpVenue\s+BTC2L BTC2S BTC3L BTC3S\s/m);
    const status = await run("ballast:status");
    expect(status).to.match(/^BTC3L\s+mockPerp\s+funding\/yr -?\d+\.\d{2}%$/m);
  });

  it("ballast:status: oracle age, paused flags, last rebalance, bounty budget and keeper gas, as the chain says", async function () {
    const { keeper, guardian } = await getNamedAccounts();
    const rebalancer = connectRebalancer((await deployments.get("Rebalancer")).address, ethers.provider);
    // A keeper serves BTC3L (due since the -12% move) and the guardian pauses BTC2L's mints: both must show.
    const btc3l = (await deployments.get("BTC3L")).address;
    await (await rebalancer.connect(await ethers.getSigner(keeper)).rebalance(btc3l)).wait();
    const btc2l = connectToken((await deployments.get("BTC2L")).address, ethers.provider);
    await (await btc2l.connect(await ethers.getSigner(guardian)).setMintPaused(true)).wait();

    const report = JSON.parse(await run("ballast:status", { json: true })) as StatusReport;
    const block = await ethers.provider.getBlock("latest");
    const now = BigInt(block?.timestamp ?? 0);
    expect(report.block).to.equal(block?.number);
    expect(report.keeper).to.deep.equal({
      address: keeper,
      balance: (await ethers.provider.getBalance(keeper)).toString(),
    });
    for (const row of report.products) {
      const token = connectToken((await deployments.get(row.product)).address, ethers.provider);
      const st = await rebalancer.tokenState(await token.getAddress());
      const venue = await venueOf(token, ethers.provider);
      const oracle = connectOracle(await venue.oracle(), ethers.provider);
      const [, updatedAt] = await oracle.lastValidPrice();
      expect(row.mintPaused, row.product).to.equal(await token.mintPaused());
      expect(row.venuePaused, row.product).to.equal(await venue.paused());
      expect(row.lastRebalance, row.product).to.equal(st.lastRebalance.toString());
      expect(row.bountyBudget, row.product).to.equal(st.bounty.budget.toString());
      expect(row.oracleUpdatedAt, row.product).to.equal(updatedAt.toString());
      expect(row.oracleAgeSeconds, row.product).to.equal((now - updatedAt).toString());
      expect(row.oracleMaxAgeSeconds, row.product).to.equal((await oracle.maxStaleness()).toString());
      expect(row.oracleStale, row.product).to.equal(false);
    }
    const rows = new Map(report.products.map((r) => [r.product, r]));
    expect(rows.get("BTC2L")?.mintPaused).to.equal(true);
    expect(BigInt(rows.get("BTC3L")?.lastRebalance ?? 0)).to.be.greaterThan(0n);

    // The readable report prints the same values, in units.
    const text = await run("ballast:status");
    const balance = await ethers.provider.getBalance(keeper);
    expect(text).to.include(`keeper ${keeper}: gas balance ${amountText(balance, 18, "ETH")}`);
    const line = (product: string): string =>
      text.split("\n").find((l) => l.startsWith(product + " ") && /ago|never/.test(l)) ?? "";
    for (const row of report.products) {
      const cells = line(row.product)
        .trim()
        .split(/\s{2,}/);
      expect(cells, row.product).to.deep.equal([
        row.product,
        ageText(BigInt(row.oracleAgeSeconds)),
        "ok",
        row.mintPaused ? "paused" : "open",
        row.venuePaused ? "paused" : "open",
        agoText(BigInt(row.lastRebalance), now),
        cells[6], // the current bounty (checked by the main table's test)
        amountText(BigInt(row.bountyBudget), 6),
      ]);
    }
    expect(line("BTC2L")).to.match(/\bpaused\b/);
    expect(line("BTC3L")).to.match(/\d+s ago/);
    await (await btc2l.connect(await ethers.getSigner(guardian)).setMintPaused(false)).wait();
  });

  it("ballast:status with a stale feed: a sentence with the feed's age, not ERROR and a timestamp", async function () {
    const btcOracle = connectOracle(
      await (
        await venueOf(connectToken((await deployments.get("BTC3L")).address, ethers.provider), ethers.provider)
      ).oracle(),
      ethers.provider,
    );
    const maxAge = await btcOracle.maxStaleness();
    await time.increase(maxAge + 60n);
    const report = JSON.parse(await run("ballast:status", { json: true })) as StatusReport;
    const btc = report.products.find((p) => p.product === "BTC3L");
    expect(btc?.oracleStale).to.equal(true);
    const [, updatedAt] = await btcOracle.lastValidPrice();
    const age = BigInt(report.timestamp) - updatedAt;
    expect(btc?.oracleAgeSeconds).to.equal(age.toString());

    const text = await run("ballast:status");
    const block = await ethers.provider.getBlock("latest");
    const shownAge = BigInt(block?.timestamp ?? 0) - updatedAt;
    expect(text).to.include(staleSentence("BTC", shownAge, maxAge));
    expect(text.split("\n").filter((l) => l.startsWith("The BTC price feed is stale"))).to.have.length(1);
    expect(text).to.not.match(/ERROR/);
    expect(text).to.match(/^BTC3L .* stale feed /m);
    expect(text).to.match(new RegExp(`^BTC3L +${ageText(shownAge)} +STALE `, "m"));
  });
});
