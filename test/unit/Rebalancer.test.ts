import { expect } from "chai";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { AbiCoder, ZeroAddress, type ContractTransactionResponse } from "ethers";
import {
  DEFAULT_BOUNTY,
  DEFAULT_FEES,
  MARKETS,
  PRODUCT_SYMBOLS,
  WAD,
  methodologyV1,
  usdc,
  wad,
  type BountyParams,
  type MarketSymbol,
  type Methodology,
  type ProductSymbol,
} from "../../config/parameters";
import { LOCAL_FEED_TIMING, maxStaleness } from "../../config/networks";
import { deploySuite, type Suite } from "../helpers/deployment";
import { pinNextBlock } from "../helpers/accounting";
import { Action, keeperAct } from "../helpers/keeper";
import { PPM, advanceAndRefresh, deployFundedSuiteV1, marketOf, movePrice, postAnswer } from "../helpers/market";

const coder = AbiCoder.defaultAbiCoder();
const GAS = 3_000_000n; // explicit gas limit: lets a tx that will revert still be sent (no estimateGas)
const DAY = 86_400;

/** Percent move as ppm. */
const pct = (x: number): bigint => BigInt(Math.round(x * 10_000));

async function addr(suite: Suite, symbol: ProductSymbol): Promise<string> {
  return suite.products[symbol].getAddress();
}

async function action(suite: Suite, symbol: ProductSymbol): Promise<number> {
  return Number(await suite.rebalancer.shouldRebalance(await addr(suite, symbol)));
}

async function leverage(suite: Suite, symbol: ProductSymbol): Promise<bigint> {
  return suite.products[symbol].currentLeverage();
}

function gapToTarget(lev: bigint, target: bigint): bigint {
  return lev > target ? lev - target : target - lev;
}

/** Decodes `checkUpkeep`'s performData. */
function decodePerform(data: string): { tokens: string[]; actions: number[] } {
  const [tokens, actions] = coder.decode(["address[]", "uint8[]"], data) as unknown as [string[], bigint[]];
  return { tokens: [...tokens], actions: [...actions].map(Number) };
}

function encodePerform(tokens: readonly string[], actions: readonly number[]): string {
  return coder.encode(["address[]", "uint8[]"], [tokens, actions]);
}

/** `checkUpkeep` simulated the way Chainlink Automation does: an eth_call from address(0). */
async function checkUpkeep(suite: Suite, checkData = "0x"): Promise<{ upkeepNeeded: boolean; performData: string }> {
  const iface = suite.rebalancer.interface;
  const raw = await ethers.provider.call({
    to: await suite.rebalancer.getAddress(),
    from: ZeroAddress,
    data: iface.encodeFunctionData("checkUpkeep", [checkData]),
  });
  const [upkeepNeeded, performData] = iface.decodeFunctionResult("checkUpkeep", raw) as unknown as [boolean, string];
  return { upkeepNeeded, performData };
}

/** The bounty paid by a mined rebalance/ripcord, read from its RebalanceExecuted event. */
async function paidBounty(suite: Suite, tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("no receipt");
  for (const log of receipt.logs) {
    const parsed = suite.rebalancer.interface.parseLog(log);
    if (parsed?.name === "RebalanceExecuted") return parsed.args.bounty as bigint;
  }
  throw new Error("no RebalanceExecuted");
}

/**
 * The keeper's rebalance (or ripcord) of BTC3L emits RebalanceExecuted with that action, the leverage before it and the
 * keeper, and leaves the 3x product within 0.01 of its target with nothing more due.
 */
async function expectKeeperBringsBTC3LToTarget(suite: Suite, act: Action.REBALANCE | Action.RIPCORD): Promise<void> {
  const token = await addr(suite, "BTC3L");
  const before = await leverage(suite, "BTC3L");
  const rebalancer = suite.rebalancer.connect(suite.keeper);
  await expect(act === Action.RIPCORD ? rebalancer.ripcord(token) : rebalancer.rebalance(token))
    .to.emit(suite.rebalancer, "RebalanceExecuted")
    .withArgs(token, act, before, anyValue, anyValue, suite.keeper.address, anyValue);
  expect(gapToTarget(await leverage(suite, "BTC3L"), wad(3))).to.be.lte(wad("0.01"));
  expect(await action(suite, "BTC3L")).to.equal(Action.NONE);
}

/** Posts a round whose `updatedAt` is exactly `updatedAt` (may be ahead of the mining block; nothing reads it then). */
async function postRoundAt(suite: Suite, market: MarketSymbol, answer: bigint, updatedAt: number): Promise<void> {
  const feed = suite.feeds[market];
  const round = (await feed.latestRound()) + 1n;
  await (await feed.updateRoundData(round, answer, updatedAt, updatedAt)).wait();
}

