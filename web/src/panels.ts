/**
 * The page's holder and risk parts, refreshed with the table (refresh.ts calls `renderPanels` on every block):
 * "Your position" (holder.ts), one "Risk, chart and rebalances" panel per product (risk.ts, charts.ts), the
 * stale-feed banner, and a watch on the node that replaces "Live" with "Not live" when it stops answering.
 */
import { explainError } from "@ballast/protocol";
import { ageText } from "./bands";
import { byId, h, replaceChildren } from "./dom";
import { ChainHistory } from "./history";
import { positionCard, readPosition, type PositionRead } from "./holder";
import type { ProductStatic } from "./reader";
import { feeSummary, readRisk, rebalanceTable, riskList, updateChart, warningText, type RiskRead } from "./risk";
import { errorsIface, need, reader, requestRefresh, state } from "./state";

const ui = {
  positions: byId<HTMLDivElement>("positions-body"),
  riskPanels: byId<HTMLDivElement>("risk-panels"),
  feedBanner: byId<HTMLDivElement>("feed-banner"),
  nodeBanner: byId<HTMLDivElement>("node-banner"),
  liveState: byId<HTMLSpanElement>("live-state"),
};

let history: ChainHistory | null = null;
function chainHistory(): ChainHistory {
  if (!history) history = new ChainHistory(need(state.read, "the node"), reader().rebalancer);
  return history;
}

const panel = (p: ProductStatic): HTMLDetailsElement | null =>
  ui.riskPanels.querySelector<HTMLDetailsElement>(`#risk-${p.symbol}`);

/** One collapsed risk panel per product; its chart is read and drawn when it is opened. */
export function buildPanels(): void {
  const panels = reader().products.map((p) => {
    const d = h(
      "details",
      { class: "about risk", id: `risk-${p.symbol}`, "data-symbol": p.symbol },
      h("summary", {}, `${p.symbol} — risk, NAV and leverage chart, rebalances`),
      h(
        "div",
        { class: "risk-body" },
        h("div", { class: "risk-now" }, "Loading…"),
        h("p", { class: "risk-warning", role: "note" }, warningText(p)),
        h("h3", {}, "Fees the product has paid since launch"),
        h("div", { class: "fees" }),
        h("h3", {}, "NAV, price and leverage (band, target and ripcord as lines)"),
        h("div", { class: "chart-slot" }, "Loading the history…"),
        h("h3", {}, "Rebalance history"),
        h("div", { class: "rebalances" }),
      ),
    );
    d.addEventListener("toggle", () => {
      if (d.open) void renderPanels();
    });
    return d;
  });
  replaceChildren(ui.riskPanels, ...panels);
}

function renderFeedBanner(risks: Map<string, RiskRead>): void {
  const stale = new Map<string, string>();
  for (const p of reader().products) {
    const f = risks.get(p.symbol)?.feed;
    if (f?.stale && !stale.has(p.market)) {
      stale.set(
        p.market,
        `The ${p.market} price feed is stale: its last answer is ${ageText(f.ageSeconds)} old and the oracle refuses ` +
          `answers older than ${ageText(f.maxStaleness)}. Minting, redeeming and rebalancing ${p.market} products ` +
          `that hold a position wait until it answers again (see "Your exit" below).`,
      );
    }
  }
  ui.feedBanner.hidden = stale.size === 0;
  replaceChildren(ui.feedBanner, ...[...stale.values()].map((t) => h("p", {}, t)));
}

async function renderPositions(block: number): Promise<void> {
  const account = state.wallet ? state.account : null;
  if (!account) {
    replaceChildren(ui.positions, h("p", {}, "Connect a wallet to see your position, cost basis, PnL and history."));
    ui.positions.dataset.block = String(block);
    return;
  }
  const explain = (e: unknown): string => explainError(e, errorsIface());
  const reads = await Promise.all(
    reader().products.map((p) => readPosition(p, account, chainHistory(), block, explain)),
  );
  const held = reads.filter((r): r is PositionRead => r !== null);
  replaceChildren(
    ui.positions,
    ...(held.length === 0 ? [h("p", {}, "You hold no Ballast tokens and have not minted any yet.")] : []),
    ...held.map(positionCard),
  );
  ui.positions.dataset.block = String(block);
}

async function renderRisk(block: number): Promise<void> {
  const hist = chainHistory();
  const head = await hist.provider.getBlock(block);
  const blockTime = BigInt(head?.timestamp ?? Math.floor(Date.now() / 1000));
  const risks = new Map<string, RiskRead>();
  await Promise.all(
    reader().products.map(async (p) => {
      const d = panel(p);
      const s = state.snapshots.get(p.symbol);
      if (!d || !s) return;
      let risk: RiskRead | undefined;
      let riskError: string | undefined;
      try {
        risk = await readRisk(p, block, blockTime);
        risks.set(p.symbol, risk);
      } catch (e) {
        riskError = explainError(e, errorsIface());
      }
      const [flows, rebalances] = await Promise.all([hist.productFlows(p, block), hist.rebalances(p, block)]);
      const body = d.querySelector<HTMLDivElement>(".risk-body");
      const now = d.querySelector<HTMLDivElement>(".risk-now");
      const fees = d.querySelector<HTMLDivElement>(".fees");
      const list = d.querySelector<HTMLDivElement>(".rebalances");
      const slot = d.querySelector<HTMLDivElement>(".chart-slot");
      if (!body || !now || !fees || !list || !slot) return;
      replaceChildren(now, riskList(p, s, risk, riskError));
      replaceChildren(fees, feeSummary(p, flows, rebalances));
      replaceChildren(list, rebalanceTable(p, rebalances));
      if (d.open) await updateChart(p, s, hist, slot, block).catch(() => undefined);
      body.dataset.block = String(block);
    }),
  );
  renderFeedBanner(risks);
}

/** Re-reads and re-draws the position and risk parts at the block the table was read at. Never throws. */
export async function renderPanels(): Promise<void> {
  const block = state.readBlock;
  if (block === null || !state.reader) return;
  await Promise.all([renderPositions(block), renderRisk(block)]).catch((e: unknown) => {
    ui.positions.dataset.error = explainError(e, errorsIface());
  });
}

let nodeDown = false;

function setLive(live: boolean): void {
  ui.liveState.textContent = live
    ? "Live from the contracts; refreshes on every new block"
    : "Not live: the node does not answer; last read";
  ui.liveState.dataset.live = String(live);
  ui.nodeBanner.hidden = live;
  if (!live) {
    ui.nodeBanner.textContent =
      `The node at ${state.config?.rpcUrl ?? "?"} does not answer: everything below is as of block ` +
      `${state.readBlock ?? "?"} and is not live. Minting and redeeming wait until it answers again.`;
  }
}

/** Asks the node for its block number every 2 s (3 s timeout); on no answer, "Not live" and a banner. */
export function startHealthWatch(): void {
  const check = async (): Promise<void> => {
    const read = state.read;
    if (!read) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ok = await Promise.race([
      read.send("eth_blockNumber", []).then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 3000))),
    ]);
    clearTimeout(timer);
    if (ok === !nodeDown) return;
    nodeDown = !ok;
    setLive(ok);
    if (ok) void requestRefresh();
  };
  setInterval(() => void check(), 2000);
}
