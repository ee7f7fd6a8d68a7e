import { expect } from "chai";
import { readFileSync } from "fs";
import { join } from "path";
import hre, { deployments, ethers } from "hardhat";
import { formatUnits } from "ethers";
import { parseDemoArgs, runDemo, type DemoRun } from "../../scripts/demo";
import { runAaveDemo, type AaveDemoRun } from "../../scripts/demo-aave";
import { rayToPct, variableBorrowRate } from "../../scripts/market/aaveInfo";
import { connectRebalancer } from "../../protocol";

/** Numbers as the demo prints them: "10,597.91", "−21.78%", "3.50×", "+0.46 pts". */
const n = (s: string): number =>
  Number(
    s
      .replace(/,/g, "")
      .replace("−", "-")
      .replace(/[%×]|pts/g, ""),
  );
const NUM = "[−+]?[\\d,]+(?:\\.\\d+)?";

describe("npm run demo (scripts/demo.ts): what it prints adds up", function () {
  this.timeout(300_000);
  let run: DemoRun;
  let text: string;
  const line = (re: RegExp): RegExpMatchArray => {
    const m = text.match(re);
    expect(m, `no line matching ${re}`).to.not.equal(null);
    return m!;
  };

  before(async () => {
    run = await runDemo(() => {});
    text = run.lines.join("\n");
  });

  it("prints each product's band exactly as the Rebalancer's methodology says", async () => {
    const [signer] = await ethers.getSigners();
    const rebalancer = connectRebalancer((await deployments.get("Rebalancer")).address, signer);
    for (const symbol of ["BTC3L", "BTC3S"]) {
      const m = await rebalancer.methodology((await deployments.get(symbol)).address);
      const wad = (x: bigint) => Number(formatUnits(x, 18)).toFixed(2);
      const b = line(new RegExp(`  ${symbol}: band (${NUM})×–(${NUM})×, target (${NUM})×, ripcord (${NUM})×`));
      expect(b.slice(1, 5)).to.deep.equal([
        wad(m.minLeverage),
        wad(m.maxLeverage),
        wad(m.targetLeverage),
        wad(m.ripcordLeverage),
      ]);
    }
  });

  it("every keeper action row shows leverage that had left the printed band, and no other row does", () => {
    const bands = new Map(
      ["BTC3L", "BTC3S"].map((s) => {
        const b = line(
          new RegExp(`  ${s}: band (${NUM})×–(${NUM})×, target (${NUM})×, .*; inner band (?:none|(${NUM})×–(${NUM})×)`),
        );
        // No inner band: a rebalance trades back to the target.
        const inner = (i: number) => (b[i] === undefined ? n(b[3]) : n(b[i]));
        return [s, { min: n(b[1]), max: n(b[2]), target: n(b[3]), innerMin: inner(4), innerMax: inner(5) }];
      }),
    );
    const rows = run.lines.filter((l) => /^\s+\d+\s+[\d,]+\.\d\d/.test(l));
    expect(rows.length).to.equal(36);
    let actions = 0;
    for (const r of rows) {
      // step, price, [move], then per product: NAV, leverage (before→after or after), keeper
      const cells = r.trim().split(/\s{2,}/);
      const perProduct = cells.slice(cells.length - 6);
      ["BTC3L", "BTC3S"].forEach((s, k) => {
        const [, levCell, keeperCell] = perProduct.slice(3 * k, 3 * k + 3);
        const band = bands.get(s)!;
        if (keeperCell === "-") {
          const l = n(levCell);
          expect(l, `${s} row ${cells[0]}`).to.be.within(band.min, band.max);
        } else {
          actions++;
          const [before, after] = levCell.split("→").map(n);
          // Printed to 2 decimals: a breach can print as the edge itself.
          expect(before <= band.min || before >= band.max, `${s} row ${cells[0]}: ${r}`).to.equal(true);
          // A band rebalance stops at the nearer edge of the inner band (methodology v2).
          expect(after).to.be.closeTo(before > band.target ? band.innerMax : band.innerMin, 0.011);
          expect(keeperCell).to.equal(
            before > band.target ? `REBALANCE >${band.max.toFixed(2)}` : `REBALANCE <${band.min.toFixed(2)}`,
          );
        }
      });
    }
    expect(actions).to.equal(1); // BTC3L re-levered down once, at 3.80× (to target); BTC3S never left 0.30×–3.80×
  });

  it("the path's footer: each leg and the overall move are the printed prices' ratios, and multiply", () => {
    const d = line(new RegExp(`down leg (${NUM}) / (${NUM}) USD = (${NUM})   \\(0\\.99\\^15 = (${NUM})\\)`));
    expect(n(d[1]) / n(d[2])).to.be.closeTo(n(d[3]), 1e-5);
    expect(n(d[4])).to.be.closeTo(0.99 ** 15, 1e-5);
    expect(n(d[3])).to.be.closeTo(n(d[4]), 1e-4); // the feed's 8-decimal rounding only
    const u = line(new RegExp(`up leg   (${NUM}) / (${NUM}) USD = (${NUM})   \\(1\\.01\\^20 = (${NUM})\\)`));
    expect(n(u[1]) / n(u[2])).to.be.closeTo(n(u[3]), 1e-5);
    expect(n(u[4])).to.be.closeTo(1.01 ** 20, 1e-5);
    const o = line(
      new RegExp(`overall  (${NUM}) / (${NUM}) USD = (${NUM}) × (${NUM}) = (${NUM}): BTC moved (${NUM})%, not`),
    );
    expect(n(o[3])).to.equal(n(d[3]));
    expect(n(o[4])).to.equal(n(u[3]));
    expect(n(o[3]) * n(o[4])).to.be.closeTo(n(o[5]), 1e-5);
    expect(n(o[1]) / n(o[2])).to.be.closeTo(n(o[5]), 1e-5);
    expect((n(o[5]) - 1) * 100).to.be.closeTo(n(o[6]), 0.006);
    expect(run.move).to.be.closeTo(0.99 ** 15 * 1.01 ** 20 - 1, 1e-6);
  });

  for (const [symbol, holder, L] of [
    ["BTC3L", "alice", 3],
    ["BTC3S", "bob", -3],
  ] as const) {
    it(`${symbol}: the explanation's steps are the printed numbers' arithmetic and add up to what ${holder} got`, () => {
      const start = run.lines.findIndex((l) => l.startsWith(`${symbol} (3× `));
      expect(start).to.be.greaterThan(0);
      const block = run.lines.slice(start, start + 12).join("\n");
      const get = (re: RegExp) => {
        const m = block.match(re);
        expect(m, `${symbol}: no line matching ${re}`).to.not.equal(null);
        return m!;
      };
      const moved = n(line(new RegExp(`BTC moved (${NUM})%`))[1]);
      // The redeem table and the headline agree.
      const t = line(new RegExp(`${holder}\\s+${symbol}\\s+(${NUM})\\s+(${NUM})\\s+(${NUM})%`));
      const paid = n(t[1]);
      const got = n(t[2]);
      expect((got / paid - 1) * 100).to.be.closeTo(n(t[3]), 0.006);
      const h = get(new RegExp(`= (${NUM})%; ${L > 0 ? "" : "−"}3 × the move would be .* × (${NUM})% = (${NUM})%`));
      expect(n(h[1])).to.equal(n(t[3]));
      expect(n(h[2])).to.equal(moved);
      expect(L * moved).to.be.closeTo(n(h[3]), 0.011);
      // 1. constant leverage: (1 + L × −1%)^15 × (1 + L × 1%)^20.
      const c = get(
        new RegExp(`\\^15 × (${NUM})\\^20 = (${NUM}) × (${NUM}) = (${NUM}) → (${NUM})%\\n\\s+(${NUM}) pts: path`),
      );
      expect(n(c[1])).to.be.closeTo(1 + L * 0.01, 1e-9);
      expect(n(c[2])).to.be.closeTo((1 - L * 0.01) ** 15, 1e-5);
      expect(n(c[3])).to.be.closeTo((1 + L * 0.01) ** 20, 1e-5);
      expect(n(c[2]) * n(c[3])).to.be.closeTo(n(c[4]), 2e-5); // the run's own steps carry the feed's rounding
      expect((n(c[4]) - 1) * 100).to.be.closeTo(n(c[5]), 0.006);
      expect(n(c[5]) - n(h[3])).to.be.closeTo(n(c[6]), 0.011);
      expect(n(c[6])).to.be.below(0); // volatility decay costs the holder
      // 2. the leverage it had: band drift.
      const a = get(new RegExp(`\\) = (${NUM}) → (${NUM})%\\n\\s+(${NUM}) pts: band drift`));
      expect((n(a[1]) - 1) * 100).to.be.closeTo(n(a[2]), 0.006);
      expect(n(a[2]) - n(c[5])).to.be.closeTo(n(a[3]), 0.011);
      // 3. NAV per share, and the costs in USDC add up.
      const v = get(new RegExp(`NAV per share (${NUM}) → (${NUM}) USDC = (${NUM}) → (${NUM})%\\n\\s+(${NUM}) pts`));
      expect(n(v[2]) / n(v[1])).to.be.closeTo(n(v[3]), 2e-4); // NAVs are printed truncated to 4 decimals
      expect(n(v[4]) - n(a[2])).to.be.closeTo(n(v[5]), 0.011);
      const k = get(
        new RegExp(
          `cost (${NUM}) USDC of (${NUM}) USDC: keeper bounties (${NUM}) USDC, trades \\(taker fee, price impact\\) (${NUM}) USDC, streaming fee (${NUM}) USDC, funding (${NUM}) USDC`,
        ),
      );
      expect(n(k[3]) + n(k[4]) + n(k[5]) + n(k[6])).to.be.closeTo(n(k[1]), 0.021);
      expect((n(k[1]) / n(k[2])) * 100).to.be.closeTo(-n(v[5]), 0.011);
      expect(n(k[3])).to.be.at.least(0); // bounties, when the keeper acted
      // 4. what the holder got, and the mint/redeem edges.
      const g = get(new RegExp(`got back / paid = (${NUM}) / (${NUM}) = (${NUM}) → (${NUM})%\\n\\s+(${NUM}) pts`));
      expect(n(g[1])).to.equal(got);
      expect(n(g[2])).to.equal(paid);
      expect(n(g[4])).to.equal(n(t[3]));
      expect(n(g[4]) - n(v[4])).to.be.closeTo(n(g[5]), 0.011);
      const mnt = get(
        new RegExp(
          `turned (${NUM}) USDC into (${NUM}) USDC of NAV \\(mint fee (${NUM}) USDC, opening trade (${NUM}) USDC\\)`,
        ),
      );
      expect(n(mnt[1]) - n(mnt[3]) - n(mnt[4])).to.be.closeTo(n(mnt[2]), 0.011);
      expect(n(mnt[3])).to.be.closeTo(paid * 0.001, 0.011); // the deployed mint fee, 0.10%
      const red = get(
        new RegExp(
          `redeem (${NUM}) USDC of NAV into (${NUM}) USDC \\(redeem fee (${NUM}) USDC, closing trade (${NUM}) USDC\\)`,
        ),
      );
      expect(n(red[1]) - n(red[3]) - n(red[4])).to.be.closeTo(n(red[2]), 0.011);
      // Sum: the steps telescope from L × the move to the result.
      const s = get(new RegExp(`Sum: (${NUM})% (${NUM}) pts (${NUM}) pts (${NUM}) pts (${NUM}) pts = (${NUM})%`));
      const terms = s.slice(1, 6).map(n);
      expect(terms).to.deep.equal([n(h[3]), n(c[6]), n(a[3]), n(v[5]), n(g[5])]);
      expect(terms.reduce((x, y) => x + y, 0)).to.be.closeTo(n(s[6]), 0.03);
      expect(n(s[6])).to.equal(n(t[3]));
    });
  }

  it("the footer explains the short's result from the run: volatility decay, and the band drift it measured", () => {
    const bob = run.holders.find((h) => h.symbol === "BTC3S")!;
    expect(bob.constant - bob.naive).to.be.below(0); // volatility decay
    expect(text).to.match(
      /mean was \d\.\d\d× over the 20 steps against the short and \d\.\d\d× over the 15 in its favour/,
    );
  });

  it("README's excerpt of the demo is what it prints", () => {
    const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## What the demo shows"));
    const excerpt = section.slice(section.indexOf("```\n") + 4, section.indexOf("\n```", section.indexOf("```\n") + 4));
    const shown = excerpt.split("\n").filter((l) => l.trim() !== "" && l.trim() !== "…");
    expect(shown.length).to.be.greaterThan(20);
    for (const l of shown) expect(run.lines, l).to.include(l);
    expect(section).to.match(/down 14\.0%/);
    expect((0.99 ** 15 - 1) * 100).to.be.closeTo(-14.0, 0.05);
    expect((1.01 ** 20 - 1) * 100).to.be.closeTo(22.0, 0.05);
  });
});

