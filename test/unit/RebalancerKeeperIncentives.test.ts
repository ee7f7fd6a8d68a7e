/**
 * Issue 13, the keeper items: checkUpkeep never starves a ripcord (13.2), an Automation forwarder is never paid a
 * bounty it cannot spend (13.4), and a chunked rebalance pays one bounty per due state (13.10). Every timestamp comes
 * from the chain (time.latest() + n, time.setNextBlockTimestamp), never from the wall clock.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, ZeroAddress, type ContractTransactionResponse } from "ethers";
import { DEFAULT_BOUNTY, MARKETS, methodologyV1, productDefaults, usdc, wad } from "../../config/parameters";
import { deploySuite, fund, type Suite } from "../helpers/deployment";
import { Action } from "../helpers/keeper";
import { PPM, deployFundedSuiteV1, movePrice } from "../helpers/market";

const coder = AbiCoder.defaultAbiCoder();
const pct = (x: number): bigint => BigInt(Math.round(x * 10_000));

/** `checkUpkeep` as Chainlink Automation simulates it: an eth_call from address(0). */
async function checkUpkeep(
  suite: Suite,
  checkData = "0x",
): Promise<{ tokens: string[]; actions: number[]; data: string }> {
  const iface = suite.rebalancer.interface;
  const raw = await ethers.provider.call({
    to: await suite.rebalancer.getAddress(),
    from: ZeroAddress,
    data: iface.encodeFunctionData("checkUpkeep", [checkData]),
  });
  const [, performData] = iface.decodeFunctionResult("checkUpkeep", raw) as unknown as [boolean, string];
  const [tokens, actions] = coder.decode(["address[]", "uint8[]"], performData) as unknown as [string[], bigint[]];
  return { tokens: [...tokens], actions: [...actions].map(Number), data: performData };
}

/** The RebalanceExecuted events of a mined transaction: token, action, keeper, bounty. */
async function executed(
  suite: Suite,
  tx: ContractTransactionResponse,
): Promise<{ token: string; action: number; keeper: string; bounty: bigint }[]> {
  const receipt = await tx.wait();
  const out: { token: string; action: number; keeper: string; bounty: bigint }[] = [];
  for (const log of receipt?.logs ?? []) {
    if (log.address !== (await suite.rebalancer.getAddress())) continue;
    const parsed = suite.rebalancer.interface.parseLog(log);
    if (parsed?.name !== "RebalanceExecuted") continue;
    out.push({
      token: parsed.args.token as string,
      action: Number(parsed.args.action),
      keeper: parsed.args.keeper as string,
      bounty: parsed.args.bounty as bigint,
    });
  }
  return out;
}

/** Creates `count` 3x products on the BTC venue through the factory, each seeded with 1,000 USDC by users[0]. */
async function createSeeded(suite: Suite, prefix: string, count: number, isLong: boolean): Promise<string[]> {
  const p = { ...productDefaults(isLong ? "BTC3L" : "BTC3S"), methodology: methodologyV1(3) };
  const user = suite.users[0];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const symbol = `${prefix}${i}`;
    await suite.factory.createProduct({
      name: symbol,
      symbol,
      venue: await suite.venues.BTC.getAddress(),
      isLong,
      fees: p.fees,
      equityCap: p.equityCap,
      methodology: p.methodology,
      bounty: p.bounty,
    });
    const token = await suite.factory.productBySymbol(symbol);
    await fund(suite, user, usdc(1_000), token);
    await (await ethers.getContractAt("LeveragedToken", token)).connect(user).mint(usdc(1_000), 0n, user.address);
    out.push(token);
  }
  return out;
}

const gap = (lev: bigint, target: bigint): bigint => (lev > target ? lev - target : target - lev);

