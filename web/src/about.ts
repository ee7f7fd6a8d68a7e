/** "What these tokens are": per product, the rules (methodology and fees) and the decay it has paid since launch. */
import { formatAmount } from "@ballast/protocol";
import { field, h, replaceChildren } from "./dom";
import { el } from "./elements";
import { humanDuration, leverage, percent, ratePct, usd } from "./format";
import type { ProductSnapshot, ProductStatic } from "./reader";
import { reader, state } from "./state";

/** One collapsed panel per product, filled in by `renderAbout`. */
export function buildAbout(): void {
  const panels = reader().products.map((p) =>
    h(
      "details",
      { class: "about", id: `about-${p.symbol}`, "data-symbol": p.symbol },
      h("summary", {}, `${p.symbol} — ${p.name}`),
      h("div", { class: "about-body" }, "Loading…"),
    ),
  );
  replaceChildren(el.about, ...panels);
}

export function renderAbout(): void {
  for (const p of reader().products) {
    const s = state.snapshots.get(p.symbol);
    const body = el.about.querySelector<HTMLDivElement>(`#about-${p.symbol} .about-body`);
    if (!s || !body) continue;
    const m = s.methodology;
    body.dataset.block = state.readBlock === null ? "" : String(state.readBlock);
    replaceChildren(
      body,
      h("h3", {}, "Rules"),
      rules(p, s),
      h("h3", {}, "Since launch"),
      sinceLaunch(p, s),
      h(
        "p",
        { class: "help" },
        `Decay = NAV ÷ (1 ${p.isLong ? "+" : "−"} ${formatAmount(m.targetLeverage, 18, 0)} × r) − 1, where r is ${p.market}'s ` +
          `return since the first mint (venue mark price then and now) and $1 is the launch NAV.`,
      ),
    );
  }
}

/** The methodology and fees in words; every number is a named field (`data-field`, `data-raw`). */
function rules(p: ProductStatic, s: ProductSnapshot): HTMLUListElement {
  const m = s.methodology;
  const L = leverage(m.targetLeverage);
  const f = s.fees;
  return h(
    "ul",
    {},
    h(
      "li",
      {},
      `Each ${p.symbol} is an equal share of one `,
      field("targetLeverage", m.targetLeverage, L),
      ` ${p.isLong ? "long" : "short"} ${p.market}-USD position on the product's venue (a perpetual-futures market, ` +
        "or a money market for the products on Aave: the asset bought supplied, the other borrowed). " +
        `NAV per token = the position's equity ÷ tokens. You mint and redeem at NAV, paying your own trading costs.`,
    ),
    h(
      "li",
      {},
      `Leverage drifts as ${p.market} moves. Anyone (a keeper) may bring it back to ${L} when it leaves the band `,
      field("minLeverage", m.minLeverage, leverage(m.minLeverage)),
      "–",
      field("maxLeverage", m.maxLeverage, leverage(m.maxLeverage)),
      ", or once a ",
      field("interval", m.interval, humanDuration(m.interval)),
      " has passed and it is more than ",
      field("tolerance", m.tolerance, leverage(m.tolerance)),
      " away from target.",
    ),
    h(
      "li",
      {},
      "Ripcord: at ",
      field("ripcordLeverage", m.ripcordLeverage, leverage(m.ripcordLeverage)),
      ` or above, an emergency trade takes it straight back to ${L}.`,
    ),
    h(
      "li",
      {},
      "Rebalance trades are at most ",
      field(
        "maxTradeNotional",
        m.maxTradeNotional,
        m.maxTradeNotional === 0n ? "unlimited" : usd(m.maxTradeNotional, 0),
      ),
      " per call (larger ones continue in further calls) and must fill within ",
      field("maxSlippage", m.maxSlippage, ratePct(m.maxSlippage)),
      " of the oracle price.",
    ),
    h(
      "li",
      {},
      "Fees: ",
      field("mintFeeRate", f.mintFeeRate, ratePct(f.mintFeeRate)),
      " to mint, ",
      field("redeemFeeRate", f.redeemFeeRate, ratePct(f.redeemFeeRate)),
      " to redeem, ",
      field("streamingFeeRate", f.streamingFeeRate, ratePct(f.streamingFeeRate)),
      " a year while you hold. Redeeming is never paused.",
    ),
    h(
      "li",
      {},
      "Size limit: a mint may leave the product with at most ",
      field("equityCap", s.equityCap, usd(s.equityCap, 0)),
      " of equity (it holds ",
      field("equity", s.equityWad, s.equityWad === undefined ? "—" : usd(s.equityWad)),
      " now).",
    ),
    h(
      "li",
      { class: "exit-guarantee" },
      `Your exit: while the position is open, a redeem needs a current oracle price. If the price feed stops, the ` +
        `owner may wind ${p.symbol} down at once, and anyone may after `,
      field("outageWindDownDelay", s.outageWindDownDelay, humanDuration(s.outageWindDownDelay)),
      ` of silence: the position closes at the feed's last valid price. A product without a position (wound down ` +
        `or liquidated) redeems with no price at all, whatever the oracle's state.`,
    ),
  );
}

/** The decay paid since launch, or why it cannot be shown. */
function sinceLaunch(p: ProductStatic, s: ProductSnapshot): HTMLElement {
  if (s.totalSupply === 0n) return h("p", {}, "Not launched yet: nobody has minted it, so it has paid no decay.");
  if (!s.launch || !s.decay || s.navWad === undefined || s.priceWad === undefined) {
    return h(
      "p",
      {},
      s.unavailable
        ? `Since launch: unavailable (${s.unavailable})`
        : "Since launch: the launch price could not be read from this node's history.",
    );
  }
  const d = s.decay;
  const count = state.rebalances.get(p.symbol);
  return h(
    "dl",
    { class: "since" },
    h("dt", {}, "Launched"),
    h("dd", {}, `block ${s.launch.firstMintBlock} (first mint), NAV $1.0000`),
    h("dt", {}, `${p.market} since launch`),
    h("dd", {}, `${usd(s.launch.launchPriceWad)} → ${usd(s.priceWad)} (${percent(d.underlyingReturnWad)})`),
    h("dt", {}, "NAV since launch"),
    h("dd", {}, `$1.0000 → ${usd(s.navWad, 4)} (${percent(d.navReturnWad)})`),
    h("dt", {}, `A one-off ${leverage(s.methodology.targetLeverage)} ${p.isLong ? "long" : "short"} from launch`),
    h("dd", {}, d.benchmarkNavWad === null ? "would have been wiped out" : `would be at ${usd(d.benchmarkNavWad, 4)}`),
    h("dt", {}, "Decay paid since launch"),
    h(
      "dd",
      { class: "decay" },
      d.decayWad === null ? "n/a" : percent(d.decayWad),
      " — rebalancing in moving markets, funding or interest, fees and trading costs, together",
    ),
    h("dt", {}, "Rebalances so far"),
    h("dd", {}, count === undefined ? "—" : String(count)),
  );
}
