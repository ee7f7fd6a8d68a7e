/**
 * Browser test of web/: a real `hardhat node` (deployed by hardhat-deploy), the page built by Vite and served by a
 * tiny static server, Debian's Chromium driven by playwright-core, and a test EIP-1193 wallet injected into the page
 * that forwards to the node's unlocked accounts. Runs as part of `npm test` (hardhat test picks up test/e2e/);
 * alone: `npm run test:e2e`. Skipped, with a message, when /usr/bin/chromium is missing (CI installs it:
 * scripts/ci/install-chromium.sh). Saves screenshots to test-results/screenshots/ (or $SCREENSHOT_DIR).
 */
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import type * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { JsonRpcProvider } from "ethers";
import hre from "hardhat";
import { chromium, type Browser, type Page } from "playwright-core";
import { MockV3Aggregator__factory } from "../../typechain-types";
import {
  AAVE_PRODUCT_SYMBOLS,
  ALL_PRODUCT_SYMBOLS,
  PRODUCT_SYMBOLS,
  connectCollateral,
  connectRebalancer,
  connectToken,
  formatAmount,
  type ILeveragedToken,
} from "../../protocol";
import { humanDuration } from "../../web/src/format";
import { productDefaults } from "../../config/parameters";
import { installTestWallet } from "./test-wallet";
import {
  CHROMIUM,
  HARDHAT_CLI,
  READY,
  SCREENSHOTS,
  VITE_CLI,
  fieldsIn,
  freePort,
  PAGE_TIMEOUT_MS,
  serve,
  start,
  stop,
  toNumber,
  waitFor,
  waitForExit,
  type Export,
} from "./harness";

// The expected text of each kind of value, written out here rather than taken from the page's formatters.
const lev = (wad: bigint): string => `${formatAmount(wad, 18, 2)}×`;
const pct = (wad: bigint): string => `${formatAmount(wad * 100n, 18, 2)}%`;
const dollars = (wad: bigint, digits = 2): string => `$${formatAmount(wad, 18, digits)}`;
/** A product's band and ripcord as the products table prints them, from the deployed defaults. */
const bandText = (symbol: string): string => {
  const m = productDefaults(symbol).methodology;
  return `${lev(m.minLeverage)}–${lev(m.maxLeverage)} (${lev(m.ripcordLeverage)})`;
};

