import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** The Rebalancer and the factory (with the library holding the token's creation code), with the factory allowed to register products. */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  const { deployments, getNamedAccounts } = hre;
  const { deployer, treasury } = await getNamedAccounts();
  const opts = { from: deployer, log: true, autoMine: true };
  const rebalancer = await deployments.deploy("Rebalancer", { ...opts, args: [deployer] });
  // The factory links the library that holds LeveragedToken's creation code (see LeveragedTokenDeployer.sol).
  const tokenDeployer = await deployments.deploy("LeveragedTokenDeployer", opts);
  const factory = await deployments.deploy("LeveragedTokenFactory", {
    ...opts,
    args: [rebalancer.address, treasury, deployer],
    libraries: { LeveragedTokenDeployer: tokenDeployer.address },
  });
  const allowed = (await deployments.read("Rebalancer", "isRegistrar", factory.address)) as boolean;
  if (!allowed)
    await deployments.execute("Rebalancer", { from: deployer, autoMine: true }, "setRegistrar", factory.address, true);
};

func.tags = ["Rebalancer", "LeveragedTokenFactory"];
export default func;
