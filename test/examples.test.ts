import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { inject } from "vitest"

const run = promisify(execFile)
const examplesDir = join(import.meta.dirname, "..", "examples")
const examples = readdirSync(examplesDir).filter((file) => file.endsWith(".ts"))

// Every example is a program users can run as it is: run each one as its own process, as a user would, against the
// shared cluster (examples that need to break a cluster start their own). An example that throws, hangs or exits
// non-zero fails the suite.
describe("examples", () => {
  it("there are examples to run", () => {
    assert.include(examples, "quickstart.ts")
  })

  it.each(examples)("%s runs to completion", { timeout: 90_000 }, async (file) => {
    const { stdout } = await run(process.execPath, [join(examplesDir, file)], {
      env: { ...process.env, REDIS_URL: inject("standaloneUrl"), REDIS_CLUSTER_URL: inject("clusterUrl") },
      timeout: 60_000
    })
    assert.isAbove(stdout.length, 0)
    if (file === "quickstart.ts") {
      assert.include(stdout, "GET user:1 -> ada")
      assert.include(stdout, "pipeline -> ada, 43, 2 of 3 keys exist")
      assert.include(stdout, "INCR profile -> ReplyError WRONGTYPE")
    }
    if (file === "failover.ts") {
      assert.include(stdout, "other errors seen by the writers: 0")
      assert.include(stdout, "(plus at most the unknown ones): 200 of 200")
      assert.match(stdout, /topology: PrimaryChanged/)
    }
  })
})
