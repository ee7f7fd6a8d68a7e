#!/usr/bin/env node
/**
 * Coverage gate for CI: run after `npx hardhat coverage`. Reads coverage/coverage-summary.json (istanbul json-summary,
 * enabled in .solcover.js) and fails when the non-mock contracts (contracts/*.sol, contracts/oracle/,
 * contracts/libraries/) together fall under 95% of lines or 90% of branches. Prints one row per file.
 * Usage: node scripts/ci/coverage-gate.js [--lines 95] [--branches 90] [--summary coverage/coverage-summary.json]
 *        node scripts/ci/coverage-gate.js --json a/coverage.json --json b/coverage.json   (merges several runs:
 *        hit counts are summed per file, so a second `hardhat coverage --testfiles ...` pass can add what a full run
 *        under-reports; see .ci/run)
 */
"use strict";
const fs = require("fs");
const path = require("path");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const root = path.resolve(__dirname, "..", "..");
const summaryPath = path.resolve(root, arg("summary", "coverage/coverage-summary.json"));
const minLines = Number(arg("lines", "95"));
const minBranches = Number(arg("branches", "90"));

/** All values of a repeated `--json` option. */
function jsonFiles() {
  const out = [];
  for (let i = 0; i < process.argv.length; i++) if (process.argv[i] === "--json") out.push(process.argv[i + 1]);
  return out;
}

/** Istanbul coverage.json files merged (counts summed) and reduced to {file: {lines, branches}} like a summary. */
function summaryFromJson(files) {
  const merged = {};
  for (const f of files) {
    const data = JSON.parse(fs.readFileSync(path.resolve(root, f), "utf8"));
    for (const [file, cov] of Object.entries(data)) {
      const m = merged[file] ?? (merged[file] = { l: {}, b: {} });
      for (const [line, n] of Object.entries(cov.l ?? {})) m.l[line] = (m.l[line] ?? 0) + n;
      for (const [id, arr] of Object.entries(cov.b ?? {})) {
        const cur = m.b[id] ?? (m.b[id] = arr.map(() => 0));
        arr.forEach((n, i) => (cur[i] += n));
      }
    }
  }
  const out = {};
  for (const [file, m] of Object.entries(merged)) {
    const lineCounts = Object.values(m.l);
    const branchCounts = Object.values(m.b).flat();
    const entry = (counts) => {
      const covered = counts.filter((n) => n > 0).length;
      return {
        covered,
        total: counts.length,
        pct: counts.length ? Math.round((10000 * covered) / counts.length) / 100 : 100,
      };
    };
    out[file] = { lines: entry(lineCounts), branches: entry(branchCounts) };
  }
  return out;
}

let summary;
if (jsonFiles().length) {
  summary = summaryFromJson(jsonFiles());
} else {
  if (!fs.existsSync(summaryPath)) {
    console.error(`coverage-gate: ${summaryPath} not found; run \`npx hardhat coverage\` first`);
    process.exit(1);
  }
  summary = JSON.parse(fs.readFileSync(summaryPath, "utf8"));
}

/** contracts/X.sol, contracts/oracle/**, contracts/libraries/** — never mocks/ or interfaces/ (no code). */
function gated(file) {
  const rel = path.relative(path.join(root, "contracts"), path.resolve(root, file)).split(path.sep).join("/");
  if (rel.startsWith("..")) return false;
  return /^[^/]+\.sol$/.test(rel) || rel.startsWith("oracle/") || rel.startsWith("libraries/");
}

const total = { lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } };
const rows = [];
for (const [file, s] of Object.entries(summary)) {
  if (file === "total" || !gated(file)) continue;
  for (const k of ["lines", "branches"]) {
    total[k].covered += s[k].covered;
    total[k].total += s[k].total;
  }
  rows.push([path.relative(root, path.resolve(root, file)), s.lines.pct, s.branches.pct]);
}
if (rows.length === 0) {
  console.error("coverage-gate: no gated contract found in the summary");
  process.exit(1);
}
const pct = (c) => (c.total === 0 ? 100 : (100 * c.covered) / c.total);
const lines = pct(total.lines);
const branches = pct(total.branches);
for (const [f, l, b] of rows)
  console.log(`${f.padEnd(48)} lines ${String(l).padStart(6)}%  branches ${String(b).padStart(6)}%`);
console.log(
  `${"gated total".padEnd(48)} lines ${lines.toFixed(2).padStart(6)}%  branches ${branches.toFixed(2).padStart(6)}%` +
    `  (minimum ${minLines}% / ${minBranches}%)`,
);
const failures = [];
if (lines < minLines) failures.push(`lines ${lines.toFixed(2)}% < ${minLines}%`);
if (branches < minBranches) failures.push(`branches ${branches.toFixed(2)}% < ${minBranches}%`);
if (failures.length) {
  console.error(`coverage-gate: FAILED: ${failures.join(", ")}`);
  process.exit(1);
}
console.log("coverage-gate: ok");
