/**
 * The public surface is deliberate: the committed API report (api/<package>.md) lists every name each entry point
 * exports. Adding or removing an export without regenerating it (`node scripts/api-report.ts`) fails here.
 */
import { readFileSync } from "node:fs"
import { assert, describe, it } from "vitest"
import { apiReportPackages, apiReportPath, renderApiReport } from "../../scripts/api-report.ts"

describe("the API report", () => {
  for (const pkg of apiReportPackages) {
    it(`api/${pkg}.md matches what @effect-redis/${pkg} exports (regenerate with node scripts/api-report.ts)`, () => {
      assert.strictEqual(renderApiReport(pkg), readFileSync(apiReportPath(pkg), "utf8"))
    })
  }

  it("no entry point exports an internal module's name through a namespace that is not itself a subpath", () => {
    for (const pkg of apiReportPackages) {
      const report = readFileSync(apiReportPath(pkg), "utf8")
      for (const match of report.matchAll(/see `([^`]+)`/g)) assert.include(report, `## \`${match[1]}\``, `${pkg}: ${match[1]}`)
    }
  })
})
