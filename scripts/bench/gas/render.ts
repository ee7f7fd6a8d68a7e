/** The bench's text: the breakdown tables (markdown) and the console table with its verdict. */
import { CLASSES, type Breakdown, type OpClass } from "./breakdown";
import { TOLERANCE, type Baseline } from "./report";
import { REF_LABELS, type Row } from "./rows";

const sum = (xs: Iterable<number>): number => [...xs].reduce((a, c) => a + c, 0);

/** One transaction's breakdown as a markdown table, contracts by total execution gas. */
export function renderBreakdown(b: Breakdown): string {
  const lines: string[] = [];
  lines.push(`#### ${b.label}: ${b.gasUsed.toLocaleString("en-US")} gas`);
  lines.push("");
  lines.push(
    `| contract | SLOAD | SSTORE | CALL overhead | LOG | compute | total | #sload | #sstore | #calls | #logs |`,
  );
  lines.push(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  const totals = new Map<OpClass, number>();
  const sorted = [...b.byContract.entries()].sort((x, y) => sum(y[1].values()) - sum(x[1].values()));
  for (const [who, m] of sorted) {
    const cells = CLASSES.map((c) => m.get(c) ?? 0);
    CLASSES.forEach((c, k) => totals.set(c, (totals.get(c) ?? 0) + cells[k]));
    const n = b.counts.get(who)!;
    lines.push(`| ${who} | ${cells.join(" | ")} | ${sum(cells)} | ${n.sload} | ${n.sstore} | ${n.calls} | ${n.logs} |`);
  }
  const t = CLASSES.map((c) => totals.get(c) ?? 0);
  lines.push(`| **execution** | ${t.join(" | ")} | ${sum(t)} | | | | |`);
  lines.push(`| intrinsic (21000 + calldata) | | | | | | ${b.intrinsic} | | | | |`);
  lines.push(`| storage refund | | | | | | −${b.refund} | | | | |`);
  lines.push("");
  return lines.join("\n");
}

/** The console table: every row against its reference, target and baseline. */
export function renderTable(rows: Row[], gas: Record<string, number>, baseline: Baseline): string[] {
  const fmt = (n: number): string => n.toLocaleString("en-US");
  const header = ["scenario", "gas", "reference", "ref gas", "ratio", "target", "met", "baseline Δ"];
  const table = rows.map((r) => {
    const base = baseline?.[r.key];
    return [
      r.label,
      fmt(r.gas),
      r.refKey ? REF_LABELS[r.refKey] : "",
      r.refKey ? fmt(gas[r.refKey]) : "",
      r.refKey ? (r.gas / gas[r.refKey]).toFixed(2) + "×" : "",
      r.target ? `${r.target.text} (${fmt(Math.floor(r.target.max))})` : "",
      r.target ? (r.gas <= r.target.max ? "yes" : "NO") : "",
      base !== undefined ? `${(((r.gas - base) / base) * 100).toFixed(1)}%` : "",
    ];
  });
  const widths = header.map((h, k) => Math.max(h.length, ...table.map((row) => row[k].length)));
  const line = (cells: string[]): string => cells.map((x, k) => x.padEnd(widths[k])).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...table.map(line)];
}

/** What was written and the regression verdict, as printed under the table. */
export function renderVerdict(
  regressions: string[],
  baseline: Baseline,
  opts: { breakdown: boolean; updateBaseline: boolean },
): string[] {
  const out = [`\nbreakdown: bench/out/breakdown.md${opts.breakdown ? " and bench/gas-breakdown.md" : ""}`];
  if (opts.updateBaseline) out.push("baseline written to bench/gas-baseline.json");
  if (regressions.length)
    out.push(`\nREGRESSION (> ${TOLERANCE * 100}% above baseline):\n  ${regressions.join("\n  ")}`);
  else if (baseline) out.push(`\nno figure more than ${TOLERANCE * 100}% above bench/gas-baseline.json`);
  else if (!opts.updateBaseline)
    out.push("\nno baseline yet: run with --update-baseline to create bench/gas-baseline.json");
  return out;
}
