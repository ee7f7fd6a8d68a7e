/**
 * AaveVenue (contracts/venues/aave/) on the real Aave v3 and Uniswap v3 bytecode (issue 14, item 3): a product's
 * 2x long on ETH with USDC margin, levered through one Uniswap flash swap into its own Aave account, reduced pro rata,
 * closed and withdrawn; a short; the price bounds; quotes never better than execution.
 */
import { expect } from "chai";
import hre, { deployments, ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Contract } from "ethers";
import { AAVE_MARKET } from "../../config/aave";
import { aaveArtifact } from "../../scripts/market/artifacts";
import { movePriceBy } from "../../scripts/market/mover";
import { deployRealVenues } from "../../scripts/market/realVenues";
import type { AaveVenue, MockUSDC } from "../../typechain-types";

const WAD = 10n ** 18n;
const USDC = 10n ** 6n;
const MAX_SLIPPAGE = WAD / 100n; // 1%

const setup = deployments.createFixture(async () => {
  await deployRealVenues(deployments, ["Oracles"]);
  const pool = (await deployments.get("AavePool")).address;
  const swapPool = (await deployments.get("UniswapV3Pool_WETH_USDC")).address;
  const usdcAddress = (await deployments.get("USDC")).address;
  const weth = (await deployments.get("WETH")).address;
  const oracle = (await deployments.get("ETHUSDOracle")).address;
  const factory = await ethers.getContractFactory("AaveVenue");
  const deployVenue = async (isLong: boolean) =>
    (await factory.deploy(pool, swapPool, usdcAddress, weth, oracle, MAX_SLIPPAGE, isLong)) as unknown as AaveVenue;
  const venue = await deployVenue(true);
  const shortVenue = await deployVenue(false);
  const usdc = (await ethers.getContractAt("MockUSDC", usdcAddress)) as unknown as MockUSDC;
  const aave = (await ethers.getContractAt(aaveArtifact("Pool").abi, pool)) as unknown as Contract;
  const signers = await ethers.getSigners();
  const [product, other, recipient] = [signers[5], signers[6], signers[7]];
  for (const s of [product, other]) {
    await usdc.mint(s.address, 1_000_000n * USDC);
    await usdc.connect(s).approve(await venue.getAddress(), ethers.MaxUint256);
    await usdc.connect(s).approve(await shortVenue.getAddress(), ethers.MaxUint256);
  }
  return { venue, shortVenue, usdc, aave, product, other, recipient, weth };
});

async function lever(venue: AaveVenue, s: HardhatEthersSigner) {
  const [size, equity, price] = await venue.accountSnapshot(s.address);
  const notional = ((size < 0n ? -size : size) * price) / WAD;
  return { size, equity, price, leverage: equity > 0n ? (notional * WAD) / equity : 0n };
}

