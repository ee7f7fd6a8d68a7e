/** The ballast:* tasks on the in-process network: happy paths and the errors a holder or operator will meet. */
import { expect } from "chai";
import hre, { deployments, ethers } from "hardhat";

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

describe("ballast:* tasks", function () {
  before(async function () {
    await deployments.fixture();
  });

  it("ballast:mint names the valid products when given an unknown one", async function () {
    await expect(run("ballast:mint", { product: "BTC9L", amount: "1", slippage: "50", account: 0 })).to.be.rejectedWith(
      /unknown product "BTC9L": valid products are BTC2L, BTC2S, BTC3L, BTC3S, ETH2L, ETH2S, ETH3L, ETH3S/,
    );
  });

  it("ballast:mint explains a missing USDC balance and where to get it", async function () {
    await expect(
      run("ballast:mint", { product: "BTC3L", amount: "1000", slippage: "50", account: 7 }),
    ).to.be.rejectedWith(
      /insufficient USDC: 0x[0-9a-fA-F]{40} has 0.0, needs 1000.0; get test USDC with `npx hardhat ballast:faucet/,
    );
  });

  it("faucet, mint and redeem all round-trip a holder's USDC", async function () {
    const [holder] = await ethers.getSigners();
    expect(await run("ballast:faucet", { amount: "2500", account: 0 })).to.match(/minted 2500.0 USDC to/);
    const minted = await run("ballast:mint", { product: "btc3l", amount: "2000", slippage: "25", account: 0 });
    expect(minted).to.match(/minted [\d.]+ BTC3L for 2000.0 USDC \(fee 2.0 USDC; preview [\d.]+, minimum [\d.]+\)/);
    const token = await ethers.getContractAt("LeveragedToken", (await deployments.get("BTC3L")).address);
    expect(await token.balanceOf(holder.address)).to.be.greaterThan(0n);
    await expect(
      run("ballast:redeem", { product: "BTC3L", shares: "1000000", slippage: "50", account: 0 }),
    ).to.be.rejectedWith(/insufficient BTC3L: .* holds [\d.]+, asked to redeem 1000000.0/);
    expect(await run("ballast:redeem", { product: "BTC3L", shares: "all", slippage: "50", account: 0 })).to.match(
      /redeemed [\d.]+ BTC3L for [\d.]+ USDC/,
    );
    expect(await token.balanceOf(holder.address)).to.equal(0n);
  });

  it("ballast:price moves the mock feed and reports what became due; ballast:status --json agrees", async function () {
    await run("ballast:faucet", { amount: "1000", account: 0 });
    await run("ballast:mint", { product: "BTC3L", amount: "1000", slippage: "50", account: 0 });
    const out = await run("ballast:price", { market: "BTC", move: "-12" });
    expect(out).to.match(/BTC\/USD 60000.0 -> 52800.0 \(-12.00%\)/);
    expect(out).to.match(/BTC3L: leverage [\d.]+x, due REBALANCE/);
    const status = JSON.parse(await run("ballast:status", { json: true })) as {
      products: Array<{ product: string; due: string; price: string }>;
    };
    const btc3l = status.products.find((p) => p.product === "BTC3L");
    expect(btc3l?.due).to.equal("REBALANCE");
    expect(btc3l?.price).to.equal((52_800n * 10n ** 18n).toString());
  });

  it("ballast:price insists on exactly one of --set and --move", async function () {
    await expect(run("ballast:price", { market: "BTC" })).to.be.rejectedWith(/exactly one of --set/);
    await expect(run("ballast:price", { market: "DOGE", set: "1" })).to.be.rejectedWith(
      /unknown market "DOGE": valid markets are BTC, ETH/,
    );
  });

  it("ballast:params prints every product's band and every market's margins", async function () {
    const out = await run("ballast:params");
    for (const s of ["BTC2L", "ETH3S"]) expect(out).to.include(s);
    expect(out).to.match(/maint\. margin/);
  });
});
