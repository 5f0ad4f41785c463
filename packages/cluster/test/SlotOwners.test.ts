/**
 * CLUSTER DELSLOTS / DELSLOTSRANGE split among the slots' owners: one command line per owner, ranges cut at
 * ownership boundaries, unowned slots sent to the first primary (whose own error then reaches the caller).
 */
import { assert, describe, it } from "@effect/vitest"
import { type ClusterNodeInfo, ClusterSnapshot } from "@effect-redis/cluster"
import { sharesByOwner } from "../src/internal/routing/SlotOwners.ts"

const node = (port: number): ClusterNodeInfo => ({
  id: `n${port}`, host: "127.0.0.1", port, address: `127.0.0.1:${port}`, role: "primary", health: "online"
})
const [a, b, c] = [node(7000), node(7001), node(7002)]
const snapshot = ClusterSnapshot.make([
  { primary: a, replicas: [], slots: [[0, 5460]] },
  { primary: b, replicas: [], slots: [[5461, 10922]] },
  { primary: c, replicas: [], slots: [[10923, 16000]] }
])

const lines = (shares: ReturnType<typeof sharesByOwner>) =>
  typeof shares === "string" ? shares : shares.map((share) => [share.node.address, share.args])

describe("sharesByOwner", () => {
  it("DELSLOTS: each slot to its owner, one command per owner, argument order kept", () => {
    assert.deepStrictEqual(lines(sharesByOwner(snapshot, ["CLUSTER", "DELSLOTS", 1, 6000, 2, 12000], "slots")), [
      ["127.0.0.1:7000", ["CLUSTER", "DELSLOTS", 1, 2]],
      ["127.0.0.1:7001", ["CLUSTER", "DELSLOTS", 6000]],
      ["127.0.0.1:7002", ["CLUSTER", "DELSLOTS", 12000]]
    ])
  })

  it("DELSLOTSRANGE: a range across owners is cut at the boundaries; unowned slots go to the first primary", () => {
    assert.deepStrictEqual(lines(sharesByOwner(snapshot, ["CLUSTER", "DELSLOTSRANGE", 5000, 11000, 16100, 16200], "ranges")), [
      ["127.0.0.1:7000", ["CLUSTER", "DELSLOTSRANGE", 5000, 5460, 16100, 16200]],
      ["127.0.0.1:7001", ["CLUSTER", "DELSLOTSRANGE", 5461, 10922]],
      ["127.0.0.1:7002", ["CLUSTER", "DELSLOTSRANGE", 10923, 11000]]
    ])
  })

  it("arguments that are not slots are refused with the reason", () => {
    assert.strictEqual(sharesByOwner(snapshot, ["CLUSTER", "DELSLOTS", 16384], "slots"), "argument 2 is not a slot number (0-16383)")
    assert.strictEqual(sharesByOwner(snapshot, ["CLUSTER", "DELSLOTS"], "slots"), "at least one slot is required")
    assert.strictEqual(sharesByOwner(snapshot, ["CLUSTER", "DELSLOTSRANGE", 10, 5], "ranges"), "arguments 2-3 are not a slot range")
    assert.strictEqual(sharesByOwner(snapshot, ["CLUSTER", "DELSLOTSRANGE", 10], "ranges"), "start-end slot pairs are required")
  })
})
