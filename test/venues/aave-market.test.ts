/**
 * The local Aave v3 market and Uniswap v3 pools, deployed from the published npm artifacts (issue 14, items 1 and 2):
 * the Pool's runtime code is the artifact's with its libraries linked, the reserves are configured as config/aave.ts
 * says, borrowing and flash loans work on the real code, and the market mover keeps each pool on its feed.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre, { deployments, ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Contract } from "ethers";
import { AAVE_MARKET, VENUE_TOKENS } from "../../config/aave";
import { UNISWAP_POOLS } from "../../config/uniswap";
import {
  aaveArtifact,
  aaveArtifactPath,
  aaveSourceName,
  POOL_LIBRARIES,
  type AaveContract,
} from "../../scripts/market/artifacts";
import {
  addPoolLiquidity,
  loadUniswapMarket,
  movePriceBy,
  poolState,
  type UniswapMarket,
} from "../../scripts/market/mover";
import { deployRealVenues } from "../../scripts/market/realVenues";
import { tickFromAnswer } from "../../scripts/market/uniswapMath";

const WAD = 10n ** 18n;

async function contract(name: string, abi?: AaveContract): Promise<Contract> {
  const d = await deployments.get(name);
  return (await ethers.getContractAt(abi ? aaveArtifact(abi).abi : d.abi, d.address)) as unknown as Contract;
}

const setup = deployments.createFixture(async () => {
  await deployRealVenues(deployments);
  const token = async (t: string) => ethers.getContractAt("MockERC20", (await deployments.get(t)).address);
  return {
    pool: await contract("AavePool"),
    dataProvider: await contract("AaveProtocolDataProvider"),
    oracle: await contract("AaveOracle"),
    usdc: await ethers.getContractAt("MockUSDC", (await deployments.get("USDC")).address),
    weth: await token("WETH"),
    wbtc: await token("WBTC"),
    ethFeed: await ethers.getContractAt("MockV3Aggregator", (await deployments.get("ETHUSDFeed")).address),
    signers: await ethers.getSigners(),
  };
});

/** The code the deployed artifact must have: its deployedBytecode with libraries and immutables filled in. */
function expectedRuntime(name: AaveContract, libraries: Record<string, string>, immutable: Record<string, string>) {
  const artifact = aaveArtifact(name) as ReturnType<typeof aaveArtifact> & {
    deployedLinkReferences: Record<string, Record<string, { start: number; length: number }[]>>;
  };
  let code = artifact.deployedBytecode.slice(2).toLowerCase();
  const put = (start: number, hex: string) =>
    (code = code.slice(0, start * 2) + hex + code.slice(start * 2 + hex.length));
  for (const refs of Object.values(artifact.deployedLinkReferences)) {
    for (const [lib, fixups] of Object.entries(refs)) {
      expect(libraries[lib], `library ${lib}`).to.be.a("string");
      for (const f of fixups) put(f.start, libraries[lib].slice(2).toLowerCase());
    }
  }
  // Immutables are written by the constructor; the build info (shipped in the package) says where.
  const dbgPath = require.resolve(aaveArtifactPath(name).replace(/\.json$/, ".dbg.json"));
  const dbg = JSON.parse(fs.readFileSync(dbgPath, "utf8")) as { buildInfo: string };
  const build = JSON.parse(fs.readFileSync(path.resolve(path.dirname(dbgPath), dbg.buildInfo), "utf8"));
  const refs = build.output.contracts[aaveSourceName(name)][name].evm.deployedBytecode.immutableReferences as Record<
    string,
    { start: number; length: number }[]
  >;
  const ids = Object.keys(refs);
  expect(ids.length, `${name} immutables`).to.equal(Object.keys(immutable).length);
  for (const [i, id] of ids.entries()) {
    const value = Object.values(immutable)[i].slice(2).toLowerCase().padStart(64, "0");
    for (const f of refs[id]) put(f.start, value);
  }
  return `0x${code}`;
}

