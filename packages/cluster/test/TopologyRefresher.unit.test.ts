/**
 * The live topology's discovery and refresher fiber, over a node pool and the scripted transport answering
 * `CLUSTER SHARDS` / `CLUSTER SLOTS`: merging and rate limiting of refresh requests, the periodic tick, failed
 * refreshes, and what a refresh publishes.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RespErrorReply } from "@effect-redis/client"
import { ClusterTopology, type ClusterTopologyOptions, type ClusterTopologyService, keySlot, RedisCluster, type TopologyChange, type TopologySpec } from "@effect-redis/cluster"
import { NodePool } from "@effect-redis/cluster/Transport"
import { type ScriptedRequest, ScriptedTransport, type ScriptedTransportService } from "@effect-redis/testkit"
import { Effect, Fiber, Layer, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import { A, A1, B, C, expectTag, keyOn, threeShards } from "./support/scripted.ts"

const startupNodes = [{ host: "127.0.0.1", port: 7000 }]

/** One primary serving every slot: each refresh asks exactly one node. */
const single: TopologySpec = { shards: [{ primary: A, slots: [[0, 16383]] }] }

const isShards = (r: ScriptedRequest) => r.args[0] === "CLUSTER" && r.args[1] === "SHARDS"

/** A script answering CLUSTER SHARDS with `layout()` (read at each request) and anything else with "OK". */
const serving = (layout: () => TopologySpec) => (r: ScriptedRequest) => (isShards(r) ? ScriptedTransport.clusterShards(layout()) : "OK")

const liveLayer = (transport: ScriptedTransportService, options: Partial<ClusterTopologyOptions> = {}) =>
  ClusterTopology.layer({ startupNodes, refreshMinInterval: "1 second", refreshInterval: Infinity, readNodeTimeout: false, ...options }).pipe(
    Layer.provideMerge(NodePool.layer()),
    Layer.provide(transport.layer)
  )

/** `topology.refresh` when the last refresh was less than `refreshMinInterval` (1 s) ago. */
const rateLimitedRefresh = (transport: ScriptedTransportService, topology: ClusterTopologyService) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(topology.refresh)
    yield* transport.settle
    yield* TestClock.adjust("1 second")
    return yield* Fiber.join(fiber)
  })

const shardsAsked = (transport: ScriptedTransportService) => transport.requests.filter(isShards).length

describe("discovery", () => {
  it.effect("builds the first snapshot from a startup node", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(serving(() => threeShards))
      const topology = yield* ClusterTopology.pipe(Effect.provide(liveLayer(transport)))
      const snapshot = topology.current()
      assert.strictEqual(snapshot.epoch, 1)
      assert.isTrue(snapshot.fullyCovered)
      assert.strictEqual(snapshot.shardForSlot(0)?.primary.address, A)
      assert.strictEqual(snapshot.shardForSlot(16383)?.primary.address, C)
      assert.deepStrictEqual(snapshot.shardForSlot(0)?.replicas.map((r) => r.address), [A1])
      assert.deepStrictEqual(transport.sent().map((r) => [r.address, ...r.args]), [[A, "CLUSTER", "SHARDS"]])
    }))

  it.effect("falls back to CLUSTER SLOTS on servers without CLUSTER SHARDS, and stops asking for SHARDS", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((r) =>
        isShards(r)
          ? new RespErrorReply("ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.")
          : [[0, 16383, ["127.0.0.1", 7000, "id-a"]]]
      )
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        assert.strictEqual(topology.current().shardForSlot(123)?.primary.id, "id-a")
        yield* topology.refresh
        assert.deepStrictEqual(transport.sent().map((r) => r.args[1]), ["SHARDS", "SLOTS", "SLOTS"])
      }).pipe(Effect.provide(liveLayer(transport)))
    }))

  it.effect("fails with TopologyError when no startup node answers", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(serving(() => single))
      transport.refuse(A)
      const error = yield* Effect.flip(ClusterTopology.pipe(Effect.provide(liveLayer(transport))))
      assert.strictEqual(error._tag, "TopologyError")
      if (error._tag !== "TopologyError") return
      assert.include(error.reason, "no node answered")
      assert.include(error.reason, "ECONNREFUSED")
      assert.deepStrictEqual(error.nodes, [A])
    }))

  it.effect("rejects a layout with unserved slots unless skipFullCoverageCheck", () =>
    Effect.gen(function*() {
      const partial: TopologySpec = { shards: [{ primary: A, slots: [[0, 8000]] }] }
      const transport = ScriptedTransport.make(serving(() => partial))
      const error = yield* Effect.flip(ClusterTopology.pipe(Effect.provide(liveLayer(transport))))
      assert.include(error.reason, "unserved")
      const topology = yield* ClusterTopology.pipe(Effect.provide(liveLayer(transport, { skipFullCoverageCheck: true })))
      assert.strictEqual(topology.current().uncoveredSlots, 16384 - 8001)
    }))

  it.effect("applies addressRemap to startup nodes and to discovered nodes", () =>
    Effect.gen(function*() {
      // The cluster announces internal addresses; the client reaches them on 127.0.0.1 with the port + 1000.
      const internal: TopologySpec = { shards: [{ primary: "10.1.0.1:7000", slots: [[0, 16383]] }] }
      const transport = ScriptedTransport.make(serving(() => internal))
      const remap = ({ host, port }: { host: string; port: number }) => (host === "10.1.0.1" ? { host: "127.0.0.1", port: port + 1000 } : { host, port })
      const topology = yield* ClusterTopology.pipe(
        Effect.provide(liveLayer(transport, { startupNodes: [{ host: "10.1.0.1", port: 7000 }], addressRemap: remap }))
      )
      assert.strictEqual(topology.current().shardForSlot(0)?.primary.address, "127.0.0.1:8000")
      assert.deepStrictEqual(transport.connects.map((c) => c.address), ["127.0.0.1:8000"])
      assert.deepStrictEqual(topology.resolveAddress({ host: "10.1.0.1", port: 7001 }), { host: "127.0.0.1", port: 8001 })
    }))
})

