/**
 * A primary that hangs (SIGSTOP) under a write load, on a 3+3 cluster with cluster-node-timeout 2 s, as in issues
 * 19 and 12:
 *
 * - the client notices the silent node within the node timeout (no 10 s command timeout first), keeps asking
 *   the other nodes for the topology, and sends the hung shard's commands to the promoted replica within node
 *   timeout + 1 s of the promotion; writers of the other shards never stall;
 * - when the hung primary comes back (SIGCONT) after its replica was promoted, it executes what it had queued and
 *   answers before it learns it was demoted: the client must not report those replies as successes. Every
 *   counter ends equal to its acknowledged increments (plus, at most, increments reported as of unknown outcome);
 * - with `failOnUnresponsiveNode`, commands for the hung node fail at once with `NodeUnresponsiveError` instead
 *   of gathering every writer behind it.
 *
 * Each test prints its timeline (ms after the SIGSTOP). Bounds have slack for a loaded 2-core machine: the
 * cluster's own promotion time is measured, not assumed, and each bound says what it adds.
 */
import { assert, it } from "@effect/vitest"
import { Redis } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { type ClusterShard, LocalCluster, type LocalClusterService } from "@effect-redis/testkit"
import { Clock, Effect, Fiber, Ref, Stream } from "effect"
import { loadKeys, startIncrLoad, verifyCounters } from "./support/IncrLoad.ts"

const NODE_TIMEOUT_MS = 2_000
/** The bound: the client routes to the promoted replica within node timeout + 1 s of the promotion. */
const ROUTE_BOUND_MS = NODE_TIMEOUT_MS + 1_000

const shardOf = (shards: ReadonlyArray<ClusterShard>, key: string): ClusterShard => {
  const slot = keySlot(key)
  return shards.find((shard) => shard.slots.some((range) => slot >= range.start && slot <= range.end))!
}

/** Polls the replica's ROLE until it says master; the time it did, or undefined after `withinMs`. */
const watchPromotion = (cluster: LocalClusterService, replica: { readonly port: number }, withinMs: number) =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    while ((yield* Clock.currentTimeMillis) - started < withinMs) {
      const role = yield* Effect.result(cluster.command(replica, ["ROLE"], { timeoutMs: 500 }))
      if (role._tag === "Success" && Array.isArray(role.success) && role.success[0] === "master") return yield* Clock.currentTimeMillis
      yield* Effect.sleep("25 millis")
    }
    return undefined
  })

/** INCRs `key` every 50 ms and records when each increment was acknowledged. */
const probeWrites = (key: string) =>
  Effect.gen(function*() {
    const acks = yield* Ref.make<Array<number>>([])
    const errors = yield* Ref.make<Array<string>>([])
    const fiber = yield* Effect.forkChild(Effect.forever(Effect.gen(function*() {
      const outcome = yield* Effect.result(Redis.incr(key))
      const now = yield* Clock.currentTimeMillis
      if (outcome._tag === "Success") yield* Ref.update(acks, (list) => [...list, now])
      else yield* Ref.update(errors, (list) => [...list, `${now}: ${outcome.failure._tag}: ${outcome.failure.message}`])
      yield* Effect.sleep("50 millis")
    })))
    return { acks, errors, fiber }
  })

/** The first time in `times` after `at`. */
const firstAfter = (times: ReadonlyArray<number>, at: number) => times.find((t) => t > at)

