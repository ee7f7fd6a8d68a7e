/** What the bench reports: each Ballast figure with its OpenZeppelin reference (if any) and its issue-8 target. */

/** One measured figure: Ballast gas, its reference (if any) and the issue-8 target (as a max gas), if any. */
export interface Row {
  key: string;
  label: string;
  gas: number;
  refKey?: string;
  target?: { max: number; text: string };
}

export const REF_LABELS: Record<string, string> = {
  "ref.transfer.newHolder": "OZ ERC20 transfer (new)",
  "ref.transfer.existing": "OZ ERC20 transfer (existing)",
  "ref.permit": "OZ ERC20Permit (USDC mock)",
  "ref.deposit.first": "OZ ERC4626 deposit (first)",
  "ref.deposit.newHolder": "OZ ERC4626 deposit (new)",
  "ref.deposit.existing": "OZ ERC4626 deposit (existing)",
  "ref.redeem.partial": "OZ ERC4626 redeem (partial)",
  "ref.redeem.full": "OZ ERC4626 redeem (full)",
  // The Aave rows are shown against the same path on the perp venue.
  "mint.first": "perp venue: mint (first)",
  "mint.newHolder": "perp venue: mint (new)",
  "mint.existing": "perp venue: mint (existing)",
  "redeem.partial": "perp venue: redeem (partial)",
  "redeem.full": "perp venue: redeem (full)",
  "rebalance.normal": "perp venue: rebalance",
  "check.venue": "same, reading every venue",
  "should.venue": "same, reading the venue",
};

/** Aave rows: key, label, and the perp venue's figure they are shown against. */
const AAVE_ROWS: readonly (readonly [string, string, string])[] = [
  ["aave.mint.first", "Aave: mint (first ever)", "mint.first"],
  ["aave.mint.newHolder", "Aave: mint (new holder)", "mint.newHolder"],
  ["aave.mint.existing", "Aave: mint (existing holder)", "mint.existing"],
  ["aave.redeem.partial", "Aave: redeem (partial)", "redeem.partial"],
  ["aave.redeem.full", "Aave: redeem (full)", "redeem.full"],
  ["aave.rebalance.normal", "Aave: rebalance (normal)", "rebalance.normal"],
];

const KEEPER_TARGET = { max: 150_000, text: "≤ 150,000" };

/** A row whose target is a multiple of its reference. */
function againstRef(gas: Record<string, number>, key: string, label: string, refKey: string, times: number): Row {
  return { key, label, gas: gas[key], refKey, target: { max: gas[refKey] * times, text: `≤ ${times}× ref` } };
}

export function rowsOf(gas: Record<string, number>): Row[] {
  const R = gas["rebalance.normal"];
  return [
    againstRef(gas, "transfer.newHolder", "transfer (new holder)", "ref.transfer.newHolder", 1.01),
    againstRef(gas, "transfer.existing", "transfer (existing holder)", "ref.transfer.existing", 1.01),
    { key: "permit", label: "permit", gas: gas["permit"], refKey: "ref.permit" },
    { key: "mint.first", label: "mint (first ever)", gas: gas["mint.first"], refKey: "ref.deposit.first" },
    againstRef(gas, "mint.newHolder", "mint (new holder)", "ref.deposit.newHolder", 2.5),
    againstRef(gas, "mint.existing", "mint (existing holder)", "ref.deposit.existing", 2.5),
    againstRef(gas, "redeem.partial", "redeem (partial)", "ref.redeem.partial", 2.5),
    againstRef(gas, "redeem.full", "redeem (full)", "ref.redeem.full", 2.5),
    { key: "rebalance.normal", label: "rebalance (normal)", gas: R, target: KEEPER_TARGET },
    {
      key: "rebalance.iterate",
      label: "rebalance (ITERATE chunk)",
      gas: gas["rebalance.iterate"],
      target: KEEPER_TARGET,
    },
    { key: "rebalance.ripcord", label: "ripcord", gas: gas["rebalance.ripcord"], target: KEEPER_TARGET },
    { key: "upkeep.1", label: "performUpkeep (1 due)", gas: gas["upkeep.1"] },
    {
      key: "upkeep.8",
      label: "performUpkeep (8 due)",
      gas: gas["upkeep.8"],
      target: { max: 8 * R, text: "≤ 8 × rebalance" },
    },
    // Keeper checks with nothing due: the trigger prices (methodology v2) against reading every venue.
    {
      key: "check.triggers",
      label: "checkUpkeep, 8 products, none due",
      gas: gas["check.triggers"],
      refKey: "check.venue",
    },
    { key: "should.triggers", label: "shouldRebalance, not due", gas: gas["should.triggers"], refKey: "should.venue" },
    // The same paths on Aave v3 + Uniswap v3 (AaveETH2L), beside the perp venue's: a swap and Aave calls per trade.
    ...AAVE_ROWS.filter(([key]) => gas[key] !== undefined).map(([key, label, refKey]) => ({
      key,
      label,
      gas: gas[key],
      refKey,
    })),
  ];
}
