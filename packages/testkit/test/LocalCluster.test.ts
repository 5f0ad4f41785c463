import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Result } from "effect"
import {
  type AdminConnection,
  type ClusterNode,
  LocalCluster,
  type LocalClusterService,
  type NodeAddress,
  slotCount
} from "../src/index.ts"
import { connectTo, folderExists, infoField, isProcessAlive } from "./helpers.ts"

/** Every node's CLUSTER SLOTS as `start-end:primaryId`, asked over the test's own connections. */
const slotMapSeenBy = (connection: AdminConnection) =>
  connection.command(["CLUSTER", "SLOTS"]).pipe(
    Effect.map((reply) =>
      (reply as ReadonlyArray<ReadonlyArray<unknown>>)
        .map((entry) => `${entry[0]}-${entry[1]}:${(entry[2] as ReadonlyArray<unknown>)[2]}`)
        .sort()
        .join(" ")
    )
  )

const expectHealthy = (cluster: LocalClusterService, expectedNodes: number) =>
  Effect.gen(function*() {
    const nodes = (yield* cluster.nodes).filter((node) => node.state === "running")
    const maps = new Set<string>()
    for (const node of nodes) {
      const connection = yield* connectTo({ host: node.host, port: node.port })
      const info = yield* connection.command(["CLUSTER", "INFO"])
      assert.strictEqual(infoField(info, "cluster_state"), "ok", `cluster_state on ${node.port}`)
      assert.strictEqual(infoField(info, "cluster_known_nodes"), String(expectedNodes), `known nodes on ${node.port}`)
      assert.strictEqual(infoField(info, "cluster_slots_assigned"), String(slotCount))
      if (node.role === "replica") {
        const replication = yield* connection.command(["INFO", "replication"])
        assert.strictEqual(infoField(replication, "master_link_status"), "up", `replica ${node.port} synced`)
      }
      maps.add(yield* slotMapSeenBy(connection))
    }
    assert.strictEqual(maps.size, 1, `one slot map: ${[...maps].join(" | ")}`)
  })

const byPort = (nodes: ReadonlyArray<ClusterNode>, node: NodeAddress) => nodes.find((n) => n.port === node.port)!

