/**
 * The protocol module (protocol/) against the contracts it describes: every constant read back from the deployed
 * contracts, the Action enum from the compiler's own AST, the product symbols from the Rebalancer's registry, the
 * Permit types accepted by the USDC mock, and a decoder and a sentence for every custom error a product call can meet.
 */
import { expect } from "chai";
import hre, { deployments, ethers } from "hardhat";
import { type Interface, MaxUint256, Signature } from "ethers";
import {
  AaveVenue__factory,
  ChainlinkOracleAdapter__factory,
  IERC20Metadata__factory,
  IVenue__factory,
  LeveragedToken__factory,
  LeveragedTokenFactory__factory,
  MockPerpVenue__factory,
  MockUSDC__factory,
  Rebalancer__factory,
} from "../../typechain-types";
import {
  ACTION_NAMES,
  Action,
  DEAD_ADDRESS,
  DEAD_SHARES,
  EXPLAINED_ERRORS,
  MAX_BATCH,
  MAX_STREAMING_FEE,
  MAX_TRADE_FEE,
  PERMIT_TYPES,
  PRODUCT_SYMBOLS,
  USDC_UNITS,
  connectRebalancer,
  connectToken,
  decodeRevert,
  explainError,
  explainRevert,
  permitDomain,
  productInfo,
  protocolErrors,
  venueOf,
} from "../../protocol";
import { venueDeploymentName } from "../../config/parameters";
import { reserveLimits } from "../../protocol/venues/aave";

const address = async (name: string): Promise<string> => (await deployments.get(name)).address;

/** The members of a Solidity enum, in order, from the compiler's AST. */
async function enumMembers(source: string, contract: string, name: string): Promise<string[]> {
  const info = await hre.artifacts.getBuildInfo(`${source}:${contract}`);
  if (!info) throw new Error(`no build info for ${source}`);
  const found: string[][] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== "object" || node === null) return;
    const n = node as { nodeType?: string; name?: string; members?: Array<{ name: string }> };
    if (n.nodeType === "EnumDefinition" && n.name === name) found.push((n.members ?? []).map((m) => m.name));
    Object.values(node).forEach(walk);
  };
  walk(info.output.sources[source]?.ast);
  if (found.length !== 1) throw new Error(`enum ${name} found ${found.length} times in ${source}`);
  return found[0];
}

/** The custom errors of an ABI, by name. */
const errorNames = (abi: Interface): string[] => {
  const names: string[] = [];
  abi.forEachError((e) => names.push(e.name));
  return names;
};

