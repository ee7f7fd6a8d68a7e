import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { PRODUCT_SYMBOLS, productDefaults, venueDeploymentName } from "../config/parameters";

/**
 * The eight products, created through the factory (so each is registered with the Rebalancer) and saved as
 * hardhat-deploy deployments named by symbol (BTC3L, ...), with the guardian set.
 */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  const { deployments, getNamedAccounts, ethers } = hre;
  const { deployer, guardian } = await getNamedAccounts();
  const artifact = await deployments.getArtifact("LeveragedToken");
  const factory = await ethers.getContractAt(
    "LeveragedTokenFactory",
    (await deployments.get("LeveragedTokenFactory")).address,
  );

  for (const symbol of PRODUCT_SYMBOLS) {
    if (await deployments.getOrNull(symbol)) continue;
    const p = productDefaults(symbol);
    const venue = await deployments.get(venueDeploymentName(p.market));
    const signer = await ethers.getSigner(deployer);
    const tx = await factory.connect(signer).createProduct({
      name: p.name,
      symbol: p.symbol,
      venue: venue.address,
      isLong: p.isLong,
      fees: p.fees,
      equityCap: p.equityCap,
      methodology: p.methodology,
      bounty: p.bounty,
    });
    await tx.wait();
    const address = await factory.productBySymbol(symbol);
    await deployments.save(symbol, { address, abi: artifact.abi, transactionHash: tx.hash });
    const token = await ethers.getContractAt("LeveragedToken", address, signer);
    await (await token.setGuardian(guardian)).wait();
    deployments.log(`${symbol}: ${address}`);
  }
};

func.tags = ["Products", ...PRODUCT_SYMBOLS];
func.dependencies = ["Venues", "Rebalancer"];
export default func;
