import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { MockPerpVenue, MockV3Aggregator } from "../../typechain-types";
import {
  BTC_USD_ANSWER,
  FEED_DECIMALS,
  ONE_USDC,
  TRADER_FUNDS,
  USDC_DECIMALS,
  USDC_TO_WAD,
  VENUE_PARAMS,
  deployVenueFixture,
  type VenueFixture,
} from "../helpers/fixtures";
import {
  EMPTY_ACCOUNT,
  WAD,
  answerToWad,
  deposit,
  equity,
  freeCollateral,
  fundingIndexAfter,
  fundingOwed,
  initialMargin,
  isLiquidatable,
  liquidate,
  liquidationEdgeAnswer,
  maintenanceMargin,
  markValue,
  mulDivDown,
  notional,
  quote,
  settleFunding,
  trade,
  tradeCost,
  withdraw,
  type AccountState,
  type LiquidationResult,
  type TradeResult,
  type VenueParams,
} from "../helpers/venueMath";

const P = VENUE_PARAMS;
const P0 = answerToWad(BTC_USD_ANSWER, FEED_DECIMALS);
/** One unit of the 8-decimal answer, in WAD. */
const TICK = answerToWad(1n, FEED_DECIMALS);
const usd = (whole: bigint): bigint => whole * WAD;
const usdc = (whole: bigint): bigint => whole * ONE_USDC;
const btc = (amount: string): bigint => ethers.parseEther(amount);
/** Base units worth `usdAmount` (WAD) at `price`, rounded down. */
const sizeForNotional = (usdAmount: bigint, price: bigint): bigint => (usdAmount * WAD) / price;
/** The funding rate bound: 1% per hour, in WAD per second (truncated). */
const MAX_FUNDING_RATE = 10n ** 16n / 3600n;

/** Posts `answer` (feed decimals) and returns it as a WAD price. */
async function setAnswer(feed: MockV3Aggregator, answer: bigint): Promise<bigint> {
  await feed.updateAnswer(answer);
  return answerToWad(answer, FEED_DECIMALS);
}

async function blockTime(tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("no receipt");
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error("no block");
  return BigInt(block.timestamp);
}

/** Deposits `units` USDC for `signer` and returns the model account after it. */
async function depositFor(
  venue: MockPerpVenue,
  signer: HardhatEthersSigner,
  acc: AccountState,
  units: bigint,
): Promise<AccountState> {
  await venue.connect(signer).deposit(units);
  return deposit(acc, units, USDC_TO_WAD);
}

/** Trades `delta` for `signer` at mark `price` with no slippage bound and returns the model's result. */
async function tradeFor(
  venue: MockPerpVenue,
  signer: HardhatEthersSigner,
  acc: AccountState,
  delta: bigint,
  price: bigint,
): Promise<TradeResult> {
  const expected = trade(acc, delta, price, P);
  await venue.connect(signer).modifyPosition(delta, delta > 0n ? ethers.MaxUint256 : 0n);
  return expected;
}

async function expectPosition(venue: MockPerpVenue, account: string, expected: AccountState): Promise<void> {
  const pos = await venue.position(account);
  expect(pos.margin, "margin").to.equal(expected.margin);
  expect(pos.size, "size").to.equal(expected.size);
  expect(pos.openNotional, "openNotional").to.equal(expected.openNotional);
  expect(pos.fundingIndex, "fundingIndex").to.equal(expected.fundingIndex);
}

/**
 * `signer`, flat with the model account `acc`, opens `size` at mark `price` bounded at the model's fill: expects
 * PositionModified with the model's fill and fee, then the model's position. Returns the model's result.
 */
async function expectOpensAsModelled(
  venue: MockPerpVenue,
  signer: HardhatEthersSigner,
  acc: AccountState,
  size: bigint,
  price: bigint,
): Promise<TradeResult> {
  const r = trade(acc, size, price, P);
  await expect(venue.connect(signer).modifyPosition(size, r.fillPrice))
    .to.emit(venue, "PositionModified")
    .withArgs(signer.address, size, r.fillPrice, r.fee, size, 0n);
  await expectPosition(venue, signer.address, r.account);
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures built on the base deployment
// ---------------------------------------------------------------------------------------------------------------

/** About 1.67 BTC: roughly 100k USD of notional at 60,000, i.e. ~10x on a 10k deposit. */
const LEVERAGED_SIZE = 1_666_666_666_666_666_666n;
const CAROL_SIZE = btc("0.5");

interface LeveragedFixture extends VenueFixture {
  /** Model state: alice long LEVERAGED_SIZE, bob short LEVERAGED_SIZE, both on 10k USDC; carol long 0.5 BTC safe. */
  readonly aliceAcc: AccountState;
  readonly bobAcc: AccountState;
  readonly carolAcc: AccountState;
}

async function leveragedFixture(): Promise<LeveragedFixture> {
  const base = await deployVenueFixture();
  const { venue, alice, bob, carol } = base;
  let aliceAcc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(10_000n));
  aliceAcc = (await tradeFor(venue, alice, aliceAcc, LEVERAGED_SIZE, P0)).account;
  let bobAcc = await depositFor(venue, bob, EMPTY_ACCOUNT, usdc(10_000n));
  bobAcc = (await tradeFor(venue, bob, bobAcc, -LEVERAGED_SIZE, P0)).account;
  let carolAcc = await depositFor(venue, carol, EMPTY_ACCOUNT, usdc(100_000n));
  carolAcc = (await tradeFor(venue, carol, carolAcc, CAROL_SIZE, P0)).account;
  return { ...base, aliceAcc, bobAcc, carolAcc };
}

/** An odd size so every product in the funding maths has a remainder. */
const FUNDING_SIZE = 1_234_567_891_234_567_891n;
const FUNDING_PERIOD = 8n * 3600n;
/** 0.01% of the price per hour. */
const FUNDING_RATE = 10n ** 14n / 3600n;
/** An odd mark (61,234.56789017) so that rate x time x price leaves a remainder too. */
const FUNDING_ANSWER = 6_123_456_789_017n;
const FUNDING_PRICE = answerToWad(FUNDING_ANSWER, FEED_DECIMALS);

interface FundingFixture extends VenueFixture {
  readonly aliceAcc: AccountState; // long FUNDING_SIZE
  readonly bobAcc: AccountState; // short FUNDING_SIZE
}

async function fundingFixture(): Promise<FundingFixture> {
  const base = await deployVenueFixture();
  const { venue, feed, alice, bob } = base;
  await setAnswer(feed, FUNDING_ANSWER);
  let aliceAcc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(100_000n));
  aliceAcc = (await tradeFor(venue, alice, aliceAcc, FUNDING_SIZE, FUNDING_PRICE)).account;
  let bobAcc = await depositFor(venue, bob, EMPTY_ACCOUNT, usdc(100_000n));
  bobAcc = (await tradeFor(venue, bob, bobAcc, -FUNDING_SIZE, FUNDING_PRICE)).account;
  return { ...base, aliceAcc, bobAcc };
}

/**
 * Runs funding at `rate` for FUNDING_PERIOD (plus the seconds the transactions take) at the unchanged mark, then
 * sets the rate back to 0 so views no longer depend on the clock. Returns the funding index the model predicts.
 */
