/** The products table: one row per product, live from the contracts. */
import { Action, WAD } from "@ballast/protocol";
import { LEVERAGE_STATE_LABEL, leverageState } from "./bands";
import { field, h, replaceChildren } from "./dom";
import { el } from "./elements";
import { leverage, tokens, usd } from "./format";
import type { ProductSnapshot, ProductStatic } from "./reader";
import { reader, state } from "./state";

/**
 * Where a rebalance takes leverage `lev` (Rebalancer._aim): the nearer edge of the inner band from outside it, the
 * target from inside it or without one.
 */
export function aim(m: ProductSnapshot["methodology"], lev: bigint): bigint {
  const target = m.targetLeverage;
  if (m.innerBand === 0n) return target;
  const high = target + ((m.maxLeverage - target) * m.innerBand) / WAD;
  if (lev > high) return high;
  const low = target - ((target - m.minLeverage) * m.innerBand) / WAD;
  return lev < low ? low : target;
}

/** The "Next rebalance" cell: what the Rebalancer says is due, and why. */
export function actionText(s: ProductSnapshot): string {
  if (s.action === undefined || s.leverageWad === undefined) return "—";
  const m = s.methodology;
  switch (s.action) {
    case Action.NONE:
      return s.sizeWad === 0n ? "None (no position yet)" : "None: inside the band";
    case Action.REBALANCE:
      return s.leverageWad < m.minLeverage || s.leverageWad > m.maxLeverage
        ? `Rebalance to ${leverage(aim(m, s.leverageWad))}: outside the band`
        : `Rebalance to ${leverage(aim(m, s.leverageWad))}: interval passed`;
    case Action.ITERATE:
      return "Continue a chunked rebalance";
    case Action.RIPCORD:
      return `Ripcord: emergency de-leverage to ${leverage(m.targetLeverage)}`;
    default:
      return `Unknown (${String(s.action)})`;
  }
}

/** Mint / Redeem for this product: selects it in the forms and takes the reader there (phone: first screen). */
function tradeCell(p: ProductStatic): HTMLTableCellElement {
  const button = (kind: "mint" | "redeem", text: string): HTMLButtonElement =>
    h(
      "button",
      {
        type: "button",
        class: kind === "mint" ? "quick" : "quick secondary",
        "data-trade": kind,
        "data-product": p.symbol,
      },
      `${text} ${p.symbol}`,
    );
  return h(
    "td",
    { "data-label": "Trade", class: "trade-cell" },
    button("mint", "Mint"),
    " ",
    button("redeem", "Redeem"),
  );
}

/** Leverage now, coloured by its state against the band and the ripcord, with the state in words. */
function leverageCell(s: ProductSnapshot): HTMLSpanElement {
  const st = leverageState(s.leverageWad, s.sizeWad !== undefined && s.sizeWad !== 0n, s.methodology);
  return h(
    "span",
    { class: `lev-state ${st}`, "data-state": st },
    field("leverage", s.leverageWad, s.sizeWad === 0n ? "— (no position)" : leverage(s.leverageWad ?? 0n)),
    st === "none" ? null : h("span", { class: "lev-label" }, ` ${LEVERAGE_STATE_LABEL[st]}`),
  );
}

const td = (label: string, ...c: (Node | string | null)[]): HTMLTableCellElement =>
  h("td", { "data-label": label }, ...c);

function row(p: ProductStatic, s: ProductSnapshot | undefined): HTMLTableRowElement {
  const head = h(
    "th",
    { scope: "row", "data-label": "Product" },
    h("span", { class: "symbol" }, p.symbol),
    h("span", { class: "sub" }, p.name),
  );
  if (!s) return h("tr", {}, head, td("Status", "Loading…"));
  const m = s.methodology;
  const balance = s.balance === null ? "—" : tokens(s.balance, p.symbol);
  const value = s.balance === null || s.navWad === undefined ? "—" : usd((s.balance * s.navWad) / WAD);
  const band = [
    field("minLeverage", m.minLeverage, leverage(m.minLeverage)),
    "–",
    field("maxLeverage", m.maxLeverage, leverage(m.maxLeverage)),
    " (",
    field("ripcordLeverage", m.ripcordLeverage, leverage(m.ripcordLeverage)),
    ")",
  ];
  const closed = s.active === false ? h("span", { class: "badge warn" }, "closed") : null;
  const paused = s.mintPaused ? h("span", { class: "badge warn" }, "mint paused") : null;
  if (s.unavailable) {
    return h(
      "tr",
      { "data-symbol": p.symbol },
      head,
      h("td", { colspan: "6", "data-label": "Status", class: "unavailable" }, `Price unavailable: ${s.unavailable}`),
      td("Your balance", balance),
      td("Value at NAV", "—"),
      tradeCell(p),
    );
  }
  return h(
    "tr",
    { "data-symbol": p.symbol },
    head,
    td(
      "Underlying price",
      field(
        "price",
        s.priceWad,
        // A product without a position is valued without a price: its snapshot then says 0 when the feed has none.
        s.priceWad === undefined ? "—" : s.priceWad === 0n ? "— (no current price)" : usd(s.priceWad),
      ),
    ),
    td(
      "NAV per token",
      h("span", { class: "nav" }, field("nav", s.navWad, s.navWad === undefined ? "—" : usd(s.navWad, 4))),
      closed,
      paused,
    ),
    td("Leverage now", leverageCell(s)),
    td("Target", field("targetLeverage", m.targetLeverage, leverage(m.targetLeverage))),
    td("Band (ripcord)", ...band),
    td("Next rebalance", actionText(s)),
    td("Your balance", h("span", { class: "balance" }, balance)),
    td("Value at NAV", h("span", { class: "value" }, value)),
    tradeCell(p),
  );
}

export function renderTable(): void {
  const rows = reader().products.map((p) => row(p, state.snapshots.get(p.symbol)));
  replaceChildren(el.productsBody, ...rows);
  // The block the rows were read at (the chain's head when this refresh began): the browser test waits for it.
  if (state.readBlock !== null) el.productsBody.dataset.block = String(state.readBlock);
  el.blockNumber.textContent = state.block === null ? "" : ` (block ${state.block})`;
}

/** The table's placeholder when there is nothing to show. */
export function renderNoDeployments(): void {
  replaceChildren(el.productsBody, h("tr", {}, h("td", { colspan: "10" }, "No deployments.")));
}