layer(LocalCluster.layer(), { timeout: "60 seconds", excludeTestServices: true })("a shared 3+1 cluster", (it) => {
  it.effect("forms: state ok everywhere, one slot map, replicas synced", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      console.log(`[testkit test] 3+1 cluster formed in ${cluster.formationMs} ms`)
      const nodes = yield* cluster.nodes
      assert.strictEqual(nodes.length, 6)
      const primaries = nodes.filter((node) => node.role === "primary")
      const replicas = nodes.filter((node) => node.role === "replica")
      assert.strictEqual(primaries.length, 3)
      assert.deepStrictEqual(
        primaries.flatMap((node) => node.slots),
        [{ start: 0, end: 5460 }, { start: 5461, end: 10922 }, { start: 10923, end: 16383 }]
      )
      assert.deepStrictEqual(
        replicas.map((replica) => replica.primaryId).sort(),
        primaries.map((primary) => primary.nodeId).sort()
      )
      assert.strictEqual(new Set(nodes.map((node) => node.port)).size, 6)
      assert.strictEqual(cluster.url, `redis://${cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(",")}`)
      yield* expectHealthy(cluster, 6)
    }))

  it.effect("pause and resume: silent while paused, back afterwards", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      const replica = (yield* cluster.shards)[0]!.replicas[0]!
      yield* cluster.pause(replica)
      assert.strictEqual(byPort(yield* cluster.nodes, replica).state, "paused")
      assert.isTrue(isProcessAlive(replica.pid!))
      const silent = yield* Effect.result(cluster.command(replica, ["PING"], { timeoutMs: 300 }))
      assert.isTrue(Result.isFailure(silent) && silent.failure._tag === "AdminConnectionError")
      yield* cluster.resume(replica)
      assert.strictEqual(yield* cluster.command(replica, ["PING"]), "PONG")
      yield* cluster.waitForStable()
    }))

  it.effect("kill and restart a replica: same port and node id, synced again", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      const replica = (yield* cluster.shards)[1]!.replicas[0]!
      yield* cluster.kill(replica)
      assert.isFalse(isProcessAlive(replica.pid!))
      assert.strictEqual(byPort(yield* cluster.nodes, replica).state, "exited")
      yield* cluster.restart(replica)
      const nodes = yield* cluster.waitForStable()
      const back = byPort(nodes, replica)
      assert.strictEqual(back.state, "running")
      assert.notStrictEqual(back.pid, replica.pid)
      assert.strictEqual(back.nodeId, replica.nodeId)
      assert.strictEqual(back.role, "replica")
      assert.strictEqual(back.primaryId, replica.primaryId)
      yield* expectHealthy(cluster, 6)
    }))

  it.effect("failover of a shard promotes its replica and keeps the data", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      const key = "failover-key"
      const owner = yield* cluster.nodeForKey(key)
      const shardOfKey = (yield* cluster.shards).find((s) => s.primary.nodeId === owner.nodeId)!
      yield* cluster.command(owner, ["SET", key, "kept"])
      yield* cluster.command(owner, ["WAIT", "1", "1000"]) // replicated before the handover

      const promoted = yield* cluster.failover(shardOfKey)
      assert.strictEqual(promoted.nodeId, shardOfKey.replicas[0]!.nodeId)
      assert.strictEqual(promoted.role, "primary")
      assert.deepStrictEqual(promoted.slots, shardOfKey.slots)
      const demoted = byPort(yield* cluster.nodes, shardOfKey.primary)
      assert.strictEqual(demoted.role, "replica")
      assert.strictEqual(demoted.primaryId, promoted.nodeId)
      assert.strictEqual(yield* cluster.command(promoted, ["GET", key]), "kept")
      assert.strictEqual((yield* cluster.nodeForKey(key)).nodeId, promoted.nodeId)
      yield* expectHealthy(cluster, 6)
    }))

  it.effect("a slot held mid-migration: ASK from the source for moved keys, then finished", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      const keys = ["{mig}a", "{mig}b", "{mig}c"]
      const slot = yield* cluster.keySlot("{mig}")
      const source = yield* cluster.primaryForSlot(slot)
      const target = (yield* cluster.shards).find((shard) => shard.primary.nodeId !== source.nodeId)!.primary
      for (const key of keys) yield* cluster.command(source, ["SET", key, `value of ${key}`])

      const migration = yield* cluster.beginSlotMigration(slot, target)
      assert.strictEqual(migration.source.nodeId, source.nodeId)
      assert.strictEqual(migration.target.nodeId, target.nodeId)
      assert.strictEqual(yield* cluster.migrateKeys(slot, { count: 1 }), 1)

      // Exactly one key moved: the source answers ASK for it and still serves the others itself.
      const onSource = yield* Effect.forEach(keys, (key) => Effect.result(cluster.command(source, ["GET", key])))
      const asked = onSource.flatMap((result, i) => (Result.isFailure(result) ? [{ key: keys[i]!, error: result.failure }] : []))
      assert.strictEqual(asked.length, 1)
      const moved = asked[0]!
      assert.strictEqual(moved.error._tag, "AdminCommandError")
      assert.strictEqual(
        moved.error._tag === "AdminCommandError" ? moved.error.reply : "",
        `ASK ${slot} ${target.host}:${target.port}`
      )
      for (const [i, result] of onSource.entries()) {
        if (Result.isSuccess(result)) assert.strictEqual(result.success, `value of ${keys[i]}`)
      }
      // The target serves the moved key only to a client that says ASKING first.
      const unasked = yield* Effect.result(cluster.command(target, ["GET", moved.key]))
      assert.isTrue(Result.isFailure(unasked) && unasked.failure.message.includes(`MOVED ${slot}`))
      yield* cluster.command(target, ["ASKING"])
      assert.strictEqual(yield* cluster.command(target, ["GET", moved.key]), `value of ${moved.key}`)

      yield* cluster.finishSlotMigration(slot)
      assert.strictEqual((yield* cluster.primaryForSlot(slot)).nodeId, target.nodeId)
      for (const key of keys) assert.strictEqual(yield* cluster.command(target, ["GET", key]), `value of ${key}`)
      const redirected = yield* Effect.result(cluster.command(source, ["GET", keys[0]!]))
      assert.isTrue(
        Result.isFailure(redirected) && redirected.failure.message.includes(`MOVED ${slot} ${target.host}:${target.port}`)
      )
      yield* expectHealthy(cluster, 6)
    }))

  it.effect("a killed primary is replaced by its replica; restarted, it rejoins as a replica", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      const shard = (yield* cluster.shards)[2]!
      yield* cluster.kill(shard.primary)
      const afterFailover = yield* cluster.waitForStable()
      assert.strictEqual(byPort(afterFailover, shard.replicas[0]!).role, "primary")
      yield* cluster.restart(shard.primary)
      const rejoined = yield* cluster.waitForStable()
      const old = byPort(rejoined, shard.primary)
      assert.strictEqual(old.role, "replica")
      assert.strictEqual(old.primaryId, shard.replicas[0]!.nodeId)
      yield* expectHealthy(cluster, 6)
    }))

  // Last in this block: it grows the cluster, which the checks above assume has six nodes.
  it.effect("addNode joins an empty primary and a replica of it; assignSlots moves slots with their keys", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      const fresh = yield* cluster.addNode()
      assert.strictEqual(fresh.role, "primary")
      assert.deepStrictEqual(fresh.slots, [])
      const follower = yield* cluster.addNode({ replicaOf: fresh })
      assert.strictEqual(follower.role, "replica")
      assert.strictEqual(follower.primaryId, fresh.nodeId)

      const slot = yield* cluster.keySlot("grown")
      yield* cluster.command(yield* cluster.primaryForSlot(slot), ["SET", "grown", "with its key"])
      yield* cluster.assignSlots(fresh, [slot, { start: 0, end: 9 }])
      const owner = yield* cluster.node(fresh)
      assert.isTrue(owner.slots.some((range) => range.start <= slot && slot <= range.end))
      assert.isTrue(owner.slots.some((range) => range.start === 0 && range.end >= 9))
      assert.strictEqual(yield* cluster.command(fresh, ["GET", "grown"]), "with its key")
      yield* cluster.waitForStable()
      yield* expectHealthy(cluster, 8)

      yield* cluster.flushAll
      for (const shard of yield* cluster.shards) {
        assert.strictEqual(yield* cluster.command(shard.primary, ["DBSIZE"]), 0)
      }
    }))
})

