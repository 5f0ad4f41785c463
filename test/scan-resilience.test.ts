/**
 * RedisClient.scan while the cluster changes under it, each test on a cluster of its own: a live reshard of about
 * 1000 slots (keys migrated) while every node is being scanned, kill -9 of the primary being scanned, CLUSTER
 * FAILOVER of the primary being scanned, and a primary that restarts and is LOADING. Nothing is written during the
 * scans, so every key exists for the whole scan and must be emitted at least once. The consumers are slow on
 * purpose (the stream is pulled, so the scan goes at their pace) so the change lands mid-scan.
 */
import { assert, it } from "@effect/vitest"
import { RedisClient } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import type { LocalClusterService } from "@effect-redis/testkit"
import { LocalCluster } from "@effect-redis/testkit"
import { Effect, Fiber, Schedule, Stream } from "effect"
import { assertEachAtLeastOnce, assertExactlyOnce, keyNames, primaryBeingScanned, scanCallsOn, writeKeys } from "./support/ScanSupport.ts"

/** A scan whose consumer takes `pauseMs` per chunk (while `slow()` holds), collecting every key, in a fiber. */
const slowScan = (options: {
  readonly count: number
  readonly pauseMs: number
  readonly slow?: () => boolean
  readonly dedupe?: boolean
  readonly match?: string
}) =>
  Effect.forkChild(Effect.suspend(() => {
    const seen: Array<string> = []
    return Effect.as(
      Stream.runForEachArray(RedisClient.scan({ count: options.count, dedupe: options.dedupe, match: options.match }), (chunk) => {
        for (const key of chunk) seen.push(key)
        return options.slow === undefined || options.slow() ? Effect.sleep(options.pauseMs) : Effect.void
      }),
      seen
    )
  }))

const shardOf = (cluster: LocalClusterService, port: number) =>
  Effect.map(cluster.shards, (shards) => shards.find((shard) => shard.primary.port === port)!)

