/**
 * Numbers the contracts fix, in one place. Each contract constant is checked against the deployed contracts by
 * test/unit/protocol.test.ts.
 */

/** 1e18: leverage, prices, NAV and rates are WAD-scaled. */
export const WAD = 10n ** 18n;
/** Basis points in one. */
export const BPS = 10_000n;
/** Product shares have 18 decimals. */
export const SHARE_DECIMALS = 18;

/** LeveragedToken.DEAD_SHARES: shares locked at DEAD_ADDRESS by a product's first mint. */
export const DEAD_SHARES = 10n ** 15n;
/** LeveragedToken.DEAD_ADDRESS. */
export const DEAD_ADDRESS = "0x000000000000000000000000000000000000dEaD";
/** LeveragedToken.MAX_TRADE_FEE: the highest mint or redeem fee rate `setFees` accepts (WAD, 1%). */
export const MAX_TRADE_FEE = 10n ** 16n;
/** LeveragedToken.MAX_STREAMING_FEE: the highest yearly streaming fee rate `setFees` accepts (WAD, 10%). */
export const MAX_STREAMING_FEE = 10n ** 17n;
/** Rebalancer.MAX_BATCH: the most products one `performUpkeep` (and one `checkUpkeep` slice) handles. */
export const MAX_BATCH = 16n;

/** The chain id of a local Hardhat node (`npm run node`), the only chain the test faucet and price moves run on. */
export const LOCAL_CHAIN_ID = 31337;
