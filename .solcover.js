// solidity-coverage: mocks that are test doubles of outside systems (Chainlink's own aggregator) are not measured.
module.exports = {
  skipFiles: ["mocks/ChainlinkMocks.sol", "mocks/test/"],
  configureYulOptimizer: true,
};
