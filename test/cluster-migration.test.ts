/**
 * Slots moving under the client: a slot held mid-migration (ASK, TRYAGAIN, then MOVED), a live reshard of many
 * slots under an INCR load, and a new node given slots.
 */
import { assert, it } from "@effect/vitest"
import { Redis } from "@effect-redis/client"
import { keySlot, RedisCluster, type TopologyChange } from "@effect-redis/cluster"
import { LocalCluster } from "@effect-redis/testkit"
import { Effect, Fiber, Option, Schedule, Stream } from "effect"
import { loadKeys, startIncrLoad, verifyCounters } from "./support/IncrLoad.ts"

it.live("a slot mid-migration: ASK for moved keys, TRYAGAIN for split multi-key commands, MOVED once done", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 })
    const a = "{mig}a", b = "{mig}b"
    const slot = keySlot(a)
    const source = yield* cluster.primaryForSlot(slot)
    const shards = yield* cluster.shards
    const target = shards.find((shard) => shard.primary.port !== source.port)!.primary
    const sourceAddress = `${source.host}:${source.port}`
    const targetAddress = `${target.host}:${target.port}`
    yield* Effect.gen(function*() {
      const changes: Array<TopologyChange> = []
      yield* Effect.forkChild(Stream.runForEach(RedisCluster.topologyChanges, (c) => Effect.sync(() => changes.push(c))))
      yield* Redis.set(a, "A")
      yield* Redis.set(b, "B")
      yield* cluster.beginSlotMigration(slot, target)
      yield* cluster.migrateKeys(slot, { count: 1 })
      // One key moved: reading it follows ASK (ASKING + GET on the target) and leaves the slot map alone.
      assert.deepStrictEqual(yield* Redis.get(a), Option.some("A"))
      assert.deepStrictEqual(yield* Redis.get(b), Option.some("B"))
      assert.strictEqual((yield* RedisCluster.topology).shardForSlot(slot)!.primary.address, sourceAddress)
      // Both keys in one command while they are on two nodes: TRYAGAIN until the schedule gives up...
      const split = yield* Effect.flip(Redis.mget([a, b]))
      assert.strictEqual(split._tag, "TryAgainError")
      if (split._tag === "TryAgainError") assert.strictEqual(split.slot, slot)
      // ...and succeeds once the keys are together again, while it is retrying.
      const retrying = yield* Effect.forkChild(Redis.mget([a, b]))
      yield* Effect.sleep("20 millis")
      yield* cluster.migrateKeys(slot)
      assert.deepStrictEqual(yield* Fiber.join(retrying), [Option.some("A"), Option.some("B")])
      // Migration finished: the source answers MOVED, the client follows and patches its map.
      yield* cluster.finishSlotMigration(slot)
      assert.deepStrictEqual(yield* Redis.get(a), Option.some("A"))
      assert.isTrue(yield* Redis.set(a, "A2"))
      assert.strictEqual((yield* RedisCluster.topology).shardForSlot(slot)!.primary.address, targetAddress)
      // The refresh the MOVED asked for confirms the move and publishes it.
      yield* RedisCluster.refreshTopology
      yield* Effect.sleep("10 millis")
      assert.isTrue(
        changes.some((c) => c._tag === "SlotsMoved" && c.to === targetAddress && c.ranges.some(([s, e]) => s <= slot && slot <= e)),
        JSON.stringify(changes)
      )
    }).pipe(
      Effect.provide(RedisCluster.layer({
        startupNodes: cluster.startupNodes,
        refreshInterval: Infinity,
        // About 2 s of TRYAGAIN retries: long enough for the second MGET to see the migration end.
        retry: { tryAgain: Schedule.spaced("5 millis").pipe(Schedule.upTo({ times: 400 })) }
      }))
    )
  }), 90_000)

it.live("a live reshard of many slots and a new node given slots, under load: nothing lost, nothing doubled", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 })
    const keys = loadKeys("reshard", 400)
    const shards = yield* cluster.shards
    const [from, to] = shards
    const inRange = (slot: number) => from!.slots.some((r) => slot >= r.start && slot <= r.end)
    // The slots of the load's keys that live on the first shard: those are moved while being written.
    const moving = [...new Set(keys.map(keySlot).filter(inRange))].slice(0, 40)
    yield* Effect.gen(function*() {
      const changes: Array<TopologyChange> = []
      yield* Effect.forkChild(Stream.runForEach(RedisCluster.topologyChanges, (c) => Effect.sync(() => changes.push(c))))
      const load = yield* startIncrLoad({ keys, writers: 16 })
      yield* Effect.sleep("200 millis")
      for (const slot of moving) yield* cluster.moveSlot(slot, to!.primary)
      const newcomer = yield* cluster.addNode()
      yield* cluster.assignSlots(newcomer, moving.slice(0, 10))
      yield* Effect.sleep("300 millis")
      const report = yield* load.stop
      assert.deepStrictEqual(report.errors, [])
      assert.strictEqual(report.timeouts, 0)
      assert.strictEqual(report.uncertain.size, 0)
      const { mismatches } = yield* verifyCounters(report, keys)
      assert.deepStrictEqual(mismatches, [])
      const snapshot = yield* RedisCluster.refreshTopology
      assert.strictEqual(snapshot.shardForSlot(moving[0]!)!.primary.port, newcomer.port)
      assert.strictEqual(snapshot.shardForSlot(moving[20]!)!.primary.port, to!.primary.port)
      yield* Effect.sleep("10 millis")
      const newcomerAddress = `${newcomer.host}:${newcomer.port}`
      assert.isTrue(changes.some((c) => c._tag === "NodeAdded" && c.node.address === newcomerAddress), JSON.stringify(changes))
      assert.isTrue(changes.some((c) => c._tag === "SlotsMoved" && c.to === newcomerAddress), JSON.stringify(changes))
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 120_000)