describe("AaveVenue (Aave v3 + Uniswap v3, ETH)", function () {
  it("reports its static surface from the reserves, each side its own maxLeverage", async function () {
    const { venue, shortVenue, usdc } = await setup();
    expect(await venue.settlement()).to.equal(0n);
    expect(await venue.collateral()).to.equal(await usdc.getAddress());
    expect(await venue.oracle()).to.equal((await deployments.get("ETHUSDOracle")).address);
    const ltvUsdc = BigInt(AAVE_MARKET.reserves.USDC.ltvBps);
    const ltvWeth = BigInt(AAVE_MARKET.reserves.WETH.ltvBps);
    const longMax = (10_000n * WAD) / (10_000n - ltvWeth); // 5x
    const shortMax = (ltvUsdc * WAD) / (10_000n - ltvUsdc); // 3.35x
    expect(await venue.IS_LONG()).to.equal(true);
    expect(await shortVenue.IS_LONG()).to.equal(false);
    expect(await venue.maxLeverage()).to.equal(longMax);
    expect(await shortVenue.maxLeverage()).to.equal(shortMax);
    expect(await venue.paused()).to.equal(false);
  });

  it("a 2x long: opens in one call, reduces pro rata, closes and withdraws", async function () {
    const { venue, usdc, aave, product, other, recipient } = await setup();
    const margin = 10_000n * USDC;
    const price = (await venue.accountSnapshot(product.address))[2];
    const size = (2n * margin * 10n ** 12n * WAD) / price; // 2x at the oracle price
    const preview = await venue.previewTrade(product.address, size);
    await venue.connect(product).modifyPositionWithMargin(margin, size, (price * 102n) / 100n, ethers.ZeroAddress);

    const acct = await venue.aaveAccount(product.address);
    expect(await ethers.provider.getCode(acct)).to.not.equal("0x");
    expect(acct).to.not.equal(await venue.aaveAccount(other.address));
    const l = await lever(venue, product);
    expect(l.size).to.equal(size);
    // Equity: the margin less the swap's fee and impact (0.05% pool fee, deep pool): within 0.2%.
    const marginWad = margin * 10n ** 12n;
    expect(l.equity)
      .to.be.lt(marginWad)
      .and.gt((marginWad * 998n) / 1000n);
    expect(l.leverage).to.be.closeTo(2n * WAD, WAD / 100n);
    // The quote was never better than execution.
    expect(preview.equityAfter - marginWad).to.be.lte(l.equity - marginWad);
    // Aave sees supplied WETH and borrowed USDC, health factor = collateral * LT / debt.
    const d = await aave.getUserAccountData(acct);
    const lt = BigInt(AAVE_MARKET.reserves.WETH.liquidationThresholdBps);
    expect(d.totalCollateralBase).to.equal((size * (price / 10n ** 10n)) / WAD);
    expect(d.totalDebtBase).to.be.closeTo((d.totalCollateralBase * 1_000n) / 2_000n, d.totalCollateralBase / 200n);
    expect(await venue.healthFactor(product.address)).to.equal(d.healthFactor);
    expect(d.healthFactor).to.be.closeTo(
      (d.totalCollateralBase * lt * WAD) / 10_000n / d.totalDebtBase,
      WAD / 1_000_000n,
    );
    expect(d.healthFactor).to.be.closeTo((2n * lt * WAD) / 10_000n, WAD / 50n); // about 1.65
    expect(await venue.isLiquidatable(product.address)).to.equal(false);
    expect(await venue.liquidationCount(product.address)).to.equal(0n);
    // Liquidation price: debt / (size * LT), about 60.6% of the price for 2x.
    const liq = await venue.liquidationPrice(product.address);
    expect(liq).to.be.closeTo((price * 10_000n) / (2n * lt), price / 100n);

    // Pro rata: half the size, half the equity out, in one call; leverage does not rise.
    const half = l.equity / 2n / 10n ** 12n;
    const bal0 = await usdc.balanceOf(recipient.address);
    await venue.connect(product).modifyPositionWithMargin(-half, -size / 2n, (price * 98n) / 100n, recipient.address);
    expect(await usdc.balanceOf(recipient.address)).to.equal(bal0 + half);
    const l2 = await lever(venue, product);
    expect(l2.size).to.equal(size - size / 2n);
    expect(l2.leverage).to.be.closeTo(2n * WAD, WAD / 50n);

    // Close, then withdraw everything.
    await venue.connect(product).modifyPositionWithMargin(0, -l2.size, (price * 98n) / 100n, ethers.ZeroAddress);
    const l3 = await lever(venue, product);
    expect(l3.size).to.equal(0n);
    const rest = l3.equity / 10n ** 12n;
    await venue.connect(product).modifyPositionWithMargin(-rest, 0, 0, recipient.address);
    const [, eq4] = await venue.accountSnapshot(product.address);
    expect(eq4)
      .to.be.gte(0n)
      .and.lt(2n * 10n ** 12n); // at most a wei of aUSDC left (ray rounding)
    // All in all: the margin less the round trip's swap costs (under 0.3%).
    const out = (await usdc.balanceOf(recipient.address)) - bal0 + half;
    expect(out - half)
      .to.be.lt(margin)
      .and.gt((margin * 997n) / 1000n);
  });

  it("each venue serves one side: a long venue refuses a short and the reverse", async function () {
    const { venue, shortVenue, product } = await setup();
    const margin = 10_000n * USDC;
    const price = (await venue.accountSnapshot(product.address))[2];
    const size = (margin * 10n ** 12n * WAD) / price;
    await expect(venue.connect(product).modifyPositionWithMargin(margin, -size, 0, ethers.ZeroAddress))
      .to.be.revertedWithCustomError(venue, "WrongSide")
      .withArgs(-size);
    await expect(
      shortVenue.connect(product).modifyPositionWithMargin(margin, size, ethers.MaxUint256, ethers.ZeroAddress),
    )
      .to.be.revertedWithCustomError(shortVenue, "WrongSide")
      .withArgs(size);
    // A long cannot flip to a short in one trade either.
    await venue.connect(product).modifyPositionWithMargin(margin, size, ethers.MaxUint256, ethers.ZeroAddress);
    await expect(
      venue.connect(product).modifyPositionWithMargin(0, -2n * size, 0, ethers.ZeroAddress),
    ).to.be.revertedWithCustomError(venue, "WrongSide");
  });

  it("a 1x short: supplies USDC, borrows WETH; its health factor falls as ETH rises", async function () {
    const { shortVenue: venue, aave, product } = await setup();
    const margin = 10_000n * USDC;
    const price = (await venue.accountSnapshot(product.address))[2];
    const size = -(margin * 10n ** 12n * WAD) / price;
    await venue.connect(product).modifyPositionWithMargin(margin, size, (price * 98n) / 100n, ethers.ZeroAddress);
    const l = await lever(venue, product);
    expect(l.size).to.equal(size);
    expect(l.leverage).to.be.closeTo(WAD, WAD / 100n);
    const acct = await venue.aaveAccount(product.address);
    const hf0 = (await aave.getUserAccountData(acct)).healthFactor as bigint;
    // USDC supplied ~ 2 x 10,000 at LT 79% against 10,000 of WETH debt: ~1.58.
    expect(hf0).to.be.closeTo(
      (2n * BigInt(AAVE_MARKET.reserves.USDC.liquidationThresholdBps) * WAD) / 10_000n,
      WAD / 50n,
    );
    const liq = await venue.liquidationPrice(product.address);
    expect(liq).to.be.gt(price);
    await movePriceBy(hre, "ETH", 1_000);
    const hf1 = (await aave.getUserAccountData(acct)).healthFactor as bigint;
    expect(hf1).to.be.lt(hf0);
    const l1 = await lever(venue, product);
    expect(l1.equity).to.be.lt(l.equity);
    // Close the short (buy back the debt) at the new price. The snapshot is a block older than the close, so the
    // WETH debt's interest of that block stays as dust (a product closes with the size of the same transaction).
    await venue.connect(product).modifyPositionWithMargin(0, -l1.size, (l1.price * 102n) / 100n, ethers.ZeroAddress);
    const dust = (await venue.accountSnapshot(product.address))[0];
    expect(dust)
      .to.be.lte(0n)
      .and.gt(l1.size / 1_000_000_000n);
  });

  it("bounds the fill by acceptablePrice and by the oracle, and refuses leverage above maxLeverage", async function () {
    const { venue, shortVenue, product } = await setup();
    const margin = 10_000n * USDC;
    const price = (await venue.accountSnapshot(product.address))[2];
    const size = (2n * margin * 10n ** 12n * WAD) / price;
    // Buying at exactly the oracle price is impossible: the pool's fee makes the fill worse.
    await expect(
      venue.connect(product).modifyPositionWithMargin(margin, size, price, ethers.ZeroAddress),
    ).to.be.revertedWithCustomError(venue, "PriceLimitExceeded");
    await expect(
      shortVenue.connect(product).modifyPositionWithMargin(margin, -size, price, ethers.ZeroAddress),
    ).to.be.revertedWithCustomError(shortVenue, "PriceLimitExceeded");
    // 6x long: beyond maxLeverage (5x, from WETH's 80% LTV).
    await expect(
      venue.connect(product).modifyPositionWithMargin(margin, size * 3n, ethers.MaxUint256, ethers.ZeroAddress),
    ).to.be.revertedWithCustomError(venue, "InsufficientMargin");
    // The feed moves 3% away from the pool: the oracle bound (1%) refuses the fill.
    const feed = await ethers.getContractAt("MockV3Aggregator", (await deployments.get("ETHUSDFeed")).address);
    await feed.updateAnswer(((await feed.latestAnswer()) * 97n) / 100n);
    await expect(
      venue.connect(product).modifyPositionWithMargin(margin, size, ethers.MaxUint256, ethers.ZeroAddress),
    ).to.be.revertedWithCustomError(venue, "OracleDeviation");
  });

  it("a margin-only account moves without a price, and only the venue drives the account", async function () {
    const { venue, usdc, product, recipient } = await setup();
    await venue.connect(product).modifyPositionWithMargin(1_000n * USDC, 0, 0, ethers.ZeroAddress);
    const [size, equity] = await venue.accountSnapshot(product.address);
    expect(size).to.equal(0n);
    expect(equity).to.be.closeTo(1_000n * WAD, 10n ** 12n);
    const account = await ethers.getContractAt("AaveAccount", await venue.aaveAccount(product.address));
    await expect(
      account.connect(product).withdraw(await usdc.getAddress(), 1n, product.address),
    ).to.be.revertedWithCustomError(account, "OnlyVenue");
    await venue.connect(product).modifyPositionWithMargin(-500n * USDC, 0, 0, recipient.address);
    expect(await usdc.balanceOf(recipient.address)).to.equal(500n * USDC);
  });

  it("a third party's Aave liquidationCall below liquidationPrice is seen by isLiquidatable and liquidationCount", async function () {
    const { venue, usdc, aave, product, other, weth } = await setup();
    const margin = 10_000n * USDC;
    const price = (await venue.accountSnapshot(product.address))[2];
    const size = (3n * margin * 10n ** 12n * WAD) / price; // 3x: health factor ~1.24
    await venue.connect(product).modifyPositionWithMargin(margin, size, (price * 102n) / 100n, ethers.ZeroAddress);
    const liq = await venue.liquidationPrice(product.address);
    expect(liq).to.be.closeTo((price * 2n * 10_000n) / 3n / 8_250n, price / 100n);
    await movePriceBy(hre, "ETH", -2_500);
    const now = (await venue.accountSnapshot(product.address))[2];
    expect(now).to.be.lt(liq);
    expect(await venue.isLiquidatable(product.address)).to.equal(true);
    const acct = await venue.aaveAccount(product.address);
    const d = await aave.getUserAccountData(acct);
    expect(d.healthFactor).to.be.lt(WAD);
    const cover = 5_000n * USDC;
    await usdc.connect(other).approve(await aave.getAddress(), cover);
    await (aave.connect(other) as Contract).liquidationCall(weth, await usdc.getAddress(), acct, cover, false);
    expect(await venue.liquidationCount(product.address)).to.equal(1n);
    // The count is booked on the product's next call and does not count twice.
    await venue.connect(product).modifyPositionWithMargin(1_000n * USDC, 0, 0, ethers.ZeroAddress);
    expect(await venue.liquidationCount(product.address)).to.equal(1n);
  });
});
