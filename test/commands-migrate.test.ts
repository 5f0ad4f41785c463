/**
 * MIGRATE moves (or copies) keys to another server, from a standalone server and from a cluster node (routed by
 * its keys, which must share a slot; the empty key argument of the KEYS form is not a key).
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, type RedisClient, RedisNode } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { LocalServer } from "@effect-redis/testkit"
import { Effect, type Layer, Option } from "effect"
import { inject } from "vitest"

const prefix = `migrate:${process.pid}:${Date.now()}`
const sources: ReadonlyArray<readonly [string, Layer.Layer<RedisClient, unknown>]> = [
  ["cluster", RedisCluster.layer({ startupNodes: inject("clusterNodes") })],
  ["standalone", RedisNode.layer({ url: inject("standaloneUrl") })]
]

describe.each(sources)("MIGRATE from a %s", (name, source) => {
  it.live("moves keys of one slot (KEYS form) and copies with COPY; NOKEY when none exists", () =>
    Effect.gen(function*() {
      const target = yield* LocalServer.make()
      const onTarget = <A, E>(effect: Effect.Effect<A, E, RedisClient>) => Effect.provide(effect, RedisNode.layer({ url: target.url }))
      const [a, b] = [`${prefix}:${name}:{m}a`, `${prefix}:${name}:{m}b`]
      const to = { host: target.host, port: target.port }
      yield* Effect.provide(Redis.mset({ [a]: "1", [b]: "2" }), source)
      assert.strictEqual(yield* Effect.provide(Redis.migrate(to, [a, b], { timeoutMs: 5000 }), source), "OK")
      assert.strictEqual(yield* Effect.provide(Redis.exists([a, b]), source), 0)
      assert.deepStrictEqual(yield* onTarget(Redis.mget([a, b])), [Option.some("1"), Option.some("2")])
      yield* Effect.provide(Redis.set(a, "3"), source)
      assert.strictEqual(yield* Effect.provide(Redis.migrate(to, a, { timeoutMs: 5000, copy: true, replace: true }), source), "OK")
      assert.deepStrictEqual(yield* Effect.provide(Redis.get(a), source), Option.some("3"))
      assert.deepStrictEqual(yield* onTarget(Redis.get(a)), Option.some("3"))
      assert.strictEqual(yield* Effect.provide(Redis.migrate(to, `${prefix}:${name}:{m}missing`, { timeoutMs: 5000 }), source), "NOKEY")
      const invalid = yield* Effect.flip(Effect.provide(Redis.migrate(to, [], { timeoutMs: 5000 }), source))
      assert.strictEqual((invalid as { readonly _tag: string })._tag, "InvalidArgumentError")
      assert.deepStrictEqual(Redis.migrate(to, [a, b], { timeoutMs: 1 }).keyIndexes, [7, 8])
    }).pipe(Effect.scoped))
})
