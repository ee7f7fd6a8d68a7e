/**
 * Typed handles on the deployed contracts, from the typechain factories that `npx hardhat compile` generates:
 * products through `ILeveragedToken`, the Rebalancer through `IRebalancer`, a product's venue only through the
 * `IVenue` boundary (found with `token.venue()`), its oracle through `IOracleAdapter`, the collateral as an
 * OpenZeppelin `ERC20Permit`. Addresses come from the caller (a hardhat-deploy folder or export); no ABI is written
 * here by hand.
 *
 * This is the only file of the module that loads typechain-types at run time: hardhat.config.ts registers the tasks
 * before the first compile, so tasks import it lazily (see tasks/lib.ts).
 */
import type { ContractRunner, Interface, InterfaceAbi } from "ethers";
// Each factory from its own file (not typechain-types/index.ts): a process loads, and the page bundles, only these.
import { ERC20Permit__factory } from "../typechain-types/factories/@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit__factory";
import { SafeERC20__factory } from "../typechain-types/factories/@openzeppelin/contracts/token/ERC20/utils/SafeERC20__factory";
import { Ownable__factory } from "../typechain-types/factories/@openzeppelin/contracts/access/Ownable__factory";
import { ReentrancyGuardTransient__factory } from "../typechain-types/factories/@openzeppelin/contracts/utils/ReentrancyGuardTransient__factory";
import { SafeCast__factory } from "../typechain-types/factories/@openzeppelin/contracts/utils/math/SafeCast__factory";
import { ILeveragedToken__factory } from "../typechain-types/factories/contracts/interfaces/ILeveragedToken__factory";
import { ILeveragedTokenFactory__factory } from "../typechain-types/factories/contracts/interfaces/ILeveragedTokenFactory__factory";
import { IOracleAdapter__factory } from "../typechain-types/factories/contracts/interfaces/IOracleAdapter__factory";
import { IRebalancer__factory } from "../typechain-types/factories/contracts/interfaces/IRebalancer__factory";
import { IVenue__factory } from "../typechain-types/factories/contracts/interfaces/IVenue__factory";
import type { ERC20Permit, ILeveragedToken, IOracleAdapter, IRebalancer, IVenue } from "../typechain-types";
import { errorInterface } from "./revert";

export type { ERC20Permit, ILeveragedToken, IOracleAdapter, IRebalancer, IVenue };

export const connectToken = (address: string, runner: ContractRunner | null): ILeveragedToken =>
  ILeveragedToken__factory.connect(address, runner);

export const connectRebalancer = (address: string, runner: ContractRunner | null): IRebalancer =>
  IRebalancer__factory.connect(address, runner);

/** The collateral (USDC): ERC-20 with EIP-2612 permits and EIP-5267's `eip712Domain()`. */
export const connectCollateral = (address: string, runner: ContractRunner | null): ERC20Permit =>
  ERC20Permit__factory.connect(address, runner);

export const connectVenue = (address: string, runner: ContractRunner | null): IVenue =>
  IVenue__factory.connect(address, runner);

export const connectOracle = (address: string, runner: ContractRunner | null): IOracleAdapter =>
  IOracleAdapter__factory.connect(address, runner);

/** The venue that carries a product's position, as the product itself names it. */
export async function venueOf(token: ILeveragedToken, runner: ContractRunner | null): Promise<IVenue> {
  return connectVenue(await token.venue(), runner);
}

/** The oracle adapter a venue marks accounts at. */
export async function oracleOf(venue: IVenue, runner: ContractRunner | null): Promise<IOracleAdapter> {
  return connectOracle(await venue.oracle(), runner);
}

/**
 * Error fragments of everything a product call can revert in: the token, the Rebalancer, the factory, the oracle
 * adapter, the venue boundary, and the OpenZeppelin code they are built on (ERC-20 and permits, ownership, guards, safe casts and
 * transfers). A venue implementation's own errors come from its deployment's ABI (pass it in `extra`).
 */
export const PROTOCOL_ERROR_ABIS: readonly InterfaceAbi[] = [
  ILeveragedToken__factory.abi,
  IRebalancer__factory.abi,
  ILeveragedTokenFactory__factory.abi,
  IOracleAdapter__factory.abi,
  IVenue__factory.abi,
  ERC20Permit__factory.abi,
  Ownable__factory.abi,
  ReentrancyGuardTransient__factory.abi,
  SafeCast__factory.abi,
  SafeERC20__factory.abi,
];

/** One Interface that decodes every protocol error, plus those of `extra` ABIs (e.g. a deployment export's). */
export function protocolErrors(extra: readonly InterfaceAbi[] = []): Interface {
  return errorInterface([...PROTOCOL_ERROR_ABIS, ...extra]);
}