describe("Real venues: the local Aave v3 market and Uniswap v3 pools", function () {
  it("the Pool implementation's runtime code is the npm artifact's, libraries linked", async function () {
    await setup();
    const provider = (await deployments.get("AavePoolAddressesProvider")).address;
    const libraries: Record<string, string> = {};
    for (const lib of POOL_LIBRARIES) libraries[lib] = (await deployments.get(`Aave${lib}`)).address;
    const impl = (await deployments.get("AavePoolImpl")).address;
    const code = await ethers.provider.getCode(impl);
    expect(code).to.equal(expectedRuntime("Pool", libraries, { ADDRESSES_PROVIDER: provider }));
    expect((code.length - 2) / 2).to.equal(21_673);
    // The proxy the market uses points at that implementation.
    const pool = await contract("AavePool");
    expect(await pool.ADDRESSES_PROVIDER()).to.equal(provider);
    const providerContract = await contract("AavePoolAddressesProvider");
    expect(await providerContract.getPool()).to.equal(await pool.getAddress());
    const slot = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc"; // EIP-1967 implementation
    const stored = await ethers.provider.getStorage(await pool.getAddress(), slot);
    expect(ethers.getAddress(`0x${stored.slice(26)}`)).to.equal(impl);
    // And the configurator's, with its one library.
    const configurator = (await deployments.get("AavePoolConfiguratorImpl")).address;
    expect(await ethers.provider.getCode(configurator)).to.equal(
      expectedRuntime(
        "PoolConfigurator",
        { ConfiguratorLogic: (await deployments.get("AaveConfiguratorLogic")).address },
        {},
      ),
    );
  });

  it("configures every reserve as config/aave.ts says (read back through AaveProtocolDataProvider)", async function () {
    const { dataProvider, oracle } = await setup();
    for (const t of VENUE_TOKENS) {
      const r = AAVE_MARKET.reserves[t];
      const asset = (await deployments.get(r.token)).address;
      const c = await dataProvider.getReserveConfigurationData(asset);
      expect(c.decimals).to.equal(BigInt(r.decimals));
      expect(c.ltv).to.equal(BigInt(r.ltvBps));
      expect(c.liquidationThreshold).to.equal(BigInt(r.liquidationThresholdBps));
      expect(c.liquidationBonus).to.equal(BigInt(r.liquidationBonusBps));
      expect(c.reserveFactor).to.equal(BigInt(r.reserveFactorBps));
      expect([c.usageAsCollateralEnabled, c.borrowingEnabled, c.stableBorrowRateEnabled]).to.deep.equal([
        true,
        r.borrowingEnabled,
        false,
      ]);
      expect([c.isActive, c.isFrozen]).to.deep.equal([true, false]);
      const caps = await dataProvider.getReserveCaps(asset);
      expect([caps.borrowCap, caps.supplyCap]).to.deep.equal([r.borrowCap, r.supplyCap]);
      expect(await dataProvider.getLiquidationProtocolFee(asset)).to.equal(BigInt(r.liquidationProtocolFeeBps));
      expect(await dataProvider.getFlashLoanEnabled(asset)).to.equal(r.flashLoanEnabled);
      const strategy = await ethers.getContractAt(
        aaveArtifact("DefaultReserveInterestRateStrategy").abi,
        await dataProvider.getInterestRateStrategyAddress(asset),
      );
      expect(await strategy.OPTIMAL_USAGE_RATIO()).to.equal(r.rates.optimalUsageRatio);
      expect(await strategy.getBaseVariableBorrowRate()).to.equal(r.rates.baseVariableBorrowRate);
      expect(await strategy.getVariableRateSlope1()).to.equal(r.rates.variableRateSlope1);
      expect(await strategy.getVariableRateSlope2()).to.equal(r.rates.variableRateSlope2);
      // Prices from the project's feeds; liquidity from the seeded account.
      const feed = await ethers.getContractAt("MockV3Aggregator", (await deployments.get(r.feed)).address);
      expect(await oracle.getSourceOfAsset(asset)).to.equal(await feed.getAddress());
      expect(await oracle.getAssetPrice(asset)).to.equal(await feed.latestAnswer());
      const data = await dataProvider.getReserveData(asset);
      expect(data.totalAToken).to.equal(r.seed * 10n ** BigInt(r.decimals));
    }
    const pool = await contract("AavePool");
    expect(await pool.FLASHLOAN_PREMIUM_TOTAL()).to.equal(BigInt(AAVE_MARKET.flashLoanPremiumTotalBps));
  });

  it("a user supplies WETH, borrows USDC, and the health factor follows the oracle price", async function () {
    const { pool, usdc, weth, ethFeed, signers } = await setup();
    const user = signers[5];
    const r = AAVE_MARKET.reserves.WETH;
    const supplied = 10n * WAD;
    await weth.mint(user.address, supplied);
    await weth.connect(user).approve(await pool.getAddress(), supplied);
    const p = pool.connect(user) as Contract;
    await p.supply(await weth.getAddress(), supplied, user.address, 0);
    const borrowed = 15_000n * 10n ** 6n;
    await p.borrow(await usdc.getAddress(), borrowed, 2, 0, user.address);
    expect(await usdc.balanceOf(user.address)).to.equal(borrowed);

    const check = async () => {
      const price = await ethFeed.latestAnswer(); // 8 decimals, Aave's base currency unit
      const d = await pool.getUserAccountData(user.address);
      expect(d.totalCollateralBase).to.equal((supplied * price) / WAD);
      // The debt is 15,000 USD plus interest for the seconds since the borrow.
      const debtFloor = 15_000n * 10n ** 8n;
      expect(d.totalDebtBase)
        .to.be.gte(debtFloor)
        .and.lte(debtFloor + debtFloor / 1_000_000n);
      expect(d.ltv).to.equal(BigInt(r.ltvBps));
      expect(d.currentLiquidationThreshold).to.equal(BigInt(r.liquidationThresholdBps));
      const hf = (d.totalCollateralBase * BigInt(r.liquidationThresholdBps) * WAD) / 10_000n / d.totalDebtBase;
      expect(d.healthFactor).to.be.closeTo(hf, hf / 1_000_000_000n);
      const available = (d.totalCollateralBase * BigInt(r.ltvBps)) / 10_000n - d.totalDebtBase;
      expect(d.availableBorrowsBase).to.be.closeTo(available, 1n);
      return d.healthFactor as bigint;
    };
    const hf0 = await check(); // 30,000 · 0.825 / 15,000 = 1.65
    expect(hf0).to.be.closeTo((165n * WAD) / 100n, WAD / 100_000n);
    await movePriceBy(hre, "ETH", -2_000);
    const hf1 = await check(); // 24,000 · 0.825 / 15,000 = 1.32
    expect(hf1).to.be.closeTo((132n * WAD) / 100n, WAD / 100_000n);
  });

  it("a flash loan lends the reserve's liquidity and charges the configured premium", async function () {
    const { pool, usdc } = await setup();
    const probe = await ethers.deployContract("FlashLoanProbe", [await pool.getAddress()]);
    const amount = 50_000_000n * 10n ** 6n;
    const premium = (amount * BigInt(AAVE_MARKET.flashLoanPremiumTotalBps)) / 10_000n;
    await usdc.mint(await probe.getAddress(), premium);
    const aToken = (await deployments.get("AaveATokenUSDC")).address;
    const before = await usdc.balanceOf(aToken);
    await probe.borrow(await usdc.getAddress(), amount);
    expect(await probe.lastAmount()).to.equal(amount);
    expect(await probe.lastPremium()).to.equal(premium);
    expect(await probe.balanceDuringLoan()).to.equal(amount + premium);
    expect(await usdc.balanceOf(await probe.getAddress())).to.equal(0n);
    expect(await usdc.balanceOf(aToken)).to.equal(before + premium);
  });

  describe("market mover", function () {
    const withinOneTick = async (m: UniswapMarket) => {
      const answer = BigInt(await m.feed.latestAnswer());
      const state = await poolState(m);
      expect(Math.abs(state.tick - tickFromAnswer(answer, m.shape)), `pool tick vs feed ${answer}`).to.be.lte(1);
      // One tick is 1 bp of price.
      const diff = state.answer > answer ? state.answer - answer : answer - state.answer;
      expect(diff * 10_000n).to.be.lte(answer);
    };

    it("pools open at the feed's price with the configured liquidity", async function () {
      await setup();
      for (const market of ["ETH", "BTC"] as const) {
        const m = await loadUniswapMarket(hre, market);
        await withinOneTick(m);
        expect((await poolState(m)).liquidity).to.be.gt(0n);
        expect(await m.pool.fee()).to.equal(BigInt(UNISWAP_POOLS[market].fee));
      }
    });

    it("moving ETH −4% then +4% moves the feed and arbitrages the pool to it, within one tick", async function () {
      await setup();
      const m = await loadUniswapMarket(hre, "ETH");
      const start = BigInt(await m.feed.latestAnswer());
      const down = await movePriceBy(hre, "ETH", -400);
      expect(down.answer).to.equal((start * 9_600n) / 10_000n);
      expect(await m.feed.latestAnswer()).to.equal(down.answer);
      await withinOneTick(m);
      expect(down.after.answer).to.be.lt(down.before.answer);
      expect(down.swaps).to.equal(1); // one swap, stopped by its price limit exactly at the target
      const up = await movePriceBy(hre, "ETH", 400);
      expect(await m.feed.latestAnswer()).to.equal(up.answer);
      expect(up.after.answer).to.be.gt(up.before.answer);
      await withinOneTick(m);
      // BTC too, where the pool's token order may differ.
      const b = await loadUniswapMarket(hre, "BTC");
      await movePriceBy(hre, "BTC", -400);
      await withinOneTick(b);
      await movePriceBy(hre, "BTC", 400);
      await withinOneTick(b);
    });

    it("a swap's price impact falls as the configured depth grows", async function () {
      const impact = async (extraDepth: number) => {
        const { usdc, signers } = await setup();
        if (extraDepth > 0) {
          const positions = UNISWAP_POOLS.ETH.positions.map((p) => ({ ...p, valueUsd: p.valueUsd * extraDepth }));
          await addPoolLiquidity(hre, "ETH", positions);
        }
        const m = await loadUniswapMarket(hre, "ETH");
        const trader = signers[6];
        const amountIn = 5_000_000n * 10n ** 6n; // 5M USDC of WETH
        await usdc.mint(trader.address, amountIn);
        await usdc.connect(trader).approve(await m.router.getAddress(), amountIn);
        const before = await poolState(m);
        await (m.router.connect(trader) as Contract).exactInputSingle({
          tokenIn: await usdc.getAddress(),
          tokenOut: await m.base.getAddress(),
          fee: m.fee,
          recipient: trader.address,
          deadline: BigInt(await time.latest()) + 600n,
          amountIn,
          amountOutMinimum: 0n,
          sqrtPriceLimitX96: 0n,
        });
        const after = await poolState(m);
        return Number(after.answer - before.answer) / Number(before.answer);
      };
      const base = await impact(0);
      const doubled = await impact(1);
      const tripled = await impact(2);
      expect(base).to.be.gt(0);
      expect(doubled).to.be.lt(base);
      expect(tripled).to.be.lt(doubled);
      // Inside the narrowest range the impact scales as 1/liquidity.
      expect(doubled / base).to.be.closeTo(0.5, 0.05);
    });
  });
});
