/**
 * Property test of LeveragedToken's accounting at a fixed price: random sequences of mints and redeems by three users
 * (fast-check commands driving the real contracts), each checked against the bigint reference model in
 * test/helpers/accounting.ts. Invariants after every command:
 *   - the shares minted / collateral paid equal the model to the wei, and previews equal execution in the same block;
 *   - NAV per share never decreases (exactly: E1·S0 ≥ E0·S1, and navPerShare() non-decreasing);
 *   - the balances of the three users, the dead address and the treasury sum to totalSupply.
 * At the end every user redeems everything: no user gets back more than it paid in.
 * The streaming fee is set to 0 so that NAV is time-independent (it is tested on its own in the unit specs).
 * FC_RUNS / FC_SEED override the number of runs and the seed (to replay a failure, or FC_SEED=$RANDOM to explore);
 * `npm test` replays CI_SEED, so that a run cannot fail by the luck of the draw.
 */
import { expect } from "chai";
import { deployments } from "hardhat";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { MaxUint256 } from "ethers";
import { deploySuite } from "../helpers/deployment";
import { DEAD_ADDRESS, pinNextBlock, quoteMint, quoteRedeem } from "../helpers/accounting";
import { disableStreamingFee, postPrice, productContext, type ProductContext } from "../helpers/product";
import { usdc } from "../../config/parameters";

const RUNS = Number(process.env.FC_RUNS ?? 100);
/** The seed `npm test` replays. */
const CI_SEED = 20261203;
const SEED = Number(process.env.FC_SEED ?? CI_SEED);
const USERS = 3;

interface Model {
  shares: bigint[];
  paidIn: bigint[];
  paidOut: bigint[];
}

interface Real {
  ctx: ProductContext;
  users: HardhatEthersSigner[];
}

interface Snapshot {
  equity: bigint;
  supply: bigint;
  nav: bigint;
}

async function snapshot(ctx: ProductContext): Promise<Snapshot> {
  return {
    equity: await ctx.token.totalEquityWad(),
    supply: await ctx.token.totalSupply(),
    nav: await ctx.token.navPerShare(),
  };
}

/** NAV never falls, balances add up, and the model's balances are the chain's. */
async function checkInvariants(model: Model, real: Real, before: Snapshot): Promise<void> {
  const { ctx, users } = real;
  const after = await snapshot(ctx);
  expect(after.nav, "navPerShare fell").to.be.gte(before.nav);
  if (before.supply !== 0n) expect(after.equity * before.supply, "E/S fell").to.be.gte(before.equity * after.supply);
  let sum = (await ctx.token.balanceOf(DEAD_ADDRESS)) + (await ctx.token.balanceOf(ctx.suite.treasury.address));
  for (let i = 0; i < users.length; i++) {
    const balance = await ctx.token.balanceOf(users[i].address);
    expect(balance, `user ${i} balance`).to.equal(model.shares[i]);
    sum += balance;
  }
  expect(sum, "sum of balances").to.equal(after.supply);
}

class MintCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly amount: bigint,
  ) {}

  check(): boolean {
    return true;
  }

  async run(model: Model, real: Real): Promise<void> {
    const { ctx } = real;
    const who = real.users[this.user];
    const before = await snapshot(ctx);
    const o = await pinNextBlock();
    const q = await quoteMint(ctx, this.amount, o);
    expect(await ctx.token.previewMint(this.amount, o), "previewMint").to.equal(q.shares);
    if (q.shares === 0n) {
      await expect(ctx.token.connect(who).mint(this.amount, 0n, who.address)).to.be.revertedWithCustomError(
        ctx.token,
        "DepositTooSmall",
      );
    } else {
      await expect(ctx.token.connect(who).mint(this.amount, 0n, who.address)).to.changeTokenBalances(
        ctx.suite.usdc,
        [who, ctx.suite.treasury],
        [-this.amount, q.fee],
      );
      model.shares[this.user] += q.shares;
      model.paidIn[this.user] += this.amount;
    }
    await checkInvariants(model, real, before);
  }

  toString(): string {
    return `mint(user${this.user}, ${this.amount})`;
  }
}

class RedeemCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly perMille: bigint,
  ) {}

  check(model: Readonly<Model>): boolean {
    return model.shares[this.user] > 0n;
  }

  async run(model: Model, real: Real): Promise<void> {
    const { ctx } = real;
    const who = real.users[this.user];
    let shares = (model.shares[this.user] * this.perMille) / 1000n;
    if (shares === 0n) shares = 1n;
    const before = await snapshot(ctx);
    const o = await pinNextBlock();
    const q = await quoteRedeem(ctx, shares, o);
    expect(await ctx.token.previewRedeem(shares, o), "previewRedeem").to.equal(q.out);
    await expect(ctx.token.connect(who).redeem(shares, 0n, who.address)).to.changeTokenBalances(
      ctx.suite.usdc,
      [who, ctx.suite.treasury],
      [q.out, q.fee],
    );
    // the remaining holders keep at least ceil(E·(S−s)/S)
    expect(await ctx.token.totalEquityWad(), "remaining equity").to.be.gte(q.keep);
    model.shares[this.user] -= shares;
    model.paidOut[this.user] += q.out;
    await checkInvariants(model, real, before);
  }

  toString(): string {
    return `redeem(user${this.user}, ${this.perMille}‰)`;
  }
}

/** 1 USDC to 1M USDC, log-uniform-ish: a mantissa of 1..9.99 USDC times 10^0..10^6, capped at 1M. */
const amountArb = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.bigInt({ min: usdc(1), max: usdc("9.999999") }))
  .map(([exponent, mantissa]) => {
    const a = mantissa * 10n ** BigInt(exponent);
    return a > usdc(1_000_000) ? usdc(1_000_000) : a;
  });
const userArb = fc.integer({ min: 0, max: USERS - 1 });
const commandsArb = fc.commands(
  [
    fc.tuple(userArb, amountArb).map(([u, a]) => new MintCommand(u, a)),
    fc.tuple(userArb, fc.bigInt({ min: 1n, max: 1000n })).map(([u, p]) => new RedeemCommand(u, p)),
  ],
  { maxCommands: 8 },
);

for (const symbol of ["BTC3L", "BTC3S"] as const) {
  /** The product, with its streaming fee off and three users funded with 20M USDC each (approved). */
  const setup = deployments.createFixture(async (): Promise<Real> => {
    const suite = await deploySuite();
    const ctx = await productContext(suite, symbol);
    await disableStreamingFee(ctx);
    const users = suite.users.slice(0, USERS);
    for (const u of users) {
      await suite.usdc.mint(u.address, usdc(20_000_000));
      await suite.usdc.connect(u).approve(ctx.address, MaxUint256);
    }
    return { ctx, users };
  });

  describe(`Accounting properties (${symbol})`, function () {
    it("keeps NAV per share non-decreasing, balances summing to supply and round trips unprofitable", async function () {
      this.timeout(20 * 60_000);
      await fc.assert(
        fc.asyncProperty(commandsArb, async (cmds) => {
          const real = await setup();
          await postPrice(real.ctx.feed); // a fresh oracle answer whatever wall-clock time has passed
          const model: Model = {
            shares: Array<bigint>(USERS).fill(0n),
            paidIn: Array<bigint>(USERS).fill(0n),
            paidOut: Array<bigint>(USERS).fill(0n),
          };
          await fc.asyncModelRun(async () => ({ model, real }), cmds);
          // Everyone leaves: nobody gets back more than it paid in.
          for (let i = 0; i < USERS; i++) {
            if (model.shares[i] > 0n) await new RedeemCommand(i, 1000n).run(model, real);
            expect(model.shares[i]).to.equal(0n);
            if (model.paidIn[i] > 0n) expect(model.paidOut[i], `user ${i} round trip`).to.be.lt(model.paidIn[i]);
            else expect(model.paidOut[i]).to.equal(0n);
          }
        }),
        { numRuns: RUNS, seed: SEED, verbose: 1 },
      );
    });
  });
}