it.live("a primary hung for 14 s: noticed within the node timeout, traffic moves to the promoted replica within node timeout + 1 s, other shards never stall, nothing acknowledged is lost", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const shards = yield* cluster.shards
    const victim = shards[0]!
    const keys = loadKeys("hung", 300)
    const group = (key: string) => String(shardOf(shards, key).primary.port)
    const byShard = shards.map((shard) => keys.filter((key) => shardOf(shards, key) === shard))
    // Not one of the load's keys: the load's counters are checked against its own acknowledgements.
    const probeKey = loadKeys("hung-probe", 100).find((key) => shardOf(shards, key) === victim)!
    yield* Effect.gen(function*() {
      const changedAt = yield* Ref.make<number | undefined>(undefined)
      yield* Effect.forkChild(Stream.runForEach(RedisCluster.topologyChanges, (change) =>
        change._tag === "PrimaryChanged" && change.from === `${victim.primary.host}:${victim.primary.port}`
          ? Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(changedAt, (at) => at ?? now))
          : Effect.void))
      // 48 writers, 16 per shard: a stall of one shard's writers never hides the others'.
      const load = yield* startIncrLoad({ keys, writers: 48, keysOf: (i) => byShard[i % 3]!, groupOf: group })
      const probe = yield* probeWrites(probeKey)
      yield* Effect.sleep("500 millis")
      const frozenAt = yield* Clock.currentTimeMillis
      yield* cluster.pause(victim.primary)
      const promotedAt = yield* watchPromotion(cluster, victim.replicas[0]!, 14_000)
      const elapsed = (yield* Clock.currentTimeMillis) - frozenAt
      yield* Effect.sleep(Math.max(0, 14_000 - elapsed))
      yield* cluster.resume(victim.primary)
      const resumedAt = yield* Clock.currentTimeMillis
      yield* Effect.sleep("3 seconds")
      const report = yield* load.stop
      yield* Fiber.interrupt(probe.fiber)
      const acks = yield* Ref.get(probe.acks)
      const firstAck = promotedAt === undefined ? undefined : firstAfter(acks, promotedAt)
      const changed = yield* Ref.get(changedAt)
      const rel = (t: number | undefined) => (t === undefined ? "never" : t - frozenAt)
      const otherGaps = [...report.longestGapByGroup].filter(([port]) => port !== String(victim.primary.port))
      console.log(`[hung 14 s, ${cluster.serverVersion.label}] ms after SIGSTOP: promoted ${rel(promotedAt)}, ` +
        `client saw the new primary ${rel(changed)}, first write acknowledged there ${rel(firstAck)}, SIGCONT ${rel(resumedAt)}; ` +
        `writers: ${report.total} acknowledged, ${[...report.uncertain.values()].reduce((a, b) => a + b, 0)} unknown outcome, ` +
        `${report.timeouts} timed out unsent; longest stall per shard ${JSON.stringify(Object.fromEntries(report.longestGapByGroup))}`)
      assert.isDefined(promotedAt, "the cluster promoted the replica")
      assert.isDefined(firstAck, `no write acknowledged after the promotion; probe errors: ${(yield* Ref.get(probe.errors)).slice(-3)}`)
      assert.isAtMost(firstAck! - promotedAt!, ROUTE_BOUND_MS, "routes to the promoted replica within node timeout + 1 s of the promotion")
      // The other shards' writers are only slowed by the cluster itself: between the moment the hung primary is
      // flagged FAIL and the promotion, every node answers CLUSTERDOWN (cluster-require-full-coverage), retried with
      // backoff. Measured ~1.5 s; the bound is the issue's.
      for (const [port, gap] of otherGaps) assert.isAtMost(gap, ROUTE_BOUND_MS, `writers of the shard of ${port} stalled ${gap} ms`)
      assert.deepStrictEqual(report.errors.slice(0, 5), [], `${report.errors.length} errors`)
      const { mismatches } = yield* verifyCounters(report, keys)
      assert.deepStrictEqual(mismatches, [])
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 120_000)

it.live("a primary hung for 6 s comes back after its replica's promotion: nothing it answers late counts as acknowledged, no acknowledged INCR is lost (50 fibers, 200 keys)", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const shards = yield* cluster.shards
    const victim = shards[0]!
    const keys = loadKeys("stale", 200)
    yield* Effect.gen(function*() {
      const load = yield* startIncrLoad({ keys, writers: 50 })
      yield* Effect.sleep("500 millis")
      const frozenAt = yield* Clock.currentTimeMillis
      yield* cluster.pause(victim.primary)
      const promotedAt = yield* watchPromotion(cluster, victim.replicas[0]!, 6_000)
      const elapsed = (yield* Clock.currentTimeMillis) - frozenAt
      yield* Effect.sleep(Math.max(0, 6_000 - elapsed))
      yield* cluster.resume(victim.primary)
      // The old primary executes what it had queued, learns it was demoted, and resyncs from its former replica.
      yield* cluster.waitForStable()
      yield* Effect.sleep("1 second")
      const report = yield* load.stop
      const { mismatches, uncertainApplied } = yield* verifyCounters(report, keys)
      const unknown = [...report.uncertain.values()].reduce((a, b) => a + b, 0)
      console.log(`[hung 6 s, ${cluster.serverVersion.label}] promoted ${promotedAt === undefined ? "never" : promotedAt - frozenAt} ms after SIGSTOP; ` +
        `${report.total} acknowledged, ${unknown} unknown outcome (${uncertainApplied} of them applied), ${report.timeouts} timed out unsent, ` +
        `lost acknowledged: ${mismatches.length}; longest stall ${report.longestGapMs} ms`)
      assert.isDefined(promotedAt, "the replica was promoted while the primary hung")
      assert.deepStrictEqual(report.errors, [])
      assert.deepStrictEqual(mismatches, [])
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 120_000)

it.live("failOnUnresponsiveNode: commands for the hung node fail at once with NodeUnresponsiveError, the other shards keep the program going", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const shards = yield* cluster.shards
    const victim = shards[0]!
    const keys = loadKeys("failfast", 200)
    yield* Effect.gen(function*() {
      // Every writer picks keys of every shard: without fail-fast they would all end up waiting on the hung one.
      const load = yield* startIncrLoad({ keys, writers: 50 })
      yield* Effect.sleep("500 millis")
      yield* cluster.pause(victim.primary)
      yield* Effect.sleep("8 seconds")
      yield* cluster.resume(victim.primary)
      yield* cluster.waitForStable()
      const report = yield* load.stop
      const { mismatches } = yield* verifyCounters(report, keys)
      console.log(`[fail-fast, ${cluster.serverVersion.label}] ${report.total} acknowledged, ${report.refused} refused as NodeUnresponsiveError, ` +
        `${[...report.uncertain.values()].reduce((a, b) => a + b, 0)} unknown outcome; longest stall of the whole load ${report.longestGapMs} ms`)
      assert.isAbove(report.refused, 0)
      // Commands are held (unsent) from half the node timeout until the probe fails (at most 500 ms later), then
      // refused: the program never stops for longer than the node timeout + 1 s.
      assert.isAtMost(report.longestGapMs, ROUTE_BOUND_MS)
      assert.deepStrictEqual(report.errors, [])
      assert.deepStrictEqual(mismatches, [])
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes, failOnUnresponsiveNode: true })))
  }), 120_000)

