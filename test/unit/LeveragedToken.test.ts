import { expect } from "chai";
import { deployments, ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { MaxUint256, Signature, type BaseContract, type ContractTransactionResponse } from "ethers";
import { deploySuite, fund, type Suite } from "../helpers/deployment";
import {
  DEAD_ADDRESS,
  DEAD_SHARES,
  TO_WAD,
  WAD,
  YEAR,
  equityNow,
  mulDivDown,
  mulDivUp,
  pinNextBlock,
  quoteMint,
  quoteRedeem,
  streamingFeeShares,
  type MintQuote,
  type RedeemQuote,
} from "../helpers/accounting";
import { advance, disableStreamingFee, fundAndMint, productContext, type ProductContext } from "../helpers/product";
import { usdc, wad } from "../../config/parameters";
import { PERMIT_TYPES } from "../../protocol";

/** Leverage readings after a first mint include the minter's own trading costs: within 0.01 of target. */
const LEVERAGE_TOLERANCE = wad("0.01");

interface Holders {
  suite: Suite;
  ctx: ProductContext;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
}

/** BTC3L with alice (10k USDC) and bob (25k USDC) holding; carol funded but not minted. */
const withHolders = deployments.createFixture(async (): Promise<Holders> => {
  const suite = await deploySuite();
  const ctx = await productContext(suite, "BTC3L");
  const [alice, bob, carol, outsider] = suite.users;
  await fundAndMint(ctx, alice, usdc(10_000));
  await fundAndMint(ctx, bob, usdc(25_000));
  await fund(suite, carol, usdc(1_000_000), ctx.address);
  return { suite, ctx, alice, bob, carol, outsider };
});

/** Same as `withHolders` with the streaming fee off, so NAV comparisons across blocks are time-independent. */
const withHoldersNoStreamingFee = deployments.createFixture(async (): Promise<Holders> => {
  const h = await withHolders();
  await disableStreamingFee(h.ctx);
  return h;
});

/** The token's fee parameters as a plain (writable) object, to pass back to setFees. */
async function currentFees(
  ctx: ProductContext,
): Promise<{ mintFeeRate: bigint; redeemFeeRate: bigint; streamingFeeRate: bigint }> {
  const f = await ctx.token.fees();
  return { mintFeeRate: f.mintFeeRate, redeemFeeRate: f.redeemFeeRate, streamingFeeRate: f.streamingFeeRate };
}

/** A call that the token must refuse, with the custom error it must give. */
interface RejectedCall {
  title: string;
  error: string;
  send: (h: Holders) => Promise<ContractTransactionResponse>;
}

/** One `it` per case: on a fresh `withHolders` set-up, the case's call reverts with the token's own `error`. */
function itRejectsArguments(cases: readonly RejectedCall[]): void {
  for (const c of cases) {
    it(c.title, async function () {
      const h = await withHolders();
      await expect(c.send(h)).to.be.revertedWithCustomError(h.ctx.token, c.error);
    });
  }
}

/** Expects `user`'s mint of 1,000 USDC (to itself) to revert with `source`'s custom error `error`. */
async function expectMintRefused(
  ctx: ProductContext,
  user: HardhatEthersSigner,
  source: BaseContract,
  error: string,
): Promise<void> {
  await expect(ctx.token.connect(user).mint(usdc(1_000), 0n, user.address)).to.be.revertedWithCustomError(
    source,
    error,
  );
}

/**
 * Turns the streaming fee off, so that with a fixed price the quote holds in any later block, and returns the supply
 * and the reference model's quote of a mint of `amount`.
 */
async function quoteMintAtFixedNav(ctx: ProductContext, amount: bigint): Promise<{ supply: bigint; q: MintQuote }> {
  await disableStreamingFee(ctx);
  const supply = await ctx.token.totalSupply();
  return { supply, q: await quoteMint(ctx, amount, await pinNextBlock()) };
}

const absDiff = (a: bigint, b: bigint): bigint => (a > b ? a - b : b - a);

/**
 * Pins the next block, quotes with the reference model what redeeming `shares` pays there, and expects `user`'s redeem
 * of them (to itself, minCollateralOut 0) in that block to pay exactly that: the payout, plus the redeem fee when
 * `user` is the treasury that receives it. Returns the quote.
 */
async function expectRedeemPays(ctx: ProductContext, user: HardhatEthersSigner, shares: bigint): Promise<RedeemQuote> {
  const q = await quoteRedeem(ctx, shares, await pinNextBlock());
  const received = user.address === ctx.suite.treasury.address ? q.gross : q.out;
  await expect(ctx.token.connect(user).redeem(shares, 0n, user.address)).to.changeTokenBalance(
    ctx.usdc,
    user,
    received,
  );
  return q;
}

/**
 * Pins the next block, reads previewRedeem(shares) there, and expects `user`'s redeem of them (to itself,
 * minCollateralOut 0) in that block to pay exactly the preview. Returns the preview.
 */
async function expectRedeemPaysPreview(
  ctx: ProductContext,
  user: HardhatEthersSigner,
  shares: bigint,
): Promise<bigint> {
  const preview = await ctx.token.previewRedeem(shares, await pinNextBlock());
  await expect(ctx.token.connect(user).redeem(shares, 0n, user.address)).to.changeTokenBalance(ctx.usdc, user, preview);
  return preview;
}

describe("LeveragedToken", function () {
  describe("#mint", function () {
    for (const symbol of ["BTC3L", "BTC3S", "ETH2L", "ETH2S"] as const) {
      it(`opens ${symbol} at its target leverage on the first mint`, async function () {
        const suite = await deploySuite();
        const ctx = await productContext(suite, symbol);
        await fundAndMint(ctx, suite.users[0], usdc(10_000));
        const [size] = await ctx.token.positionSnapshot();
        const target = await ctx.token.targetLeverage();
        expect(size > 0n).to.equal(await ctx.token.isLong());
        expect(size).to.not.equal(0n);
        expect(absDiff(await ctx.token.currentLeverage(), target)).to.be.lte(LEVERAGE_TOLERANCE);
      });
    }

    it("locks DEAD_SHARES at the dead address on the first mint", async function () {
      const suite = await deploySuite();
      const ctx = await productContext(suite, "BTC3L");
      const alice = suite.users[0];
      await fund(suite, alice, usdc(10_000), ctx.address);
      const o = await pinNextBlock();
      const q = await quoteMint(ctx, usdc(10_000), o);
      await expect(ctx.token.connect(alice).mint(usdc(10_000), 0n, alice.address)).to.changeTokenBalances(
        ctx.token,
        [DEAD_ADDRESS, alice.address],
        [DEAD_SHARES, q.shares],
      );
      expect(await ctx.token.totalSupply()).to.equal(q.shares + DEAD_SHARES);
    });

    it("prices the first mint at 1 share per USD of equity (less the dead shares)", async function () {
      const suite = await deploySuite();
      const ctx = await productContext(suite, "BTC3S");
      await fundAndMint(ctx, suite.users[0], usdc(10_000));
      const equity = await equityNow(ctx);
      expect(await ctx.token.balanceOf(suite.users[0].address)).to.equal(equity - DEAD_SHARES);
      // The minter paid the mint fee and its own opening costs: less than 10k USD of equity was created.
      expect(equity).to.be.lt(usdc(10_000) * TO_WAD);
    });

    it("keeps leverage when a later mint grows the position pro rata", async function () {
      const { ctx, carol } = await withHoldersNoStreamingFee();
      const leverageBefore = await ctx.token.currentLeverage();
      const [sizeBefore] = await ctx.token.positionSnapshot();
      const o = await pinNextBlock();
      const q = await quoteMint(ctx, usdc(500_000), o);
      await ctx.token.connect(carol).mint(usdc(500_000), 0n, carol.address);
      const [sizeAfter] = await ctx.token.positionSnapshot();
      expect(sizeAfter - sizeBefore).to.equal(q.sizeDelta);
      // Size grows by the pro-rata slice of the equity the mint adds after its own trading costs (issue 13.6):
      // less than the slice of the gross deposit ...
      expect(q.sizeDelta).to.be.lt(mulDivDown(sizeBefore, q.net * TO_WAD, q.equityBefore));
      // ... so leverage is where it was, to within 1e-6.
      expect(absDiff(await ctx.token.currentLeverage(), leverageBefore)).to.be.lte(10n ** 12n);
    });

    it("sends the mint fee, rounded up, to the treasury", async function () {
      const { suite, ctx, carol } = await withHolders();
      const amount = 1_000_000_001n; // 1000.000001 USDC: 0.1% is 1000.000001 units -> 1000001 rounded up
      const fee = 1_000_001n;
      await expect(ctx.token.connect(carol).mint(amount, 0n, carol.address)).to.changeTokenBalances(
        suite.usdc,
        [carol.address, suite.treasury.address, await ctx.venue.getAddress()],
        [-amount, fee, amount - fee],
      );
    });

    it("gives exactly the shares of the reference model, streaming fee included", async function () {
      const { suite, ctx, carol } = await withHolders();
      await advance(ctx.feed, 86_400); // a day of streaming fee is pending
      const o = await pinNextBlock();
      const q = await quoteMint(ctx, usdc(12_345), o);
      expect(q.feeShares).to.be.gt(0n);
      const supply = await ctx.token.totalSupply();
      const tx = ctx.token.connect(carol).mint(usdc(12_345), 0n, carol.address);
      await expect(tx)
        .to.emit(ctx.token, "Minted")
        .withArgs(carol.address, carol.address, usdc(12_345), q.shares, q.fee);
      await expect(tx).to.changeTokenBalances(ctx.token, [carol, suite.treasury], [q.shares, q.feeShares]);
      expect(await ctx.token.totalSupply()).to.equal(supply + q.feeShares + q.shares);
    });

    it("mints to the receiver, not the sender", async function () {
      const { ctx, carol, outsider } = await withHolders();
      const o = await pinNextBlock();
      const q = await quoteMint(ctx, usdc(1_000), o);
      await expect(ctx.token.connect(carol).mint(usdc(1_000), 0n, outsider.address)).to.changeTokenBalances(
        ctx.token,
        [carol.address, outsider.address],
        [0n, q.shares],
      );
    });

    itRejectsArguments([
      {
        title: "reverts ZeroAmount for 0 collateral",
        error: "ZeroAmount",
        send: ({ ctx, carol }) => ctx.token.connect(carol).mint(0n, 0n, carol.address),
      },
      {
        title: "reverts ZeroAddress for the zero receiver",
        error: "ZeroAddress",
        send: ({ ctx, carol }) => ctx.token.connect(carol).mint(usdc(1), 0n, ethers.ZeroAddress),
      },
    ]);

    it("reverts DepositTooSmall for 1 wei of USDC (the fee rounds up to all of it)", async function () {
      const { ctx, carol } = await withHolders();
      await expect(ctx.token.connect(carol).mint(1n, 0n, carol.address))
        .to.be.revertedWithCustomError(ctx.token, "DepositTooSmall")
        .withArgs(1n);
    });

    it("reverts DepositTooSmall for a first mint whose equity does not exceed the dead shares", async function () {
      const suite = await deploySuite();
      const ctx = await productContext(suite, "BTC3L");
      const alice = suite.users[0];
      await fund(suite, alice, usdc(1), ctx.address);
      // 1000 units = 0.001 USD: the fee (1 unit) and opening costs leave less than DEAD_SHARES (0.001 USD) of equity.
      await expect(ctx.token.connect(alice).mint(1_000n, 0n, alice.address))
        .to.be.revertedWithCustomError(ctx.token, "DepositTooSmall")
        .withArgs(1_000n);
    });

    it("reverts with the collateral's ERC20InsufficientAllowance for type(uint256).max", async function () {
      const { suite, ctx, carol } = await withHolders();
      const allowance = await suite.usdc.allowance(carol.address, ctx.address);
      await expect(ctx.token.connect(carol).mint(MaxUint256, 0n, carol.address))
        .to.be.revertedWithCustomError(suite.usdc, "ERC20InsufficientAllowance")
        .withArgs(ctx.address, allowance, MaxUint256);
    });

    it("reverts with the collateral's ERC20InsufficientBalance for type(uint256).max with an unlimited approval", async function () {
      const { suite, ctx, carol } = await withHolders();
      await suite.usdc.connect(carol).approve(ctx.address, MaxUint256);
      const balance = await suite.usdc.balanceOf(carol.address);
      await expect(ctx.token.connect(carol).mint(MaxUint256, 0n, carol.address))
        .to.be.revertedWithCustomError(suite.usdc, "ERC20InsufficientBalance")
        .withArgs(carol.address, balance, MaxUint256);
    });

    it("reverts SlippageExceeded when minSharesOut is one above the shares", async function () {
      const { ctx, carol } = await withHolders();
      const o = await pinNextBlock();
      const q = await quoteMint(ctx, usdc(5_000), o);
      await expect(ctx.token.connect(carol).mint(usdc(5_000), q.shares + 1n, carol.address))
        .to.be.revertedWithCustomError(ctx.token, "SlippageExceeded")
        .withArgs(q.shares + 1n, q.shares);
    });

    it("accepts minSharesOut equal to the shares", async function () {
      const { ctx, carol } = await withHolders();
      const o = await pinNextBlock();
      const q = await quoteMint(ctx, usdc(5_000), o);
      await expect(ctx.token.connect(carol).mint(usdc(5_000), q.shares, carol.address)).to.changeTokenBalance(
        ctx.token,
        carol,
        q.shares,
      );
    });

    it("reverts MintPaused once the guardian pauses minting", async function () {
      const { suite, ctx, carol } = await withHolders();
      await expect(ctx.token.connect(suite.guardian).setMintPaused(true))
        .to.emit(ctx.token, "MintPausedSet")
        .withArgs(true);
      await expectMintRefused(ctx, carol, ctx.token, "MintPaused");
    });

    it("mints again once the owner resumes minting", async function () {
      const { suite, ctx, carol } = await withHolders();
      await ctx.token.connect(suite.guardian).setMintPaused(true);
      await ctx.token.connect(suite.governor).setMintPaused(false);
      expect(await ctx.token.mintPaused()).to.equal(false);
      await expect(ctx.token.connect(carol).mint(usdc(1_000), 0n, carol.address)).to.emit(ctx.token, "Minted");
    });

    it("reverts OnlyGuardianOrOwner when a random user pauses minting", async function () {
      const { ctx, outsider } = await withHolders();
      await expect(ctx.token.connect(outsider).setMintPaused(true))
        .to.be.revertedWithCustomError(ctx.token, "OnlyGuardianOrOwner")
        .withArgs(outsider.address);
    });

    it("reverts EquityCapExceeded one wei of equity above the cap", async function () {
      const { suite, ctx, carol } = await withHolders();
      const { q } = await quoteMintAtFixedNav(ctx, usdc(1_000));
      await ctx.token.connect(suite.governor).setEquityCap(q.equityAfter - 1n);
      await expect(ctx.token.connect(carol).mint(usdc(1_000), 0n, carol.address))
        .to.be.revertedWithCustomError(ctx.token, "EquityCapExceeded")
        .withArgs(q.equityAfter, q.equityAfter - 1n);
    });

    it("mints exactly up to the equity cap", async function () {
      const { suite, ctx, carol } = await withHolders();
      const { q } = await quoteMintAtFixedNav(ctx, usdc(1_000));
      await ctx.token.connect(suite.governor).setEquityCap(q.equityAfter);
      await ctx.token.connect(carol).mint(usdc(1_000), 0n, carol.address);
      expect(await ctx.token.totalEquityWad()).to.equal(await ctx.token.equityCap());
    });

    it("issue 13.7: caps equity, not shares: after two -30% candles and ripcords NAV is ~0.01 and a 1M mint still fits", async function () {
      const { suite, ctx, carol } = await withHolders();
      const cap = wad(2_000_000);
      await ctx.token.connect(suite.governor).setEquityCap(cap);
      for (let i = 0; i < 2; i++) {
        const answer = await ctx.feed.latestAnswer();
        await ctx.feed.updateAnswer((answer * 70n) / 100n); // inside the envelope at 3x (liquidation ~ -32%)
        await suite.rebalancer.connect(suite.keeper).ripcord(ctx.address);
      }
      expect(await ctx.token.navPerShare()).to.be.lt(wad(0.05));
      const supply = await ctx.token.totalSupply();
      const shares = await ctx.token.connect(carol).mint.staticCall(usdc(1_000_000), 0n, carol.address);
      // 1M USDC at this NAV is tens of millions of shares: a 2M share cap would refuse it, the 2M USD cap does not.
      expect(supply + shares).to.be.gt(cap);
      await ctx.token.connect(carol).mint(usdc(1_000_000), 0n, carol.address);
      expect(await ctx.token.totalEquityWad()).to.be.lte(cap);
    });

    it("reverts VenuePaused while the venue is paused (reduce-only)", async function () {
      const { suite, ctx, carol } = await withHolders();
      await ctx.mockVenue.connect(suite.deployer).setPaused(true);
      await expectMintRefused(ctx, carol, ctx.venue, "VenuePaused");
    });

    it("still redeems while the venue is paused", async function () {
      const { suite, ctx, alice } = await withHolders();
      await ctx.mockVenue.connect(suite.deployer).setPaused(true);
      const q = await expectRedeemPays(ctx, alice, (await ctx.token.balanceOf(alice.address)) / 2n);
      expect(q.out).to.be.gt(0n);
    });
  });

  describe("#redeem", function () {
    it("pays exactly previewRedeem for a partial redeem in the same block", async function () {
      const { ctx, alice } = await withHolders();
      await advance(ctx.feed, 3_000); // streaming fee pending, so a preview at "latest" would be off
      const preview = await expectRedeemPaysPreview(ctx, alice, (await ctx.token.balanceOf(alice.address)) / 3n);
      expect(preview).to.be.gt(0n);
    });

    it("pays exactly previewRedeem for a full redeem in the same block", async function () {
      const { ctx, bob } = await withHolders();
      await advance(ctx.feed, 3_000);
      await expectRedeemPaysPreview(ctx, bob, await ctx.token.balanceOf(bob.address));
      expect(await ctx.token.balanceOf(bob.address)).to.equal(0n);
    });

    it("pays the reference model's amount and sends the fee, rounded up, to the treasury", async function () {
      const { suite, ctx, alice } = await withHolders();
      const shares = (await ctx.token.balanceOf(alice.address)) / 7n;
      const o = await pinNextBlock();
      const q = await quoteRedeem(ctx, shares, o);
      expect(q.fee).to.equal(mulDivUp(q.gross, (await ctx.token.fees()).redeemFeeRate, WAD));
      const tx = ctx.token.connect(alice).redeem(shares, 0n, alice.address);
      await expect(tx).to.changeTokenBalances(suite.usdc, [alice.address, suite.treasury.address], [q.out, q.fee]);
      await expect(tx).to.emit(ctx.token, "Redeemed").withArgs(alice.address, alice.address, shares, q.out, q.fee);
    });

    it("burns the redeemed shares and pays the receiver", async function () {
      const { suite, ctx, alice, outsider } = await withHolders();
      const shares = (await ctx.token.balanceOf(alice.address)) / 2n;
      const o = await pinNextBlock();
      const q = await quoteRedeem(ctx, shares, o);
      const tx = ctx.token.connect(alice).redeem(shares, 0n, outsider.address);
      await expect(tx).to.changeTokenBalance(ctx.token, alice, -shares);
      await expect(tx).to.changeTokenBalances(suite.usdc, [alice.address, outsider.address], [0n, q.out]);
    });

    it("leaves the remaining holders ceil(E·(S−s)/S) plus only sub-unit dust", async function () {
      const { ctx, alice } = await withHolders();
      const shares = (await ctx.token.balanceOf(alice.address)) / 3n;
      const o = await pinNextBlock();
      const q = await quoteRedeem(ctx, shares, o);
      await ctx.token.connect(alice).redeem(shares, 0n, alice.address);
      const after = await equityNow(ctx);
      expect(q.keep).to.equal(mulDivUp(q.equityBefore, q.supply - shares, q.supply));
      // Payouts leave in whole USDC units, so the remaining equity is keep + (E_after_trade − keep) mod 1e12.
      expect(after).to.equal(q.keep + ((q.equityAfter - q.keep) % TO_WAD));
      expect(after).to.be.gte(q.keep);
    });

    it("never lowers the remaining holders' NAV", async function () {
      const { ctx, alice, bob } = await withHoldersNoStreamingFee();
      for (const [who, part] of [
        [alice, 2n],
        [bob, 5n],
        [alice, 1n],
      ] as const) {
        const nav = await ctx.token.navPerShare();
        const e0 = await equityNow(ctx);
        const s0 = await ctx.token.totalSupply();
        await ctx.token.connect(who).redeem((await ctx.token.balanceOf(who.address)) / part, 0n, who.address);
        expect(await ctx.token.navPerShare()).to.be.gte(nav);
        // Exact form: E1/S1 >= E0/S0.
        expect((await equityNow(ctx)) * s0).to.be.gte(e0 * (await ctx.token.totalSupply()));
      }
    });

    it("reverts InsufficientShares above the caller's balance", async function () {
      const { ctx, alice } = await withHolders();
      const balance = await ctx.token.balanceOf(alice.address);
      await expect(ctx.token.connect(alice).redeem(balance + 1n, 0n, alice.address))
        .to.be.revertedWithCustomError(ctx.token, "InsufficientShares")
        .withArgs(balance + 1n, balance);
    });

    itRejectsArguments([
      {
        title: "reverts ZeroAmount for 0 shares",
        error: "ZeroAmount",
        send: ({ ctx, alice }) => ctx.token.connect(alice).redeem(0n, 0n, alice.address),
      },
      {
        title: "reverts ZeroAddress for the zero receiver",
        error: "ZeroAddress",
        send: ({ ctx, alice }) => ctx.token.connect(alice).redeem(1n, 0n, ethers.ZeroAddress),
      },
    ]);

    it("reverts SlippageExceeded when minCollateralOut is one above the payout", async function () {
      const { ctx, alice } = await withHolders();
      const shares = await ctx.token.balanceOf(alice.address);
      const o = await pinNextBlock();
      const q = await quoteRedeem(ctx, shares, o);
      await expect(ctx.token.connect(alice).redeem(shares, q.out + 1n, alice.address))
        .to.be.revertedWithCustomError(ctx.token, "SlippageExceeded")
        .withArgs(q.out + 1n, q.out);
    });

    it("accepts minCollateralOut equal to the payout", async function () {
      const { suite, ctx, alice } = await withHolders();
      const shares = await ctx.token.balanceOf(alice.address);
      const o = await pinNextBlock();
      const q = await quoteRedeem(ctx, shares, o);
      await expect(ctx.token.connect(alice).redeem(shares, q.out, alice.address)).to.changeTokenBalance(
        suite.usdc,
        alice,
        q.out,
      );
    });

    // A single gap that takes the position above the venue's maximum leverage (1 / initial margin = 20x) without
    // reaching maintenance margin (100x), e.g. BTC −30% at 3x -> ~21.5x, must not block redeem: the venue lets a
    // pro-rata exit withdraw as long as the account's leverage does not rise (docs/mechanism.md, the mock venue's
    // withdrawal rule), so the redeem pays exactly its preview. Redeem is never paused.
    it("still redeems between the venue's max leverage and maintenance margin", async function () {
      const { ctx, alice } = await withHolders();
      await ctx.feed.updateAnswer(((await ctx.feed.latestAnswer()) * 70n) / 100n);
      expect(await ctx.token.currentLeverage()).to.be.gt(await ctx.venue.maxLeverage());
      expect(await ctx.venue.isLiquidatable(ctx.address)).to.equal(false);
      const preview = await expectRedeemPaysPreview(ctx, alice, await ctx.token.balanceOf(alice.address));
      expect(preview).to.be.gt(0n);
    });

    it("still works while mint is paused", async function () {
      const { suite, ctx, alice } = await withHolders();
      await ctx.token.connect(suite.guardian).setMintPaused(true);
      const q = await expectRedeemPays(ctx, alice, await ctx.token.balanceOf(alice.address));
      expect(q.out).to.be.gt(0n);
    });
  });

  describe("accounting", function () {
    it("a second minter never lowers the first holder's NAV", async function () {
      const { ctx, alice, carol } = await withHoldersNoStreamingFee();
      for (const amount of [usdc(1), usdc("1234.567891"), usdc(300_000)]) {
        const nav = await ctx.token.navPerShare();
        const e0 = await equityNow(ctx);
        const s0 = await ctx.token.totalSupply();
        const valueBefore = mulDivDown(await ctx.token.balanceOf(alice.address), e0, s0);
        await ctx.token.connect(carol).mint(amount, 0n, carol.address);
        const e1 = await equityNow(ctx);
        const s1 = await ctx.token.totalSupply();
        expect(await ctx.token.navPerShare()).to.be.gte(nav);
        expect(e1 * s0).to.be.gte(e0 * s1);
        expect(mulDivDown(await ctx.token.balanceOf(alice.address), e1, s1)).to.be.gte(valueBefore);
      }
    });

    it("never lets a mint followed by a redeem at the same price profit", async function () {
      const { suite, ctx, carol } = await withHolders();
      for (const amount of [usdc("1.000001"), usdc(777), usdc(250_000)]) {
        const usdcBefore = await suite.usdc.balanceOf(carol.address);
        await ctx.token.connect(carol).mint(amount, 0n, carol.address);
        await ctx.token.connect(carol).redeem(await ctx.token.balanceOf(carol.address), 0n, carol.address);
        const got = (await suite.usdc.balanceOf(carol.address)) - usdcBefore + amount;
        expect(got).to.be.lt(amount);
        expect(got).to.be.gt(0n);
      }
    });

    it("never gives a minter more equity than it brought", async function () {
      const { ctx, carol } = await withHolders();
      const o = await pinNextBlock();
      const q = await quoteMint(ctx, usdc(100_000), o);
      await ctx.token.connect(carol).mint(usdc(100_000), 0n, carol.address);
      const value = mulDivDown(
        await ctx.token.balanceOf(carol.address),
        await equityNow(ctx),
        await ctx.token.totalSupply(),
      );
      expect(value).to.be.lte(q.net * TO_WAD);
      expect(value).to.be.lte(q.equityAfter - q.equityBefore);
    });

    it("makes previewMint equal execution in the same block", async function () {
      const { ctx, carol } = await withHolders();
      await advance(ctx.feed, 1_800);
      const o = await pinNextBlock();
      const preview = await ctx.token.previewMint(usdc(4_321), o);
      const q = await quoteMint(ctx, usdc(4_321), o);
      expect(preview).to.equal(q.shares);
      await expect(ctx.token.connect(carol).mint(usdc(4_321), 0n, carol.address)).to.changeTokenBalance(
        ctx.token,
        carol,
        preview,
      );
    });

    it("makes previewRedeem equal the reference model, never above it", async function () {
      const { ctx, bob } = await withHolders();
      await advance(ctx.feed, 1_800);
      const o = await pinNextBlock();
      for (const shares of [1n, 10n ** 12n, (await ctx.token.balanceOf(bob.address)) / 3n]) {
        const q = await quoteRedeem(ctx, shares, o);
        expect(await ctx.token.previewRedeem(shares, o)).to.equal(q.out);
      }
    });

    it("previews a mint made later (more streaming fee pending) with no more value than execution gives", async function () {
      // A preview read at the latest block runs at an earlier timestamp than the transaction: more fee shares are
      // minted first at execution, so the shares come out at least as many as previewed (each worth a bit less).
      const { ctx, carol } = await withHolders();
      await advance(ctx.feed, 600);
      const preview = await ctx.token.previewMint(usdc(50_000));
      await time.increase(100);
      const before = await ctx.token.balanceOf(carol.address);
      await ctx.token.connect(carol).mint(usdc(50_000), 0n, carol.address);
      expect((await ctx.token.balanceOf(carol.address)) - before).to.be.gte(preview);
    });

    it("makes a first-depositor donation attack unprofitable and harmless to the victim", async function () {
      const suite = await deploySuite();
      const ctx = await productContext(suite, "BTC3L");
      const [attacker, victim] = suite.users;
      const attackerMint = usdc("0.002");
      const donation = usdc(100_000);
      const victimMint = usdc(1_000);
      await fund(suite, attacker, attackerMint + donation, ctx.address);
      await fund(suite, victim, victimMint, ctx.address);
      const attackerStart = await suite.usdc.balanceOf(attacker.address);

      await ctx.token.connect(attacker).mint(attackerMint, 0n, attacker.address);
      expect(await ctx.token.balanceOf(attacker.address)).to.be.gt(0n);
      await suite.usdc.connect(attacker).transfer(ctx.address, donation);

      const o = await pinNextBlock();
      const q = await quoteMint(ctx, victimMint, o);
      await ctx.token.connect(victim).mint(victimMint, 0n, victim.address);
      const victimShares = await ctx.token.balanceOf(victim.address);
      expect(victimShares).to.equal(q.shares);
      expect(victimShares).to.be.gt(0n);
      // The victim's claim falls short of the equity it added by less than one collateral unit (rounding only).
      const claim = mulDivDown(victimShares, await equityNow(ctx), await ctx.token.totalSupply());
      expect(q.equityAfter - q.equityBefore - claim).to.be.lt(TO_WAD);

      await ctx.token.connect(attacker).redeem(await ctx.token.balanceOf(attacker.address), 0n, attacker.address);
      const attackerEnd = await suite.usdc.balanceOf(attacker.address);
      expect(attackerEnd).to.be.lt(attackerStart);
      // The dead shares keep their pro-rata part of the donation: the attacker loses at least that much.
      const deadPart = mulDivDown(donation, DEAD_SHARES, q.supply);
      expect(attackerStart - attackerEnd).to.be.gte(deadPart);
    });
  });

  describe("streaming fee", function () {
    it("mints rate × time, rounded down, to the treasury as shares", async function () {
      const { suite, ctx, alice } = await withHolders();
      await advance(ctx.feed, 30 * 86_400);
      const supply = await ctx.token.totalSupply();
      const last = await ctx.token.lastFeeAccrual();
      const rate = (await ctx.token.fees()).streamingFeeRate;
      const o = await pinNextBlock();
      const expected = mulDivDown(
        supply,
        mulDivDown(rate, BigInt(o.timestamp) - last, YEAR),
        WAD - mulDivDown(rate, BigInt(o.timestamp) - last, YEAR),
      );
      expect(expected).to.be.gt(0n);
      const tx = ctx.token.connect(alice).redeem(1n, 0n, alice.address);
      await expect(tx).to.emit(ctx.token, "StreamingFeeAccrued").withArgs(expected, o.timestamp);
      await expect(tx).to.changeTokenBalance(ctx.token, suite.treasury, expected);
      expect(await ctx.token.lastFeeAccrual()).to.equal(o.timestamp);
    });

    it("never takes more than rate × time of the product", async function () {
      const { suite, ctx } = await withHolders();
      await advance(ctx.feed, 200 * 86_400);
      const supply = await ctx.token.totalSupply();
      const last = await ctx.token.lastFeeAccrual();
      const rate = (await ctx.token.fees()).streamingFeeRate;
      const treasuryBefore = await ctx.token.balanceOf(suite.treasury.address);
      const fees = await currentFees(ctx);
      const o = await pinNextBlock();
      await ctx.token.connect(suite.governor).setFees(fees);
      const feeShares = (await ctx.token.balanceOf(suite.treasury.address)) - treasuryBefore;
      // treasury's fraction of the product <= rate * elapsed / YEAR (exactly, cross-multiplied)
      const elapsed = BigInt(o.timestamp) - last;
      expect(feeShares * WAD * YEAR).to.be.lte(rate * elapsed * (supply + feeShares));
      expect(feeShares).to.equal(streamingFeeShares(supply, 1n, rate, elapsed));
    });

    it("caps the accrued fraction at 50% after years without any action", async function () {
      const { suite, ctx } = await withHolders();
      const f = await ctx.token.fees();
      await ctx.token
        .connect(suite.governor)
        .setFees({ mintFeeRate: f.mintFeeRate, redeemFeeRate: f.redeemFeeRate, streamingFeeRate: wad("0.1") });
      await advance(ctx.feed, 6 * 365 * 86_400); // 60% at 10%/year, capped at 50%
      const supply = await ctx.token.totalSupply();
      await expect(ctx.token.connect(suite.governor).setFees(await currentFees(ctx))).to.changeTokenBalance(
        ctx.token,
        suite.treasury,
        supply, // supply * 0.5 / (1 - 0.5): the treasury ends up with half the product
      );
    });

    it("applies the old rate up to a setFees change", async function () {
      const { suite, ctx } = await withHolders();
      await advance(ctx.feed, 10 * 86_400);
      const supply = await ctx.token.totalSupply();
      const last = await ctx.token.lastFeeAccrual();
      const [size] = await ctx.token.positionSnapshot();
      const o = await pinNextBlock();
      const expected = streamingFeeShares(
        supply,
        size,
        (await ctx.token.fees()).streamingFeeRate,
        BigInt(o.timestamp) - last,
      );
      const treasuryBefore = await ctx.token.balanceOf(suite.treasury.address);
      await disableStreamingFee(ctx);
      expect(await ctx.token.balanceOf(suite.treasury.address)).to.equal(treasuryBefore + expected);
      expect(expected).to.be.gt(0n);
      await advance(ctx.feed, 10 * 86_400);
      await ctx.token.connect(suite.governor).setFees(await currentFees(ctx));
      expect(await ctx.token.balanceOf(suite.treasury.address)).to.equal(treasuryBefore + expected);
    });
  });

  describe("#setFees", function () {
    const bounds = { mintFeeRate: wad("0.01"), redeemFeeRate: wad("0.01"), streamingFeeRate: wad("0.1") };
    for (const field of ["mintFeeRate", "redeemFeeRate", "streamingFeeRate"] as const) {
      it(`reverts InvalidFee for ${field} one wei above its bound`, async function () {
        const { suite, ctx } = await withHolders();
        const fees = { ...bounds, [field]: bounds[field] + 1n };
        await expect(ctx.token.connect(suite.governor).setFees(fees))
          .to.be.revertedWithCustomError(ctx.token, "InvalidFee")
          .withArgs(bounds[field] + 1n);
      });
    }

    it("accepts every fee exactly at its bound and emits FeeParamsSet", async function () {
      const { suite, ctx } = await withHolders();
      await expect(ctx.token.connect(suite.governor).setFees(bounds))
        .to.emit(ctx.token, "FeeParamsSet")
        .withArgs([bounds.mintFeeRate, bounds.redeemFeeRate, bounds.streamingFeeRate]);
      const f = await ctx.token.fees();
      expect([f.mintFeeRate, f.redeemFeeRate, f.streamingFeeRate]).to.deep.equal([
        bounds.mintFeeRate,
        bounds.redeemFeeRate,
        bounds.streamingFeeRate,
      ]);
    });
  });

  describe("governance", function () {
    const calls: Record<string, (h: Holders) => Promise<unknown>> = {
      setFees: (h) =>
        h.ctx.token.connect(h.outsider).setFees({ mintFeeRate: 0n, redeemFeeRate: 0n, streamingFeeRate: 0n }),
      setEquityCap: (h) => h.ctx.token.connect(h.outsider).setEquityCap(1n),
      setTreasury: (h) => h.ctx.token.connect(h.outsider).setTreasury(h.outsider.address),
      setGuardian: (h) => h.ctx.token.connect(h.outsider).setGuardian(h.outsider.address),
      windDown: (h) => h.ctx.token.connect(h.outsider).windDown(),
    };
    for (const [name, call] of Object.entries(calls)) {
      it(`#${name} reverts OwnableUnauthorizedAccount for a non-owner`, async function () {
        const h = await withHolders();
        await expect(call(h))
          .to.be.revertedWithCustomError(h.ctx.token, "OwnableUnauthorizedAccount")
          .withArgs(h.outsider.address);
      });
    }

    it("#setEquityCap stores the cap and emits EquityCapSet", async function () {
      const { suite, ctx } = await withHolders();
      await expect(ctx.token.connect(suite.governor).setEquityCap(wad(123)))
        .to.emit(ctx.token, "EquityCapSet")
        .withArgs(wad(123));
      expect(await ctx.token.equityCap()).to.equal(wad(123));
    });

    it("#setTreasury reverts ZeroAddress and redirects fees once set", async function () {
      const { suite, ctx, carol, outsider } = await withHolders();
      await expect(ctx.token.connect(suite.governor).setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        ctx.token,
        "ZeroAddress",
      );
      await expect(ctx.token.connect(suite.governor).setTreasury(outsider.address))
        .to.emit(ctx.token, "TreasurySet")
        .withArgs(outsider.address);
      await expect(ctx.token.connect(carol).mint(usdc(1_000), 0n, carol.address)).to.changeTokenBalance(
        suite.usdc,
        outsider,
        usdc(1),
      );
    });

    it("#setGuardian hands the pause switch to the new guardian only", async function () {
      const { suite, ctx, outsider } = await withHolders();
      await expect(ctx.token.connect(suite.governor).setGuardian(outsider.address))
        .to.emit(ctx.token, "GuardianSet")
        .withArgs(outsider.address);
      await ctx.token.connect(outsider).setMintPaused(true);
      expect(await ctx.token.mintPaused()).to.equal(true);
      await expect(ctx.token.connect(suite.guardian).setMintPaused(false))
        .to.be.revertedWithCustomError(ctx.token, "OnlyGuardianOrOwner")
        .withArgs(suite.guardian.address);
    });
  });

  describe("#windDown", function () {
    it("closes the position, brings the collateral home and emits WindDownStarted", async function () {
      const { suite, ctx } = await withHolders();
      const tx = await ctx.token.connect(suite.deployer).windDown();
      const [size, venueEquity] = await ctx.venue.accountSnapshot(ctx.address);
      expect(size).to.equal(0n);
      expect(venueEquity).to.be.lt(TO_WAD); // only sub-unit dust stays at the venue
      expect(venueEquity).to.be.gte(0n);
      const idle = await suite.usdc.balanceOf(ctx.address);
      expect(idle).to.be.gt(usdc(34_000));
      await expect(tx)
        .to.emit(ctx.token, "WindDownStarted")
        .withArgs(idle * TO_WAD + venueEquity);
      expect(await ctx.token.woundDown()).to.equal(true);
      expect(await ctx.token.isActive()).to.equal(false);
    });

    it("makes mint revert ProductInactive", async function () {
      const { suite, ctx, carol } = await withHolders();
      await ctx.token.connect(suite.deployer).windDown();
      await expectMintRefused(ctx, carol, ctx.token, "ProductInactive");
    });

    it("pays every holder its pro-rata share of the idle collateral", async function () {
      const { suite, ctx, alice, bob } = await withHolders();
      await ctx.token.connect(suite.deployer).windDown();
      const holders = [alice, bob, suite.treasury];
      let paid = 0n;
      const idleBefore = await suite.usdc.balanceOf(ctx.address);
      for (const who of holders) {
        const shares = await ctx.token.balanceOf(who.address);
        if (shares === 0n) continue;
        const e = await equityNow(ctx);
        const s = await ctx.token.totalSupply();
        // the treasury also receives the redeem fee (expectRedeemPays counts it)
        const q = await expectRedeemPays(ctx, who, shares);
        expect(q.sizeDelta).to.equal(0n);
        // E − ceil(E·(S−s)/S) = floor(E·s/S): with no trade the gross payout is exactly the pro-rata share.
        expect(q.gross).to.equal(mulDivDown(e, shares, s) / TO_WAD);
        paid += q.gross;
      }
      expect(paid).to.be.lte(idleBefore);
      // what is left backs the dead shares only
      expect(await ctx.token.totalSupply()).to.equal(DEAD_SHARES);
    });

    it("accrues no streaming fee once wound down", async function () {
      const { suite, ctx, alice } = await withHolders();
      await ctx.token.connect(suite.deployer).windDown();
      const treasuryShares = await ctx.token.balanceOf(suite.treasury.address);
      await advance(ctx.feed, 365 * 86_400);
      await ctx.token.connect(alice).redeem(1n, 0n, alice.address);
      expect(await ctx.token.balanceOf(suite.treasury.address)).to.equal(treasuryShares);
    });

    it("reverts WoundDown on a second call", async function () {
      const { suite, ctx } = await withHolders();
      await ctx.token.connect(suite.deployer).windDown();
      await expect(ctx.token.connect(suite.deployer).windDown()).to.be.revertedWithCustomError(ctx.token, "WoundDown");
    });

    it("changes nothing when it reverts (the feed's latest answer is invalid: no valid price to close at)", async function () {
      // A stale feed no longer blocks windDown (the venue closes at the last valid price: issue 13.1 tests in
      // test/integration/OracleOutage.test.ts); an invalid latest answer still does.
      const { suite, ctx } = await withHolders();
      const answer = await ctx.feed.latestAnswer();
      await ctx.feed.updateAnswer(0n);
      const last = await ctx.token.lastFeeAccrual();
      const position = [...(await ctx.mockVenue.position(ctx.address))];
      const idle = await suite.usdc.balanceOf(ctx.address);
      await expect(ctx.token.connect(suite.deployer).windDown()).to.be.revertedWithCustomError(
        suite.oracles.BTC,
        "InvalidPrice",
      );
      expect(await ctx.token.woundDown()).to.equal(false);
      expect(await ctx.token.lastFeeAccrual()).to.equal(last);
      expect([...(await ctx.mockVenue.position(ctx.address))]).to.deep.equal(position);
      expect(await suite.usdc.balanceOf(ctx.address)).to.equal(idle);
      await ctx.feed.updateAnswer(answer);
      expect(await ctx.token.isActive()).to.equal(true);
    });
  });

  describe("after a venue liquidation", function () {
    /** Gaps BTC by `bps` basis points (negative: down) in one oracle update. */
    async function gap(ctx: ProductContext, bps: bigint): Promise<void> {
      const answer = await ctx.feed.latestAnswer();
      await ctx.feed.updateAnswer((answer * (10_000n + bps)) / 10_000n);
    }

    it("lets a third party liquidate BTC3L after a −40% gap", async function () {
      const { suite, ctx, outsider } = await withHolders();
      await gap(ctx, -4_000n);
      expect(await ctx.venue.isLiquidatable(ctx.address)).to.equal(true);
      await expect(ctx.mockVenue.connect(outsider).liquidate(ctx.address)).to.emit(ctx.mockVenue, "Liquidated");
      expect(await ctx.venue.liquidationCount(ctx.address)).to.equal(1n);
      expect((await ctx.mockVenue.position(ctx.address)).size).to.equal(0n);
      expect(await suite.usdc.balanceOf(outsider.address)).to.be.gt(0n);
    });

    it("is inactive and reverts mint with ProductInactive", async function () {
      const { ctx, carol, outsider } = await withHolders();
      await gap(ctx, -4_000n);
      await ctx.mockVenue.connect(outsider).liquidate(ctx.address);
      expect(await ctx.token.isActive()).to.equal(false);
      await expectMintRefused(ctx, carol, ctx.token, "ProductInactive");
      expect(await ctx.token.previewMint(usdc(1_000))).to.equal(0n);
    });

    it("lets every holder redeem 0 without reverting when the equity is gone", async function () {
      const { suite, ctx, alice, bob, outsider } = await withHolders();
      await gap(ctx, -4_000n);
      await ctx.mockVenue.connect(outsider).liquidate(ctx.address);
      expect(await ctx.mockVenue.totalBadDebt()).to.be.gt(0n);
      for (const who of [alice, bob]) {
        const shares = await ctx.token.balanceOf(who.address);
        const tx = ctx.token.connect(who).redeem(shares, 0n, who.address);
        await expect(tx).to.changeTokenBalance(suite.usdc, who, 0n);
        await expect(tx).to.emit(ctx.token, "Redeemed").withArgs(who.address, who.address, shares, 0n, 0n);
        expect(await ctx.token.balanceOf(who.address)).to.equal(0n);
      }
    });

    it("pays every holder its pro-rata remainder after a shallower gap, never more", async function () {
      const { ctx, alice, bob, outsider } = await withHolders();
      await gap(ctx, -3_280n); // past maintenance at ~3x, but equity is still positive
      expect(await ctx.venue.isLiquidatable(ctx.address)).to.equal(true);
      await ctx.mockVenue.connect(outsider).liquidate(ctx.address);
      const remainder = await equityNow(ctx);
      expect(remainder).to.be.gt(0n);
      let paid = 0n;
      for (const who of [alice, bob]) {
        const shares = await ctx.token.balanceOf(who.address);
        const e = await equityNow(ctx);
        const s = await ctx.token.totalSupply();
        const q = await expectRedeemPays(ctx, who, shares);
        expect(q.gross).to.be.lte(mulDivDown(e, shares, s) / TO_WAD);
        expect(q.out).to.be.gt(0n);
        paid += q.gross;
      }
      expect(paid * TO_WAD).to.be.lte(remainder);
    });
  });

  describe("permit", function () {
    it("sets an allowance from an EIP-2612 signature on the leveraged token", async function () {
      const { ctx, alice, outsider } = await withHolders();
      const value = 10n ** 18n;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const nonce = await ctx.token.nonces(alice.address);
      const { chainId } = await ethers.provider.getNetwork();
      const sig = Signature.from(
        await alice.signTypedData(
          { name: await ctx.token.name(), version: "1", chainId, verifyingContract: ctx.address },
          PERMIT_TYPES,
          { owner: alice.address, spender: outsider.address, value, nonce, deadline },
        ),
      );
      await ctx.token.connect(outsider).permit(alice.address, outsider.address, value, deadline, sig.v, sig.r, sig.s);
      expect(await ctx.token.allowance(alice.address, outsider.address)).to.equal(value);
      expect(await ctx.token.nonces(alice.address)).to.equal(nonce + 1n);
      await expect(
        ctx.token.connect(outsider).transferFrom(alice.address, outsider.address, value),
      ).to.changeTokenBalances(ctx.token, [alice, outsider], [-value, value]);
      // replaying the same signature fails: the nonce moved on
      await expect(
        ctx.token.connect(outsider).permit(alice.address, outsider.address, value, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(ctx.token, "ERC2612InvalidSigner");
    });

    it("mints after a USDC permit instead of an approval", async function () {
      const { suite, ctx, outsider } = await withHolders();
      const amount = usdc(2_500);
      await suite.usdc.mint(outsider.address, amount);
      expect(await suite.usdc.allowance(outsider.address, ctx.address)).to.equal(0n);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const { chainId } = await ethers.provider.getNetwork();
      const sig = Signature.from(
        await outsider.signTypedData(
          { name: await suite.usdc.name(), version: "1", chainId, verifyingContract: await suite.usdc.getAddress() },
          PERMIT_TYPES,
          {
            owner: outsider.address,
            spender: ctx.address,
            value: amount,
            nonce: await suite.usdc.nonces(outsider.address),
            deadline,
          },
        ),
      );
      await suite.usdc.permit(outsider.address, ctx.address, amount, deadline, sig.v, sig.r, sig.s);
      const o = await pinNextBlock();
      const q = await quoteMint(ctx, amount, o);
      await expect(ctx.token.connect(outsider).mint(amount, 0n, outsider.address)).to.changeTokenBalance(
        ctx.token,
        outsider,
        q.shares,
      );
      expect(await suite.usdc.balanceOf(outsider.address)).to.equal(0n);
    });
  });
});
