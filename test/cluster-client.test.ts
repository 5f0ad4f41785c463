/**
 * The cluster client against the shared 3+3 cluster: routing over every node under RESP2 and RESP3, pipelines
 * across nodes, errors decided before sending, fan-out, node clients, replica reads, ensureReplication and the
 * three ways to build the layer. Nothing here breaks the cluster; the resilience tests start their own.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RedisClient } from "@effect-redis/client"
import { keySlot, type ReadFrom, RedisCluster, ReplicationError } from "@effect-redis/cluster"
import { Config, ConfigProvider, Effect, Layer, Option, Result } from "effect"
import { inject } from "vitest"

const nodes = inject("clusterNodes")
const prefix = `cluster-client:${process.pid}:${Date.now()}`

describe.each([2, 3] as const)("cluster client over RESP%s", (protocol) => {
  const k = (name: string) => `${prefix}:${protocol}:${name}`
  const layer = (readFrom: ReadFrom = "primary") => RedisCluster.layer({ startupNodes: nodes, protocol, readFrom })

  it.live("routes keys of every slot range to their owner and reads them back", () =>
    Effect.gen(function*() {
      const keys = Array.from({ length: 300 }, (_, i) => k(`spread:${i}`))
      yield* Effect.forEach(keys, (key, i) => Redis.set(key, String(i)), { concurrency: 50, discard: true })
      const values = yield* Effect.forEach(keys, (key) => Redis.get(key), { concurrency: 50 })
      assert.deepStrictEqual(values, keys.map((_, i) => Option.some(String(i))))
      // Every primary took a share, as the server itself sees it.
      const snapshot = yield* RedisCluster.topology
      assert.strictEqual(snapshot.shards.length, 3)
      assert.isTrue(snapshot.fullyCovered)
      const perNode = yield* Effect.forEach(snapshot.shards, (shard) =>
        RedisCluster.onNode(shard.primary.address, Redis.call(["DBSIZE"])))
      for (const size of perNode) assert.isTrue((size as number) > 0)
    }).pipe(Effect.provide(layer())))

  it.live("pipelines span nodes; each command gets its own result, in order", () =>
    Effect.gen(function*() {
      const keys = Array.from({ length: 100 }, (_, i) => k(`pipe:${i}`))
      const sets = yield* RedisClient.pipeline(keys.map((key, i) => Redis.set(key, `v${i}`)))
      assert.strictEqual(sets.length, 100)
      const gets = yield* RedisClient.pipeline(keys.map((key) => Redis.get(key)))
      assert.deepStrictEqual(gets, keys.map((_, i) => Option.some(`v${i}`)))
      const mixed = yield* RedisClient.pipelineResults([
        Redis.incr(k("pipe:counter")),
        Redis.incr(k("pipe:0")), // not an integer: this one fails, the others do not
        Redis.msetnx([[k("pipe:1"), "x"], [k("pipe:2"), "y"]]), // two slots, cannot be split: refused before sending
        Redis.get(k("pipe:3")),
        Redis.mget([k("pipe:1"), k("pipe:2")]) // two slots: split, and merged in key order
      ])
      assert.deepStrictEqual(mixed[0], Result.succeed(1))
      assert.isTrue(Result.isFailure(mixed[1]) && mixed[1].failure._tag === "ReplyError")
      assert.isTrue(Result.isFailure(mixed[2]) && mixed[2].failure._tag === "CrossSlotError")
      assert.deepStrictEqual(mixed[3], Result.succeed(Option.some("v3")))
      assert.deepStrictEqual(mixed[4], Result.succeed([Option.some("v1"), Option.some("v2")]))
    }).pipe(Effect.provide(layer())))

  it.live("multi-key commands: one hash tag works, keys on several slots fail with CrossSlotError unless splittable", () =>
    Effect.gen(function*() {
      yield* Redis.mset([[k("{tag}a"), "1"], [k("{tag}b"), "2"]])
      assert.deepStrictEqual(yield* Redis.mget([k("{tag}a"), k("{tag}b")]), [Option.some("1"), Option.some("2")])
      const a = k("x1"), b = k("x2")
      assert.notStrictEqual(keySlot(a), keySlot(b))
      const error = yield* Effect.flip(Redis.msetnx([[a, "1"], [b, "2"]]))
      assert.strictEqual(error._tag, "CrossSlotError")
      if (error._tag === "CrossSlotError") assert.deepStrictEqual(error.slots, [keySlot(a), keySlot(b)])
      const unsupported = yield* Effect.flip(Redis.move(a, 1))
      assert.strictEqual(unsupported._tag, "UnsupportedInClusterError")
    }).pipe(Effect.provide(layer())))

  it.live("keyless commands: PING fans out to every primary, ECHO goes to one node", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Redis.ping(), "PONG")
      assert.strictEqual(yield* Redis.echo("hi"), "hi")
    }).pipe(Effect.provide(layer())))

  it.live("replica reads see replicated writes; READONLY is sent on replica connections", () =>
    Effect.gen(function*() {
      const key = k("replica-read")
      yield* RedisCluster.ensureReplication({ replicas: 1, timeout: "2 seconds" })(Redis.set(key, "replicated"))
      const snapshot = yield* RedisCluster.topology
      const shard = snapshot.shardForSlot(keySlot(key))!
      // The replica itself answers (READONLY lets it serve its primary's slots).
      const replica = shard.replicas[0]!
      assert.deepStrictEqual(yield* RedisCluster.onNode(replica.address, Redis.get(key)), Option.some("replicated"))
      // Count GETs served by each node of the shard around ten routed reads: the replica serves them all.
      const getCalls = (address: string) =>
        Effect.map(RedisCluster.onNode(address, Redis.call(["INFO", "commandstats"])), (info) =>
          Number(/cmdstat_get:calls=(\d+)/.exec(String(info))?.[1] ?? 0))
      const [replicaBefore, primaryBefore] = [yield* getCalls(replica.address), yield* getCalls(shard.primary.address)]
      for (let i = 0; i < 10; i++) assert.deepStrictEqual(yield* Redis.get(key), Option.some("replicated"))
      assert.strictEqual((yield* getCalls(replica.address)) - replicaBefore, 10)
      assert.strictEqual((yield* getCalls(shard.primary.address)) - primaryBefore, 0)
    }).pipe(Effect.provide(layer("replica"))))

  it.live("ensureReplication fails with ReplicationError when too few replicas acknowledge", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        RedisCluster.ensureReplication({ replicas: 5, timeout: "100 millis" })(Redis.set(k("wait"), "x"))
      )
      assert.instanceOf(error, ReplicationError)
      if (error instanceof ReplicationError) {
        assert.strictEqual(error.required, 5)
        assert.strictEqual(error.acknowledged, 1)
      }
    }).pipe(Effect.provide(layer())))
})

describe("building the cluster layer", () => {
  const url = inject("clusterUrl")

  it.live("from a URL with several hosts", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Redis.ping(), "PONG")
    }).pipe(Effect.provide(RedisCluster.layerUrl(url))))

  it.live("from Config (environment variables by default)", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Redis.call(["CLIENT", "GETNAME"]), "from-config")
    }).pipe(
      Effect.provide(
        RedisCluster.layerConfig({ url: Config.String("REDIS_CLUSTER_URL"), clientName: Config.String("REDIS_CLIENT_NAME") }).pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ REDIS_CLUSTER_URL: url, REDIS_CLIENT_NAME: "from-config" })))
        )
      )
    ))

  it.live("a single reachable startup node is enough; unreachable ones are skipped", () =>
    Effect.gen(function*() {
      const snapshot = yield* RedisCluster.topology
      assert.strictEqual(snapshot.nodes.size, 6)
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: [{ host: "127.0.0.1", port: 1 }, nodes[0]!] }))))

  it.live("no reachable node: TopologyError naming the nodes", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(RedisCluster.layer({ startupNodes: [{ host: "127.0.0.1", port: 1 }], connectTimeout: "1 second" })))
      assert.strictEqual(error._tag, "TopologyError")
      assert.include(error.message, "127.0.0.1:1")
    }))
})
