/**
 * Reading CLUSTER SHARDS / CLUSTER SLOTS replies (RESP2 arrays and RESP3 maps) and MOVED / ASK redirects.
 */
import { assert, describe, it } from "@effect/vitest"
import { RespErrorReply, type RespValue } from "@effect-redis/client"
import type { AddressRemap, ClusterShard } from "@effect-redis/cluster"
import { LayoutParseError, parseClusterShards, parseClusterSlots, type ParseContext, parseRedirect } from "../src/internal/topology/ClusterReplyParsing.ts"
import { ScriptedTransport } from "@effect-redis/testkit"

const context = (overrides: Partial<ParseContext> = {}): ParseContext => ({
  askedHost: "10.0.0.9",
  tls: false,
  addressRemap: undefined,
  ...overrides
})

/** One CLUSTER SHARDS node, as Redis 7 sends it: RESP2 flat array or RESP3 map. */
const node = (fields: Record<string, RespValue>, resp3: boolean): RespValue =>
  resp3 ? new Map<RespValue, RespValue>(Object.entries(fields)) : Object.entries(fields).flat()

const shardEntry = (slots: ReadonlyArray<number>, nodes: ReadonlyArray<RespValue>, resp3: boolean): RespValue =>
  resp3 ? new Map<RespValue, RespValue>([["slots", slots], ["nodes", nodes]]) : ["slots", slots, "nodes", nodes]

/** A two-shard CLUSTER SHARDS reply, with a replica, a second slot range and a loading replica. */
const shardsReply = (resp3: boolean): RespValue => [
  shardEntry([0, 5460, 10923, 11000], [
    node({ id: "a".repeat(40), port: 7000, ip: "127.0.0.1", endpoint: "127.0.0.1", role: "master", "replication-offset": 10, health: "online" }, resp3),
    node({ id: "b".repeat(40), port: 7003, ip: "127.0.0.1", endpoint: "127.0.0.1", role: "replica", "replication-offset": 10, health: "loading" }, resp3)
  ], resp3),
  shardEntry([5461, 10922, 11001, 16383], [
    node({ id: "c".repeat(40), port: 7001, ip: "127.0.0.1", endpoint: "127.0.0.1", role: "master", "replication-offset": 10, health: "online" }, resp3)
  ], resp3)
]

const expectedShards: ReadonlyArray<ClusterShard> = [
  {
    primary: { id: "a".repeat(40), host: "127.0.0.1", port: 7000, address: "127.0.0.1:7000", role: "primary", health: "online" },
    replicas: [{ id: "b".repeat(40), host: "127.0.0.1", port: 7003, address: "127.0.0.1:7003", role: "replica", health: "loading" }],
    slots: [[0, 5460], [10923, 11000]]
  },
  {
    primary: { id: "c".repeat(40), host: "127.0.0.1", port: 7001, address: "127.0.0.1:7001", role: "primary", health: "online" },
    replicas: [],
    slots: [[5461, 10922], [11001, 16383]]
  }
]

const shardsOf = (result: ReadonlyArray<ClusterShard> | LayoutParseError): ReadonlyArray<ClusterShard> => {
  if (result instanceof LayoutParseError) throw new Error(`unexpected parse error: ${result.reason}`)
  return result
}

const onePrimary = (fields: Record<string, RespValue>, resp3 = false): RespValue => [
  shardEntry([0, 16383], [node({ id: "p".repeat(40), role: "master", health: "online", ...fields }, resp3)], resp3)
]

