/**
 * The cluster client keeps working while nodes fail under a write load: graceful failover, a crashed primary,
 * connections killed by the server. Each test runs its own cluster and INCR load (test/support/IncrLoad.ts);
 * at the end every counter equals its acknowledged count, except increments the client reported as of
 * unknown outcome (written to a node that then died), which may or may not have been applied - never twice.
 */
import { assert, it } from "@effect/vitest"
import { RedisCluster, type TopologyChange } from "@effect-redis/cluster"
import { LocalCluster } from "@effect-redis/testkit"
import { Effect, Schedule, Stream } from "effect"
import { loadKeys, startIncrLoad, verifyCounters } from "./support/IncrLoad.ts"

const NODE_TIMEOUT_MS = 1500

it.live("graceful failover (CLUSTER FAILOVER): no error, nothing lost, nothing doubled", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const keys = loadKeys("graceful", 500)
    yield* Effect.gen(function*() {
      const changes: Array<TopologyChange> = []
      yield* Effect.forkChild(Stream.runForEach(RedisCluster.topologyChanges, (change) => Effect.sync(() => changes.push(change))))
      const load = yield* startIncrLoad({ keys, writers: 16 })
      yield* Effect.sleep("300 millis")
      const [shard] = yield* cluster.shards
      const promoted = yield* cluster.failover(shard!)
      yield* Effect.sleep("700 millis")
      const afterFailover = load.total()
      yield* Effect.sleep("300 millis")
      const report = yield* load.stop
      assert.isAbove(report.total - afterFailover, 0, "traffic continues after the failover")
      assert.deepStrictEqual(report.errors, [])
      assert.strictEqual(report.timeouts, 0)
      assert.strictEqual(report.uncertain.size, 0)
      const { mismatches } = yield* verifyCounters(report, keys)
      assert.deepStrictEqual(mismatches, [])
      // The client learned the new primary and published it.
      const snapshot = yield* RedisCluster.refreshTopology
      assert.isDefined(snapshot.shardOfPrimary(`${promoted.host}:${promoted.port}`))
      assert.isTrue(
        changes.some((c) => c._tag === "PrimaryChanged" && c.to === `${promoted.host}:${promoted.port}`) ||
          changes.some((c) => c._tag === "SlotsMoved" && c.to === `${promoted.host}:${promoted.port}`),
        JSON.stringify(changes)
      )
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 90_000)

it.live("crashed primary (kill -9): the replica takes over and traffic resumes within 1 s of its promotion", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const keys = loadKeys("crash", 500)
    yield* Effect.gen(function*() {
      const load = yield* startIncrLoad({ keys, writers: 16 })
      yield* Effect.sleep("300 millis")
      const [shard] = yield* cluster.shards
      const replica = shard!.replicas[0]!
      const killedAt = Date.now()
      yield* cluster.kill(shard!.primary)
      // When the cluster promoted the replica (its ROLE says master): how long that takes is the servers' part
      // (node timeout, failure reports, the election's random delay: 2.5-3.5 s here, more on a loaded machine);
      // from then on it is the client's part.
      const promotedAt = yield* cluster.command(replica, ["ROLE"]).pipe(
        Effect.flatMap((role) => Array.isArray(role) && String(role[0]) === "master" ? Effect.succeed(Date.now()) : Effect.fail("not yet")),
        Effect.retry(Schedule.spaced("25 millis").pipe(Schedule.upTo({ times: 600 }))),
        Effect.orDie
      )
      // Wait until the load has clearly resumed on every shard.
      yield* Effect.sleep("3 seconds")
      const report = yield* load.stop
      const resumedAfterPromotion = report.longestGapEndedAt - promotedAt
      assert.isBelow(
        resumedAfterPromotion,
        1000,
        `traffic stopped for ${report.longestGapMs} ms: the replica was promoted ${promotedAt - killedAt} ms after the kill, ` +
          `traffic resumed ${resumedAfterPromotion} ms after that`
      )
      assert.isBelow(promotedAt - killedAt, NODE_TIMEOUT_MS * 4, "the cluster promoted the replica")
      assert.deepStrictEqual(report.errors, [])
      assert.strictEqual(report.timeouts, 0)
      const { mismatches } = yield* verifyCounters(report, keys)
      assert.deepStrictEqual(mismatches, [])
      // The dead node serves nothing any more: its slots belong to its former replica.
      const snapshot = yield* RedisCluster.topology
      assert.strictEqual(snapshot.shardForSlot(shard!.slots[0]!.start)!.primary.port, replica.port)
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 90_000)

it.live("connections killed under the client (CLIENT KILL): commands continue on new connections", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const keys = loadKeys("client-kill", 300)
    yield* Effect.gen(function*() {
      const load = yield* startIncrLoad({ keys, writers: 16 })
      for (let round = 0; round < 3; round++) {
        yield* Effect.sleep("200 millis")
        yield* Effect.forEach(cluster.startupNodes, (node) =>
          cluster.command(node, ["CLIENT", "KILL", "TYPE", "normal"]), { concurrency: "unbounded", discard: true })
      }
      yield* Effect.sleep("300 millis")
      const report = yield* load.stop
      assert.deepStrictEqual(report.errors, [])
      assert.strictEqual(report.timeouts, 0)
      assert.isAbove(report.total, 100)
      const { mismatches } = yield* verifyCounters(report, keys)
      assert.deepStrictEqual(mismatches, [])
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 90_000)

it.live("a primary that stops answering (SIGSTOP, as a host gone without a reset): timeouts ask for a refresh, traffic moves to the promoted replica", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const keys = loadKeys("paused", 300)
    yield* Effect.gen(function*() {
      const load = yield* startIncrLoad({ keys, writers: 16 })
      yield* Effect.sleep("300 millis")
      const [shard] = yield* cluster.shards
      yield* cluster.pause(shard!.primary)
      yield* Effect.sleep(`${NODE_TIMEOUT_MS + 5000} millis`)
      const report = yield* load.stop
      // Increments in flight on the paused node time out with written: true (unknown outcome), the rest move on.
      assert.deepStrictEqual(report.errors, [])
      assert.isBelow(report.longestGapMs, NODE_TIMEOUT_MS + 3000, `traffic stopped for ${report.longestGapMs} ms`)
      const snapshot = yield* RedisCluster.topology
      assert.strictEqual(snapshot.shardForSlot(shard!.slots[0]!.start)!.primary.port, shard!.replicas[0]!.port)
      yield* cluster.kill(shard!.primary) // the paused process would keep its connections; it holds nothing we need
      const { mismatches } = yield* verifyCounters(report, keys)
      assert.deepStrictEqual(mismatches, [])
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes, commandTimeout: "1 second" })))
  }), 90_000)
