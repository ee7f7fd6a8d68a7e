import "./style.css";
import {
  BrowserProvider,
  type Contract,
  JsonRpcProvider,
  Network,
  Signature,
  parseUnits,
  type ContractTransactionResponse,
  type Interface,
  type JsonRpcSigner,
  type TransactionReceipt,
} from "ethers";
import { loadConfig, type BallastConfig } from "./config";
import { byId, h, replaceChildren } from "./dom";
import { buildErrorInterface, explainError, type ErrorContext } from "./errors";
import { WAD, formatAmount, leverage, percent, shortHash, tokens, usd, usdc } from "./format";
import { Protocol, big, view, type ProductSnapshot, type ProductStatic } from "./protocol";
import {
  discoverWallets,
  readChainId,
  requestAccounts,
  switchToChain,
  watchWallet,
  type DiscoveredWallet,
} from "./wallet";

const LOCAL_CHAIN_ID = 31337;
const FAUCET_AMOUNT = 10_000n * 10n ** 6n;
const BPS = 10_000n;

interface State {
  config: BallastConfig | null;
  protocol: Protocol | null;
  errors: Interface | null;
  read: JsonRpcProvider | null;
  wallets: DiscoveredWallet[];
  wallet: DiscoveredWallet | null;
  unwatch: (() => void) | null;
  browser: BrowserProvider | null;
  account: string | null;
  walletChainId: number | null;
  snapshots: Map<string, ProductSnapshot>;
  rebalances: Map<string, number>;
  usdcBalance: bigint | null;
  redeemAll: boolean;
  busy: boolean;
  block: number | null;
}

const state: State = {
  config: null,
  protocol: null,
  errors: null,
  read: null,
  wallets: [],
  wallet: null,
  unwatch: null,
  browser: null,
  account: null,
  walletChainId: null,
  snapshots: new Map(),
  rebalances: new Map(),
  usdcBalance: null,
  redeemAll: false,
  busy: false,
  block: null,
};

const el = {
  walletChoices: byId<HTMLDivElement>("wallet-choices"),
  walletStatus: byId<HTMLParagraphElement>("wallet-status"),
  walletUsdc: byId<HTMLParagraphElement>("wallet-usdc"),
  faucet: byId<HTMLButtonElement>("faucet"),
  faucetStatus: byId<HTMLParagraphElement>("faucet-status"),
  networkPrompt: byId<HTMLDivElement>("network-prompt"),
  networkPromptText: byId<HTMLParagraphElement>("network-prompt-text"),
  switchNetwork: byId<HTMLButtonElement>("switch-network"),
  loadError: byId<HTMLDivElement>("load-error"),
  productsBody: byId<HTMLTableSectionElement>("products-body"),
  blockNumber: byId<HTMLSpanElement>("block-number"),
  product: byId<HTMLSelectElement>("product"),
  slippage: byId<HTMLInputElement>("slippage"),
  mintForm: byId<HTMLFormElement>("mint-form"),
  mintAmount: byId<HTMLInputElement>("mint-amount"),
  mintMinOut: byId<HTMLInputElement>("mint-min-out"),
  mintPreview: byId<HTMLParagraphElement>("mint-preview"),
  mintStatus: byId<HTMLDivElement>("mint-status"),
  redeemForm: byId<HTMLFormElement>("redeem-form"),
  redeemAmount: byId<HTMLInputElement>("redeem-amount"),
  redeemAll: byId<HTMLButtonElement>("redeem-all"),
  redeemPreview: byId<HTMLParagraphElement>("redeem-preview"),
  redeemStatus: byId<HTMLDivElement>("redeem-status"),
  about: byId<HTMLDivElement>("about"),
  networkInfo: byId<HTMLParagraphElement>("network-info"),
};

// ---------------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------------

function need<T>(x: T | null, what: string): T {
  if (x === null) throw new Error(`${what} is not ready`);
  return x;
}

const protocol = (): Protocol => need(state.protocol, "the protocol");
const errorsIface = (): Interface => need(state.errors, "the error decoder");
const selected = (): ProductStatic => protocol().product(el.product.value);

/** Parses a decimal amount; null for empty or malformed input. */
function parseAmount(text: string, decimals: number): bigint | null {
  const t = text.trim().replace(/,/g, "");
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t)) return null;
  const [whole = "0", frac = ""] = t.split(".");
  if (frac.length > decimals) return null;
  try {
    return parseUnits(`${whole === "" ? "0" : whole}.${frac === "" ? "0" : frac}`, decimals);
  } catch {
    return null;
  }
}

