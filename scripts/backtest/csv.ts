/**
 * CSV input of the backtester: OHLC candles and funding rates.
 *
 * Timestamps: ISO-8601 (`2020-03-12T10:00:00Z`, offset or no zone = UTC), `YYYY-MM-DD HH:MM:SS[.fff]` (UTC) or unix
 * time in seconds or milliseconds (a number above 1e11 is read as milliseconds). Every malformed row fails with
 * `file:line: reason`; gaps longer than the bar interval are reported (never filled or hidden).
 */
import { readFileSync } from "fs";

export interface Candle {
  /** Unix seconds of the candle's open (the CSV's timestamp). */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  /** 1-based line in the file (for messages). */
  line: number;
}

export interface FundingPoint {
  /** Unix seconds of the funding settlement. */
  t: number;
  /** Funding per interval as a fraction (0.0001 = 0.01%), positive: longs pay. */
  rate: number;
}

export interface Gap {
  from: number; // unix s of the candle before the gap
  to: number; // unix s of the candle after it
  missingBars: number;
}

export interface PriceSeries {
  file: string;
  candles: Candle[];
  /** Bar length in seconds: the most common spacing between consecutive rows. */
  barSeconds: number;
  gaps: Gap[];
}

export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = "CsvError";
  }
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMERIC = /^\d+(\.\d+)?$/;

/** Parses one timestamp to unix seconds (fractional seconds kept), or throws a reason string. */
export function parseTimestamp(raw: string): number {
  const s = raw.trim().replace(/^"|"$/g, "");
  if (s === "") throw new Error("empty timestamp");
  if (NUMERIC.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`timestamp ${s} is not a positive unix time`);
    return n > 1e11 ? n / 1000 : n;
  }
  const d = DATE_ONLY.exec(s);
  if (d) return checkedUtc(s, +d[1], +d[2], +d[3], 0, 0, 0, 0, 0);
  const m = DATE_TIME.exec(s);
  if (!m) throw new Error(`timestamp "${s}" is neither ISO-8601, YYYY-MM-DD HH:MM:SS nor unix seconds/milliseconds`);
  const frac = m[7] ? Number(`0.${m[7]}`) : 0;
  let offsetMin = 0;
  if (m[8] && m[8] !== "Z") {
    const sign = m[8][0] === "-" ? -1 : 1;
    const digits = m[8].slice(1).replace(":", "");
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return checkedUtc(s, +m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, frac, offsetMin);
}

function checkedUtc(
  s: string,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  sec: number,
  frac: number,
  offsetMin: number,
): number {
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    sec > 59
  ) {
    throw new Error(`timestamp "${s}" is not a valid date/time`);
  }
  return ms / 1000 + frac - offsetMin * 60;
}

function splitLine(line: string): string[] {
  return line.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
}

function readLines(file: string, text?: string): string[] {
  const content = text ?? readFileSync(file, "utf8");
  return content.replace(/^\uFEFF/, "").split(/\r?\n/);
}

function header(file: string, lines: string[], required: string[]): Map<string, number> {
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0) throw new CsvError(file, 1, "empty file: expected a header row");
  const cols = splitLine(lines[first]).map((c) => c.toLowerCase());
  const index = new Map<string, number>();
  cols.forEach((c, i) => index.set(c, i));
  const missing = required.filter((r) => !index.has(r));
  if (missing.length) {
    throw new CsvError(file, first + 1, `header is missing column(s) ${missing.join(", ")} (has: ${cols.join(", ")})`);
  }
  return index;
}

function num(file: string, line: number, name: string, raw: string | undefined): number {
  if (raw === undefined || raw === "") throw new CsvError(file, line, `missing value for ${name}`);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new CsvError(file, line, `${name} "${raw}" is not a number`);
  return v;
}

