import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderParameters } from "../../scripts/params-doc";

describe("docs/parameters.md", () => {
  it("matches config/parameters.ts (regenerate with scripts/params-doc.ts)", () => {
    const committed = readFileSync(join(__dirname, "..", "..", "docs", "parameters.md"), "utf8");
    expect(committed).to.equal(renderParameters());
  });
});
