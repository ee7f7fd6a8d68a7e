/** The keeper's readable and JSON lines, and its heartbeat (a fake node and a fake clock: no wall-clock timing). */
import { expect } from "chai";
import type { JsonRpcProvider, Signer } from "ethers";
import type { IRebalancer } from "../../../protocol";
import { parseKeeperConfig } from "../../../scripts/keeper/config";
import { Keeper } from "../../../scripts/keeper/keeper";
import { formatEvent, jsonLogger, readableLogger, type LogFields } from "../../../scripts/keeper/log";

const WAD = 10n ** 18n;
const HASH = "0x" + "ab".repeat(32);
const TOKEN = "0x" + "11".repeat(20);

describe("keeper log lines", function () {
  describe("readable (the default)", function () {
    it("a confirmed rebalance: product, action, leverage before → after, bounty in USDC, tx hash", function () {
      const line = formatEvent("confirmed", {
        token: TOKEN,
        symbol: "BTC3L",
        action: "REBALANCE",
        hash: HASH,
        block: 57,
        gasUsed: 412_345n,
        leverageBefore: 3_523_456_789_000_000_000n,
        leverageAfter: 3_001_378_639_100_859_256n,
        bounty: 620_000n,
      });
      expect(line).to.equal(
        `BTC3L REBALANCE confirmed: leverage 3.52× → 3.00×, bounty 0.62 USDC, gas 412,345, block 57, tx ${HASH}`,
      );
    });

    it("amounts in the collateral's own symbol and decimals", function () {
      const line = formatEvent(
        "confirmed",
        {
          symbol: "ETH3S",
          action: "RIPCORD",
          hash: HASH,
          block: 1,
          gasUsed: 1n,
          leverageBefore: 5n * WAD,
          leverageAfter: 3n * WAD,
          bounty: 1_500_000_000_000_000_000n,
        },
        { collateralSymbol: "DAI", collateralDecimals: 18 },
      );
      expect(line).to.include("leverage 5.00× → 3.00×, bounty 1.50 DAI");
    });

    it("the heartbeat: products checked, none due, block, keeper balance in ETH", function () {
      expect(
        formatEvent("heartbeat", {
          block: 1234,
          products: 8,
          due: 0,
          inflight: 0,
          balance: 9_990_000_000_000_000_000n,
        }),
      ).to.equal("idle: 8 products checked, none due, block 1234, keeper balance 9.9900 ETH");
      expect(formatEvent("heartbeat", { block: 7, products: 8, due: 2, inflight: 1, balance: WAD })).to.equal(
        "alive: 8 products checked, 2 due, 1 transaction in flight, block 7, keeper balance 1.0000 ETH",
      );
    });

    it("decisions, sends, errors and the summary in words, one line each", function () {
      expect(formatEvent("decision", { block: 9, symbol: "BTC3L", action: "REBALANCE", decision: "send" })).to.equal(
        "BTC3L REBALANCE due: sending (block 9)",
      );
      expect(
        formatEvent("sent", { symbol: "BTC3L", action: "RIPCORD", hash: HASH, nonce: 4, gasLimit: 500_000n }),
      ).to.equal(`BTC3L RIPCORD sent: tx ${HASH} (nonce 4, gas limit 500,000)`);
      const error = formatEvent("error", {
        stage: "preflight",
        symbol: "ETH3L",
        error: "StalePrice(1700000000, 3900)",
        explanation:
          "The price feed is out of date (stale), so the contracts refuse to price the trade. Nothing was spent.",
      });
      expect(error).to.equal(
        "error (preflight) ETH3L: The price feed is out of date (stale), so the contracts refuse to price the trade. " +
          "Nothing was spent. [StalePrice(1700000000, 3900)]",
      );
      expect(
        formatEvent("summary", {
          reason: "SIGTERM",
          passes: 12,
          sent: 3,
          confirmed: 3,
          alreadyHandled: 0,
          skipped: 1,
          errors: 0,
          inflight: 0,
          uptimeMs: 63_000,
        }),
      ).to.equal(
        "summary (SIGTERM): 12 passes, sent 3, confirmed 3, already handled 0, skipped 1, errors 0, in flight 0, up 1m 03s",
      );
      expect(
        formatEvent("retry", { call: "eth_chainId", attempt: 2, delayMs: 500, error: "connect ECONNREFUSED" }),
      ).to.equal("retry: eth_chainId failed (connect ECONNREFUSED), attempt 2 in 500 ms");
      for (const line of [error]) expect(line).to.not.include("\n");
    });

    it("prefixes each line with the time of day", function () {
      const lines: string[] = [];
      const log = readableLogger(
        undefined,
        (l) => lines.push(l),
        () => new Date(2026, 0, 2, 3, 4, 5),
      );
      log("warning", { message: "keeper 0xabc has no ether for gas" });
      expect(lines).to.deep.equal(["03:04:05 warning: keeper 0xabc has no ether for gas"]);
    });
  });

  describe("--json", function () {
    it("one JSON object per line, raw integer units as decimal strings", function () {
      const lines: string[] = [];
      jsonLogger((l) => lines.push(l))("confirmed", { symbol: "BTC3L", leverageBefore: 3n * WAD, bounty: 620_000n });
      expect(lines).to.have.length(1);
      const o = JSON.parse(lines[0]) as Record<string, unknown>;
      expect(o.event).to.equal("confirmed");
      expect(o.leverageBefore).to.equal("3000000000000000000");
      expect(o.bounty).to.equal("620000");
      expect(typeof o.ts).to.equal("string");
    });

    it("is chosen with --json; readable is the default; --heartbeat takes milliseconds, 0 = never", function () {
      expect(parseKeeperConfig([], {}).json).to.equal(false);
      expect(parseKeeperConfig(["--json"], {}).json).to.equal(true);
      expect(parseKeeperConfig([], {}).heartbeatMs).to.equal(60_000);
      expect(parseKeeperConfig(["--heartbeat", "0"], {}).heartbeatMs).to.equal(0);
      expect(parseKeeperConfig(["--heartbeat=250"], {}).heartbeatMs).to.equal(250);
      expect(() => parseKeeperConfig(["--json=1"], {})).to.throw(/--json takes no value/);
    });
  });
});

