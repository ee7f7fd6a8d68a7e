/**
 * Browser test of the page's holder and risk parts (a real `hardhat node`, the page built by Vite, Debian's Chromium,
 * the test wallet; helpers in harness.ts): "Your position" against the chain (the redeem value is previewRedeem of the
 * balance at the shown block, the cost basis and PnL follow from the account's Minted / Redeemed events by the
 * average-cost method, the history rows are those events), the risk panel against IVenue / IOracleAdapter calls,
 * the leverage states (inside, outside, ripcord), the fee summary with keeper bounties, the chart and the rebalance
 * list, phone width (Mint / Redeem in the first screen, short hashes), the stale-feed banner and the stopped-node
 * banner. Screenshots go to test-results/screenshots/ (`npm run screenshots`: docs/screenshots/).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import hre from "hardhat";
import type { Page } from "playwright-core";
import { MockV3Aggregator__factory } from "../../typechain-types";
import {
  connectOracle,
  connectRebalancer,
  connectToken,
  connectVenue,
  formatAmount,
  type ILeveragedToken,
} from "../../protocol";
import { CHROMIUM, SCREENSHOTS, fieldsIn, startStack, stop, stopStack, type Shown, type Stack } from "./harness";
import { WORST_YEARS } from "../../web/src/worstYears";

const WAD = 10n ** 18n;
const usdcText = (units: bigint): string => `${formatAmount(units, 6, 2)} USDC`;

describe("web page: position, risk, charts, phone, banners (e2e)", function () {
  this.timeout(300_000);
  let s: Stack | undefined;
  let page: Page;

  const stack = (): Stack => {
    if (!s) throw new Error("not started");
    return s;
  };
  const deployed = (name: string): string => {
    const d = stack().deployments.contracts[name];
    if (!d) throw new Error(`no ${name} deployment`);
    return d.address;
  };
  const token = (symbol: string): ILeveragedToken => connectToken(deployed(symbol), stack().provider);
  const row = (symbol: string) => page.locator(`#products-body tr[data-symbol="${symbol}"]`);
  const raw = (f: Shown | undefined): bigint => BigInt(f?.raw ?? "NaN");
  const shot = async (name: string, selector?: string): Promise<void> => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, name);
    if (selector) await page.locator(selector).screenshot({ path: file });
    else await page.screenshot({ path: file });
  };

  /** The page's panels at the chain's current block (positions and, if given, a risk panel). */
  async function atHead(riskSymbol?: string): Promise<number> {
    const block = await stack().provider.getBlockNumber();
    await page.locator(`#positions-body[data-block="${block}"]`).waitFor({ state: "attached" });
    if (riskSymbol) {
      await page.locator(`#risk-${riskSymbol} .risk-body[data-block="${block}"]`).waitFor({ state: "attached" });
    }
    return block;
  }

  /**
   * The position card of `symbol` against the chain at the shown block: balance, previewRedeem(balance), and the
   * cost basis and PnL computed here from the account's own events (average cost, written out independently).
   */
  async function expectPositionAgrees(symbol: string): Promise<{ redeemValue: bigint; openCost: bigint }> {
    const { provider, account } = stack();
    const block = await atHead();
    const t = token(symbol);
    const at = { blockTag: block };
    const balance = await t.balanceOf(account, at);
    const redeemValue = await t.previewRedeem(balance, at);
    const mints = await t.queryFilter(t.filters.Minted(undefined, account), 0, block);
    const redeems = await t.queryFilter(t.filters.Redeemed(account), 0, block);
    const events = [...mints.map((l) => ({ l, mint: true })), ...redeems.map((l) => ({ l, mint: false }))].sort(
      (a, b) => a.l.blockNumber - b.l.blockNumber || a.l.index - b.l.index,
    );
    let held = 0n;
    let cost = 0n;
    let paidIn = 0n;
    let paidOut = 0n;
    let realized = 0n;
    let fees = 0n;
    for (const { l, mint } of events) {
      fees += l.args.fee;
      if (mint) {
        const args = (l as (typeof mints)[number]).args;
        paidIn += args.collateralIn;
        cost += args.collateralIn;
        held += args.shares;
      } else {
        const args = (l as (typeof redeems)[number]).args;
        const off = args.shares >= held ? cost : (cost * args.shares) / held;
        cost -= off;
        held -= args.shares >= held ? held : args.shares;
        paidOut += args.collateralOut;
        realized += args.collateralOut - off;
      }
    }
    const card = `#positions-body article[data-symbol="${symbol}"]`;
    const shown = await fieldsIn(page, `${card} dl.position-summary`);
    const unrealized = redeemValue - cost;
    const expected: Record<string, bigint> = {
      balance,
      redeemValue,
      openCost: cost,
      unrealizedPnl: unrealized,
      unrealizedPnlPct: (unrealized * WAD) / cost,
      realizedPnl: realized,
      totalPnl: realized + unrealized,
      totalPnlPct: ((realized + unrealized) * WAD) / paidIn,
      paidIn,
      paidOut,
      feesPaid: fees,
    };
    expect(Object.keys(shown).sort()).to.deep.equal(Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) expect(raw(shown[name]), name).to.equal(value);
    expect(shown.redeemValue?.text).to.equal(usdcText(redeemValue));
    expect(shown.balance?.text).to.equal(`${formatAmount(balance, 18, 4)} ${symbol}`);
    // Not balance × NAV: the preview (after the redeem fee and the exit's costs) is what is shown.
    const nav = await t.navPerShare(at);
    expect(redeemValue * 10n ** 12n).to.not.equal((balance * nav) / WAD);

    // The history: one row per event, newest first, each with its transaction, amounts and fee.
    const rows = page.locator(`${card} table.holder-history tbody tr`);
    expect(await rows.count()).to.equal(events.length);
    for (const [i, { l, mint }] of [...events].reverse().entries()) {
      const r = rows.nth(i);
      expect(await r.getAttribute("data-tx")).to.equal(l.transactionHash);
      expect(await r.getAttribute("data-kind")).to.equal(mint ? "mint" : "redeem");
      const f = await fieldsIn(page, `${card} table.holder-history tbody tr[data-tx="${l.transactionHash}"]`);
      expect(raw(f.fee)).to.equal(l.args.fee);
      expect(raw(f.shares)).to.equal(l.args.shares);
      if (l.args.fee > 0n) expect(f.fee?.text).to.not.match(/^0\.00 /);
      expect(await r.locator(".copyable").getAttribute("data-full")).to.equal(l.transactionHash);
      const time = (await provider.getBlock(l.blockNumber))?.timestamp ?? 0;
      expect(await r.textContent()).to.contain(new Date(time * 1000).toISOString().slice(0, 19).replace("T", " "));
    }
    return { redeemValue, openCost: cost };
  }

  /** The risk panel of `symbol` against IVenue and IOracleAdapter at the shown block, and its fee summary. */
  async function expectRiskAgrees(symbol: string, stale = false): Promise<Record<string, Shown>> {
    const { provider } = stack();
    const block = await atHead(symbol);
    const at = { blockTag: block };
    const t = token(symbol);
    const venue = connectVenue(await t.venue(), provider);
    const oracle = connectOracle(await venue.oracle(), provider);
    const [[, updatedAt], maxStaleness, head] = await Promise.all([
      oracle.lastValidPrice(at),
      oracle.maxStaleness(at),
      provider.getBlock(block),
    ]);
    const shown = await fieldsIn(page, `#risk-${symbol} .risk-now`);
    expect(raw(shown.oracleUpdatedAt), "oracleUpdatedAt").to.equal(updatedAt);
    expect(raw(shown.oracleAge), "oracleAge").to.equal(BigInt(head?.timestamp ?? 0) - updatedAt);
    expect(raw(shown.maxStaleness), "maxStaleness").to.equal(maxStaleness);
    if (stale) {
      // No current price: the venue cannot value the account, and the page says so instead of a number.
      expect(Object.keys(shown).sort()).to.deep.equal(["maxStaleness", "oracleAge", "oracleUpdatedAt"]);
      expect(await page.locator(`#risk-${symbol} .risk-now`).textContent()).to.contain("unavailable");
    } else {
      const [liq, margin, lev] = await Promise.all([
        venue.liquidationPrice(deployed(symbol), at),
        venue.marginRatio(deployed(symbol), at),
        t.currentLeverage(at),
      ]);
      expect(raw(shown.liquidationPrice), "liquidationPrice").to.equal(liq);
      expect(raw(shown.marginRatio), "marginRatio").to.equal(margin);
      expect(raw(shown.leverage), "leverage").to.equal(lev);
      if (liq > 0n) expect(shown.liquidationPrice?.text).to.equal(`$${formatAmount(liq, 18, 2)}`);
    }

    // Fees the product paid: every mint and redeem fee from its events, every keeper bounty from the Rebalancer's.
    const rebalancer = connectRebalancer(deployed("Rebalancer"), provider);
    const [mints, redeems, rebalances] = await Promise.all([
      t.queryFilter(t.filters.Minted(), 0, block),
      t.queryFilter(t.filters.Redeemed(), 0, block),
      rebalancer.queryFilter(rebalancer.filters.RebalanceExecuted(deployed(symbol)), 0, block),
    ]);
    const fees = await fieldsIn(page, `#risk-${symbol} .fees`);
    expect(raw(fees.mintFeesPaid)).to.equal(mints.reduce((a, l) => a + l.args.fee, 0n));
    expect(raw(fees.redeemFeesPaid)).to.equal(redeems.reduce((a, l) => a + l.args.fee, 0n));
    const bounties = rebalances.reduce((a, l) => a + l.args.bounty, 0n);
    expect(raw(fees.keeperBounties)).to.equal(bounties);
    if (bounties > 0n) expect(fees.keeperBounties?.text).to.not.match(/^0\.00 /);
    const list = page.locator(`#risk-${symbol} .rebalances tbody tr`);
    expect(await list.count()).to.equal(rebalances.length);
    for (const l of rebalances) {
      const f = await fieldsIn(page, `#risk-${symbol} .rebalances tr[data-tx="${l.transactionHash}"]`);
      expect(raw(f.leverageBefore)).to.equal(l.args.leverageBefore);
      expect(raw(f.leverageAfter)).to.equal(l.args.leverageAfter);
      expect(raw(f.bounty)).to.equal(l.args.bounty);
      expect(raw(f.sizeDelta)).to.equal(l.args.sizeDelta);
    }
    return shown;
  }

  /** Runs `check` at 390 × 844 from the top of the page (and no sideways scrolling), then back to desktop. */
  async function atPhoneWidth(check: () => Promise<void>): Promise<void> {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate("window.scrollTo(0, 0)");
    expect((await page.evaluate("document.documentElement.scrollWidth")) as number).to.be.at.most(390);
    await check();
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  async function mintOnPage(symbol: string, amount: string): Promise<void> {
    await row(symbol)
      .getByRole("button", { name: `Mint ${symbol}` })
      .click();
    expect(await page.locator("#product").inputValue()).to.equal(symbol);
    await page.locator("#mint-amount").fill(amount);
    await page.locator("#mint-preview", { hasText: "You get about" }).waitFor();
    await page.getByRole("button", { name: "Mint", exact: true }).click();
    await page
      .locator('#mint-status[data-state="confirmed"]', { hasText: "You received" })
      .waitFor({ timeout: 30_000 });
    await page.locator("#mint-submit:not([disabled])").waitFor();
  }

  before(async function () {
    if ("__SOLIDITY_COVERAGE_RUNNING" in hre) this.skip();
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI) throw new Error(`${CHROMIUM} not found`);
      console.log(`    skipped: ${CHROMIUM} not found (bash scripts/ci/install-chromium.sh)`);
      this.skip();
    }
    s = await startStack(6);
    page = s.page;
  });

  after(async function () {
    await stopStack(s);
  });

  it("connects, gets test USDC, and shows no position yet", async function () {
    await row("BTC3L").getByText("$1.0000").waitFor({ timeout: 30_000 });
    expect(await page.locator("#live-state").textContent()).to.match(/^Live from the contracts/);
    await page.locator("#positions-body", { hasText: "Connect a wallet" }).waitFor();
    await page.getByRole("button", { name: "Connect Ballast Test Wallet" }).click();
    await page.getByRole("button", { name: "Switch to the Ballast network" }).click();
    await page.locator("#network-prompt").waitFor({ state: "hidden" });
    // The account is shown short, with the full address for screen readers and the copy button.
    const { account } = stack();
    const copy = page.locator("#wallet-status .copyable");
    expect(await copy.getAttribute("data-full")).to.equal(account);
    expect(await copy.locator("code").textContent()).to.equal(`${account.slice(0, 6)}…${account.slice(-4)}`);
    expect(await copy.getByRole("button").getAttribute("data-copy")).to.equal(account);
    await page.getByRole("button", { name: "Get 10,000 test USDC" }).click();
    await page.locator('#faucet-status[data-state="confirmed"]').waitFor();
    await page.locator("#positions-body", { hasText: "You hold no Ballast tokens" }).waitFor();
  });

  it("mints from a product row's Mint button and shows the position, cost basis, PnL and history as the chain has them", async function () {
    await mintOnPage("BTC3L", "1000");
    // A tiny mint: its fee (0.1%, rounded up: 0.0005 USDC) is shown with its decimals, not as 0.00.
    await mintOnPage("BTC3L", "0.5");
    await page.locator('#positions-body article[data-symbol="BTC3L"] tbody tr').nth(1).waitFor();
    const smallFee = page
      .locator('#positions-body article[data-symbol="BTC3L"] tbody tr')
      .first()
      .locator('[data-field="fee"]');
    expect(await smallFee.textContent()).to.equal("0.0005 USDC");
    const { redeemValue, openCost } = await expectPositionAgrees("BTC3L");
    expect(openCost).to.equal(1_000_500_000n);
    expect(redeemValue < openCost).to.equal(true); // fees and the round trip's costs
    await shot("position.png", "#positions");
  });

  it("redeems part, and the cost basis moves pro rata (average cost) with the realised PnL", async function () {
    await row("BTC3L").getByRole("button", { name: "Redeem BTC3L" }).click();
    await page.locator("#redeem-amount").fill("400");
    await page.locator("#redeem-preview", { hasText: "You get about" }).waitFor();
    await page.getByRole("button", { name: "Redeem", exact: true }).click();
    await page
      .locator('#redeem-status[data-state="confirmed"]', { hasText: "You received" })
      .waitFor({ timeout: 30_000 });
    await page.locator('#positions-body article[data-symbol="BTC3L"] tbody tr[data-kind="redeem"]').waitFor();
    await expectPositionAgrees("BTC3L");
    // The transaction in the status box is short too, with a copy button.
    const hash = await page.locator("#redeem-status .copyable").last().getAttribute("data-full");
    expect(hash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await page.locator("#redeem-status .copyable code").last().textContent()).to.match(
      /^0x[0-9a-f]{4}…[0-9a-f]{4}$/,
    );
  });

  it("shows leverage, liquidation price, margin ratio and the oracle's age as the venue and the adapter have them", async function () {
    await mintOnPage("BTC3S", "500");
    await page.locator("#risk-BTC3L summary").click();
    const shown = await expectRiskAgrees("BTC3L");
    // About 3× (a mint and a partial redeem pay their own costs, so not exactly).
    expect(shown.leverage?.text).to.match(/^(2\.9\d|3\.0\d)×$/);
    expect(await page.locator("#risk-BTC3L .risk-now .lev-state").getAttribute("data-state")).to.equal("inside");
    expect(await page.locator("#risk-BTC3L .risk-now").textContent())
      .to.contain("inside band")
      .and.contain("current");
    expect(await row("BTC3L").locator(".lev-state").textContent()).to.equal(`${shown.leverage?.text} inside band`);
    // The plain warning, with the backtest's worst years and its source.
    const warning = (await page.locator("#risk-BTC3L .risk-warning").textContent()) ?? "";
    expect(warning).to.contain(WORST_YEARS.BTC3L).and.contain("Source: docs/backtest.md");
    expect(await page.locator("#risk-ETH3S .risk-warning").textContent()).to.contain(WORST_YEARS.BTC3S);
    expect(await page.locator("#risk-BTC2L .risk-warning").textContent()).to.not.contain("2018:");
    // The exit guarantee, as docs/mechanism.md states it.
    expect(await page.locator("#exit-guarantee").textContent()).to.contain(
      "A product without a position (wound down, liquidated,",
    );
  });

  it("colours leverage outside the band and at the ripcord, lists each rebalance and its bounty, and charts it", async function () {
    const { provider } = stack();
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    const feed = MockV3Aggregator__factory.connect(deployed("BTCUSDFeed"), await provider.getSigner(accounts[0]));
    const keeper = connectRebalancer(deployed("Rebalancer"), await provider.getSigner(accounts[1]));
    // −12%: the 3x long drifts to 4.13x (above its 3.8x band top); then +35%: the 3x short, left at 1.94x by the
    // fall (inside its 0.3x–3.8x band), goes to about 8x, beyond its 6.03x ripcord (methodology v2's bands).
    const start = await feed.latestAnswer();
    await (await feed.updateAnswer((start * 88n) / 100n)).wait();
    await row("BTC3L")
      .locator('.lev-state[data-state="outside"]', { hasText: /^4\.1\d× outside band$/ })
      .waitFor();
    await shot("risk-states.png", "#products");
    await (await keeper.rebalance(deployed("BTC3L"))).wait();
    await (await feed.updateAnswer((start * 88n * 135n) / 10_000n)).wait();
    await row("BTC3S").locator('.lev-state[data-state="ripcord"]', { hasText: "at or beyond ripcord" }).waitFor();
    await (await keeper.ripcord(deployed("BTC3S"))).wait();
    await row("BTC3L").locator('.lev-state[data-state="inside"]').waitFor();
    await page.locator("#risk-BTC3L .rebalances tbody tr").first().waitFor();
    await expectRiskAgrees("BTC3L");
    await page.locator("#risk-BTC3S summary").click();
    await expectRiskAgrees("BTC3S");
    expect(await page.locator("#risk-BTC3S .rebalances tbody tr").first().textContent()).to.contain("ripcord");

    // The chart: NAV, price and leverage from the chain's events and rounds, with the band and the ripcord.
    const slot = page.locator("#risk-BTC3L .chart-slot");
    await page.locator("#risk-BTC3L .chart-slot[data-markers='1'] canvas").first().waitFor();
    expect(Number(await slot.getAttribute("data-points"))).to.be.at.least(4);
    const rebalancer = connectRebalancer(deployed("Rebalancer"), provider);
    const m = await rebalancer.methodology(deployed("BTC3L"));
    expect(await slot.getAttribute("data-band")).to.equal(`${m.minLeverage},${m.maxLeverage},${m.ripcordLeverage}`);
    const lastBlock = Number(await slot.getAttribute("data-last-block"));
    expect(await slot.getAttribute("data-last-nav")).to.equal(
      (await token("BTC3L").navPerShare({ blockTag: lastBlock })).toString(),
    );
    await page.locator("#risk-BTC3L").scrollIntoViewIfNeeded();
    await shot("risk-btc3l.png", "#risk-BTC3L");
  });

  it("at phone width: Mint / Redeem on every card within one screen, short hashes, no sideways scroll", async function () {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate("window.scrollTo(0, 0)");
    const first = await row("BTC2L").getByRole("button", { name: "Mint BTC2L" }).boundingBox();
    expect(first, "BTC2L's Mint button").to.not.equal(null);
    expect((first?.y ?? 1e9) + (first?.height ?? 0)).to.be.at.most(844);
    for (const symbol of ["BTC2L", "BTC3L", "ETH3S"]) {
      const card = await row(symbol).boundingBox();
      const redeem = await row(symbol)
        .getByRole("button", { name: `Redeem ${symbol}` })
        .boundingBox();
      expect((redeem?.y ?? 1e9) + (redeem?.height ?? 0) - (card?.y ?? 0), symbol).to.be.below(300);
    }
    await shot("phone-cards.png");
    await row("BTC3L").getByRole("button", { name: "Redeem BTC3L" }).click();
    expect(await page.locator("#product").inputValue()).to.equal("BTC3L");
    const input = await page.locator("#redeem-amount").boundingBox();
    expect(input && input.y >= 0 && input.y + input.height <= 844, "redeem field in view").to.equal(true);
    // Hashes and addresses stay on one line (short form + copy button).
    await page.locator("#positions").scrollIntoViewIfNeeded();
    const heights = (await page.evaluate(
      "Array.from(document.querySelectorAll('.copyable'), (e) => e.getBoundingClientRect().height)",
    )) as number[];
    expect(heights.length).to.be.at.least(5);
    for (const h of heights) expect(h).to.be.below(50);
    expect((await page.evaluate("document.documentElement.scrollWidth")) as number).to.be.at.most(390);
    await expectPositionAgrees("BTC3L");
    await expectRiskAgrees("BTC3L");
    await page.locator('#positions-body article[data-symbol="BTC3L"]').screenshot({
      path: path.join(SCREENSHOTS, "phone-position.png"),
    });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("shows a banner when the price feed is stale, and the oracle's age as the adapter has it", async function () {
    const { provider } = stack();
    await provider.send("evm_increaseTime", [4600]);
    await provider.send("evm_mine", []);
    await page.locator("#feed-banner", { hasText: "The BTC price feed is stale" }).waitFor();
    expect(await page.locator("#feed-banner").textContent()).to.contain("The ETH price feed is stale");
    const shown = await expectRiskAgrees("BTC3L", true);
    expect(Number(shown.oracleAge?.raw)).to.be.greaterThan(4500);
    expect(await page.locator("#risk-BTC3L .risk-now").textContent()).to.contain("STALE");
    await page.locator('#positions-body article[data-symbol="BTC3L"]', { hasText: "unavailable" }).waitFor();
    await page.locator("#feed-banner").scrollIntoViewIfNeeded();
    await shot("stale-feed.png");
    await atPhoneWidth(async () => {
      expect(await page.locator("#feed-banner").isVisible()).to.equal(true);
      await shot("phone-stale-feed.png");
    });
    // Fresh answers: the banner goes.
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    const signer = await provider.getSigner(accounts[0]);
    for (const name of ["BTCUSDFeed", "ETHUSDFeed"]) {
      const feed = MockV3Aggregator__factory.connect(deployed(name), signer);
      const [, answer] = await feed.latestRoundData();
      await (await feed.updateAnswer(answer)).wait();
    }
    await page.locator("#feed-banner").waitFor({ state: "hidden" });
    await expectPositionAgrees("BTC3L");
  });

  it("says Not live, with a banner, when the node stops answering", async function () {
    expect(stack().pageErrors, stack().pageErrors.join("\n")).to.deep.equal([]);
    await stop(stack().node);
    await page.locator("#node-banner", { hasText: "does not answer" }).waitFor({ timeout: 20_000 });
    expect(await page.locator("#live-state").textContent()).to.match(/^Not live: the node does not answer/);
    expect(await page.locator("#products caption").textContent()).to.not.match(/^\s*Live/);
    await page.evaluate("window.scrollTo(0, 0)");
    await shot("node-down.png");
    await atPhoneWidth(async () => {
      const banner = await page.locator("#node-banner").boundingBox();
      expect(banner && banner.y + banner.height <= 844, "the banner is on the first screen").to.equal(true);
      await shot("phone-node-down.png");
    });
  });
});
