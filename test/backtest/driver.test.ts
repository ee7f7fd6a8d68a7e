import { expect } from "chai";
import hre from "hardhat";
import { Engine, encodeRun } from "../../scripts/backtest/engine";
import { barConfig, flat } from "../helpers/backtest";

const REFRESH = 1n;
const VERIFY = 2n;
const QUIET = 4n;

/**
 * BacktestDriver is a harness, but the backtest's honesty rests on two of its rules: a QUIET run never hides a due
 * action (it reverts with `Due` at the exact price), and a replica the operator forgot to refresh is caught
 * (`ReplicaMismatch`) instead of silently skipping the venue's and the Rebalancer's questions.
 */
describe("backtest driver (harness rules the figures rest on)", function () {
  this.timeout(300_000);

  async function withOpenPosition() {
    const { ethers } = hre;
    const engine = new Engine(hre);
    await engine.setup("BTC");
    const t0 = Date.UTC(2020, 0, 1) / 1000;
    engine.alignTime(t0);
    const cfg = barConfig();
    // A window leaves the driver on its product, whose holder redeemed everything at the end.
    await engine.runWindow(cfg, { label: "w", candles: [100, 101].map((p, i) => flat(t0 + i * 7200, p, i + 2)) });
    const d = engine.deployment();
    const driver = await ethers.getContractAt(
      "BacktestDriver",
      d.driver,
      await ethers.getImpersonatedSigner(d.operator),
    );
    const factory = await ethers.getContractAt("LeveragedTokenFactory", d.factory);
    const products = await factory.queryFilter(factory.filters.ProductCreated());
    const product = await ethers.getContractAt("LeveragedToken", products[products.length - 1].args[0]);
    const holder = await ethers.getSigner(d.holder);
    const usdc = await ethers.getContractAt("MockUSDC", d.usdc);
    // The holder mints again behind the driver's back: the venue position changes, the replica does not know.
    await usdc.connect((await ethers.getSigners())[0]).mint(d.holder, 10_000n * 10n ** 6n);
    await usdc.connect(holder).approve(await product.getAddress(), 10_000n * 10n ** 6n);
    await product.connect(holder).mint(10_000n * 10n ** 6n, 0n, d.holder);
    return { driver };
  }

  it("catches a stale replica (ReplicaMismatch) and agrees with the venue once refreshed", async () => {
    const { driver } = await withOpenPosition();
    // A price move on the stale replica: the driver's equity for the old (redeemed) account differs from the venue's.
    // (The engine's hand-encoded calldata and the ABI's agree.)
    const encoded = driver.interface.encodeFunctionData("run", [[10_050_000_000n], 1n, 0n, VERIFY]);
    expect(encodeRun([100.5], 1, 0n, VERIFY)).to.equal(encoded);
    await expect(driver.run([10_050_000_000n], 1n, 0n, VERIFY)).to.be.revertedWithCustomError(
      driver,
      "ReplicaMismatch",
    );
    await expect(driver.run([10_050_000_000n], 1n, 0n, REFRESH | VERIFY)).to.emit(driver, "Run");
  });

  it("a QUIET run reverts with Due at the price where the keeper is due; without QUIET it stops there", async () => {
    const { driver } = await withOpenPosition();
    await driver.run([10_000_000_000n], 0n, 0n, REFRESH);
    // 3x long opened at 101 (the window's last close): l = 3x / (3x - 2), x = P / 101, passes the 3.5 band top
    // between 95 (3.43) and 93 (3.62).
    const path = [99, 97, 95, 93, 91].map((p) => BigInt(p) * 10n ** 8n);
    await expect(driver.run(path, 0n, 0n, QUIET))
      .to.be.revertedWithCustomError(driver, "Due")
      .withArgs(3n, 1n);
    const tx = await driver.run(path, 0n, 0n, 0n);
    const ev = (await tx.wait())!.logs.map((l) => driver.interface.parseLog(l)).find((e) => e?.name === "Run")!;
    expect(ev.args.processed).to.equal(4n);
    expect(ev.args.stop).to.equal(1n);
    expect(ev.args.action).to.equal(1n);
    expect(ev.args.maxLeverage).to.be.greaterThan(35n * 10n ** 17n);
  });

  it("only its operator may drive it", async () => {
    const { driver } = await withOpenPosition();
    const [stranger] = await hre.ethers.getSigners();
    await expect(driver.connect(stranger).run([10_000_000_000n], 0n, 0n, 0n)).to.be.revertedWithCustomError(
      driver,
      "OnlyOperator",
    );
  });
});