describe("keeper heartbeat", function () {
  /** A node where nothing is ever due: block number and balance set by the test, a clock the test advances. */
  function idleKeeper(heartbeatMs: number) {
    const chain = { block: 100, balance: 9_990_000_000_000_000_000n, t: 1_000_000 };
    const events: Array<[string, LogFields]> = [];
    const provider = {
      getBlockNumber: () => Promise.resolve(chain.block),
      getBalance: () => Promise.resolve(chain.balance),
      getTransactionCount: () => Promise.resolve(0),
    } as unknown as JsonRpcProvider;
    const tokens = Array.from({ length: 8 }, (_, i) => "0x" + String(i + 1).padStart(40, "0"));
    const checkUpkeep = { staticCall: () => Promise.resolve([false, "0x"]) };
    const rebalancer = {
      tokens: () => Promise.resolve(tokens),
      maxBatch: () => Promise.resolve(20n),
      checkUpkeep,
    } as unknown as IRebalancer;
    const keeper = new Keeper({
      provider,
      signer: {} as Signer,
      address: "0x" + "70".repeat(20),
      rebalancer,
      symbols: new Map(),
      log: (event, fields = {}) => events.push([event, fields]),
      now: () => chain.t,
      options: {
        intervalMs: 1000,
        gasBufferPct: 20,
        maxFeePerGas: null,
        backoff: { retries: 0, baseMs: 1, maxMs: 1 },
        confirmTimeoutMs: 1000,
        preflightCooldownMs: 10_000,
        tokenRefreshPasses: 30,
        heartbeatMs,
      },
    });
    const heartbeats = () => events.filter(([e]) => e === "heartbeat").map(([, f]) => f);
    return { chain, keeper, heartbeats };
  }

  it("after the first pass, then once per interval of the keeper's clock, also when no block is mined", async function () {
    const { chain, keeper, heartbeats } = idleKeeper(30_000);
    expect(await keeper.heartbeat(false), "nothing before the first pass").to.equal(false);
    await keeper.pass(false);
    expect(await keeper.heartbeat(false)).to.equal(true);
    expect(heartbeats()).to.deep.equal([{ block: 100, products: 8, due: 0, inflight: 0, balance: chain.balance }]);

    chain.t += 29_999;
    await keeper.pass(false); // same block: the pass is skipped, the keeper is still alive
    expect(await keeper.heartbeat(false)).to.equal(false);
    chain.t += 1;
    expect(await keeper.heartbeat(false)).to.equal(true);
    expect(heartbeats()).to.have.length(2);

    chain.block = 101;
    chain.balance -= 10n ** 16n;
    chain.t += 30_000;
    await keeper.pass(false);
    await keeper.heartbeat(false);
    const last = heartbeats().at(-1) ?? {};
    expect(last).to.deep.include({ block: 101, products: 8, due: 0 });
    expect(formatEvent("heartbeat", last)).to.equal(
      "idle: 8 products checked, none due, block 101, keeper balance 9.9800 ETH",
    );
  });

  it("0 turns it off in the loop; --once always reports its pass", async function () {
    const { keeper, heartbeats } = idleKeeper(0);
    await keeper.pass(false);
    expect(await keeper.heartbeat(false)).to.equal(false);
    expect(await keeper.runOnce()).to.equal(true);
    expect(heartbeats()).to.have.length(1);
  });
});
