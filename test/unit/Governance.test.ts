/**
 * Issue 13, item 8: governance could take holders' money in one step (wind a product down, re-create its symbol on a
 * venue of its own, sweep what the next minter brings; or move a 3x product to ~19x at 9.99% slippage). Now every change
 * that can move holders' value waits for the Timelock's delay, in public; what cannot hurt holders stays one step.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { GOVERNANCE } from "../../config/networks";
import { MARKETS, methodologyV1, productDefaults, usdc, wad, type ProductSymbol } from "../../config/parameters";
import type { ILeveragedTokenFactory } from "../../typechain-types";
import { deploySuite, type Suite } from "../helpers/deployment";
import { deployedTimelock, scheduleBatch } from "../helpers/governance";
import { fundAndMint, postPrice, productContext } from "../helpers/product";

type ProductConfig = ILeveragedTokenFactory.ProductConfigStruct;

/** The default configuration of `symbol` on the suite's venue for its market, with `overrides`. */
async function configFor(
  suite: Suite,
  symbol: ProductSymbol,
  overrides: Partial<ProductConfig> = {},
): Promise<ProductConfig> {
  const p = productDefaults(symbol);
  return {
    name: p.name,
    symbol: p.symbol,
    venue: await suite.venues[p.market].getAddress(),
    isLong: p.isLong,
    fees: p.fees,
    equityCap: p.equityCap,
    methodology: p.methodology,
    bounty: p.bounty,
    ...overrides,
  };
}

/** A venue of governance's own: a fresh mock perp venue on the BTC oracle, never allow-listed. */
async function rogueVenue(suite: Suite): Promise<string> {
  const venue = await (
    await ethers.getContractFactory("MockPerpVenue", suite.users[9])
  ).deploy(await suite.usdc.getAddress(), 6, await suite.oracles.BTC.getAddress(), MARKETS.BTC.venue);
  return venue.getAddress();
}

