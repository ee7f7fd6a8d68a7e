import { expect } from "chai";
import { deployments, ethers } from "hardhat";
import { deploySuite, type Suite } from "../helpers/deployment";
import { fundAndMint, productContext } from "../helpers/product";
import { productDefaults, usdc, wad, type ProductSymbol } from "../../config/parameters";
import type { ILeveragedTokenFactory, LeveragedToken } from "../../typechain-types";

type ProductConfig = ILeveragedTokenFactory.ProductConfigStruct;

/** The default configuration of `symbol` (config/parameters.ts), on the suite's venue for its market. */
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

/** The address the factory's next CREATE deploys to. */
async function nextProductAddress(suite: Suite): Promise<string> {
  const from = await suite.factory.getAddress();
  return ethers.getCreateAddress({ from, nonce: await ethers.provider.getTransactionCount(from) });
}

async function tokenAt(address: string): Promise<LeveragedToken> {
  return ethers.getContractAt("LeveragedToken", address);
}

/** Gaps BTC by −40% and has a third party liquidate BTC3L (which alice holds). */
async function liquidateBTC3L(suite: Suite): Promise<void> {
  const ctx = await productContext(suite, "BTC3L");
  await fundAndMint(ctx, suite.users[0], usdc(10_000));
  await ctx.feed.updateAnswer(((await ctx.feed.latestAnswer()) * 6n) / 10n);
  await ctx.mockVenue.connect(suite.users[5]).liquidate(ctx.address);
}

