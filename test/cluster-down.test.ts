/**
 * A cluster that cannot serve: a primary without replicas dies (CLUSTERDOWN everywhere), or a slot has no owner.
 * The client gives typed errors once its retry budget is spent, and recovers without being rebuilt.
 */
import { assert, it } from "@effect/vitest"
import { Redis } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { LocalCluster } from "@effect-redis/testkit"
import { Effect, Option, Schedule } from "effect"

const shortRetries = {
  clusterDown: Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 5 })),
  connection: Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 5 }))
}

/** Polls CLUSTER INFO on `node` until its state is `state`. */
const waitForState = (cluster: LocalCluster["Service"], node: { readonly port: number }, state: "ok" | "fail") =>
  cluster.command(node, ["CLUSTER", "INFO"]).pipe(
    Effect.flatMap((info) => String(info).includes(`cluster_state:${state}`) ? Effect.void : Effect.fail("not yet")),
    Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 100 }))),
    Effect.orDie
  )

it.live("CLUSTERDOWN after a primary without replicas dies: typed errors, then recovery on restart", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0, nodeTimeoutMs: 1000 })
    const [dead, alive] = yield* cluster.shards
    // One key on the shard that dies, one on a shard that stays up.
    const keyOn = (range: { readonly start: number; readonly end: number }) => {
      for (let i = 0; ; i++) {
        const slot = keySlot(`down:${i}`)
        if (slot >= range.start && slot <= range.end) return `down:${i}`
      }
    }
    const deadKey = keyOn(dead!.slots[0]!)
    const aliveKey = keyOn(alive!.slots[0]!)
    yield* Effect.gen(function*() {
      yield* Redis.set(deadKey, "1")
      yield* Redis.set(aliveKey, "1")
      yield* cluster.kill(dead!.primary)
      yield* waitForState(cluster, alive!.primary, "fail")
      const started = Date.now()
      const down = yield* Effect.flip(Redis.incr(aliveKey))
      assert.strictEqual(down._tag, "ClusterDownError")
      if (down._tag === "ClusterDownError") {
        assert.strictEqual(down.attempts, 6)
        assert.match(down.reason, /CLUSTERDOWN/)
      }
      assert.isAtLeast(Date.now() - started, 450, "the retry budget was spent")
      const unreachable = yield* Effect.flip(Redis.incr(deadKey))
      assert.strictEqual(unreachable._tag, "ConnectionError")
      if (unreachable._tag === "ConnectionError") assert.isFalse(unreachable.written)

      yield* cluster.restart(dead!.primary)
      yield* cluster.waitForClusterOk()
      assert.strictEqual(yield* Redis.incr(aliveKey), 2)
      // The restarted node came back empty (no persistence), but serves its slots again.
      assert.strictEqual(yield* Redis.incr(deadKey), 1)
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes, retry: shortRetries })))
  }), 90_000)

it.live("an unserved slot (CLUSTER DELSLOTS): ClusterDownError for it, other slots unaffected, served again after ADDSLOTS", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0, requireFullCoverage: false })
    const key = "unserved:key"
    const other = "unserved:other"
    const slot = keySlot(key)
    assert.notStrictEqual(keySlot(other), slot)
    const owner = yield* cluster.primaryForSlot(slot)
    yield* Effect.gen(function*() {
      yield* Redis.set(other, "fine")
      yield* Effect.forEach(cluster.startupNodes, (node) => cluster.command(node, ["CLUSTER", "DELSLOTS", String(slot)]), { discard: true })
      const error = yield* Effect.flip(Redis.get(key))
      assert.strictEqual(error._tag, "ClusterDownError")
      if (error._tag === "ClusterDownError") assert.strictEqual(error.slot, slot)
      assert.deepStrictEqual(yield* Redis.get(other), Option.some("fine"))

      yield* cluster.command(owner, ["CLUSTER", "ADDSLOTS", String(slot)])
      yield* cluster.waitForAgreement()
      yield* RedisCluster.refreshTopology
      assert.isTrue(yield* Redis.set(key, "back"))
      assert.deepStrictEqual(yield* Redis.get(key), Option.some("back"))
    }).pipe(
      Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes, skipFullCoverageCheck: true, retry: shortRetries }))
    )
  }), 90_000)
