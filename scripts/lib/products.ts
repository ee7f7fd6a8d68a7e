/**
 * Creates products through the factory (so each is registered with the Rebalancer) and saves each as a hardhat-deploy
 * deployment named by its symbol, with the guardian set. Used by deploy/04_products.ts (the perp products) and
 * deploy/13_aave_products.ts (the Aave products): one product = config/parameters.ts `productDefaults(symbol)`.
 *
 * Each product's venue is allow-listed first. Before deploy/05_governance.ts the deployer owns the factory and does
 * both; afterwards the deployer is the factory's operator: it can still create a product under a new symbol on an
 * allow-listed venue, but allow-listing a venue and the new product's guardian go through the Timelock.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { productDefaults } from "../../config/parameters";

export async function deployProducts(hre: HardhatRuntimeEnvironment, symbols: readonly string[]): Promise<void> {
  const { deployments, getNamedAccounts, ethers } = hre;
  const { deployer, guardian } = await getNamedAccounts();
  const artifact = await deployments.getArtifact("LeveragedToken");
  const factory = await ethers.getContractAt(
    "LeveragedTokenFactory",
    (await deployments.get("LeveragedTokenFactory")).address,
  );
  const signer = await ethers.getSigner(deployer);
  const ownsFactory = (await factory.owner()) === deployer;

  for (const symbol of symbols) {
    if (await deployments.getOrNull(symbol)) continue;
    const p = productDefaults(symbol);
    const venue = await deployments.get(p.venueDeployment);
    if (!(await factory.isVenueAllowed(venue.address))) {
      if (!ownsFactory) {
        throw new Error(
          `${symbol}: venue ${venue.address} is not allow-listed; schedule setVenueAllowed on the Timelock`,
        );
      }
      await (await factory.connect(signer).setVenueAllowed(venue.address, true)).wait();
    }
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
    if ((await token.owner()) === deployer) {
      await (await token.setGuardian(guardian)).wait();
    } else {
      const call = token.interface.encodeFunctionData("setGuardian", [guardian]);
      deployments.log(`${symbol}: owned by the Timelock; schedule ${address} ${call} there to set its guardian`);
    }
    deployments.log(`${symbol}: ${address}`);
  }
}
