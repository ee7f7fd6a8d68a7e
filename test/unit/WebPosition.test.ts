/**
 * The web page's position arithmetic (web/src/position.ts) and risk states (web/src/bands.ts): cost basis by the
 * average-cost method, PnL against the redeem preview, fee text that never hides a non-zero fee, leverage against
 * the band and the ripcord, the feed's age, short hashes. Pure logic, no browser.
 */
import { expect } from "chai";
import { ageText, feedAge, leverageState, shorten } from "../../web/src/bands";
import { costBasis, feeAmount, pnl, signedUsdc, type HolderEvent } from "../../web/src/position";

const WAD = 10n ** 18n;
const USDC = 1_000_000n;
let n = 0;
const ev = (kind: "mint" | "redeem", collateral: bigint, shares: bigint, fee = 0n, block = ++n): HolderEvent => ({
  kind,
  blockNumber: block,
  logIndex: 0,
  txHash: `0x${block.toString(16).padStart(64, "0")}`,
  time: null,
  collateral,
  shares,
  fee,
});

describe("web position logic (cost basis, PnL, fees)", function () {
  it("one mint: the cost is what it paid, fee included; PnL is the redeem preview minus it", function () {
    const b = costBasis([ev("mint", 1000n * USDC, 999n * WAD, 1n * USDC)]);
    expect(b).to.deep.include({ paidIn: 1000n * USDC, paidOut: 0n, openCost: 1000n * USDC, realizedPnl: 0n });
    expect(b.fees).to.equal(1n * USDC);
    expect(b.sharesFromEvents).to.equal(999n * WAD);
    const x = pnl(b, 1100n * USDC);
    expect(x.unrealized).to.equal(100n * USDC);
    expect(x.unrealizedFractionWad).to.equal(WAD / 10n); // +10%
    expect(x.total).to.equal(100n * USDC);
    expect(x.totalFractionWad).to.equal(WAD / 10n);
  });

  it("a partial redeem takes its pro-rata part of the cost off (average cost) and realises the rest", function () {
    // Two mints: 1,000 USDC for 1,000 tokens, 1,200 USDC for 1,000 tokens → 2,200 USDC for 2,000 (1.10 each).
    // Redeem 500 tokens for 700 USDC: cost off 2,200 × 500/2,000 = 550, realised +150; open cost 1,650.
    const events = [
      ev("mint", 1000n * USDC, 1000n * WAD),
      ev("mint", 1200n * USDC, 1000n * WAD),
      ev("redeem", 700n * USDC, 500n * WAD, 1n * USDC),
    ];
    const b = costBasis(events);
    expect(b.openCost).to.equal(1650n * USDC);
    expect(b.realizedPnl).to.equal(150n * USDC);
    expect(b.sharesFromEvents).to.equal(1500n * WAD);
    const x = pnl(b, 1500n * USDC);
    expect(x.unrealized).to.equal(-150n * USDC);
    // total = paid out + value − paid in = 700 + 1,500 − 2,200 = 0
    expect(x.total).to.equal(0n);
    expect(x.total).to.equal(b.paidOut + x.redeemValue - b.paidIn);
  });

  it("a full redeem leaves no cost; the order of the events is the chain's, not the list's", function () {
    const mint = ev("mint", 1000n * USDC, 1000n * WAD);
    const redeem = ev("redeem", 900n * USDC, 1000n * WAD);
    const b = costBasis([redeem, mint]);
    expect(b.openCost).to.equal(0n);
    expect(b.realizedPnl).to.equal(-100n * USDC);
    const x = pnl(b, 0n);
    expect(x.unrealizedFractionWad).to.equal(null);
    expect(x.total).to.equal(-100n * USDC);
    expect(x.totalFractionWad).to.equal(-WAD / 10n);
  });

  it("tokens redeemed beyond what the events minted (received by transfer) have no cost", function () {
    const b = costBasis([ev("mint", 100n * USDC, 100n * WAD), ev("redeem", 300n * USDC, 300n * WAD)]);
    expect(b.openCost).to.equal(0n);
    expect(b.realizedPnl).to.equal(200n * USDC);
    expect(b.sharesFromEvents).to.equal(0n);
  });

  it("rounds the pro-rata cost down and keeps the books exact over many partial redeems", function () {
    const events = [ev("mint", 1000n * USDC + 1n, 3n * WAD)];
    for (let i = 0; i < 3; i++) events.push(ev("redeem", 333n * USDC, 1n * WAD));
    const b = costBasis(events);
    expect(b.openCost).to.equal(0n);
    // Σ cost off = the whole cost: realised = 999 − (1,000.000001)
    expect(b.realizedPnl).to.equal(999n * USDC - (1000n * USDC + 1n));
  });

  it("shows a non-zero fee with every decimal it needs, never 0.00", function () {
    expect(feeAmount(0n)).to.equal("0.00 USDC");
    expect(feeAmount(1n)).to.equal("0.000001 USDC");
    expect(feeAmount(1000n)).to.equal("0.001 USDC");
    expect(feeAmount(999_999n)).to.equal("0.999999 USDC");
    expect(feeAmount(1_000_000n)).to.equal("1.00 USDC");
    expect(feeAmount(1_234_567n)).to.equal("1.23 USDC");
    expect(signedUsdc(-1n)).to.equal("−0.000001 USDC");
    expect(signedUsdc(12_340_000n)).to.equal("+12.34 USDC");
    expect(signedUsdc(0n)).to.equal("0.00 USDC");
  });
});

describe("web risk logic (leverage state, feed age, short hashes)", function () {
  const band = { minLeverage: (25n * WAD) / 10n, maxLeverage: (35n * WAD) / 10n, ripcordLeverage: (45n * WAD) / 10n };
  it("classifies leverage against the band and the ripcord", function () {
    expect(leverageState(3n * WAD, true, band)).to.equal("inside");
    expect(leverageState(band.minLeverage, true, band)).to.equal("inside");
    expect(leverageState(band.maxLeverage, true, band)).to.equal("inside");
    expect(leverageState((225n * WAD) / 100n, true, band)).to.equal("outside");
    expect(leverageState(4n * WAD, true, band)).to.equal("outside");
    expect(leverageState(band.ripcordLeverage, true, band)).to.equal("ripcord");
    expect(leverageState(5n * WAD, true, band)).to.equal("ripcord");
    expect(leverageState(0n, false, band)).to.equal("none");
    expect(leverageState(undefined, true, band)).to.equal("none");
  });

  it("measures the feed's age against the adapter's limit", function () {
    expect(feedAge(1000n, 1000n + 4500n, 4500n)).to.deep.equal({ ageSeconds: 4500, maxStaleness: 4500, stale: false });
    expect(feedAge(1000n, 1000n + 4501n, 4500n).stale).to.equal(true);
    expect(feedAge(2000n, 1000n, 4500n).ageSeconds).to.equal(0);
    expect(ageText(45)).to.equal("45 s");
    expect(ageText(4500)).to.equal("1 h 15 min");
    expect(ageText(605)).to.equal("10 min 5 s");
    expect(ageText(3 * 86_400 + 7200)).to.equal("3 d 2 h");
  });

  it("shortens addresses and hashes to 0x1234…abcd", function () {
    expect(shorten("0x1234567890abcdef1234567890abcdef12345678")).to.equal("0x1234…5678");
    expect(shorten("0xabc")).to.equal("0xabc");
  });
});