describe("npm run demo -- --venue aave (scripts/demo-aave.ts): the same story on the Aave products", function () {
  this.timeout(300_000);
  let run: AaveDemoRun;
  let text: string;
  const line = (re: RegExp): RegExpMatchArray => {
    const m = text.match(re);
    expect(m, `no line matching ${re}`).to.not.equal(null);
    return m!;
  };

  before(async () => {
    run = await runAaveDemo(() => {});
    text = run.lines.join("\n");
  });

  it("--venue selects the demo; no argument keeps the perp demo", () => {
    expect(parseDemoArgs([])).to.deep.equal({ venue: "perp" });
    expect(parseDemoArgs(["--venue", "aave"])).to.deep.equal({ venue: "aave" });
    expect(parseDemoArgs(["--venue=perp"])).to.deep.equal({ venue: "perp" });
    expect(() => parseDemoArgs(["--venue", "dydx"])).to.throw(/perp or aave/);
    expect(() => parseDemoArgs(["aave"])).to.throw(/unexpected argument/);
  });

  it("prints each product's band as the Rebalancer's methodology says, and the borrow rates Aave reports", async () => {
    const [signer] = await ethers.getSigners();
    const rebalancer = connectRebalancer((await deployments.get("Rebalancer")).address, signer);
    for (const symbol of ["AaveETH2L", "AaveETH2S"]) {
      const m = await rebalancer.methodology((await deployments.get(symbol)).address);
      const wad = (x: bigint) => Number(formatUnits(x, 18)).toFixed(2);
      const b = line(new RegExp(`  ${symbol}: band (${NUM})×–(${NUM})×, target (${NUM})×, ripcord (${NUM})×`));
      expect(b.slice(1, 5)).to.deep.equal([
        wad(m.minLeverage),
        wad(m.maxLeverage),
        wad(m.targetLeverage),
        wad(m.ripcordLeverage),
      ]);
    }
    // The end rates are read after the run, on this chain: they are what the demo printed last.
    const usdcRate = rayToPct(await variableBorrowRate(hre, (await deployments.get("USDC")).address));
    const wethRate = rayToPct(await variableBorrowRate(hre, (await deployments.get("WETH")).address));
    const end = line(/Borrow rates at the end: USDC ([\d.]+)% a year, WETH ([\d.]+)% a year/);
    expect(Number(end[1])).to.equal(Number(usdcRate.toFixed(4)));
    expect(Number(end[2])).to.equal(Number(wethRate.toFixed(4)));
    expect(run.rates.usdc[1]).to.equal(usdcRate);
    expect(rayToPct(10n ** 25n * 356n)).to.equal(356); // ray → % a year
  });

  it("keeper rows left the band, other rows are inside it; the health factor is Aave's for the printed leverage", () => {
    const rows = run.lines.filter((l) => /^\s+\d+\s+[\d,]+\.\d\d/.test(l));
    expect(rows.length).to.equal(36);
    const lt = { AaveETH2L: 0.825, AaveETH2S: 0.79 };
    let actions = 0;
    for (const r of rows) {
      const cells = r.trim().split(/\s{2,}/);
      const perProduct = cells.slice(cells.length - 8);
      (["AaveETH2L", "AaveETH2S"] as const).forEach((s, k) => {
        const [, levCell, hfCell, keeperCell] = perProduct.slice(4 * k, 4 * k + 4);
        const after = n(levCell.split("→").pop()!);
        // Long: HF = LT(WETH)·ℓ/(ℓ − 1); short: HF = LT(USDC)·(1 + 1/ℓ) (config/aaveProducts.ts).
        const hf = s === "AaveETH2L" ? (lt[s] * after) / (after - 1) : lt[s] * (1 + 1 / after);
        expect(n(hfCell), `${s} row ${cells[0]}`).to.be.closeTo(hf, 0.01);
        if (keeperCell === "-") expect(after, `${s} row ${cells[0]}`).to.be.within(1.75, 2.25);
        else {
          actions++;
          const before = n(levCell.split("→")[0]);
          expect(before < 1.75 || before > 2.25, r).to.equal(true);
          expect(after).to.be.closeTo(2, 0.01);
        }
      });
    }
    expect(actions).to.be.greaterThan(3);
  });

  it("each holder's explanation adds up to what the holder got", () => {
    for (const h of run.holders) {
      const t = line(new RegExp(`\\s+${h.symbol}\\s+(${NUM})\\s+(${NUM})\\s+(${NUM})%`));
      expect(n(t[2])).to.be.closeTo(h.got, 0.011); // printed truncated to cents
      expect((h.got / h.paid - 1) * 100).to.be.closeTo(n(t[3]), 0.006);
      const start = run.lines.findIndex((l) => l.startsWith(`${h.symbol} (2× `));
      const block = run.lines.slice(start, start + 7).join("\n");
      const k = block.match(
        new RegExp(
          `cost (${NUM}) USDC of (${NUM}) USDC: keeper bounties (${NUM}) USDC, swaps \\(pool fee, price impact\\) (${NUM}) USDC, streaming fee (${NUM}) USDC, the rest \\([^)]*\\) (${NUM}) USDC`,
        ),
      );
      expect(k, block).to.not.equal(null);
      expect(n(k![3]) + n(k![4]) + n(k![5]) + n(k![6])).to.be.closeTo(n(k![1]), 0.021);
      expect(n(k![3])).to.be.greaterThan(0); // the keeper was paid
      expect(n(k![4])).to.be.greaterThan(0); // the pool's fee
      expect(block).to.match(/Aave: lowest health factor \d\.\d{3} \(liquidation at 1/);
      expect(Math.min(...h.healthFactors)).to.be.greaterThan(1);
    }
  });
});
