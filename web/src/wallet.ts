/**
 * Wallet discovery (EIP-6963, with the legacy `window.ethereum` as a fallback) and the EIP-1193 calls the page makes
 * itself: connect, chain switch/add, and change events.
 */

export interface RequestArguments {
  method: string;
  params?: readonly unknown[] | Record<string, unknown>;
}

export interface Eip1193Provider {
  request(args: RequestArguments): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface WalletInfo {
  uuid: string;
  name: string;
  icon: string;
  rdns: string;
}

export interface DiscoveredWallet {
  info: WalletInfo;
  provider: Eip1193Provider;
}

interface AnnounceEvent extends Event {
  detail?: { info?: Partial<WalletInfo>; provider?: Eip1193Provider };
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

function isProvider(x: unknown): x is Eip1193Provider {
  return typeof x === "object" && x !== null && typeof (x as { request?: unknown }).request === "function";
}

/**
 * Collects EIP-6963 announcements (now and later) and calls `onChange` with the full list each time it grows.
 * If no wallet announces itself within `fallbackAfterMs`, a legacy injected `window.ethereum` is offered instead.
 */
export function discoverWallets(onChange: (wallets: DiscoveredWallet[]) => void, fallbackAfterMs = 500): () => void {
  const wallets = new Map<string, DiscoveredWallet>();
  let fallbackShown = false;
  const onAnnounce = (event: Event): void => {
    const detail = (event as AnnounceEvent).detail;
    const info = detail?.info;
    if (!detail || !isProvider(detail.provider) || !info || typeof info.uuid !== "string") return;
    if (fallbackShown) wallets.delete("legacy");
    fallbackShown = false;
    wallets.set(info.uuid, {
      info: { uuid: info.uuid, name: info.name ?? "Wallet", icon: info.icon ?? "", rdns: info.rdns ?? "" },
      provider: detail.provider,
    });
    onChange([...wallets.values()]);
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  const timer = window.setTimeout(() => {
    if (wallets.size === 0 && isProvider(window.ethereum)) {
      fallbackShown = true;
      wallets.set("legacy", {
        info: { uuid: "legacy", name: "Browser wallet", icon: "", rdns: "" },
        provider: window.ethereum,
      });
    }
    onChange([...wallets.values()]);
  }, fallbackAfterMs);
  return () => {
    window.clearTimeout(timer);
    window.removeEventListener("eip6963:announceProvider", onAnnounce);
  };
}

export function toHexChainId(chainId: number): string {
  return "0x" + chainId.toString(16);
}

export async function requestAccounts(provider: Eip1193Provider): Promise<string[]> {
  const result = await provider.request({ method: "eth_requestAccounts" });
  return Array.isArray(result) ? result.filter((a): a is string => typeof a === "string") : [];
}

export async function readChainId(provider: Eip1193Provider): Promise<number> {
  const result = await provider.request({ method: "eth_chainId" });
  return typeof result === "string" ? Number.parseInt(result, 16) : Number(result);
}

function rpcErrorCode(e: unknown): number | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "number") return code;
  const data = (e as { data?: { originalError?: { code?: unknown } } }).data;
  const inner = data?.originalError?.code;
  return typeof inner === "number" ? inner : undefined;
}

/** Asks the wallet to switch to the Ballast chain, adding it first if the wallet does not know it (error 4902). */
export async function switchToChain(
  provider: Eip1193Provider,
  chain: { chainId: number; rpcUrl: string; name: string },
): Promise<void> {
  const chainIdHex = toHexChainId(chain.chainId);
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chainIdHex }] });
  } catch (e) {
    if (rpcErrorCode(e) !== 4902) throw e;
    await provider.request({
      method: "wallet_addEthereumChain",
      params: [
        {
          chainId: chainIdHex,
          chainName: chain.name,
          rpcUrls: [chain.rpcUrl],
          nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        },
      ],
    });
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chainIdHex }] });
  }
}

/** Subscribes to accountsChanged/chainChanged; returns the unsubscribe function. */
export function watchWallet(
  provider: Eip1193Provider,
  handlers: { accounts: (accounts: string[]) => void; chain: (chainId: number) => void },
): () => void {
  const onAccounts = (...args: unknown[]): void => {
    const list = Array.isArray(args[0]) ? args[0].filter((a): a is string => typeof a === "string") : [];
    handlers.accounts(list);
  };
  const onChain = (...args: unknown[]): void => {
    const raw = args[0];
    handlers.chain(typeof raw === "string" ? Number.parseInt(raw, 16) : Number(raw));
  };
  provider.on?.("accountsChanged", onAccounts);
  provider.on?.("chainChanged", onChain);
  return () => {
    provider.removeListener?.("accountsChanged", onAccounts);
    provider.removeListener?.("chainChanged", onChain);
  };
}

export { rpcErrorCode };
