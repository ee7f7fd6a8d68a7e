/**
 * A test EIP-1193 wallet for the browser test, injected with `page.addInitScript(installTestWallet, args)`.
 * It announces itself by EIP-6963 only (no window.ethereum, so the page's discovery is what finds it), starts on
 * another chain (so the page must ask to switch), answers eth_requestAccounts with one of the node's unlocked
 * accounts, and forwards everything else (eth_sendTransaction, eth_signTypedData_v4, reads) to the node, which holds
 * that account's key. RPC errors are rethrown as { code, message, data } like a real wallet, so revert data survives.
 * While `__testWalletHold` is true, each eth_sendTransaction waits (as if the user had not yet confirmed it) until
 * `__testWalletRelease()`; `__testWalletHeld` counts the waiting ones. The test uses it to see a flow's busy state.
 *
 * The function runs inside the page: it must be self-contained (no imports, no outer variables) and it sees the
 * browser's globals only through `globalThis`, typed here by hand (the root tsconfig has no DOM library).
 */
export interface TestWalletArgs {
  rpcUrl: string;
  account: string;
  /** The Ballast chain, hex (0x7a69). */
  chainId: string;
  /** The chain the wallet starts on, hex. */
  startChainId: string;
}

export function installTestWallet(args: TestWalletArgs): void {
  type Listener = (...a: unknown[]) => void;
  interface RpcReply {
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
  }
  interface PageGlobals {
    addEventListener(type: string, listener: () => void): void;
    dispatchEvent(event: object): boolean;
    CustomEvent: new (type: string, init: { detail: unknown }) => object;
    fetch(
      url: string,
      init: { method: string; headers: Record<string, string>; body: string },
    ): Promise<{ json(): Promise<unknown> }>;
    __testWalletLog?: string[];
    __testWalletHold?: boolean;
    __testWalletHeld?: number;
    __testWalletRelease?: () => void;
  }
  const g = globalThis as unknown as PageGlobals;
  const log: string[] = [];
  g.__testWalletLog = log;
  const held: (() => void)[] = [];
  g.__testWalletHold = false;
  g.__testWalletHeld = 0;
  g.__testWalletRelease = (): void => {
    for (const release of held.splice(0)) release();
    g.__testWalletHeld = 0;
  };
  const listeners = new Map<string, Set<Listener>>();
  let chainId = args.startChainId;
  let nextId = 1;

  const emit = (event: string, ...payload: unknown[]): void => {
    for (const l of listeners.get(event) ?? []) l(...payload);
  };
  const rpcError = (code: number, message: string, data?: unknown): Error =>
    Object.assign(new Error(message), { code, data });

  async function forward(method: string, params: unknown): Promise<unknown> {
    const res = await g.fetch(args.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params: params ?? [] }),
    });
    const body = (await res.json()) as RpcReply;
    if (body.error) throw rpcError(body.error.code, body.error.message, body.error.data);
    return body.result;
  }

  const provider = {
    isBallastTestWallet: true,
    async request(req: { method: string; params?: unknown }): Promise<unknown> {
      log.push(req.method);
      const params = Array.isArray(req.params) ? (req.params as unknown[]) : [];
      switch (req.method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return [args.account];
        case "eth_chainId":
          return chainId;
        case "net_version":
          return String(Number.parseInt(chainId, 16));
        case "wallet_switchEthereumChain": {
          const target = String((params[0] as { chainId?: unknown } | undefined)?.chainId ?? "").toLowerCase();
          if (target !== args.chainId.toLowerCase()) throw rpcError(4902, `Unrecognized chain ID ${target}`);
          if (chainId !== args.chainId) {
            chainId = args.chainId;
            emit("chainChanged", chainId);
          }
          return null;
        }
        case "wallet_addEthereumChain":
          return null;
        default:
          if (chainId !== args.chainId) throw rpcError(4901, "The wallet is connected to another chain");
          if (req.method === "eth_sendTransaction" && g.__testWalletHold) {
            await new Promise<void>((resolve) => {
              held.push(resolve);
              g.__testWalletHeld = held.length;
            });
          }
          return forward(req.method, params);
      }
    },
    on(event: string, listener: Listener): void {
      const set = listeners.get(event) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(event, set);
    },
    removeListener(event: string, listener: Listener): void {
      listeners.get(event)?.delete(listener);
    },
  };

  const info = Object.freeze({
    uuid: "4b1c8f5e-0d7a-4a57-9a64-ba11a57e2e00",
    name: "Ballast Test Wallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'%3E%3Crect width='10' height='10' fill='%231d4ed8'/%3E%3C/svg%3E",
    rdns: "dev.ballast.testwallet",
  });
  const announce = (): void => {
    g.dispatchEvent(new g.CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  };
  g.addEventListener("eip6963:requestProvider", announce);
  announce();
}