describe("parseClusterShards", () => {
  it("reads a RESP2 reply (flat name/value arrays)", () => {
    assert.deepStrictEqual(shardsOf(parseClusterShards(shardsReply(false), context())), expectedShards)
  })

  it("reads a RESP3 reply (maps) the same way", () => {
    assert.deepStrictEqual(shardsOf(parseClusterShards(shardsReply(true), context())), expectedShards)
  })

  it("reads what the test kit's ScriptedTransport.clusterShards builds, in both protocols", () => {
    const spec = { shards: [{ primary: "127.0.0.1:7000", replicas: ["127.0.0.1:7003"], slots: [[0, 16383] as const] }] }
    for (const resp3 of [false, true]) {
      const [shard] = shardsOf(parseClusterShards(ScriptedTransport.clusterShards(spec, { resp3 }), context()))
      assert.strictEqual(shard!.primary.address, "127.0.0.1:7000")
      assert.deepStrictEqual(shard!.replicas.map((r) => r.address), ["127.0.0.1:7003"])
      assert.deepStrictEqual(shard!.slots, [[0, 16383]])
    }
  })

  it("replaces an unknown endpoint (`?` or empty) by the host that was asked", () => {
    for (const endpoint of ["?", ""]) {
      const [shard] = shardsOf(parseClusterShards(onePrimary({ port: 7000, ip: "", endpoint }), context()))
      assert.strictEqual(shard!.primary.host, "10.0.0.9", `endpoint ${JSON.stringify(endpoint)}`)
      assert.strictEqual(shard!.primary.address, "10.0.0.9:7000")
    }
  })

  it("uses ip when there is no endpoint field, and brackets IPv6 addresses", () => {
    const [shard] = shardsOf(parseClusterShards(onePrimary({ port: 7000, ip: "::1" }), context()))
    assert.strictEqual(shard!.primary.host, "::1")
    assert.strictEqual(shard!.primary.address, "[::1]:7000")
  })

  it("applies addressRemap after the endpoint is resolved", () => {
    const remap: AddressRemap = ({ host, port }) => ({ host: host === "172.17.0.2" ? "localhost" : host, port: port + 10000 })
    const [shard] = shardsOf(
      parseClusterShards(onePrimary({ port: 7000, ip: "172.17.0.2", endpoint: "172.17.0.2" }), context({ addressRemap: remap }))
    )
    assert.deepStrictEqual([shard!.primary.host, shard!.primary.port, shard!.primary.address], ["localhost", 17000, "localhost:17000"])
    const [asked] = shardsOf(parseClusterShards(onePrimary({ port: 7000, endpoint: "?" }), context({ askedHost: "172.17.0.2", addressRemap: remap })))
    assert.strictEqual(asked!.primary.address, "localhost:17000")
  })

  it("prefers tls-port with tls, port without", () => {
    const reply = onePrimary({ port: 7000, "tls-port": 8000, endpoint: "h" }, true)
    assert.strictEqual(shardsOf(parseClusterShards(reply, context({ tls: true })))[0]!.primary.port, 8000)
    assert.strictEqual(shardsOf(parseClusterShards(reply, context({ tls: false })))[0]!.primary.port, 7000)
    // A TLS-only node announces port 0: its tls-port is the only way in.
    const tlsOnly = onePrimary({ port: 0, "tls-port": 8000, endpoint: "h" })
    assert.strictEqual(shardsOf(parseClusterShards(tlsOnly, context({ tls: true })))[0]!.primary.port, 8000)
    // Without tls, a node with port 0 has no usable port: it is left out, and its shard has no primary.
    assert.instanceOf(parseClusterShards(tlsOnly, context({ tls: false })), LayoutParseError)
  })

  it("reads integers given as text, bigints or bytes", () => {
    const reply: RespValue = [
      ["slots", ["0", 16383n], "nodes", [["id", new TextEncoder().encode("x".repeat(40)), "port", "7000", "endpoint", "h", "role", "master"]]]
    ]
    const [shard] = shardsOf(parseClusterShards(reply, context()))
    assert.deepStrictEqual(shard!.slots, [[0, 16383]])
    assert.strictEqual(shard!.primary.id, "x".repeat(40))
    assert.strictEqual(shard!.primary.port, 7000)
  })

  it("prefers a healthy primary over a failed one (after a failover both say master), in either order", () => {
    const failed = node({ id: "old", port: 7000, endpoint: "h", role: "master", health: "failed" }, false)
    const promoted = node({ id: "new", port: 7003, endpoint: "h", role: "master", health: "online" }, false)
    for (const nodes of [[failed, promoted], [promoted, failed]]) {
      const [shard] = shardsOf(parseClusterShards([shardEntry([0, 16383], nodes, false)], context()))
      assert.strictEqual(shard!.primary.id, "new")
      assert.strictEqual(shard!.primary.health, "online")
      assert.isTrue(shard!.replicas.every((r) => r.role === "replica" && r.health === "failed"))
    }
  })

  it("reads each node's health", () => {
    const reply: RespValue = [
      shardEntry([0, 16383], [
        node({ id: "p", port: 7000, endpoint: "h", role: "master", health: "online" }, true),
        node({ id: "r1", port: 7003, endpoint: "h", role: "replica", health: "failed" }, true),
        node({ id: "r2", port: 7004, endpoint: "h", role: "replica", health: "loading" }, true)
      ], true)
    ]
    const [shard] = shardsOf(parseClusterShards(reply, context()))
    assert.deepStrictEqual(shard!.replicas.map((r) => [r.id, r.health]), [["r1", "failed"], ["r2", "loading"]])
  })

  it("skips a slotless shard without a primary, and rejects one serving slots", () => {
    const replicaOnly = (slots: ReadonlyArray<number>): RespValue => [
      shardEntry(slots, [node({ id: "r", port: 7003, endpoint: "h", role: "replica", health: "online" }, false)], false)
    ]
    assert.deepStrictEqual(shardsOf(parseClusterShards(replicaOnly([]), context())), [])
    assert.instanceOf(parseClusterShards(replicaOnly([0, 100]), context()), LayoutParseError)
  })

  it("keeps slotless primaries (new nodes) as shards with no slots", () => {
    const reply: RespValue = [shardEntry([], [node({ id: "n", port: 7005, endpoint: "h", role: "master" }, false)], false)]
    assert.deepStrictEqual(shardsOf(parseClusterShards(reply, context()))[0]!.slots, [])
  })

  it("turns malformed replies into LayoutParseError", () => {
    const error = parseClusterShards(new RespErrorReply("ERR unknown subcommand 'SHARDS'"), context())
    assert.instanceOf(error, LayoutParseError)
    assert.include((error as LayoutParseError).reason, "unknown subcommand")
    assert.instanceOf(parseClusterShards("OK", context()), LayoutParseError)
    assert.instanceOf(parseClusterShards([["slots", [0, 1]]], context()), LayoutParseError)
    assert.instanceOf(parseClusterShards([["slots", ["x", 1], "nodes", []]], context()), LayoutParseError)
    assert.instanceOf(parseClusterShards([["slots", [0, 1], "nodes", ["not a map"]]], context()), LayoutParseError)
  })
})

