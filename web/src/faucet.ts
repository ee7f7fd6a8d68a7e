/**
 * The local chain's "Get 10,000 test USDC" button: the USDC mock's open `mint`. The one place where the page calls a
 * mock (MockUSDC); it is shown only on the local chain (connection.ts).
 */
import { USDC_UNITS } from "@ballast/protocol";
import { MockUSDC__factory } from "../../typechain-types";
import { walletReady } from "./connection";
import { el } from "./elements";
import { reader, requestRefresh } from "./state";
import { runTx, startLog, step } from "./txlog";

const FAUCET_AMOUNT = 10_000n * 10n ** 6n;

export async function onFaucet(): Promise<void> {
  const ready = walletReady();
  const log = startLog(el.faucetStatus);
  if (typeof ready === "string") {
    step(log, "failed", ready);
    return;
  }
  const signer = await ready.signer;
  const mock = MockUSDC__factory.connect(await reader().usdc.getAddress(), signer);
  if (await runTx(log, "Test USDC", () => mock.mint(ready.account, FAUCET_AMOUNT), USDC_UNITS)) {
    log.box.dataset.state = "confirmed";
  }
  void requestRefresh();
}
