/** EIP-2612 `Permit` typed-data types (OpenZeppelin ERC20Permit, MockUSDC), for ethers' `signTypedData`. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};
