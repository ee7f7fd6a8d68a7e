/**
 * Issue 13, the keeper items: checkUpkeep never starves a ripcord (13.2), an Automation forwarder is never paid a
 * bounty it cannot spend (13.4), and a chunked rebalance pays one bounty per due state (13.10). Every timestamp comes
 * from the chain (time.latest() + n, time.setNextBlockTimestamp), never from the wall clock.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, ZeroAddress, type ContractTransactionResponse } from "ethers";
import { DEFAULT_BOUNTY, MARKETS, methodologyFor, productDefaults, usdc, wad } from "../../config/parameters";
import { deploySuite, fund, type Suite } from "../helpers/deployment";
import { Action } from "../helpers/keeper";
import { PPM, deployFundedSuite, movePrice } from "../helpers/market";

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
  const p = productDefaults(isLong ? "BTC3L" : "BTC3S");
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
      supplyCap: p.supplyCap,
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
    const suite = await deployFundedSuite();
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
    const suite = await deployFundedSuite();
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
    const suite = await deployFundedSuite();
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
    const suite = await deployFundedSuite();
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
    const suite = await deployFundedSuite();
    const token = await suite.products.BTC3L.getAddress();
    const rb = suite.rebalancer.connect(suite.keeper);
    await suite.rebalancer
      .connect(suite.governor)
      .setMethodology(token, { ...methodologyFor(3), maxTradeNotional: wad(10_000) });
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
