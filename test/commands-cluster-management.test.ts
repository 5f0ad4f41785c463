/**
 * CLUSTER commands. The read-only ones on the shared 3-primary + 3-replica cluster under RESP2 and RESP3 (each
 * asked of every node with `RedisCluster.onNode`, so answers can be compared per node); the management ones on
 * three fresh cluster-enabled nodes this file starts itself and assembles step by step (MEET, ADDSLOTS, SETSLOT,
 * REPLICATE, FAILOVER, RESET, FORGET...), each reached through its own `RedisNode` client.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis, type RedisClientService, RedisNode, type Reply, ReplyMismatch, type RespValue } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { RedisServerProcess, serverVersion } from "@effect-redis/testkit"
import { Effect, Option, Result } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { inject } from "vitest"

const prefix = `cluster-mgmt:${process.pid}:${Date.now()}`
const server = serverVersion()

/** Every slot 0..16383 covered exactly once by `ranges`. */
const assertCoversAllSlots = (ranges: ReadonlyArray<{ readonly start: number; readonly end: number }>) => {
  const sorted = [...ranges].sort((a, b) => a.start - b.start)
  let next = 0
  for (const range of sorted) {
    assert.strictEqual(range.start, next, "slot ranges must be contiguous and disjoint")
    assert.isAtLeast(range.end, range.start)
    next = range.end + 1
  }
  assert.strictEqual(next, 16384)
}