describe("Governance (issue 13.8)", function () {
  it("issue 13.8: (a) after BTC3L is wound down, the operator can neither re-create it on a venue that is not allow-listed nor reuse the symbol; the timelock can, only after its delay, announced by CallScheduled", async function () {
    const suite = await deploySuite();
    const { factory, deployer: operator } = suite;
    const alice = suite.users[0];
    const btc3l = await productContext(suite, "BTC3L");
    const shares = await fundAndMint(btc3l, alice, usdc(10_000));

    // Winding down cannot hurt holders (they redeem at NAV): one step for the operator.
    await expect(btc3l.token.connect(operator).windDown()).to.emit(btc3l.token, "WindDownStarted");

    // The attack: BTC3L again, on a venue of its own.
    const rogue = await rogueVenue(suite);
    const attack = await configFor(suite, "BTC3L", { venue: rogue });
    await expect(factory.connect(operator).createProduct(attack))
      .to.be.revertedWithCustomError(factory, "VenueNotAllowed")
      .withArgs(rogue);
    // Not even on an allow-listed venue: a used symbol is the owner's (the timelock's) to reuse.
    await expect(factory.connect(operator).createProduct(await configFor(suite, "BTC3L")))
      .to.be.revertedWithCustomError(factory, "SymbolReuseNeedsOwner")
      .withArgs("BTC3L");
    // Nor can the operator allow-list its venue.
    await expect(factory.connect(operator).setVenueAllowed(rogue, true))
      .to.be.revertedWithCustomError(factory, "OwnableUnauthorizedAccount")
      .withArgs(operator.address);

    // The owner is the timelock: allow-listing and re-creation are scheduled in public...
    const timelock = await deployedTimelock();
    expect(await factory.owner()).to.equal(await timelock.getAddress());
    const delay = await timelock.getMinDelay();
    expect(delay).to.equal(BigInt(GOVERNANCE.hardhat.minDelay));
    const factoryAddress = await factory.getAddress();
    const op = await scheduleBatch(timelock, operator, [
      { target: factoryAddress, data: factory.interface.encodeFunctionData("setVenueAllowed", [rogue, true]) },
      { target: factoryAddress, data: factory.interface.encodeFunctionData("createProduct", [attack]) },
    ]);
    await expect(op.schedule)
      .to.emit(timelock, "CallScheduled")
      .withArgs(
        op.id,
        0n,
        factoryAddress,
        0n,
        ethers.hexlify(factory.interface.encodeFunctionData("setVenueAllowed", [rogue, true])),
        ethers.ZeroHash,
        delay,
      );
    // ...and cannot run before the delay is over.
    await expect(op.execute(operator)).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    await time.increase(delay - 10n);
    await expect(op.execute(operator)).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");

    // Meanwhile productBySymbol still names the wound-down product, and its holders leave at NAV.
    expect(await factory.productBySymbol("BTC3L")).to.equal(btc3l.address);
    await postPrice(btc3l.feed); // days have passed: a fresh answer for the oracle
    await expect(btc3l.token.connect(alice).redeem(shares, 1n, alice.address)).to.emit(btc3l.token, "Redeemed");

    await time.increase(10n);
    await expect(op.execute(operator)).to.emit(factory, "ProductCreated");
    expect(await factory.isVenueAllowed(rogue)).to.equal(true);
    expect(await factory.productBySymbol("BTC3L")).to.not.equal(btc3l.address);
  });

  it("issue 13.8: (b) a product's target leverage cannot change, maxSlippage is bounded, and a methodology change goes through the timelock only after its delay", async function () {
    const suite = await deploySuite();
    const { rebalancer, governor, deployer } = suite;
    const token = await suite.products.BTC3L.getAddress();
    const m = methodologyV1(3);

    // 3x to ~19x at 9.99% slippage in one transaction: refused even to the owner.
    const nineteen = {
      ...m,
      minLeverage: wad(18),
      targetLeverage: wad(18),
      maxLeverage: wad("18.2"),
      ripcordLeverage: wad("18.4"),
      maxSlippage: wad("0.0999"),
    };
    await expect(rebalancer.connect(governor).setMethodology(token, nineteen))
      .to.be.revertedWithCustomError(rebalancer, "TargetLeverageFixed")
      .withArgs(token, m.targetLeverage);
    // Slippage above the bound, on setMethodology and on register (via the factory).
    const bound = await rebalancer.MAX_SLIPPAGE();
    expect(bound).to.equal(wad("0.03"));
    await expect(
      rebalancer.connect(governor).setMethodology(token, { ...m, maxSlippage: bound + 1n }),
    ).to.be.revertedWithCustomError(rebalancer, "InvalidMethodology");
    await expect(
      suite.factory
        .connect(deployer)
        .createProduct(
          await configFor(suite, "BTC3L", { symbol: "BTC3L-X", methodology: { ...m, maxSlippage: bound + 1n } }),
        ),
    ).to.be.revertedWithCustomError(rebalancer, "InvalidMethodology");

    // A change within the bounds: the operator (or anyone but the timelock) cannot make it directly...
    const next = { ...m, maxSlippage: bound, tolerance: wad("0.2") };
    await expect(rebalancer.connect(deployer).setMethodology(token, next))
      .to.be.revertedWithCustomError(rebalancer, "OwnableUnauthorizedAccount")
      .withArgs(deployer.address);
    // ...the timelock does, after its delay.
    const timelock = await deployedTimelock();
    const delay = await timelock.getMinDelay();
    const target = await rebalancer.getAddress();
    const data = rebalancer.interface.encodeFunctionData("setMethodology", [token, next]);
    const op = await scheduleBatch(timelock, deployer, [{ target, data }]);
    await expect(op.schedule)
      .to.emit(timelock, "CallScheduled")
      .withArgs(op.id, 0n, target, 0n, data, ethers.ZeroHash, delay);
    await expect(op.execute(deployer)).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    expect((await rebalancer.methodology(token)).maxSlippage).to.equal(m.maxSlippage);
    await time.increase(delay);
    await expect(op.execute(deployer)).to.emit(rebalancer, "MethodologySet");
    expect((await rebalancer.methodology(token)).maxSlippage).to.equal(bound);
    // A proposer cannot shorten the delay.
    await expect(
      timelock.connect(deployer).schedule(target, 0n, data, ethers.ZeroHash, ethers.id("short"), delay - 1n),
    ).to.be.revertedWithCustomError(timelock, "TimelockInsufficientDelay");
  });

  it("issue 13.8: (c) the operator creates a product under an unused symbol on an allow-listed venue and winds products down in one step; a stranger can do neither", async function () {
    const suite = await deploySuite();
    const { factory, deployer: operator } = suite;
    const stranger = suite.users[7];
    expect(await factory.operator()).to.equal(operator.address);
    const config = await configFor(suite, "ETH2S", { symbol: "ETH2S-B" });
    expect(await factory.isVenueAllowed(config.venue as string)).to.equal(true);

    await expect(factory.connect(stranger).createProduct(config))
      .to.be.revertedWithCustomError(factory, "NotOwnerOrOperator")
      .withArgs(stranger.address);
    await expect(suite.products.ETH3L.connect(stranger).windDown())
      .to.be.revertedWithCustomError(suite.products.ETH3L, "OwnableUnauthorizedAccount")
      .withArgs(stranger.address);

    await expect(factory.connect(operator).createProduct(config)).to.emit(factory, "ProductCreated");
    const created = await ethers.getContractAt("LeveragedToken", await factory.productBySymbol("ETH2S-B"));
    // The product belongs to the timelock, not to the operator who created it.
    expect(await created.owner()).to.equal(await (await deployedTimelock()).getAddress());
    await expect(created.connect(operator).setFees({ mintFeeRate: 0n, redeemFeeRate: 0n, streamingFeeRate: 0n }))
      .to.be.revertedWithCustomError(created, "OwnableUnauthorizedAccount")
      .withArgs(operator.address);
    await expect(created.connect(operator).windDown()).to.emit(created, "WindDownStarted");
    await expect(suite.products.ETH3L.connect(operator).windDown()).to.emit(suite.products.ETH3L, "WindDownStarted");
  });

  it("issue 13.8: (d) the guardian's mint pause is still instant while every product is owned by the timelock", async function () {
    const suite = await deploySuite();
    const timelock = await deployedTimelock();
    const owner = await timelock.getAddress();
    for (const product of Object.values(suite.products)) expect(await product.owner()).to.equal(owner);
    const ctx = await productContext(suite, "BTC2L");
    await expect(ctx.token.connect(suite.guardian).setMintPaused(true))
      .to.emit(ctx.token, "MintPausedSet")
      .withArgs(true);
    await expect(fundAndMint(ctx, suite.users[1], usdc(1_000))).to.be.revertedWithCustomError(ctx.token, "MintPaused");
    // The operator is not the guardian: pausing is the guardian's (or the timelock's) switch.
    await expect(ctx.token.connect(suite.deployer).setMintPaused(false))
      .to.be.revertedWithCustomError(ctx.token, "OnlyGuardianOrOwner")
      .withArgs(suite.deployer.address);
    await expect(ctx.token.connect(suite.guardian).setMintPaused(false)).to.emit(ctx.token, "MintPausedSet");
  });

  describe("deploy/05_governance.ts", function () {
    it("hands the Rebalancer, the factory and every product to the Timelock, with the configured delay and no admin left", async function () {
      const suite = await deploySuite();
      const timelock = await deployedTimelock();
      const address = await timelock.getAddress();
      expect(await timelock.getMinDelay()).to.equal(BigInt(GOVERNANCE.hardhat.minDelay));
      expect(await suite.rebalancer.owner()).to.equal(address);
      expect(await suite.factory.owner()).to.equal(address);
      for (const product of Object.values(suite.products)) expect(await product.owner()).to.equal(address);
      for (const c of [suite.rebalancer, suite.factory, suite.products.ETH3S]) {
        expect(await c.pendingOwner()).to.equal(ethers.ZeroAddress);
      }
      const d = suite.deployer.address;
      expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), d)).to.equal(false);
      expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), address)).to.equal(true);
      expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), d)).to.equal(true);
      expect(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), d)).to.equal(true);
      expect(await timelock.hasRole(await timelock.CANCELLER_ROLE(), d)).to.equal(true);
      expect(await suite.factory.operator()).to.equal(d);
      for (const venue of Object.values(suite.venues)) {
        expect(await suite.factory.isVenueAllowed(await venue.getAddress())).to.equal(true);
      }
      for (const product of Object.values(suite.products)) {
        expect(await product.guardian()).to.equal(suite.guardian.address);
      }
    });
  });
});