describe("protocol module", function () {
  before(async function () {
    await deployments.fixture();
  });

  it("states the constants the deployed contracts hold", async function () {
    const token = connectToken(await address("BTC3L"), ethers.provider);
    expect(await token.DEAD_SHARES()).to.equal(DEAD_SHARES);
    expect(await token.MAX_TRADE_FEE()).to.equal(MAX_TRADE_FEE);
    expect(await token.MAX_STREAMING_FEE()).to.equal(MAX_STREAMING_FEE);
    const concrete = LeveragedToken__factory.connect(await token.getAddress(), ethers.provider);
    expect(await concrete.DEAD_ADDRESS()).to.equal(DEAD_ADDRESS);
    const rebalancer = Rebalancer__factory.connect(await address("Rebalancer"), ethers.provider);
    expect(await rebalancer.MAX_BATCH()).to.equal(MAX_BATCH);
    expect(await rebalancer.maxBatch()).to.equal(MAX_BATCH);
  });

  it("names IRebalancer.Action's members in the contract's order", async function () {
    const members = await enumMembers("contracts/interfaces/IRebalancer.sol", "IRebalancer", "Action");
    expect(members).to.deep.equal([...ACTION_NAMES]);
    members.forEach((name, i) => expect(Action[name as keyof typeof Action]).to.equal(i));
  });

  it("lists the products the Rebalancer registers, with their market, side and leverage", async function () {
    const rebalancer = connectRebalancer(await address("Rebalancer"), ethers.provider);
    const registered = await rebalancer.tokens();
    const symbols: string[] = [];
    for (const a of registered) {
      const symbol = await IERC20Metadata__factory.connect(a, ethers.provider).symbol();
      symbols.push(symbol);
      const info = productInfo(symbol);
      const token = connectToken(a, ethers.provider);
      expect(await token.isLong(), symbol).to.equal(info.isLong);
      expect(await token.targetLeverage(), symbol).to.equal(BigInt(info.leverage) * 10n ** 18n);
      expect(await venueOf(token, ethers.provider).then((v) => v.getAddress()), symbol).to.equal(
        await address(venueDeploymentName(info.market)),
      );
    }
    expect([...symbols].sort()).to.deep.equal([...PRODUCT_SYMBOLS].sort());
  });

  it("signs EIP-2612 permits the USDC accepts", async function () {
    const [owner, spender] = await ethers.getSigners();
    const usdc = MockUSDC__factory.connect(await address("USDC"), owner);
    const deadline = MaxUint256;
    const value = 1_234_000_000n;
    const raw = await owner.signTypedData(permitDomain(await usdc.eip712Domain()), PERMIT_TYPES, {
      owner: owner.address,
      spender: spender.address,
      value,
      nonce: await usdc.nonces(owner.address),
      deadline,
    });
    const sig = Signature.from(raw);
    await (await usdc.permit(owner.address, spender.address, value, deadline, sig.v, sig.r, sig.s)).wait();
    expect(await usdc.allowance(owner.address, spender.address)).to.equal(value);
  });

  it("decodes and explains every custom error of the token, Rebalancer, factory, oracle adapter, venues and collateral", function () {
    // As the page, the tasks and the keeper build it: the deployments' ABIs add the venue implementations' and the
    // mocks' own errors (the Aave venue's with the real-venue market).
    const errors = protocolErrors([MockPerpVenue__factory.abi, AaveVenue__factory.abi, MockUSDC__factory.abi]);
    const sources: Record<string, Interface> = {
      LeveragedToken: LeveragedToken__factory.createInterface(),
      Rebalancer: Rebalancer__factory.createInterface(),
      LeveragedTokenFactory: LeveragedTokenFactory__factory.createInterface(),
      ChainlinkOracleAdapter: ChainlinkOracleAdapter__factory.createInterface(),
      IVenue: IVenue__factory.createInterface(),
      MockPerpVenue: MockPerpVenue__factory.createInterface(),
      AaveVenue: AaveVenue__factory.createInterface(),
      MockUSDC: MockUSDC__factory.createInterface(),
    };
    for (const [contract, iface] of Object.entries(sources)) {
      for (const name of errorNames(iface)) {
        expect(EXPLAINED_ERRORS.has(name), `${contract}.${name} has no sentence`).to.equal(true);
        const fragment = iface.getError(name);
        if (!fragment) throw new Error(`${contract}.${name}`);
        const data = iface.encodeErrorResult(
          fragment,
          fragment.inputs.map((p) => sample(p.baseType)),
        );
        expect(decodeRevert({ data }, errors)?.name, `${contract}.${name}`).to.equal(name);
      }
    }
    // The protocol's own fragments suffice for everything but the venue implementation's own errors.
    const own = protocolErrors();
    for (const iface of [
      sources.LeveragedToken,
      sources.Rebalancer,
      sources.LeveragedTokenFactory,
      sources.ChainlinkOracleAdapter,
      sources.MockUSDC,
    ]) {
      for (const name of errorNames(iface)) {
        if (name === "FaucetLimitExceeded") continue; // the USDC mock's faucet
        const fragment = iface.getError(name);
        if (!fragment) continue;
        const data = iface.encodeErrorResult(
          fragment,
          fragment.inputs.map((p) => sample(p.baseType)),
        );
        expect(decodeRevert({ data }, own)?.name, name).to.equal(name);
      }
    }
  });

  it("reads an Aave reserve's LTV, liquidation threshold and bonus from its configuration bitmap", function () {
    // WETH on Aave v3 Ethereum: LTV 80%, liquidation threshold 82.5%, bonus 5% (stored as 10500), decimals 18 above.
    const configuration = 8000n | (8250n << 16n) | (10500n << 32n) | (18n << 48n);
    expect(reserveLimits(configuration)).to.deep.equal({
      ltv: 8n * 10n ** 17n,
      liquidationThreshold: 825n * 10n ** 15n,
      bonus: 5n * 10n ** 16n,
    });
    expect(reserveLimits(0n).bonus, "not collateral").to.equal(0n);
  });

  it("explains a real revert from the chain in the caller's unit", async function () {
    const [holder] = await ethers.getSigners();
    const usdc = MockUSDC__factory.connect(await address("USDC"), holder);
    const token = connectToken(await address("BTC3L"), holder);
    await (await usdc.mint(holder.address, 1_000_000_000n)).wait();
    await (await usdc.approve(await token.getAddress(), 1_000_000_000n)).wait();
    const tooMuch = 10n ** 30n;
    const err = await token.mint.staticCall(1_000_000_000n, tooMuch, holder.address).then(
      () => null,
      (e: unknown) => e,
    );
    expect(explainError(err, protocolErrors(), { outSymbol: "BTC3L", outDecimals: 18 })).to.match(
      /^The price moved beyond your slippage setting: you asked for at least 1,000,000,000,000\.000000 BTC3L but would get [\d,.]+ BTC3L\. Nothing was spent\.$/,
    );
    const redeem = await token.redeem.staticCall(1n, 0n, holder.address).then(
      () => null,
      (e: unknown) => e,
    );
    expect(explainError(redeem, protocolErrors(), USDC_UNITS)).to.equal(
      "You are trying to redeem more tokens than you hold.",
    );
    expect(explainRevert({ name: "NoSuchError", args: [1n], signature: "NoSuchError(1)" })).to.equal(
      "The contract refused the transaction: NoSuchError(1).",
    );
  });
});

/** A value of an ABI base type, for encoding sample errors. */
function sample(baseType: string): unknown {
  if (baseType === "address") return "0x000000000000000000000000000000000000dEaD";
  if (baseType === "bool") return true;
  if (baseType === "string") return "x";
  if (baseType.startsWith("bytes")) return baseType === "bytes" ? "0x" : "0x" + "00".repeat(Number(baseType.slice(5)));
  return 1n;
}