describe("the cluster's node timeout", () => {
  const withConfig = (reply: (r: ScriptedRequest) => unknown) =>
    ScriptedTransport.make((r) => (r.args[0] === "CONFIG" ? reply(r) as never : serving(() => threeShards)(r)))
  const nodeTimeoutSeen = (transport: ScriptedTransportService) =>
    Effect.gen(function*() {
      const pool = yield* NodePool
      yield* ClusterTopology
      yield* transport.settle
      return pool.nodeTimeoutMs()
    }).pipe(Effect.provide(liveLayer(transport, { readNodeTimeout: true })))

  it.effect("is read from a primary after discovery (RESP2 pair or RESP3 map) and paces the hung-node check", () =>
    Effect.gen(function*() {
      const resp2 = withConfig(() => ["cluster-node-timeout", "2000"])
      assert.strictEqual(yield* nodeTimeoutSeen(resp2), 2_000)
      assert.deepStrictEqual(resp2.sent({ command: "CONFIG" }).map((r) => r.args), [["CONFIG", "GET", "cluster-node-timeout"]])
      assert.strictEqual(yield* nodeTimeoutSeen(withConfig(() => new Map([["cluster-node-timeout", "1500"]]))), 1_500)
    }))

  it.effect("a cluster that refuses CONFIG leaves Redis' default, 15 s", () =>
    Effect.gen(function*() {
      const refusing = withConfig(() => new RespErrorReply("NOPERM this user has no permissions to run the 'config|get' command"))
      assert.strictEqual(yield* nodeTimeoutSeen(refusing), 15_000)
      // Every primary was asked, one after the other.
      assert.strictEqual(refusing.sent({ command: "CONFIG" }).length, 3)
    }))
})

