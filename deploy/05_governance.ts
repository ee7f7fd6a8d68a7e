import type { DeployFunction } from "hardhat-deploy/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { AAVE_PRODUCT_SYMBOLS, PRODUCT_SYMBOLS } from "../config/parameters";
import { governanceFor } from "../config/networks";

/** Every Ownable2Step contract governance owns, by deployment name. */
const GOVERNED = ["Rebalancer", "LeveragedTokenFactory", ...PRODUCT_SYMBOLS];
/** The Aave products, when the real-venue market is deployed (deploy/13_aave_products.ts). */
const GOVERNED_IF_DEPLOYED = AAVE_PRODUCT_SYMBOLS;

/**
 * Governance (issue 13.8): an OpenZeppelin TimelockController (deployment `Timelock`) becomes the owner of the
 * Rebalancer, the factory and every product; the deployer stays the factory's operator (one-step actions that cannot
 * hurt holders). Bootstrap, all in this script and re-runnable (every step checks the chain first):
 *
 * 1. the timelock is deployed with delay 0 and the deployer as proposer, executor and admin;
 * 2. the factory's operator is set (the deployer) while the deployer still owns the factory;
 * 3. each contract still owned by the deployer is offered to the timelock (`transferOwnership`, Ownable2Step), and
 *    the timelock accepts them all in one `scheduleBatch` + `executeBatch` (possible only while its delay is 0);
 * 4. the timelock schedules and executes its own `updateDelay(minDelay)` (config/networks.ts, `GOVERNANCE`);
 * 5. on a live network the multisig gets the proposer, executor and canceller roles and the deployer loses them;
 * 6. the deployer renounces the admin role: from then on only the timelock itself (after its delay) changes roles.
 */
const func: DeployFunction = async (hre: HardhatRuntimeEnvironment) => {
  const { deployments, getNamedAccounts, ethers, network } = hre;
  const { deployer } = await getNamedAccounts();
  const gov = governanceFor(network.name, network.live, deployer);
  const tx = { from: deployer, autoMine: true };

  const timelock = await deployments.deploy("Timelock", {
    from: deployer,
    log: true,
    autoMine: true,
    contract: "TimelockController",
    args: [0, [deployer], [deployer], deployer],
  });
  const tl = await ethers.getContractAt("TimelockController", timelock.address);

  const factoryOwner = (await deployments.read("LeveragedTokenFactory", "owner")) as string;
  const operator = (await deployments.read("LeveragedTokenFactory", "operator")) as string;
  if (operator !== deployer && factoryOwner === deployer) {
    await deployments.execute("LeveragedTokenFactory", tx, "setOperator", deployer);
  }

  const toAccept: string[] = [];
  const present: string[] = [];
  for (const name of GOVERNED_IF_DEPLOYED) if (await deployments.getOrNull(name)) present.push(name);
  for (const name of [...GOVERNED, ...present]) {
    const owner = (await deployments.read(name, "owner")) as string;
    if (owner === timelock.address) continue;
    const pending = (await deployments.read(name, "pendingOwner")) as string;
    if (owner === deployer && pending !== timelock.address) {
      await deployments.execute(name, tx, "transferOwnership", timelock.address);
    } else if (pending !== timelock.address) {
      throw new Error(`05_governance: ${name} is owned by ${owner}, neither the deployer nor the Timelock`);
    }
    toAccept.push((await deployments.get(name)).address);
  }

  const signer = await ethers.getSigner(deployer);
  /** Schedules `calls` with delay 0 and executes them at once: only while the timelock's delay is still 0. */
  const runNow = async (calls: { target: string; data: string }[], label: string): Promise<void> => {
    if ((await tl.getMinDelay()) !== 0n) {
      throw new Error(`05_governance: ${label} needs the Timelock; schedule it there (its delay is no longer 0)`);
    }
    const targets = calls.map((c) => c.target);
    const values = calls.map(() => 0n);
    const payloads = calls.map((c) => c.data);
    const salt = ethers.id(`ballast.05_governance.${label}.${await ethers.provider.getBlockNumber()}`);
    await (await tl.connect(signer).scheduleBatch(targets, values, payloads, ethers.ZeroHash, salt, 0)).wait();
    await (await tl.connect(signer).executeBatch(targets, values, payloads, ethers.ZeroHash, salt)).wait();
    deployments.log(`Timelock: ${label}`);
  };

  if (toAccept.length !== 0) {
    const accept = ethers.Interface.from(["function acceptOwnership()"]).encodeFunctionData("acceptOwnership");
    await runNow(
      toAccept.map((target) => ({ target, data: accept })),
      `acceptOwnership x${toAccept.length}`,
    );
  }

  const delay = await tl.getMinDelay();
  if (delay === 0n && gov.minDelay !== 0) {
    const data = tl.interface.encodeFunctionData("updateDelay", [gov.minDelay]);
    await runNow([{ target: timelock.address, data }], `updateDelay(${gov.minDelay})`);
  }

  const admin = await tl.DEFAULT_ADMIN_ROLE();
  if (await tl.hasRole(admin, deployer)) {
    if (gov.proposer !== deployer) {
      for (const role of [await tl.PROPOSER_ROLE(), await tl.EXECUTOR_ROLE(), await tl.CANCELLER_ROLE()]) {
        if (!(await tl.hasRole(role, gov.proposer)))
          await (await tl.connect(signer).grantRole(role, gov.proposer)).wait();
        if (await tl.hasRole(role, deployer)) await (await tl.connect(signer).revokeRole(role, deployer)).wait();
      }
    }
    await (await tl.connect(signer).renounceRole(admin, deployer)).wait();
    deployments.log(`Timelock ${timelock.address}: delay ${gov.minDelay} s, proposer/executor ${gov.proposer}`);
  }
};

func.tags = ["Governance", "Timelock"];
func.dependencies = ["Rebalancer", "Products", "AaveProducts"];
export default func;
