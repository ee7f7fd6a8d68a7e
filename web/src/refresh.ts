/** Re-reads every product (and the holder's USDC) and re-renders the page: on every new block and after each action. */
import { explainError } from "@ballast/protocol";
import { renderAbout } from "./about";
import { renderWalletState } from "./connection";
import { el } from "./elements";
import { renderPanels } from "./panels";
import { updatePreviews } from "./previews";
import type { ProtocolReader } from "./reader";
import { errorsIface, state } from "./state";
import { renderTable } from "./table";

let refreshing = false;
let refreshAgain = false;

/** Snapshots of every product and their rebalance counts, into the state. */
async function readAll(reader: ProtocolReader, account: string | null): Promise<void> {
  // ethers may answer eth_blockNumber from a short cache: the block event's number is at least as new.
  const fetched = state.read ? await state.read.getBlockNumber() : null;
  const block = fetched === null ? state.block : Math.max(fetched, state.block ?? 0);
  const snaps = await Promise.all(reader.products.map((p) => reader.snapshot(p, account)));
  for (const s of snaps) state.snapshots.set(s.product.symbol, s);
  const counts = await Promise.all(
    snaps.map((s) => (s.totalSupply > 0n ? reader.rebalanceCount(s.product).catch(() => -1) : Promise.resolve(0))),
  );
  snaps.forEach((s, i) => {
    const c = counts[i];
    if (c !== undefined && c >= 0) state.rebalances.set(s.product.symbol, c);
  });
  state.usdcBalance = account ? await reader.usdc.balanceOf(account) : null;
  state.readBlock = block;
}

/** One refresh at a time; a request during one runs another right after it. */
export async function refresh(): Promise<void> {
  if (!state.reader) return;
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      await readAll(state.reader, state.wallet ? state.account : null);
      renderTable();
      renderAbout();
      renderWalletState();
      await updatePreviews();
      // Positions and risk panels last: their reads (events, venue and oracle views) must not delay the forms.
      await renderPanels();
      el.loadError.hidden = true;
    } while (refreshAgain);
  } catch (e) {
    el.loadError.hidden = false;
    el.loadError.textContent = `Could not read the contracts from ${state.config?.rpcUrl ?? "the node"}: ${explainError(e, errorsIface())}`;
  } finally {
    refreshing = false;
  }
}