describe("refresher", () => {
  it.effect("a burst of requests causes one refresh; a burst inside refreshMinInterval waits for the interval", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(serving(() => single))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        assert.strictEqual(shardsAsked(transport), 1, "the initial discovery")

        for (let i = 0; i < 50; i++) topology.requestRefresh("moved")
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 2)
        assert.strictEqual(topology.stats.refreshes, 1)
        assert.strictEqual(topology.stats.requests, 50)

        for (let i = 0; i < 20; i++) topology.requestRefresh("connectionLost")
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 2, "too soon after the last refresh")
        yield* TestClock.adjust("999 millis")
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 2)
        // More requests while waiting join the pending round.
        topology.requestRefresh("moved")
        yield* TestClock.adjust("1 millis")
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 3)
        assert.strictEqual(topology.stats.refreshes, 2)

        // Nothing pending: nothing more happens, however long we wait.
        yield* TestClock.adjust("1 minute")
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 3)
        assert.strictEqual(topology.stats.failures, 0)
      }).pipe(Effect.provide(liveLayer(transport)))
    }))

  it.effect("refreshes periodically when refreshInterval is set", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(serving(() => single))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 1)
        yield* TestClock.adjust("9999 millis")
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 1)
        yield* TestClock.adjust("1 millis")
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 2)
        yield* TestClock.adjust("10 seconds")
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 3)
        assert.strictEqual(topology.stats.refreshes, 2)
        assert.strictEqual(topology.stats.requests, 0, "ticks are not requests")
      }).pipe(Effect.provide(liveLayer(transport, { refreshInterval: "10 seconds" })))
    }))

  it.effect("refresh waits for a round that starts after the call and returns its snapshot", () =>
    Effect.gen(function*() {
      let layout = single
      const transport = ScriptedTransport.make(serving(() => layout))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        layout = { shards: [{ primary: A, slots: [[0, 99]] }, { primary: B, slots: [[100, 16383]] }] }
        const snapshot = yield* topology.refresh
        assert.strictEqual(snapshot.shardForSlot(100)?.primary.address, B)
        assert.strictEqual(topology.current(), snapshot)
        assert.strictEqual(snapshot.epoch, 2)
        // A second refresh right after: rate limited, so it waits for the TestClock.
        const fiber = yield* Effect.forkChild(topology.refresh)
        yield* transport.settle
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 second")
        const again = yield* Fiber.join(fiber)
        assert.strictEqual(again.epoch, 2, "the same layout makes no new snapshot")
        assert.strictEqual(topology.stats.refreshes, 2)
      }).pipe(Effect.provide(liveLayer(transport)))
    }))

  it.effect("a failed refresh keeps the previous layout, counts a failure and fails refresh with TopologyError", () =>
    Effect.gen(function*() {
      let broken = false
      const transport = ScriptedTransport.make((r) =>
        broken ? new RespErrorReply("ERR cluster support disabled") : ScriptedTransport.clusterShards(single)
      )
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const before = topology.current()
        broken = true
        const error = yield* Effect.flip(topology.refresh)
        assert.include(error.reason, "cluster support disabled")
        assert.strictEqual(topology.current(), before)
        assert.strictEqual(topology.stats.failures, 1)
      }).pipe(Effect.provide(liveLayer(transport)))
    }))

  it.effect("asks known primaries first, then the other nodes and the startup nodes, skipping failed ones", () =>
    Effect.gen(function*() {
      const spec: TopologySpec = {
        shards: [{ primary: B, replicas: [{ host: "127.0.0.1", port: 7101, health: "failed" }, C], slots: [[0, 16383]] }]
      }
      const transport = ScriptedTransport.make(serving(() => spec))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        transport.clearLog()
        yield* topology.refresh
        assert.deepStrictEqual(transport.sent().map((r) => r.address), [B], "one node per sample: the known primary")
        // When it does not answer, the next sample is asked: the healthy replica, never the failed one.
        transport.refuse(B)
        transport.drop(B)
        transport.clearLog()
        yield* rateLimitedRefresh(transport, topology)
        assert.deepStrictEqual(transport.connects.map((c) => [c.address, c.refused]), [[B, true], [C, false]])
        assert.deepStrictEqual(transport.sent().map((r) => r.address), [C])
        // And when no known node answers, the startup node is.
        transport.refuse(C)
        transport.drop(C)
        transport.clearLog()
        yield* rateLimitedRefresh(transport, topology)
        assert.deepStrictEqual(transport.sent().map((r) => r.address), [A])
        assert.isFalse(transport.connects.some((c) => c.address === "127.0.0.1:7101"))
      }).pipe(Effect.provide(liveLayer(transport, { refreshSampleSize: 1 })))
    }))

  it.effect("a lost connection asks for a refresh", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(serving(() => single))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        assert.strictEqual(transport.drop(A), 1)
        yield* transport.settle
        assert.strictEqual(topology.stats.requests, 1)
        assert.strictEqual(topology.stats.refreshes, 1)
        assert.strictEqual(shardsAsked(transport), 2)
        assert.strictEqual(transport.connectCount(A), 2, "the refresh opened a new connection")
      }).pipe(Effect.provide(liveLayer(transport)))
    }))

  it.effect("a node's health change is picked up by the next refresh (same layout, new health)", () =>
    Effect.gen(function*() {
      let replicaHealth: "online" | "loading" | "failed" = "failed"
      const transport = ScriptedTransport.make((r) =>
        isShards(r)
          ? ScriptedTransport.clusterShards({
            shards: [{ primary: A, replicas: [{ host: "127.0.0.1", port: 7100, health: replicaHealth }], slots: [[0, 16383]] }]
          })
          : `from ${r.address}`
      )
      const layer = RedisCluster.layerWith({ commandTimeout: Infinity, readFrom: "replica" }).pipe(Layer.provideMerge(liveLayer(transport)))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        assert.strictEqual(topology.current().nodes.get(A1)?.health, "failed")
        // A failed replica is not read from: readFrom "replica" finds none.
        assert.strictEqual((yield* Effect.flip(Redis.get("k")))._tag, "ClusterDownError")

        replicaHealth = "online"
        const snapshot = yield* topology.refresh
        assert.strictEqual(snapshot.nodes.get(A1)?.health, "online")
        assert.strictEqual(topology.current(), snapshot)
        assert.deepStrictEqual(yield* Redis.get("k"), Option.some(`from ${A1}`))

        // "loading" as another node reports it is picked up, but the replica is still tried (a replica that
        // really loads answers LOADING, and the read goes to the primary).
        replicaHealth = "loading"
        yield* rateLimitedRefresh(transport, topology)
        assert.strictEqual(topology.current().shardForSlot(0)?.replicas[0]?.health, "loading")
        assert.deepStrictEqual(yield* Redis.get("k"), Option.some(`from ${A1}`))
      }).pipe(Effect.provide(layer))
    }))

  it.effect("connections to nodes that left the cluster are closed after a refresh", () =>
    Effect.gen(function*() {
      let layout: TopologySpec = { shards: [{ primary: A, slots: [[0, 8191]] }, { primary: B, slots: [[8192, 16383]] }] }
      const transport = ScriptedTransport.make(serving(() => layout))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const pool = yield* NodePool
        yield* pool.connect({ host: "127.0.0.1", port: 7001 })
        assert.strictEqual(transport.openConnections(B), 1)
        layout = single
        yield* topology.refresh
        yield* transport.settle
        assert.strictEqual(transport.openConnections(B), 0)
        assert.strictEqual(transport.openConnections(A), 1)
        assert.deepStrictEqual(pool.addresses(), [A])
      }).pipe(Effect.provide(liveLayer(transport)))
    }))
})

