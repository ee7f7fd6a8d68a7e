/**
 * A hand-written SVG: price (log scale), the holder's NAV against theory (log scale, each window rebased to 1), and
 * leverage against the band (min, target, max, ripcord) with the highest leverage the venue saw inside each candle.
 * Window starts are dotted lines; liquidations are red markers. Ticks are round numbers with units (scripts/backtest/
 * ticks.ts), the NAV panel has a line at 1.0 (the window's start), every panel a legend.
 */
import { writeFileSync } from "fs";
import type { WindowResult } from "./engine";
import { dateTicks, formatTimes, formatUsd, linearTicks, logTicks, spreadLabels } from "./ticks";

const W = 1200;
const PANEL = 220;
const GAP = 40;
const LEFT = 60;
const RIGHT = 110; // room for the band labels
/** NAV axis floor: a liquidated window's NAV goes to 0, which a log axis cannot show; lower values sit on the floor. */
const NAV_FLOOR = 0.001;
const TOP = 40;

interface Pt {
  t: number;
  price: number;
  nav: number;
  theory: number;
  lev: number;
  maxLev: number;
  w: number; // window index: lines break between windows
}

interface Series {
  name: string; // in the legend
  values: number[];
  color: string;
  width?: number;
  dash?: string;
  breakAtWindows?: boolean;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderChart(title: string, windows: WindowResult[], maxPoints = 2400): string {
  const pts: Pt[] = [];
  const starts: number[] = [];
  windows.forEach((w, wi) => {
    starts.push(w.from);
    for (const p of w.chart) {
      pts.push({
        t: p.t,
        price: p.price,
        nav: p.nav / w.startNav,
        theory: p.theory / w.startNav,
        lev: p.leverage,
        maxLev: p.maxLeverage,
        w: wi,
      });
    }
  });
  if (pts.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="100"><text x="10" y="50">no data</text></svg>`;
  // Downsample in buckets, keeping each bucket's last point and its highest leverage.
  const k = Math.max(1, Math.ceil(pts.length / maxPoints));
  const ds: Pt[] = [];
  for (let i = 0; i < pts.length; i += k) {
    const bucket = pts.slice(i, i + k);
    const lastP = bucket[bucket.length - 1];
    ds.push({ ...lastP, maxLev: Math.max(...bucket.map((p) => p.maxLev)) });
  }
  const t0 = pts[0].t - 7200;
  const t1 = pts[pts.length - 1].t;
  const x = (t: number) => LEFT + ((t - t0) / (t1 - t0 || 1)) * (W - LEFT - RIGHT);
  const m = windows[0].methodology;
  const band = {
    min: Number(m.minLeverage) / 1e18,
    target: Number(m.targetLeverage) / 1e18,
    max: Number(m.maxLeverage) / 1e18,
    rip: Number(m.ripcordLeverage) / 1e18,
  };
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${TOP + 3 * (PANEL + GAP) + 20}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  const dates = dateTicks(t0, t1, 12);

  const panel = (
    i: number,
    label: string,
    series: Series[],
    axis: { log: boolean; format: (v: number) => string; floor?: number },
    hlines: { v: number; color: string; label: string; dash?: string }[] = [],
  ) => {
    const { log } = axis;
    const y0 = TOP + i * (PANEL + GAP);
    const all = series
      .flatMap((s) => s.values)
      .concat(hlines.map((h) => h.v))
      .filter((v) => Number.isFinite(v) && (!log || v > 0));
    let lo = Math.min(...all);
    let hi = Math.max(...all);
    if (axis.floor !== undefined) lo = Math.max(lo, axis.floor);
    if (lo === hi) [lo, hi] = [lo * 0.9 - 1e-9, hi * 1.1 + 1e-9];
    const f = (v: number) => (log ? Math.log(Math.max(v, lo)) : v);
    const flo = f(lo);
    const fhi = f(hi);
    const y = (v: number) => y0 + PANEL - ((f(v) - flo) / (fhi - flo || 1)) * PANEL;
    parts.push(`<rect x="${LEFT}" y="${y0}" width="${W - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#ccc"/>`);
    parts.push(`<text x="${LEFT}" y="${y0 - 6}" font-weight="bold">${esc(label)}</text>`);
    // Legend: a swatch and a name per series, right-aligned above the panel.
    let lx = W - RIGHT;
    for (const s of [...series].reverse()) {
      const wText = s.name.length * 6;
      lx -= wText;
      parts.push(`<text class="legend" x="${lx}" y="${y0 - 6}">${esc(s.name)}</text>`);
      lx -= 22;
      parts.push(
        `<line x1="${lx}" x2="${lx + 18}" y1="${y0 - 10}" y2="${y0 - 10}" stroke="${s.color}" stroke-width="${Math.max(2, s.width ?? 1.2)}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
      );
      lx -= 14;
    }
    // Value ticks: round numbers with their unit.
    const ticks = log ? logTicks(lo, hi, 7) : linearTicks(lo, hi, 8);
    for (const v of ticks) {
      const yy = y(v).toFixed(1);
      parts.push(`<line x1="${LEFT - 4}" x2="${W - RIGHT}" y1="${yy}" y2="${yy}" stroke="#eee"/>`);
      parts.push(
        `<text class="tick" data-panel="${i}" x="${LEFT - 6}" y="${(Number(yy) + 4).toFixed(1)}" text-anchor="end">${esc(axis.format(v))}</text>`,
      );
    }
    // Date ticks: a faint vertical line per calendar boundary (years fall on yearly window lines).
    for (const d of dates) {
      const xx = x(d.t).toFixed(1);
      parts.push(`<line x1="${xx}" x2="${xx}" y1="${y0}" y2="${y0 + PANEL}" stroke="#f2f2f2"/>`);
    }
    // Horizontal reference lines, labelled outside the plot on the right, spread so that they never overlap.
    const labelYs = spreadLabels(
      hlines.map((h) => y(h.v) + 4),
      12,
      y0 + 8,
      y0 + PANEL + 4,
    );
    hlines.forEach((h, j) => {
      const yy = y(h.v).toFixed(1);
      parts.push(
        `<line class="hline" x1="${LEFT}" x2="${W - RIGHT}" y1="${yy}" y2="${yy}" stroke="${h.color}" stroke-dasharray="${h.dash ?? "6 3"}"/>`,
      );
      parts.push(
        `<text class="hlabel" x="${W - RIGHT + 4}" y="${labelYs[j].toFixed(1)}" fill="${h.color}">${esc(h.label)}</text>`,
      );
    });
    for (const s of series) {
      const d = s.values
        .map((v, j) => {
          if (!Number.isFinite(v)) return "";
          const move = j === 0 || (s.breakAtWindows && ds[j].w !== ds[j - 1].w);
          return `${move ? "M" : "L"}${x(ds[j].t).toFixed(1)},${y(Math.min(Math.max(v, lo), hi)).toFixed(1)}`;
        })
        .join("");
      parts.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
      );
    }
    for (const st of starts.slice(1)) {
      parts.push(
        `<line x1="${x(st).toFixed(1)}" x2="${x(st).toFixed(1)}" y1="${y0}" y2="${y0 + PANEL}" stroke="#999" stroke-dasharray="2 3"/>`,
      );
    }
    for (const w of windows) {
      if (!w.liquidation) continue;
      const xx = x(w.liquidation.candle.t).toFixed(1);
      parts.push(`<line x1="${xx}" x2="${xx}" y1="${y0}" y2="${y0 + PANEL}" stroke="red" stroke-width="2"/>`);
      if (i === 0)
        parts.push(
          `<text x="${Number(xx) + 3}" y="${y0 + 12}" fill="red">liquidated ${new Date(w.liquidation.candle.t * 1000).toISOString().slice(0, 16)}</text>`,
        );
    }
  };

  panel(
    0,
    "BTC price (USD, log scale)",
    [{ name: "price at candle close", values: ds.map((p) => p.price), color: "#333" }],
    {
      log: true,
      format: formatUsd,
    },
  );
  panel(
    1,
    `NAV (each ${windows.length > 1 ? "window" : "run"} rebased to 1.0 at its start, log scale)`,
    [
      {
        name: "continuous formula (docs/mechanism.md)",
        values: ds.map((p) => p.theory),
        color: "#e67e22",
        dash: "5 3",
        breakAtWindows: true,
      },
      { name: "token NAV", values: ds.map((p) => p.nav), color: "#1f6fd1", width: 1.5, breakAtWindows: true },
    ],
    { log: true, format: formatTimes, floor: NAV_FLOOR },
    [{ v: 1, color: "#555", label: "1.0× = start", dash: "1 0" }],
  );
  panel(
    2,
    "Leverage (×)",
    [
      {
        name: `highest inside the candle (clipped at ${formatTimes(band.rip * 1.5)})`,
        values: ds.map((p) => Math.min(p.maxLev, band.rip * 1.5)),
        color: "#bbb",
        width: 1,
      },
      {
        name: "at candle close, after the keeper",
        values: ds.map((p) => Math.min(p.lev, band.rip * 1.5)),
        color: "#2a9d5c",
        width: 1.2,
      },
    ],
    { log: false, format: formatTimes },
    [
      { v: band.min, color: "#888", label: `band min ${formatTimes(band.min)}` },
      { v: band.target, color: "#2a9d5c", label: `target ${formatTimes(band.target)}` },
      { v: band.max, color: "#888", label: `band max ${formatTimes(band.max)}` },
      { v: band.rip, color: "#c0392b", label: `ripcord ${formatTimes(band.rip)}` },
    ],
  );
  // Time axis: calendar ticks (UTC) under the last panel.
  const yAxis = TOP + 3 * (PANEL + GAP) - GAP + 14;
  for (const d of dates) {
    parts.push(`<text class="date" x="${x(d.t).toFixed(1)}" y="${yAxis}" text-anchor="middle">${esc(d.label)}</text>`);
  }
  parts.push(
    `<text x="${LEFT}" y="${yAxis + 16}" fill="#666">UTC; dotted lines: window starts${windows.some((w) => w.liquidation) ? "; red: liquidation" : ""}</text>`,
  );
  parts.push(`</svg>`);
  return parts.join("\n");
}

export function writeChart(file: string, title: string, windows: WindowResult[]): void {
  writeFileSync(file, renderChart(title, windows));
}