/** Every [data-field] under `selector`, by name (the root tsconfig has no DOM library: the page code is a string). */
describe("web page in Chromium (e2e)", function () {
  this.timeout(240_000);
  const children: ChildProcess[] = [];
  const outputs = new Map<ChildProcess, string>();
  let server: http.Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let provider: JsonRpcProvider;
  let deployments: Export;
  let account: string;
  let tmp = "";
  const pageErrors: string[] = [];

  const deployed = (name: string): string => {
    const d = deployments.contracts[name];
    if (!d) throw new Error(`no ${name} deployment`);
    return d.address;
  };
  const token = (symbol: string): ILeveragedToken => connectToken(deployed(symbol), provider);
  const collateral = () => connectCollateral(deployed("USDC"), provider);
  /** Every product the export holds: the eight perp products, then the Aave products of the real-venue market. */
  const present = (): string[] => ALL_PRODUCT_SYMBOLS.filter((s) => deployments.contracts[s] !== undefined);
  const row = (symbol: string) => page.locator(`#products-body tr[data-symbol="${symbol}"]`);
  const walletLog = async (): Promise<string[]> => (await page.evaluate("globalThis.__testWalletLog")) as string[];
  const sentOrSigned = (log: string[]): number =>
    log.filter((m) => m === "eth_sendTransaction" || m === "eth_signTypedData_v4").length;

  /**
   * Waits until the page shows the chain's current block, then compares every shown value of every product, by its
   * data-field name, with the contracts' own views read here over JSON-RPC: the exact number (data-raw) and its text.
   */
  async function expectPageAgreesWithChain(): Promise<void> {
    const block = await provider.getBlockNumber();
    await page.locator(`#products-body[data-block="${block}"]`).waitFor({ state: "attached" });
    const rebalancer = connectRebalancer(deployed("Rebalancer"), provider);
    expect(PRODUCT_SYMBOLS).to.have.length(8);
    expect(present()).to.include.members([...PRODUCT_SYMBOLS]);
    for (const symbol of present()) {
      await page.locator(`#about-${symbol} .about-body[data-block="${block}"]`).waitFor({ state: "attached" });
      const t = token(symbol);
      const [m, fees, cap, nav, leverageNow, position, delay] = await Promise.all([
        rebalancer.methodology(deployed(symbol)),
        t.fees(),
        t.equityCap(),
        t.navPerShare(),
        t.currentLeverage(),
        t.positionSnapshot(),
        t.OUTAGE_WIND_DOWN_DELAY(),
      ]);
      const expected: Record<string, [bigint, string]> = {
        targetLeverage: [m.targetLeverage, lev(m.targetLeverage)],
        minLeverage: [m.minLeverage, lev(m.minLeverage)],
        maxLeverage: [m.maxLeverage, lev(m.maxLeverage)],
        ripcordLeverage: [m.ripcordLeverage, lev(m.ripcordLeverage)],
      };
      const tableExpected: Record<string, [bigint, string]> = {
        ...expected,
        price: [position.price, dollars(position.price)],
        nav: [nav, dollars(nav, 4)],
        leverage: [leverageNow, position.size === 0n ? "— (no position)" : lev(leverageNow)],
      };
      const aboutExpected: Record<string, [bigint, string]> = {
        ...expected,
        interval: [m.interval, humanDuration(m.interval)],
        tolerance: [m.tolerance, lev(m.tolerance)],
        maxTradeNotional: [
          m.maxTradeNotional,
          m.maxTradeNotional === 0n ? "unlimited" : dollars(m.maxTradeNotional, 0),
        ],
        maxSlippage: [m.maxSlippage, pct(m.maxSlippage)],
        mintFeeRate: [fees.mintFeeRate, pct(fees.mintFeeRate)],
        redeemFeeRate: [fees.redeemFeeRate, pct(fees.redeemFeeRate)],
        streamingFeeRate: [fees.streamingFeeRate, pct(fees.streamingFeeRate)],
        equityCap: [cap, dollars(cap, 0)],
        equity: [position.equityWad, dollars(position.equityWad)],
        outageWindDownDelay: [delay, humanDuration(delay)],
      };
      for (const [where, want] of [
        [`#products-body tr[data-symbol="${symbol}"]`, tableExpected],
        [`#about-${symbol} .about-body`, aboutExpected],
      ] as const) {
        const shown = await fieldsIn(page, where);
        expect(Object.keys(shown).sort(), `${symbol} ${where}: fields`).to.deep.equal(Object.keys(want).sort());
        for (const [name, [raw, text]] of Object.entries(want)) {
          expect(shown[name], `${symbol} ${name}`).to.deep.equal({ raw: raw.toString(), text });
        }
      }
    }
  }

  /** Runs `act`, waits for `box` to show a failure containing `message`, and checks nothing was signed or mined. */
  async function expectRefused(box: string, message: string, act: () => Promise<void>): Promise<void> {
    const block = await provider.getBlockNumber();
    const signed = sentOrSigned(await walletLog());
    await act();
    const failed = page.locator(`${box}[data-state="failed"]`, { hasText: message });
    await failed.waitFor();
    expect(await failed.textContent()).to.contain("Nothing was sent.");
    expect(await provider.getBlockNumber(), `a block was mined for "${message}"`).to.equal(block);
    expect(sentOrSigned(await walletLog()), `the wallet was asked to sign for "${message}"`).to.equal(signed);
  }

  before(async function () {
    if ("__SOLIDITY_COVERAGE_RUNNING" in hre) {
      console.log(
        "    skipped under solidity-coverage: the browser test runs its own node, so it measures no contract code.",
      );
      this.skip();
    }
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI)
        throw new Error(`${CHROMIUM} not found: CI installs it first (bash scripts/ci/install-chromium.sh)`);
      console.log(
        `    skipped: ${CHROMIUM} not found. Install Debian's Chromium (apt-get install -y chromium, or bash scripts/ci/install-chromium.sh) to run the browser test.`,
      );
      this.skip();
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-web-e2e-"));
    const port = await freePort();
    const exportFile = path.join(tmp, "deployments.json");
    const dist = path.join(tmp, "dist");

    // The node deploys everything with hardhat-deploy and exports addresses + ABIs; --write false leaves the
    // project's deployments/localhost alone (a developer's `npm run node` may be using it). Real venues as `npm run
    // node` has them (the Aave products too): about 5 s more of node start-up (13-16 s perp-only, 16-22 s with them,
    // measured on a loaded 2-core machine). BALLAST_E2E_REAL_VENUES=0 runs the perp-only suite.
    const node = start(
      children,
      [
        HARDHAT_CLI,
        "node",
        "--hostname",
        "127.0.0.1",
        "--port",
        String(port),
        "--export",
        exportFile,
        "--write",
        "false",
      ],
      outputs,
      { BALLAST_REAL_VENUES: process.env.BALLAST_E2E_REAL_VENUES === "0" ? "0" : "1" },
    );
    const build = start(
      children,
      [VITE_CLI, "build", "--config", "web/vite.config.mts", "--outDir", dist, "--emptyOutDir", "--logLevel", "warn"],
      outputs,
    );
    await Promise.all([waitFor(node, outputs, READY, 120_000), waitForExit(build, outputs, 120_000)]);

    const rpcUrl = `http://127.0.0.1:${port}`;
    deployments = JSON.parse(fs.readFileSync(exportFile, "utf8")) as Export;
    provider = new JsonRpcProvider(rpcUrl, Number(deployments.chainId), { staticNetwork: true });
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    const holder = accounts[5];
    if (!holder) throw new Error("the node has fewer than 6 unlocked accounts");
    account = holder;
    const served = await serve(dist, JSON.stringify({ ...deployments, rpcUrl }));
    server = served.server;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.addInitScript(installTestWallet, {
      rpcUrl,
      account,
      chainId: "0x" + Number(deployments.chainId).toString(16),
      startChainId: "0x1",
    });
    await page.goto(served.url);
  });

  after(async function () {
    await browser?.close().catch(() => undefined);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    provider?.destroy();
    for (const child of children) await stop(child);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("shows the products table from the hardhat-deploy export", async function () {
    await row("BTC3L").getByText("$1.0000").waitFor({ timeout: 20_000 });
    if (process.env.BALLAST_E2E_REAL_VENUES !== "0") {
      expect(present(), "the real-venue market's products").to.include.members([...AAVE_PRODUCT_SYMBOLS]);
    }
    expect(await page.locator("#products-body tr[data-symbol]").count()).to.equal(present().length);
    expect(
      await page.locator("#products-body tr[data-symbol]").evaluateAll((rows) => rows.map((r) => r.dataset.symbol)),
    ).to.deep.equal(present());
    expect(await row("BTC3L").textContent())
      .to.contain("$60,000.00")
      .and.contain(bandText("BTC3L"));
  });

  it("finds the wallet by EIP-6963, asks to switch to the Ballast network, and connects", async function () {
    await page.getByRole("button", { name: "Connect Ballast Test Wallet" }).click();
    await page.locator("#network-prompt").waitFor({ state: "visible" });
    expect(await page.locator("#network-prompt-text").textContent()).to.contain("chain 1.");
    await page.getByRole("button", { name: "Switch to the Ballast network" }).click();
    await page.locator("#network-prompt").waitFor({ state: "hidden" });
    expect(await page.locator("#wallet-status").textContent()).to.contain(account);
  });

  it("gets test USDC from the local faucet", async function () {
    await page.getByRole("button", { name: "Get 10,000 test USDC" }).click();
    await page.locator('#faucet-status[data-state="confirmed"]').waitFor();
    await page.locator("#wallet-usdc", { hasText: "10,000.00 USDC" }).waitFor();
  });

  it("shows every product's parameters, fees, limits, leverage and NAV as the contracts have them", async function () {
    await expectPageAgreesWithChain();
    console.log(`      (${present().length} products compared: ${present().join(", ")})`);
  });

  it("mints BTC3L with a permit in one transaction: busy while it runs, confirmed only after the mint, then the form clears", async function () {
    await page.locator("#product").selectOption("BTC3L");
    // The permit is the default: a signature, then one transaction (mintWithPermit); approve takes two transactions.
    expect(await page.locator('input[name="auth"][value="permit"]').isChecked()).to.equal(true);
    await page.locator("#mint-amount").fill("1000");
    await page.locator("#mint-preview", { hasText: "You get about" }).waitFor();
    const sends = async (): Promise<number> => (await walletLog()).filter((m) => m === "eth_sendTransaction").length;
    const signs = async (): Promise<number> => (await walletLog()).filter((m) => m === "eth_signTypedData_v4").length;
    const sentBefore = await sends();
    const signedBefore = await signs();
    const nonceBefore = await collateral().nonces(account);
    await page.evaluate("globalThis.__testWalletHold = true");
    await page.getByRole("button", { name: "Mint", exact: true }).click();

    // Busy: both buttons disabled, the mint button says so; a second submit does nothing.
    await page.locator("#mint-submit[disabled]", { hasText: "Minting…" }).waitFor();
    await page.locator('#mint-form[data-busy="true"]').waitFor();
    expect(await page.locator("#redeem-submit").isDisabled()).to.equal(true);
    await page.waitForFunction("globalThis.__testWalletHeld === 1"); // the mint with its permit, signed and held
    await page.evaluate('document.getElementById("mint-form").requestSubmit()');
    expect(await page.locator("#mint-status").textContent()).to.contain("Permit signed");
    expect(await signs()).to.equal(signedBefore + 1);
    expect(await sends()).to.equal(sentBefore + 1);

    // Still pending (not "confirmed") until the mint is mined.
    expect(await page.locator("#mint-status").getAttribute("data-state")).to.equal("pending");
    expect(await page.locator("#mint-submit").isDisabled()).to.equal(true);
    await page.evaluate("globalThis.__testWalletHold = false; globalThis.__testWalletRelease()");
    await page
      .locator('#mint-status[data-state="confirmed"]', { hasText: "You received" })
      .waitFor({ timeout: 30_000 });
    // One signature and one transaction in all: no separate permit or approve transaction; the mint used the permit.
    expect(await signs()).to.equal(signedBefore + 1);
    expect(await sends()).to.equal(sentBefore + 1);
    expect(await collateral().nonces(account)).to.equal(nonceBefore + 1n);

    // Done: the buttons are back and the form is empty (no accidental second mint).
    await page.locator("#mint-submit:not([disabled])", { hasText: /^Mint$/ }).waitFor();
    expect(await page.locator("#mint-amount").inputValue()).to.equal("");
    expect(await page.locator("#mint-preview").textContent()).to.equal("Enter how much USDC to pay.");
    expect(await page.locator("#redeem-submit").isDisabled()).to.equal(false);

    const shares = await token("BTC3L").balanceOf(account);
    expect(shares > 0n).to.equal(true);
    await row("BTC3L")
      .locator(".balance", { hasText: `${formatAmount(shares, 18, 4)} BTC3L` })
      .waitFor();
    const nav = toNumber((await row("BTC3L").locator(".nav").textContent()) ?? "");
    expect(nav).to.be.within(0.99, 1.0);
    const value = toNumber((await row("BTC3L").locator(".value").textContent()) ?? "");
    expect(value).to.be.within(990, 1000);
    expect(await row("BTC3L").textContent()).to.contain("3.00×");

    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator("#mint-form").screenshot({ path: path.join(SCREENSHOTS, "mint-confirmed.png") });
    await page.locator("#products").screenshot({ path: path.join(SCREENSHOTS, "products.png") });
    await page.locator("#about-BTC3L summary").click();
    await page.locator("#about-BTC3L .since").waitFor();
    expect(await page.locator("#about-BTC3L").textContent()).to.contain("Decay paid since launch");
  });

  it("still agrees with the chain for every product with a position open", async function () {
    await expectPageAgreesWithChain();
  });

  it("refuses, before signing anything, a mint that would fail or mint nothing", async function () {
    // The permit option stays chosen: a refused mint must not even ask for a signature.
    const mint =
      (amount: string, min = "") =>
      async () => {
        await page.locator("#mint-min-out").fill(min);
        await page.locator("#mint-amount").fill(amount);
        await page.getByRole("button", { name: "Mint", exact: true }).click();
      };
    const status = "#mint-status";
    await page.locator(".advanced summary").click();
    await expectRefused(
      status,
      "0.000001 USDC is too small to mint any BTC3L: the preview gives 0 tokens.",
      mint("0.000001"),
    );
    expect(await page.locator("#mint-preview").textContent()).to.contain("too small to mint any BTC3L");
    await expectRefused(status, "USDC has 6 decimals: enter at most 6 digits after the point.", mint("1.0000001"));
    await expectRefused(status, "Enter a plain decimal number", mint("1e3"));
    await expectRefused(status, "Enter an amount of USDC above zero.", mint("0"));
    await expectRefused(
      status,
      "That is more than BTC3L can take: a mint may leave it with at most $100,000,000 of equity",
      mint("100000000000000"),
    );
    const usdcHeld = await connectCollateral(deployed("USDC"), provider).balanceOf(account);
    await expectRefused(
      status,
      `You have ${formatAmount(usdcHeld, 6, 2)} USDC, less than 20,000.00 USDC.`,
      mint("20000"),
    );
    const preview = await token("BTC3L").previewMint(100_000_000n);
    await expectRefused(
      status,
      `Your minimum of 1,000,000,000.0000 BTC3L is above what the preview gives (${formatAmount(preview, 18, 4)} BTC3L), so the mint would fail.`,
      mint("100", "1000000000"),
    );
    expect(await page.locator("#mint-status").textContent()).not.to.contain("price moved");
    await expectRefused(status, "Minimum tokens out: BTC3L has 18 decimals", mint("100", "1.0000000000000000001"));
    await page.locator("#mint-min-out").fill("");
    await page.locator("#mint-amount").fill("");
  });

  it("refuses, before sending, a redeem above the balance or one that would pay nothing", async function () {
    const held = await token("BTC3L").balanceOf(account);
    const redeem = (amount: string) => async () => {
      await page.locator("#redeem-amount").fill(amount);
      await page.getByRole("button", { name: "Redeem", exact: true }).click();
    };
    const status = "#redeem-status";
    const heldText = formatAmount(held, 18, 18).replace(/\.?0+$/, "");
    await expectRefused(status, `You hold only ${heldText} BTC3L: enter at most that.`, redeem("1000000"));
    expect(await page.locator("#redeem-preview").textContent()).to.contain(`You hold only ${heldText} BTC3L`);
    expect(await token("BTC3L").previewRedeem(1n)).to.equal(0n);
    await expectRefused(
      status,
      "Redeeming 0.000000000000000001 BTC3L would pay 0.00 USDC (too small): nothing to send.",
      redeem("0.000000000000000001"),
    );
    await expectRefused(status, "BTC3L has 18 decimals", redeem("0.0000000000000000001"));
    await expectRefused(status, "Enter a plain decimal number", redeem("1e3"));
    await page.locator("#redeem-amount").fill("");
  });

  it("follows price moves and a keeper's rebalance, block by block, and shows the decay paid", async function () {
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    const feed = MockV3Aggregator__factory.connect(deployed("BTCUSDFeed"), await provider.getSigner(accounts[0]));
    const rebalancer = connectRebalancer(deployed("Rebalancer"), await provider.getSigner(accounts[1]));
    const btc3l = deployed("BTC3L");

    // −12%: a 3x long drifts to 3·0.88/0.64 = 4.13x, above its 3.8x band top; the rebalance goes back to target, 3.00x
    // (methodology v2: a long has no inner band).
    await (await feed.updateAnswer(52_800n * 10n ** 8n)).wait();
    await row("BTC3L").getByText("$52,800.00").waitFor();
    await row("BTC3L").getByText("Rebalance to 3.00×: outside the band").waitFor();
    expect(await row("BTC3L").textContent()).to.match(/4\.1\d×/);
    await (await rebalancer.rebalance(btc3l)).wait();
    await row("BTC3L").getByText("None: inside the band").waitFor();
    // Then −8.33% to 66,000: 10% above launch, but NAV is below what a one-off 3x bet would be worth.
    await (await feed.updateAnswer(66_000n * 10n ** 8n)).wait();
    await row("BTC3L").getByText("$66,000.00").waitFor();

    const about = page.locator("#about-BTC3L");
    await about.getByText("Rebalances so far").waitFor();
    await about.locator("dd", { hasText: "+10.00%" }).waitFor();
    const text = (await about.textContent()) ?? "";
    expect(text).to.contain("$60,000.00 → $66,000.00 (+10.00%)");
    expect(text).to.contain("would be at $1.3000");
    const decay = (await about.locator("dd.decay").textContent()) ?? "";
    expect(decay).to.match(/^−\d+\.\d\d%/);
    // The exit guarantee names the token's own outage delay (OUTAGE_WIND_DOWN_DELAY: 259,200 s = 3 days).
    const delayDays = (await token("BTC3L").OUTAGE_WIND_DOWN_DELAY()) / 86_400n;
    expect(await about.locator("li.exit-guarantee").textContent()).to.contain(
      `anyone may after ${delayDays} days of silence`,
    );
    await about.screenshot({ path: path.join(SCREENSHOTS, "about-btc3l.png") });
    await expectPageAgreesWithChain();
  });

  it("redeems all BTC3L and sees the USDC back", async function () {
    const usdc = connectCollateral(deployed("USDC"), provider);
    const before = await usdc.balanceOf(account);
    const shares = await token("BTC3L").balanceOf(account);
    const preview = await token("BTC3L").previewRedeem(shares);
    await page.getByRole("button", { name: "All" }).click();
    await page.locator("#redeem-preview", { hasText: "You get about" }).waitFor();
    await page.getByRole("button", { name: "Redeem", exact: true }).click();
    await page
      .locator('#redeem-status[data-state="confirmed"]', { hasText: "You received" })
      .waitFor({ timeout: 30_000 });
    const after = await usdc.balanceOf(account);
    const back = after - before;
    // The preview was read a few blocks earlier: the streaming fee accrued since then costs a few units.
    expect(
      back > 1_000_000_000n && back * 10_000n >= preview * 9_999n,
      `got back ${back}, preview ${preview}`,
    ).to.equal(true);
    expect(await token("BTC3L").balanceOf(account)).to.equal(0n);
    expect(await page.locator("#redeem-status").textContent()).to.contain(
      `You received ${formatAmount(back, 6, 2)} USDC`,
    );
    await row("BTC3L").locator(".balance", { hasText: "0.0000 BTC3L" }).waitFor();
    expect(await page.locator("#redeem-amount").inputValue()).to.equal("");
    await page.locator("#redeem-submit:not([disabled])", { hasText: /^Redeem$/ }).waitFor();
    await page.locator("#wallet-usdc", { hasText: `${formatAmount(after, 6, 2)} USDC` }).waitFor();
  });

  it("fits a phone-width screen without sideways scrolling", async function () {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate("window.scrollTo(0, 0)");
    const scrollWidth = (await page.evaluate("document.documentElement.scrollWidth")) as number;
    expect(scrollWidth).to.be.at.most(390);
    await page.screenshot({ path: path.join(SCREENSHOTS, "phone.png") });
    expect(pageErrors, pageErrors.join("\n")).to.deep.equal([]);
  });

  it("at phone width: agrees with the chain for every product, and refuses pointless mints and redeems unsent", async function () {
    await page.setViewportSize({ width: 390, height: 844 });
    await expectPageAgreesWithChain();
    const mint = (amount: string) => async () => {
      await page.locator("#mint-amount").fill(amount);
      await page.getByRole("button", { name: "Mint", exact: true }).click();
    };
    await expectRefused(
      "#mint-status",
      "0.000001 USDC is too small to mint any BTC3L: the preview gives 0 tokens.",
      mint("0.000001"),
    );
    await expectRefused("#mint-status", "Enter an amount of USDC above zero.", mint("0"));
    await page.locator("#mint-amount").fill("");
    const redeem = (amount: string) => async () => {
      await page.locator("#redeem-amount").fill(amount);
      await page.getByRole("button", { name: "Redeem", exact: true }).click();
    };
    await expectRefused("#redeem-status", "Enter an amount of BTC3L above zero.", redeem("0"));
    await page.locator("#redeem-amount").fill("");
    expect(pageErrors, pageErrors.join("\n")).to.deep.equal([]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
