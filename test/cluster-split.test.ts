/**
 * Multi-key commands whose keys span slots: split per slot, run concurrently, merged (DEL, UNLINK, EXISTS, TOUCH
 * sum; MGET in the caller's key order; MSET all succeed). Checked against a standalone server running the same
 * operations, including a property test over random operations on random keys.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis, RedisClient, RedisNode } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { Effect, Layer, ManagedRuntime, Option, Result } from "effect"
import * as fc from "fast-check"
import { afterAll, inject } from "vitest"

const nodes = inject("clusterNodes")
const prefix = `cluster-split:${process.pid}:${Date.now()}`

describe.each([2, 3] as const)("cross-slot commands over RESP%s", (protocol) => {
  const k = (name: string) => `${prefix}:${protocol}:${name}`
  const layer = RedisCluster.layer({ startupNodes: nodes, protocol })

  it.live("MGET across slots returns values in the caller's key order, duplicates and missing keys included", () =>
    Effect.gen(function*() {
      const keys = Array.from({ length: 20 }, (_, i) => k(`mget:${i}`))
      assert.isAbove(new Set(keys.map(keySlot)).size, 10)
      yield* Redis.mset(keys.slice(0, 15).map((key, i) => [key, `v${i}`] as const))
      const asked = [...keys, keys[3]!, keys[0]!]
      const values = yield* Redis.mget(asked)
      assert.deepStrictEqual(values, asked.map((key) => {
        const i = keys.indexOf(key)
        return i < 15 ? Option.some(`v${i}`) : Option.none()
      }))
    }).pipe(Effect.provide(layer)))

  it.live("DEL, UNLINK, EXISTS and TOUCH across slots add up the per-slot counts", () =>
    Effect.gen(function*() {
      const keys = Array.from({ length: 12 }, (_, i) => k(`count:${i}`))
      yield* Redis.mset(keys.map((key) => [key, "x"] as const))
      assert.strictEqual(yield* Redis.exists([...keys, keys[0]!, k("count:missing")]), 13)
      assert.strictEqual(yield* Redis.touch(keys), 12)
      assert.strictEqual(yield* Redis.del(keys.slice(0, 6)), 6)
      assert.strictEqual(yield* Redis.unlink(keys), 6)
      assert.strictEqual(yield* Redis.exists(keys), 0)
    }).pipe(Effect.provide(layer)))

  it.live("a pipeline may hold split commands; MSETNX across slots fails with CrossSlotError saying why", () =>
    Effect.gen(function*() {
      const [a, b] = [k("pipe:a"), k("pipe:b")]
      assert.notStrictEqual(keySlot(a), keySlot(b))
      const [set, got, count] = yield* RedisClient.pipeline([Redis.mset([[a, "1"], [b, "2"]]), Redis.mget([b, a]), Redis.exists([a, b])])
      assert.isUndefined(set)
      assert.deepStrictEqual(got, [Option.some("2"), Option.some("1")])
      assert.strictEqual(count, 2)
      const error = yield* Effect.flip(Redis.msetnx([[a, "1"], [b, "2"]]))
      assert.strictEqual(error._tag, "CrossSlotError")
      assert.include(error.message, "every key or none")
    }).pipe(Effect.provide(layer)))
})

it.live("nonAtomicCrossSlot: false refuses to split, before sending anything", () =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(Redis.mget([`${prefix}:strict:a`, `${prefix}:strict:b`]))
    assert.strictEqual(error._tag, "CrossSlotError")
    assert.include(error.message, "nonAtomicCrossSlot")
  }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: nodes, nonAtomicCrossSlot: false }))))

it.live("onNodes returns each selected node's own result", () =>
  Effect.gen(function*() {
    const snapshot = yield* RedisCluster.topology
    const primaries = yield* RedisCluster.onNodes("primaries", Redis.call(["ROLE"]))
    assert.deepStrictEqual([...primaries.keys()].sort(), snapshot.shards.map((s) => s.primary.address).sort())
    for (const result of primaries.values()) {
      assert.isTrue(Result.isSuccess(result) && (result.success as ReadonlyArray<unknown>)[0] === "master")
    }
    const replicas = yield* RedisCluster.onNodes("replicas", Redis.call(["ROLE"]))
    assert.strictEqual(replicas.size, 3)
    for (const result of replicas.values()) {
      assert.isTrue(Result.isSuccess(result) && (result.success as ReadonlyArray<unknown>)[0] === "slave")
    }
    assert.strictEqual((yield* RedisCluster.onNodes("all", Redis.ping())).size, 6)
    const one = snapshot.shards[0]!.primary.address
    const picked = yield* RedisCluster.onNodes([one, "127.0.0.1:1"], Redis.ping())
    assert.deepStrictEqual(picked.get(one), Result.succeed("PONG"))
    const refused = picked.get("127.0.0.1:1")!
    assert.isTrue(Result.isFailure(refused) && refused.failure._tag !== undefined)
  }).pipe(Effect.provide(RedisCluster.layer({
    startupNodes: nodes,
    connectTimeout: "1 second",
    commandTimeout: "2 seconds"
  }))))

describe("the same operations on a cluster and on a standalone server give the same results", () => {
  const cluster = ManagedRuntime.make(RedisCluster.layer({ startupNodes: nodes }))
  const standalone = ManagedRuntime.make(RedisNode.layer({ url: inject("standaloneUrl") }) as Layer.Layer<RedisClient, unknown>)
  afterAll(async () => {
    await cluster.dispose()
    await standalone.dispose()
  })

  type Op =
    | { readonly op: "mset"; readonly pairs: ReadonlyArray<readonly [number, string]> }
    | { readonly op: "mget" | "del" | "exists" | "unlink" | "touch"; readonly keys: ReadonlyArray<number> }
  const keyIndex = fc.integer({ min: 0, max: 15 })
  const keysArb = fc.array(keyIndex, { minLength: 1, maxLength: 8 })
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant("mset" as const), pairs: fc.array(fc.tuple(keyIndex, fc.string({ maxLength: 5 })), { minLength: 1, maxLength: 8 }) }),
    fc.record({ op: fc.constantFrom("mget" as const, "del" as const, "exists" as const, "unlink" as const, "touch" as const), keys: keysArb })
  )

  it("random multi-key operations on random keys", async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const base = `${prefix}:prop:${run++}`
        const key = (i: number) => `${base}:${i}`
        const commandOf = (op: Op): Command<unknown> =>
          op.op === "mset"
            ? Redis.mset(op.pairs.map(([i, v]) => [key(i), v] as const))
            : Redis[op.op](op.keys.map(key)) as Command<unknown>
        const runAll = (runtime: ManagedRuntime.ManagedRuntime<RedisClient, unknown>) =>
          runtime.runPromise(Effect.forEach(ops, (op) => Effect.result(commandOf(op) as Effect.Effect<unknown, unknown, RedisClient>)))
        const [onCluster, onStandalone] = [await runAll(cluster), await runAll(standalone)]
        assert.deepStrictEqual(onCluster, onStandalone)
      }),
      { numRuns: 40 }
    )
  })
})
