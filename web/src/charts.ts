/**
 * NAV, price and leverage over time for one product, from the chain: the blocks at which something happened to it
 * (its Minted / Redeemed events, the Rebalancer's RebalanceExecuted events, the feed's rounds (round data), and the
 * current head), each read back with historical calls (`positionSnapshot`, `navPerShare`, `currentLeverage` at that
 * block). Drawn with lightweight-charts (three panes), with the band, the target and the ripcord as price lines on
 * the leverage pane and each rebalance marked. A chart is read and drawn only while its panel is open.
 */
import {
  ColorType,
  LineSeries,
  LineStyle,
  createChart,
  createSeriesMarkers,
  type AutoscaleInfo,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type UTCTimestamp,
} from "lightweight-charts";
import { Action, connectOracle, formatAmount, type IVenue } from "@ballast/protocol";
import type { ChainHistory } from "./history";
import type { Methodology, ProductStatic } from "./reader";

export interface Sample {
  blockNumber: number;
  time: number;
  priceWad: bigint;
  navWad: bigint;
  leverageWad: bigint;
  hasPosition: boolean;
}

interface Drawn {
  chart: IChartApi;
  nav: ISeriesApi<"Line">;
  price: ISeriesApi<"Line">;
  leverage: ISeriesApi<"Line">;
  markers: ISeriesMarkersPluginApi<UTCTimestamp>;
  bandKey: string;
}

const MAX_SAMPLES = 300;
const samples = new Map<string, Promise<Sample | null>>();
const drawn = new Map<string, Drawn>();

/** A WAD value as a float, for drawing only (every shown number is exact elsewhere). */
const num = (wad: bigint): number => Number(formatAmount(wad, 18, 8).replace(/,/g, ""));

function sampleAt(p: ProductStatic, history: ChainHistory, blockNumber: number): Promise<Sample | null> {
  const key = `${p.address}:${blockNumber}`;
  let s = samples.get(key);
  if (!s) {
    const at = { blockTag: blockNumber };
    s = Promise.all([
      p.token.positionSnapshot(at),
      p.token.navPerShare(at),
      p.token.currentLeverage(at),
      history.blockTime(blockNumber),
    ]).then(
      ([position, nav, lev, time]): Sample | null =>
        time === null
          ? null
          : {
              blockNumber,
              time,
              priceWad: position.price,
              navWad: nav,
              leverageWad: lev,
              hasPosition: position.size !== 0n,
            },
      // No price at that block (a stale feed): no point there.
      () => null,
    );
    samples.set(key, s);
  }
  return s;
}

/** The product's samples from its first mint to `toBlock`, oldest first. */
export async function chartSamples(
  p: ProductStatic,
  venue: IVenue,
  history: ChainHistory,
  toBlock: number,
): Promise<Sample[]> {
  const flows = await history.productFlows(p, toBlock);
  const first = flows.events[0];
  if (!first) return [];
  const [rebalances, feed] = await Promise.all([
    history.rebalances(p, toBlock),
    venue.oracle().then((o) => connectOracle(o, history.provider).feed()),
  ]);
  const answers = await history.roundBlocks(feed, first.blockNumber, toBlock).catch(() => [] as number[]);
  const blocks = new Set<number>([
    ...flows.events.map((e) => e.blockNumber),
    ...rebalances.map((r) => r.blockNumber),
    ...answers.filter((b) => b >= first.blockNumber),
    toBlock,
  ]);
  const chosen = [...blocks].sort((a, b) => a - b).slice(-MAX_SAMPLES);
  const read = await Promise.all(chosen.map((b) => sampleAt(p, history, b)));
  const out: Sample[] = [];
  for (const s of read) {
    if (!s) continue;
    // One point per second: a later block at the same time replaces the earlier one.
    if (out.length > 0 && out[out.length - 1]!.time >= s.time) out.pop();
    out.push(s);
  }
  return out;
}

