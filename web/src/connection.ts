/**
 * The connected wallet: the connect buttons, the account and chain it reports, the switch-network prompt, and
 * whether the page may send transactions with it. Discovery and the raw EIP-1193 calls are in wallet.ts.
 */
import { BrowserProvider, type JsonRpcSigner } from "ethers";
import { LOCAL_CHAIN_ID, explainError } from "@ballast/protocol";
import { copyable } from "./copy";
import { h, replaceChildren } from "./dom";
import { el } from "./elements";
import { usdc } from "./format";
import { errorsIface, need, requestRefresh, state } from "./state";
import { readChainId, requestAccounts, switchToChain, watchWallet, type DiscoveredWallet } from "./wallet";

/** A wallet the page can send with: connected, and on the Ballast chain. */
export interface ReadyWallet {
  signer: Promise<JsonRpcSigner>;
  account: string;
}

/** The wallet to send with, or why there is none (a sentence for the user). */
export function walletReady(): ReadyWallet | string {
  const cfg = need(state.config, "config");
  if (!state.wallet || !state.account || !state.browser) return "Connect a wallet first.";
  if (state.walletChainId !== cfg.chainId)
    return "Your wallet is on another network: switch to the Ballast network first.";
  return { signer: state.browser.getSigner(state.account), account: state.account };
}

/** One "Connect <wallet>" button per discovered wallet while none is connected. */
export function renderWalletChoices(): void {
  if (state.wallet && state.account) {
    replaceChildren(el.walletChoices);
    return;
  }
  const buttons = state.wallets.map((w) => {
    const button = h(
      "button",
      { type: "button", class: "connect", "data-wallet": w.info.rdns || w.info.uuid },
      w.info.icon.startsWith("data:image/") ? h("img", { src: w.info.icon, alt: "", width: "20", height: "20" }) : null,
      `Connect ${w.info.name}`,
    );
    button.addEventListener("click", () => void connect(w));
    return button;
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
  void requestRefresh();
}

/** The account line, the switch-network prompt, the faucet button and the USDC balance. */
export function renderWalletState(): void {
  const cfg = state.config;
  const connected = Boolean(state.wallet && state.account);
  const wrongChain = connected && cfg !== null && state.walletChainId !== cfg.chainId;
  const shown = el.walletStatus.querySelector<HTMLElement>(".copyable")?.dataset.full;
  if (connected && state.account && shown !== state.account) {
    // Short on screen (0x1234…abcd), full for screen readers and the copy button.
    replaceChildren(
      el.walletStatus,
      `Connected${state.wallet ? ` with ${state.wallet.info.name}` : ""}: `,
      copyable(state.account, "address"),
    );
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

/** Asks the wallet to switch to (or add) the Ballast chain. */
export async function switchNetwork(): Promise<void> {
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