describe("LeveragedTokenFactory", function () {
  describe("#createProduct", function () {
    it("deploys a product and registers it with the rebalancer in the same transaction", async function () {
      const suite = await deploySuite();
      const config = await configFor(suite, "BTC3L", { symbol: "BTC3L2", name: "Ballast BTC 3x Long II" });
      const predicted = await nextProductAddress(suite);
      const tx = suite.factory.connect(suite.deployer).createProduct(config);
      await expect(tx).to.emit(suite.factory, "ProductCreated").withArgs(predicted, "BTC3L2", config.venue, true);
      const { methodology: m0, bounty: b0 } = productDefaults("BTC3L");
      await expect(tx)
        .to.emit(suite.rebalancer, "Registered")
        .withArgs(
          predicted,
          [
            m0.minLeverage,
            m0.targetLeverage,
            m0.maxLeverage,
            m0.ripcordLeverage,
            m0.interval,
            m0.tolerance,
            m0.maxSlippage,
            m0.maxTradeNotional,
            m0.innerBand,
            m0.triggerTtl,
          ],
          [b0.base, b0.perSecond, b0.cap, b0.maxEquityFraction, b0.budget],
        );
      // Registered: the rebalancer answers for it (an unknown token reverts NotRegistered).
      expect(await suite.rebalancer.shouldRebalance(predicted)).to.equal(0n);
      await expect(suite.rebalancer.shouldRebalance(suite.users[0].address))
        .to.be.revertedWithCustomError(suite.rebalancer, "NotRegistered")
        .withArgs(suite.users[0].address);
      const m = await suite.rebalancer.methodology(predicted);
      expect(m.targetLeverage).to.equal(wad(3));
      expect(m.ripcordLeverage).to.equal(m0.ripcordLeverage);
      expect(await suite.factory.productBySymbol("BTC3L2")).to.equal(predicted);
    });

    it("wires the product to the venue, the rebalancer, the factory owner and treasury", async function () {
      const suite = await deploySuite();
      const config = await configFor(suite, "ETH2S", { symbol: "ETH2S-B" });
      const predicted = await nextProductAddress(suite);
      await suite.factory.connect(suite.deployer).createProduct(config);
      const token = await tokenAt(predicted);
      expect(await token.symbol()).to.equal("ETH2S-B");
      expect(await token.venue()).to.equal(await suite.venues.ETH.getAddress());
      expect(await token.rebalancer()).to.equal(await suite.rebalancer.getAddress());
      expect(await token.isLong()).to.equal(false);
      expect(await token.owner()).to.equal(await suite.factory.owner()); // the Timelock, not the operator
      expect(await token.owner()).to.equal(suite.governor.address);
      expect(await token.treasury()).to.equal(await suite.factory.treasury());
      expect(await token.targetLeverage()).to.equal(wad(2));
      expect(await token.equityCap()).to.equal(config.equityCap);
    });

    it("appends every product to products()", async function () {
      const suite = await deploySuite();
      const before = await suite.factory.products();
      expect(before.length).to.equal(8);
      const predicted = await nextProductAddress(suite);
      await suite.factory.connect(suite.deployer).createProduct(await configFor(suite, "BTC2L", { symbol: "BTC2L-B" }));
      expect(await suite.factory.products()).to.deep.equal([...before, predicted]);
    });

    it("reverts NotOwnerOrOperator for anyone but the owner and the operator", async function () {
      const suite = await deploySuite();
      const outsider = suite.users[3];
      await expect(suite.factory.connect(outsider).createProduct(await configFor(suite, "BTC3L", { symbol: "X" })))
        .to.be.revertedWithCustomError(suite.factory, "NotOwnerOrOperator")
        .withArgs(outsider.address);
    });

    it("reverts VenueNotAllowed for a venue off the allow-list, for the operator and the owner alike", async function () {
      const suite = await deploySuite();
      const venue = await suite.venues.BTC.getAddress();
      await expect(suite.factory.connect(suite.governor).setVenueAllowed(venue, false))
        .to.emit(suite.factory, "VenueAllowedSet")
        .withArgs(venue, false);
      for (const caller of [suite.deployer, suite.governor]) {
        await expect(suite.factory.connect(caller).createProduct(await configFor(suite, "BTC3L", { symbol: "X" })))
          .to.be.revertedWithCustomError(suite.factory, "VenueNotAllowed")
          .withArgs(venue);
      }
    });

    it("reverts SymbolTaken for a live symbol with no holders yet", async function () {
      const suite = await deploySuite();
      expect(await suite.products.BTC3L.totalSupply()).to.equal(0n);
      await expect(suite.factory.connect(suite.deployer).createProduct(await configFor(suite, "BTC3L")))
        .to.be.revertedWithCustomError(suite.factory, "SymbolTaken")
        .withArgs("BTC3L");
    });

    it("reverts SymbolTaken for a live symbol with holders", async function () {
      const suite = await deploySuite();
      await fundAndMint(await productContext(suite, "ETH3S"), suite.users[0], usdc(1_000));
      await expect(suite.factory.connect(suite.deployer).createProduct(await configFor(suite, "ETH3S")))
        .to.be.revertedWithCustomError(suite.factory, "SymbolTaken")
        .withArgs("ETH3S");
    });

    it("reuses a symbol once its product is liquidated, pointing productBySymbol at the new one", async function () {
      const suite = await deploySuite();
      const old = await suite.products.BTC3L.getAddress();
      await liquidateBTC3L(suite);
      expect(await suite.products.BTC3L.isActive()).to.equal(false);
      const predicted = await nextProductAddress(suite);
      await expect(suite.factory.connect(suite.governor).createProduct(await configFor(suite, "BTC3L")))
        .to.emit(suite.factory, "ProductCreated")
        .withArgs(predicted, "BTC3L", await suite.venues.BTC.getAddress(), true);
      expect(await suite.factory.productBySymbol("BTC3L")).to.equal(predicted);
      expect(predicted).to.not.equal(old);
      expect(await suite.factory.products()).to.include(old);
    });

    it("gives the reused symbol a fresh, mintable product while the old one stays redeemable", async function () {
      const suite = await deploySuite();
      const alice = suite.users[0];
      await liquidateBTC3L(suite);
      const predicted = await nextProductAddress(suite);
      await suite.factory.connect(suite.governor).createProduct(await configFor(suite, "BTC3L"));
      const fresh = await tokenAt(predicted);
      expect(await fresh.isActive()).to.equal(true);
      await suite.usdc.mint(alice.address, usdc(1_000));
      await suite.usdc.connect(alice).approve(predicted, usdc(1_000));
      await expect(fresh.connect(alice).mint(usdc(1_000), 0n, alice.address)).to.emit(fresh, "Minted");
      const oldShares = await suite.products.BTC3L.balanceOf(alice.address);
      await expect(suite.products.BTC3L.connect(alice).redeem(oldShares, 0n, alice.address)).to.changeTokenBalance(
        suite.products.BTC3L,
        alice,
        -oldShares,
      );
    });

    it("reuses a symbol once its product is wound down, by the owner only (SymbolReuseNeedsOwner)", async function () {
      const suite = await deploySuite();
      await suite.products.ETH2L.connect(suite.deployer).windDown(); // the operator
      await expect(suite.factory.connect(suite.deployer).createProduct(await configFor(suite, "ETH2L")))
        .to.be.revertedWithCustomError(suite.factory, "SymbolReuseNeedsOwner")
        .withArgs("ETH2L");
      const predicted = await nextProductAddress(suite);
      await suite.factory.connect(suite.governor).createProduct(await configFor(suite, "ETH2L"));
      expect(await suite.factory.productBySymbol("ETH2L")).to.equal(predicted);
    });

    it("creates and registers nothing when the rebalancer rejects the methodology", async function () {
      const suite = await deploySuite();
      const p = productDefaults("BTC3L");
      const bad = { ...p.methodology, ripcordLeverage: p.methodology.maxLeverage }; // ripcord must exceed band top
      const before = await suite.factory.products();
      await expect(
        suite.factory
          .connect(suite.deployer)
          .createProduct(await configFor(suite, "BTC3L", { symbol: "BAD", methodology: bad })),
      ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidMethodology");
      expect(await suite.factory.products()).to.deep.equal(before);
      await expect(suite.factory.productBySymbol("BAD")).to.be.revertedWithCustomError(suite.factory, "UnknownSymbol");
    });
  });

  describe("#productBySymbol", function () {
    it("returns each deployed product", async function () {
      const suite = await deploySuite();
      for (const symbol of ["BTC2L", "BTC3S", "ETH3L"] as const) {
        expect(await suite.factory.productBySymbol(symbol)).to.equal(await suite.products[symbol].getAddress());
      }
    });

    it("reverts UnknownSymbol for a symbol never created", async function () {
      const suite = await deploySuite();
      await expect(suite.factory.productBySymbol("DOGE5L"))
        .to.be.revertedWithCustomError(suite.factory, "UnknownSymbol")
        .withArgs("DOGE5L");
    });

    it("is case-sensitive", async function () {
      const suite = await deploySuite();
      await expect(suite.factory.productBySymbol("btc3l"))
        .to.be.revertedWithCustomError(suite.factory, "UnknownSymbol")
        .withArgs("btc3l");
    });
  });

  describe("#setOperator and #setVenueAllowed", function () {
    it("are owner-only, emit, and a zero venue is refused", async function () {
      const suite = await deploySuite();
      const [outsider, next] = [suite.users[3], suite.users[4]];
      await expect(suite.factory.connect(suite.deployer).setOperator(next.address))
        .to.be.revertedWithCustomError(suite.factory, "OwnableUnauthorizedAccount")
        .withArgs(suite.deployer.address);
      await expect(suite.factory.connect(outsider).setVenueAllowed(outsider.address, true))
        .to.be.revertedWithCustomError(suite.factory, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
      await expect(
        suite.factory.connect(suite.governor).setVenueAllowed(ethers.ZeroAddress, true),
      ).to.be.revertedWithCustomError(suite.factory, "ZeroAddress");
      await expect(suite.factory.connect(suite.governor).setOperator(next.address))
        .to.emit(suite.factory, "OperatorSet")
        .withArgs(next.address);
      expect(await suite.factory.operator()).to.equal(next.address);
      // The old operator can no longer create products nor wind them down; the new one can.
      const config = await configFor(suite, "BTC2L", { symbol: "BTC2L-C" });
      await expect(suite.factory.connect(suite.deployer).createProduct(config))
        .to.be.revertedWithCustomError(suite.factory, "NotOwnerOrOperator")
        .withArgs(suite.deployer.address);
      await expect(suite.products.BTC2L.connect(suite.deployer).windDown())
        .to.be.revertedWithCustomError(suite.products.BTC2L, "OwnableUnauthorizedAccount")
        .withArgs(suite.deployer.address);
      await expect(suite.factory.connect(next).createProduct(config)).to.emit(suite.factory, "ProductCreated");
      await expect(suite.products.BTC2L.connect(next).windDown()).to.emit(suite.products.BTC2L, "WindDownStarted");
    });
  });

  describe("#setTreasury", function () {
    it("reverts OwnableUnauthorizedAccount for a non-owner", async function () {
      const suite = await deploySuite();
      const outsider = suite.users[3];
      await expect(suite.factory.connect(outsider).setTreasury(outsider.address))
        .to.be.revertedWithCustomError(suite.factory, "OwnableUnauthorizedAccount")
        .withArgs(outsider.address);
    });

    it("reverts ZeroAddress for the zero address", async function () {
      const suite = await deploySuite();
      await expect(suite.factory.connect(suite.governor).setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        suite.factory,
        "ZeroAddress",
      );
    });

    it("gives products created afterwards the new treasury", async function () {
      const suite = await deploySuite();
      const newTreasury = suite.users[4].address;
      await expect(suite.factory.connect(suite.governor).setTreasury(newTreasury))
        .to.emit(suite.factory, "TreasurySet")
        .withArgs(newTreasury);
      const predicted = await nextProductAddress(suite);
      await suite.factory.connect(suite.deployer).createProduct(await configFor(suite, "BTC2S", { symbol: "BTC2S-B" }));
      expect(await (await tokenAt(predicted)).treasury()).to.equal(newTreasury);
      expect(await suite.products.BTC2S.treasury()).to.equal(suite.treasury.address);
    });
  });

  describe("constructor", function () {
    it("reverts ZeroAddress for a zero rebalancer or treasury", async function () {
      const suite = await deploySuite();
      const libraries = { LeveragedTokenDeployer: (await deployments.get("LeveragedTokenDeployer")).address };
      const Factory = await ethers.getContractFactory("LeveragedTokenFactory", { libraries });
      const rebalancer = await suite.rebalancer.getAddress();
      await expect(
        Factory.deploy(ethers.ZeroAddress, suite.treasury.address, suite.deployer.address),
      ).to.be.revertedWithCustomError(Factory, "ZeroAddress");
      await expect(
        Factory.deploy(rebalancer, ethers.ZeroAddress, suite.deployer.address),
      ).to.be.revertedWithCustomError(Factory, "ZeroAddress");
    });
  });
});