it.live("a node that is slow but alive (CLIENT PAUSE WRITE for longer than the node timeout) is not taken for a hung one: its PING answers, nothing is reset, every INCR is acknowledged", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const shards = yield* cluster.shards
    const keys = loadKeys("paused-writes", 200)
    yield* Effect.gen(function*() {
      const load = yield* startIncrLoad({ keys, writers: 16 })
      yield* Effect.sleep("500 millis")
      // Writes wait on the server for 3 s (the shared connection is silent past the node timeout), reads and PING
      // are served, and the cluster bus keeps running: no failover.
      yield* cluster.command(shards[0]!.primary, ["CLIENT", "PAUSE", String(NODE_TIMEOUT_MS + 1_000), "WRITE"])
      yield* Effect.sleep(`${NODE_TIMEOUT_MS + 2_000} millis`)
      const report = yield* load.stop
      const { mismatches } = yield* verifyCounters(report, keys)
      console.log(`[paused writes, ${cluster.serverVersion.label}] ${report.total} acknowledged, ` +
        `${[...report.uncertain.values()].reduce((a, b) => a + b, 0)} unknown outcome, longest stall ${report.longestGapMs} ms`)
      assert.strictEqual(report.uncertain.size, 0, "no connection was reset")
      assert.strictEqual(report.timeouts, 0)
      assert.deepStrictEqual(report.errors, [])
      assert.deepStrictEqual(mismatches, [])
      // The paused node is still the primary: the client did not give up on it.
      const snapshot = yield* RedisCluster.topology
      assert.strictEqual(snapshot.shardForSlot(shards[0]!.slots[0]!.start)!.primary.port, shards[0]!.primary.port)
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 120_000)
