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
    if (file === "leaderboard.ts") {
      assert.include(stdout, "week: 5 players; top 3 -> barbara=Infinity, grace=90, alan=74")
      assert.include(stdout, "grace is #2; nobody has no score")
      assert.include(stdout, "every day: []; Monday or Tuesday: [alan, linus, ada, grace]")
    }
    if (file === "job-queue.ts") {
      assert.include(stdout, "w1 processed: resize, encode, notify")
      assert.include(stdout, "pending before the janitor: 1; janitor claimed: report")
      assert.include(stdout, "pending after: 0")
    }
    if (file === "transactions.ts") {
      assert.include(stdout, "opened: alice=100, bob=20, accounts=1")
      assert.include(stdout, "fee: alice 100 -> 99")
      assert.include(stdout, "transfers: 6 done, 4 refused; alice=9, bob=110")
      assert.include(stdout, "failing command: command 1 ReplyError, executed: true; audit=1")
      assert.include(stdout, "script transfer: done; alice=59, bob=60")
    }
    if (file === "scan.ts") {
      assert.include(stdout, "sessions: 1000")
      assert.include(stdout, "hashes: 3")
      assert.include(stdout, "user 7 has: history, profile, settings")
      assert.include(stdout, "items in stock: 1714 of 2000")
      assert.include(stdout, "best score: ada=30")
      assert.include(stdout, "deleted: 1005 keys")
    }
    if (file === "failover.ts") {
      assert.include(stdout, "other errors seen by the writers: 0")
      assert.include(stdout, "(plus at most the unknown ones): 200 of 200")
      assert.match(stdout, /topology: PrimaryChanged/)
    }
  })
})
