/**
 * Every external function, error and event of every interface carries NatSpec (a @notice, or a @dev where the
 * notice would only repeat the name), read from the compiler's own userdoc / devdoc: an undocumented member of the
 * public surface fails here, not in review.
 */
import { expect } from "chai";
import { artifacts } from "hardhat";

const INTERFACES = [
  "contracts/interfaces/IVenue.sol:IVenue",
  "contracts/interfaces/ILeveragedToken.sol:ILeveragedToken",
  "contracts/interfaces/IRebalancer.sol:IRebalancer",
  "contracts/interfaces/ILeveragedTokenFactory.sol:ILeveragedTokenFactory",
  "contracts/interfaces/IOracleAdapter.sol:IOracleAdapter",
  "contracts/venues/mock/IMockPerpVenue.sol:IMockPerpVenue",
];

interface AbiEntry {
  type: string;
  name?: string;
  inputs?: { type: string; components?: AbiEntry["inputs"] }[];
}
type Docs = Record<string, unknown>;

/** The canonical signature solc keys its docs by, e.g. `register(address,(uint64,...),(uint64,...))`. */
function signature(entry: AbiEntry): string {
  const type = (i: NonNullable<AbiEntry["inputs"]>[number]): string =>
    i.type.startsWith("tuple") ? `(${(i.components ?? []).map(type).join(",")})${i.type.slice(5)}` : i.type;
  return `${entry.name}(${(entry.inputs ?? []).map(type).join(",")})`;
}

async function docsOf(fqn: string): Promise<{ abi: AbiEntry[]; user: Docs; dev: Docs }> {
  const build = await artifacts.getBuildInfo(fqn);
  if (!build) throw new Error(`no build info for ${fqn}`);
  const [source, name] = fqn.split(":");
  const metadata = JSON.parse((build.output.contracts[source][name] as unknown as { metadata: string }).metadata) as {
    output: { abi: AbiEntry[]; userdoc: Docs; devdoc: Docs };
  };
  return { abi: metadata.output.abi, user: metadata.output.userdoc, dev: metadata.output.devdoc };
}

describe("NatSpec on every interface member", function () {
  for (const fqn of INTERFACES) {
    it(`${fqn.split(":")[1]}: every function, error and event is documented`, async function () {
      const { abi, user, dev } = await docsOf(fqn);
      const section = { function: "methods", error: "errors", event: "events" } as const;
      const missing: string[] = [];
      for (const entry of abi) {
        const key = section[entry.type as keyof typeof section];
        if (!key) continue;
        const sig = signature(entry);
        const documented = (docs: Docs): boolean => {
          const found = (docs[key] as Record<string, unknown> | undefined)?.[sig];
          return found !== undefined && (!Array.isArray(found) || found.length > 0);
        };
        if (!documented(user) && !documented(dev)) missing.push(`${entry.type} ${sig}`);
      }
      expect(missing, `undocumented in ${fqn}`).to.deep.equal([]);
    });
  }
});
