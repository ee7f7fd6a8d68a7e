/**
 * The venue contracts' published Hardhat artifacts, read from their npm packages (never compiled here):
 * @aave/core-v3 1.19.3, @uniswap/v3-core 1.0.1, @uniswap/v3-periphery 1.4.4.
 */
import type { Artifact } from "hardhat/types";

const AAVE_PATHS = {
  PoolAddressesProvider: "protocol/configuration/PoolAddressesProvider.sol",
  ACLManager: "protocol/configuration/ACLManager.sol",
  Pool: "protocol/pool/Pool.sol",
  PoolConfigurator: "protocol/pool/PoolConfigurator.sol",
  DefaultReserveInterestRateStrategy: "protocol/pool/DefaultReserveInterestRateStrategy.sol",
  AaveOracle: "misc/AaveOracle.sol",
  AaveProtocolDataProvider: "misc/AaveProtocolDataProvider.sol",
  AToken: "protocol/tokenization/AToken.sol",
  StableDebtToken: "protocol/tokenization/StableDebtToken.sol",
  VariableDebtToken: "protocol/tokenization/VariableDebtToken.sol",
  BorrowLogic: "protocol/libraries/logic/BorrowLogic.sol",
  BridgeLogic: "protocol/libraries/logic/BridgeLogic.sol",
  ConfiguratorLogic: "protocol/libraries/logic/ConfiguratorLogic.sol",
  EModeLogic: "protocol/libraries/logic/EModeLogic.sol",
  FlashLoanLogic: "protocol/libraries/logic/FlashLoanLogic.sol",
  LiquidationLogic: "protocol/libraries/logic/LiquidationLogic.sol",
  PoolLogic: "protocol/libraries/logic/PoolLogic.sol",
  SupplyLogic: "protocol/libraries/logic/SupplyLogic.sol",
} as const;
export type AaveContract = keyof typeof AAVE_PATHS;

/** The libraries Pool links, in an order in which each library's own links are already deployed. */
export const POOL_LIBRARIES = [
  "BorrowLogic",
  "BridgeLogic",
  "EModeLogic",
  "FlashLoanLogic", // links BorrowLogic
  "LiquidationLogic",
  "PoolLogic",
  "SupplyLogic",
] as const satisfies readonly AaveContract[];

const UNISWAP_PATHS = {
  UniswapV3Factory: "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json",
  UniswapV3Pool: "@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json",
  SwapRouter: "@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json",
  NonfungiblePositionManager:
    "@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json",
} as const;
export type UniswapContract = keyof typeof UNISWAP_PATHS;

/** The npm package path of an Aave v3 artifact, e.g. `@aave/core-v3/artifacts/contracts/protocol/pool/Pool.sol/Pool.json`. */
export function aaveArtifactPath(name: AaveContract): string {
  return `@aave/core-v3/artifacts/contracts/${AAVE_PATHS[name]}/${name}.json`;
}

/** Source file of an Aave contract as its build info keys it, e.g. `contracts/protocol/pool/Pool.sol`. */
export function aaveSourceName(name: AaveContract): string {
  return `contracts/${AAVE_PATHS[name]}`;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (path: string): Artifact => require(path) as Artifact;

export function aaveArtifact(name: AaveContract): Artifact {
  return load(aaveArtifactPath(name));
}

export function uniswapArtifact(name: UniswapContract): Artifact {
  return load(UNISWAP_PATHS[name]);
}