function draw(slot: HTMLElement): Drawn {
  const canvas = document.createElement("div");
  canvas.className = "chart-canvas";
  slot.append(canvas);
  const chart = createChart(canvas, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: "#ffffff" }, textColor: "#111827", attributionLogo: true },
    grid: { vertLines: { color: "#e5e7eb" }, horzLines: { color: "#e5e7eb" } },
    timeScale: { timeVisible: true, secondsVisible: true },
    rightPriceScale: { borderColor: "#d1d5db" },
  });
  const nav = chart.addSeries(LineSeries, { color: "#1d4ed8", lineWidth: 2, title: "NAV $" }, 0);
  const price = chart.addSeries(LineSeries, { color: "#374151", lineWidth: 2, title: "price $" }, 1);
  const leverage = chart.addSeries(LineSeries, { color: "#065f46", lineWidth: 2, title: "leverage ×" }, 2);
  chart.panes()[2]?.setStretchFactor(1.6);
  const markers = createSeriesMarkers(
    leverage,
    [] as SeriesMarker<UTCTimestamp>[],
  ) as ISeriesMarkersPluginApi<UTCTimestamp>;
  return { chart, nav, price, leverage, markers, bandKey: "" };
}

function bandLines(d: Drawn, m: Methodology): void {
  const key = [m.minLeverage, m.maxLeverage, m.targetLeverage, m.ripcordLeverage].join(",");
  if (d.bandKey === key) return;
  for (const line of d.leverage.priceLines()) d.leverage.removePriceLine(line);
  // The pane's scale always shows the band and the ripcord, wherever leverage is.
  const low = num(m.minLeverage) * 0.9;
  const high = num(m.ripcordLeverage) * 1.05;
  d.leverage.applyOptions({
    autoscaleInfoProvider: (original: () => AutoscaleInfo | null): AutoscaleInfo => {
      const r = original();
      return {
        priceRange: {
          minValue: Math.min(r?.priceRange?.minValue ?? low, low),
          maxValue: Math.max(r?.priceRange?.maxValue ?? high, high),
        },
      };
    },
  });
  const line = (price: bigint, title: string, color: string, lineStyle: LineStyle): void => {
    d.leverage.createPriceLine({ price: num(price), title, color, lineStyle, lineWidth: 1, axisLabelVisible: true });
  };
  line(m.minLeverage, "band low", "#92400e", LineStyle.Dashed);
  line(m.maxLeverage, "band high", "#92400e", LineStyle.Dashed);
  line(m.targetLeverage, "target", "#6b7280", LineStyle.Dotted);
  line(m.ripcordLeverage, "ripcord", "#991b1b", LineStyle.Solid);
  d.bandKey = key;
}

/**
 * Draws (or updates) the chart in `slot` from `data`; the slot's data attributes carry what was drawn (sample count,
 * last block, the band's raw values) for the browser test.
 */
export function renderChart(
  slot: HTMLElement,
  p: ProductStatic,
  m: Methodology,
  data: Sample[],
  rebalanceTimes: { time: number | null; action: Action; leverageBefore: bigint; leverageAfter: bigint }[],
): void {
  let d = drawn.get(p.symbol);
  if (!d) {
    d = draw(slot);
    drawn.set(p.symbol, d);
  }
  bandLines(d, m);
  const t = (s: Sample) => s.time as UTCTimestamp;
  d.nav.setData(data.map((s) => ({ time: t(s), value: num(s.navWad) })));
  d.price.setData(data.map((s) => ({ time: t(s), value: num(s.priceWad) })));
  d.leverage.setData(data.filter((s) => s.hasPosition).map((s) => ({ time: t(s), value: num(s.leverageWad) })));
  const times = new Set(data.map((s) => s.time));
  d.markers.setMarkers(
    rebalanceTimes
      .filter((r) => r.time !== null && times.has(r.time))
      .map((r) => ({
        time: r.time as UTCTimestamp,
        position: "aboveBar" as const,
        shape: "circle" as const,
        color: r.action === Action.RIPCORD ? "#991b1b" : "#1d4ed8",
        text: `${r.action === Action.RIPCORD ? "ripcord" : "rebalance"} ${formatAmount(r.leverageBefore, 18, 2)}→${formatAmount(r.leverageAfter, 18, 2)}×`,
      })),
  );
  d.chart.timeScale().fitContent();
  const last = data[data.length - 1];
  slot.dataset.points = String(data.length);
  slot.dataset.band = [m.minLeverage, m.maxLeverage, m.ripcordLeverage].join(",");
  slot.dataset.lastBlock = last ? String(last.blockNumber) : "";
  slot.dataset.lastNav = last ? last.navWad.toString() : "";
  slot.dataset.markers = String(rebalanceTimes.filter((r) => r.time !== null && times.has(r.time)).length);
}
