/**
 * The two readings the whole-cluster scan bases its decisions on: which slot a MATCH pattern fixes (a hash-tagged
 * pattern scans one node), and what a node's own CLUSTER NODES line says it serves and migrates.
 */
import { assert, describe, it } from "@effect/vitest"
import { keySlot } from "@effect-redis/cluster"
import { patternSlot } from "../src/internal/scan/HashTagPattern.ts"
import { parseMyself } from "../src/internal/scan/NodeSlotState.ts"

describe("patternSlot", () => {
  it("a pattern literal up to its hash tag fixes the tag's slot", () => {
    assert.strictEqual(patternSlot("{user:1}:*"), keySlot("user:1"))
    assert.strictEqual(patternSlot("session:{user:1}:*"), keySlot("user:1"))
    assert.strictEqual(patternSlot("{user:1}"), keySlot("user:1"))
    // Only the first `}` after the first `{` counts, as for keys.
    assert.strictEqual(patternSlot("{a}{b}*"), keySlot("a"))
  })

  it("anything a key could match with another tag fixes nothing", () => {
    for (const pattern of ["*{user:1}", "{user:*}:x", "{}x*", "x?{a}*", "[ab]{a}*", "\\{a}*", "{a\\}*", "no-tag:*", "{open:*"]) {
      assert.isUndefined(patternSlot(pattern), pattern)
    }
  })
})

describe("parseMyself", () => {
  const nodes = [
    "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 master - 0 1426238316232 2 connected 0-99 [100->-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f] 101-5460 [6000-<-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]",
    "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30002@31002 myself,master - 0 0 7 connected 5461-10922 12000",
    "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30004@31004 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 2 connected",
    ""
  ].join("\n")

  it("reads the node's own line: role, config epoch, slots", () => {
    const state = parseMyself(nodes, "abc")
    assert.isTrue(typeof state !== "string")
    if (typeof state === "string") return
    assert.isTrue(state.primary)
    assert.strictEqual(state.configEpoch, "7")
    assert.strictEqual(state.runId, "abc")
    assert.strictEqual(state.owned.reduce((n, b) => n + b, 0), 10922 - 5461 + 1 + 1)
    assert.strictEqual(state.owned[5461], 1)
    assert.strictEqual(state.owned[12000], 1)
    assert.strictEqual(state.owned[0], 0)
  })

  it("migrating and importing slots, shown only on the node's own line", () => {
    const mine = nodes.replace("master - 0 1426238316232 2", "myself,master - 0 0 2").replace("myself,master - 0 0 7", "master - 0 0 7")
    const state = parseMyself(mine, "r")
    assert.isTrue(typeof state !== "string")
    if (typeof state === "string") return
    assert.deepStrictEqual([...state.migrating], [100])
    assert.deepStrictEqual([...state.importing], [6000])
    // A migrating slot is still served; an importing one is not yet.
    assert.strictEqual(state.owned[100], 0)
    assert.strictEqual(state.owned[6000], 0)
    assert.strictEqual(state.owned[99], 1)
  })

  it("a replica serves nothing; no line flagged myself is an error", () => {
    const replica = parseMyself(nodes.replace("myself,master - 0 0 7 connected 5461-10922 12000", "master - 0 0 7 connected 5461-10922").replace(" slave ", " myself,slave "), "r")
    assert.isTrue(typeof replica !== "string" && !replica.primary && replica.owned.every((b) => b === 0))
    assert.strictEqual(parseMyself("", "r"), "no line flagged myself")
  })
})