describe("parseClusterSlots", () => {
  const reply: RespValue = [
    [0, 5460, ["127.0.0.1", 7000, "a".repeat(40), []], ["127.0.0.1", 7003, "b".repeat(40), []]],
    [5461, 10922, ["127.0.0.1", 7001, "c".repeat(40)]],
    [10923, 16383, ["127.0.0.1", 7000, "a".repeat(40)], ["127.0.0.1", 7003, "b".repeat(40)]]
  ]

  it("groups ranges by primary, with each replica once", () => {
    const shards = shardsOf(parseClusterSlots(reply, context()))
    assert.deepStrictEqual(shards.map((s) => [s.primary.address, s.slots, s.replicas.map((r) => r.address)]), [
      ["127.0.0.1:7000", [[0, 5460], [10923, 16383]], ["127.0.0.1:7003"]],
      ["127.0.0.1:7001", [[5461, 10922]], []]
    ])
    assert.strictEqual(shards[0]!.primary.id, "a".repeat(40))
    assert.strictEqual(shards[0]!.primary.role, "primary")
    assert.strictEqual(shards[0]!.replicas[0]!.role, "replica")
  })

  it("replaces an unknown host by the asked host and applies addressRemap", () => {
    const remap: AddressRemap = ({ host, port }) => ({ host: `${host}.internal`, port })
    const shards = shardsOf(parseClusterSlots([[0, 16383, ["", 7000], ["?", 7003]]], context({ addressRemap: remap })))
    assert.strictEqual(shards[0]!.primary.address, "10.0.0.9.internal:7000")
    assert.strictEqual(shards[0]!.replicas[0]!.address, "10.0.0.9.internal:7003")
    // Without an id, a node is known by its address.
    assert.strictEqual(shards[0]!.primary.id, "10.0.0.9.internal:7000")
  })

  it("turns malformed replies into LayoutParseError", () => {
    assert.instanceOf(parseClusterSlots(new RespErrorReply("ERR This instance has cluster support disabled"), context()), LayoutParseError)
    assert.instanceOf(parseClusterSlots("OK", context()), LayoutParseError)
    assert.instanceOf(parseClusterSlots([[0, 100]], context()), LayoutParseError)
    assert.instanceOf(parseClusterSlots([["a", 100, ["h", 1]]], context()), LayoutParseError)
    assert.instanceOf(parseClusterSlots([[0, 100, ["h"]]], context()), LayoutParseError)
    assert.instanceOf(parseClusterSlots([[0, 100, ["h", "port"]]], context()), LayoutParseError)
  })
})