describe("issue 13.2: a ripcord is never starved by checkUpkeep", function () {
  const BLOCKED = 17; // more than MAX_BATCH

  const blockers: [string, (suite: Suite) => Promise<void>][] = [
    [
      "the venue in reduce-only mode",
      async (suite) => {
        await (await suite.mockVenues.BTC.setPaused(true)).wait();
      },
    ],
    [
      "the long open-interest cap filled",
      async (suite) => {
        const oi = await suite.mockVenues.BTC.openInterestLong();
        await (await suite.mockVenues.BTC.setParams({ ...MARKETS.BTC.venue, maxOpenInterest: oi })).wait();
      },
    ],
  ];

  for (const [label, block] of blockers) {
    it(`serves a short's ripcord in one upkeep behind ${BLOCKED} long products blocked by ${label}`, async function () {
      this.timeout(120_000);
      const suite = await deploySuite();
      const longs = await createSeeded(suite, "BLK", BLOCKED, true);
      const [victim] = await createSeeded(suite, "VIC", 1, false);
      const rb = suite.rebalancer;
      // +12%: every 3x long falls below its band (a rebalance that grows the position), the 3x short passes its
      // ripcord (a reduction, which neither the pause nor the open-interest cap refuses).
      await movePrice(suite, "BTC", pct(12));
      await block(suite);
      for (const t of longs) expect(await rb.shouldRebalance(t)).to.equal(Action.REBALANCE);
      expect(await rb.shouldRebalance(victim)).to.equal(Action.RIPCORD);

      const due = await checkUpkeep(suite);
      expect(due.tokens, "checkUpkeep reports the ripcord, not the blocked rebalances").to.deep.equal([victim]);
      expect(due.actions).to.deep.equal([Action.RIPCORD]);

      const tx = await rb.connect(suite.keeper).performUpkeep(due.data);
      await expect(tx).not.to.emit(rb, "UpkeepFailed");
      const done = await executed(suite, tx);
      expect(done.map((e) => [e.token, e.action])).to.deep.equal([[victim, Action.RIPCORD]]);
      const product = await ethers.getContractAt("LeveragedToken", victim);
      expect(gap(await product.currentLeverage(), wad(3))).to.be.lte(wad("0.01"));
      expect(await rb.shouldRebalance(victim)).to.equal(Action.NONE);
    });
  }

  it("puts ripcords first, whatever their place in the registry", async function () {
    this.timeout(120_000);
    const suite = await deployFundedSuiteV1();
    await movePrice(suite, "BTC", pct(-16)); // BTC3L ripcord; BTC2L, BTC2S, BTC3S out of their bands
    const tokens = await suite.rebalancer.tokens();
    const due = await checkUpkeep(suite);
    expect(due.tokens).to.deep.equal([tokens[2], tokens[0], tokens[1], tokens[3]]);
    expect(due.actions).to.deep.equal([Action.RIPCORD, Action.REBALANCE, Action.REBALANCE, Action.REBALANCE]);
  });

  it("rotates the scan start, so that products past a full batch are reported within a few blocks", async function () {
    this.timeout(120_000);
    const suite = await deploySuite();
    const due = await createSeeded(suite, "ROT", 20, true);
    await movePrice(suite, "BTC", pct(-8)); // all 20 above their band
    const seen = new Set<string>();
    for (let b = 0; b < 7; b++) {
      const got = await checkUpkeep(suite);
      expect(got.tokens).to.have.length(16);
      got.tokens.forEach((t) => seen.add(t));
      await mine(1);
    }
    expect([...seen].sort()).to.deep.equal([...due].sort());
  });

  it("a wound-down product can be retired out of the scan by anyone; a live one cannot", async function () {
    const suite = await deployFundedSuiteV1();
    const rb = suite.rebalancer.connect(suite.users[4]);
    const live = await suite.products.BTC3S.getAddress();
    await expect(rb.retire(live)).to.be.revertedWithCustomError(rb, "NotRetirable").withArgs(live);
    const dead = await suite.products.BTC3L.getAddress();
    await (await suite.products.BTC3L.connect(suite.deployer).windDown()).wait();
    await expect(rb.retire(dead)).to.emit(rb, "Retired").withArgs(dead);
    expect((await rb.tokenState(dead)).retired).to.equal(true);
    expect((await rb.tokenState(live)).retired).to.equal(false);
    await movePrice(suite, "BTC", pct(-8));
    expect((await checkUpkeep(suite)).tokens).to.not.include(dead);
  });
});

