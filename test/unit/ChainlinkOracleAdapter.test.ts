import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ChainlinkOracleAdapter, MockV3Aggregator, RevertingAggregator } from "../../typechain-types";
import { BTC_USD_ANSWER, FEED_DECIMALS, FEED_HEARTBEAT } from "../helpers/fixtures";

const GRACE_PERIOD = 3600n;
const SEQUENCER_UP = 0n;
const SEQUENCER_DOWN = 1n;

interface OracleFixture {
  readonly feed: MockV3Aggregator;
  readonly adapter: ChainlinkOracleAdapter;
  readonly sequencer: MockV3Aggregator;
  /** Same feed, gated on `sequencer` with GRACE_PERIOD. */
  readonly l2Adapter: ChainlinkOracleAdapter;
  readonly reverting: RevertingAggregator;
  readonly revertingAdapter: ChainlinkOracleAdapter;
}

async function deployAdapter(
  feed: string,
  heartbeat: bigint,
  sequencer: string,
  grace: bigint,
): Promise<ChainlinkOracleAdapter> {
  const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
  return factory.deploy(feed, heartbeat, sequencer, grace);
}

async function oracleFixture(): Promise<OracleFixture> {
  const aggregator = await ethers.getContractFactory("MockV3Aggregator");
  const feed = await aggregator.deploy(FEED_DECIMALS, BTC_USD_ANSWER);
  const adapter = await deployAdapter(await feed.getAddress(), FEED_HEARTBEAT, ethers.ZeroAddress, 0n);

  const sequencer = await aggregator.deploy(0, SEQUENCER_UP);
  const now = BigInt(await time.latest());
  // Up since two grace periods ago.
  await sequencer.updateRoundData(2n, SEQUENCER_UP, now, now - 2n * GRACE_PERIOD);
  const l2Adapter = await deployAdapter(
    await feed.getAddress(),
    FEED_HEARTBEAT,
    await sequencer.getAddress(),
    GRACE_PERIOD,
  );

  const reverting = await (
    await ethers.getContractFactory("RevertingAggregator")
  ).deploy(FEED_DECIMALS, BTC_USD_ANSWER);
  const revertingAdapter = await deployAdapter(await reverting.getAddress(), FEED_HEARTBEAT, ethers.ZeroAddress, 0n);

  await feed.updateAnswer(BTC_USD_ANSWER); // fresh round after the setup transactions
  return { feed, adapter, sequencer, l2Adapter, reverting, revertingAdapter };
}

/** The timestamp the next block will get, pinned so that a test can reason about it exactly. */
async function pinNextBlock(secondsAhead: bigint = 10n): Promise<bigint> {
  const t = BigInt(await time.latest()) + secondsAhead;
  await time.setNextBlockTimestamp(t);
  return t;
}