describe("Rebalancer", function () {
  let suite: Suite;

  beforeEach(async function () {
    suite = await deployFundedSuiteV1();
  });

  describe("#shouldRebalance", function () {
    it("returns NONE (0) at target right after the first mint, for every product", async function () {
      for (const symbol of PRODUCT_SYMBOLS) {
        expect(await action(suite, symbol), symbol).to.equal(Action.NONE);
        const target = methodologyV1(symbol.includes("3") ? 3 : 2).targetLeverage;
        // The first mint opens at target before its own trading costs: leverage ends a hair above it.
        expect(gapToTarget(await leverage(suite, symbol), target), symbol).to.be.lte(wad("0.01"));
      }
    });

    it("returns NONE for a product that has no position yet", async function () {
      const fresh = await deploySuite();
      expect(await fresh.rebalancer.shouldRebalance(await fresh.products.BTC3L.getAddress())).to.equal(Action.NONE);
    });

    it("returns REBALANCE (1) above the band (3x long after -8%)", async function () {
      await movePrice(suite, "BTC", pct(-8));
      expect(await leverage(suite, "BTC3L"))
        .to.be.gt(wad("3.5"))
        .and.lt(wad("4.5"));
      expect(await action(suite, "BTC3L")).to.equal(Action.REBALANCE);
    });

    it("returns REBALANCE (1) below the band (3x long after +15%)", async function () {
      await movePrice(suite, "BTC", pct(15));
      expect(await leverage(suite, "BTC3L")).to.be.lt(wad("2.5"));
      expect(await action(suite, "BTC3L")).to.equal(Action.REBALANCE);
    });

    it("returns REBALANCE (1) above the band for a short (3x short after +6%)", async function () {
      await movePrice(suite, "BTC", pct(6));
      expect(await leverage(suite, "BTC3S"))
        .to.be.gt(wad("3.5"))
        .and.lt(wad("4.5"));
      expect(await action(suite, "BTC3S")).to.equal(Action.REBALANCE);
    });

    it("returns REBALANCE (1) once the interval has elapsed with |leverage - target| above the tolerance", async function () {
      await movePrice(suite, "BTC", pct(-3)); // 3x long -> ~3.2: inside the band, 0.2 from target
      const lev = await leverage(suite, "BTC3L");
      expect(lev).to.be.gt(wad("3.15")).and.lt(wad("3.5"));
      expect(await action(suite, "BTC3L")).to.equal(Action.NONE);

      const last = Number((await suite.rebalancer.tokenState(await addr(suite, "BTC3L"))).lastRebalance);
      await time.increaseTo(last + DAY - 10);
      await postAnswer(suite, "BTC", await suite.feeds.BTC.latestAnswer());
      expect(await action(suite, "BTC3L"), "before the interval").to.equal(Action.NONE);
      await advanceAndRefresh(suite, 10);
      expect(await action(suite, "BTC3L"), "after the interval").to.equal(Action.REBALANCE);
    });

    it("returns NONE after the interval when leverage is within the tolerance of target", async function () {
      await movePrice(suite, "BTC", pct(-1)); // ~3.06: within 0.15 of target
      await advanceAndRefresh(suite, 2 * DAY);
      expect(gapToTarget(await leverage(suite, "BTC3L"), wad(3)))
        .to.be.gt(0n)
        .and.lte(wad("0.15"));
      expect(await action(suite, "BTC3L")).to.equal(Action.NONE);
    });

    it("returns RIPCORD (3) at the ripcord level, for a long and a short", async function () {
      await movePrice(suite, "BTC", pct(-16));
      expect(await leverage(suite, "BTC3L")).to.be.gte(wad("4.5"));
      expect(await action(suite, "BTC3L")).to.equal(Action.RIPCORD);

      await movePrice(suite, "ETH", pct(13));
      expect(await leverage(suite, "ETH3S")).to.be.gte(wad("4.5"));
      expect(await action(suite, "ETH3S")).to.equal(Action.RIPCORD);
    });

    it("returns ITERATE (2) while a chunked rebalance is in progress, then NONE within 0.01 of target", async function () {
      const token = await addr(suite, "BTC3L");
      const small = { ...methodologyV1(3), maxTradeNotional: wad(10_000) };
      await suite.rebalancer.connect(suite.governor).setMethodology(token, small);
      await movePrice(suite, "BTC", pct(-8)); // ~48k USD to sell: five chunks of at most 10k

      expect(await action(suite, "BTC3L")).to.equal(Action.REBALANCE);
      const seen: number[] = [];
      const levs: bigint[] = [await leverage(suite, "BTC3L")];
      for (let i = 0; i < 20; i++) {
        const a = await action(suite, "BTC3L");
        if (a === Action.NONE) break;
        seen.push(a);
        await expect(suite.rebalancer.connect(suite.keeper).rebalance(token)).to.emit(
          suite.rebalancer,
          "RebalanceExecuted",
        );
        levs.push(await leverage(suite, "BTC3L"));
      }
      expect(seen[0]).to.equal(Action.REBALANCE);
      expect(seen.length).to.be.gte(5);
      expect(
        seen.slice(1).every((a) => a === Action.ITERATE),
        `actions ${seen.join(",")}`,
      ).to.equal(true);
      for (let i = 1; i < levs.length; i++) expect(levs[i], `chunk ${i} moves towards target`).to.be.lt(levs[i - 1]);
      expect(gapToTarget(levs[levs.length - 1], wad(3))).to.be.lte(wad("0.01"));
      expect((await suite.rebalancer.tokenState(token)).iterating).to.equal(false);
    });

    it("reverts NotRegistered for an unknown token", async function () {
      const stranger = suite.users[5].address;
      await expect(suite.rebalancer.shouldRebalance(stranger))
        .to.be.revertedWithCustomError(suite.rebalancer, "NotRegistered")
        .withArgs(stranger);
    });
  });

  describe("#rebalance and #ripcord", function () {
    it("brings leverage back to target and emits RebalanceExecuted", async function () {
      await movePrice(suite, "BTC", pct(-8));
      await expectKeeperBringsBTC3LToTarget(suite, Action.REBALANCE);
    });

    it("rebalance reverts RebalanceNotNeeded(token, NONE, leverage) when nothing is due", async function () {
      const token = await addr(suite, "BTC3L");
      const lev = await leverage(suite, "BTC3L");
      await expect(suite.rebalancer.connect(suite.keeper).rebalance(token))
        .to.be.revertedWithCustomError(suite.rebalancer, "RebalanceNotNeeded")
        .withArgs(token, Action.NONE, lev);
    });

    it("ripcord reverts RipcordNotNeeded(token, leverage) when nothing or only a rebalance is due", async function () {
      const token = await addr(suite, "BTC3L");
      await expect(suite.rebalancer.ripcord(token))
        .to.be.revertedWithCustomError(suite.rebalancer, "RipcordNotNeeded")
        .withArgs(token, await leverage(suite, "BTC3L"));
      await movePrice(suite, "BTC", pct(-8));
      expect(await action(suite, "BTC3L")).to.equal(Action.REBALANCE);
      await expect(suite.rebalancer.ripcord(token))
        .to.be.revertedWithCustomError(suite.rebalancer, "RipcordNotNeeded")
        .withArgs(token, await leverage(suite, "BTC3L"));
    });

    it("rebalance reverts RebalanceNotNeeded(token, RIPCORD, leverage) when the ripcord is due", async function () {
      const token = await addr(suite, "BTC3L");
      await movePrice(suite, "BTC", pct(-16));
      await expect(suite.rebalancer.rebalance(token))
        .to.be.revertedWithCustomError(suite.rebalancer, "RebalanceNotNeeded")
        .withArgs(token, Action.RIPCORD, await leverage(suite, "BTC3L"));
    });

    it("ripcord de-levers to target in one trade, even with a small per-call trade cap", async function () {
      const token = await addr(suite, "BTC3L");
      await suite.rebalancer
        .connect(suite.governor)
        .setMethodology(token, { ...methodologyV1(3), maxTradeNotional: wad(10_000) });
      await movePrice(suite, "BTC", pct(-16));
      await expectKeeperBringsBTC3LToTarget(suite, Action.RIPCORD);
      expect((await suite.rebalancer.tokenState(token)).iterating).to.equal(false);
    });

    it("reverts with the oracle's StalePrice on a stale price and changes nothing", async function () {
      const token = await addr(suite, "BTC3L");
      await movePrice(suite, "BTC", pct(-8));
      const [, , , updatedAt] = await suite.feeds.BTC.latestRoundData();
      await time.increase(maxStaleness(LOCAL_FEED_TIMING.BTC) + 1);
      const venue = suite.mockVenues.BTC;
      const positionBefore = await venue.position(token);
      const stateBefore = await suite.rebalancer.tokenState(token);
      const keeperBalance = await suite.usdc.balanceOf(suite.keeper.address);

      await expect(suite.rebalancer.connect(suite.keeper).rebalance(token))
        .to.be.revertedWithCustomError(suite.oracles.BTC, "StalePrice")
        .withArgs(updatedAt, maxStaleness(LOCAL_FEED_TIMING.BTC));
      await expect(suite.rebalancer.connect(suite.keeper).ripcord(token)).to.be.revertedWithCustomError(
        suite.oracles.BTC,
        "StalePrice",
      );

      expect(await venue.position(token)).to.deep.equal(positionBefore);
      expect(await suite.rebalancer.tokenState(token)).to.deep.equal(stateBefore);
      expect(await suite.usdc.balanceOf(suite.keeper.address)).to.equal(keeperBalance);
    });

    it("the same action twice in one block: the second reverts", async function () {
      const token = await addr(suite, "BTC3L");
      await movePrice(suite, "BTC", pct(-8));
      await network.provider.send("evm_setAutomine", [false]);
      try {
        const first = await suite.rebalancer.connect(suite.keeper).rebalance(token, { gasLimit: GAS });
        const second = await suite.rebalancer.connect(suite.keeper).rebalance(token, { gasLimit: GAS });
        await network.provider.send("evm_mine", []);
        const r1 = await ethers.provider.getTransactionReceipt(first.hash);
        const r2 = await ethers.provider.getTransactionReceipt(second.hash);
        expect(r1?.blockNumber).to.equal(r2?.blockNumber);
        expect(r1?.status).to.equal(1);
        expect(r2?.status).to.equal(0);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
    });

    it("two keepers racing in one block: exactly one succeeds and only it is paid", async function () {
      const token = await addr(suite, "BTC3L");
      await movePrice(suite, "BTC", pct(-8));
      const racers = [suite.keeper, suite.users[1]];
      const before = await Promise.all(racers.map((r) => suite.usdc.balanceOf(r.address)));
      await network.provider.send("evm_setAutomine", [false]);
      const hashes: string[] = [];
      try {
        for (const r of racers)
          hashes.push((await suite.rebalancer.connect(r).rebalance(token, { gasLimit: GAS })).hash);
        await network.provider.send("evm_mine", []);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      const receipts = await Promise.all(hashes.map((h) => ethers.provider.getTransactionReceipt(h)));
      expect(receipts[0]?.blockNumber).to.equal(receipts[1]?.blockNumber);
      const statuses = receipts.map((r) => r?.status);
      expect(statuses.filter((s) => s === 1)).to.have.length(1);
      expect(statuses.filter((s) => s === 0)).to.have.length(1);
      const after = await Promise.all(racers.map((r) => suite.usdc.balanceOf(r.address)));
      const winner = statuses.indexOf(1);
      expect(after[winner]).to.be.gt(before[winner]);
      expect(after[1 - winner]).to.equal(before[1 - winner]);
      expect(gapToTarget(await leverage(suite, "BTC3L"), wad(3))).to.be.lte(wad("0.01"));
    });
  });

  describe("keeper bounty", function () {
    const BASE = DEFAULT_BOUNTY.base;
    const PER_SECOND = DEFAULT_BOUNTY.perSecond;

    /** Breaches BTC3L's band with a round stamped `updatedAt`, then rebalances at `updatedAt + elapsed`. */
    async function breachAndRebalanceAfter(elapsed: number): Promise<ContractTransactionResponse> {
      const answer = ((await suite.feeds.BTC.latestAnswer()) * (PPM - pct(8))) / PPM;
      // Every timestamp is pinned from the chain, none left to the wall clock: the round is posted in the block at
      // latest + 1 and stamped one second later, so even `elapsed` 0 lands after the posting block.
      const posted = (await time.latest()) + 1;
      const updatedAt = posted + 1;
      await time.setNextBlockTimestamp(posted);
      await postRoundAt(suite, "BTC", answer, updatedAt);
      await time.setNextBlockTimestamp(updatedAt + elapsed);
      return suite.rebalancer.connect(suite.keeper).rebalance(await addr(suite, "BTC3L"));
    }

    it("pays the base bounty when acted on the second it became due", async function () {
      const tx = breachAndRebalanceAfter(0);
      await expect(tx).to.changeTokenBalances(suite.usdc, [suite.keeper, suite.venues.BTC], [BASE, -BASE]);
    });

    it("grows by perSecond for every second since the oracle round that breached the band", async function () {
      const tx = breachAndRebalanceAfter(100);
      await expect(tx).to.changeTokenBalance(suite.usdc, suite.keeper, BASE + 100n * PER_SECOND);
    });

    it("is capped at `cap`", async function () {
      const tx = breachAndRebalanceAfter(1_000); // 0.5 + 10 USDC uncapped
      await expect(tx).to.changeTokenBalance(suite.usdc, suite.keeper, DEFAULT_BOUNTY.cap);
    });

    it("for a time-triggered rebalance, grows since lastRebalance + interval", async function () {
      const token = await addr(suite, "BTC3L");
      await movePrice(suite, "BTC", pct(-3));
      const last = Number((await suite.rebalancer.tokenState(token)).lastRebalance);
      await time.increaseTo(last + DAY + 30);
      await postAnswer(suite, "BTC", await suite.feeds.BTC.latestAnswer()); // fresh price; the clock runs from the interval
      await time.setNextBlockTimestamp(last + DAY + 40);
      await expect(suite.rebalancer.connect(suite.keeper).rebalance(token)).to.changeTokenBalance(
        suite.usdc,
        suite.keeper,
        BASE + 40n * PER_SECOND,
      );
    });

    it("for a band breach after a quiet interval, still starts at base from the oracle round (not from the interval)", async function () {
      const token = await addr(suite, "BTC3L");
      const last = Number((await suite.rebalancer.tokenState(token)).lastRebalance);
      await time.increaseTo(last + 2 * DAY); // leverage at target all along: nothing was due
      await postAnswer(suite, "BTC", await suite.feeds.BTC.latestAnswer());
      expect(await action(suite, "BTC3L")).to.equal(Action.NONE);
      const tx = breachAndRebalanceAfter(10);
      await expect(tx).to.changeTokenBalance(suite.usdc, suite.keeper, BASE + 10n * PER_SECOND);
    });

    it("never exceeds maxEquityFraction of the product's equity", async function () {
      const token = await addr(suite, "BTC3L");
      const fraction = 10n ** 12n; // 1e-6 of equity: ~0.08 USDC, far below base
      await suite.rebalancer
        .connect(suite.governor)
        .setBounty(token, { ...DEFAULT_BOUNTY, maxEquityFraction: fraction });
      await movePrice(suite, "BTC", pct(-8));
      const [, equityWad] = await suite.products.BTC3L.positionSnapshot();
      const expected = ((equityWad / 10n ** 12n) * fraction) / WAD;
      expect(expected).to.be.gt(0n).and.lt(BASE);
      await expect(suite.rebalancer.connect(suite.keeper).rebalance(token)).to.changeTokenBalance(
        suite.usdc,
        suite.keeper,
        expected,
      );
    });

    it("draws down the budget and drops to 0 once the budget is exhausted", async function () {
      const token = await addr(suite, "BTC3L");
      await suite.rebalancer.connect(suite.governor).setBounty(token, { ...DEFAULT_BOUNTY, budget: usdc("0.7") });
      const paid: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        const budgetBefore = (await suite.rebalancer.tokenState(token)).bounty.budget;
        await movePrice(suite, "BTC", pct(-8));
        const tx = await suite.rebalancer.connect(suite.keeper).rebalance(token);
        const bounty = await paidBounty(suite, tx);
        paid.push(bounty);
        expect((await suite.rebalancer.tokenState(token)).bounty.budget).to.equal(budgetBefore - bounty);
        expect(gapToTarget(await leverage(suite, "BTC3L"), wad(3))).to.be.lte(wad("0.01"));
      }
      expect(paid[0]).to.be.gte(BASE);
      expect(paid[0] + paid[1]).to.equal(usdc("0.7"));
      expect(paid[2]).to.equal(0n);
      expect(await suite.rebalancer.currentBounty(token)).to.equal(0n);
    });

    it("is paid in USDC to the caller and reduces the product's equity by exactly that", async function () {
      const token = await addr(suite, "BTC3L");
      const product = suite.products.BTC3L;
      const venue = suite.venues.BTC;
      await movePrice(suite, "BTC", pct(-8));
      // The trade the rebalancer plans, read at the block it will run in: sign * L * (E - bounty) / P - size (sized on
      // the equity left after the bounty), and what the venue says that trade does to equity.
      const at = await pinNextBlock();
      const [size, equityWad, price] = await product.positionSnapshot(at);
      const planned = await suite.rebalancer.currentBounty(token, at);
      const sizeDelta = (wad(3) * (equityWad - planned * 10n ** 12n)) / price - size;
      const [, , equityAfterTrade] = await venue.previewTrade(token, sizeDelta, at);

      const tx = await suite.rebalancer.connect(suite.keeper).rebalance(token);
      await expect(tx)
        .to.emit(suite.rebalancer, "RebalanceExecuted")
        .withArgs(token, Action.REBALANCE, anyValue, anyValue, sizeDelta, suite.keeper.address, anyValue);
      const bounty = await paidBounty(suite, tx);
      expect(bounty).to.be.gt(0n);
      expect(bounty).to.equal(planned);
      await expect(tx).to.changeTokenBalances(suite.usdc, [suite.keeper, venue, product], [bounty, -bounty, 0n]);
      expect(await product.totalEquityWad()).to.equal(equityAfterTrade - bounty * 10n ** 12n);
    });

    it("currentBounty is 0 when nothing is due", async function () {
      expect(await suite.rebalancer.currentBounty(await addr(suite, "BTC3L"))).to.equal(0n);
    });
  });

  describe("registry and governance", function () {
    async function freshToken(): Promise<string> {
      const factory = await ethers.getContractFactory("LeveragedToken");
      const token = await factory.deploy(
        "Fresh",
        "FRESH",
        await suite.venues.BTC.getAddress(),
        await suite.rebalancer.getAddress(),
        true,
        suite.deployer.address,
        suite.treasury.address,
        DEFAULT_FEES,
        wad(1_000_000),
      );
      return token.getAddress();
    }

    it("lets the owner register a product, with its methodology and bounty", async function () {
      const token = await freshToken();
      await expect(suite.rebalancer.connect(suite.governor).register(token, methodologyV1(3), DEFAULT_BOUNTY)).to.emit(
        suite.rebalancer,
        "Registered",
      );
      expect(await suite.rebalancer.tokenCount()).to.equal(9n);
      expect((await suite.rebalancer.methodology(token)).targetLeverage).to.equal(wad(3));
      expect(await suite.rebalancer.shouldRebalance(token)).to.equal(Action.NONE);
    });

    it("lets an allowed registrar register, and nobody else (OnlyRegistrar)", async function () {
      const token = await freshToken();
      const outsider = suite.users[2];
      await expect(suite.rebalancer.connect(outsider).register(token, methodologyV1(3), DEFAULT_BOUNTY))
        .to.be.revertedWithCustomError(suite.rebalancer, "OnlyRegistrar")
        .withArgs(outsider.address);
      await suite.rebalancer.connect(suite.governor).setRegistrar(outsider.address, true);
      await expect(suite.rebalancer.connect(outsider).register(token, methodologyV1(3), DEFAULT_BOUNTY)).to.emit(
        suite.rebalancer,
        "Registered",
      );
      await suite.rebalancer.connect(suite.governor).setRegistrar(outsider.address, false);
      await expect(suite.rebalancer.connect(outsider).register(await freshToken(), methodologyV1(3), DEFAULT_BOUNTY))
        .to.be.revertedWithCustomError(suite.rebalancer, "OnlyRegistrar")
        .withArgs(outsider.address);
    });

    it("reverts AlreadyRegistered for a registered product", async function () {
      const token = await addr(suite, "BTC3L");
      await expect(suite.rebalancer.connect(suite.governor).register(token, methodologyV1(3), DEFAULT_BOUNTY))
        .to.be.revertedWithCustomError(suite.rebalancer, "AlreadyRegistered")
        .withArgs(token);
    });

    it("reverts NotRegistered from every per-token entry point for an unknown token", async function () {
      const token = await freshToken();
      const r = suite.rebalancer.connect(suite.governor);
      const calls: Array<() => Promise<unknown>> = [
        () => r.rebalance(token),
        () => r.ripcord(token),
        () => r.currentBounty(token),
        () => r.setMethodology(token, methodologyV1(3)),
        () => r.setBounty(token, DEFAULT_BOUNTY),
      ];
      for (const call of calls) {
        await expect(call()).to.be.revertedWithCustomError(r, "NotRegistered").withArgs(token);
      }
    });

    it("restricts setRegistrar, setMethodology and setBounty to the owner", async function () {
      const outsider = suite.users[2];
      const token = await addr(suite, "BTC3L");
      const r = suite.rebalancer.connect(outsider);
      const calls: Array<() => Promise<unknown>> = [
        () => r.setRegistrar(outsider.address, true),
        () => r.setMethodology(token, methodologyV1(3)),
        () => r.setBounty(token, DEFAULT_BOUNTY),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(suite.rebalancer, "OwnableUnauthorizedAccount")
          .withArgs(outsider.address);
      }
    });

    it("setMethodology and setBounty store the new values and emit", async function () {
      const token = await addr(suite, "BTC3L");
      const m: Methodology = { ...methodologyV1(3), interval: 3_600, tolerance: wad("0.05") };
      await expect(suite.rebalancer.connect(suite.governor).setMethodology(token, m)).to.emit(
        suite.rebalancer,
        "MethodologySet",
      );
      const stored = await suite.rebalancer.methodology(token);
      expect(stored.interval).to.equal(3_600n);
      expect(stored.tolerance).to.equal(wad("0.05"));
      const b: BountyParams = { ...DEFAULT_BOUNTY, budget: usdc(1) };
      await expect(suite.rebalancer.connect(suite.governor).setBounty(token, b)).to.emit(suite.rebalancer, "BountySet");
      expect((await suite.rebalancer.tokenState(token)).bounty.budget).to.equal(usdc(1));
    });

    it("setRegistrar rejects the zero address", async function () {
      await expect(
        suite.rebalancer.connect(suite.governor).setRegistrar(ZeroAddress, true),
      ).to.be.revertedWithCustomError(suite.rebalancer, "ZeroAddress");
    });

    describe("methodology validation: 0 < Lmin <= L <= Lmax < Lrip <= venue max (20x), interval > 0, 0 < slippage <= 3%", function () {
      const ok = methodologyV1(3);
      const cases: Array<[string, Methodology]> = [
        ["Lmin = 0", { ...ok, minLeverage: 0n }],
        ["Lmin > L", { ...ok, minLeverage: wad("3.01") }],
        ["L > Lmax", { ...ok, maxLeverage: wad("2.99") }],
        ["Lmax = Lrip", { ...ok, maxLeverage: wad("4.5") }],
        ["Lmax > Lrip", { ...ok, maxLeverage: wad(5) }],
        ["interval = 0", { ...ok, interval: 0 }],
        ["slippage = 0", { ...ok, maxSlippage: 0n }],
        ["slippage > MAX_SLIPPAGE (3%)", { ...ok, maxSlippage: wad("0.03") + 1n }],
        ["tolerance >= L", { ...ok, tolerance: wad(3) }],
      ];

      /** Lowers the BTC venue's maximum leverage to 1 / initialMarginRatio. */
      async function setVenueMaxLeverage(initialMarginRatio: bigint): Promise<void> {
        await suite.mockVenues.BTC.setParams({ ...MARKETS.BTC.venue, initialMarginRatio });
      }

      it("rejects Lrip > the venue's maximum leverage (InvalidMethodology), and accepts Lrip = venue max", async function () {
        // The struct's uint64 leverages top out at ~18.4x, below the default venue's 20x: use a 5x venue.
        await setVenueMaxLeverage(wad("0.2"));
        expect(await suite.venues.BTC.maxLeverage()).to.equal(wad(5));
        const token = await addr(suite, "BTC3L");
        await expect(
          suite.rebalancer.connect(suite.governor).setMethodology(token, { ...ok, ripcordLeverage: wad(5) + 1n }),
        ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidMethodology");
        await expect(
          suite.rebalancer
            .connect(suite.governor)
            .register(await freshToken(), { ...ok, ripcordLeverage: wad(5) + 1n }, DEFAULT_BOUNTY),
        ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidMethodology");
        await expect(
          suite.rebalancer.connect(suite.governor).setMethodology(token, { ...ok, ripcordLeverage: wad(5) }),
        ).to.emit(suite.rebalancer, "MethodologySet");
      });

      for (const [name, m] of cases) {
        it(`rejects ${name} (InvalidMethodology) on setMethodology and register`, async function () {
          await expect(
            suite.rebalancer.connect(suite.governor).setMethodology(await addr(suite, "BTC3L"), m),
          ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidMethodology");
          await expect(
            suite.rebalancer.connect(suite.governor).register(await freshToken(), m, DEFAULT_BOUNTY),
          ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidMethodology");
        });
      }

      it("accepts the edges: Lmin = L = Lmax, Lrip just above, slippage at MAX_SLIPPAGE, tolerance 0", async function () {
        const edge: Methodology = {
          ...ok,
          minLeverage: wad(3),
          maxLeverage: wad(3),
          ripcordLeverage: wad(3) + 1n,
          maxSlippage: await suite.rebalancer.MAX_SLIPPAGE(),
          tolerance: 0n,
        };
        await expect(suite.rebalancer.connect(suite.governor).setMethodology(await addr(suite, "BTC3L"), edge)).to.emit(
          suite.rebalancer,
          "MethodologySet",
        );
      });

      it("rejects any change of the target leverage (TargetLeverageFixed), even within every other bound", async function () {
        const token = await addr(suite, "BTC3L");
        await expect(suite.rebalancer.connect(suite.governor).setMethodology(token, methodologyV1(2)))
          .to.be.revertedWithCustomError(suite.rebalancer, "TargetLeverageFixed")
          .withArgs(token, ok.targetLeverage);
        await expect(
          suite.rebalancer
            .connect(suite.governor)
            .setMethodology(token, { ...ok, targetLeverage: ok.targetLeverage + 1n }),
        ).to.be.revertedWithCustomError(suite.rebalancer, "TargetLeverageFixed");
      });
    });

    it("bounty validation: base > cap or maxEquityFraction > 1% is InvalidBounty", async function () {
      const token = await addr(suite, "BTC3L");
      for (const b of [
        { ...DEFAULT_BOUNTY, base: DEFAULT_BOUNTY.cap + 1n },
        { ...DEFAULT_BOUNTY, maxEquityFraction: wad("0.01") + 1n },
      ]) {
        await expect(suite.rebalancer.connect(suite.governor).setBounty(token, b)).to.be.revertedWithCustomError(
          suite.rebalancer,
          "InvalidBounty",
        );
      }
    });
  });

  describe("Chainlink Automation", function () {
    let tokens: string[];
    beforeEach(async function () {
      tokens = await suite.rebalancer.tokens();
      expect(tokens).to.have.length(PRODUCT_SYMBOLS.length);
    });

    const indexOf = (symbol: ProductSymbol): number => PRODUCT_SYMBOLS.indexOf(symbol);

    it("checkUpkeep from address(0) reports nothing when nothing is due", async function () {
      const { upkeepNeeded, performData } = await checkUpkeep(suite);
      expect(upkeepNeeded).to.equal(false);
      expect(decodePerform(performData)).to.deep.equal({ tokens: [], actions: [] });
    });

    it("checkUpkeep reports exactly the due products with their actions, ripcords first", async function () {
      await movePrice(suite, "BTC", pct(-16)); // BTC3L ripcord; BTC2L, BTC2S, BTC3S out of their bands
      const { upkeepNeeded, performData } = await checkUpkeep(suite);
      expect(upkeepNeeded).to.equal(true);
      const expected = (["BTC3L", "BTC2L", "BTC2S", "BTC3S"] as const).map((s) => tokens[indexOf(s)]);
      const got = decodePerform(performData);
      expect(got.tokens).to.deep.equal(expected);
      expect(got.actions).to.deep.equal([Action.RIPCORD, Action.REBALANCE, Action.REBALANCE, Action.REBALANCE]);
      for (let i = 0; i < got.tokens.length; i++) {
        expect(await suite.rebalancer.shouldRebalance(got.tokens[i])).to.equal(got.actions[i]);
      }
    });

    it("checkUpkeep scans only the (start, count) slice given in checkData", async function () {
      await movePrice(suite, "BTC", pct(-16));
      await movePrice(suite, "ETH", pct(-16));
      // Which products, in registry order (the batch itself lists ripcords first).
      const slice = async (start: number, count: number) =>
        decodePerform(
          (await checkUpkeep(suite, coder.encode(["uint256", "uint256"], [start, count]))).performData,
        ).tokens.sort((a, b) => tokens.indexOf(a) - tokens.indexOf(b));
      expect(await slice(0, 4)).to.deep.equal(tokens.slice(0, 4));
      expect(await slice(4, 4)).to.deep.equal(tokens.slice(4, 8));
      expect(await slice(2, 3)).to.deep.equal(tokens.slice(2, 5));
      expect(await slice(6, 100)).to.deep.equal(tokens.slice(6, 8));
      expect(await slice(8, 4)).to.deep.equal([]);
      expect((await checkUpkeep(suite, coder.encode(["uint256", "uint256"], [8, 4]))).upkeepNeeded).to.equal(false);
    });

    it("performUpkeep (by anyone) acts on every due product in one transaction", async function () {
      await movePrice(suite, "BTC", pct(-16));
      await movePrice(suite, "ETH", pct(18)); // ETH2L below its band, ETH2S and ETH3S ripcord, ETH3L below its band
      const { upkeepNeeded, performData } = await checkUpkeep(suite);
      expect(upkeepNeeded).to.equal(true);
      const due = decodePerform(performData);
      expect(due.tokens).to.have.length(8);
      const tx = await suite.rebalancer.connect(suite.users[3]).performUpkeep(performData);
      const receipt = await tx.wait();
      const executed = (receipt?.logs ?? [])
        .map((l) => suite.rebalancer.interface.parseLog(l))
        .filter((p) => p?.name === "RebalanceExecuted");
      expect(executed).to.have.length(8);
      for (const symbol of PRODUCT_SYMBOLS) {
        expect(await action(suite, symbol), symbol).to.equal(Action.NONE);
        const target = symbol.includes("3") ? wad(3) : wad(2);
        expect(gapToTarget(await leverage(suite, symbol), target), symbol).to.be.lte(wad("0.01"));
      }
      expect((await checkUpkeep(suite)).upkeepNeeded).to.equal(false);
    });

    it("one failing product (stale oracle) does not block the others and emits UpkeepFailed", async function () {
      await movePrice(suite, "BTC", pct(-8));
      await movePrice(suite, "ETH", pct(-8));
      const { performData } = await checkUpkeep(suite); // BTC and ETH products due
      const due = decodePerform(performData);
      const ethTokens = due.tokens.filter((t) => tokens.indexOf(t) >= 4);
      expect(ethTokens.length).to.be.gt(0);

      await time.increase(maxStaleness(LOCAL_FEED_TIMING.ETH) + 1);
      await postAnswer(suite, "BTC", await suite.feeds.BTC.latestAnswer()); // BTC fresh, ETH stale
      const [, , , ethUpdatedAt] = await suite.feeds.ETH.latestRoundData();
      const reason = suite.oracles.ETH.interface.encodeErrorResult("StalePrice", [
        ethUpdatedAt,
        maxStaleness(LOCAL_FEED_TIMING.ETH),
      ]);
      expect((await checkUpkeep(suite)).upkeepNeeded, "the scan skips the broken market").to.equal(true);

      const tx = suite.rebalancer.connect(suite.keeper).performUpkeep(performData);
      for (const t of ethTokens) await expect(tx).to.emit(suite.rebalancer, "UpkeepFailed").withArgs(t, reason);
      for (const symbol of ["BTC2S", "BTC3L", "BTC3S"] as const) {
        expect(await action(suite, symbol), symbol).to.equal(Action.NONE);
      }
      expect(gapToTarget(await leverage(suite, "BTC3L"), wad(3))).to.be.lte(wad("0.01"));
    });

    it("one failing product (zero price) does not block the others", async function () {
      await movePrice(suite, "BTC", pct(-8));
      await movePrice(suite, "ETH", pct(-8));
      const { performData } = await checkUpkeep(suite);
      const due = decodePerform(performData);
      await postAnswer(suite, "ETH", 0n);
      const reason = suite.oracles.ETH.interface.encodeErrorResult("InvalidPrice", [0n]);
      const tx = suite.rebalancer.connect(suite.keeper).performUpkeep(performData);
      await expect(tx).to.emit(suite.rebalancer, "UpkeepFailed").withArgs(tokens[indexOf("ETH3L")], reason);
      await expect(tx)
        .to.emit(suite.rebalancer, "RebalanceExecuted")
        .withArgs(
          tokens[indexOf("BTC3L")],
          Action.REBALANCE,
          anyValue,
          anyValue,
          anyValue,
          suite.keeper.address,
          anyValue,
        );
      expect(due.tokens).to.include(tokens[indexOf("ETH3L")]);
      expect(await action(suite, "BTC3L")).to.equal(Action.NONE);
    });

    it("performUpkeep with stale performData re-checks, pays nothing and changes nothing", async function () {
      await movePrice(suite, "BTC", pct(-8));
      const { performData } = await checkUpkeep(suite);
      const due = decodePerform(performData);
      await suite.rebalancer.connect(suite.keeper).performUpkeep(performData);
      const levs = await Promise.all(PRODUCT_SYMBOLS.map((s) => leverage(suite, s)));
      const balance = await suite.usdc.balanceOf(suite.keeper.address);

      const tx = suite.rebalancer.connect(suite.keeper).performUpkeep(performData);
      await expect(tx).not.to.emit(suite.rebalancer, "RebalanceExecuted");
      for (const t of due.tokens) await expect(tx).to.emit(suite.rebalancer, "UpkeepFailed").withArgs(t, anyValue);
      expect(await suite.usdc.balanceOf(suite.keeper.address)).to.equal(balance);
      expect(await Promise.all(PRODUCT_SYMBOLS.map((s) => leverage(suite, s)))).to.deep.equal(levs);
    });

    it("performUpkeep does what is due now, whatever action performData claims", async function () {
      await movePrice(suite, "BTC", pct(-16));
      const token = tokens[indexOf("BTC3L")];
      await expect(suite.rebalancer.performUpkeep(encodePerform([token], [Action.REBALANCE])))
        .to.emit(suite.rebalancer, "RebalanceExecuted")
        .withArgs(token, Action.RIPCORD, anyValue, anyValue, anyValue, anyValue, anyValue);
    });

    it("performUpkeep skips unregistered addresses", async function () {
      const stranger = suite.users[4].address;
      const tx = suite.rebalancer.performUpkeep(encodePerform([stranger], [Action.REBALANCE]));
      await expect(tx).not.to.be.reverted;
      await expect(tx).not.to.emit(suite.rebalancer, "UpkeepFailed");
    });

    it("bounds the batch at MAX_BATCH (InvalidBatch beyond)", async function () {
      const max = Number(await suite.rebalancer.MAX_BATCH());
      expect(await suite.rebalancer.maxBatch()).to.equal(BigInt(max));
      const list = (n: number): string[] => Array.from({ length: n }, (_, i) => tokens[i % tokens.length]);
      await expect(suite.rebalancer.performUpkeep(encodePerform(list(max), Array(max).fill(1)))).not.to.be.reverted;
      await expect(
        suite.rebalancer.performUpkeep(encodePerform(list(max + 1), Array(max + 1).fill(1))),
      ).to.be.revertedWithCustomError(suite.rebalancer, "InvalidBatch");
    });

    it("executeFromUpkeep is callable only by the Rebalancer itself (OnlySelf)", async function () {
      await movePrice(suite, "BTC", pct(-8));
      await expect(
        suite.rebalancer.executeFromUpkeep(tokens[indexOf("BTC3L")], suite.keeper.address),
      ).to.be.revertedWithCustomError(suite.rebalancer, "OnlySelf");
    });
  });

  describe("keeperAct helper", function () {
    it("chains REBALANCE and ITERATE calls until NONE", async function () {
      const token = await addr(suite, "ETH3S");
      await suite.rebalancer
        .connect(suite.governor)
        .setMethodology(token, { ...methodologyV1(3), maxTradeNotional: wad(20_000) });
      await movePrice(suite, marketOf("ETH3S"), pct(8));
      const taken = await keeperAct(suite, suite.products.ETH3S);
      expect(taken[0]).to.equal(Action.REBALANCE);
      expect(taken.slice(1)).to.have.length.greaterThan(0);
      expect(taken.slice(1).every((a) => a === Action.ITERATE)).to.equal(true);
      expect(gapToTarget(await leverage(suite, "ETH3S"), wad(3))).to.be.lte(wad("0.01"));
    });
  });
});