describe("LocalCluster", () => {
  it.live("two clusters started at once do not collide, and closing the scope leaves nothing behind", () =>
    Effect.gen(function*() {
      const traces = yield* Effect.scoped(
        Effect.gen(function*() {
          const options = { primaries: 3, replicasPerPrimary: 0 }
          const [a, b] = yield* Effect.all([LocalCluster.make(options), LocalCluster.make(options)], { concurrency: 2 })
          const portsA = new Set(a.startupNodes.map((node) => node.port))
          assert.isTrue(b.startupNodes.every((node) => !portsA.has(node.port)))
          assert.notStrictEqual(a.dir, b.dir)
          // Each cluster knows only its own three nodes: no cross-talk on the cluster bus.
          yield* expectHealthy(a, 3)
          yield* expectHealthy(b, 3)
          const pids = [...(yield* a.nodes), ...(yield* b.nodes)].map((node) => node.pid!)
          assert.isTrue(pids.every(isProcessAlive))
          return { pids, dirs: [a.dir, b.dir] }
        })
      )
      assert.deepStrictEqual(traces.pids.filter(isProcessAlive), [])
      assert.deepStrictEqual(traces.dirs.filter(folderExists), [])
    }), 60_000)

  it.live("TLS, a password and announced hostnames: forms, replicates, and migrates keys", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster.make({ tls: true, password: "s3cret", announceHostname: "localhost" })
      assert.isTrue(cluster.url.startsWith("rediss://"))
      const tls = { caFile: cluster.tls!.caFile, certFile: cluster.tls!.clientCertFile, keyFile: cluster.tls!.clientKeyFile }
      const first = cluster.startupNodes[0]!
      const connection = yield* connectTo({ ...first, tls, password: "s3cret" })
      // Endpoints are announced by name (CLUSTER SLOTS: [start, end, [endpoint, port, id, ...]]).
      const slots = (yield* connection.command(["CLUSTER", "SLOTS"])) as ReadonlyArray<ReadonlyArray<ReadonlyArray<unknown>>>
      assert.isTrue(slots.every((entry) => entry[2]![0] === "localhost"))
      const anonymous = yield* connectTo({ ...first, tls })
      const refused = yield* Effect.result(anonymous.command(["CLUSTER", "INFO"]))
      assert.isTrue(Result.isFailure(refused) && refused.failure.message.includes("NOAUTH"))
      // Every replica synced over TLS with masterauth; MIGRATE authenticates to the target.
      const replicas = (yield* cluster.nodes).filter((node) => node.role === "replica")
      assert.strictEqual(replicas.length, 3)
      const slot = yield* cluster.keySlot("tls-key")
      const source = yield* cluster.primaryForSlot(slot)
      const target = (yield* cluster.shards).find((shard) => shard.primary.nodeId !== source.nodeId)!.primary
      yield* cluster.command(source, ["SET", "tls-key", "moved"])
      yield* cluster.moveSlot(slot, target)
      assert.strictEqual(yield* cluster.command(target, ["GET", "tls-key"]), "moved")
    }), 60_000)
})