describe("ChainlinkOracleAdapter", function () {
  describe("#latestPrice", function () {
    it("normalises an 8-decimal answer to WAD and returns the round's updatedAt", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await feed.updateAnswer(6_000_012_345_678n); // 60,000.12345678
      const [priceWad, updatedAt] = await adapter.latestPrice();
      expect(priceWad).to.equal(60_000_123_456_780_000_000_000n);
      expect(updatedAt).to.equal(t);
      expect(await adapter.price()).to.equal(60_000_123_456_780_000_000_000n);
    });

    it("passes an 18-decimal answer through unchanged", async function () {
      const feed18 = await (
        await ethers.getContractFactory("MockV3Aggregator")
      ).deploy(18, 60_000_123_456_789_012_345_678n);
      const adapter18 = await deployAdapter(await feed18.getAddress(), FEED_HEARTBEAT, ethers.ZeroAddress, 0n);
      expect(await adapter18.price()).to.equal(60_000_123_456_789_012_345_678n);
    });

    it("scales a 0-decimal answer by 1e18", async function () {
      const feed0 = await (await ethers.getContractFactory("MockV3Aggregator")).deploy(0, 60_000n);
      const adapter0 = await deployAdapter(await feed0.getAddress(), FEED_HEARTBEAT, ethers.ZeroAddress, 0n);
      expect(await adapter0.price()).to.equal(60_000n * 10n ** 18n);
    });

    it("accepts the smallest positive answer", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      await feed.updateAnswer(1n);
      expect(await adapter.price()).to.equal(10n ** 10n);
    });

    it("reverts InvalidPrice on a zero answer", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      await feed.updateAnswer(0n);
      await expect(adapter.price()).to.be.revertedWithCustomError(adapter, "InvalidPrice").withArgs(0n);
    });

    it("reverts InvalidPrice on a negative answer", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      await feed.updateAnswer(-1n);
      await expect(adapter.latestPrice()).to.be.revertedWithCustomError(adapter, "InvalidPrice").withArgs(-1n);
    });

    it("accepts an answer exactly heartbeat seconds old", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await feed.updateRoundData(7n, BTC_USD_ANSWER, t - FEED_HEARTBEAT, t - FEED_HEARTBEAT);
      expect(BigInt(await time.latest())).to.equal(t);
      const [priceWad, updatedAt] = await adapter.latestPrice();
      expect(priceWad).to.equal(BTC_USD_ANSWER * 10n ** 10n);
      expect(updatedAt).to.equal(t - FEED_HEARTBEAT);
    });

    it("reverts StalePrice one second past the heartbeat", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await feed.updateRoundData(7n, BTC_USD_ANSWER, t - FEED_HEARTBEAT, t - FEED_HEARTBEAT);
      await mine(); // block time t + 1
      await expect(adapter.price())
        .to.be.revertedWithCustomError(adapter, "StalePrice")
        .withArgs(t - FEED_HEARTBEAT, FEED_HEARTBEAT);
    });

    it("reverts StalePrice when the feed stops updating for longer than the heartbeat", async function () {
      const { adapter } = await loadFixture(oracleFixture);
      await time.increase(FEED_HEARTBEAT + 1n);
      await expect(adapter.price()).to.be.revertedWithCustomError(adapter, "StalePrice");
    });

    it("reverts FuturePrice on an updatedAt after the block time", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await feed.updateRoundData(7n, BTC_USD_ANSWER, t + 1n, t);
      await expect(adapter.price())
        .to.be.revertedWithCustomError(adapter, "FuturePrice")
        .withArgs(t + 1n, t);
    });

    it("accepts an updatedAt equal to the block time", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await feed.updateRoundData(7n, BTC_USD_ANSWER, t, t);
      const [, updatedAt] = await adapter.latestPrice();
      expect(updatedAt).to.equal(t);
    });

    it("reverts FeedUnavailable when the feed call reverts, and recovers with it", async function () {
      const { reverting, revertingAdapter } = await loadFixture(oracleFixture);
      expect(await revertingAdapter.price()).to.equal(BTC_USD_ANSWER * 10n ** 10n);
      await reverting.setShouldRevert(true);
      await expect(revertingAdapter.price())
        .to.be.revertedWithCustomError(revertingAdapter, "FeedUnavailable")
        .withArgs(await reverting.getAddress());
      await reverting.setShouldRevert(false);
      expect(await revertingAdapter.price()).to.equal(BTC_USD_ANSWER * 10n ** 10n);
    });
  });

  describe("L2 sequencer gate", function () {
    it("returns the price when the sequencer has been up longer than the grace period", async function () {
      const { l2Adapter } = await loadFixture(oracleFixture);
      expect(await l2Adapter.price()).to.equal(BTC_USD_ANSWER * 10n ** 10n);
    });

    it("reverts SequencerDown when the sequencer reports down", async function () {
      const { sequencer, l2Adapter } = await loadFixture(oracleFixture);
      await sequencer.updateAnswer(SEQUENCER_DOWN);
      await expect(l2Adapter.price()).to.be.revertedWithCustomError(l2Adapter, "SequencerDown");
    });

    it("reverts SequencerDown when the sequencer round has not started (startedAt 0)", async function () {
      const { sequencer, l2Adapter } = await loadFixture(oracleFixture);
      const now = BigInt(await time.latest());
      await sequencer.updateRoundData(3n, SEQUENCER_UP, now, 0n);
      await expect(l2Adapter.price()).to.be.revertedWithCustomError(l2Adapter, "SequencerDown");
    });

    it("checks the sequencer before the price feed", async function () {
      const { feed, sequencer, l2Adapter } = await loadFixture(oracleFixture);
      await feed.updateAnswer(0n);
      await sequencer.updateAnswer(SEQUENCER_DOWN);
      await expect(l2Adapter.price()).to.be.revertedWithCustomError(l2Adapter, "SequencerDown");
    });

    it("reverts SequencerGracePeriodNotOver when up for exactly the grace period", async function () {
      const { sequencer, l2Adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await sequencer.updateRoundData(3n, SEQUENCER_UP, t, t - GRACE_PERIOD);
      await expect(l2Adapter.price())
        .to.be.revertedWithCustomError(l2Adapter, "SequencerGracePeriodNotOver")
        .withArgs(t - GRACE_PERIOD, GRACE_PERIOD);
    });

    it("reverts SequencerGracePeriodNotOver right after the sequencer comes back up", async function () {
      const { sequencer, l2Adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await sequencer.updateAnswer(SEQUENCER_UP); // startedAt = t
      await expect(l2Adapter.price())
        .to.be.revertedWithCustomError(l2Adapter, "SequencerGracePeriodNotOver")
        .withArgs(t, GRACE_PERIOD);
    });

    it("returns the price one second after the grace period ends", async function () {
      const { sequencer, l2Adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await sequencer.updateRoundData(3n, SEQUENCER_UP, t, t - GRACE_PERIOD);
      await mine(); // block time t + 1
      expect(await l2Adapter.price()).to.equal(BTC_USD_ANSWER * 10n ** 10n);
    });

    it("reverts FeedUnavailable naming the sequencer feed when it reverts", async function () {
      const { feed } = await loadFixture(oracleFixture);
      const seq = await (await ethers.getContractFactory("RevertingAggregator")).deploy(0, SEQUENCER_UP);
      const gated = await deployAdapter(await feed.getAddress(), FEED_HEARTBEAT, await seq.getAddress(), 1n);
      await seq.setShouldRevert(true);
      await expect(gated.price())
        .to.be.revertedWithCustomError(gated, "FeedUnavailable")
        .withArgs(await seq.getAddress());
    });
  });

  describe("constructor", function () {
    it("stores feed, heartbeat, sequencer feed and grace period", async function () {
      const { feed, sequencer, l2Adapter } = await loadFixture(oracleFixture);
      expect(await l2Adapter.feed()).to.equal(await feed.getAddress());
      expect(await l2Adapter.FEED()).to.equal(await feed.getAddress());
      expect(await l2Adapter.heartbeat()).to.equal(FEED_HEARTBEAT);
      expect(await l2Adapter.HEARTBEAT()).to.equal(FEED_HEARTBEAT);
      expect(await l2Adapter.SEQUENCER_UPTIME_FEED()).to.equal(await sequencer.getAddress());
      expect(await l2Adapter.GRACE_PERIOD()).to.equal(GRACE_PERIOD);
    });

    it("reverts InvalidOracleConfig on a zero feed address", async function () {
      const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
      await expect(
        factory.deploy(ethers.ZeroAddress, FEED_HEARTBEAT, ethers.ZeroAddress, 0n),
      ).to.be.revertedWithCustomError(factory, "InvalidOracleConfig");
    });

    it("reverts InvalidOracleConfig on a zero heartbeat", async function () {
      const { feed } = await loadFixture(oracleFixture);
      const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
      await expect(factory.deploy(await feed.getAddress(), 0n, ethers.ZeroAddress, 0n)).to.be.revertedWithCustomError(
        factory,
        "InvalidOracleConfig",
      );
    });

    it("reverts InvalidOracleConfig on a grace period without a sequencer feed", async function () {
      const { feed } = await loadFixture(oracleFixture);
      const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
      await expect(
        factory.deploy(await feed.getAddress(), FEED_HEARTBEAT, ethers.ZeroAddress, GRACE_PERIOD),
      ).to.be.revertedWithCustomError(factory, "InvalidOracleConfig");
    });

    it("reverts InvalidOracleConfig on a feed with more than 18 decimals", async function () {
      const feed19 = await (await ethers.getContractFactory("MockV3Aggregator")).deploy(19, 1n);
      const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
      await expect(
        factory.deploy(await feed19.getAddress(), FEED_HEARTBEAT, ethers.ZeroAddress, 0n),
      ).to.be.revertedWithCustomError(factory, "InvalidOracleConfig");
    });

    it("accepts a sequencer feed with a zero grace period", async function () {
      const { feed, sequencer } = await loadFixture(oracleFixture);
      const gated = await deployAdapter(await feed.getAddress(), FEED_HEARTBEAT, await sequencer.getAddress(), 0n);
      expect(await gated.GRACE_PERIOD()).to.equal(0n);
    });
  });
});
