import { ZeroAddress } from "ethers";
import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { AAVE_MARKET, VENUE_TOKENS, type ReserveConfig } from "../config/aave";
import type { AaveContract } from "../scripts/market/artifacts";
import { realVenuesWanted } from "../scripts/market/realVenues";

/**
 * A local Aave v3 market from the published @aave/core-v3 1.19.3 artifacts (nothing compiled here), in Aave's own
 * deployment order: addresses provider, ACL, data provider, the Pool's libraries, Pool and PoolConfigurator behind the
 * provider's proxies, AaveOracle on the project's Chainlink-style feeds, token implementations, one rate strategy per
 * reserve, then the reserves USDC, WETH and WBTC configured from config/aave.ts and seeded by `liquidityProvider`.
 *
 * Deployments: AavePoolAddressesProvider, AaveACLManager, AaveProtocolDataProvider, Aave<Library>, AavePoolImpl,
 * AavePool (the proxy), AavePoolConfiguratorImpl, AavePoolConfigurator (the proxy), AaveOracle, AaveATokenImpl,
 * AaveStableDebtTokenImpl, AaveVariableDebtTokenImpl, AaveRateStrategy<token>, AaveAToken<token>,
 * AaveVariableDebtToken<token>.
 */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  // Loaded here, not at the top: the default fixture loads this script only to skip it.
  const { aaveArtifact, POOL_LIBRARIES } = await import("../scripts/market/artifacts");
  const { deployments, getNamedAccounts } = hre;
  const { deployer, treasury, liquidityProvider } = await getNamedAccounts();
  const opts = { from: deployer, log: true, autoMine: true };
  const tx = { from: deployer, autoMine: true };
  const deploy = async (name: string, contract: AaveContract, args: unknown[], libraries?: Record<string, string>) =>
    (await deployments.deploy(name, { ...opts, contract: aaveArtifact(contract), args, libraries })).address;

  // Addresses provider (the market's registry) and access control: the deployer is ACL admin and pool admin.
  const provider = await deployments.deploy("AavePoolAddressesProvider", {
    ...opts,
    contract: aaveArtifact("PoolAddressesProvider"),
    args: [AAVE_MARKET.marketId, deployer],
  });
  if (!provider.newlyDeployed) return; // set up already (a node restarted on its saved deployments)
  const P = "AavePoolAddressesProvider";
  await deployments.execute(P, tx, "setACLAdmin", deployer);
  const acl = await deploy("AaveACLManager", "ACLManager", [provider.address]);
  await deployments.execute(P, tx, "setACLManager", acl);
  await deployments.execute("AaveACLManager", tx, "addPoolAdmin", deployer);
  const dataProvider = await deploy("AaveProtocolDataProvider", "AaveProtocolDataProvider", [provider.address]);
  await deployments.execute(P, tx, "setPoolDataProvider", dataProvider);

  // The Pool's libraries, then the Pool implementation linked to them; the provider deploys the proxy and initialises it.
  const libraries: Record<string, string> = {};
  for (const lib of POOL_LIBRARIES) libraries[lib] = await deploy(`Aave${lib}`, lib, [], { ...libraries });
  const poolImpl = await deploy("AavePoolImpl", "Pool", [provider.address], libraries);
  await deployments.execute("AavePoolImpl", tx, "initialize", provider.address); // locks the implementation
  await deployments.execute(P, tx, "setPoolImpl", poolImpl);
  const pool = (await deployments.read(P, "getPool")) as string;
  await deployments.save("AavePool", { abi: aaveArtifact("Pool").abi, address: pool });

  const configuratorLogic = await deploy("AaveConfiguratorLogic", "ConfiguratorLogic", []);
  const configuratorImpl = await deploy("AavePoolConfiguratorImpl", "PoolConfigurator", [], {
    ConfiguratorLogic: configuratorLogic,
  });
  await deployments.execute("AavePoolConfiguratorImpl", tx, "initialize", provider.address);
  await deployments.execute(P, tx, "setPoolConfiguratorImpl", configuratorImpl);
  const configurator = (await deployments.read(P, "getPoolConfigurator")) as string;
  await deployments.save("AavePoolConfigurator", { abi: aaveArtifact("PoolConfigurator").abi, address: configurator });

  // Prices: the same Chainlink-style feeds as the rest of the project, in USD with 8 decimals.
  const reserves: ReserveConfig[] = VENUE_TOKENS.map((t) => AAVE_MARKET.reserves[t]);
  const assets = await Promise.all(reserves.map(async (r) => (await deployments.get(r.token)).address));
  const feeds = await Promise.all(reserves.map(async (r) => (await deployments.get(r.feed)).address));
  const oracle = await deploy("AaveOracle", "AaveOracle", [
    provider.address,
    assets,
    feeds,
    ZeroAddress, // no fallback oracle
    ZeroAddress, // base currency USD
    AAVE_MARKET.baseCurrencyUnit,
  ]);
  await deployments.execute(P, tx, "setPriceOracle", oracle);

  // Token implementations and the reserves.
  const aTokenImpl = await deploy("AaveATokenImpl", "AToken", [pool]);
  const stableDebtImpl = await deploy("AaveStableDebtTokenImpl", "StableDebtToken", [pool]);
  const variableDebtImpl = await deploy("AaveVariableDebtTokenImpl", "VariableDebtToken", [pool]);
  const { tokenNamePrefix: name, tokenSymbolPrefix: sym } = AAVE_MARKET;
  const inputs = [];
  for (const [i, r] of reserves.entries()) {
    const rt = r.rates;
    const strategy = await deploy(`AaveRateStrategy${r.token}`, "DefaultReserveInterestRateStrategy", [
      provider.address,
      rt.optimalUsageRatio,
      rt.baseVariableBorrowRate,
      rt.variableRateSlope1,
      rt.variableRateSlope2,
      rt.stableRateSlope1,
      rt.stableRateSlope2,
      rt.baseStableRateOffset,
      rt.stableRateExcessOffset,
      rt.optimalStableToTotalDebtRatio,
    ]);
    inputs.push({
      aTokenImpl,
      stableDebtTokenImpl: stableDebtImpl,
      variableDebtTokenImpl: variableDebtImpl,
      underlyingAssetDecimals: r.decimals,
      interestRateStrategyAddress: strategy,
      underlyingAsset: assets[i],
      treasury,
      incentivesController: ZeroAddress,
      aTokenName: `Aave ${name} ${r.token}`,
      aTokenSymbol: `a${sym}${r.token}`,
      variableDebtTokenName: `Aave ${name} Variable Debt ${r.token}`,
      variableDebtTokenSymbol: `variableDebt${sym}${r.token}`,
      stableDebtTokenName: `Aave ${name} Stable Debt ${r.token}`,
      stableDebtTokenSymbol: `stableDebt${sym}${r.token}`,
      params: "0x",
    });
  }
  const C = "AavePoolConfigurator";
  // One reserve per transaction: each initialisation deploys three token proxies (~7M gas).
  for (const input of inputs) await deployments.execute(C, tx, "initReserves", [input]);
  for (const [i, r] of reserves.entries()) {
    const asset = assets[i];
    await deployments.execute(
      C,
      tx,
      "configureReserveAsCollateral",
      asset,
      r.ltvBps,
      r.liquidationThresholdBps,
      r.liquidationBonusBps,
    );
    await deployments.execute(C, tx, "setReserveBorrowing", asset, r.borrowingEnabled);
    await deployments.execute(C, tx, "setReserveFlashLoaning", asset, r.flashLoanEnabled);
    await deployments.execute(C, tx, "setReserveFactor", asset, r.reserveFactorBps);
    await deployments.execute(C, tx, "setLiquidationProtocolFee", asset, r.liquidationProtocolFeeBps);
    await deployments.execute(C, tx, "setSupplyCap", asset, r.supplyCap);
    await deployments.execute(C, tx, "setBorrowCap", asset, r.borrowCap);
    const tokens = (await deployments.read("AaveProtocolDataProvider", "getReserveTokensAddresses", asset)) as {
      aTokenAddress: string;
      variableDebtTokenAddress: string;
    };
    await deployments.save(`AaveAToken${r.token}`, { abi: aaveArtifact("AToken").abi, address: tokens.aTokenAddress });
    await deployments.save(`AaveVariableDebtToken${r.token}`, {
      abi: aaveArtifact("VariableDebtToken").abi,
      address: tokens.variableDebtTokenAddress,
    });
  }
  await deployments.execute(C, tx, "updateFlashloanPremiumTotal", AAVE_MARKET.flashLoanPremiumTotalBps);
  await deployments.execute(C, tx, "updateFlashloanPremiumToProtocol", AAVE_MARKET.flashLoanPremiumToProtocolBps);

  // Liquidity: the seeded account mints from the faucets and supplies each reserve.
  const lp = { from: liquidityProvider, autoMine: true };
  for (const [i, r] of reserves.entries()) {
    const amount = r.seed * 10n ** BigInt(r.decimals);
    await deployments.execute(r.token, lp, "mint", liquidityProvider, amount);
    await deployments.execute(r.token, lp, "approve", pool, amount);
    await deployments.execute("AavePool", lp, "supply", assets[i], amount, liquidityProvider, 0);
  }
};

func.tags = ["AaveMarket", "AavePool", "AaveOracle", "RealVenues"];
func.dependencies = ["Mocks", "VenueTokens"];
func.skip = async (hre) => hre.network.live || !realVenuesWanted(hre);
export default func;
