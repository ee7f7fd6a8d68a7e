// solidity-coverage: mocks that are test doubles of outside systems (Chainlink's own aggregator) and test-only helpers
// are not measured. Instrumentation grows bytecode past the 24 KB limit; solidity-coverage already runs its Hardhat
// network with allowUnlimitedContractSize, so nothing else is needed here. json-summary feeds scripts/ci/coverage-gate.js.
module.exports = {
  skipFiles: ["mocks/ChainlinkMocks.sol", "mocks/test/"],
  configureYulOptimizer: true,
  istanbulReporter: ["html", "lcov", "text", "json", "json-summary"],
};