describe("issue 13.4: Automation bounties go to a configured payee, never to the forwarder", function () {
  it("pays no bounty to Chainlink's AutomationForwarder calling performUpkeep, and pays its configured payee", async function () {
    const suite = await deployFundedSuiteV1();
    const rb = suite.rebalancer;
    const registry = suite.users[6]; // stands in for the Automation registry, the only caller of forward()
    const payee = suite.users[7];
    const forwarder = await (
      await ethers.getContractFactory("AutomationForwarder")
    ).deploy(await rb.getAddress(), registry.address, ZeroAddress);
    const forwarderAddress = await forwarder.getAddress();
    const budgets = async (tokens: string[]): Promise<bigint[]> =>
      Promise.all(tokens.map(async (t) => (await rb.tokenState(t)).bounty.budget));

    // No payee configured: the products are served, nothing is paid, nothing is stranded in the forwarder.
    await movePrice(suite, "BTC", pct(-8));
    let due = await checkUpkeep(suite);
    expect(due.tokens.length).to.be.gt(0);
    let before = await budgets(due.tokens);
    let tx = await forwarder
      .connect(registry)
      .forward(5_000_000n, rb.interface.encodeFunctionData("performUpkeep", [due.data]), { gasLimit: 8_000_000n });
    let done = await executed(suite, tx);
    expect(done.map((e) => e.token)).to.deep.equal(due.tokens);
    expect(await suite.usdc.balanceOf(forwarderAddress), "USDC stranded in the forwarder").to.equal(0n);
    for (const e of done) expect([e.keeper, e.bounty]).to.deep.equal([ZeroAddress, 0n]);
    expect(await budgets(due.tokens), "bounty budgets").to.deep.equal(before);

    // With a payee configured for the forwarder, the payee gets every bounty.
    await expect(rb.connect(suite.governor).setAutomationPayee(forwarderAddress, payee.address))
      .to.emit(rb, "AutomationPayeeSet")
      .withArgs(forwarderAddress, payee.address);
    expect(await rb.automationPayee(forwarderAddress)).to.equal(payee.address);
    await movePrice(suite, "BTC", pct(-8));
    due = await checkUpkeep(suite);
    expect(due.tokens.length).to.be.gt(0);
    before = await budgets(due.tokens);
    const payeeBefore = await suite.usdc.balanceOf(payee.address);
    tx = await forwarder
      .connect(registry)
      .forward(5_000_000n, rb.interface.encodeFunctionData("performUpkeep", [due.data]), { gasLimit: 8_000_000n });
    done = await executed(suite, tx);
    expect(done.map((e) => e.token)).to.deep.equal(due.tokens);
    const paid = done.reduce((a, e) => a + e.bounty, 0n);
    expect(paid).to.be.gt(0n);
    for (const e of done) expect(e.keeper).to.equal(payee.address);
    expect(await suite.usdc.balanceOf(forwarderAddress), "USDC stranded in the forwarder").to.equal(0n);
    expect((await suite.usdc.balanceOf(payee.address)) - payeeBefore).to.equal(paid);
    const after = await budgets(due.tokens);
    expect(before.reduce((a, b) => a + b, 0n) - after.reduce((a, b) => a + b, 0n)).to.equal(paid);
  });

  it("an ordinary caller of performUpkeep is still paid itself", async function () {
    const suite = await deployFundedSuiteV1();
    await movePrice(suite, "BTC", pct(-8));
    const due = await checkUpkeep(suite);
    const tx = await suite.rebalancer.connect(suite.users[5]).performUpkeep(due.data);
    const done = await executed(suite, tx);
    expect(done.length).to.be.gt(0);
    for (const e of done) expect(e.keeper).to.equal(suite.users[5].address);
  });

  it("setAutomationPayee is owner-only and refuses a zero forwarder (ZeroAddress) or payee (ZeroAutomationPayee)", async function () {
    const suite = await deploySuite();
    const rb = suite.rebalancer;
    const f = suite.users[6].address;
    await expect(rb.connect(suite.governor).setAutomationPayee(ZeroAddress, f)).to.be.revertedWithCustomError(
      rb,
      "ZeroAddress",
    );
    await expect(rb.connect(suite.governor).setAutomationPayee(f, ZeroAddress))
      .to.be.revertedWithCustomError(rb, "ZeroAutomationPayee")
      .withArgs(f);
    await expect(rb.connect(suite.users[1]).setAutomationPayee(f, f))
      .to.be.revertedWithCustomError(rb, "OwnableUnauthorizedAccount")
      .withArgs(suite.users[1].address);
  });
});