async function runFunding(f: FundingFixture, rate: bigint): Promise<bigint> {
  const t0 = await blockTime(await f.venue.connect(f.owner).setFundingRate(rate));
  await time.increase(FUNDING_PERIOD);
  await setAnswer(f.feed, FUNDING_ANSWER); // same price, fresh round: the heartbeat is shorter than the period
  const t1 = await blockTime(await f.venue.connect(f.owner).setFundingRate(0n));
  expect(t1 - t0).to.be.gte(FUNDING_PERIOD);
  expect((rate * (t1 - t0) * FUNDING_PRICE) % WAD, "the index must round").to.not.equal(0n);
  return fundingIndexAfter(0n, rate, t1 - t0, FUNDING_PRICE);
}

/** Alice long 1.999999999999999999 BTC on 50k USDC, opened at 60,000. */
const PNL_SIZE = 1_999_999_999_999_999_999n;

interface PnlFixture extends VenueFixture {
  readonly aliceAcc: AccountState;
}

async function pnlFixture(): Promise<PnlFixture> {
  const base = await deployVenueFixture();
  let aliceAcc = await depositFor(base.venue, base.alice, EMPTY_ACCOUNT, usdc(50_000n));
  aliceAcc = (await tradeFor(base.venue, base.alice, aliceAcc, PNL_SIZE, P0)).account;
  return { ...base, aliceAcc };
}

// ---------------------------------------------------------------------------------------------------------------

