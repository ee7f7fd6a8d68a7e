import { expect } from "chai";
import { artifacts } from "hardhat";
import { underCoverage } from "../helpers/coverage";

/** EIP-170: the largest runtime code a contract may have. */
const MAX_RUNTIME_BYTES = 24_576;

/** Every contract the deploy scripts put on a live network. */
const DEPLOYED = [
  "LeveragedTokenFactory",
  "LeveragedTokenDeployer", // holds LeveragedToken's creation code
  "LeveragedToken",
  "Rebalancer",
  "ChainlinkOracleAdapter",
  "MockPerpVenue",
  "AaveVenue", // issue 14: the Aave v3 + Uniswap v3 adapter (and the AaveAccount it clones)
  "AaveAccount",
  "TimelockController", // governance (deploy/05_governance.ts), OpenZeppelin's as is
];

describe("Contract sizes", function () {
  // Coverage instruments every contract (about twice the bytecode): not what deploys.
  before(function () {
    if (underCoverage()) this.skip();
  });

  for (const name of DEPLOYED) {
    it(`${name} fits under the ${MAX_RUNTIME_BYTES.toLocaleString("en-US")}-byte limit`, async function () {
      const { deployedBytecode } = await artifacts.readArtifact(name);
      const bytes = (deployedBytecode.length - 2) / 2;
      console.log(`      ${name}: ${bytes.toLocaleString("en-US")} bytes (${MAX_RUNTIME_BYTES - bytes} spare)`);
      expect(bytes).to.be.lessThanOrEqual(MAX_RUNTIME_BYTES);
    });
  }
});
