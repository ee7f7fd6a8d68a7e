import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type {
  ChainlinkOracleAdapter,
  MockAggregatorProxyFeed,
  MockOCRAggregator,
  MockV3Aggregator,
  RevertingAggregator,
} from "../../typechain-types";
import {
  BTC_USD_ANSWER,
  FEED_DECIMALS,
  FEED_HEARTBEAT,
  FEED_MAX_AGE,
  FEED_STALENESS_BUFFER,
} from "../helpers/fixtures";
import { MARKET_SYMBOLS } from "../../config/parameters";
import { LIVE_FEEDS, oracleArgs } from "../../config/networks";

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

/** An adapter with the local feed's heartbeat and staleness buffer unless told otherwise. */
async function deployAdapter(
  feed: string,
  heartbeat: bigint,
  sequencer: string,
  grace: bigint,
  buffer: bigint = FEED_STALENESS_BUFFER,
): Promise<ChainlinkOracleAdapter> {
  const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
  return factory.deploy(feed, heartbeat, buffer, sequencer, grace);
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

    it("accepts an answer exactly heartbeat + buffer seconds old", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await feed.updateRoundData(7n, BTC_USD_ANSWER, t - FEED_MAX_AGE, t - FEED_MAX_AGE);
      expect(BigInt(await time.latest())).to.equal(t);
      const [priceWad, updatedAt] = await adapter.latestPrice();
      expect(priceWad).to.equal(BTC_USD_ANSWER * 10n ** 10n);
      expect(updatedAt).to.equal(t - FEED_MAX_AGE);
    });

    it("reverts StalePrice one second past heartbeat + buffer", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      const t = await pinNextBlock();
      await feed.updateRoundData(7n, BTC_USD_ANSWER, t - FEED_MAX_AGE, t - FEED_MAX_AGE);
      await mine(); // block time t + 1
      await expect(adapter.price())
        .to.be.revertedWithCustomError(adapter, "StalePrice")
        .withArgs(t - FEED_MAX_AGE, FEED_MAX_AGE);
    });

    it("with a zero buffer, reverts StalePrice one second past the heartbeat", async function () {
      const { feed } = await loadFixture(oracleFixture);
      const strict = await deployAdapter(await feed.getAddress(), FEED_HEARTBEAT, ethers.ZeroAddress, 0n, 0n);
      const t = await pinNextBlock();
      await feed.updateRoundData(7n, BTC_USD_ANSWER, t - FEED_HEARTBEAT, t - FEED_HEARTBEAT);
      expect(await strict.price()).to.equal(BTC_USD_ANSWER * 10n ** 10n);
      await mine(); // block time t + 1
      await expect(strict.price())
        .to.be.revertedWithCustomError(strict, "StalePrice")
        .withArgs(t - FEED_HEARTBEAT, FEED_HEARTBEAT);
    });

    it("reverts StalePrice when the feed stops updating for longer than heartbeat + buffer", async function () {
      const { adapter } = await loadFixture(oracleFixture);
      await time.increase(FEED_MAX_AGE + 1n);
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
    it("stores feed, heartbeat, staleness buffer, sequencer feed and grace period", async function () {
      const { feed, sequencer, l2Adapter } = await loadFixture(oracleFixture);
      expect(await l2Adapter.feed()).to.equal(await feed.getAddress());
      expect(await l2Adapter.FEED()).to.equal(await feed.getAddress());
      expect(await l2Adapter.heartbeat()).to.equal(FEED_HEARTBEAT);
      expect(await l2Adapter.HEARTBEAT()).to.equal(FEED_HEARTBEAT);
      expect(await l2Adapter.stalenessBuffer()).to.equal(FEED_STALENESS_BUFFER);
      expect(await l2Adapter.STALENESS_BUFFER()).to.equal(FEED_STALENESS_BUFFER);
      expect(await l2Adapter.maxStaleness()).to.equal(FEED_MAX_AGE);
      expect(await l2Adapter.MAX_STALENESS()).to.equal(FEED_MAX_AGE);
      expect(await l2Adapter.SEQUENCER_UPTIME_FEED()).to.equal(await sequencer.getAddress());
      expect(await l2Adapter.GRACE_PERIOD()).to.equal(GRACE_PERIOD);
    });

    it("reverts InvalidOracleConfig on a zero feed address", async function () {
      const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
      await expect(
        factory.deploy(ethers.ZeroAddress, FEED_HEARTBEAT, FEED_STALENESS_BUFFER, ethers.ZeroAddress, 0n),
      ).to.be.revertedWithCustomError(factory, "InvalidOracleConfig");
    });

    it("reverts InvalidOracleConfig on a zero heartbeat", async function () {
      const { feed } = await loadFixture(oracleFixture);
      const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
      await expect(
        factory.deploy(await feed.getAddress(), 0n, FEED_STALENESS_BUFFER, ethers.ZeroAddress, 0n),
      ).to.be.revertedWithCustomError(factory, "InvalidOracleConfig");
    });

    it("reverts InvalidOracleConfig on a grace period without a sequencer feed", async function () {
      const { feed } = await loadFixture(oracleFixture);
      const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
      await expect(
        factory.deploy(
          await feed.getAddress(),
          FEED_HEARTBEAT,
          FEED_STALENESS_BUFFER,
          ethers.ZeroAddress,
          GRACE_PERIOD,
        ),
      ).to.be.revertedWithCustomError(factory, "InvalidOracleConfig");
    });

    it("reverts InvalidOracleConfig on a feed with more than 18 decimals", async function () {
      const feed19 = await (await ethers.getContractFactory("MockV3Aggregator")).deploy(19, 1n);
      const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
      await expect(
        factory.deploy(await feed19.getAddress(), FEED_HEARTBEAT, FEED_STALENESS_BUFFER, ethers.ZeroAddress, 0n),
      ).to.be.revertedWithCustomError(factory, "InvalidOracleConfig");
    });

    it("accepts a sequencer feed with a zero grace period", async function () {
      const { feed, sequencer } = await loadFixture(oracleFixture);
      const gated = await deployAdapter(await feed.getAddress(), FEED_HEARTBEAT, await sequencer.getAddress(), 0n);
      expect(await gated.GRACE_PERIOD()).to.equal(0n);
    });
  });
});