describe("parseRedirect", () => {
  it("reads MOVED and ASK with IPv4, hostnames and bracketed IPv6", () => {
    assert.deepStrictEqual(parseRedirect("MOVED 3999 127.0.0.1:6381", "x"), { slot: 3999, host: "127.0.0.1", port: 6381 })
    assert.deepStrictEqual(parseRedirect("ASK 0 redis-1.example.com:6379", "x"), { slot: 0, host: "redis-1.example.com", port: 6379 })
    assert.deepStrictEqual(parseRedirect("MOVED 16383 [::1]:7000", "x"), { slot: 16383, host: "::1", port: 7000 })
  })

  it("an empty or unknown host means the node that answered", () => {
    assert.deepStrictEqual(parseRedirect("MOVED 12 :7001", "10.0.0.9"), { slot: 12, host: "10.0.0.9", port: 7001 })
    assert.deepStrictEqual(parseRedirect("MOVED 12 ?:7001", "10.0.0.9"), { slot: 12, host: "10.0.0.9", port: 7001 })
  })

  it("rejects malformed redirects", () => {
    for (const message of ["MOVED", "MOVED 12", "MOVED x 127.0.0.1:7000", "MOVED 12 127.0.0.1", "MOVED 12 h:0", "MOVED 12 h:port", "MOVED 1.5 h:1"]) {
      assert.isUndefined(parseRedirect(message, "x"), message)
    }
  })
})

describe("endpoints and failed primaries", () => {
  it("`?` (hostname preferred, node has none) uses the node's ip; empty uses the asked host", () => {
    const shards = shardsOf(parseClusterShards([
      shardEntry([0, 16383], [
        node({ id: "a".repeat(40), port: 7000, ip: "10.1.1.1", endpoint: "?", role: "master", health: "online" }, false),
        node({ id: "b".repeat(40), port: 7001, ip: "", endpoint: "", role: "replica", health: "online" }, false)
      ], false)
    ], context()))
    assert.strictEqual(shards[0]!.primary.address, "10.1.1.1:7000")
    assert.strictEqual(shards[0]!.replicas[0]!.address, "10.0.0.9:7001")
    // CLUSTER SLOTS: the metadata map's ip resolves `?` the same way.
    const slots = shardsOf(parseClusterSlots([[0, 16383, ["?", 7000, "a".repeat(40), ["ip", "10.1.1.2"]]]], context()))
    assert.strictEqual(slots[0]!.primary.address, "10.1.1.2:7000")
  })

  it("a failed former primary is kept as a failed replica whichever order the shard lists it in", () => {
    const failed = node({ id: "f".repeat(40), port: 7000, ip: "127.0.0.1", endpoint: "127.0.0.1", role: "master", health: "failed" }, false)
    const healthy = node({ id: "h".repeat(40), port: 7003, ip: "127.0.0.1", endpoint: "127.0.0.1", role: "master", health: "online" }, false)
    for (const order of [[failed, healthy], [healthy, failed]]) {
      const [shard] = shardsOf(parseClusterShards([shardEntry([0, 16383], order, false)], context()))
      assert.strictEqual(shard!.primary.address, "127.0.0.1:7003")
      assert.deepStrictEqual(shard!.replicas.map((r) => [r.address, r.health, r.role]), [["127.0.0.1:7000", "failed", "replica"]])
    }
  })
})