describe("issue 13.10: one bounty per due state", function () {
  const BASE = DEFAULT_BOUNTY.base;
  const PER_SECOND = DEFAULT_BOUNTY.perSecond;

  /**
   * Gives BTC3L a 10,000 USD trade cap, breaches its band with a round stamped at a chain-derived time and runs every
   * chunk of the rebalance, the k-th `spacing` seconds after the round. Returns the bounties and the last chunk's time.
   */
  async function chunkedRebalance(
    spacing: number,
  ): Promise<{ bounties: bigint[]; updatedAt: number; last: number; suite: Suite; token: string }> {
    const suite = await deployFundedSuiteV1();
    const token = await suite.products.BTC3L.getAddress();
    const rb = suite.rebalancer.connect(suite.keeper);
    await suite.rebalancer
      .connect(suite.governor)
      .setMethodology(token, { ...methodologyV1(3), maxTradeNotional: wad(10_000) });
    const feed = suite.feeds.BTC;
    const answer = ((await feed.latestAnswer()) * (PPM - pct(8))) / PPM;
    const posted = (await time.latest()) + 1;
    const updatedAt = posted + 1;
    await time.setNextBlockTimestamp(posted);
    await (await feed.updateRoundData((await feed.latestRound()) + 1n, answer, updatedAt, updatedAt)).wait();
    const bounties: bigint[] = [];
    let at = updatedAt;
    // The first chunk lands on the round's own second; each later one `spacing` seconds after the one before.
    for (let k = 0; k === 0 || Number(await rb.shouldRebalance(token)) !== Action.NONE; k++) {
      expect(k, "chunks").to.be.lt(20);
      at = updatedAt + k * spacing;
      await time.setNextBlockTimestamp(at);
      const [e] = await executed(suite, await rb.rebalance(token));
      expect(e.action).to.equal(k === 0 ? Action.REBALANCE : Action.ITERATE);
      bounties.push(e.bounty);
    }
    expect((await suite.rebalancer.tokenState(token)).iterating).to.equal(false);
    return { bounties, updatedAt, last: at, suite, token };
  }

  it("pays a chunked rebalance one auction's amount in total, not one bounty per chunk", async function () {
    const { bounties, updatedAt, last, suite, token } = await chunkedRebalance(1);
    expect(bounties.length).to.be.gte(5);
    expect(bounties[0]).to.equal(BASE);
    const total = bounties.reduce((a, b) => a + b, 0n);
    // The auction runs on across the chunks: together they are paid what one keeper acting at the last chunk's
    // second would have been paid for the whole rebalance.
    expect(total, `chunk bounties ${bounties.join(", ")}`).to.equal(BASE + PER_SECOND * BigInt(last - updatedAt));
    expect((await suite.rebalancer.tokenState(token)).duePaid, "reset once the rebalance completes").to.equal(0n);
  });

  it("never pays a due state more than the cap, however slowly its chunks come", async function () {
    const { bounties } = await chunkedRebalance(600);
    expect(bounties.length).to.be.gte(5);
    const total = bounties.reduce((a, b) => a + b, 0n);
    expect(total, `chunk bounties ${bounties.join(", ")}`).to.equal(DEFAULT_BOUNTY.cap);
  });
});