/** Slippage in basis points from the percent field (0–50%); null when invalid. */
function slippageBps(): bigint | null {
  const v = parseAmount(el.slippage.value, 2);
  if (v === null || v > 5000n) return null;
  return v; // a percent with 2 decimals is exactly basis points
}

const applySlippage = (amount: bigint, bps: bigint): bigint => (amount * (BPS - bps)) / BPS;
const feeUp = (amount: bigint, rateWad: bigint): bigint => (amount * rateWad + WAD - 1n) / WAD;
const ratePct = (rateWad: bigint): string => `${formatAmount(rateWad * 100n, 18, 2)}%`;

function humanDuration(seconds: bigint): string {
  const s = Number(seconds);
  if (s % 86_400 === 0) return s === 86_400 ? "day" : `${s / 86_400} days`;
  if (s % 3600 === 0) return s === 3600 ? "hour" : `${s / 3600} hours`;
  return `${s} seconds`;
}

function walletReady(): { signer: Promise<JsonRpcSigner>; account: string } | string {
  const cfg = need(state.config, "config");
  if (!state.wallet || !state.account || !state.browser) return "Connect a wallet first.";
  if (state.walletChainId !== cfg.chainId)
    return "Your wallet is on another network: switch to the Ballast network first.";
  return { signer: state.browser.getSigner(state.account), account: state.account };
}

// ---------------------------------------------------------------------------------------------------------------
// Transaction status: pending / confirmed (hash) / failed (plain words)
// ---------------------------------------------------------------------------------------------------------------

type StepState = "pending" | "confirmed" | "failed" | "info";

function startLog(box: HTMLElement): HTMLOListElement {
  const list = h("ol", { class: "steps" });
  replaceChildren(box, list);
  box.dataset.state = "pending";
  return list;
}

function step(box: HTMLElement, list: HTMLOListElement, st: StepState, ...content: (Node | string)[]): HTMLLIElement {
  const label = { pending: "Pending", confirmed: "Confirmed", failed: "Failed", info: "" }[st];
  const item = h("li", { class: `step ${st}` }, label ? h("strong", {}, `${label}: `) : null, ...content);
  list.append(item);
  if (st !== "info") box.dataset.state = st;
  return item;
}

function hashNode(hash: string): HTMLElement {
  return h("code", { class: "hash", title: hash }, hash);
}

