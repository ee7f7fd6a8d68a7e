/** EIP-2612 permits (OpenZeppelin ERC20Permit: the USDC mock and the products), for ethers' `signTypedData`. */
import type { TypedDataDomain } from "ethers";

/** The `Permit` typed-data types. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The signing domain from a token's EIP-5267 `eip712Domain()` result (fields, name, version, chainId, verifyingContract, ...). */
export function permitDomain(domain: readonly unknown[]): TypedDataDomain {
  const chainId = domain[3];
  if (typeof chainId !== "bigint") throw new Error("eip712Domain() returned no chain id");
  return {
    name: String(domain[1]),
    version: String(domain[2]),
    chainId,
    verifyingContract: String(domain[4]),
  };
}