describe("issue 13.3: the Dutch auction runs from the first-due time, not from the latest oracle round", function () {
  const BASE = DEFAULT_BOUNTY.base;
  const PER_SECOND = DEFAULT_BOUNTY.perSecond;
  const CAP = DEFAULT_BOUNTY.cap;
  const auction = (elapsed: number): bigint => {
    const a = BASE + PER_SECOND * BigInt(elapsed);
    return a > CAP ? CAP : a;
  };

  /**
   * BTC3L breached by a -8% round mined at a chain-derived second `dueAt`; returns the suite, the token and `dueAt`.
   * Nothing is observed yet.
   */
  async function breach(): Promise<{ suite: Suite; token: string; dueAt: number }> {
    const suite = await deployFundedSuiteV1();
    const token = await suite.products.BTC3L.getAddress();
    const dueAt = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(dueAt);
    await movePrice(suite, "BTC", pct(-8));
    expect(await suite.rebalancer.shouldRebalance(token)).to.equal(Action.REBALANCE);
    return { suite, token, dueAt };
  }

  /** Posts `rounds` oracle rounds `spacing` seconds apart after `from`, moving the price by `movePpm` each time. */
  async function rounds(suite: Suite, from: number, count: number, spacing: number, movePpm: bigint): Promise<number> {
    let at = from;
    for (let k = 0; k < count; k++) {
      at += spacing;
      await time.setNextBlockTimestamp(at);
      await movePrice(suite, "BTC", movePpm);
    }
    return at;
  }

  it("issue 13.3: oracle rounds every 60 s for an hour (same price, then drifting) do not restart the auction", async function () {
    const { suite, token, dueAt } = await breach();
    const rb = suite.rebalancer.connect(suite.keeper);
    // First observed due one second after the breaching round (e.g. a keeper whose rebalance the venue refused).
    await time.setNextBlockTimestamp(dueAt + 1);
    await (await suite.rebalancer.connect(suite.users[5]).poke(token)).wait();
    // 30 heartbeat re-posts at the same price, then 30 rounds drifting down 0.1% each (leverage keeps rising).
    let at = await rounds(suite, dueAt + 1, 30, 60, 0n);
    at = await rounds(suite, at, 29, 60, -1_000n);
    expect(await rb.shouldRebalance(token)).to.equal(Action.REBALANCE);
    expect(at - dueAt, "an hour of rounds").to.be.gte(3_540);
    // Half-way through a round: the auction value from the first-due time, not base plus the seconds since the round.
    await time.increaseTo(at + 30);
    expect(await rb.currentBounty(token), "currentBounty after an hour of rounds").to.equal(auction(at + 30 - dueAt));
    await time.setNextBlockTimestamp(at + 60);
    const [e] = await executed(suite, await rb.rebalance(token));
    expect(e.action).to.equal(Action.REBALANCE);
    expect(e.bounty, "bounty paid after an hour of 60 s rounds").to.equal(auction(at + 60 - dueAt));
    expect(e.bounty).to.equal(CAP);
  });

  it("issue 13.3: before the cap, the auction grows one perSecond per second across rounds", async function () {
    const { suite, token, dueAt } = await breach();
    await time.setNextBlockTimestamp(dueAt + 5);
    await expect(suite.rebalancer.poke(token))
      .to.emit(suite.rebalancer, "DueObserved")
      .withArgs(token, Action.REBALANCE, dueAt);
    const at = await rounds(suite, dueAt + 5, 4, 60, -500n); // 245 s: 0.5 + 2.45 USDC, below the 5 USDC cap
    await time.setNextBlockTimestamp(at + 1);
    const [e] = await executed(suite, await suite.rebalancer.connect(suite.keeper).rebalance(token));
    expect(e.bounty).to.equal(BASE + PER_SECOND * BigInt(at + 1 - dueAt));
    expect(e.bounty).to.be.lt(CAP);
  });

  it("issue 13.3: a heartbeat re-post at the same price does not drop the bounty", async function () {
    const { suite, token, dueAt } = await breach();
    const rb = suite.rebalancer;
    await time.setNextBlockTimestamp(dueAt + 1);
    await (await rb.poke(token)).wait();
    await time.increaseTo(dueAt + 600);
    const before = await rb.currentBounty(token);
    expect(before).to.equal(CAP);
    await time.setNextBlockTimestamp(dueAt + 601);
    await movePrice(suite, "BTC", 0n); // heartbeat: same answer, new updatedAt
    expect(await rb.currentBounty(token), "after the heartbeat re-post").to.equal(CAP);
  });

  it("issue 13.3: a served rebalance clears the stored start; the next due state starts a fresh auction", async function () {
    const { suite, token, dueAt } = await breach();
    const rb = suite.rebalancer;
    await time.setNextBlockTimestamp(dueAt + 1);
    await (await rb.poke(token)).wait();
    expect((await rb.tokenState(token)).dueSince).to.equal(BigInt(dueAt));
    await time.setNextBlockTimestamp(dueAt + 100);
    await (await rb.connect(suite.keeper).rebalance(token)).wait();
    expect((await rb.tokenState(token)).dueSince, "cleared by the rebalance").to.equal(0n);
    // A new breach an hour later: the auction starts at that round, not at the old start.
    const next = dueAt + 3_700;
    await time.setNextBlockTimestamp(next);
    await movePrice(suite, "BTC", pct(-8));
    await time.setNextBlockTimestamp(next + 7);
    const [e] = await executed(suite, await rb.connect(suite.keeper).rebalance(token));
    expect(e.bounty).to.equal(auction(7));
  });

  it("issue 13.3: poke on a product that is not due is a no-op, and clears a stale start", async function () {
    const suite = await deployFundedSuiteV1();
    const rb = suite.rebalancer;
    const token = await suite.products.BTC3L.getAddress();
    expect(await rb.shouldRebalance(token)).to.equal(Action.NONE);
    await expect(rb.poke(token)).not.to.emit(rb, "DueObserved");
    expect((await rb.tokenState(token)).dueSince).to.equal(0n);
    expect(await rb.poke.staticCall(token)).to.equal(0n);
    // Due, observed, then back in band without a rebalance: the next poke clears the stale start.
    const dueAt = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(dueAt);
    const answer = await movePrice(suite, "BTC", pct(-8));
    await (await rb.poke(token)).wait();
    expect((await rb.tokenState(token)).dueSince).to.equal(BigInt(dueAt));
    await movePrice(suite, "BTC", ((PPM * PPM) / (PPM - pct(8)) - PPM) as bigint); // back to the old price
    expect(await rb.shouldRebalance(token)).to.equal(Action.NONE);
    await expect(rb.poke(token)).to.emit(rb, "DueObserved").withArgs(token, Action.NONE, 0n);
    expect((await rb.tokenState(token)).dueSince).to.equal(0n);
    expect(answer).to.be.gt(0n);
    const unknown = suite.users[9].address;
    await expect(rb.poke(unknown)).to.be.revertedWithCustomError(rb, "NotRegistered").withArgs(unknown);
  });

  it("issue 13.3: poking twice is idempotent: the start never moves later", async function () {
    const { suite, token, dueAt } = await breach();
    const rb = suite.rebalancer;
    await time.setNextBlockTimestamp(dueAt + 1);
    await (await rb.poke(token)).wait();
    const at = await rounds(suite, dueAt + 1, 3, 60, -300n);
    await time.setNextBlockTimestamp(at + 1);
    await expect(rb.poke(token)).not.to.emit(rb, "DueObserved");
    expect((await rb.tokenState(token)).dueSince).to.equal(BigInt(dueAt));
    expect(await rb.poke.staticCall(token)).to.equal(BigInt(dueAt));
  });

  it("issue 13.3: a product due for REBALANCE that reaches its ripcord keeps its auction start", async function () {
    const { suite, token, dueAt } = await breach();
    const rb = suite.rebalancer;
    await time.setNextBlockTimestamp(dueAt + 1);
    await (await rb.poke(token)).wait();
    await time.setNextBlockTimestamp(dueAt + 120);
    await movePrice(suite, "BTC", pct(-8)); // 3x long now beyond 4.5x
    expect(await rb.shouldRebalance(token)).to.equal(Action.RIPCORD);
    await time.setNextBlockTimestamp(dueAt + 200);
    const [e] = await executed(suite, await rb.connect(suite.keeper).ripcord(token));
    expect(e.action).to.equal(Action.RIPCORD);
    expect(e.bounty).to.equal(auction(200));
    expect((await rb.tokenState(token)).dueSince).to.equal(0n);
  });

  it("issue 13.3: the first chunk of a chunked rebalance records the start; a round between chunks does not restart it", async function () {
    const suite = await deployFundedSuiteV1();
    const token = await suite.products.BTC3L.getAddress();
    const rb = suite.rebalancer;
    await rb.connect(suite.governor).setMethodology(token, { ...methodologyV1(3), maxTradeNotional: wad(10_000) });
    const dueAt = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(dueAt);
    await movePrice(suite, "BTC", pct(-8));
    await time.setNextBlockTimestamp(dueAt + 1);
    const [first] = await executed(suite, await rb.connect(suite.keeper).rebalance(token));
    expect(first.bounty).to.equal(auction(1));
    expect((await rb.tokenState(token)).dueSince, "recorded by the first chunk").to.equal(BigInt(dueAt));
    await time.setNextBlockTimestamp(dueAt + 100);
    await movePrice(suite, "BTC", 0n); // a heartbeat between chunks
    await time.setNextBlockTimestamp(dueAt + 101);
    const [second] = await executed(suite, await rb.connect(suite.keeper).rebalance(token));
    expect(second.action).to.equal(Action.ITERATE);
    expect(second.bounty, "the auction's growth since the first chunk").to.equal(auction(101) - auction(1));
  });

  it("issue 13.3: without a poke the rule is unchanged: due since the latest round (no earlier than the last rebalance)", async function () {
    const { suite, token, dueAt } = await breach();
    const at = await rounds(suite, dueAt, 2, 60, 0n);
    await time.setNextBlockTimestamp(at + 9);
    const [e] = await executed(suite, await suite.rebalancer.connect(suite.keeper).rebalance(token));
    expect(e.bounty).to.equal(auction(9));
  });
});
