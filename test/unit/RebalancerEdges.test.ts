/**
 * Rebalancer registry, governance and Automation edges (the keeper paths are exercised by the fault scenarios and
 * the model-based invariant test in test/invariant/).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { AbiCoder } from "ethers";
import { deploySuite } from "../helpers/deployment";
import { fundAndMint, productContext } from "../helpers/product";
import { DEFAULT_BOUNTY, methodologyV1, usdc, wad } from "../../config/parameters";

describe("Rebalancer (registry, governance and Automation edges)", function () {
  describe("registry", function () {
    it("#setRegistrar rejects the zero address and is owner-only", async function () {
      const { rebalancer, governor, users } = await deploySuite();
      await expect(rebalancer.connect(governor).setRegistrar(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(
        rebalancer,
        "ZeroAddress",
      );
      await expect(rebalancer.connect(users[0]).setRegistrar(users[0].address, true)).to.be.revertedWithCustomError(
        rebalancer,
        "OwnableUnauthorizedAccount",
      );
      await expect(rebalancer.connect(governor).setRegistrar(users[0].address, true))
        .to.emit(rebalancer, "RegistrarSet")
        .withArgs(users[0].address, true);
    });

    it("#register rejects strangers, the zero token and a second registration", async function () {
      const { rebalancer, governor, users, products } = await deploySuite();
      const token = await products.BTC3L.getAddress();
      await expect(rebalancer.connect(users[0]).register(token, methodologyV1(3), DEFAULT_BOUNTY))
        .to.be.revertedWithCustomError(rebalancer, "OnlyRegistrar")
        .withArgs(users[0].address);
      await expect(
        rebalancer.connect(governor).register(ethers.ZeroAddress, methodologyV1(3), DEFAULT_BOUNTY),
      ).to.be.revertedWithCustomError(rebalancer, "ZeroAddress");
      await expect(rebalancer.connect(governor).register(token, methodologyV1(3), DEFAULT_BOUNTY))
        .to.be.revertedWithCustomError(rebalancer, "AlreadyRegistered")
        .withArgs(token);
    });

    it("reverts NotRegistered for an unknown token on every per-token entry point", async function () {
      const { rebalancer, governor, users } = await deploySuite();
      const stranger = users[5].address;
      for (const call of [
        () => rebalancer.shouldRebalance(stranger),
        () => rebalancer.rebalance(stranger),
        () => rebalancer.ripcord(stranger),
        () => rebalancer.currentBounty(stranger),
        () => rebalancer.connect(governor).setMethodology(stranger, methodologyV1(3)),
        () => rebalancer.connect(governor).setBounty(stranger, DEFAULT_BOUNTY),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(rebalancer, "NotRegistered");
      }
    });

    it("lists the products and reports MAX_BATCH", async function () {
      const { rebalancer } = await deploySuite();
      expect((await rebalancer.tokens()).length).to.equal(8);
      expect(await rebalancer.tokenCount()).to.equal(8n);
      expect(await rebalancer.maxBatch()).to.equal(16n);
    });
  });

  describe("#setMethodology", function () {
    const base = methodologyV1(3);
    const invalid: [string, Partial<typeof base>][] = [
      ["min 0", { minLeverage: 0n }],
      ["min above target", { minLeverage: wad("3.1") }],
      ["target above max", { maxLeverage: wad("2.9") }],
      ["max at ripcord", { maxLeverage: wad("4.5") }],
      ["interval 0", { interval: 0 }],
      ["slippage 0", { maxSlippage: 0n }],
      ["slippage above 3%", { maxSlippage: wad("0.03") + 1n }],
      ["tolerance at target", { tolerance: wad(3) }],
    ];
    for (const [label, change] of invalid) {
      it(`reverts InvalidMethodology for ${label}`, async function () {
        const { rebalancer, governor, products } = await deploySuite();
        await expect(
          rebalancer.connect(governor).setMethodology(await products.BTC3L.getAddress(), { ...base, ...change }),
        ).to.be.revertedWithCustomError(rebalancer, "InvalidMethodology");
      });
    }
    it("stores a valid methodology and emits MethodologySet", async function () {
      const { rebalancer, governor, products } = await deploySuite();
      const token = await products.BTC3L.getAddress();
      const next = { ...base, interval: 3600 };
      await expect(rebalancer.connect(governor).setMethodology(token, next)).to.emit(rebalancer, "MethodologySet");
      expect((await rebalancer.methodology(token)).interval).to.equal(3600n);
    });
  });

  describe("#setBounty", function () {
    it("reverts InvalidBounty for base above cap or more than 1% of equity, stores a valid one", async function () {
      const { rebalancer, governor, products } = await deploySuite();
      const token = await products.BTC3L.getAddress();
      await expect(
        rebalancer.connect(governor).setBounty(token, { ...DEFAULT_BOUNTY, base: DEFAULT_BOUNTY.cap + 1n }),
      ).to.be.revertedWithCustomError(rebalancer, "InvalidBounty");
      await expect(
        rebalancer.connect(governor).setBounty(token, { ...DEFAULT_BOUNTY, maxEquityFraction: wad("0.01") + 1n }),
      ).to.be.revertedWithCustomError(rebalancer, "InvalidBounty");
      await expect(rebalancer.connect(governor).setBounty(token, { ...DEFAULT_BOUNTY, budget: usdc(1) })).to.emit(
        rebalancer,
        "BountySet",
      );
      expect((await rebalancer.tokenState(token)).bounty.budget).to.equal(usdc(1));
    });

    it("pays no bounty with a zero budget and stops at the remaining budget", async function () {
      const suite = await deploySuite();
      const ctx = await productContext(suite, "BTC3L");
      await fundAndMint(ctx, suite.users[0], usdc(1_000_000));
      await suite.rebalancer.connect(suite.governor).setBounty(ctx.address, { ...DEFAULT_BOUNTY, budget: usdc("0.2") });
      await ctx.feed.updateAnswer(((await ctx.feed.latestAnswer()) * 90n) / 100n);
      expect(await suite.rebalancer.currentBounty(ctx.address)).to.equal(usdc("0.2"));
      await suite.rebalancer.connect(suite.keeper).rebalance(ctx.address);
      expect((await suite.rebalancer.tokenState(ctx.address)).bounty.budget).to.equal(0n);
      expect(await suite.rebalancer.currentBounty(ctx.address)).to.equal(0n);
    });
  });

  describe("Automation", function () {
    it("#executeFromUpkeep is callable only by the Rebalancer itself", async function () {
      const { rebalancer, users, products } = await deploySuite();
      await expect(
        rebalancer.connect(users[0]).executeFromUpkeep(await products.BTC3L.getAddress(), users[0].address),
      ).to.be.revertedWithCustomError(rebalancer, "OnlySelf");
    });

    it("#performUpkeep skips unregistered tokens and reports a product that is not due in UpkeepFailed", async function () {
      const { rebalancer, users, products } = await deploySuite();
      const token = await products.BTC3L.getAddress();
      const data = AbiCoder.defaultAbiCoder().encode(
        ["address[]", "uint8[]"],
        [
          [users[5].address, token],
          [1, 1],
        ],
      );
      await expect(rebalancer.performUpkeep(data)).to.emit(rebalancer, "UpkeepFailed");
    });

    it("#checkUpkeep scans a slice and reports nothing due on fresh products", async function () {
      const { rebalancer } = await deploySuite();
      const [needed] = await rebalancer.checkUpkeep.staticCall(
        AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [2, 4]),
      );
      expect(needed).to.equal(false);
    });
  });
});