// ------------------------------------------------------------------------------------------------------------------
// Issue 13.5
// ------------------------------------------------------------------------------------------------------------------

/** BTC/USD bounds of a clamping OCR aggregator, 8 decimals: 1,000 and 1,000,000 USD. */
const MIN_ANSWER = 1_000n * 10n ** 8n;
const MAX_ANSWER = 1_000_000n * 10n ** 8n;

interface BoundedFixture {
  readonly ocr: MockOCRAggregator;
  /** The proxy the adapter reads: MockV3Aggregator's rounds plus `aggregator()` → `ocr`. */
  readonly proxy: MockAggregatorProxyFeed;
  readonly adapter: ChainlinkOracleAdapter;
}

async function boundedFixture(): Promise<BoundedFixture> {
  const ocr = await (await ethers.getContractFactory("MockOCRAggregator")).deploy(MIN_ANSWER, MAX_ANSWER);
  const proxy = await (
    await ethers.getContractFactory("MockAggregatorProxyFeed")
  ).deploy(FEED_DECIMALS, BTC_USD_ANSWER, await ocr.getAddress());
  const adapter = await deployAdapter(await proxy.getAddress(), FEED_HEARTBEAT, ethers.ZeroAddress, 0n);
  return { ocr, proxy, adapter };
}