describe("real CLUSTER SHARDS replies after a primary was killed and its replica promoted", () => {
  // Captured (RESP2) from 3+3 clusters of the test kit, 5 s after kill -9 of the primary of slots 0-5460, with no
  // writes yet: replicas that received nothing report `replication-offset 0` and `health loading`.
  const shardNode = (id: string, port: number, role: string, health: string): RespValue => [
    "id", id, "port", port, "ip", "127.0.0.1", "endpoint", "127.0.0.1", "role", role, "replication-offset", 0, "health", health
  ]
  const [dead, promoted, b, b1, c, c1] = ["d", "p", "b", "e", "c", "f"].map((letter) => letter.repeat(40)) as [
    string, string, string, string, string, string
  ]
  const otherShards: ReadonlyArray<RespValue> = [
    ["slots", [5461, 10922], "nodes", [shardNode(b, 7001, "master", "online"), shardNode(b1, 7004, "replica", "loading")]],
    ["slots", [10923, 16383], "nodes", [shardNode(c, 7002, "master", "online"), shardNode(c1, 7005, "replica", "loading")]]
  ]
  const replies: ReadonlyArray<readonly [string, RespValue]> = [
    // Redis 7.0.15: the dead primary is a slotless shard of its own, still `master`, health `fail`.
    ["Redis 7.0.15", [
      ["slots", [0, 5460], "nodes", [shardNode(promoted, 7003, "master", "online")]],
      ...otherShards,
      ["slots", [], "nodes", [shardNode(dead, 7000, "master", "fail")]]
    ]],
    // Redis 8.0.2 and Valkey 8.1.1: the dead primary stays in its shard, listed first, still `master`, `fail`.
    ["Redis 8.0.2 / Valkey 8.1.1", [
      ["slots", [0, 5460], "nodes", [shardNode(dead, 7000, "master", "fail"), shardNode(promoted, 7003, "master", "online")]],
      ...otherShards
    ]]
  ]

  for (const [server, reply] of replies) {
    it(`${server}: the promoted replica serves the slots, the dead node is failed and serves none`, () => {
      const shards = shardsOf(parseClusterShards(reply, context()))
      const owner = shards.find((shard) => shard.slots.some(([start]) => start === 0))!
      assert.strictEqual(owner.primary.id, promoted)
      assert.strictEqual(owner.primary.health, "online")
      const deadNode = shards.flatMap((shard) => [shard.primary, ...shard.replicas]).filter((node) => node.id === dead)
      assert.deepStrictEqual(deadNode.map((node) => node.health), ["failed"])
      assert.isTrue(shards.every((shard) => shard.primary.id !== dead || shard.slots.length === 0))
      // Replicas that received nothing yet are `loading`, not failed: they stay in their shards.
      assert.deepStrictEqual(
        shards.flatMap((shard) => shard.replicas).filter((node) => node.id !== dead).map((node) => [node.id, node.health]).sort(),
        [[b1, "loading"], [c1, "loading"]].sort()
      )
    })
  }
})
