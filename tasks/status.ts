/**
 * ballast:status — every product at a glance: price, NAV, leverage, band, due action, venue margin ratio; what its
 * venue says of its account (protocol/venues: an Aave product's health factor, borrow and supply rates; a perp
 * product's funding rate); and for the operator: each market's oracle age, paused flags (mint, venue), the last
 * rebalance, the remaining bounty budget and the keeper's gas balance (the `keeper` named account, when the network
 * has one).
 *
 *   npx hardhat ballast:status --network localhost [--json]
 */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { fmtLev, fmtPct, fmtUsdc, fmtWad, table, toJson } from "../scripts/lib/format";
import { actionName, isAction } from "../protocol/actions";
import { productInfo } from "../protocol/products";
import type { VenueKind, VenueParameter } from "../protocol/venues";
import { amountText, explainTxError, loadSuite, venueValueText, withTaskErrors, type Suite } from "./lib";

const INT256_MAX = 2n ** 255n - 1n;

export interface ProductStatus {
  product: string;
  address: string;
  market: string;
  side: "long" | "short";
  active: boolean;
  price: bigint | null; // USD per base unit, WAD
  navPerShare: bigint | null; // USD, WAD
  leverage: bigint | null; // WAD
  minLeverage: bigint;
  targetLeverage: bigint;
  maxLeverage: bigint;
  ripcordLeverage: bigint;
  due: string; // NONE | REBALANCE | ITERATE | RIPCORD | ERROR: <reason>
  bounty: bigint | null; // collateral units (6 decimals) a keeper would earn now
  marginRatio: bigint | null; // WAD; null without a position
  liquidationPrice: bigint | null; // WAD; null without a position
  totalSupply: bigint; // shares, 18 decimals
  totalEquity: bigint | null; // collateral units
  error: string | null;
  mintPaused: boolean;
  venuePaused: boolean | null;
  lastRebalance: bigint; // unix seconds; 0 = never
  bountyBudget: bigint; // collateral units left to pay keepers in total
  oracleUpdatedAt: bigint | null; // unix seconds of the feed's last valid round
  oracleAgeSeconds: bigint | null; // at the status block
  oracleMaxAgeSeconds: bigint | null; // heartbeat + staleness buffer: older answers are refused
  oracleStale: boolean;
  /** The venue's kind and its values for this product's account (protocol/venues), e.g. an Aave health factor. */
  venueKind: VenueKind | null;
  venueValues: VenueParameter[];
  /** The same values by key, for --json readers. */
  venueAccount: Record<string, bigint>;
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** `now` is the status block's timestamp: ages are measured on the chain's clock. */
export async function collectStatus(suite: Suite, now: bigint): Promise<ProductStatus[]> {
  const { productVenueParameters } = await import("../protocol/venues");
  const rows: ProductStatus[] = [];
  for (const [symbol, token] of suite.products) {
    const address = await token.getAddress();
    const market = productInfo(symbol).market;
    const venue = suite.venues.get(symbol);
    const oracle = suite.oracles.get(market);
    const [state, supply, isLong, mintPaused] = await Promise.all([
      suite.rebalancer.tokenState(address),
      token.totalSupply(),
      token.isLong(),
      token.mintPaused(),
    ]);
    const methodology = state.methodology;
    const [venuePaused, lastValid, maxAge] = await Promise.all([
      venue ? settle(venue.paused()) : null,
      oracle ? settle(oracle.lastValidPrice()) : null,
      oracle ? settle(oracle.maxStaleness()) : null,
    ]);
    const updatedAt = lastValid?.ok ? lastValid.value[1] : null;
    const age = updatedAt === null ? null : now > updatedAt ? now - updatedAt : 0n;
    const maxAgeSeconds = maxAge?.ok ? maxAge.value : null;
    const [snapshot, nav, equity, due, bounty, active] = await Promise.all([
      settle(token.positionSnapshot()),
      settle(token.navPerShare()),
      settle(token.totalEquity()),
      settle(suite.rebalancer.shouldRebalance(address)),
      settle(suite.rebalancer.currentBounty(address)),
      settle(token.isActive()),
    ]);
    const [margin, liq] = venue
      ? await Promise.all([settle(venue.marginRatio(address)), settle(venue.liquidationPrice(address))])
      : [null, null];
    const venueValues = venue ? await settle(productVenueParameters(venue, address)) : null;
    const firstError = [snapshot, nav, due].find((r) => !r.ok);
    const size = snapshot.ok ? snapshot.value[0] : 0n;
    const lev = snapshot.ok && size !== 0n ? await settle(token.currentLeverage()) : null;
    rows.push({
      product: symbol,
      address,
      market,
      side: isLong ? "long" : "short",
      active: active.ok ? active.value : false,
      price: snapshot.ok ? snapshot.value[2] : null,
      navPerShare: nav.ok ? nav.value : null,
      leverage: lev === null ? (snapshot.ok ? 0n : null) : lev.ok ? lev.value : null,
      minLeverage: methodology.minLeverage,
      targetLeverage: methodology.targetLeverage,
      maxLeverage: methodology.maxLeverage,
      ripcordLeverage: methodology.ripcordLeverage,
      due: due.ok
        ? isAction(due.value)
          ? actionName(due.value)
          : `UNKNOWN(${due.value})`
        : `ERROR: ${explainTxError(due.error, suite.errors)}`,
      bounty: bounty.ok ? bounty.value : null,
      marginRatio: margin?.ok && margin.value !== INT256_MAX ? margin.value : null,
      liquidationPrice: liq?.ok && size !== 0n ? liq.value : null,
      totalSupply: supply,
      totalEquity: equity.ok ? equity.value : null,
      error: firstError && !firstError.ok ? explainTxError(firstError.error, suite.errors) : null,
      mintPaused,
      venuePaused: venuePaused?.ok ? venuePaused.value : null,
      lastRebalance: state.lastRebalance,
      bountyBudget: state.bounty.budget,
      oracleUpdatedAt: updatedAt,
      oracleAgeSeconds: age,
      oracleMaxAgeSeconds: maxAgeSeconds,
      oracleStale: age !== null && maxAgeSeconds !== null && age > maxAgeSeconds,
      venueKind: venueValues?.ok ? venueValues.value.kind : null,
      venueValues: venueValues?.ok ? venueValues.value.parameters : [],
      venueAccount: Object.fromEntries(
        (venueValues?.ok ? venueValues.value.parameters : []).map((q) => [q.key, q.value]),
      ),
    });
  }
  return rows;
}

const dash = (x: string | null): string => x ?? "-";

/** Seconds as "45s", "5m 03s", "2h 05m", "3d 04h". */
export function ageText(seconds: bigint): string {
  const s = Number(seconds);
  const pad = (n: number): string => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor((s % 86_400) / 3600))}h`;
}

/** "5m 03s ago", or "never" for a zero time. */
export function agoText(time: bigint, now: bigint): string {
  if (time === 0n) return "never";
  return `${ageText(now > time ? now - time : 0n)} ago`;
}

/** The sentence for a market whose feed is older than the oracle accepts. */
export function staleSentence(market: string, age: bigint, maxAge: bigint): string {
  return (
    `The ${market} price feed is stale: its last price is ${ageText(age)} old and the oracle accepts at most ` +
    `${ageText(maxAge)} (heartbeat + buffer), so mints, redeems and rebalances of its products are refused until it updates.`
  );
}

/** The operator's table: oracle age, paused flags, last rebalance, current bounty and the budget left to pay it. */
export function renderOperations(rows: readonly ProductStatus[], now: bigint, decimals = 6): string {
  return table(
    ["product", "oracle age", "feed", "mint", "venue", "last rebalance", "bounty now", "bounty budget USDC"],
    rows.map((r) => [
      r.product,
      dash(r.oracleAgeSeconds === null ? null : ageText(r.oracleAgeSeconds)),
      r.oracleStale ? "STALE" : r.oracleAgeSeconds === null ? "-" : "ok",
      r.mintPaused ? "paused" : "open",
      r.venuePaused === null ? "-" : r.venuePaused ? "paused" : "open",
      agoText(r.lastRebalance, now),
      dash(r.bounty === null ? null : amountText(r.bounty, decimals)),
      amountText(r.bountyBudget, decimals),
    ]),
  );
}

/** What each product's venue says of its account, as "label value" pairs (the columns differ by venue kind). */
export function renderVenueValues(rows: readonly ProductStatus[]): string {
  return table(
    ["product", "venue", "account on the venue"],
    rows.map((r) => [
      r.product,
      r.venueKind ?? "-",
      r.venueValues.map((q) => `${q.label} ${venueValueText(q)}`).join(", ") || "-",
    ]),
  );
}

export function renderStatus(rows: readonly ProductStatus[]): string {
  const body = rows.map((r) => [
    r.product,
    r.side,
    dash(r.price === null ? null : fmtWad(r.price, 2)),
    dash(r.navPerShare === null ? null : fmtWad(r.navPerShare, 4)),
    dash(r.leverage === null ? null : r.leverage === 0n ? "-" : fmtLev(r.leverage)),
    `${fmtWad(r.minLeverage, 2)}-${fmtWad(r.maxLeverage, 2)} (${fmtWad(r.targetLeverage, 2)})`,
    fmtWad(r.ripcordLeverage, 2),
    r.due.startsWith("ERROR") ? (r.oracleStale ? "stale feed" : "error") : r.due,
    dash(r.marginRatio === null ? null : fmtPct(r.marginRatio)),
    dash(r.liquidationPrice === null ? null : fmtWad(r.liquidationPrice, 2)),
    fmtWad(r.totalSupply, 2),
    dash(r.totalEquity === null ? null : fmtUsdc(r.totalEquity)),
    dash(r.bounty === null ? null : fmtUsdc(r.bounty)),
  ]);
  const out = [
    table(
      [
        "product",
        "side",
        "price",
        "NAV",
        "leverage",
        "band (target)",
        "ripcord",
        "due",
        "margin",
        "liq. price",
        "supply",
        "equity USDC",
        "bounty",
      ],
      body,
    ),
  ];
  const staleMarkets = new Set<string>();
  for (const r of rows) {
    if (r.oracleStale && r.oracleAgeSeconds !== null && r.oracleMaxAgeSeconds !== null) {
      if (!staleMarkets.has(r.market)) out.push(staleSentence(r.market, r.oracleAgeSeconds, r.oracleMaxAgeSeconds));
      staleMarkets.add(r.market);
      continue;
    }
    if (r.error || r.due.startsWith("ERROR")) out.push(`${r.product}: ${r.error ?? r.due.replace(/^ERROR: /, "")}`);
  }
  return out.join("\n");
}

interface Header {
  network: string;
  chainId: bigint;
  block: number;
  timestamp: number;
  rebalancer: string;
  /** The `keeper` named account and its gas balance (wei), when this network names one. */
  keeper: { address: string; balance: bigint } | null;
}

async function header(hre: HardhatRuntimeEnvironment, suite: Suite): Promise<Header> {
  const block = await hre.ethers.provider.getBlock("latest");
  const named = await hre.getNamedAccounts();
  const keeper = named.keeper
    ? { address: named.keeper, balance: await hre.ethers.provider.getBalance(named.keeper, block?.number) }
    : null;
  return {
    network: hre.network.name,
    chainId: (await hre.ethers.provider.getNetwork()).chainId,
    block: block?.number ?? 0,
    timestamp: block?.timestamp ?? 0,
    rebalancer: await suite.rebalancer.getAddress(),
    keeper,
  };
}

task(
  "ballast:status",
  "Every product: price, NAV, leverage, band, due action, margin; oracle age, paused flags, last rebalance, bounty budget, keeper gas",
)
  .addFlag("json", "print machine-readable JSON")
  .setAction(
    withTaskErrors("ballast:status", async (args: { json: boolean }, hre) => {
      const suite = await loadSuite(hre);
      const head = await header(hre, suite);
      const now = BigInt(head.timestamp);
      const rows = await collectStatus(suite, now);
      if (args.json) {
        console.log(toJson({ ...head, products: rows }, 2));
        return;
      }
      const decimals = Number(await suite.usdc.decimals());
      const when = new Date(head.timestamp * 1000).toISOString();
      console.log(
        `Ballast on ${head.network} (chain ${head.chainId}), block ${head.block} at ${when}; Rebalancer ${head.rebalancer}`,
      );
      console.log(
        head.keeper
          ? `keeper ${head.keeper.address}: gas balance ${amountText(head.keeper.balance, 18, "ETH")}`
          : "keeper: no `keeper` named account on this network (gas balance unknown)",
      );
      console.log(renderStatus(rows));
      console.log(
        "price, NAV, liq. price: USD; margin: venue equity / notional (liquidation below the maintenance ratio, see ballast:params); bounty: USDC a keeper earns now",
      );
      console.log("");
      console.log(renderVenueValues(rows));
      console.log(
        "health: the Aave account's health factor (liquidation below 1, inf without debt); borrow/yr, supply/yr: the Aave reserves' current variable borrow and supply rates; funding/yr: the perp market's funding rate (positive: longs pay)",
      );
      console.log("");
      console.log(renderOperations(rows, now, decimals));
      console.log(
        "oracle age: since the feed's last round (STALE: older than heartbeat + buffer); mint: the product's mint pause; venue: the venue's pause; bounty budget: USDC left to pay keepers",
      );
    }),
  );