it.live("a live reshard of ~1000 slots from every node while each is scanned: every key at least once", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 })
    const keys = keyNames("reshard", 60_000)
    yield* Effect.gen(function*() {
      yield* writeKeys(keys)
      const [a, b, c] = yield* cluster.shards
      // 350 slots out of each primary into the next one: whichever node the scan is on loses slots mid-pass.
      const moves = [[a!, b!], [b!, c!], [c!, a!]] as const
      let resharding = true
      const scan = yield* slowScan({ count: 100, pauseMs: 10, slow: () => resharding })
      yield* Effect.sleep("300 millis")
      const started = Date.now()
      let moved = 0
      for (const [from, to] of moves) {
        const slots = Array.from({ length: 350 }, (_, i) => from.slots[0]!.start + 100 + i)
        yield* cluster.assignSlots(to.primary, slots)
        moved += slots.length
      }
      resharding = false
      const reshardMs = Date.now() - started
      const seen = yield* Fiber.join(scan)
      const repeats = assertEachAtLeastOnce(seen, keys)
      console.log(`reshard of ${moved} slots took ${reshardMs} ms; the scan emitted ${seen.length} keys (${repeats} repeats)`)
      // The reshard happened: the slot map changed under the scan.
      const after = yield* cluster.shards
      assert.strictEqual(after.find((shard) => shard.primary.port === b!.primary.port)!.slots.some((r) => r.start <= a!.slots[0]!.start + 100 && a!.slots[0]!.start + 100 <= r.end), true)
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 180_000)

it.live("slots moved onto a node already scanned are read there slot by slot (GETKEYSINSLOT), not by scanning it again", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 })
    const keys = keyNames("moved-back", 30_000)
    const getkeysCalls = (node: { readonly port: number }) =>
      Effect.map(cluster.command(node, ["INFO", "commandstats"]), (info) =>
        Number(/cmdstat_cluster\|getkeysinslot:calls=(\d+)/.exec(String(info))?.[1] ?? 0))
    yield* Effect.gen(function*() {
      yield* writeKeys(keys)
      // With a MATCH: the keys read slot by slot are matched by the client, as SCAN would on the server.
      const scan = yield* slowScan({ count: 500, pauseMs: 20, match: "moved-back:*[13]" })
      yield* Effect.sleep("300 millis")
      const first = yield* primaryBeingScanned(cluster)
      // Wait until the scan has left the first node for another one.
      let second = first
      while (second.port === first.port) {
        yield* Effect.sleep("100 millis")
        second = yield* primaryBeingScanned(cluster)
      }
      // Slots of the node being scanned move onto the node already done: they must be read there.
      const from = (yield* cluster.shards).find((shard) => shard.primary.port === second.port)!
      const slots = Array.from({ length: 200 }, (_, i) => from.slots[0]!.start + i)
      const scansOfFirst = yield* scanCallsOn(cluster, first)
      const readsOfFirst = yield* getkeysCalls(first)
      yield* cluster.assignSlots(first, slots)
      const seen = yield* Fiber.join(scan)
      const matching = keys.filter((key) => /[13]$/.test(key))
      const repeats = assertEachAtLeastOnce(seen, matching)
      assert.deepStrictEqual(seen.filter((key) => !/[13]$/.test(key)), [], "only keys matching the pattern")
      console.log(`moved ${slots.length} slots onto ${first.port} after its pass; the scan emitted ${seen.length} keys (${repeats} repeats)`)
      assert.strictEqual(yield* scanCallsOn(cluster, first), scansOfFirst, "the finished node was not scanned again")
      assert.isAbove(yield* getkeysCalls(first), readsOfFirst, "the moved slots were read with GETKEYSINSLOT")
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 120_000)

it.live("kill -9 of the primary being scanned: continues on the promoted replica, every key at least once", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1 })
    const keys = keyNames("crash", 30_000)
    yield* Effect.gen(function*() {
      yield* writeKeys(keys)
      yield* cluster.waitForReplicasInSync()
      const scan = yield* slowScan({ count: 100, pauseMs: 10 })
      yield* Effect.sleep("400 millis")
      const victim = yield* primaryBeingScanned(cluster)
      const shard = yield* shardOf(cluster, victim.port)
      yield* cluster.kill(victim)
      const seen = yield* Fiber.join(scan)
      const repeats = assertEachAtLeastOnce(seen, keys)
      console.log(`killed ${victim.port} mid-pass; the scan emitted ${seen.length} keys (${repeats} repeats)`)
      const snapshot = yield* RedisCluster.refreshTopology
      assert.strictEqual(snapshot.shardForSlot(shard.slots[0]!.start)!.primary.port, shard.replicas[0]!.port, "the replica took over")
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 120_000)

it.live("CLUSTER FAILOVER of the primary being scanned: every key at least once; with dedupe exactly once", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1 })
    const keys = keyNames("failover", 30_000)
    yield* Effect.gen(function*() {
      yield* writeKeys(keys)
      yield* cluster.waitForReplicasInSync()
      const plain = yield* slowScan({ count: 100, pauseMs: 10 })
      const deduped = yield* slowScan({ count: 100, pauseMs: 10, dedupe: true })
      yield* Effect.sleep("400 millis")
      const victim = yield* primaryBeingScanned(cluster)
      const promoted = yield* cluster.failover(yield* shardOf(cluster, victim.port))
      const seen = yield* Fiber.join(plain)
      const repeats = assertEachAtLeastOnce(seen, keys)
      console.log(`failed ${victim.port} over to ${promoted.port} mid-pass; the scan emitted ${seen.length} keys (${repeats} repeats)`)
      assertExactlyOnce(yield* Fiber.join(deduped), keys)
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 120_000)

it.live("a primary that crashes mid-pass and comes back LOADING its data: the scan waits on the loading schedule, every key at least once", () =>
  Effect.gen(function*() {
    // key-load-delay (µs per key) makes loading the RDB take seconds, and a small loading-process-events-interval-bytes
    // makes the node answer (LOADING) meanwhile instead of holding every request; no replicas, so it comes back as
    // the primary.
    const cluster = yield* LocalCluster.make({
      primaries: 3,
      replicasPerPrimary: 0,
      nodeTimeoutMs: 15_000,
      extraConfig: ["key-load-delay 300", "loading-process-events-interval-bytes 1024"]
    })
    const keys = keyNames("loading", 24_000)
    // Loading takes seconds, while the connection schedule only covers the moment the process is not listening: the
    // wait for a loading node has to be the loading schedule's.
    const loading = Schedule.spaced("200 millis").pipe(Schedule.upTo({ times: 150 }))
    const connection = Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 10 }))
    yield* Effect.gen(function*() {
      yield* writeKeys(keys)
      let slow = true
      const scan = yield* slowScan({ count: 100, pauseMs: 10, slow: () => slow })
      yield* Effect.sleep("400 millis")
      const victim = yield* primaryBeingScanned(cluster)
      yield* cluster.command(victim, ["SAVE"])
      yield* cluster.kill(victim)
      // From here the consumer is fast: the other primaries are done long before the victim has loaded.
      slow = false
      yield* cluster.restart(victim)
      const seen = yield* Fiber.join(scan)
      const repeats = assertEachAtLeastOnce(seen, keys)
      console.log(`restarted ${victim.port} mid-pass; the scan emitted ${seen.length} keys (${repeats} repeats)`)
      // The scan met the loading node: the restarted process refused some of its requests with LOADING (Redis
      // refuses CLUSTER NODES while loading, Valkey answers it and refuses the SCAN).
      const stats = String(yield* cluster.command(victim, ["INFO", "commandstats"]))
      const rejected = (command: string) => Number(new RegExp(`cmdstat_${command}:[^\\r\\n]*rejected_calls=(\\d+)`).exec(stats)?.[1] ?? 0)
      assert.isAbove(rejected("cluster\\|nodes") + rejected("scan"), 0, stats)
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes, retry: { loading, connection } })))
  }), 120_000)