/** Parses OHLC candles. `text` may be given instead of reading `file` (tests). */
export function parsePrices(file: string, text?: string): PriceSeries {
  const lines = readLines(file, text);
  const idx = header(file, lines, ["timestamp", "open", "high", "low", "close"]);
  const headerLine = lines.findIndex((l) => l.trim() !== "");
  const candles: Candle[] = [];
  const width = Math.max(...["timestamp", "open", "high", "low", "close"].map((k) => idx.get(k)!)) + 1;
  for (let i = headerLine + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    const line = i + 1;
    const cells = splitLine(raw);
    if (cells.length < width) throw new CsvError(file, line, `expected at least ${width} columns, got ${cells.length}`);
    let t: number;
    try {
      t = parseTimestamp(cells[idx.get("timestamp")!]);
    } catch (e) {
      throw new CsvError(file, line, (e as Error).message);
    }
    const o = num(file, line, "open", cells[idx.get("open")!]);
    const h = num(file, line, "high", cells[idx.get("high")!]);
    const l = num(file, line, "low", cells[idx.get("low")!]);
    const c = num(file, line, "close", cells[idx.get("close")!]);
    if (o <= 0 || h <= 0 || l <= 0 || c <= 0) throw new CsvError(file, line, "prices must be positive");
    if (h < Math.max(o, c, l) || l > Math.min(o, c, h)) {
      throw new CsvError(file, line, `inconsistent candle: high ${h} / low ${l} do not bound open ${o} and close ${c}`);
    }
    const prev = candles[candles.length - 1];
    if (prev && t <= prev.t) {
      throw new CsvError(
        file,
        line,
        `timestamp ${iso(t)} is not after the previous row's ${iso(prev.t)} (line ${prev.line})`,
      );
    }
    candles.push({ t, o, h, l, c, line });
  }
  if (candles.length === 0) throw new CsvError(file, lines.length, "no data rows");
  const barSeconds = modalSpacing(candles.map((c) => c.t));
  const gaps: Gap[] = [];
  for (let i = 1; i < candles.length; i++) {
    const dt = candles[i].t - candles[i - 1].t;
    if (dt > barSeconds * 1.5)
      gaps.push({ from: candles[i - 1].t, to: candles[i].t, missingBars: Math.round(dt / barSeconds) - 1 });
  }
  return { file, candles, barSeconds, gaps };
}

/** Parses `timestamp,funding_rate` rows (rate per funding interval, positive: longs pay). */
export function parseFunding(file: string, text?: string): { points: FundingPoint[]; intervalSeconds: number } {
  const lines = readLines(file, text);
  const idx = header(file, lines, ["timestamp", "funding_rate"]);
  const headerLine = lines.findIndex((l) => l.trim() !== "");
  const points: FundingPoint[] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    const line = i + 1;
    const cells = splitLine(raw);
    let t: number;
    try {
      t = Math.round(parseTimestamp(cells[idx.get("timestamp")!] ?? ""));
    } catch (e) {
      throw new CsvError(file, line, (e as Error).message);
    }
    const rate = num(file, line, "funding_rate", cells[idx.get("funding_rate")!]);
    if (Math.abs(rate) >= 0.05)
      throw new CsvError(file, line, `funding_rate ${rate} is implausible (|rate| >= 5% per interval)`);
    const prev = points[points.length - 1];
    if (prev && t <= prev.t)
      throw new CsvError(file, line, `timestamp ${iso(t)} is not after the previous row's ${iso(prev.t)}`);
    points.push({ t, rate });
  }
  if (points.length === 0) throw new CsvError(file, lines.length, "no data rows");
  return { points, intervalSeconds: points.length > 1 ? modalSpacing(points.map((p) => p.t)) : 8 * 3600 };
}

function modalSpacing(ts: number[]): number {
  if (ts.length < 2) return 7200;
  const counts = new Map<number, number>();
  for (let i = 1; i < ts.length; i++) {
    const d = Math.round(ts[i] - ts[i - 1]);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = -1;
  for (const [d, n] of counts) if (n > bestCount) [best, bestCount] = [d, n];
  return best;
}

export function iso(t: number): string {
  return new Date(Math.round(t) * 1000).toISOString().replace(".000Z", "Z");
}

/** `YYYY-MM-DD HH:MM` UTC, for tables. */
export function shortDate(t: number): string {
  return iso(t).slice(0, 16).replace("T", " ");
}
