/**
 * Shared helpers of the browser tests (test/e2e/*.e2e.test.ts): child processes in their own process groups (a
 * `hardhat node`, a Vite build), a static server for the built page plus the deployment export, and reading the
 * page's named values (`data-field` / `data-raw`). `startStack` starts all of it and opens Chromium on the page with
 * the test wallet. Moved here from web.e2e.test.ts's private helpers (that file still has its own copies).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { JsonRpcProvider, type InterfaceAbi } from "ethers";
import { chromium, type Browser, type Page } from "playwright-core";
import { installTestWallet } from "./test-wallet";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ROOT = path.resolve(__dirname, "..", "..");
// test-results/ is gitignored; `SCREENSHOT_DIR=docs/screenshots npm run test:e2e` refreshes the committed copies.
export const SCREENSHOTS = path.resolve(ROOT, process.env.SCREENSHOT_DIR ?? path.join("test-results", "screenshots"));
export const HARDHAT_CLI = path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "cli.js");
export const VITE_CLI = path.join(ROOT, "node_modules", "vite", "bin", "vite.js");
export const READY = /Started HTTP and WebSocket JSON-RPC server/;
/** Playwright's wait for any one element or action (its default is 30 s): generous, since CI shares two cores. */
export const PAGE_TIMEOUT_MS = 60_000;

export interface Export {
  chainId: string | number;
  contracts: Record<string, { address: string; abi: InterfaceAbi }>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a child in its own process group (so `after` can end it and anything it started) and keeps its output. */
export function start(
  children: ChildProcess[],
  args: string[],
  outputs: Map<ChildProcess, string>,
  extraEnv: NodeJS.ProcessEnv = {},
): ChildProcess {
  const env = { ...process.env, ...extraEnv };
  delete env.HARDHAT_NETWORK;
  const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  outputs.set(child, "");
  const keep = (chunk: Buffer): void => {
    outputs.set(child, (outputs.get(child) ?? "") + chunk.toString());
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return child;
}

export function waitFor(
  child: ChildProcess,
  outputs: Map<ChildProcess, string>,
  pattern: RegExp,
  ms: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out after ${ms} ms waiting for ${pattern}`)), ms);
    const check = (): void => {
      if (pattern.test(outputs.get(child) ?? "")) done();
    };
    const onExit = (code: number | null): void => done(new Error(`exited with ${code} before ${pattern}`));
    function done(err?: Error): void {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.stderr?.off("data", check);
      child.off("exit", onExit);
      if (err) reject(new Error(`${err.message}\n--- output ---\n${(outputs.get(child) ?? "").slice(-3000)}`));
      else resolve();
    }
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.on("exit", onExit);
    check();
  });
}

export function waitForExit(child: ChildProcess, outputs: Map<ChildProcess, string>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`exited with ${code}\n${(outputs.get(child) ?? "").slice(-3000)}`));
    });
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

/** Serves the built page, and deployments.json (the hardhat-deploy export plus the node's URL) from memory. */
export function serve(dist: string, deploymentsJson: string): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (urlPath === "/deployments.json") {
      res.writeHead(200, { "content-type": TYPES[".json"] ?? "application/json" });
      res.end(deploymentsJson);
      return;
    }
    const file = path.join(dist, urlPath === "/" ? "index.html" : urlPath);
    if (!file.startsWith(dist + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

export const toNumber = (text: string): number => Number(text.replace(/[^0-9.]/g, ""));

/** A shown value: the text and the exact number in its data-raw. */
export interface Shown {
  raw: string | null;
  text: string;
}

/** Every [data-field] under `selector`, by name (the root tsconfig has no DOM library: the page code is a string). */
export async function fieldsIn(page: Page, selector: string): Promise<Record<string, Shown>> {
  const list = (await page.evaluate(
    `Array.from(document.querySelectorAll(${JSON.stringify(selector + " [data-field]")}), ` +
      `(e) => [e.getAttribute("data-field"), e.getAttribute("data-raw"), e.textContent])`,
  )) as [string, string | null, string][];
  const out: Record<string, Shown> = {};
  for (const [name, raw, text] of list) {
    if (name in out) throw new Error(`${selector}: two fields named ${name}`);
    out[name] = { raw, text };
  }
  return out;
}

export interface Stack {
  children: ChildProcess[];
  outputs: Map<ChildProcess, string>;
  node: ChildProcess;
  server: http.Server;
  browser: Browser;
  page: Page;
  provider: JsonRpcProvider;
  deployments: Export;
  rpcUrl: string;
  account: string;
  tmp: string;
  pageErrors: string[];
}

/**
 * A `hardhat node` (deployed by hardhat-deploy, exported to a temp file, `--write false`), the page built by Vite
 * into a temp folder and served with the export plus `rpcUrl`, and Chromium on it with the test wallet for the
 * node's account `accountIndex`, at `viewport`.
 */
export async function startStack(accountIndex = 5, viewport = { width: 1280, height: 900 }): Promise<Stack> {
  const children: ChildProcess[] = [];
  const outputs = new Map<ChildProcess, string>();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-web-e2e-"));
  const port = await freePort();
  const exportFile = path.join(tmp, "deployments.json");
  const dist = path.join(tmp, "dist");
  const node = start(
    children,
    [
      HARDHAT_CLI,
      "node",
      "--hostname",
      "127.0.0.1",
      "--port",
      String(port),
      "--export",
      exportFile,
      "--write",
      "false",
    ],
    outputs,
  );
  const build = start(
    children,
    [VITE_CLI, "build", "--config", "web/vite.config.mts", "--outDir", dist, "--emptyOutDir", "--logLevel", "warn"],
    outputs,
  );
  await Promise.all([waitFor(node, outputs, READY, 120_000), waitForExit(build, outputs, 120_000)]);
  const rpcUrl = `http://127.0.0.1:${port}`;
  const deployments = JSON.parse(fs.readFileSync(exportFile, "utf8")) as Export;
  const provider = new JsonRpcProvider(rpcUrl, Number(deployments.chainId), { staticNetwork: true });
  const accounts = (await provider.send("eth_accounts", [])) as string[];
  const account = accounts[accountIndex];
  if (!account) throw new Error(`the node has no unlocked account ${accountIndex}`);
  const served = await serve(dist, JSON.stringify({ ...deployments, rpcUrl }));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: [
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.addInitScript(installTestWallet, {
    rpcUrl,
    account,
    chainId: "0x" + Number(deployments.chainId).toString(16),
    startChainId: "0x1",
  });
  await page.goto(served.url);
  return {
    children,
    outputs,
    node,
    server: served.server,
    browser,
    page,
    provider,
    deployments,
    rpcUrl,
    account,
    tmp,
    pageErrors,
  };
}

/** Closes the browser and the server and ends every child (and what it started). */
export async function stopStack(s: Stack | undefined): Promise<void> {
  if (!s) return;
  await s.browser.close().catch(() => undefined);
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
  s.provider.destroy();
  for (const child of s.children) await stop(child);
  fs.rmSync(s.tmp, { recursive: true, force: true });
}