describe("issue 13.5: staleness is heartbeat + buffer per feed, and a circuit-breaker answer is an invalid price", function () {
  describe("staleness", function () {
    // The deploy scripts' adapters (heartbeat + buffer on the deployed BTC and ETH oracles): in
    // test/integration/OracleAndPause.test.ts, "issue 13.5", on the hardhat-deploy suite.
    it("every documented live network configures heartbeat + a positive buffer for BTC and ETH, and the deploy arguments carry both", function () {
      expect(Object.keys(LIVE_FEEDS).sort()).to.deep.equal(["arbitrum", "mainnet"]);
      for (const [network, feeds] of Object.entries(LIVE_FEEDS)) {
        for (const market of MARKET_SYMBOLS) {
          const f = feeds[market];
          expect(f.heartbeat, `${network} ${market}`).to.be.greaterThan(0);
          expect(f.stalenessBuffer, `${network} ${market}`).to.be.greaterThan(0);
          expect(oracleArgs(feeds, market)).to.deep.equal([
            f.address,
            f.heartbeat,
            f.stalenessBuffer,
            feeds.sequencerUptime,
            feeds.sequencerGracePeriod,
          ]);
        }
      }
      // The published heartbeats differ per chain: one hour on Ethereum, a day on Arbitrum.
      expect(LIVE_FEEDS.mainnet.BTC.heartbeat).to.equal(3600);
      expect(LIVE_FEEDS.arbitrum.BTC.heartbeat).to.equal(86_400);
    });

    it("reverts InvalidOracleConfig when heartbeat + buffer overflows", async function () {
      const { feed } = await loadFixture(oracleFixture);
      const factory = await ethers.getContractFactory("ChainlinkOracleAdapter");
      await expect(
        factory.deploy(await feed.getAddress(), ethers.MaxUint256, 1n, ethers.ZeroAddress, 0n),
      ).to.be.revertedWithCustomError(factory, "InvalidOracleConfig");
    });
  });

  describe("circuit breaker (the aggregator's minAnswer / maxAnswer)", function () {
    it("rejects an answer at minAnswer with PriceAtCircuitBreaker(answer, minAnswer, maxAnswer)", async function () {
      const { proxy, adapter } = await loadFixture(boundedFixture);
      await proxy.updateAnswer(MIN_ANSWER);
      await expect(adapter.price())
        .to.be.revertedWithCustomError(adapter, "PriceAtCircuitBreaker")
        .withArgs(MIN_ANSWER, MIN_ANSWER, MAX_ANSWER);
      await expect(adapter.latestPrice())
        .to.be.revertedWithCustomError(adapter, "PriceAtCircuitBreaker")
        .withArgs(MIN_ANSWER, MIN_ANSWER, MAX_ANSWER);
    });

    it("rejects an answer at maxAnswer, and beyond either bound", async function () {
      const { proxy, adapter } = await loadFixture(boundedFixture);
      for (const answer of [MAX_ANSWER, MAX_ANSWER + 1n, MIN_ANSWER - 1n]) {
        await proxy.updateAnswer(answer);
        await expect(adapter.price(), `${answer}`)
          .to.be.revertedWithCustomError(adapter, "PriceAtCircuitBreaker")
          .withArgs(answer, MIN_ANSWER, MAX_ANSWER);
      }
    });

    it("accepts answers one unit inside either bound", async function () {
      const { proxy, adapter } = await loadFixture(boundedFixture);
      for (const answer of [MIN_ANSWER + 1n, MAX_ANSWER - 1n]) {
        await proxy.updateAnswer(answer);
        expect(await adapter.price()).to.equal(answer * 10n ** 10n);
      }
    });

    it("reads the bounds of the aggregator currently behind the proxy (a phase change brings its own)", async function () {
      const { proxy, adapter } = await loadFixture(boundedFixture);
      const answer = 50_000n * 10n ** 8n;
      await proxy.updateAnswer(answer);
      expect(await adapter.price()).to.equal(answer * 10n ** 10n);
      const next = await (await ethers.getContractFactory("MockOCRAggregator")).deploy(answer, MAX_ANSWER);
      await proxy.setAggregator(await next.getAddress());
      await expect(adapter.price())
        .to.be.revertedWithCustomError(adapter, "PriceAtCircuitBreaker")
        .withArgs(answer, answer, MAX_ANSWER);
    });

    it("treats an aggregator without minAnswer / maxAnswer as having no circuit breaker", async function () {
      const { proxy, adapter } = await loadFixture(boundedFixture);
      const plain = await (await ethers.getContractFactory("MockV3Aggregator")).deploy(FEED_DECIMALS, 1n);
      await proxy.setAggregator(await plain.getAddress());
      await proxy.updateAnswer(MIN_ANSWER);
      expect(await adapter.price()).to.equal(MIN_ANSWER * 10n ** 10n);
      await proxy.setAggregator(ethers.ZeroAddress); // no code at all
      expect(await adapter.price()).to.equal(MIN_ANSWER * 10n ** 10n);
    });

    it("reverts FeedUnavailable naming the feed when the proxy's aggregator() stops answering", async function () {
      const { proxy, adapter } = await loadFixture(boundedFixture);
      expect(await adapter.READS_AGGREGATOR_BOUNDS()).to.equal(true);
      await proxy.setAggregatorReverts(true);
      await expect(adapter.price())
        .to.be.revertedWithCustomError(adapter, "FeedUnavailable")
        .withArgs(await proxy.getAddress());
      await proxy.setAggregatorReverts(false);
      expect(await adapter.price()).to.equal(BTC_USD_ANSWER * 10n ** 10n);
    });

    it("checks no bounds on a feed without aggregator() (the local MockV3Aggregator) and prices as before", async function () {
      const { feed, adapter } = await loadFixture(oracleFixture);
      expect(await adapter.READS_AGGREGATOR_BOUNDS()).to.equal(false);
      await feed.updateAnswer(1n);
      expect(await adapter.price()).to.equal(10n ** 10n);
    });

    it("checks the answer's sign before the bounds: zero is InvalidPrice, not PriceAtCircuitBreaker", async function () {
      const { proxy, adapter } = await loadFixture(boundedFixture);
      await proxy.updateAnswer(0n);
      await expect(adapter.price()).to.be.revertedWithCustomError(adapter, "InvalidPrice").withArgs(0n);
    });
  });
});
