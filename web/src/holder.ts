/**
 * "Your position": per product the connected account holds or has traded, what a redeem of everything pays now
 * (`previewRedeem(balance)`, after the redeem fee — not balance × NAV), the cost basis and PnL from the account's own
 * Minted / Redeemed events (average cost, position.ts), and the list of those events. Every number is read at one
 * block (the card's data-block), so the browser test can compare it with the chain at that block.
 */
import { exact, percent, tokens, usdc } from "./format";
import { copyable } from "./copy";
import { field, h } from "./dom";
import type { ChainHistory } from "./history";
import { costBasis, feeAmount, pnl, signedUsdc, type HolderEvent } from "./position";
import type { ProductStatic } from "./reader";

export interface PositionRead {
  product: ProductStatic;
  blockNumber: number;
  balance: bigint;
  /** previewRedeem(balance) at the block; undefined (with `unavailable`) when it reverts, e.g. a stale feed. */
  redeemValue?: bigint;
  unavailable?: string;
  events: HolderEvent[];
}

/** The account's balance, redeem preview and events for `p` at `blockNumber`; null when it never held any. */
export async function readPosition(
  p: ProductStatic,
  account: string,
  history: ChainHistory,
  blockNumber: number,
  explain: (e: unknown) => string,
): Promise<PositionRead | null> {
  const at = { blockTag: blockNumber };
  const [balance, events] = await Promise.all([
    p.token.balanceOf(account, at),
    history.holderEvents(p, account, blockNumber),
  ]);
  if (balance === 0n && events.length === 0) return null;
  const out: PositionRead = { product: p, blockNumber, balance, events };
  try {
    out.redeemValue = balance === 0n ? 0n : await p.token.previewRedeem(balance, at);
  } catch (e) {
    out.unavailable = explain(e);
  }
  return out;
}

const dateText = (unix: number | null, block: number): string =>
  unix === null
    ? `block ${block}`
    : new Date(unix * 1000)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, " UTC");

function pctField(name: string, fraction: bigint | null): HTMLSpanElement {
  return field(name, fraction, fraction === null ? "—" : percent(fraction));
}

function historyTable(r: PositionRead): HTMLElement {
  const p = r.product;
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "history holder-history" },
      h("caption", {}, `Your ${p.symbol} mints and redeems (Minted / Redeemed events), newest first`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Time", "Action", "USDC", "Tokens", "Fee", "Transaction"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        ...[...r.events]
          .reverse()
          .map((e) =>
            h(
              "tr",
              { "data-tx": e.txHash, "data-kind": e.kind, "data-block": String(e.blockNumber) },
              h("td", { "data-label": "Time" }, dateText(e.time, e.blockNumber)),
              h("td", { "data-label": "Action" }, e.kind === "mint" ? "Mint" : "Redeem"),
              h(
                "td",
                { "data-label": e.kind === "mint" ? "Paid" : "Received" },
                field("collateral", e.collateral, usdc(e.collateral)),
              ),
              h("td", { "data-label": "Tokens" }, field("shares", e.shares, tokens(e.shares, p.symbol))),
              h("td", { "data-label": "Fee" }, field("fee", e.fee, feeAmount(e.fee))),
              h("td", { "data-label": "Transaction" }, copyable(e.txHash, "transaction hash")),
            ),
          ),
      ),
    ),
  );
}

export function positionCard(r: PositionRead): HTMLElement {
  const p = r.product;
  const basis = costBasis(r.events);
  const summary =
    r.redeemValue === undefined
      ? h("p", { class: "unavailable" }, `What a redeem pays now: unavailable (${r.unavailable ?? "no price"}).`)
      : (() => {
          const x = pnl(basis, r.redeemValue);
          return h(
            "dl",
            { class: "since position-summary" },
            h("dt", {}, "Your balance"),
            h("dd", {}, field("balance", r.balance, tokens(r.balance, p.symbol))),
            h("dt", {}, "A redeem of everything pays now"),
            h(
              "dd",
              {},
              h("strong", {}, field("redeemValue", x.redeemValue, usdc(x.redeemValue))),
              " (previewRedeem of your balance, after the redeem fee)",
            ),
            h("dt", {}, "Cost basis of what you hold"),
            h("dd", {}, field("openCost", basis.openCost, usdc(basis.openCost))),
            h("dt", {}, "PnL if you redeem everything now"),
            h(
              "dd",
              { class: x.unrealized < 0n ? "loss" : "gain" },
              field("unrealizedPnl", x.unrealized, signedUsdc(x.unrealized)),
              " (",
              pctField("unrealizedPnlPct", x.unrealizedFractionWad),
              ")",
            ),
            h("dt", {}, "Realised PnL (past redeems)"),
            h("dd", {}, field("realizedPnl", x.realized, signedUsdc(x.realized))),
            h("dt", {}, "Total PnL"),
            h(
              "dd",
              {},
              field("totalPnl", x.total, signedUsdc(x.total)),
              " (",
              pctField("totalPnlPct", x.totalFractionWad),
              " of the USDC paid in)",
            ),
            h("dt", {}, "USDC paid in / received"),
            h(
              "dd",
              {},
              field("paidIn", basis.paidIn, usdc(basis.paidIn)),
              " / ",
              field("paidOut", basis.paidOut, usdc(basis.paidOut)),
            ),
            h("dt", {}, "Fees you paid (mint and redeem)"),
            h("dd", {}, field("feesPaid", basis.fees, feeAmount(basis.fees))),
          );
        })();
  const transferred =
    basis.sharesFromEvents !== r.balance
      ? h(
          "p",
          { class: "help" },
          `Your balance differs from your mints minus redeems (${exact(basis.sharesFromEvents, 18, p.symbol)}): ` +
            `tokens that came by transfer count in the redeem value with no cost; tokens sent away keep their cost.`,
        )
      : null;
  return h(
    "article",
    { class: "card position", "data-symbol": p.symbol, "data-block": String(r.blockNumber) },
    h("h3", {}, `${p.symbol} — ${p.name}`),
    summary,
    transferred,
    historyTable(r),
  );
}
