/**
 * ballast:status — every product at a glance: price, NAV, leverage, band, due action, venue margin ratio.
 *
 *   npx hardhat ballast:status --network localhost [--json]
 */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { fmtLev, fmtPct, fmtUsdc, fmtWad, table, toJson } from "../scripts/lib/format";
import { actionName, isAction } from "../protocol/actions";
import { productInfo } from "../protocol/products";
import { explainTxError, loadSuite, type Suite } from "./lib";

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
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

export async function collectStatus(suite: Suite): Promise<ProductStatus[]> {
  const rows: ProductStatus[] = [];
  for (const [symbol, token] of suite.products) {
    const address = await token.getAddress();
    const market = productInfo(symbol).market;
    const venue = suite.venues.get(symbol);
    const [methodology, supply, isLong] = await Promise.all([
      suite.rebalancer.methodology(address),
      token.totalSupply(),
      token.isLong(),
    ]);
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
    });
  }
  return rows;
}

const dash = (x: string | null): string => x ?? "-";

export function renderStatus(rows: readonly ProductStatus[]): string {
  const body = rows.map((r) => [
    r.product,
    r.side,
    dash(r.price === null ? null : fmtWad(r.price, 2)),
    dash(r.navPerShare === null ? null : fmtWad(r.navPerShare, 4)),
    dash(r.leverage === null ? null : r.leverage === 0n ? "-" : fmtLev(r.leverage)),
    `${fmtWad(r.minLeverage, 2)}-${fmtWad(r.maxLeverage, 2)} (${fmtWad(r.targetLeverage, 2)})`,
    fmtWad(r.ripcordLeverage, 2),
    r.due.startsWith("ERROR") ? "ERROR" : r.due,
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
  for (const r of rows) if (r.error || r.due.startsWith("ERROR")) out.push(`${r.product}: ${r.error ?? r.due}`);
  return out.join("\n");
}

async function header(
  hre: HardhatRuntimeEnvironment,
  suite: Suite,
): Promise<{ network: string; chainId: bigint; block: number; timestamp: number; rebalancer: string }> {
  const block = await hre.ethers.provider.getBlock("latest");
  return {
    network: hre.network.name,
    chainId: (await hre.ethers.provider.getNetwork()).chainId,
    block: block?.number ?? 0,
    timestamp: block?.timestamp ?? 0,
    rebalancer: await suite.rebalancer.getAddress(),
  };
}

task("ballast:status", "Every product: price, NAV, leverage, band, due action, venue margin ratio")
  .addFlag("json", "print machine-readable JSON")
  .setAction(async (args: { json: boolean }, hre) => {
    const suite = await loadSuite(hre);
    const head = await header(hre, suite);
    const rows = await collectStatus(suite);
    if (args.json) {
      console.log(toJson({ ...head, products: rows }, 2));
      return;
    }
    const when = new Date(head.timestamp * 1000).toISOString();
    console.log(
      `Ballast on ${head.network} (chain ${head.chainId}), block ${head.block} at ${when}; Rebalancer ${head.rebalancer}`,
    );
    console.log(renderStatus(rows));
    console.log(
      "price, NAV, liq. price: USD; margin: venue equity / notional (liquidation below the maintenance ratio, see ballast:params); bounty: USDC a keeper earns now",
    );
  });
