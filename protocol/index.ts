/**
 * Ballast's protocol module: what every TypeScript client of the contracts shares (the page, the Hardhat tasks, the
 * keeper, scripts and tests). Plain TypeScript over ethers and the generated typechain-types; no Node or DOM APIs.
 *
 *   actions    IRebalancer.Action and its names
 *   products   product and market symbols
 *   constants  the contracts' constants (checked against the deployed contracts by test/unit/protocol.test.ts)
 *   permit     EIP-2612 Permit typed data
 *   revert     the revert decoder          explain  the error explainer (a sentence per custom error)
 *   format     exact amounts as text       contracts  typechain handles (ILeveragedToken, IRebalancer, IVenue, ...)
 */
export * from "./actions";
export * from "./constants";
export * from "./contracts";
export * from "./explain";
export * from "./format";
export * from "./permit";
export * from "./products";
export * from "./revert";