/** Sends one transaction and narrates it; returns the receipt, or null after showing why it failed. */
async function runTx(
  box: HTMLElement,
  list: HTMLOListElement,
  label: string,
  send: () => Promise<ContractTransactionResponse>,
  ctx: ErrorContext,
): Promise<TransactionReceipt | null> {
  const waiting = step(box, list, "pending", `${label} — confirm it in your wallet…`);
  let tx: ContractTransactionResponse;
  try {
    tx = await send();
  } catch (e) {
    waiting.remove();
    step(box, list, "failed", `${label}. ${explainError(e, errorsIface(), ctx)}`);
    return null;
  }
  replaceChildren(
    waiting,
    h("strong", {}, "Pending: "),
    `${label} sent, waiting to be mined. Transaction `,
    hashNode(tx.hash),
  );
  try {
    const receipt = await tx.wait();
    if (!receipt) throw new Error("no receipt");
    waiting.remove();
    step(box, list, "confirmed", `${label} in block ${receipt.blockNumber}. Transaction `, hashNode(receipt.hash));
    return receipt;
  } catch (e) {
    waiting.remove();
    step(box, list, "failed", `${label} (transaction ${shortHash(tx.hash)}). ${explainError(e, errorsIface(), ctx)}`);
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Wallet
// ---------------------------------------------------------------------------------------------------------------

function renderWalletChoices(): void {
  if (state.wallet && state.account) {
    replaceChildren(el.walletChoices);
    return;
  }
  const buttons = state.wallets.map((w) =>
    h(
      "button",
      { type: "button", class: "connect", "data-wallet": w.info.rdns || w.info.uuid },
      w.info.icon.startsWith("data:image/") ? h("img", { src: w.info.icon, alt: "", width: "20", height: "20" }) : null,
      `Connect ${w.info.name}`,
    ),
  );
  buttons.forEach((b, i) => {
    const w = state.wallets[i];
    if (w) b.addEventListener("click", () => void connect(w));
  });
  replaceChildren(el.walletChoices, ...buttons);
  if (state.wallets.length === 0) {
    el.walletStatus.textContent =
      "No wallet found. Install a browser wallet to mint and redeem; the table below works without one.";
  } else if (!state.account) {
    el.walletStatus.textContent = "Not connected.";
  }
}

async function connect(w: DiscoveredWallet): Promise<void> {
  el.walletStatus.textContent = `Connecting to ${w.info.name}… confirm in your wallet.`;
  try {
    const accounts = await requestAccounts(w.provider);
    const chainId = await readChainId(w.provider);
    state.unwatch?.();
    state.wallet = w;
    state.unwatch = watchWallet(w.provider, {
      accounts: (list) => setAccount(list[0] ?? null),
      chain: (id) => setChain(id),
    });
    setChain(chainId);
    setAccount(accounts[0] ?? null);
  } catch (e) {
    el.walletStatus.textContent = `Could not connect: ${explainError(e, errorsIface())}`;
  }
}

function setChain(chainId: number): void {
  state.walletChainId = chainId;
  // ethers' BrowserProvider is bound to one network: start a fresh one on every chain change.
  state.browser = state.wallet ? new BrowserProvider(state.wallet.provider) : null;
  if (state.browser) state.browser.pollingInterval = 1000;
  renderWalletState();
}

function setAccount(account: string | null): void {
  state.account = account;
  state.redeemAll = false;
  if (!account) {
    state.unwatch?.();
    state.unwatch = null;
    state.wallet = null;
    state.browser = null;
    state.usdcBalance = null;
  }
  renderWalletChoices();
  renderWalletState();
  void refresh();
}

function renderWalletState(): void {
  const cfg = state.config;
  const connected = Boolean(state.wallet && state.account);
  const wrongChain = connected && cfg !== null && state.walletChainId !== cfg.chainId;
  if (connected && state.account) {
    el.walletStatus.textContent = `Connected${state.wallet ? ` with ${state.wallet.info.name}` : ""}: ${state.account}`;
  }
  el.networkPrompt.hidden = !wrongChain;
  if (wrongChain && cfg) {
    el.networkPromptText.textContent =
      `Your wallet is on chain ${state.walletChainId ?? "?"}. Ballast runs on chain ${cfg.chainId} ` +
      `(${cfg.networkName}, ${cfg.rpcUrl}). Switch networks to mint or redeem.`;
  }
  el.faucet.hidden = !(connected && !wrongChain && cfg?.chainId === LOCAL_CHAIN_ID);
  el.walletUsdc.hidden = !(connected && state.usdcBalance !== null);
  if (state.usdcBalance !== null) el.walletUsdc.textContent = `Your USDC: ${usdc(state.usdcBalance)}`;
}

async function switchNetwork(): Promise<void> {
  const cfg = need(state.config, "config");
  const w = state.wallet;
  if (!w) return;
  try {
    await switchToChain(w.provider, { chainId: cfg.chainId, rpcUrl: cfg.rpcUrl, name: "Ballast (local Hardhat)" });
    setChain(await readChainId(w.provider));
  } catch (e) {
    el.networkPromptText.textContent = `The wallet did not switch: ${explainError(e, errorsIface())}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Products table, about panels
// ---------------------------------------------------------------------------------------------------------------

function actionText(s: ProductSnapshot): string {
  if (s.action === undefined || s.leverageWad === undefined) return "—";
  const m = s.methodology;
  switch (s.action) {
    case 0:
      return s.sizeWad === 0n ? "None (no position yet)" : "None: inside the band";
    case 1:
      return s.leverageWad < m.minLeverage || s.leverageWad > m.maxLeverage
        ? `Rebalance to ${leverage(m.targetLeverage)}: outside the band`
        : `Rebalance to ${leverage(m.targetLeverage)}: interval passed`;
    case 2:
      return "Continue a chunked rebalance";
    case 3:
      return `Ripcord: emergency de-leverage to ${leverage(m.targetLeverage)}`;
    default:
      return `Unknown (${s.action})`;
  }
}

function renderTable(): void {
  const rows = protocol().products.map((p) => {
    const s = state.snapshots.get(p.symbol);
    const td = (label: string, ...c: (Node | string | null)[]): HTMLTableCellElement =>
      h("td", { "data-label": label }, ...c);
    const head = h(
      "th",
      { scope: "row", "data-label": "Product" },
      h("span", { class: "symbol" }, p.symbol),
      h("span", { class: "sub" }, p.name),
    );
    if (!s) return h("tr", {}, head, td("Status", "Loading…"));
    const m = s.methodology;
    const balance = s.balance === null ? "—" : tokens(s.balance, p.symbol);
    const value = s.balance === null || s.navWad === undefined ? "—" : usd((s.balance * s.navWad) / WAD);
    const band = `${leverage(m.minLeverage)}–${leverage(m.maxLeverage)} (${leverage(m.ripcordLeverage)})`;
    const closed = s.active === false ? h("span", { class: "badge warn" }, "closed") : null;
    const paused = s.mintPaused ? h("span", { class: "badge warn" }, "mint paused") : null;
    if (s.unavailable) {
      return h(
        "tr",
        { "data-symbol": p.symbol },
        head,
        h("td", { colspan: "6", "data-label": "Status", class: "unavailable" }, `Price unavailable: ${s.unavailable}`),
        td("Your balance", balance),
        td("Value", "—"),
      );
    }
    return h(
      "tr",
      { "data-symbol": p.symbol },
      head,
      td("Underlying price", s.priceWad === undefined ? "—" : usd(s.priceWad)),
      td("NAV per token", h("span", { class: "nav" }, s.navWad === undefined ? "—" : usd(s.navWad, 4)), closed, paused),
      td("Leverage now", s.sizeWad === 0n ? "— (no position)" : leverage(s.leverageWad ?? 0n)),
      td("Target", leverage(m.targetLeverage)),
      td("Band (ripcord)", band),
      td("Next rebalance", actionText(s)),
      td("Your balance", h("span", { class: "balance" }, balance)),
      td("Value", h("span", { class: "value" }, value)),
    );
  });
  replaceChildren(el.productsBody, ...rows);
  el.blockNumber.textContent = state.block === null ? "" : ` (block ${state.block})`;
}

function buildAbout(): void {
  const panels = protocol().products.map((p) =>
    h(
      "details",
      { class: "about", id: `about-${p.symbol}`, "data-symbol": p.symbol },
      h("summary", {}, `${p.symbol} — ${p.name}`),
      h("div", { class: "about-body" }, "Loading…"),
    ),
  );
  replaceChildren(el.about, ...panels);
}

function renderAbout(): void {
  for (const p of protocol().products) {
    const s = state.snapshots.get(p.symbol);
    const body = el.about.querySelector<HTMLDivElement>(`#about-${p.symbol} .about-body`);
    if (!s || !body) continue;
    const m = s.methodology;
    const side = p.isLong ? "long" : "short";
    const L = leverage(m.targetLeverage);
    const rules = h(
      "ul",
      {},
      h(
        "li",
        {},
        `Each ${p.symbol} is an equal share of one ${L} ${side} ${p.market}-USD perpetual-futures position. ` +
          `NAV per token = the position's equity ÷ tokens. You mint and redeem at NAV, paying your own trading costs.`,
      ),
      h(
        "li",
        {},
        `Leverage drifts as ${p.market} moves. Anyone (a keeper) may bring it back to ${L} when it leaves the band ` +
          `${leverage(m.minLeverage)}–${leverage(m.maxLeverage)}, or once a ${humanDuration(m.interval)} has passed ` +
          `and it is more than ${formatAmount(m.tolerance, 18, 2)} away from target.`,
      ),
      h(
        "li",
        {},
        `Ripcord: at ${leverage(m.ripcordLeverage)} or above, an emergency trade takes it straight back to ${L}.`,
      ),
      h(
        "li",
        {},
        `Rebalance trades are at most ${m.maxTradeNotional === 0n ? "unlimited" : usd(m.maxTradeNotional, 0)} per call ` +
          `(larger ones continue in further calls) and must fill within ${ratePct(m.maxSlippage)} of the oracle price.`,
      ),
      h(
        "li",
        {},
        `Fees: ${ratePct(s.fees.mintFeeRate)} to mint, ${ratePct(s.fees.redeemFeeRate)} to redeem, ` +
          `${ratePct(s.fees.streamingFeeRate)} a year while you hold. Redeeming is never paused.`,
      ),
    );
    let since: HTMLElement;
    if (s.totalSupply === 0n) {
      since = h("p", {}, "Not launched yet: nobody has minted it, so it has paid no decay.");
    } else if (!s.launch || !s.decay || s.navWad === undefined || s.priceWad === undefined) {
      since = h(
        "p",
        {},
        s.unavailable
          ? `Since launch: unavailable (${s.unavailable})`
          : "Since launch: the launch price could not be read from this node's history.",
      );
    } else {
      const d = s.decay;
      const count = state.rebalances.get(p.symbol);
      since = h(
        "dl",
        { class: "since" },
        h("dt", {}, "Launched"),
        h("dd", {}, `block ${s.launch.firstMintBlock} (first mint), NAV $1.0000`),
        h("dt", {}, `${p.market} since launch`),
        h("dd", {}, `${usd(s.launch.launchPriceWad)} → ${usd(s.priceWad)} (${percent(d.underlyingReturnWad)})`),
        h("dt", {}, "NAV since launch"),
        h("dd", {}, `$1.0000 → ${usd(s.navWad, 4)} (${percent(d.navReturnWad)})`),
        h("dt", {}, `A one-off ${L} ${side} from launch`),
        h(
          "dd",
          {},
          d.benchmarkNavWad === null ? "would have been wiped out" : `would be at ${usd(d.benchmarkNavWad, 4)}`,
        ),
        h("dt", {}, "Decay paid since launch"),
        h(
          "dd",
          { class: "decay" },
          d.decayWad === null ? "n/a" : percent(d.decayWad),
          " — rebalancing in moving markets, funding, fees and trading costs, together",
        ),
        h("dt", {}, "Rebalances so far"),
        h("dd", {}, count === undefined ? "—" : String(count)),
      );
    }
    replaceChildren(
      body,
      h("h3", {}, "Rules"),
      rules,
      h("h3", {}, "Since launch"),
      since,
      h(
        "p",
        { class: "help" },
        `Decay = NAV ÷ (1 ${p.isLong ? "+" : "−"} ${formatAmount(m.targetLeverage, 18, 0)} × r) − 1, where r is ${p.market}'s ` +
          `return since the first mint (venue mark price then and now) and $1 is the launch NAV.`,
      ),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Refresh on new blocks
// ---------------------------------------------------------------------------------------------------------------

let refreshing = false;
let refreshAgain = false;

async function refresh(): Promise<void> {
  if (!state.protocol) return;
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      const proto = state.protocol;
      const account = state.wallet ? state.account : null;
      const snaps = await Promise.all(proto.products.map((p) => proto.snapshot(p, account)));
      for (const s of snaps) state.snapshots.set(s.product.symbol, s);
      const counts = await Promise.all(
        snaps.map((s) => (s.totalSupply > 0n ? proto.rebalanceCount(s.product).catch(() => -1) : Promise.resolve(0))),
      );
      snaps.forEach((s, i) => {
        const c = counts[i];
        if (c !== undefined && c >= 0) state.rebalances.set(s.product.symbol, c);
      });
      state.usdcBalance = account ? big(await view(proto.usdc, "balanceOf", account)) : null;
      renderTable();
      renderAbout();
      renderWalletState();
      await Promise.all([updateMintPreview(), updateRedeemPreview()]);
      el.loadError.hidden = true;
    } while (refreshAgain);
  } catch (e) {
    el.loadError.hidden = false;
    el.loadError.textContent = `Could not read the contracts from ${state.config?.rpcUrl ?? "the node"}: ${explainError(e, errorsIface())}`;
  } finally {
    refreshing = false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Previews
// ---------------------------------------------------------------------------------------------------------------

let mintSeq = 0;
let redeemSeq = 0;

async function updateMintPreview(): Promise<void> {
  const seq = ++mintSeq;
  const p = selected();
  const amount = parseAmount(el.mintAmount.value, 6);
  if (el.mintAmount.value.trim() === "") {
    el.mintPreview.textContent = "Enter how much USDC to pay.";
    return;
  }
  if (amount === null || amount === 0n) {
    el.mintPreview.textContent = "Enter an amount in USDC, like 1000 or 250.5.";
    return;
  }
  const s = state.snapshots.get(p.symbol);
  const bps = slippageBps();
  try {
    const shares = big(await view(p.token, "previewMint", amount));
    if (seq !== mintSeq) return;
    if (shares === 0n) {
      el.mintPreview.textContent = s?.mintPaused
        ? "Minting is paused for this product."
        : "This amount cannot be minted now (too small, or the product is closed).";
      return;
    }
    const fee = s ? feeUp(amount, s.fees.mintFeeRate) : null;
    const override = parseAmount(el.mintMinOut.value, 18);
    const minOut = override ?? (bps === null ? null : applySlippage(shares, bps));
    el.mintPreview.textContent =
      `You get about ${tokens(shares, p.symbol)}` +
      (fee === null ? "" : ` (mint fee ${usdc(fee)}; trading costs are already in the preview)`) +
      `. ` +
      (minOut === null
        ? "Enter a slippage between 0 and 50%."
        : `You accept no less than ${tokens(minOut, p.symbol)}${override === null ? "" : " (your minimum)"}.`);
  } catch (e) {
    if (seq === mintSeq) el.mintPreview.textContent = `No preview: ${explainError(e, errorsIface())}`;
  }
}

function redeemShares(): bigint | null {
  const s = state.snapshots.get(selected().symbol);
  if (state.redeemAll) return s?.balance ?? null;
  return parseAmount(el.redeemAmount.value, 18);
}

async function updateRedeemPreview(): Promise<void> {
  const seq = ++redeemSeq;
  const p = selected();
  if (!state.redeemAll && el.redeemAmount.value.trim() === "") {
    el.redeemPreview.textContent = "Enter how many tokens to redeem, or choose All.";
    return;
  }
  const shares = redeemShares();
  if (shares === null || shares === 0n) {
    el.redeemPreview.textContent = state.redeemAll
      ? "You hold none of this token."
      : "Enter a number of tokens, like 100.";
    return;
  }
  const s = state.snapshots.get(p.symbol);
  try {
    const out = big(await view(p.token, "previewRedeem", shares));
    if (seq !== redeemSeq) return;
    const bps = slippageBps();
    const held = s?.balance ?? null;
    const tooMany = held !== null && shares > held ? ` You hold only ${tokens(held, p.symbol)}.` : "";
    el.redeemPreview.textContent =
      `You get about ${usdc(out)} for ${tokens(shares, p.symbol)}` +
      (s ? ` after the ${ratePct(s.fees.redeemFeeRate)} redeem fee` : "") +
      `. ` +
      (bps === null
        ? "Enter a slippage between 0 and 50%."
        : `You accept no less than ${usdc(applySlippage(out, bps))}.`) +
      tooMany;
  } catch (e) {
    if (seq === redeemSeq) el.redeemPreview.textContent = `No preview: ${explainError(e, errorsIface())}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Mint (approve or permit first) and redeem
// ---------------------------------------------------------------------------------------------------------------

function sendWith(
  c: Contract,
  signer: JsonRpcSigner,
  fn: string,
  ...args: unknown[]
): Promise<ContractTransactionResponse> {
  return (c.connect(signer) as Contract).getFunction(fn).send(...args);
}

/** Signs an EIP-2612 permit (eth_signTypedData_v4) for exactly `amount`, valid for 20 minutes. */
async function signPermit(
  signer: JsonRpcSigner,
  owner: string,
  spender: string,
  amount: bigint,
): Promise<{ sig: Signature; deadline: bigint }> {
  const proto = protocol();
  const domain = (await view(proto.usdc, "eip712Domain")) as readonly unknown[];
  const nonce = big(await view(proto.usdc, "nonces", owner));
  const latest = await need(state.read, "provider").getBlock("latest");
  const deadline = BigInt((latest?.timestamp ?? Math.floor(Date.now() / 1000)) + 20 * 60);
  const sig = await signer.signTypedData(
    {
      name: String(domain[1]),
      version: String(domain[2]),
      chainId: big(domain[3]),
      verifyingContract: String(domain[4]),
    },
    {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    { owner, spender, value: amount, nonce, deadline },
  );
  return { sig: Signature.from(sig), deadline };
}

async function authorize(
  box: HTMLElement,
  list: HTMLOListElement,
  signer: JsonRpcSigner,
  account: string,
  p: ProductStatic,
  amount: bigint,
): Promise<boolean> {
  const proto = protocol();
  const allowance = big(await view(proto.usdc, "allowance", account, p.address));
  if (allowance >= amount) {
    step(box, list, "info", `USDC already approved for ${usdc(allowance)}.`);
    return true;
  }
  const usePermit = document.querySelector<HTMLInputElement>('input[name="auth"][value="permit"]')?.checked ?? false;
  if (usePermit) {
    const signing = step(box, list, "pending", "Sign the USDC permit in your wallet (a signature, not a transaction)…");
    try {
      const { sig, deadline } = await signPermit(signer, account, p.address, amount);
      signing.remove();
      step(box, list, "info", `Permit signed for ${usdc(amount)}.`);
      // mint() takes no permit, so the signed permit goes on-chain in its own transaction.
      const r = await runTx(
        box,
        list,
        "USDC permit",
        () => sendWith(proto.usdc, signer, "permit", account, p.address, amount, deadline, sig.v, sig.r, sig.s),
        {},
      );
      return r !== null;
    } catch (e) {
      signing.remove();
      const msg = explainError(e, errorsIface());
      if (/declined/.test(msg)) {
        step(box, list, "failed", msg);
        return false;
      }
      step(box, list, "info", `The wallet could not sign a permit (${msg}); using an approve transaction instead.`);
    }
  }
  const r = await runTx(
    box,
    list,
    `Approve ${usdc(amount)}`,
    () => sendWith(proto.usdc, signer, "approve", p.address, amount),
    {},
  );
  return r !== null;
}

/** Starts a form action: one at a time, a fresh step log, a connected wallet on the Ballast network (else says why). */
function beginAction(
  ev: SubmitEvent,
  box: HTMLElement,
): { list: HTMLOListElement; ready: Exclude<ReturnType<typeof walletReady>, string> } | null {
  ev.preventDefault();
  if (state.busy) return null;
  const list = startLog(box);
  const ready = walletReady();
  if (typeof ready === "string") {
    step(box, list, "failed", ready);
    return null;
  }
  return { list, ready };
}

/** Runs a validated action's transactions: the page stays busy meanwhile, a failure ends in the log in plain words,
 *  and the products table refreshes afterwards either way. */
async function whileBusy(box: HTMLElement, list: HTMLOListElement, work: () => Promise<void>): Promise<void> {
  state.busy = true;
  try {
    await work();
  } catch (e) {
    step(box, list, "failed", explainError(e, errorsIface()));
  } finally {
    state.busy = false;
    void refresh();
  }
}

async function onMint(ev: SubmitEvent): Promise<void> {
  const box = el.mintStatus;
  const begun = beginAction(ev, box);
  if (!begun) return;
  const { list, ready } = begun;
  const p = selected();
  const amount = parseAmount(el.mintAmount.value, 6);
  if (amount === null || amount === 0n) {
    step(box, list, "failed", "Enter an amount in USDC above zero.");
    el.mintAmount.focus();
    return;
  }
  const bps = slippageBps();
  if (bps === null) {
    step(box, list, "failed", "Enter a slippage tolerance between 0 and 50%.");
    el.slippage.focus();
    return;
  }
  const override = el.mintMinOut.value.trim() === "" ? null : parseAmount(el.mintMinOut.value, 18);
  if (el.mintMinOut.value.trim() !== "" && override === null) {
    step(box, list, "failed", "The minimum tokens out is not a number.");
    return;
  }
  await whileBusy(box, list, async () => {
    const signer = await ready.signer;
    const proto = protocol();
    const balance = big(await view(proto.usdc, "balanceOf", ready.account));
    if (balance < amount) {
      step(box, list, "failed", `You have ${usdc(balance)}, less than ${usdc(amount)}.`);
      return;
    }
    if (!(await authorize(box, list, signer, ready.account, p, amount))) return;
    const preview = big(await view(p.token, "previewMint", amount));
    const minOut = override ?? applySlippage(preview, bps);
    const ctx = { outSymbol: p.symbol, outDecimals: 18 };
    const receipt = await runTx(
      box,
      list,
      `Mint ${p.symbol} with ${usdc(amount)}`,
      () => sendWith(p.token, signer, "mint", amount, minOut, ready.account),
      ctx,
    );
    if (!receipt) return;
    for (const log of receipt.logs) {
      const parsed = p.token.interface.parseLog(log);
      if (parsed?.name === "Minted") {
        step(
          box,
          list,
          "info",
          h("strong", {}, `You received ${tokens(big(parsed.args[3]), p.symbol)}`),
          ` for ${usdc(big(parsed.args[2]))} (fee ${usdc(big(parsed.args[4]))}).`,
        );
      }
    }
    box.dataset.state = "confirmed";
  });
}

async function onRedeem(ev: SubmitEvent): Promise<void> {
  const box = el.redeemStatus;
  const begun = beginAction(ev, box);
  if (!begun) return;
  const { list, ready } = begun;
  const p = selected();
  const bps = slippageBps();
  if (bps === null) {
    step(box, list, "failed", "Enter a slippage tolerance between 0 and 50%.");
    return;
  }
  await whileBusy(box, list, async () => {
    const signer = await ready.signer;
    const held = big(await view(p.token, "balanceOf", ready.account));
    const shares = state.redeemAll ? held : parseAmount(el.redeemAmount.value, 18);
    if (shares === null || shares === 0n) {
      step(
        box,
        list,
        "failed",
        state.redeemAll ? "You hold none of this token." : "Enter a number of tokens above zero.",
      );
      return;
    }
    if (shares > held) {
      step(box, list, "failed", `You hold ${tokens(held, p.symbol)}, less than ${tokens(shares, p.symbol)}.`);
      return;
    }
    const preview = big(await view(p.token, "previewRedeem", shares));
    const minOut = applySlippage(preview, bps);
    const ctx = { outSymbol: "USDC", outDecimals: 6 };
    const receipt = await runTx(
      box,
      list,
      `Redeem ${tokens(shares, p.symbol)}`,
      () => sendWith(p.token, signer, "redeem", shares, minOut, ready.account),
      ctx,
    );
    if (!receipt) return;
    for (const log of receipt.logs) {
      const parsed = p.token.interface.parseLog(log);
      if (parsed?.name === "Redeemed") {
        step(
          box,
          list,
          "info",
          h("strong", {}, `You received ${usdc(big(parsed.args[3]))}`),
          ` (redeem fee ${usdc(big(parsed.args[4]))}).`,
        );
      }
    }
    box.dataset.state = "confirmed";
    state.redeemAll = false;
    el.redeemAmount.value = "";
  });
}

async function onFaucet(): Promise<void> {
  const ready = walletReady();
  const list = startLog(el.faucetStatus);
  if (typeof ready === "string") {
    step(el.faucetStatus, list, "failed", ready);
    return;
  }
  const signer = await ready.signer;
  await runTx(
    el.faucetStatus,
    list,
    "Test USDC",
    () => sendWith(protocol().usdc, signer, "mint", ready.account, FAUCET_AMOUNT),
    { outSymbol: "USDC", outDecimals: 6 },
  );
  void refresh();
}

// ---------------------------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  let config: BallastConfig;
  try {
    config = await loadConfig();
  } catch (e) {
    el.loadError.hidden = false;
    el.loadError.textContent = e instanceof Error ? e.message : String(e);
    replaceChildren(el.productsBody, h("tr", {}, h("td", { colspan: "9" }, "No deployments.")));
    return;
  }
  const network = Network.from(config.chainId);
  const read = new JsonRpcProvider(config.rpcUrl, network, { staticNetwork: network, pollingInterval: 1000 });
  const errors = buildErrorInterface(Object.values(config.contracts).map((c) => c.abi));
  state.config = config;
  state.read = read;
  state.errors = errors;
  state.protocol = new Protocol(config, read, errors);
  el.networkInfo.textContent =
    `Network: ${config.networkName}, chain ${config.chainId}, node ${config.rpcUrl}. ` +
    `Addresses and ABIs from the hardhat-deploy export (deployments.json).`;

  replaceChildren(
    el.product,
    ...state.protocol.products.map((p) => h("option", { value: p.symbol }, `${p.symbol} — ${p.name}`)),
  );
  el.product.value = "BTC3L";
  buildAbout();

  el.switchNetwork.addEventListener("click", () => void switchNetwork());
  el.faucet.addEventListener("click", () => void onFaucet());
  el.mintForm.addEventListener("submit", (ev) => void onMint(ev));
  el.redeemForm.addEventListener("submit", (ev) => void onRedeem(ev));
  el.mintAmount.addEventListener("input", () => void updateMintPreview());
  el.mintMinOut.addEventListener("input", () => void updateMintPreview());
  el.slippage.addEventListener("input", () => void Promise.all([updateMintPreview(), updateRedeemPreview()]));
  el.redeemAmount.addEventListener("input", () => {
    state.redeemAll = false;
    void updateRedeemPreview();
  });
  el.redeemAll.addEventListener("click", () => {
    const s = state.snapshots.get(selected().symbol);
    state.redeemAll = true;
    el.redeemAmount.value =
      s?.balance === null || s?.balance === undefined
        ? ""
        : formatAmount(s.balance, 18, 18)
            .replace(/,/g, "")
            .replace(/\.?0+$/, "");
    void updateRedeemPreview();
  });
  el.product.addEventListener("change", () => {
    state.redeemAll = false;
    el.redeemAmount.value = "";
    void Promise.all([updateMintPreview(), updateRedeemPreview()]);
  });

  discoverWallets((wallets) => {
    state.wallets = wallets;
    renderWalletChoices();
  });

  void read.on("block", (n: number) => {
    state.block = n;
    void refresh();
  });
  await refresh();
}

void main();