/** Polls `effect` every 50 ms until `ok` holds (dies after `timeoutMs`). */
const waitFor = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>, ok: (a: A) => boolean, timeoutMs = 10_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const value = yield* effect
      if (ok(value)) return value
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`))
      yield* Effect.sleep("50 millis")
    }
  })

/** A key of the given slot: `tag:<n>` for the first n that hashes there. */
const keyInSlot = (slot: number, tag: string): string => {
  for (let i = 0;; i++) {
    const key = `${tag}:${i}`
    if (keySlot(key) === slot) return key
  }
}

/** The cluster layout a CLUSTER NODES reply describes, without what differs between the nodes asked. */
const layoutOf = (nodes: ReadonlyArray<Redis.ClusterNodeDescription>) =>
  nodes
    .map((n) => ({ id: n.id, flags: n.flags.filter((f) => f !== "myself"), primaryId: n.primaryId, slots: n.slots }))
    .sort((a, b) => a.id.localeCompare(b.id))

describe.each([2, 3] as const)("CLUSTER read commands on the shared cluster over RESP%s", (protocol) => {
  const layer = RedisCluster.layer({ startupNodes: inject("clusterNodes"), protocol })

  it.live("NODES, MYID, SHARDS, SLOTS, REPLICAS/SLAVES and LINKS describe 3 primaries with one replica each", () =>
    Effect.gen(function*() {
      // Redis 7.0 hides replicas whose primary never replicated anything (offset 0) from CLUSTER SLOTS and calls
      // them `loading` in CLUSTER SHARDS: one write per shard, then wait until every replica has acknowledged one.
      const snapshot = yield* RedisCluster.topology
      for (const shard of snapshot.shards) {
        yield* Redis.set(keyInSlot(shard.slots[0]![0], `${prefix}:${protocol}:warm`), "x")
      }
      const addresses = [...snapshot.nodes.keys()]
      yield* waitFor(
        "every node to see every replica online",
        Effect.forEach(addresses, (address) => RedisCluster.onNode(address, Redis.clusterShards())),
        (views) => views.every((shards) => shards.every((s) => s.nodes.every((n) => n.health === "online")))
      )
      assert.strictEqual(addresses.length, 6)
      const ports = new Set(addresses.map((a) => Number(a.slice(a.lastIndexOf(":") + 1))))
      let reference: ReadonlyArray<Redis.ClusterNodeDescription> | undefined
      for (const address of addresses) {
        const nodes = yield* RedisCluster.onNode(address, Redis.clusterNodes())
        const myid = yield* RedisCluster.onNode(address, Redis.clusterMyid())
        assert.strictEqual(nodes.length, 6)
        const myself = nodes.filter((n) => n.flags.includes("myself"))
        assert.strictEqual(myself.length, 1)
        assert.strictEqual(myself[0]!.id, myid)
        assert.strictEqual(`${myself[0]!.host}:${myself[0]!.port}`, address)
        for (const node of nodes) {
          assert.match(node.id, /^[0-9a-f]{40}$/)
          assert.strictEqual(node.host, "127.0.0.1")
          assert.isTrue(ports.has(node.port))
          assert.strictEqual(node.busPort, node.port + 10000)
          assert.strictEqual(node.address, `127.0.0.1:${node.port}@${node.port + 10000}`)
          assert.isTrue(Option.isNone(node.hostname))
          assert.strictEqual(node.linkState, "connected")
          assert.deepStrictEqual(node.importing, [])
          assert.deepStrictEqual(node.migrating, [])
          assert.isAtLeast(node.configEpoch, 0)
        }
        // Every node has the same view of ids, roles, primaries and slots.
        if (reference === undefined) reference = nodes
        else assert.deepStrictEqual(layoutOf(nodes), layoutOf(reference))
      }
      const nodes = reference!
      const primaries = nodes.filter((n) => n.flags.includes("master"))
      const replicas = nodes.filter((n) => n.flags.includes("slave"))
      assert.strictEqual(primaries.length, 3)
      assert.strictEqual(replicas.length, 3)
      for (const primary of primaries) {
        assert.isTrue(Option.isNone(primary.primaryId))
        assert.isAbove(primary.slots.length, 0)
      }
      for (const replica of replicas) assert.deepStrictEqual(replica.slots, [])
      assertCoversAllSlots(primaries.flatMap((p) => p.slots))
      const primaryIds = new Set(primaries.map((p) => p.id))
      assert.deepStrictEqual(new Set(replicas.map((r) => Option.getOrThrow(r.primaryId))), primaryIds)

      // REPLICAS and SLAVES of each primary: its one replica, parsed like NODES.
      for (const primary of primaries) {
        const expected = replicas.filter((r) => Option.getOrUndefined(r.primaryId) === primary.id).map((r) => r.id)
        assert.strictEqual(expected.length, 1)
        const listed = yield* Redis.clusterReplicas(primary.id)
        assert.deepStrictEqual(listed.map((r) => r.id), expected)
        assert.deepStrictEqual(listed[0]!.primaryId, Option.some(primary.id))
        assert.isTrue(listed[0]!.flags.includes("slave"))
        assert.deepStrictEqual((yield* Redis.clusterSlaves(primary.id)).map((r) => r.id), expected)
        assert.strictEqual(yield* Redis.clusterCountFailureReports(primary.id), 0)
      }
      // REPLICAS of a replica, or of an unknown node, is an error reply.
      const notPrimary = yield* Effect.flip(Redis.clusterReplicas(replicas[0]!.id))
      assert.strictEqual(notPrimary._tag, "ReplyError")
      const unknown = yield* Effect.flip(Redis.clusterReplicas("0".repeat(40)))
      assert.strictEqual(unknown._tag, "ReplyError")

      // SHARDS: 3 shards of one primary and one replica, with the ids and slots NODES gave.
      const shards = yield* Redis.clusterShards()
      assert.strictEqual(shards.length, 3)
      assertCoversAllSlots(shards.flatMap((s) => s.slots))
      for (const shard of shards) {
        assert.strictEqual(shard.nodes.length, 2)
        const primary = shard.nodes.find((n) => n.role === "primary")!
        const replica = shard.nodes.find((n) => n.role === "replica")!
        assert.isDefined(primary)
        assert.isDefined(replica)
        const described = primaries.find((p) => p.id === primary.id)!
        assert.deepStrictEqual(shard.slots, described.slots)
        assert.deepStrictEqual(replicas.find((r) => r.id === replica.id)!.primaryId, Option.some(primary.id))
        for (const node of shard.nodes) {
          assert.deepStrictEqual(node.port, Option.some(nodes.find((n) => n.id === node.id)!.port))
          assert.deepStrictEqual(node.tlsPort, Option.none())
          assert.strictEqual(node.ip, "127.0.0.1")
          assert.strictEqual(node.endpoint, "127.0.0.1")
          assert.deepStrictEqual(node.hostname, Option.none())
          // The offset stays 0 until the primary first writes to its replication stream (right after the cluster
          // formed, it may not have yet); every server reports a replica at offset 0 as `loading`, not `online`.
          assert.isTrue(Number.isSafeInteger(node.replicationOffset) && node.replicationOffset >= 0)
          assert.strictEqual(node.health, node.role === "replica" && node.replicationOffset === 0 ? "loading" : "online")
        }
      }

      // SLOTS: the same ranges, each with its primary and one replica.
      const slots = yield* Redis.clusterSlots()
      assertCoversAllSlots(slots)
      for (const range of slots) {
        const primary = primaries.find((p) => p.id === range.primary.id)!
        assert.isDefined(primary)
        assert.isTrue(primary.slots.some((r) => r.start <= range.start && range.end <= r.end))
        assert.deepStrictEqual(range.primary, {
          host: "127.0.0.1",
          port: primary.port,
          id: primary.id,
          ip: Option.none(),
          hostname: Option.none()
        })
        assert.strictEqual(range.replicas.length, 1)
        const replica = nodes.find((n) => n.id === range.replicas[0]!.id)!
        assert.deepStrictEqual(replica.primaryId, Option.some(primary.id))
        assert.strictEqual(range.replicas[0]!.port, replica.port)
      }

      // LINKS: each node has a link to and a link from each of the 5 others.
      for (const address of addresses) {
        const myid = yield* RedisCluster.onNode(address, Redis.clusterMyid())
        const others = nodes.map((n) => n.id).filter((id) => id !== myid).sort()
        const links = yield* RedisCluster.onNode(address, Redis.clusterLinks())
        assert.isAbove(links.length, 0)
        assert.deepStrictEqual(links.filter((l) => l.direction === "to").map((l) => l.nodeId).sort(), others)
        assert.deepStrictEqual(links.filter((l) => l.direction === "from").map((l) => l.nodeId).sort(), others)
        for (const link of links) {
          assert.isAbove(link.createTime, 0)
          assert.match(link.events, /^r?w?$/)
          assert.isAtLeast(link.sendBufferAllocated, link.sendBufferUsed)
        }
      }
    }).pipe(Effect.provide(layer)))

  it.live("INFO is typed: state ok, all 16384 slots, 6 known nodes, 3 primaries", () =>
    Effect.gen(function*() {
      const info = yield* Redis.clusterInfo()
      assert.strictEqual(info.state, "ok")
      assert.strictEqual(info.slotsAssigned, 16384)
      assert.strictEqual(info.slotsOk, 16384)
      assert.strictEqual(info.slotsPfail, 0)
      assert.strictEqual(info.slotsFail, 0)
      assert.strictEqual(info.knownNodes, 6)
      assert.strictEqual(info.size, 3)
      assert.isAtLeast(info.currentEpoch, info.myEpoch)
      assert.isAtLeast(info.myEpoch, 1)
      assert.isAbove(info.messagesSent, 0)
      assert.isAbove(info.messagesReceived, 0)
      assert.isAbove(info.messagesSentByType["ping"]!, 0)
      assert.isAbove(info.messagesReceivedByType["pong"]!, 0)
      assert.strictEqual(
        Object.values(info.messagesSentByType).reduce((a, b) => a + b, 0),
        info.messagesSent
      )
      assert.deepStrictEqual(info.linksBufferLimitExceeded, Option.some(0))
      assert.deepStrictEqual({ ...info.extra }, {})
    }).pipe(Effect.provide(layer)))

  it.live("KEYSLOT equals the client's keySlot; COUNTKEYSINSLOT / GETKEYSINSLOT see the keys of one slot", () =>
    Effect.gen(function*() {
      for (const key of ["", "foo", "{user1000}.following", "a{}b", "{{x}}", `${prefix}:${protocol}`, "é☃"]) {
        assert.strictEqual(yield* Redis.clusterKeyslot(key), keySlot(key), key)
      }
      // An empty tag `{}` means "hash the whole key", even when another `{...}` follows (the server's answer).
      assert.strictEqual(yield* Redis.clusterKeyslot("{}{x}"), 3257)
      assert.strictEqual(yield* Redis.clusterKeyslot("a{}{b}"), 15033)
      assert.strictEqual(yield* Redis.clusterKeyslot("{x}"), 16287)
      const bytes = new Uint8Array([0xff, 0x00, 0x7b, 0x41, 0x7d])
      assert.strictEqual(yield* Redis.clusterKeyslot(bytes), keySlot(bytes))

      const tag = `{${prefix}:${protocol}:slot}`
      const keys = ["a", "b", "c"].map((name) => `${tag}${name}`)
      const slot = keySlot(keys[0]!)
      yield* Redis.mset(keys.map((key) => [key, "v"] as const))
      // Asked of the slot's owner (the cluster client routes these by the slot argument).
      const snapshot = yield* RedisCluster.topology
      const owner = snapshot.shards.find((s) => s.slots.some(([start, end]) => start <= slot && slot <= end))!.primary
      assert.strictEqual(yield* RedisCluster.onNode(owner.address, Redis.clusterCountkeysinslot(slot)), 3)
      assert.deepStrictEqual([...(yield* RedisCluster.onNode(owner.address, Redis.clusterGetkeysinslot(slot, 10)))].sort(), keys)
      assert.strictEqual(yield* Redis.clusterCountkeysinslot(slot), 3)
      assert.deepStrictEqual([...(yield* Redis.clusterGetkeysinslot(slot, 10))].sort(), keys)
      assert.strictEqual((yield* Redis.clusterGetkeysinslot(slot, 2)).length, 2)
      assert.deepStrictEqual(yield* Redis.clusterGetkeysinslot(slot, 0), [])
      yield* Redis.del(keys)
      assert.strictEqual(yield* Redis.clusterCountkeysinslot(slot), 0)
      assert.deepStrictEqual(yield* Redis.clusterGetkeysinslot(slot, 10), [])
    }).pipe(Effect.provide(layer)))
})

describe.each([2, 3] as const)("CLUSTER commands on a standalone server over RESP%s", (protocol) => {
  const layer = RedisNode.layer({ url: inject("standaloneUrl"), protocol })

  it.live("a server without cluster support answers with an error reply", () =>
    Effect.gen(function*() {
      for (const command of [Redis.clusterInfo(), Redis.clusterNodes(), Redis.clusterMyid(), Redis.clusterKeyslot("k")] as const) {
        const error = yield* Effect.flip(command as Command<unknown>)
        assert.strictEqual(error._tag, "ReplyError")
        assert.include(error.message, "cluster support disabled")
      }
    }).pipe(Effect.provide(layer)))

  it.live("invalid arguments fail with InvalidArgumentError before anything is sent", () =>
    Effect.gen(function*() {
      const invalid: ReadonlyArray<Command<unknown>> = [
        Redis.clusterAddslots([]),
        Redis.clusterAddslots(16384),
        Redis.clusterAddslots([1, -1]),
        Redis.clusterAddslots(1.5),
        Redis.clusterAddslotsrange([]),
        Redis.clusterAddslotsrange({ start: 10, end: 5 }),
        Redis.clusterAddslotsrange([{ start: 0, end: 16384 }]),
        Redis.clusterDelslots([]),
        Redis.clusterDelslots(Number.NaN),
        Redis.clusterDelslotsrange({ start: -1, end: 3 }),
        Redis.clusterDelslotsrange([]),
        Redis.clusterCountFailureReports(""),
        Redis.clusterCountkeysinslot(-1),
        Redis.clusterCountkeysinslot(16384),
        Redis.clusterGetkeysinslot(0, -1),
        Redis.clusterGetkeysinslot(16384, 1),
        Redis.clusterFailover({ force: true, takeover: true }),
        Redis.clusterForget(""),
        Redis.clusterMeet("127.0.0.1", 0),
        Redis.clusterMeet("127.0.0.1", 7000, { clusterBusPort: 70000 }),
        Redis.clusterReplicas(""),
        Redis.clusterSlaves(""),
        Redis.clusterReplicate(""),
        Redis.clusterReset({ hard: true, soft: true }),
        Redis.clusterSetConfigEpoch(-1),
        Redis.clusterSetConfigEpoch(0.5),
        Redis.clusterSetslot(16384, { stable: true }),
        Redis.clusterSetslot(1, {} as Redis.ClusterSetslotSubcommand),
        Redis.clusterSetslot(1, { importing: "a", node: "b" } as unknown as Redis.ClusterSetslotSubcommand),
        Redis.clusterSetslot(1, { node: "" })
      ]
      for (const command of invalid) {
        const error = yield* Effect.flip(command)
        assert.strictEqual(error._tag, "InvalidArgumentError", String(command))
      }
      const combined = yield* Effect.flip(Redis.clusterSetslot(1, { importing: "a", migrating: "b" } as unknown as Redis.ClusterSetslotSubcommand))
      assert.include(combined.message, "importing and migrating")
    }).pipe(Effect.provide(layer)))

})

it("builders send the documented arguments", () => {
  assert.deepStrictEqual(Redis.clusterAddslots([1, 2]).args, ["CLUSTER", "ADDSLOTS", 1, 2])
  assert.deepStrictEqual(Redis.clusterAddslotsrange([{ start: 0, end: 5 }, { start: 7, end: 7 }]).args, [
    "CLUSTER", "ADDSLOTSRANGE", 0, 5, 7, 7
  ])
  assert.deepStrictEqual(Redis.clusterFailover().args, ["CLUSTER", "FAILOVER"])
  assert.deepStrictEqual(Redis.clusterFailover({ force: true }).args, ["CLUSTER", "FAILOVER", "FORCE"])
  assert.deepStrictEqual(Redis.clusterFailover({ takeover: true, force: false }).args, ["CLUSTER", "FAILOVER", "TAKEOVER"])
  assert.deepStrictEqual(Redis.clusterReset().args, ["CLUSTER", "RESET"])
  assert.deepStrictEqual(Redis.clusterReset({ soft: true }).args, ["CLUSTER", "RESET", "SOFT"])
  assert.deepStrictEqual(Redis.clusterMeet("10.0.0.1", 7000).args, ["CLUSTER", "MEET", "10.0.0.1", 7000])
  assert.deepStrictEqual(Redis.clusterMeet("10.0.0.1", 7000, { clusterBusPort: 7100 }).args, ["CLUSTER", "MEET", "10.0.0.1", 7000, 7100])
  assert.deepStrictEqual(Redis.clusterSetslot(5, { migrating: "n1" }).args, ["CLUSTER", "SETSLOT", 5, "MIGRATING", "n1"])
  assert.deepStrictEqual(Redis.clusterSetslot(5, { stable: true }).args, ["CLUSTER", "SETSLOT", 5, "STABLE"])
  assert.deepStrictEqual(Redis.clusterCountkeysinslot(5).keyIndexes, [])
  assert.deepStrictEqual(Redis.clusterKeyslot("k").keyIndexes, [])
})

describe("CLUSTER reply decoders on documented variants", () => {
  const decode = <A>(builder: { readonly spec: { readonly reply: Reply<A> } }, raw: RespValue) => builder.spec.reply.decode(raw)
  const id1 = "1".repeat(40), id2 = "2".repeat(40)

  it("NODES: hostname and auxiliary fields (Redis 7.2), IPv6, noflags, failure flags, single slots", () => {
    const text = [
      `${id1} 127.0.0.1:30001@40001,host-1.example,shard-id=abc,tls-port=0 myself,master - 0 1700000000000 3 connected 0-10 12 [13->-${id2}]`,
      `${id2} ::1:30002@40002,,shard-id=def slave,fail?,nofailover ${id1} 1700000000001 1700000000002 3 disconnected`,
      `${"3".repeat(40)} :0@0 noflags - 0 0 0 connected [14-<-${id1}]`,
      ""
    ].join("\n")
    const nodes = decode(Redis.clusterNodes, text) as ReadonlyArray<Redis.ClusterNodeDescription>
    assert.strictEqual(nodes.length, 3)
    assert.deepStrictEqual(nodes[0], {
      id: id1,
      address: "127.0.0.1:30001@40001",
      host: "127.0.0.1",
      port: 30001,
      busPort: 40001,
      hostname: Option.some("host-1.example"),
      auxFields: Object.assign(Object.create(null), { "shard-id": "abc", "tls-port": "0" }),
      flags: ["myself", "master"],
      primaryId: Option.none(),
      pingSent: 0,
      pongReceived: 1700000000000,
      configEpoch: 3,
      linkState: "connected",
      slots: [{ start: 0, end: 10 }, { start: 12, end: 12 }],
      importing: [],
      migrating: [{ slot: 13, toNodeId: id2 }]
    })
    assert.strictEqual(nodes[1]!.host, "::1")
    assert.strictEqual(nodes[1]!.port, 30002)
    assert.deepStrictEqual(nodes[1]!.hostname, Option.none())
    assert.deepStrictEqual(nodes[1]!.flags, ["slave", "fail?", "nofailover"])
    assert.deepStrictEqual(nodes[1]!.primaryId, Option.some(id1))
    assert.strictEqual(nodes[1]!.linkState, "disconnected")
    assert.deepStrictEqual(nodes[2]!.flags, [])
    assert.deepStrictEqual(nodes[2]!.importing, [{ slot: 14, fromNodeId: id1 }])
    // REPLICAS sends the same lines as an array.
    assert.deepStrictEqual(decode(Redis.clusterReplicas, [text.split("\n")[1]!]), [nodes[1]!])
    // A link state a later server might add is kept as its text.
    const [reconnecting] = decode(Redis.clusterNodes, `${id1} 127.0.0.1:1@2 master - 0 0 0 reconnecting 0-1`) as ReadonlyArray<Redis.ClusterNodeDescription>
    assert.strictEqual(reconnecting!.linkState, "reconnecting")
    for (const bad of [`${id1} 127.0.0.1:1@2 master - 0 0 0 connected x-y`, `${id1} 127.0.0.1:1@2 master - 0 0`, 42]) {
      assert.instanceOf(decode(Redis.clusterNodes, bad), ReplyMismatch)
    }
  })

  it("SLOTS: nil endpoint, `?` endpoint with ip metadata, entries without metadata", () => {
    const ranges = decode(Redis.clusterSlots, [
      [0, 5, [null, 7000, id1, new Map([["ip", "10.0.0.1"], ["hostname", "h1"]])], ["?", 7001, id2, ["ip", "10.0.0.2"]]],
      [6, 16383, ["10.0.0.3", 7002, "3".repeat(40)]]
    ])
    assert.deepStrictEqual(ranges, [
      {
        start: 0,
        end: 5,
        primary: { host: "", port: 7000, id: id1, ip: Option.some("10.0.0.1"), hostname: Option.some("h1") },
        replicas: [{ host: "?", port: 7001, id: id2, ip: Option.some("10.0.0.2"), hostname: Option.none() }]
      },
      {
        start: 6,
        end: 16383,
        primary: { host: "10.0.0.3", port: 7002, id: "3".repeat(40), ip: Option.none(), hostname: Option.none() },
        replicas: []
      }
    ])
    assert.instanceOf(decode(Redis.clusterSlots, [[0, 5]]), ReplyMismatch)
  })

  it("SHARDS: a TLS-only node has no port; failed and loading health; RESP2 and RESP3 shapes agree", () => {
    const node = (tls: boolean) => [
      "id", id1, ...(tls ? ["tls-port", 7100] : ["port", 7000]), "ip", "10.0.0.1", "endpoint", "h1.example",
      "hostname", "h1.example", "role", "replica", "replication-offset", 12, "health", "failed"
    ]
    const resp2 = [["slots", [], "nodes", [node(true), node(false)]]]
    const toMap = (flat: ReadonlyArray<RespValue>) => {
      const map = new Map<RespValue, RespValue>()
      for (let i = 0; i < flat.length; i += 2) map.set(flat[i]!, flat[i + 1]!)
      return map
    }
    const resp3 = [toMap(["slots", [], "nodes", [toMap(node(true)), toMap(node(false))]])]
    const decoded = decode(Redis.clusterShards, resp2)
    assert.deepStrictEqual(decode(Redis.clusterShards, resp3), decoded)
    assert.deepStrictEqual(decoded, [{
      slots: [],
      nodes: [
        {
          id: id1, port: Option.none(), tlsPort: Option.some(7100), ip: "10.0.0.1", endpoint: "h1.example",
          hostname: Option.some("h1.example"), role: "replica", replicationOffset: 12, health: "failed"
        },
        {
          id: id1, port: Option.some(7000), tlsPort: Option.none(), ip: "10.0.0.1", endpoint: "h1.example",
          hostname: Option.some("h1.example"), role: "replica", replicationOffset: 12, health: "failed"
        }
      ]
    }])
    assert.instanceOf(decode(Redis.clusterShards, [["slots", [1], "nodes", []]]), ReplyMismatch)
    assert.instanceOf(decode(Redis.clusterShards, [["slots", [], "nodes", [["id", id1, "health", "online"]]]]), ReplyMismatch)
  })

  it("SHARDS: Redis 7.2+ / Valkey `fail` reads as `failed`; `slave` as `replica`; values a later server adds pass through", () => {
    const node = (role: string, health: string) => [
      "id", id1, "port", 7000, "ip", "10.0.0.1", "endpoint", "10.0.0.1", "role", role, "replication-offset", 0, "health", health
    ]
    const roleAndHealth = (role: string, health: string) => {
      const [shard] = decode(Redis.clusterShards, [["slots", [], "nodes", [node(role, health)]]]) as ReadonlyArray<Redis.ClusterShardDescription>
      return [shard!.nodes[0]!.role, shard!.nodes[0]!.health]
    }
    assert.deepStrictEqual(roleAndHealth("master", "fail"), ["primary", "failed"])
    assert.deepStrictEqual(roleAndHealth("master", "failed"), ["primary", "failed"])
    assert.deepStrictEqual(roleAndHealth("slave", "loading"), ["replica", "loading"])
    assert.deepStrictEqual(roleAndHealth("witness", "sleepy"), ["witness", "sleepy"])
  })

  it("INFO: unknown fields go to `extra`; a missing standard field or a bad number is a mismatch", () => {
    const lines = [
      "cluster_state:ok", "cluster_slots_assigned:16384", "cluster_slots_ok:16384", "cluster_slots_pfail:0",
      "cluster_slots_fail:0", "cluster_known_nodes:6", "cluster_size:3", "cluster_current_epoch:6", "cluster_my_epoch:2",
      "cluster_stats_messages_ping_sent:10", "cluster_stats_messages_auth-req_received:1", "cluster_stats_messages_sent:10",
      "cluster_stats_messages_received:1", "cluster_stats_pfail_nodes:0", "__proto__:x"
    ]
    const info = decode(Redis.clusterInfo, lines.join("\r\n") + "\r\n") as Redis.ClusterInfo
    assert.strictEqual(info.currentEpoch, 6)
    assert.deepStrictEqual({ ...info.messagesSentByType }, { ping: 10 })
    assert.deepStrictEqual({ ...info.messagesReceivedByType }, { "auth-req": 1 })
    assert.deepStrictEqual(info.linksBufferLimitExceeded, Option.none())
    assert.deepStrictEqual(Object.keys(info.extra).sort(), ["__proto__", "cluster_stats_pfail_nodes"])
    assert.strictEqual(info.extra["__proto__"], "x")
    assert.instanceOf(decode(Redis.clusterInfo, lines.slice(1).join("\n")), ReplyMismatch)
    assert.instanceOf(decode(Redis.clusterInfo, lines.join("\n").replace("cluster_size:3", "cluster_size:three")), ReplyMismatch)
    // A cluster_state a later server might add is kept as its text.
    assert.strictEqual((decode(Redis.clusterInfo, lines.join("\n").replace("cluster_state:ok", "cluster_state:meh")) as Redis.ClusterInfo).state, "meh")
  })

  it("LINKS and BUMPEPOCH", () => {
    const link = ["direction", "to", "node", id1, "create-time", 5, "events", "rw", "send-buffer-allocated", 10, "send-buffer-used", 0]
    assert.deepStrictEqual(decode(Redis.clusterLinks, [link]), [
      { direction: "to", nodeId: id1, createTime: 5, events: "rw", sendBufferAllocated: 10, sendBufferUsed: 0 }
    ])
    assert.instanceOf(decode(Redis.clusterLinks, [link.slice(2)]), ReplyMismatch)
    assert.strictEqual((decode(Redis.clusterLinks, [["direction", "both", ...link.slice(2)]]) as ReadonlyArray<Redis.ClusterLink>)[0]!.direction, "both")
    assert.deepStrictEqual(decode(Redis.clusterBumpepoch, "BUMPED 7"), { bumped: true, epoch: 7 })
    assert.deepStrictEqual(decode(Redis.clusterBumpepoch, "STILL 7"), { bumped: false, epoch: 7 })
    assert.instanceOf(decode(Redis.clusterBumpepoch, "OK"), ReplyMismatch)
  })
})

it.live("assembling a cluster from fresh nodes: MEET, ADDSLOTS, SETSLOT, REPLICATE, FAILOVER, RESET, FORGET, DELSLOTS", () =>
  Effect.gen(function*() {
    const cluster = { nodeTimeoutMs: 1000, requireFullCoverage: false }
    const [serverA, serverB, serverC] = yield* Effect.all(
      [0, 1, 2].map(() => RedisServerProcess.start({ cluster })),
      { concurrency: 3 }
    )
    // A over RESP3, B over RESP2, C over RESP3.
    const [a, b, c] = yield* Effect.all([
      RedisNode.make({ port: serverA!.port, protocol: 3 }),
      RedisNode.make({ port: serverB!.port, protocol: 2 }),
      RedisNode.make({ port: serverC!.port, protocol: 3 })
    ])
    const on = (client: RedisClientService) => <A>(command: Command<A>) => client.run(command)
    const [onA, onB, onC] = [on(a), on(b), on(c)]
    const [idA, idB, idC] = yield* Effect.all([onA(Redis.clusterMyid()), onB(Redis.clusterMyid()), onC(Redis.clusterMyid())])
    const myself = (run: typeof onA) =>
      Effect.map(run(Redis.clusterNodes()), (nodes) => nodes.find((n) => n.flags.includes("myself"))!)

    // A fresh node knows only itself, not even its own IP, and owns nothing.
    const fresh = yield* onA(Redis.clusterNodes())
    assert.strictEqual(fresh.length, 1)
    assert.deepStrictEqual(fresh[0], {
      id: idA,
      address: `:${serverA!.port}@${serverA!.port + 10000}`,
      host: "",
      port: serverA!.port,
      busPort: serverA!.port + 10000,
      hostname: Option.none(),
      auxFields: {},
      flags: ["myself", "master"],
      primaryId: Option.none(),
      pingSent: 0,
      pongReceived: 0,
      configEpoch: 0,
      linkState: "connected",
      slots: [],
      importing: [],
      migrating: []
    })
    const freshInfo = yield* onA(Redis.clusterInfo())
    assert.strictEqual(freshInfo.state, "fail")
    assert.strictEqual(freshInfo.slotsAssigned, 0)
    assert.strictEqual(freshInfo.knownNodes, 1)
    assert.strictEqual(freshInfo.currentEpoch, 0)
    assert.deepStrictEqual(yield* onA(Redis.clusterSlots()), [])
    assert.deepStrictEqual(yield* onA(Redis.clusterLinks()), [])
    assert.deepStrictEqual(
      yield* onA(Redis.clusterShards()),
      [{
        slots: [],
        nodes: [{
          id: idA,
          port: Option.some(serverA!.port),
          tlsPort: Option.none(),
          ip: "",
          endpoint: "",
          hostname: Option.none(),
          role: "primary",
          replicationOffset: 0,
          health: "online"
        }]
      }]
    )

    // Epochs of lone nodes: SET-CONFIG-EPOCH, BUMPEPOCH (a lone node with epoch 0 is bumped, then it is unique).
    yield* onA(Redis.clusterSetConfigEpoch(1))
    yield* onB(Redis.clusterSetConfigEpoch(2))
    assert.deepStrictEqual(yield* onA(Redis.clusterBumpepoch()), { bumped: false, epoch: 1 })
    assert.deepStrictEqual(yield* onC(Redis.clusterBumpepoch()), { bumped: true, epoch: 1 })
    assert.deepStrictEqual(yield* onC(Redis.clusterBumpepoch()), { bumped: false, epoch: 1 })
    assert.strictEqual((yield* onC(Redis.clusterInfo())).myEpoch, 1)

    // Slots: A takes 0..8191, B 8192..16383 (two single slots, then a range).
    yield* onA(Redis.clusterAddslotsrange({ start: 0, end: 8191 }))
    yield* onB(Redis.clusterAddslots([8192, 8193]))
    yield* onB(Redis.clusterAddslotsrange([{ start: 8194, end: 9000 }, { start: 9001, end: 16383 }]))
    const busy = yield* Effect.flip(onA(Redis.clusterAddslots(5)))
    assert.strictEqual(busy._tag, "ReplyError")
    assert.deepStrictEqual((yield* myself(onB)).slots, [{ start: 8192, end: 16383 }])

    // MEET: A meets B and C (with C's bus port given explicitly); gossip makes everyone know everyone.
    yield* onA(Redis.clusterMeet("127.0.0.1", serverB!.port))
    yield* onA(Redis.clusterMeet("127.0.0.1", serverC!.port, { clusterBusPort: serverC!.port + 10000 }))
    const settled = (nodes: ReadonlyArray<Redis.ClusterNodeDescription>) =>
      nodes.length === 3 && nodes.every((n) => n.linkState === "connected" && !n.flags.includes("handshake") && n.host !== "")
    for (const run of [onA, onB, onC]) yield* waitFor("three nodes to know each other", run(Redis.clusterNodes()), settled)
    const infoA = yield* waitFor("cluster state ok", onA(Redis.clusterInfo()), (i) => i.state === "ok")
    assert.strictEqual(infoA.slotsAssigned, 16384)
    assert.strictEqual(infoA.knownNodes, 3)
    assert.strictEqual(infoA.size, 2)
    yield* waitFor("B to agree", onB(Redis.clusterInfo()), (i) => i.state === "ok")

    // REPLICATE: C becomes A's replica; REPLICAS / SLAVES list it, SHARDS shows it synced.
    yield* onC(Redis.clusterReplicate(idA))
    const [replica] = yield* waitFor("A to list C as its replica", onA(Redis.clusterReplicas(idA)), (r) => r.length === 1)
    assert.strictEqual(replica!.id, idC)
    assert.deepStrictEqual(replica!.primaryId, Option.some(idA))
    const slaves = yield* waitFor("B to learn about C", onB(Redis.clusterSlaves(idA)), (r) => r.length === 1)
    assert.deepStrictEqual(slaves.map((r) => r.id), [idC])
    const cView = yield* myself(onC)
    assert.deepStrictEqual(cView.flags, ["myself", "slave"])
    assert.deepStrictEqual(cView.primaryId, Option.some(idA))
    yield* waitFor("C to finish its sync", onC(Redis.call(["INFO", "replication"])), (info) => String(info).includes("master_link_status:up"))
    const shardOfA = (yield* onB(Redis.clusterShards())).find((s) => s.nodes.some((n) => n.id === idA))!
    assert.deepStrictEqual(shardOfA.slots, [{ start: 0, end: 8191 }])
    assert.deepStrictEqual(shardOfA.nodes.map((n) => [n.id, n.role, n.port]).sort(), [
      [idA, "primary", Option.some(serverA!.port)],
      [idC, "replica", Option.some(serverC!.port)]
    ].sort())
    assert.strictEqual(yield* onB(Redis.clusterCountFailureReports(idA)), 0)

    // SETSLOT: move slot 100 from A to B (IMPORTING / MIGRATING markers in NODES, then NODE on both).
    yield* onB(Redis.clusterSetslot(100, { importing: idA }))
    yield* onA(Redis.clusterSetslot(100, { migrating: idB }))
    yield* onA(Redis.clusterSetslot(200, { migrating: idB }))
    assert.deepStrictEqual((yield* myself(onA)).migrating, [{ slot: 100, toNodeId: idB }, { slot: 200, toNodeId: idB }])
    assert.deepStrictEqual((yield* myself(onB)).importing, [{ slot: 100, fromNodeId: idA }])
    yield* onA(Redis.clusterSetslot(200, { stable: true }))
    assert.deepStrictEqual((yield* myself(onA)).migrating, [{ slot: 100, toNodeId: idB }])
    yield* onB(Redis.clusterSetslot(100, { node: idB }))
    yield* onA(Redis.clusterSetslot(100, { node: idB }))
    const afterMove = yield* myself(onA)
    assert.deepStrictEqual(afterMove.slots, [{ start: 0, end: 99 }, { start: 101, end: 8191 }])
    assert.deepStrictEqual(afterMove.migrating, [])
    assert.deepStrictEqual((yield* myself(onB)).slots, [{ start: 100, end: 100 }, { start: 8192, end: 16383 }])
    yield* waitFor(
      "C to see slot 100 on B",
      onC(Redis.clusterSlots()),
      (ranges) => ranges.some((r) => r.start === 100 && r.end === 100 && r.primary.id === idB)
    )

    // Keys in a slot B owns: COUNTKEYSINSLOT / GETKEYSINSLOT on B; A holds none of them.
    const key = keyInSlot(100, prefix)
    assert.strictEqual(yield* onB(Redis.clusterKeyslot(key)), 100)
    assert.strictEqual(yield* onB(Redis.clusterCountkeysinslot(100)), 0)
    assert.deepStrictEqual(yield* onB(Redis.clusterGetkeysinslot(100, 10)), [])
    yield* onB(Redis.set(key, "v"))
    assert.strictEqual(yield* onB(Redis.clusterCountkeysinslot(100)), 1)
    assert.deepStrictEqual(yield* onB(Redis.clusterGetkeysinslot(100, 10)), [key])
    assert.strictEqual(yield* onA(Redis.clusterCountkeysinslot(100)), 0)

    // SAVECONFIG writes nodes.conf with the node's table.
    yield* onA(Redis.clusterSaveconfig())
    const nodesConf = readFileSync(join(serverA!.dir, "nodes.conf"), "utf8")
    for (const id of [idA, idB, idC]) assert.include(nodesConf, id)

    // FAILOVER (manual, agreed with A), then TAKEOVER back.
    yield* onC(Redis.clusterFailover())
    yield* waitFor("C to be promoted", myself(onC), (n) => n.flags.includes("master"))
    yield* waitFor("A to follow C", myself(onA), (n) => n.flags.includes("slave") && Option.getOrUndefined(n.primaryId) === idC)
    const cPromoted = yield* myself(onC)
    assert.deepStrictEqual(cPromoted.slots, [{ start: 0, end: 99 }, { start: 101, end: 8191 }])
    const forgetPrimary = yield* Effect.flip(onA(Redis.clusterForget(idC)))
    assert.strictEqual(forgetPrimary._tag, "ReplyError")
    yield* onA(Redis.clusterFailover({ takeover: true }))
    yield* waitFor("A to take over", myself(onA), (n) => n.flags.includes("master") && n.slots.length === 2)
    yield* waitFor("C to follow A", myself(onC), (n) => n.flags.includes("slave") && Option.getOrUndefined(n.primaryId) === idA)

    // RESET: the replica C forgets everyone and becomes an empty primary (SOFT keeps its id, HARD does not).
    yield* onC(Redis.clusterReset({ soft: true }))
    const cReset = yield* onC(Redis.clusterNodes())
    assert.strictEqual(cReset.length, 1)
    assert.strictEqual(cReset[0]!.id, idC)
    assert.deepStrictEqual(cReset[0]!.flags, ["myself", "master"])
    yield* onC(Redis.clusterReset({ hard: true }))
    const newIdC = yield* onC(Redis.clusterMyid())
    assert.notStrictEqual(newIdC, idC)
    assert.strictEqual((yield* onC(Redis.clusterInfo())).currentEpoch, 0)
    yield* onC(Redis.clusterReset())

    // FORGET: A and B drop C. Forgetting it again: Redis 7.0 answers with an error (unknown node); Redis 7.2+ and
    // Valkey answer OK while the node is on the ban-list (60 s), since another node may have gossiped the FORGET
    // first. A node never known is an error everywhere.
    yield* onA(Redis.clusterForget(idC))
    yield* onB(Redis.clusterForget(idC))
    assert.deepStrictEqual((yield* onA(Redis.clusterNodes())).map((n) => n.id).sort(), [idA, idB].sort())
    const forgetAgain = yield* Effect.result(onA(Redis.clusterForget(idC)))
    if (server.flavour === "valkey" || server.atLeast("redis", "7.2")) {
      assert.isTrue(Result.isSuccess(forgetAgain))
    } else {
      assert.isTrue(Result.isFailure(forgetAgain) && forgetAgain.failure._tag === "ReplyError")
    }
    const unknownNode = yield* Effect.flip(onA(Redis.clusterForget("f".repeat(40))))
    assert.strictEqual(unknownNode._tag, "ReplyError")

    // Through a cluster client: SAVECONFIG goes to every node, DELSLOTS / DELSLOTSRANGE to the slots' owner (B).
    const viaCluster = RedisCluster.layer({
      startupNodes: [{ host: "127.0.0.1", port: serverA!.port }, { host: "127.0.0.1", port: serverB!.port }]
    })
    yield* Effect.gen(function*() {
      yield* Redis.clusterSaveconfig()
      yield* Redis.clusterDelslots([8192, 8193])
      yield* Redis.clusterDelslotsrange({ start: 8194, end: 9000 })
    }).pipe(Effect.provide(viaCluster))
    const savedB = readFileSync(join(serverB!.dir, "nodes.conf"), "utf8")
    assert.include(savedB, idA)
    assert.include(savedB, idB)
    assert.notInclude(savedB, idC)

    // FLUSHSLOTS on A (empty) but not on B (it holds a key).
    assert.deepStrictEqual((yield* myself(onB)).slots, [{ start: 100, end: 100 }, { start: 9001, end: 16383 }])
    const notAssigned = yield* Effect.flip(onB(Redis.clusterDelslots(8192)))
    assert.strictEqual(notAssigned._tag, "ReplyError")
    const notEmpty = yield* Effect.flip(onB(Redis.clusterFlushslots()))
    assert.strictEqual(notEmpty._tag, "ReplyError")
    yield* onA(Redis.clusterFlushslots())
    assert.deepStrictEqual((yield* myself(onA)).slots, [])
    const infoAfter = yield* onA(Redis.clusterInfo())
    // DELSLOTS and FLUSHSLOTS only change the node that receives them: A still binds B's former slots to B.
    assert.strictEqual(infoAfter.slotsAssigned, 1 + (16383 - 8192 + 1))
  }))
