import { expect } from "chai";
import {
  ConfigError,
  DEFAULT_LOCAL_RPC,
  HelpRequested,
  describeConfig,
  gweiToWei,
  parseFlags,
  parseKeeperConfig,
} from "../../../scripts/keeper/config";

const KEY = "0x" + "ab".repeat(32);

describe("keeper config", function () {
  describe("#parseKeeperConfig", function () {
    it("defaults to the local node's unlocked keeper account #1 and deployments/localhost", function () {
      const c = parseKeeperConfig([], {});
      expect(c.network).to.equal("localhost");
      expect(c.rpcUrl).to.equal(DEFAULT_LOCAL_RPC);
      expect(c.signer).to.deep.equal({ kind: "unlocked", account: 1 });
      expect(c.deploymentsDir).to.equal("deployments/localhost");
      expect(c.once).to.equal(false);
      expect(c.intervalMs).to.equal(1000);
      expect(c.maxFeePerGas).to.equal(null);
    });

    it("reads the RPC URL and key from the environment", function () {
      const c = parseKeeperConfig([], { BALLAST_RPC_URL: "http://127.0.0.1:9999", BALLAST_KEEPER_KEY: KEY });
      expect(c.rpcUrl).to.equal("http://127.0.0.1:9999");
      expect(c.signer).to.deep.equal({ kind: "key", key: KEY });
    });

    it("lets flags win over the environment, in both --flag value and --flag=value forms", function () {
      const c = parseKeeperConfig(
        ["--rpc=http://localhost:1", "--interval", "250", "--once", "--deployments", "/tmp/d"],
        {
          BALLAST_RPC_URL: "http://127.0.0.1:9999",
        },
      );
      expect(c.rpcUrl).to.equal("http://localhost:1");
      expect(c.intervalMs).to.equal(250);
      expect(c.once).to.equal(true);
      expect(c.deploymentsDir).to.equal("/tmp/d");
    });

    it("selects an unlocked account by index or address", function () {
      expect(parseKeeperConfig(["--account", "5"], {}).signer).to.deep.equal({ kind: "unlocked", account: 5 });
      const addr = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
      expect(parseKeeperConfig(["--account", addr], {}).signer).to.deep.equal({ kind: "unlocked", account: addr });
    });

    it("rejects a malformed key without echoing it", function () {
      const bad = "0xdeadbeef-secret";
      expect(() => parseKeeperConfig(["--key", bad], {}))
        .to.throw(ConfigError)
        .that.satisfies((e: Error) => !e.message.includes(bad));
    });

    it("rejects a key and an account together", function () {
      expect(() => parseKeeperConfig(["--account", "2"], { BALLAST_KEEPER_KEY: KEY })).to.throw(ConfigError, /either/);
    });

    it("requires an RPC URL and a key on any non-local network, and refuses unlocked accounts there", function () {
      expect(() => parseKeeperConfig(["--network", "arbitrum"], {})).to.throw(ConfigError, /--rpc or BALLAST_RPC_URL/);
      expect(() => parseKeeperConfig(["--network", "arbitrum", "--rpc", "https://rpc.example"], {})).to.throw(
        ConfigError,
        /BALLAST_KEEPER_KEY/,
      );
      expect(() =>
        parseKeeperConfig(["--network", "arbitrum", "--rpc", "https://rpc.example", "--account", "1"], {}),
      ).to.throw(ConfigError, /local networks only/);
      const c = parseKeeperConfig(["--network", "arbitrum", "--rpc", "https://rpc.example"], {
        BALLAST_KEEPER_KEY: KEY,
      });
      expect(c.deploymentsDir).to.equal("deployments/arbitrum");
    });

    it("rejects unknown flags, missing values, bad numbers and non-http URLs", function () {
      expect(() => parseKeeperConfig(["--onse"], {})).to.throw(ConfigError, /unknown flag --onse/);
      expect(() => parseKeeperConfig(["--interval"], {})).to.throw(ConfigError, /needs a value/);
      expect(() => parseKeeperConfig(["--interval", "--once"], {})).to.throw(ConfigError, /needs a value/);
      expect(() => parseKeeperConfig(["--interval", "1.5"], {})).to.throw(ConfigError, /whole number/);
      expect(() => parseKeeperConfig(["--interval", "10"], {})).to.throw(ConfigError, /between 50/);
      expect(() => parseKeeperConfig(["--rpc", "ftp://x"], {})).to.throw(ConfigError, /http/);
      expect(() => parseKeeperConfig(["stray"], {})).to.throw(ConfigError, /unexpected argument/);
      expect(() => parseKeeperConfig(["--once=yes"], {})).to.throw(ConfigError, /takes no value/);
    });

    it("answers --help with the usage text", function () {
      expect(() => parseKeeperConfig(["--help"], {})).to.throw(HelpRequested, /usage: npm run keeper/);
    });

    it("parses a gas cap in gwei exactly", function () {
      expect(gweiToWei("1.5")).to.equal(1_500_000_000n);
      expect(gweiToWei("30")).to.equal(30_000_000_000n);
      expect(parseKeeperConfig(["--max-fee-gwei", "0.000000001"], {}).maxFeePerGas).to.equal(1n);
      expect(() => gweiToWei("1e9")).to.throw(ConfigError);
    });
  });

  describe("#describeConfig", function () {
    it("never shows key material or the RPC path (hosted endpoints put API keys there)", function () {
      const c = parseKeeperConfig(["--network", "arbitrum", "--rpc", "https://user:pw@arb.example/v2/SECRET"], {
        BALLAST_KEEPER_KEY: KEY,
      });
      const text = JSON.stringify(describeConfig(c));
      expect(text).to.not.include(KEY.slice(2));
      expect(text).to.not.include("SECRET");
      expect(text).to.not.include("pw");
      expect(describeConfig(c).rpc).to.equal("https://arb.example");
    });
  });

  describe("#parseFlags", function () {
    it("keeps the last value of a repeated flag", function () {
      expect(parseFlags(["--interval", "100", "--interval=200"]).get("interval")).to.equal("200");
    });
  });
});
