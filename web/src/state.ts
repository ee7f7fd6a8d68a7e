/** The page's state, in one object, and the accessors every module uses to reach the parts that must be ready. */
import type { BrowserProvider, Interface, JsonRpcProvider } from "ethers";
import type { BallastConfig } from "./config";
import { el } from "./elements";
import type { ProductSnapshot, ProductStatic, ProtocolReader } from "./reader";
import type { DiscoveredWallet } from "./wallet";

export interface State {
  config: BallastConfig | null;
  reader: ProtocolReader | null;
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
  /** The chain's head when the shown snapshots began to be read (they are of that block or a later one). */
  readBlock: number | null;
}

export const state: State = {
  config: null,
  reader: null,
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
  readBlock: null,
};

export function need<T>(x: T | null, what: string): T {
  if (x === null) throw new Error(`${what} is not ready`);
  return x;
}

export const reader = (): ProtocolReader => need(state.reader, "the protocol");
export const errorsIface = (): Interface => need(state.errors, "the error decoder");
/** The product chosen in the mint/redeem form. */
export const selected = (): ProductStatic => reader().product(el.product.value);

let refreshHandler: () => Promise<void> = () => Promise.resolve();

/** Registers the refresh (refresh.ts) so that other modules can ask for one without importing it. */
export function onRefresh(handler: () => Promise<void>): void {
  refreshHandler = handler;
}

/** Re-reads the chain and re-renders everything (coalesced while one is running). */
export function requestRefresh(): Promise<void> {
  return refreshHandler();
}
