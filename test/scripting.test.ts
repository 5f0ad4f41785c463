/**
 * Scripts on a cluster and on a standalone server: EVAL/EVALSHA/FCALL routed by their keys, and `Script`, which
 * runs EVALSHA and falls back to EVAL once on NOSCRIPT (never running the script twice).
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, type RedisClient, RedisNode, Script } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { Effect, type Layer } from "effect"
import { inject } from "vitest"

const prefix = `scripting:${process.pid}:${Date.now()}`
const clients: ReadonlyArray<readonly [string, Layer.Layer<RedisClient, unknown>]> = [
  ["cluster", RedisCluster.layer({ startupNodes: inject("clusterNodes") })],
  ["standalone", RedisNode.layer({ url: inject("standaloneUrl") })]
]

describe.each(clients)("scripts on a %s", (name, layer) => {
  const k = (key: string) => `${prefix}:${name}:${key}`

  it.live("Script: NOSCRIPT once, then EVALSHA; the script runs exactly once per call", () =>
    Effect.gen(function*() {
      // A fresh script (unique source), so no node has it cached.
      const incr = Script.make(`-- ${prefix} ${name}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`)
      yield* Redis.scriptFlush()
      assert.deepStrictEqual(yield* Redis.scriptExists([incr.sha1]), [false])
      assert.strictEqual(yield* incr.run({ keys: [k("counter")], args: [5] }), 5)
      assert.strictEqual(yield* incr.run({ keys: [k("counter")], args: [5] }), 10)
      // Cached now on the node that ran it (a cluster: the key's node; SCRIPT EXISTS asks every primary).
      assert.deepStrictEqual(yield* Redis.evalsha(incr.sha1, { keys: [k("counter")], args: [1] }), 11)
      yield* Redis.scriptFlush()
      assert.strictEqual(yield* incr.run({ keys: [k("counter")], args: [1] }), 12)
      // SCRIPT LOAD puts it everywhere.
      assert.strictEqual(yield* Redis.scriptLoad(incr.lua), incr.sha1)
      assert.deepStrictEqual(yield* Redis.scriptExists([incr.sha1, "0".repeat(40)]), [true, false])
    }).pipe(Effect.provide(layer)))

  it.live("EVAL routes by its keys; a read-only script; no keys runs anywhere", () =>
    Effect.gen(function*() {
      yield* Redis.set(k("{s}a"), "A")
      assert.strictEqual(yield* Redis.evalScript("return redis.call('GET', KEYS[1])", { keys: [k("{s}a")] }), "A")
      assert.strictEqual(yield* Redis.evalRo("return redis.call('GET', KEYS[1])", { keys: [k("{s}a")] }), "A")
      assert.strictEqual(yield* Redis.evalScript("return ARGV[1]", { args: ["no keys"] }), "no keys")
      const ro = Script.make("return redis.call('GET', KEYS[1])")
      assert.strictEqual(yield* ro.runReadOnly({ keys: [k("{s}a")] }), "A")
      const error = yield* Effect.flip(Redis.evalScript("return redis.call('SET', KEYS[1], 'x')", { keys: [k("{s}a")] }).pipe(
        Effect.andThen(Redis.evalRo("return redis.call('SET', KEYS[1], 'x')", { keys: [k("{s}a")] }))
      ))
      assert.strictEqual(error._tag, "ReplyError")
    }).pipe(Effect.provide(layer)))
})

it.live("on a cluster, a script whose keys span slots fails with CrossSlotError before sending", () =>
  Effect.gen(function*() {
    const [a, b] = [`${prefix}:x1`, `${prefix}:x2`]
    assert.notStrictEqual(keySlot(a), keySlot(b))
    const error = yield* Effect.flip(Redis.evalScript("return 1", { keys: [a, b] }))
    assert.strictEqual(error._tag, "CrossSlotError")
    const fcallError = yield* Effect.flip(Redis.fcall("nothing", { keys: [a, b] }))
    assert.strictEqual(fcallError._tag, "CrossSlotError")
  }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: inject("clusterNodes") }))))

it.live("FCALL and FCALL_RO call a function loaded on every primary", () =>
  Effect.gen(function*() {
    const library = `#!lua name=${`lib_${process.pid}_${Date.now()}`}
redis.register_function('${`getset_${process.pid}`}', function(keys, args) return redis.call('GETSET', keys[1], args[1]) end)
redis.register_function{function_name='${`peek_${process.pid}`}', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}`
    // FUNCTION LOAD goes to every primary (the catalog will type it; Redis.call on each node here).
    const snapshot = yield* RedisCluster.topology
    for (const shard of snapshot.shards) yield* RedisCluster.onNode(shard.primary.address, Redis.call(["FUNCTION", "LOAD", library]))
    const key = `${prefix}:fn`
    yield* Redis.set(key, "old")
    assert.strictEqual(yield* Redis.fcall(`getset_${process.pid}`, { keys: [key], args: ["new"] }), "old")
    assert.strictEqual(yield* Redis.fcallRo(`peek_${process.pid}`, { keys: [key] }), "new")
  }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: inject("clusterNodes") }))))
