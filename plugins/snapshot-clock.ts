import { extendProvider } from "hardhat/config";
import { ProviderWrapper } from "hardhat/plugins";
import type { EIP1193Provider, RequestArguments } from "hardhat/types";

/**
 * Keeps the in-process chain's clock where a snapshot left it.
 *
 * Hardhat stamps a new block with the wall clock plus an offset, and `evm_revert` restores the offset of the
 * snapshot, not its time: a fixture snapshot taken early in a long test run (every `deployments.createFixture` and
 * `loadFixture`) came back with its oracle answers as old as the wall-clock time since, so on a slow machine
 * (a 75-minute run) every test after that point read `StalePrice`. After every `evm_revert` this wrapper sets the next
 * block's timestamp to the restored latest block's plus one, so a test's chain time depends on what the test does,
 * never on how long the machine took to get there.
 */
class SnapshotClock extends ProviderWrapper {
  constructor(provider: EIP1193Provider) {
    super(provider);
  }

  public async request(args: RequestArguments): Promise<unknown> {
    const result = await this._wrappedProvider.request(args);
    if (args.method === "evm_revert" && result === true) {
      const latest = (await this._wrappedProvider.request({
        method: "eth_getBlockByNumber",
        params: ["latest", false],
      })) as { timestamp: string };
      await this._wrappedProvider.request({
        method: "evm_setNextBlockTimestamp",
        params: [Number(BigInt(latest.timestamp)) + 1],
      });
    }
    return result;
  }
}

extendProvider((provider, _config, network) => (network === "hardhat" ? new SnapshotClock(provider) : provider));
