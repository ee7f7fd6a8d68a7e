import "@nomicfoundation/hardhat-toolbox";
import "hardhat-deploy";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig, NetworksUserConfig } from "hardhat/types";
import "./tasks";
import "./plugins/snapshot-clock";

// The compiler comes from the npm `solc` package: these machines cannot reach Hardhat's compiler host.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SOLC_VERSION: string = require("solc/package.json").version;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version().replace(/\.Emscripten\.clang$/, ""),
  };
});

/**
 * Live networks exist only when their environment is set (RPC URL and deployer key); absent env, the entry is omitted,
 * so nothing here can reach a live network by accident. See docs/deploy.md.
 */
function liveNetworks(env: NodeJS.ProcessEnv): NetworksUserConfig {
  const networks: NetworksUserConfig = {};
  const key = env.DEPLOYER_KEY;
  const live: Array<[name: string, urlVar: string, chainId: number]> = [
    ["mainnet", "MAINNET_RPC_URL", 1],
    ["arbitrum", "ARBITRUM_RPC_URL", 42161],
  ];
  for (const [name, urlVar, chainId] of live) {
    const url = env[urlVar];
    if (url && key) networks[name] = { url, chainId, accounts: [key], live: true, saveDeployments: true };
  }
  return networks;
}

/** Optimizer runs of the contracts deployed once per network (venues, oracle adapters): execution first. */
const HOT_RUNS = 1_000_000;
/**
 * The Rebalancer's runs: as many as fit under the 24,576-byte limit with methodology v2 (inner band, trigger prices);
 * 1,000,000 no longer fits (26,800 bytes). bench/gas-breakdown.md measures what the lower setting costs a keeper.
 */
const REBALANCER_RUNS = 2_000;

const config: HardhatUserConfig = {
  solidity: {
    compilers: [
      {
        version: SOLC_VERSION,
        settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 1_000 }, viaIR: false },
      },
    ],
    // Contracts deployed once per network are optimised for execution (bench/gas-breakdown.md measures 200, 1,000,
    // 10,000 and 1,000,000 runs). LeveragedToken keeps 1,000 runs: its creation code lives in the library
    // LeveragedTokenDeployer, which must stay under the 24,576-byte limit (test/unit/ContractSizes.test.ts).
    overrides: Object.fromEntries(
      (
        [
          ["contracts/Rebalancer.sol", REBALANCER_RUNS],
          ["contracts/venues/mock/MockPerpVenue.sol", HOT_RUNS],
          ["contracts/oracle/ChainlinkOracleAdapter.sol", HOT_RUNS],
        ] as const
      ).map(([file, runs]) => [
        file,
        { version: SOLC_VERSION, settings: { evmVersion: "cancun", optimizer: { enabled: true, runs }, viaIR: false } },
      ]),
    ),
  },
  namedAccounts: {
    deployer: { default: 0 },
    keeper: { default: 1 },
    treasury: { default: 2 },
    guardian: { default: 3 },
    // The real-venue market's accounts (deploy/11_aave.ts, 12_uniswap.ts, scripts/market/mover.ts): the last two signers.
    // They are also the perp suite's last test users, which is harmless: the perp fixture does not deploy the real venues.
    liquidityProvider: { default: 18 },
    arbitrageur: { default: 19 },
  },
  networks: {
    hardhat: { allowUnlimitedContractSize: false },
    localhost: { url: process.env.BALLAST_RPC_URL ?? "http://127.0.0.1:8545" },
    ...liveNetworks(process.env),
  },
  // BALLAST_DEPLOYMENTS_DIR lets a second local node (the integration test's) keep its own deployment files.
  paths: { deployments: process.env.BALLAST_DEPLOYMENTS_DIR ?? "deployments" },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 120_000 },
  gasReporter: { enabled: process.env.REPORT_GAS === "true", noColors: true, excludeContracts: ["mocks/reference/"] },
};

export default config;
