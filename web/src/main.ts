/** The page's entry point: load the deployment export, connect the read provider, wire the forms, start refreshing. */
import "./style.css";
import { JsonRpcProvider, Network } from "ethers";
import { protocolErrors } from "@ballast/protocol";
import { buildAbout } from "./about";
import { loadConfig, type BallastConfig } from "./config";
import { renderWalletChoices, switchNetwork } from "./connection";
import { h, replaceChildren } from "./dom";
import { el } from "./elements";
import { onFaucet } from "./faucet";
import { buildPanels, startHealthWatch } from "./panels";
import { formatAmount } from "./format";
import { updateMintPreview, updatePreviews, updateRedeemPreview } from "./previews";
import { ProtocolReader } from "./reader";
import { refresh } from "./refresh";
import { onRefresh, selected, state } from "./state";
import { renderNoDeployments } from "./table";
import { onMint, onRedeem } from "./trade";
import { discoverWallets } from "./wallet";

/** Read provider, error decoder and contracts for `config`, into the state. */
function setUp(config: BallastConfig): JsonRpcProvider {
  const network = Network.from(config.chainId);
  const read = new JsonRpcProvider(config.rpcUrl, network, { staticNetwork: network, pollingInterval: 1000 });
  // Every ABI of the export too: a venue implementation's own errors are only there.
  const errors = protocolErrors(Object.values(config.contracts).map((c) => c.abi));
  state.config = config;
  state.read = read;
  state.errors = errors;
  state.reader = new ProtocolReader(config, read, errors);
  el.networkInfo.textContent =
    `Network: ${config.networkName}, chain ${config.chainId}, node ${config.rpcUrl}. ` +
    `Addresses and ABIs from the hardhat-deploy export (deployments.json).`;
  return read;
}

function chooseAll(): void {
  const s = state.snapshots.get(selected().symbol);
  state.redeemAll = true;
  el.redeemAmount.value =
    s?.balance === null || s?.balance === undefined
      ? ""
      : formatAmount(s.balance, 18, 18)
          .replace(/,/g, "")
          .replace(/\.?0+$/, "");
  void updateRedeemPreview();
}

function wireForms(): void {
  el.switchNetwork.addEventListener("click", () => void switchNetwork());
  el.faucet.addEventListener("click", () => void onFaucet());
  el.mintForm.addEventListener("submit", (ev) => void onMint(ev));
  el.redeemForm.addEventListener("submit", (ev) => void onRedeem(ev));
  el.mintAmount.addEventListener("input", () => void updateMintPreview());
  el.mintMinOut.addEventListener("input", () => void updateMintPreview());
  el.slippage.addEventListener("input", () => void updatePreviews());
  el.redeemAmount.addEventListener("input", () => {
    state.redeemAll = false;
    void updateRedeemPreview();
  });
  el.redeemAll.addEventListener("click", chooseAll);
  // Each product row's (phone: card's) Mint / Redeem: choose the product and go to its form.
  el.productsBody.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>("button[data-trade]");
    const symbol = b?.dataset.product;
    if (!b || !symbol) return;
    el.product.value = symbol;
    el.product.dispatchEvent(new Event("change"));
    const [form, input] =
      b.dataset.trade === "redeem" ? [el.redeemForm, el.redeemAmount] : [el.mintForm, el.mintAmount];
    form.scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });
  el.product.addEventListener("change", () => {
    state.redeemAll = false;
    el.redeemAmount.value = "";
    void updatePreviews();
  });
}

async function main(): Promise<void> {
  let config: BallastConfig;
  try {
    config = await loadConfig();
  } catch (e) {
    el.loadError.hidden = false;
    el.loadError.textContent = e instanceof Error ? e.message : String(e);
    renderNoDeployments();
    return;
  }
  const read = setUp(config);
  const products = state.reader?.products ?? [];
  replaceChildren(el.product, ...products.map((p) => h("option", { value: p.symbol }, `${p.symbol} — ${p.name}`)));
  el.product.value = "BTC3L";
  buildAbout();
  buildPanels();
  wireForms();
  startHealthWatch();
  onRefresh(refresh);
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
