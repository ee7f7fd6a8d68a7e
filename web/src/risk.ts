/**
 * Risk and state, per product: leverage against the band and the ripcord (coloured and labelled), the venue's
 * liquidation price and margin ratio (`IVenue.liquidationPrice` / `marginRatio` of the product's account), the
 * oracle's age (`IOracleAdapter.lastValidPrice().updatedAt` against the chain's time and `maxStaleness()`), the fees
 * the product has paid (mint and redeem fees from its events, keeper bounties from the Rebalancer's), a decay and risk
 * warning, the chart and the rebalance list. Also the banners: a stale feed, and a node that does not answer.
 */
import {
  actionName,
  connectOracle,
  explainError,
  productInfo,
  venueOf,
  type IOracleAdapter,
  type IVenue,
} from "@ballast/protocol";
import { LEVERAGE_STATE_LABEL, ageText, feedAge, leverageState, type FeedAge } from "./bands";
import { chartSamples, renderChart } from "./charts";
import { copyable } from "./copy";
import { field, h } from "./dom";
import { leverage, percent, tokens, usd } from "./format";
import type { ChainHistory, ProductFlows, RebalanceRow } from "./history";
import { feeAmount } from "./position";
import type { ProductSnapshot, ProductStatic } from "./reader";
import { errorsIface, reader } from "./state";
import { WORST_YEARS } from "./worstYears";

const INT256_MAX = (1n << 255n) - 1n;

export interface RiskRead {
  /** Absent (with `venueError`) when the venue cannot value the account, e.g. without a current price. */
  liquidationPrice?: bigint;
  marginRatio?: bigint;
  venueError?: string;
  feed?: FeedAge & { updatedAt: bigint; maxStalenessRaw: bigint };
  feedError?: string;
}

const venues = new Map<string, Promise<{ venue: IVenue; oracle: IOracleAdapter }>>();

export function venueAndOracle(p: ProductStatic): Promise<{ venue: IVenue; oracle: IOracleAdapter }> {
  let v = venues.get(p.symbol);
  if (!v) {
    const runner = reader().runner;
    v = venueOf(p.token, runner).then(async (venue) => ({
      venue,
      oracle: connectOracle(await venue.oracle(), runner),
    }));
    v.catch(() => venues.delete(p.symbol));
    venues.set(p.symbol, v);
  }
  return v;
}

/** The venue's and the oracle's views for `p` at `blockNumber` (of time `blockTime`). */
export async function readRisk(p: ProductStatic, blockNumber: number, blockTime: bigint): Promise<RiskRead> {
  const { venue, oracle } = await venueAndOracle(p);
  const at = { blockTag: blockNumber };
  const out: RiskRead = {};
  try {
    [out.liquidationPrice, out.marginRatio] = await Promise.all([
      venue.liquidationPrice(p.address, at),
      venue.marginRatio(p.address, at),
    ]);
  } catch (e) {
    out.venueError = explainError(e, errorsIface());
  }
  try {
    const [[, updatedAt], maxStaleness] = await Promise.all([oracle.lastValidPrice(at), oracle.maxStaleness(at)]);
    out.feed = { ...feedAge(updatedAt, blockTime, maxStaleness), updatedAt, maxStalenessRaw: maxStaleness };
  } catch (e) {
    out.feedError = explainError(e, errorsIface());
  }
  return out;
}