describe("with the cluster client", () => {
  it.effect("many MOVED in a burst patch the map at once and cause one refresh, which publishes the change once", () =>
    Effect.gen(function*() {
      const moved = Array.from({ length: 20 }, (_, i) => keyOn(A, `m${i}`))
      let layout: TopologySpec = { shards: [{ primary: A, slots: [[0, 8191]] }, { primary: B, slots: [[8192, 16383]] }] }
      const after: TopologySpec = { shards: [{ primary: B, slots: [[0, 16383]] }] }
      const transport = ScriptedTransport.make((r) => {
        if (isShards(r)) return ScriptedTransport.clusterShards(layout)
        return r.address === A ? ScriptedTransport.moved(keySlot(r.args[1]!), B) : "v"
      })
      const layer = RedisCluster.layerWith({ commandTimeout: Infinity }).pipe(Layer.provideMerge(liveLayer(transport, { refreshSampleSize: 1 })))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const changes = yield* Effect.forkChild(Stream.runCollect(Stream.take(topology.changes, 1)))
        yield* transport.settle
        layout = after
        const values = yield* Effect.forEach(moved, (key) => Redis.get(key), { concurrency: "unbounded" })
        assert.isTrue(values.every((v) => Option.isSome(v)))
        for (const key of moved) assert.strictEqual(topology.current().shardForSlot(keySlot(key))?.primary.address, B)
        yield* transport.settle
        assert.strictEqual(shardsAsked(transport), 2, "the initial discovery and one refresh (of one node)")
        assert.strictEqual(topology.stats.refreshes, 1)
        assert.strictEqual(topology.stats.requests, moved.length)
        const [change] = (yield* Fiber.join(changes)) as ReadonlyArray<TopologyChange>
        const slotsMoved = expectTag(change!, "SlotsMoved")
        assert.deepStrictEqual([slotsMoved.from, slotsMoved.to, slotsMoved.ranges], [A, B, [[0, 8191]]])
        // The next commands for those slots go to B directly.
        transport.clearLog()
        yield* Redis.get(moved[0]!)
        assert.deepStrictEqual(transport.sent().map((r) => r.address), [B])
      }).pipe(Effect.provide(layer))
    }))
})
