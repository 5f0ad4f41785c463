/**
 * Text that is not UTF-8 (issue 12.3): `Redis.get` keeps the fast decoding, where invalid bytes become U+FFFD
 * silently (documented next to `getBytes`); `Redis.strictUtf8(command)` fails with a `DecodeError` instead, on a
 * standalone server and on a cluster, for single replies, arrays, maps and in pipelines.
 */
import { assert, describe, it } from "@effect/vitest"
import { DecodeError, Redis, RedisClient, RedisNode } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { Effect, type Layer, Option, Result } from "effect"
import { inject } from "vitest"

const prefix = `utf8:${process.pid}:${Date.now()}`
const invalid = new Uint8Array([0x61, 0xff, 0x62]) // "a", a byte that starts no UTF-8 sequence, "b"
const valid = "é€😀 ok"

const targets: ReadonlyArray<readonly [string, () => Layer.Layer<RedisClient, unknown>]> = [
  ["cluster", () => RedisCluster.layer({ startupNodes: inject("clusterNodes") })],
  ["standalone", () => RedisNode.layer({ url: inject("standaloneUrl") })]
]

describe.each(targets)("strict UTF-8 on a %s", (target, layer) => {
  const k = (name: string) => `${prefix}:${target}:{u}${name}`

  it.live("get replaces invalid bytes with U+FFFD; getBytes returns them; strictUtf8(get) fails with DecodeError", () =>
    Effect.gen(function*() {
      yield* Redis.set(k("bad"), invalid)
      yield* Redis.set(k("good"), valid)
      assert.deepStrictEqual(yield* Redis.get(k("bad")), Option.some("a\uFFFDb"))
      assert.deepStrictEqual(yield* Redis.getBytes(k("bad")), Option.some(invalid))
      const error = yield* Effect.flip(Redis.strictUtf8(Redis.get(k("bad"))))
      assert.instanceOf(error, DecodeError)
      assert.include((error as DecodeError).reason, "valid UTF-8")
      assert.strictEqual((error as DecodeError).command, "GET")
      assert.deepStrictEqual(yield* Redis.strictUtf8(Redis.get(k("good"))), Option.some(valid))
      assert.deepStrictEqual(yield* Redis.strictUtf8(Redis.get(k("missing"))), Option.none())
    }).pipe(Effect.provide(layer())))

  it.live("arrays, maps and pipelines: one invalid string fails that command only", () =>
    Effect.gen(function*() {
      yield* Redis.set(k("bad"), invalid)
      yield* Redis.set(k("good"), valid)
      yield* Redis.hset(k("hash"), { field: valid })
      yield* Redis.call(["HSET", k("badhash"), invalid, "v"])
      assert.deepStrictEqual(yield* Redis.strictUtf8(Redis.mget([k("good"), k("missing")])), [Option.some(valid), Option.none()])
      assert.instanceOf(yield* Effect.flip(Redis.strictUtf8(Redis.mget([k("good"), k("bad")]))), DecodeError)
      assert.deepStrictEqual(yield* Redis.strictUtf8(Redis.hgetall(k("hash"))), yield* Redis.hgetall(k("hash")))
      assert.instanceOf(yield* Effect.flip(Redis.strictUtf8(Redis.hgetall(k("badhash")))), DecodeError)
      const [bad, good] = yield* RedisClient.pipelineResults([Redis.strictUtf8(Redis.get(k("bad"))), Redis.strictUtf8(Redis.get(k("good")))])
      assert.isTrue(Result.isFailure(bad) && bad.failure._tag === "DecodeError")
      assert.deepStrictEqual(good, Result.succeed(Option.some(valid)))
    }).pipe(Effect.provide(layer())))
})
