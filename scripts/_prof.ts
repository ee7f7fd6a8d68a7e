import { ethers, deployments, network } from "hardhat";
import { usdc } from "../config/parameters";

interface Log { op: string; gas: number; gasCost: number; depth: number; stack?: string[] }
async function profile(label: string, hash: string, names: Map<string, string>) {
  const trace = (await network.provider.send("debug_traceTransaction", [hash, { disableStorage: true, disableMemory: true }])) as { gas: number; structLogs: Log[] };
  const byOp = new Map<string, number>();
  const stackAddr: string[] = ["tx"];
  const byContract = new Map<string, number>();
  const logs = trace.structLogs;
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    let cost = l.gasCost;
    if (["CALL", "STATICCALL", "DELEGATECALL"].includes(l.op)) {
      // gasCost of call includes gas forwarded; use gas difference to the next op at same depth
      const next = logs.slice(i + 1).find((x) => x.depth === l.depth);
      cost = next ? l.gas - next.gas : l.gasCost;
      const sub = logs[i + 1];
      const inner = sub && sub.depth > l.depth ? (l.gas - next!.gas) - 0 : 0;
      void inner;
      const to = "0x" + (l.stack ? l.stack[l.stack.length - 2].slice(-40) : "");
      stackAddr[l.depth] = names.get(to.toLowerCase()) ?? to;
      // count only the overhead: subtract inner gas spent
      let innerSpent = 0;
      if (sub && sub.depth > l.depth) { const lastInner = logs.slice(i + 1).findIndex((x) => x.depth === l.depth); const end = logs[i + 1 + lastInner - 1]; innerSpent = sub.gas - end.gas + end.gasCost; }
      cost = cost - innerSpent;
    }
    const who = stackAddr[l.depth - 1] ?? "tx";
    const cat = ["SSTORE", "SLOAD", "TLOAD", "TSTORE"].includes(l.op) ? l.op : l.op.startsWith("LOG") ? "LOG" : ["CALL", "STATICCALL", "DELEGATECALL"].includes(l.op) ? "CALL" : "compute";
    byOp.set(cat, (byOp.get(cat) ?? 0) + cost);
    byContract.set(`${who}`, (byContract.get(who) ?? 0) + cost);
    if (l.op === "SLOAD" || l.op === "SSTORE") { const k = `${who}.${l.op}`; byContract.set(k, (byContract.get(k) ?? 0) + cost); const c = `${k}#`; byContract.set(c, (byContract.get(c) ?? 0) + 1); }
  }
  console.log(`\n${label}`, [...byOp.entries()].map(([k, v]) => `${k}=${v}`).join(" "));
  console.log("   by contract:", [...byContract.entries()].map(([k, v]) => `${k}=${v}`).join(" "));
}
async function main() {
  await deployments.fixture();
  const [, keeper, , , a, b] = await ethers.getSigners();
  const names = new Map<string, string>();
  for (const [n, d] of Object.entries(await deployments.all())) names.set(d.address.toLowerCase(), n);
  names.set("tx", "tx");
  const U = await ethers.getContractAt("MockUSDC", (await deployments.get("USDC")).address);
  const T = await ethers.getContractAt("LeveragedToken", (await deployments.get("BTC3L")).address);
  const R = await ethers.getContractAt("Rebalancer", (await deployments.get("Rebalancer")).address);
  const F = await ethers.getContractAt("MockV3Aggregator", (await deployments.get("BTCUSDFeed")).address);
  names.set((await T.getAddress()).toLowerCase(), "BTC3L");
  for (const w of [a, b]) { await U.mint(w.address, usdc(1e6)); await U.connect(w).approve(await T.getAddress(), ethers.MaxUint256); }
  await T.connect(a).mint(usdc(1000), 0, a.address);
  let tx = await T.connect(a).mint(usdc(1000), 0, a.address); let r = await tx.wait();
  console.log("mint existing", r!.gasUsed); await profile("mint", tx.hash, names);
  tx = await T.connect(a).redeem(10n ** 20n, 0, a.address); r = await tx.wait();
  console.log("redeem", r!.gasUsed); await profile("redeem", tx.hash, names);
  await U.mint(keeper.address, 1n);
  await F.updateAnswer(54_000n * 10n ** 8n);
  tx = await R.connect(keeper).rebalance(await T.getAddress()); r = await tx.wait();
  console.log("rebalance", r!.gasUsed); await profile("rebalance", tx.hash, names);
}
main();
