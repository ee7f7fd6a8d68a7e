/**
 * Child processes for the tests that run against a real `hardhat node` JSON-RPC process (test/integration/*): the node,
 * keeper CLIs and Hardhat task CLIs, each its own process group, with stdout kept as lines; every one started here is
 * killed when the test process exits, whatever happens.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
export const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli.js");

/** A child process with its stdout kept as lines; killed as a process group so nothing outlives the test. */
export class Proc {
  readonly lines: string[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private listeners: Array<() => void> = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      this.lines.push(...parts);
      for (const l of this.listeners) l();
    });
    child.stderr?.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** JSON log events (keeper output); other lines are ignored. */
  events(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of this.lines) {
      if (!line.startsWith("{")) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a partial line is completed on the next chunk
      }
    }
    return out;
  }

  waitFor(predicate: (line: string) => boolean, timeoutMs: number, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.lines.slice(from).find(predicate);
        if (hit === undefined) return false;
        cleanup();
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: timed out after ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const onExit = () => {
        if (check()) return;
        cleanup();
        reject(new Error(`${this.name} exited (${String(this.child.exitCode)}); stderr: ${this.stderr.slice(-2000)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        this.child.off("exit", onExit);
      };
      const listener = () => void check();
      this.listeners.push(listener);
      this.child.on("exit", onExit);
      check();
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive && this.child.pid !== undefined) process.kill(this.child.pid, sig);
  }

  /** SIGKILL to the whole process group (the child was started detached, as its own group leader). */
  killGroup(): void {
    // Only while the leader lives: then the group id is certainly still this test's, never a reused one.
    if (this.child.pid === undefined || !this.alive) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Every process `launch` started, in order. */
export const started: Proc[] = [];

export function launch(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const clean = { ...process.env, ...env };
  delete clean.HARDHAT_NETWORK;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: clean,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const proc = new Proc(name, child);
  started.push(proc);
  return proc;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Exit hook as a last resort (e.g. mocha aborted): nothing this test started may survive it.
process.on("exit", () => {
  for (const p of started) p.killGroup();
});

/** SIGTERM to each of `procs` (default: every process started), a grace period, then SIGKILL to each one's group. */
export async function stopAll(procs: readonly Proc[] = started, graceMs = 3_000): Promise<void> {
  for (const p of procs) p.signal("SIGTERM");
  await Promise.race([Promise.all(procs.map((p) => p.exited)), sleep(graceMs)]);
  for (const p of procs) p.killGroup();
}