describe("MockPerpVenue", function () {
  describe("reference model sanity", function () {
    it("prices a 10k USD trade at 0.0001% impact and a 10M USD trade at 0.1%", function () {
      expect(quote(sizeForNotional(usd(10_000n), P0), P0, P).impact).to.equal(10n ** 12n);
      expect(quote(sizeForNotional(usd(10_000_000n), P0), P0, P).impact).to.equal(10n ** 15n);
    });
  });

  describe("#isLiquidatable", function () {
    it("turns true for a long exactly one feed tick below its liquidation price", async function () {
      const { venue, feed, alice, aliceAcc } = await loadFixture(leveragedFixture);
      const edge = liquidationEdgeAnswer(aliceAcc, P, FEED_DECIMALS, BTC_USD_ANSWER);
      // Sanity of the model: a 10x long with 1% maintenance dies roughly 9% down.
      expect(edge).to.be.within((BTC_USD_ANSWER * 90n) / 100n, (BTC_USD_ANSWER * 92n) / 100n);

      await setAnswer(feed, edge + 1n);
      expect(await venue.isLiquidatable(alice.address)).to.equal(false);
      await setAnswer(feed, edge);
      expect(await venue.isLiquidatable(alice.address)).to.equal(true);
    });

    it("turns true for a short exactly one feed tick above its liquidation price", async function () {
      const { venue, feed, bob, bobAcc } = await loadFixture(leveragedFixture);
      const edge = liquidationEdgeAnswer(bobAcc, P, FEED_DECIMALS, BTC_USD_ANSWER);
      expect(edge).to.be.within((BTC_USD_ANSWER * 108n) / 100n, (BTC_USD_ANSWER * 110n) / 100n);

      await setAnswer(feed, edge - 1n);
      expect(await venue.isLiquidatable(bob.address)).to.equal(false);
      await setAnswer(feed, edge);
      expect(await venue.isLiquidatable(bob.address)).to.equal(true);
    });

    it("is false while equity equals maintenance margin exactly (strictly below liquidates)", async function () {
      const { venue, feed, alice } = await loadFixture(deployVenueFixture);
      // Search (in the model only) a deposit for which a 1 BTC long has equity == maintenance on a feed tick:
      // E(P) = c + P and MM(P) = P/100, so P = -c / 0.99 must be a whole number of ticks.
      const size = WAD;
      let found: { units: bigint; answer: bigint } | undefined;
      for (let units = usdc(6_000n); units < usdc(6_000n) + 200n && found === undefined; units++) {
        const acc = trade(deposit(EMPTY_ACCOUNT, units, USDC_TO_WAD), size, P0, P).account;
        const minusC = acc.openNotional - acc.margin;
        if (minusC % ((99n * TICK) / 100n) === 0n) {
          const answer = minusC / ((99n * TICK) / 100n);
          const price = answerToWad(answer, FEED_DECIMALS);
          if (equity(acc, price) === maintenanceMargin(size, price, P)) found = { units, answer };
        }
      }
      if (found === undefined) throw new Error("model: no exact-equality deposit in range");
      await venue.connect(alice).deposit(found.units);
      await venue.connect(alice).modifyPosition(size, ethers.MaxUint256);

      await setAnswer(feed, found.answer);
      expect(await venue.isLiquidatable(alice.address)).to.equal(false);
      const price = answerToWad(found.answer, FEED_DECIMALS);
      const mm = maintenanceMargin(size, price, P);
      await expect(venue.liquidate(alice.address))
        .to.be.revertedWithCustomError(venue, "NotLiquidatable")
        .withArgs(alice.address, mm, mm);
      await setAnswer(feed, found.answer - 1n);
      expect(await venue.isLiquidatable(alice.address)).to.equal(true);
    });

    it("is false for an account without a position", async function () {
      const { venue, feed, stranger } = await loadFixture(leveragedFixture);
      await setAnswer(feed, 1n);
      expect(await venue.isLiquidatable(stranger.address)).to.equal(false);
    });
  });

  describe("#liquidationPrice", function () {
    it("matches the computed long liquidation edge within one feed tick", async function () {
      const { venue, alice, aliceAcc } = await loadFixture(leveragedFixture);
      const edge = answerToWad(liquidationEdgeAnswer(aliceAcc, P, FEED_DECIMALS, BTC_USD_ANSWER), FEED_DECIMALS);
      expect(await venue.liquidationPrice(alice.address)).to.be.closeTo(edge, TICK);
    });

    it("matches the computed short liquidation edge within one feed tick", async function () {
      const { venue, bob, bobAcc } = await loadFixture(leveragedFixture);
      const edge = answerToWad(liquidationEdgeAnswer(bobAcc, P, FEED_DECIMALS, BTC_USD_ANSWER), FEED_DECIMALS);
      expect(await venue.liquidationPrice(bob.address)).to.be.closeTo(edge, TICK);
    });

    it("is 0 without a position", async function () {
      const { venue, stranger } = await loadFixture(leveragedFixture);
      expect(await venue.liquidationPrice(stranger.address)).to.equal(0n);
    });
  });

  describe("#liquidate", function () {
    /**
     * Moves the feed to the liquidation edge of `acc` (alice's long unless given) and returns the model's liquidation
     * outcome there.
     */
    async function atLiquidationEdge(
      f: LeveragedFixture,
      acc: AccountState = f.aliceAcc,
    ): Promise<{ price: bigint; outcome: LiquidationResult }> {
      const edge = liquidationEdgeAnswer(acc, P, FEED_DECIMALS, BTC_USD_ANSWER);
      const price = await setAnswer(f.feed, edge);
      return { price, outcome: liquidate(acc, price, P, USDC_TO_WAD) };
    }

    /**
     * Expects `liquidation` (by the keeper) to emit Liquidated for `account`'s `size` at mark `price` with the model
     * outcome's liquidator fee, penalty and bad debt.
     */
    async function expectLiquidatedEvent(
      f: LeveragedFixture,
      liquidation: Promise<ContractTransactionResponse> | ContractTransactionResponse,
      account: string,
      size: bigint,
      price: bigint,
      outcome: LiquidationResult,
    ): Promise<void> {
      await expect(liquidation)
        .to.emit(f.venue, "Liquidated")
        .withArgs(account, f.keeper.address, size, price, outcome.liquidatorFeeUnits, outcome.penalty, outcome.badDebt);
    }

    it("closes the position and leaves the account what remains after fee and penalty", async function () {
      const f = await loadFixture(leveragedFixture);
      const { outcome } = await atLiquidationEdge(f);
      expect(outcome.penalty, "model: full penalty at the edge").to.equal(
        mulDivDown(outcome.notional, P.liquidationPenaltyRate, WAD),
      );
      await f.venue.connect(f.keeper).liquidate(f.alice.address);
      await expectPosition(f.venue, f.alice.address, outcome.account);
      expect(await f.venue.equity(f.alice.address)).to.equal(outcome.account.margin);
    });

    it("reduces open interest on the liquidated side only", async function () {
      const f = await loadFixture(leveragedFixture);
      expect(await f.venue.openInterestLong()).to.equal(LEVERAGED_SIZE + CAROL_SIZE);
      await atLiquidationEdge(f);
      await f.venue.connect(f.keeper).liquidate(f.alice.address);
      expect(await f.venue.openInterestLong()).to.equal(CAROL_SIZE);
      expect(await f.venue.openInterestShort()).to.equal(LEVERAGED_SIZE);
    });

    it("pays the liquidator fee in USDC from the venue", async function () {
      const f = await loadFixture(leveragedFixture);
      const { outcome } = await atLiquidationEdge(f);
      expect(outcome.liquidatorFeeUnits).to.be.gt(0n);
      await expect(f.venue.connect(f.keeper).liquidate(f.alice.address)).to.changeTokenBalances(
        f.usdc,
        [f.keeper, f.venue, f.alice],
        [outcome.liquidatorFeeUnits, -outcome.liquidatorFeeUnits, 0n],
      );
    });

    it("keeps the liquidation penalty as venue fees", async function () {
      const f = await loadFixture(leveragedFixture);
      const { outcome } = await atLiquidationEdge(f);
      const before = await f.venue.feesCollected();
      await f.venue.connect(f.keeper).liquidate(f.alice.address);
      expect((await f.venue.feesCollected()) - before).to.equal(outcome.penalty);
    });

    it("increments the account's liquidation count", async function () {
      const f = await loadFixture(leveragedFixture);
      await atLiquidationEdge(f);
      expect(await f.venue.liquidationCount(f.alice.address)).to.equal(0n);
      await f.venue.connect(f.keeper).liquidate(f.alice.address);
      expect(await f.venue.liquidationCount(f.alice.address)).to.equal(1n);
      expect(await f.venue.liquidationCount(f.bob.address)).to.equal(0n);
    });

    it("emits Liquidated with size, mark price, fee, penalty and no bad debt", async function () {
      const f = await loadFixture(leveragedFixture);
      const { price, outcome } = await atLiquidationEdge(f);
      expect(outcome.badDebt, "model: no bad debt at the edge").to.equal(0n);
      const liquidation = f.venue.connect(f.keeper).liquidate(f.alice.address);
      await expectLiquidatedEvent(f, liquidation, f.alice.address, LEVERAGED_SIZE, price, outcome);
    });

    it("liquidates a short at its edge with a negative size in the event", async function () {
      const f = await loadFixture(leveragedFixture);
      const { price, outcome } = await atLiquidationEdge(f, f.bobAcc);
      expect(outcome.badDebt, "model: no bad debt at the edge").to.equal(0n);
      const liquidation = f.venue.connect(f.keeper).liquidate(f.bob.address);
      await expectLiquidatedEvent(f, liquidation, f.bob.address, -LEVERAGED_SIZE, price, outcome);
      await expectPosition(f.venue, f.bob.address, outcome.account);
      expect(await f.venue.openInterestShort()).to.equal(0n);
    });

    it("caps the penalty at what is left after the liquidator fee", async function () {
      const f = await loadFixture(leveragedFixture);
      // Price where equity is ~0.3% of notional: above zero, below liquidator fee + penalty (0.5%).
      const c = f.aliceAcc.margin - f.aliceAcc.openNotional; // E(P) = c + size*P
      const target = (-c * WAD * WAD) / (LEVERAGED_SIZE * (WAD - 3n * 10n ** 15n));
      const answer = target / TICK;
      await setAnswer(f.feed, answer);
      const outcome = liquidate(f.aliceAcc, answerToWad(answer, FEED_DECIMALS), P, USDC_TO_WAD);
      expect(outcome.equity).to.be.gt(outcome.liquidatorFeeWad);
      expect(outcome.penalty).to.be.lt(mulDivDown(outcome.notional, P.liquidationPenaltyRate, WAD));
      expect(outcome.account.margin).to.equal(0n);

      const feesBefore = await f.venue.feesCollected();
      await expect(f.venue.connect(f.keeper).liquidate(f.alice.address)).to.changeTokenBalance(
        f.usdc,
        f.keeper,
        outcome.liquidatorFeeUnits,
      );
      expect((await f.venue.feesCollected()) - feesBefore).to.equal(outcome.penalty);
      await expectPosition(f.venue, f.alice.address, outcome.account);
    });

    it("records bad debt when a price gap leaves the account with negative equity", async function () {
      const f = await loadFixture(leveragedFixture);
      const gapAnswer = 40_000n * 10n ** 8n;
      const price = await setAnswer(f.feed, gapAnswer);
      const outcome = liquidate(f.aliceAcc, price, P, USDC_TO_WAD);
      expect(outcome.equity, "model: the gap must overshoot").to.be.lt(0n);
      expect(outcome.badDebt).to.equal(-outcome.equity + outcome.liquidatorFeeWad);

      expect(outcome.penalty, "model: no penalty out of negative equity").to.equal(0n);
      const tx = await f.venue.connect(f.keeper).liquidate(f.alice.address);
      await expectLiquidatedEvent(f, tx, f.alice.address, LEVERAGED_SIZE, price, outcome);
      await expect(tx).to.changeTokenBalance(f.usdc, f.keeper, outcome.liquidatorFeeUnits);
      expect(await f.venue.totalBadDebt()).to.equal(outcome.badDebt);
      await expectPosition(f.venue, f.alice.address, { ...EMPTY_ACCOUNT, fundingIndex: f.aliceAcc.fundingIndex });
    });

    it("reverts NotLiquidatable on a healthy account", async function () {
      const f = await loadFixture(leveragedFixture);
      const edge = liquidationEdgeAnswer(f.aliceAcc, P, FEED_DECIMALS, BTC_USD_ANSWER);
      const price = await setAnswer(f.feed, edge + 1n);
      await expect(f.venue.connect(f.keeper).liquidate(f.alice.address))
        .to.be.revertedWithCustomError(f.venue, "NotLiquidatable")
        .withArgs(f.alice.address, equity(f.aliceAcc, price), maintenanceMargin(LEVERAGED_SIZE, price, P));
    });

    it("reverts NotLiquidatable on an account without a position", async function () {
      const f = await loadFixture(leveragedFixture);
      await setAnswer(f.feed, 1n);
      await expect(f.venue.connect(f.keeper).liquidate(f.stranger.address))
        .to.be.revertedWithCustomError(f.venue, "NotLiquidatable")
        .withArgs(f.stranger.address, 0n, 0n);
    });

    it("cannot liquidate the same position twice", async function () {
      const f = await loadFixture(leveragedFixture);
      const { outcome } = await atLiquidationEdge(f);
      await f.venue.connect(f.keeper).liquidate(f.alice.address);
      await expect(f.venue.connect(f.keeper).liquidate(f.alice.address))
        .to.be.revertedWithCustomError(f.venue, "NotLiquidatable")
        .withArgs(f.alice.address, outcome.account.margin, 0n);
    });

    it("lets the liquidated account withdraw what is left", async function () {
      const f = await loadFixture(leveragedFixture);
      const { price, outcome } = await atLiquidationEdge(f);
      await f.venue.connect(f.keeper).liquidate(f.alice.address);
      const free = freeCollateral(outcome.account, price, P, USDC_TO_WAD);
      expect(free).to.be.gt(0n);
      await expect(f.venue.connect(f.alice).withdraw(free)).to.changeTokenBalance(f.usdc, f.alice, free);
    });
  });

  describe("funding", function () {
    it("charges the long exactly size x rate x time x price, rounded up", async function () {
      const f = await loadFixture(fundingFixture);
      const before = await f.venue.equity(f.alice.address);
      expect(before).to.equal(equity(f.aliceAcc, FUNDING_PRICE));
      const index = await runFunding(f, FUNDING_RATE);
      const owed = fundingOwed(FUNDING_SIZE, index);
      expect(owed).to.be.gt(0n);
      expect(before - (await f.venue.equity(f.alice.address))).to.equal(owed);
    });

    it("credits the equal short the same amount within 1 wei (the venue never pays more)", async function () {
      const f = await loadFixture(fundingFixture);
      const before = await f.venue.equity(f.bob.address);
      expect(before).to.equal(equity(f.bobAcc, FUNDING_PRICE));
      const index = await runFunding(f, FUNDING_RATE);
      const gained = (await f.venue.equity(f.bob.address)) - before;
      expect(gained).to.equal(-fundingOwed(-FUNDING_SIZE, index));
      const paid = fundingOwed(FUNDING_SIZE, index);
      expect(paid - gained).to.be.within(0n, 1n);
    });

    it("conserves funding between the long and the short within 1 wei per account", async function () {
      const f = await loadFixture(fundingFixture);
      const longBefore = await f.venue.equity(f.alice.address);
      const shortBefore = await f.venue.equity(f.bob.address);
      await runFunding(f, FUNDING_RATE);
      const longPaid = longBefore - (await f.venue.equity(f.alice.address));
      const shortGot = (await f.venue.equity(f.bob.address)) - shortBefore;
      expect(longPaid).to.be.gt(0n);
      expect(longPaid - shortGot).to.be.within(0n, 1n);
    });

    it("reverses direction with a negative rate: the short pays, the long receives", async function () {
      const f = await loadFixture(fundingFixture);
      const longBefore = await f.venue.equity(f.alice.address);
      const shortBefore = await f.venue.equity(f.bob.address);
      const index = await runFunding(f, -FUNDING_RATE);
      expect(index).to.be.lt(0n);
      const longGot = (await f.venue.equity(f.alice.address)) - longBefore;
      const shortPaid = shortBefore - (await f.venue.equity(f.bob.address));
      expect(longGot).to.equal(-fundingOwed(FUNDING_SIZE, index));
      expect(shortPaid).to.equal(fundingOwed(-FUNDING_SIZE, index));
      expect(longGot).to.be.gt(0n);
      expect(shortPaid - longGot).to.be.within(0n, 1n);
    });

    it("settles into margin with FundingSettled on the account's next action", async function () {
      const f = await loadFixture(fundingFixture);
      const index = await runFunding(f, FUNDING_RATE);
      const owed = fundingOwed(FUNDING_SIZE, index);
      await expect(f.venue.connect(f.alice).withdraw(1n))
        .to.emit(f.venue, "FundingSettled")
        .withArgs(f.alice.address, owed);
      const expected = withdraw(settleFunding(f.aliceAcc, index), 1n, USDC_TO_WAD);
      await expectPosition(f.venue, f.alice.address, expected);
    });

    it("accepts rates up to +-1% per hour and emits FundingRateSet", async function () {
      const { venue, owner } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(owner).setFundingRate(MAX_FUNDING_RATE))
        .to.emit(venue, "FundingRateSet")
        .withArgs(MAX_FUNDING_RATE);
      expect(await venue.fundingRatePerSecond()).to.equal(MAX_FUNDING_RATE);
      await venue.connect(owner).setFundingRate(-MAX_FUNDING_RATE);
      expect(await venue.fundingRatePerSecond()).to.equal(-MAX_FUNDING_RATE);
    });

    it("rejects rates beyond +-1% per hour with InvalidMarketParams", async function () {
      const { venue, owner } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(owner).setFundingRate(MAX_FUNDING_RATE + 1n)).to.be.revertedWithCustomError(
        venue,
        "InvalidMarketParams",
      );
      await expect(venue.connect(owner).setFundingRate(-MAX_FUNDING_RATE - 1n)).to.be.revertedWithCustomError(
        venue,
        "InvalidMarketParams",
      );
    });
  });

  describe("#modifyPosition", function () {
    describe("fills, fees and price impact", function () {
      it("fills a 10k USD buy at mark + 0.0001% and charges the taker fee exactly", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        const acc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(10_000n));
        const size = sizeForNotional(usd(10_000n), P0);
        const r = await expectOpensAsModelled(venue, alice, acc, size, P0);
        expect(r.fillPrice).to.equal(P0 + P0 / 10n ** 6n);
        expect(await venue.equity(alice.address)).to.equal(
          usd(10_000n) - r.fee - (tradeCost(size, r.fillPrice) - markValue(size, P0)),
        );
      });

      it("fills a 10M USD buy at mark + 0.1% and charges the taker fee exactly", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        const acc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(2_000_000n));
        const size = sizeForNotional(usd(10_000_000n), P0);
        const r = await expectOpensAsModelled(venue, alice, acc, size, P0);
        expect(r.fillPrice).to.equal(P0 + P0 / 1000n);
      });

      it("fills a 10k USD sell at mark - 0.0001%", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        const acc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(10_000n));
        const size = -sizeForNotional(usd(10_000n), P0);
        const r = await expectOpensAsModelled(venue, alice, acc, size, P0);
        expect(r.fillPrice).to.equal(P0 - P0 / 10n ** 6n);
      });

      it("rounds a buy's fill price and fee up at an odd price and size", async function () {
        const { venue, feed, alice } = await loadFixture(deployVenueFixture);
        const answer = 6_123_456_789_017n; // 61,234.56789017
        const price = await setAnswer(feed, answer);
        const acc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(100_000n));
        const size = 1_234_567_891_234_567_891n;
        const r = await expectOpensAsModelled(venue, alice, acc, size, price);
        // The model's inputs really leave remainders, so a floor anywhere would change the result.
        expect((price * (WAD + r.impact)) % WAD).to.not.equal(0n);
        expect((size * r.fillPrice) % WAD).to.not.equal(0n);
      });

      it("rounds a sell's fill price down at an odd price and size", async function () {
        const { venue, feed, alice } = await loadFixture(deployVenueFixture);
        const answer = 6_123_456_789_017n;
        const price = await setAnswer(feed, answer);
        const acc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(100_000n));
        const size = -1_234_567_891_234_567_891n;
        const r = await expectOpensAsModelled(venue, alice, acc, size, price);
        expect((price * (WAD - r.impact)) % WAD).to.not.equal(0n);
      });

      it("costs noticeably more per dollar on a 10M USD trade than on a 10k one", async function () {
        const { venue, alice, bob } = await loadFixture(deployVenueFixture);
        const small = sizeForNotional(usd(10_000n), P0);
        const large = sizeForNotional(usd(10_000_000n), P0);
        await venue.connect(alice).deposit(usdc(10_000n));
        await venue.connect(bob).deposit(usdc(2_000_000n));
        await venue.connect(alice).modifyPosition(small, ethers.MaxUint256);
        await venue.connect(bob).modifyPosition(large, ethers.MaxUint256);
        // Immediate cost of each trade = deposit - equity, per dollar of notional (WAD).
        const smallCost = ((usd(10_000n) - (await venue.equity(alice.address))) * WAD) / notional(small, P0);
        const largeCost = ((usd(2_000_000n) - (await venue.equity(bob.address))) * WAD) / notional(large, P0);
        // ~5.01 bp against ~15 bp: at least 9 bp more per dollar.
        expect(smallCost).to.be.closeTo(5n * 10n ** 14n + 10n ** 12n, 10n ** 9n);
        expect(largeCost - smallCost).to.be.gte(9n * 10n ** 14n);
      });

      it("caps price impact at maxPriceImpact", async function () {
        const { venue } = await loadFixture(deployVenueFixture);
        const size = sizeForNotional(usd(5_000_000_000n), P0); // 5B USD: 50% uncapped
        const q = quote(size, P0, P);
        expect(q.impact).to.equal(P.maxPriceImpact);
        const [fill, fee] = await venue.quoteTradeAt(size, P0);
        expect(fill).to.equal(P0 + P0 / 100n);
        expect(fee).to.equal(q.fee);
        const [sellFill] = await venue.quoteTradeAt(-size, P0);
        expect(sellFill).to.equal(P0 - P0 / 100n);
      });
    });

    describe("slippage", function () {
      it("reverts a buy filling above acceptablePrice with PriceLimitExceeded", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        await venue.connect(alice).deposit(usdc(10_000n));
        const size = btc("0.1");
        const { fillPrice } = quote(size, P0, P);
        await expect(venue.connect(alice).modifyPosition(size, fillPrice - 1n))
          .to.be.revertedWithCustomError(venue, "PriceLimitExceeded")
          .withArgs(fillPrice, fillPrice - 1n);
      });

      it("accepts a buy filling exactly at acceptablePrice", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        await venue.connect(alice).deposit(usdc(10_000n));
        const size = btc("0.1");
        const { fillPrice } = quote(size, P0, P);
        await expect(venue.connect(alice).modifyPosition(size, fillPrice)).to.emit(venue, "PositionModified");
      });

      it("reverts a sell filling below acceptablePrice with PriceLimitExceeded", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        await venue.connect(alice).deposit(usdc(10_000n));
        const size = -btc("0.1");
        const { fillPrice } = quote(size, P0, P);
        await expect(venue.connect(alice).modifyPosition(size, fillPrice + 1n))
          .to.be.revertedWithCustomError(venue, "PriceLimitExceeded")
          .withArgs(fillPrice, fillPrice + 1n);
      });

      it("accepts a sell filling exactly at acceptablePrice", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        await venue.connect(alice).deposit(usdc(10_000n));
        const size = -btc("0.1");
        const { fillPrice } = quote(size, P0, P);
        await expect(venue.connect(alice).modifyPosition(size, fillPrice)).to.emit(venue, "PositionModified");
      });
    });

    describe("open-interest cap", function () {
      const CAP = btc("1");

      async function cappedFixture(): Promise<VenueFixture> {
        const f = await deployVenueFixture();
        await f.venue.connect(f.owner).setParams({ ...P, maxOpenInterest: CAP });
        for (const s of [f.alice, f.bob, f.carol]) await f.venue.connect(s).deposit(usdc(100_000n));
        return f;
      }

      it("accepts longs up to the cap exactly", async function () {
        const { venue, alice, bob } = await loadFixture(cappedFixture);
        await venue.connect(alice).modifyPosition(btc("0.6"), ethers.MaxUint256);
        await venue.connect(bob).modifyPosition(btc("0.4"), ethers.MaxUint256);
        expect(await venue.openInterestLong()).to.equal(CAP);
      });

      it("reverts OpenInterestCapExceeded one wei above the cap, summed over accounts", async function () {
        const { venue, alice, bob, carol } = await loadFixture(cappedFixture);
        await venue.connect(alice).modifyPosition(btc("0.6"), ethers.MaxUint256);
        await venue.connect(bob).modifyPosition(btc("0.4"), ethers.MaxUint256);
        await expect(venue.connect(carol).modifyPosition(1n, ethers.MaxUint256))
          .to.be.revertedWithCustomError(venue, "OpenInterestCapExceeded")
          .withArgs(CAP + 1n, CAP);
      });

      it("caps the short side independently of the long side", async function () {
        const { venue, alice, bob, carol } = await loadFixture(cappedFixture);
        await venue.connect(alice).modifyPosition(CAP, ethers.MaxUint256);
        await venue.connect(bob).modifyPosition(-CAP, 0n);
        expect(await venue.openInterestShort()).to.equal(CAP);
        await expect(venue.connect(carol).modifyPosition(-1n, 0n))
          .to.be.revertedWithCustomError(venue, "OpenInterestCapExceeded")
          .withArgs(CAP + 1n, CAP);
      });

      it("still lets positions reduce after the cap is lowered below open interest", async function () {
        const { venue, owner, alice } = await loadFixture(cappedFixture);
        await venue.connect(alice).modifyPosition(CAP, ethers.MaxUint256);
        await venue.connect(owner).setParams({ ...P, maxOpenInterest: CAP / 2n });
        await expect(venue.connect(alice).modifyPosition(1n, ethers.MaxUint256)).to.be.revertedWithCustomError(
          venue,
          "OpenInterestCapExceeded",
        );
        await venue.connect(alice).modifyPosition(-btc("0.1"), 0n);
        expect(await venue.openInterestLong()).to.equal(CAP - btc("0.1"));
      });

      it("enforces the deployed 10,000 BTC cap", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        await venue.connect(alice).deposit(usdc(40_000_000n));
        await expect(venue.connect(alice).modifyPosition(P.maxOpenInterest + 1n, ethers.MaxUint256))
          .to.be.revertedWithCustomError(venue, "OpenInterestCapExceeded")
          .withArgs(P.maxOpenInterest + 1n, P.maxOpenInterest);
      });
    });

    describe("initial margin", function () {
      it("reverts InsufficientMargin when opening above 20x", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        const acc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(1_000n));
        const size = sizeForNotional(usd(25_000n), P0);
        const r = trade(acc, size, P0, P);
        const eq = equity(r.account, P0);
        const required = initialMargin(size, P0, P);
        expect(eq).to.be.lt(required);
        await expect(venue.connect(alice).modifyPosition(size, ethers.MaxUint256))
          .to.be.revertedWithCustomError(venue, "InsufficientMargin")
          .withArgs(eq, required);
      });

      it("accepts a position just inside initial margin (19x)", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        await venue.connect(alice).deposit(usdc(1_000n));
        const size = sizeForNotional(usd(19_000n), P0);
        await expect(venue.connect(alice).modifyPosition(size, ethers.MaxUint256)).to.emit(venue, "PositionModified");
      });

      it("reverts InsufficientMargin when growing an existing position above 20x", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        let acc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(1_000n));
        acc = (await tradeFor(venue, alice, acc, sizeForNotional(usd(10_000n), P0), P0)).account;
        const more = sizeForNotional(usd(11_000n), P0);
        const r = trade(acc, more, P0, P);
        await expect(venue.connect(alice).modifyPosition(more, ethers.MaxUint256))
          .to.be.revertedWithCustomError(venue, "InsufficientMargin")
          .withArgs(equity(r.account, P0), initialMargin(r.account.size, P0, P));
      });
    });

    describe("size bounds", function () {
      it("reverts ZeroAmount on a zero size", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        await expect(venue.connect(alice).modifyPosition(0n, ethers.MaxUint256)).to.be.revertedWithCustomError(
          venue,
          "ZeroAmount",
        );
      });

      for (const [label, size] of [
        ["type(int256).max", ethers.MaxInt256],
        ["type(int256).min", ethers.MinInt256],
        ["1e30 + 1", 10n ** 30n + 1n],
        ["-(1e30 + 1)", -(10n ** 30n + 1n)],
      ] as const) {
        it(`reverts SizeOutOfRange on a size of ${label}`, async function () {
          const { venue, alice } = await loadFixture(deployVenueFixture);
          await venue.connect(alice).deposit(usdc(1_000n));
          await expect(venue.connect(alice).modifyPosition(size, size > 0n ? ethers.MaxUint256 : 0n))
            .to.be.revertedWithCustomError(venue, "SizeOutOfRange")
            .withArgs(size);
        });
      }

      it("reverts SizeOutOfRange when the resulting size would exceed 1e30", async function () {
        const { venue, owner, alice } = await loadFixture(deployVenueFixture);
        await venue.connect(alice).deposit(usdc(1_000n));
        await venue.connect(alice).modifyPosition(btc("0.01"), ethers.MaxUint256);
        await venue.connect(owner).setParams({ ...P, maxOpenInterest: 2n ** 128n - 1n });
        await expect(venue.connect(alice).modifyPosition(10n ** 30n, ethers.MaxUint256))
          .to.be.revertedWithCustomError(venue, "SizeOutOfRange")
          .withArgs(10n ** 30n);
      });

      it("rejects a size of exactly 1e30 by the open-interest cap", async function () {
        const { venue, alice } = await loadFixture(deployVenueFixture);
        await venue.connect(alice).deposit(usdc(1_000n));
        await expect(venue.connect(alice).modifyPosition(10n ** 30n, ethers.MaxUint256))
          .to.be.revertedWithCustomError(venue, "OpenInterestCapExceeded")
          .withArgs(10n ** 30n, P.maxOpenInterest);
      });
    });

    describe("realised PnL", function () {
      /**
       * On the PnL fixture the feed moves to `answer` and alice, long PNL_SIZE, sells `delta` (< 0) with no bound:
       * expects PositionModified with the model's fill, fee and realised PnL and her size after it, then the model's
       * position. Returns the fixture, the mark and the model's result.
       */
      async function expectAliceSellsAsModelled(
        answer: bigint,
        delta: bigint,
      ): Promise<{ f: PnlFixture; price: bigint; r: TradeResult }> {
        const f = await loadFixture(pnlFixture);
        const price = await setAnswer(f.feed, answer);
        const r = trade(f.aliceAcc, delta, price, P);
        await expect(f.venue.connect(f.alice).modifyPosition(delta, 0n))
          .to.emit(f.venue, "PositionModified")
          .withArgs(f.alice.address, delta, r.fillPrice, r.fee, PNL_SIZE + delta, r.realizedPnl);
        await expectPosition(f.venue, f.alice.address, r.account);
        return { f, price, r };
      }

      /**
       * Expects alice's equity after selling `delta` at mark `price` to be her equity before, less the `fee` and the
       * fills' `cost`, plus the change in her position's mark value.
       */
      async function expectAliceEquityAfterSale(
        f: PnlFixture,
        delta: bigint,
        price: bigint,
        fee: bigint,
        cost: bigint,
      ): Promise<void> {
        const expected =
          equity(f.aliceAcc, price) - fee - cost + markValue(PNL_SIZE + delta, price) - markValue(PNL_SIZE, price);
        expect(await f.venue.equity(f.alice.address)).to.equal(expected);
      }

      it("realises pro-rata PnL on a partial close and keeps equity exact", async function () {
        const delta = -btc("0.7");
        const { f, price, r } = await expectAliceSellsAsModelled(63_000n * 10n ** 8n, delta);
        expect(r.realizedPnl).to.be.gt(0n);
        // Equity moves only by the trade's own cost: sale proceeds vs mark, and the fee.
        await expectAliceEquityAfterSale(f, delta, price, r.fee, tradeCost(delta, r.fillPrice));
      });

      it("realises the whole position on a flip and opens the remainder at the same fill", async function () {
        const delta = -btc("3.7");
        const { f, price, r } = await expectAliceSellsAsModelled(58_000n * 10n ** 8n, delta);
        expect(r.realizedPnl).to.be.lt(0n);
        expect(r.account.openNotional).to.equal(tradeCost(PNL_SIZE + delta, r.fillPrice));
        // A flip is two legs, closing and opening, each rounded against the trader.
        const legsCost = tradeCost(-PNL_SIZE, r.fillPrice) + tradeCost(PNL_SIZE + delta, r.fillPrice);
        await expectAliceEquityAfterSale(f, delta, price, r.fee, legsCost);
        expect(await f.venue.openInterestLong()).to.equal(0n);
        expect(await f.venue.openInterestShort()).to.equal(-(PNL_SIZE + delta));
      });

      it("lets the trader withdraw all equity after closing", async function () {
        const f = await loadFixture(pnlFixture);
        const price = await setAnswer(f.feed, 61_500n * 10n ** 8n);
        const closed = await tradeFor(f.venue, f.alice, f.aliceAcc, -PNL_SIZE, price);
        expect(closed.account.size).to.equal(0n);
        expect(closed.account.openNotional).to.equal(0n);
        const all = closed.account.margin / USDC_TO_WAD;
        expect(all).to.be.gt(usdc(50_000n)); // a profitable round trip
        await expect(f.venue.connect(f.alice).withdraw(all)).to.changeTokenBalances(
          f.usdc,
          [f.alice, f.venue],
          [all, -all],
        );
        const dust = closed.account.margin - all * USDC_TO_WAD;
        expect(dust).to.be.lt(USDC_TO_WAD);
        expect(await f.venue.equity(f.alice.address)).to.equal(dust);
        await expect(f.venue.connect(f.alice).withdraw(1n))
          .to.be.revertedWithCustomError(f.venue, "WithdrawalExceedsFree")
          .withArgs(1n, 0n);
      });
    });
  });

  describe("#deposit", function () {
    it("credits margin and emits Deposited", async function () {
      const { venue, usdc: token, alice } = await loadFixture(deployVenueFixture);
      const tx = await venue.connect(alice).deposit(usdc(1_234n));
      await expect(tx).to.emit(venue, "Deposited").withArgs(alice.address, usdc(1_234n));
      await expect(tx).to.changeTokenBalances(token, [alice, venue], [-usdc(1_234n), usdc(1_234n)]);
      expect(await venue.equity(alice.address)).to.equal(usd(1_234n));
    });

    it("reverts ZeroAmount on 0", async function () {
      const { venue, alice } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(alice).deposit(0n)).to.be.revertedWithCustomError(venue, "ZeroAmount");
    });

    it("reverts ERC20InsufficientBalance on type(uint256).max with an unlimited allowance", async function () {
      const { venue, usdc: token, alice } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(alice).deposit(ethers.MaxUint256))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(alice.address, TRADER_FUNDS, ethers.MaxUint256);
    });

    it("reverts ERC20InsufficientAllowance on type(uint256).max without an allowance", async function () {
      const { venue, usdc: token, stranger } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(stranger).deposit(ethers.MaxUint256))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(await venue.getAddress(), 0n, ethers.MaxUint256);
    });
  });

  describe("#withdraw", function () {
    it("reverts ZeroAmount on 0", async function () {
      const { venue, alice } = await loadFixture(deployVenueFixture);
      await venue.connect(alice).deposit(usdc(1_000n));
      await expect(venue.connect(alice).withdraw(0n)).to.be.revertedWithCustomError(venue, "ZeroAmount");
    });

    it("pays out the whole margin without a position and emits Withdrawn", async function () {
      const { venue, usdc: token, alice } = await loadFixture(deployVenueFixture);
      await venue.connect(alice).deposit(usdc(1_000n));
      const tx = await venue.connect(alice).withdraw(usdc(1_000n));
      await expect(tx).to.emit(venue, "Withdrawn").withArgs(alice.address, alice.address, usdc(1_000n));
      await expect(tx).to.changeTokenBalances(token, [alice, venue], [usdc(1_000n), -usdc(1_000n)]);
    });

    it("reverts WithdrawalExceedsFree one unit above the margin without a position", async function () {
      const { venue, alice } = await loadFixture(deployVenueFixture);
      await venue.connect(alice).deposit(usdc(1_000n));
      await expect(venue.connect(alice).withdraw(usdc(1_000n) + 1n))
        .to.be.revertedWithCustomError(venue, "WithdrawalExceedsFree")
        .withArgs(usdc(1_000n) + 1n, usdc(1_000n));
    });

    it("reverts WithdrawalExceedsFree on type(uint256).max", async function () {
      const { venue, alice } = await loadFixture(deployVenueFixture);
      await venue.connect(alice).deposit(usdc(1_000n));
      await expect(venue.connect(alice).withdraw(ethers.MaxUint256))
        .to.be.revertedWithCustomError(venue, "WithdrawalExceedsFree")
        .withArgs(ethers.MaxUint256, usdc(1_000n));
    });

    it("with a position, frees only equity above initial margin", async function () {
      const { venue, alice } = await loadFixture(deployVenueFixture);
      let acc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(10_000n));
      acc = (await tradeFor(venue, alice, acc, sizeForNotional(usd(100_000n), P0), P0)).account;
      const free = freeCollateral(acc, P0, P, USDC_TO_WAD);
      // ~10k equity minus 5k initial margin minus trading costs.
      expect(free).to.be.within(usdc(4_900n), usdc(5_000n));
      await expect(venue.connect(alice).withdraw(free + 1n))
        .to.be.revertedWithCustomError(venue, "WithdrawalExceedsFree")
        .withArgs(free + 1n, free);
    });

    it("with a position, pays out exactly the free collateral", async function () {
      const { venue, usdc: token, alice } = await loadFixture(deployVenueFixture);
      let acc = await depositFor(venue, alice, EMPTY_ACCOUNT, usdc(10_000n));
      acc = (await tradeFor(venue, alice, acc, sizeForNotional(usd(100_000n), P0), P0)).account;
      const free = freeCollateral(acc, P0, P, USDC_TO_WAD);
      await expect(venue.connect(alice).withdraw(free)).to.changeTokenBalance(token, alice, free);
      acc = withdraw(acc, free, USDC_TO_WAD);
      expect(equity(acc, P0)).to.be.gte(initialMargin(acc.size, P0, P));
      expect(equity(acc, P0) - initialMargin(acc.size, P0, P)).to.be.lt(USDC_TO_WAD);
      await expectPosition(venue, alice.address, acc);
    });
  });

  describe("#setPaused", function () {
    async function pausedFixture(): Promise<VenueFixture & { aliceAcc: AccountState }> {
      const f = await deployVenueFixture();
      let aliceAcc = await depositFor(f.venue, f.alice, EMPTY_ACCOUNT, usdc(10_000n));
      aliceAcc = (await tradeFor(f.venue, f.alice, aliceAcc, btc("0.5"), P0)).account;
      await f.venue.connect(f.owner).setPaused(true);
      return { ...f, aliceAcc };
    }

    it("emits PausedSet and reports paused", async function () {
      const { venue, owner } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(owner).setPaused(true)).to.emit(venue, "PausedSet").withArgs(true);
      expect(await venue.paused()).to.equal(true);
    });

    it("still accepts deposits: adding margin only reduces risk", async function () {
      const { venue, bob } = await loadFixture(pausedFixture);
      await expect(venue.connect(bob).deposit(usdc(1n)))
        .to.emit(venue, "Deposited")
        .withArgs(bob.address, usdc(1n));
    });

    // alice holds a 0.5 BTC long, bob nothing: each of these would add exposure.
    for (const [what, trader, sizeDelta, acceptablePrice] of [
      ["opening a position", "bob", -btc("0.1"), 0n],
      ["growing a position", "alice", 1n, ethers.MaxUint256],
      ["flipping through zero", "alice", -btc("0.6"), 0n],
    ] as const) {
      it(`blocks ${what} with VenuePaused`, async function () {
        const f = await loadFixture(pausedFixture);
        await expect(
          f.venue.connect(f[trader]).modifyPosition(sizeDelta, acceptablePrice),
        ).to.be.revertedWithCustomError(f.venue, "VenuePaused");
      });
    }

    it("still allows reducing and closing a position", async function () {
      const { venue, alice, aliceAcc } = await loadFixture(pausedFixture);
      const reduced = await tradeFor(venue, alice, aliceAcc, -btc("0.2"), P0);
      const closed = await tradeFor(venue, alice, reduced.account, -btc("0.3"), P0);
      await expectPosition(venue, alice.address, closed.account);
      expect(await venue.openInterestLong()).to.equal(0n);
    });

    it("still allows withdrawing", async function () {
      const { venue, usdc: token, alice, aliceAcc } = await loadFixture(pausedFixture);
      const free = freeCollateral(aliceAcc, P0, P, USDC_TO_WAD);
      await expect(venue.connect(alice).withdraw(free)).to.changeTokenBalance(token, alice, free);
    });

    it("re-opens deposits when unpaused", async function () {
      const { venue, owner, bob } = await loadFixture(pausedFixture);
      await venue.connect(owner).setPaused(false);
      await expect(venue.connect(bob).deposit(usdc(1n))).to.emit(venue, "Deposited");
    });
  });

  describe("#addLiquidity", function () {
    it("reverts ZeroAmount on 0", async function () {
      const { venue, alice } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(alice).addLiquidity(0n)).to.be.revertedWithCustomError(venue, "ZeroAmount");
    });

    it("accepts liquidity from anyone without crediting an account", async function () {
      const { venue, usdc: token, alice } = await loadFixture(deployVenueFixture);
      const tx = await venue.connect(alice).addLiquidity(usdc(5n));
      await expect(tx).to.emit(venue, "LiquidityAdded").withArgs(alice.address, usdc(5n));
      await expect(tx).to.changeTokenBalance(token, venue, usdc(5n));
      expect(await venue.equity(alice.address)).to.equal(0n);
    });
  });

  describe("access control", function () {
    it("reverts setParams from a non-owner with OwnableUnauthorizedAccount", async function () {
      const { venue, alice } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(alice).setParams(P))
        .to.be.revertedWithCustomError(venue, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
    });

    it("reverts setFundingRate from a non-owner with OwnableUnauthorizedAccount", async function () {
      const { venue, alice } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(alice).setFundingRate(1n))
        .to.be.revertedWithCustomError(venue, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
    });

    it("reverts setPaused from a non-owner with OwnableUnauthorizedAccount", async function () {
      const { venue, alice } = await loadFixture(deployVenueFixture);
      await expect(venue.connect(alice).setPaused(true))
        .to.be.revertedWithCustomError(venue, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
    });
  });

  describe("#setParams", function () {
    const invalid: ReadonlyArray<readonly [string, VenueParams]> = [
      ["maintenance margin 0", { ...P, maintenanceMarginRatio: 0n }],
      ["initial margin equal to maintenance", { ...P, initialMarginRatio: P.maintenanceMarginRatio }],
      ["initial margin above 100%", { ...P, initialMarginRatio: WAD + 1n }],
      ["taker fee of 10%", { ...P, takerFeeRate: 10n ** 17n }],
      ["max price impact of 50%", { ...P, maxPriceImpact: 5n * 10n ** 17n }],
      [
        "liquidator fee + penalty above maintenance",
        {
          ...P,
          liquidatorFeeRate: P.maintenanceMarginRatio / 2n,
          liquidationPenaltyRate: P.maintenanceMarginRatio / 2n + 1n,
        },
      ],
      ["open-interest cap 0", { ...P, maxOpenInterest: 0n }],
    ];
    for (const [label, params] of invalid) {
      it(`reverts InvalidMarketParams on ${label}`, async function () {
        const { venue, owner } = await loadFixture(deployVenueFixture);
        await expect(venue.connect(owner).setParams(params)).to.be.revertedWithCustomError(
          venue,
          "InvalidMarketParams",
        );
      });
    }

    it("accepts parameters at every bound and emits MarketParamsSet", async function () {
      const { venue, owner } = await loadFixture(deployVenueFixture);
      const edge: VenueParams = {
        initialMarginRatio: WAD,
        maintenanceMarginRatio: 2n * 10n ** 16n,
        takerFeeRate: 10n ** 17n - 1n,
        liquidatorFeeRate: 10n ** 16n,
        liquidationPenaltyRate: 10n ** 16n,
        maxPriceImpact: 5n * 10n ** 17n - 1n,
        impactPerNotional: 0n,
        maxOpenInterest: 1n,
      };
      await expect(venue.connect(owner).setParams(edge)).to.emit(venue, "MarketParamsSet");
      const stored = await venue.params();
      expect(stored.initialMarginRatio).to.equal(edge.initialMarginRatio);
      expect(stored.maintenanceMarginRatio).to.equal(edge.maintenanceMarginRatio);
      expect(stored.takerFeeRate).to.equal(edge.takerFeeRate);
      expect(stored.liquidatorFeeRate).to.equal(edge.liquidatorFeeRate);
      expect(stored.liquidationPenaltyRate).to.equal(edge.liquidationPenaltyRate);
      expect(stored.maxPriceImpact).to.equal(edge.maxPriceImpact);
      expect(stored.impactPerNotional).to.equal(edge.impactPerNotional);
      expect(stored.maxOpenInterest).to.equal(edge.maxOpenInterest);
      expect(await venue.maxLeverage()).to.equal(WAD);
    });
  });

  describe("constructor", function () {
    it("stores collateral, oracle and parameters; max leverage is 20x", async function () {
      const { venue, usdc: token, adapter } = await loadFixture(deployVenueFixture);
      expect(await venue.collateral()).to.equal(await token.getAddress());
      expect(await venue.oracle()).to.equal(await adapter.getAddress());
      expect(await venue.maxLeverage()).to.equal(20n * WAD);
      expect((await venue.params()).impactPerNotional).to.equal(P.impactPerNotional);
      expect(await venue.markPrice()).to.equal(P0);
    });

    it("reverts InvalidMarketParams with invalid parameters", async function () {
      const { usdc: token, adapter } = await loadFixture(deployVenueFixture);
      const factory = await ethers.getContractFactory("MockPerpVenue");
      await expect(
        factory.deploy(await token.getAddress(), USDC_DECIMALS, await adapter.getAddress(), {
          ...P,
          maxOpenInterest: 0n,
        }),
      ).to.be.revertedWithCustomError(factory, "InvalidMarketParams");
    });

    it("reverts InvalidMarketParams with more than 18 collateral decimals", async function () {
      const { usdc: token, adapter } = await loadFixture(deployVenueFixture);
      const factory = await ethers.getContractFactory("MockPerpVenue");
      await expect(
        factory.deploy(await token.getAddress(), 19, await adapter.getAddress(), P),
      ).to.be.revertedWithCustomError(factory, "InvalidMarketParams");
    });

    it("reverts ZeroAddress on a zero collateral or oracle", async function () {
      const { usdc: token, adapter } = await loadFixture(deployVenueFixture);
      const factory = await ethers.getContractFactory("MockPerpVenue");
      await expect(
        factory.deploy(ethers.ZeroAddress, USDC_DECIMALS, await adapter.getAddress(), P),
      ).to.be.revertedWithCustomError(factory, "ZeroAddress");
      await expect(
        factory.deploy(await token.getAddress(), USDC_DECIMALS, ethers.ZeroAddress, P),
      ).to.be.revertedWithCustomError(factory, "ZeroAddress");
    });
  });

  describe("views", function () {
    it("report leverage and margin ratio consistent with the model", async function () {
      const { venue, alice, aliceAcc } = await loadFixture(leveragedFixture);
      const n = notional(LEVERAGED_SIZE, P0);
      const eq = equity(aliceAcc, P0);
      expect(await venue.leverage(alice.address)).to.equal((n * WAD) / eq);
      expect(await venue.marginRatio(alice.address)).to.equal(mulDivDown(eq, WAD, n));
      const [size, snapEquity, price] = await venue.accountSnapshot(alice.address);
      expect([size, snapEquity, price]).to.deep.equal([LEVERAGED_SIZE, eq, P0]);
    });

    it("report max leverage at non-positive equity and max margin ratio without a position", async function () {
      const { venue, feed, alice, stranger } = await loadFixture(leveragedFixture);
      await setAnswer(feed, 40_000n * 10n ** 8n);
      expect(await venue.leverage(alice.address)).to.equal(ethers.MaxUint256);
      expect(await venue.leverage(stranger.address)).to.equal(0n);
      expect(await venue.marginRatio(stranger.address)).to.equal(ethers.MaxInt256);
    });

    it("model and venue agree that no account is liquidatable at the opening price", async function () {
      const { venue, alice, bob, carol, aliceAcc, bobAcc, carolAcc } = await loadFixture(leveragedFixture);
      for (const [who, acc] of [
        [alice, aliceAcc],
        [bob, bobAcc],
        [carol, carolAcc],
      ] as const) {
        expect(isLiquidatable(acc, P0, P)).to.equal(false);
        expect(await venue.isLiquidatable(who.address)).to.equal(false);
        expect(await venue.equity(who.address)).to.equal(equity(acc, P0));
      }
    });
  });
});