const dateText = (unix: number | bigint): string =>
  new Date(Number(unix) * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");

/** Leverage now, coloured by its state, with the state in words (never colour alone). */
export function leverageBadge(s: ProductSnapshot, name = "leverage"): HTMLSpanElement {
  const st = leverageState(s.leverageWad, s.sizeWad !== undefined && s.sizeWad !== 0n, s.methodology);
  return h(
    "span",
    { class: `lev-state ${st}`, "data-state": st },
    field(name, s.leverageWad, s.leverageWad === undefined || st === "none" ? "—" : leverage(s.leverageWad)),
    h("span", { class: "lev-label" }, ` ${LEVERAGE_STATE_LABEL[st]}`),
  );
}

export function warningText(p: ProductStatic): string {
  const L = productInfo(p.symbol).leverage;
  const base =
    `Risk: ${p.symbol} can lose almost everything you put in. It keeps ${L}× leverage by selling after ` +
    `losses and buying after gains, so in a market that swings without trending it loses value even if ${p.market} ` +
    `ends where it started (decay), and funding, fees and trading costs are paid on the whole position.`;
  if (L < 3) return base;
  const sideSymbol = `BTC3${p.isLong ? "L" : "S"}`;
  const worst = WORST_YEARS[sideSymbol];
  const source = `Source: docs/backtest.md (per-year results in docs/backtest/${sideSymbol}-ballast-tick.txt).`;
  if (p.market === "BTC" && p.symbol === sideSymbol)
    return `${base} In the backtest over 2017–2025 the worst calendar years of ${p.symbol} were ${worst}. ${source}`;
  return (
    `${base} The backtest covers BTC only; for the same ${p.isLong ? "3× long" : "3× short"} rules its worst ` +
    `calendar years were ${worst}, and ${p.market} has moved more than BTC. ${source}`
  );
}

function feedRow(r: RiskRead): (Node | string)[] {
  if (!r.feed) return [`unavailable: ${r.feedError ?? "no answer"}`];
  const f = r.feed;
  return [
    "last answer at ",
    field("oracleUpdatedAt", f.updatedAt, dateText(f.updatedAt)),
    ", ",
    field("oracleAge", BigInt(f.ageSeconds), ageText(f.ageSeconds)),
    " old (refused after ",
    field("maxStaleness", f.maxStalenessRaw, ageText(f.maxStaleness)),
    "): ",
    h("strong", { class: f.stale ? "stale" : "fresh" }, f.stale ? "STALE" : "current"),
  ];
}

export function riskList(p: ProductStatic, s: ProductSnapshot, r: RiskRead | undefined, rError?: string): HTMLElement {
  const m = s.methodology;
  const noPosition = r?.marginRatio === INT256_MAX || s.sizeWad === 0n;
  const why = `unavailable (${rError ?? r?.venueError ?? "not read"})`;
  return h(
    "dl",
    { class: "since risk-state" },
    h("dt", {}, "Leverage now"),
    h(
      "dd",
      {},
      s.unavailable ? `unavailable (${s.unavailable})` : leverageBadge(s),
      ` — band ${leverage(m.minLeverage)}–${leverage(m.maxLeverage)}, ripcord at ${leverage(m.ripcordLeverage)}`,
    ),
    h("dt", {}, "Liquidation price"),
    h(
      "dd",
      {},
      !r || r.liquidationPrice === undefined
        ? why
        : field(
            "liquidationPrice",
            r.liquidationPrice,
            r.liquidationPrice === 0n
              ? noPosition
                ? "none (no position)"
                : "none: no price would liquidate it"
              : usd(r.liquidationPrice),
          ),
      r?.liquidationPrice && s.priceWad
        ? ` (${percent(((r.liquidationPrice - s.priceWad) * 10n ** 18n) / s.priceWad)} from ${usd(s.priceWad)})`
        : null,
    ),
    h("dt", {}, "Margin ratio (equity ÷ position)"),
    h(
      "dd",
      {},
      !r || r.marginRatio === undefined
        ? why
        : field(
            "marginRatio",
            r.marginRatio,
            noPosition ? "— (no position)" : `${percent(r.marginRatio).replace(/^\+/, "")}`,
          ),
    ),
    h("dt", {}, `${p.market} price feed`),
    h("dd", { class: "feed" }, ...(r ? feedRow(r) : ["unavailable"])),
  );
}

export function feeSummary(p: ProductStatic, flows: ProductFlows, rebalances: RebalanceRow[]): HTMLElement {
  const bounties = rebalances.reduce((a, r) => a + r.bounty, 0n);
  return h(
    "dl",
    { class: "since fee-summary" },
    h("dt", {}, "Mint fees (to the treasury)"),
    h("dd", {}, field("mintFeesPaid", flows.mintFees, feeAmount(flows.mintFees))),
    h("dt", {}, "Redeem fees (to the treasury)"),
    h("dd", {}, field("redeemFeesPaid", flows.redeemFees, feeAmount(flows.redeemFees))),
    h("dt", {}, "Keeper bounties (paid by the product)"),
    h("dd", {}, field("keeperBounties", bounties, feeAmount(bounties)), ` over ${rebalances.length} rebalance(s)`),
    h("dt", {}, "Streaming fee (tokens minted to the treasury)"),
    h("dd", {}, field("streamingFeeShares", flows.streamingFeeShares, tokens(flows.streamingFeeShares, p.symbol, 6))),
  );
}

export function rebalanceTable(p: ProductStatic, rows: RebalanceRow[]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "rebalance-list" }, `No rebalances of ${p.symbol} yet.`);
  return h(
    "div",
    { class: "table-wrap rebalance-list" },
    h(
      "table",
      { class: "history" },
      h("caption", {}, `${p.symbol} rebalances (RebalanceExecuted), newest first`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Time", "Action", "Leverage", "Trade (size)", "Keeper", "Bounty", "Transaction"].map((c) =>
            h("th", { scope: "col" }, c),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        ...[...rows]
          .reverse()
          .map((r) =>
            h(
              "tr",
              { "data-tx": r.txHash },
              h("td", { "data-label": "Time" }, r.time === null ? `block ${r.blockNumber}` : dateText(r.time)),
              h("td", { "data-label": "Action" }, actionName(r.action).toLowerCase()),
              h(
                "td",
                { "data-label": "Leverage" },
                field("leverageBefore", r.leverageBefore, leverage(r.leverageBefore)),
                " → ",
                field("leverageAfter", r.leverageAfter, leverage(r.leverageAfter)),
              ),
              h(
                "td",
                { "data-label": "Trade" },
                field("sizeDelta", r.sizeDelta, `${r.sizeDelta > 0n ? "+" : ""}${tokens(r.sizeDelta, p.market, 6)}`),
              ),
              h("td", { "data-label": "Keeper" }, copyable(r.keeper, "address")),
              h("td", { "data-label": "Bounty" }, field("bounty", r.bounty, feeAmount(r.bounty))),
              h("td", { "data-label": "Transaction" }, copyable(r.txHash, "transaction hash")),
            ),
          ),
      ),
    ),
  );
}

/** Fills the chart slot of an open panel (reads the samples first). */
export async function updateChart(
  p: ProductStatic,
  s: ProductSnapshot,
  history: ChainHistory,
  slot: HTMLElement,
  toBlock: number,
): Promise<void> {
  const { venue } = await venueAndOracle(p);
  const [data, rebalances] = await Promise.all([
    chartSamples(p, venue, history, toBlock),
    history.rebalances(p, toBlock),
  ]);
  if (data.length === 0) {
    slot.dataset.points = "0";
    if (!slot.querySelector(".chart-canvas")) slot.textContent = "No history yet: nobody has minted it.";
    return;
  }
  if (!slot.querySelector(".chart-canvas")) slot.textContent = "";
  renderChart(slot, p, s.methodology, data, rebalances);
}
