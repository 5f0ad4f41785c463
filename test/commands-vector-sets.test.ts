/**
 * Vector sets (Redis 8.0's vectorset module, loaded by its builds: MODULE LIST shows it) on the shared cluster and
 * standalone server, under RESP2 and RESP3: RESP3 sends VSIM WITHSCORES and VINFO as maps and VISMEMBER as a boolean,
 * RESP2 as flat arrays and integers; each decodes to the same value. Servers without vector sets (Redis 7.0, Valkey
 * 8.1) fail the builders with `UnknownCommandError`; impossible options are refused before sending everywhere.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis } from "@effect-redis/client"
import { serverVersion } from "@effect-redis/testkit"
import { Effect, Option } from "effect"
import { invalid } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("vector-sets")
const server = serverVersion()
const hasVectorSets = server.atLeast("redis", "8.0")

const close = (actual: number, expected: number, tolerance = 0.02) =>
  assert.isTrue(Math.abs(actual - expected) <= tolerance, `${actual} is not close to ${expected}`)

describe.each(targets)("vector sets on $name", ({ name, layer }) => {
  const k = keysOf(prefix, name)

  it.live.runIf(hasVectorSets)("VADD, VCARD, VDIM, VISMEMBER, VREM, VEMB, VINFO (Redis 8.0+)", () =>
    Effect.gen(function*() {
      const v = k("basic")
      assert.isTrue(yield* Redis.vadd(v, [1, 0, 0], "x"))
      assert.isTrue(yield* Redis.vadd(v, new Float32Array([0, 1, 0]), "y"))
      assert.isTrue(yield* Redis.vadd(v, [0, 0, 1], "z", { ef: 100 }))
      // The same element again: its vector is replaced, nothing added.
      assert.isFalse(yield* Redis.vadd(v, [0.9, 0.1, 0], "x"))
      assert.strictEqual(yield* Redis.vcard(v), 3)
      assert.strictEqual(yield* Redis.vcard(k("basic:missing")), 0)
      assert.strictEqual(yield* Redis.vdim(v), 3)
      assert.isTrue(yield* Redis.vismember(v, "y"))
      assert.isFalse(yield* Redis.vismember(v, "nope"))
      // The FP32 form arrives as the same vector as VALUES.
      const y = Option.getOrThrow(yield* Redis.vemb(v, "y"))
      assert.strictEqual(y.length, 3)
      close(y[0]!, 0), close(y[1]!, 1), close(y[2]!, 0)
      assert.deepStrictEqual(yield* Redis.vemb(v, "nope"), Option.none())
      const info = Option.getOrThrow(yield* Redis.vinfo(v))
      assert.strictEqual(info.quantization, "int8")
      assert.strictEqual(info.vectorDim, 3)
      assert.strictEqual(info.size, 3)
      assert.strictEqual(info.projectionInputDim, 0)
      assert.isAtLeast(info.hnswM, 1)
      assert.deepStrictEqual(yield* Redis.vinfo(k("basic:missing")), Option.none())
      assert.isTrue(yield* Redis.vrem(v, "z"))
      assert.isFalse(yield* Redis.vrem(v, "z"))
      assert.strictEqual(yield* Redis.vcard(v), 2)
      // A vector of another dimension is the server's error.
      const error = yield* Effect.flip(Redis.vadd(v, [1, 0], "w"))
      assert.strictEqual(error._tag, "ReplyError")
    }).pipe(Effect.provide(layer)))

  it.live.runIf(hasVectorSets)("VSIM and VSIM WITHSCORES: by element or vector, COUNT, FILTER, EPSILON, TRUTH (Redis 8.0+)", () =>
    Effect.gen(function*() {
      const v = k("sim")
      yield* Redis.vadd(v, [1, 0], "east", { quantization: "noquant", attributes: { kind: "axis", n: 1 } })
      yield* Redis.vadd(v, [0, 1], "north", { quantization: "noquant", attributes: '{"kind":"axis","n":2}' })
      yield* Redis.vadd(v, [1, 1], "northeast", { quantization: "noquant", attributes: { kind: "diagonal", n: 3 } })
      yield* Redis.vadd(v, [-1, 0], "west", { quantization: "noquant" })
      assert.deepStrictEqual(yield* Redis.vsim(v, { element: "east" }, { count: 2 }), ["east", "northeast"])
      const scored = yield* Redis.vsimWithScores(v, { vector: [1, 0] })
      assert.deepStrictEqual(scored.map((item) => item.element), ["east", "northeast", "north", "west"])
      close(scored[0]!.score, 1), close(scored[1]!.score, 0.8536), close(scored[2]!.score, 0.5), close(scored[3]!.score, 0)
      assert.deepStrictEqual(yield* Redis.vsim(v, { vector: new Float32Array([0, 1]) }, { count: 1 }), ["north"])
      // FILTER on the attributes: elements without attributes never match.
      assert.deepStrictEqual(yield* Redis.vsim(v, { element: "east" }, { filter: ".kind == \"axis\"" }), ["east", "north"])
      assert.deepStrictEqual(yield* Redis.vsim(v, { element: "west" }, { filter: ".n >= 2", filterEf: 100 }), ["north", "northeast"])
      // EPSILON keeps only the results close to the query.
      const near = yield* Redis.vsimWithScores(v, { element: "east" }, { epsilon: 0.2 })
      assert.isBelow(near.length, 4)
      assert.strictEqual(near[0]!.element, "east")
      assert.deepStrictEqual(yield* Redis.vsim(v, { element: "east" }, { truth: true, noThread: true, ef: 50 }), ["east", "northeast", "north", "west"])
      assert.deepStrictEqual(yield* Redis.vsim(k("sim:missing"), { vector: [1, 0] }), [])
      const info = Option.getOrThrow(yield* Redis.vinfo(v))
      assert.strictEqual(info.quantization, "f32")
      assert.strictEqual(info.attributesCount, 3)
    }).pipe(Effect.provide(layer)))

  it.live.runIf(hasVectorSets)("VGETATTR, VSETATTR, VLINKS, VRANDMEMBER, VEMB RAW, REDUCE (Redis 8.0+)", () =>
    Effect.gen(function*() {
      const v = k("attrs")
      yield* Redis.vadd(v, [1, 0, 0], "a", { attributes: { color: "red" } })
      yield* Redis.vadd(v, [0, 1, 0], "b")
      assert.deepStrictEqual(yield* Redis.vgetattr(v, "a").pipe(Effect.map(Option.map((text) => JSON.parse(text)))), Option.some({ color: "red" }))
      assert.deepStrictEqual(yield* Redis.vgetattr(v, "b"), Option.none())
      assert.isTrue(yield* Redis.vsetattr(v, "b", { color: "blue" }))
      assert.isFalse(yield* Redis.vsetattr(v, "nope", "{}"))
      assert.isTrue(yield* Redis.vsetattr(v, "a", ""))
      assert.deepStrictEqual(yield* Redis.vgetattr(v, "a"), Option.none())
      // Neighbours per layer: with two elements, each is the other's only neighbour. Which layers an element reaches
      // is random (HNSW levels), so "a" may sit on an upper layer "b" does not reach: that layer lists nobody. The
      // bottom layer holds every element, so "b" shows up on some layer and nothing else on any.
      const layers = Option.getOrThrow(yield* Redis.vlinks(v, "a"))
      assert.isAtLeast(layers.length, 1)
      assert.deepStrictEqual([...new Set(layers.flat())], ["b"])
      const scoredLayers = Option.getOrThrow(yield* Redis.vlinksWithScores(v, "a"))
      const scored = scoredLayers.flat()
      assert.isAtLeast(scored.length, 1)
      for (const link of scored) {
        assert.strictEqual(link.element, "b")
        close(link.score, 0.5, 0.05)
      }
      assert.deepStrictEqual(yield* Redis.vlinks(v, "nope"), Option.none())
      assert.include(["a", "b"], Option.getOrThrow(yield* Redis.vrandmember(v)))
      assert.deepStrictEqual(yield* Redis.vrandmember(k("attrs:missing")), Option.none())
      assert.deepStrictEqual([...(yield* Redis.vrandmemberCount(v, 5))].sort(), ["a", "b"])
      assert.deepStrictEqual(yield* Redis.vrandmemberCount(v, -3).pipe(Effect.map((items) => items.length)), 3)
      assert.deepStrictEqual(yield* Redis.vrandmemberCount(k("attrs:missing"), 2), [])
      const raw = Option.getOrThrow(yield* Redis.vembRaw(v, "a"))
      assert.strictEqual(raw.quantization, "int8")
      assert.strictEqual(raw.data.length, 3)
      close(raw.norm, 1)
      assert.isTrue(Option.isSome(raw.range))
      assert.deepStrictEqual(yield* Redis.vembRaw(v, "nope"), Option.none())
      // REDUCE projects the vectors to fewer dimensions.
      const reduced = k("reduced")
      assert.isTrue(yield* Redis.vadd(reduced, [1, 2, 3, 4], "p", { reduce: 2, m: 8, cas: true }))
      const info = Option.getOrThrow(yield* Redis.vinfo(reduced))
      assert.strictEqual(info.vectorDim, 2)
      assert.strictEqual(info.projectionInputDim, 4)
      assert.strictEqual(info.hnswM, 8)
    }).pipe(Effect.provide(layer)))

  it.live.runIf(!hasVectorSets)(`vector-set commands fail with UnknownCommandError on ${server.label} (vector sets are Redis 8.0+)`, () =>
    Effect.gen(function*() {
      const v = k("unknown")
      const commands: ReadonlyArray<Command<unknown>> = [
        Redis.vadd(v, [1, 0], "a"), Redis.vsim(v, { element: "a" }), Redis.vsimWithScores(v, { vector: [1, 0] }), Redis.vrem(v, "a"),
        Redis.vcard(v), Redis.vdim(v), Redis.vemb(v, "a"), Redis.vembRaw(v, "a"), Redis.vgetattr(v, "a"), Redis.vsetattr(v, "a", "{}"),
        Redis.vinfo(v), Redis.vlinks(v, "a"), Redis.vlinksWithScores(v, "a"), Redis.vrandmember(v), Redis.vrandmemberCount(v, 2),
        Redis.vismember(v, "a")
      ]
      for (const command of commands) {
        const error = yield* Effect.flip(command)
        assert.strictEqual(error._tag, "UnknownCommandError", command.toString())
        assert.strictEqual((error as { command?: string }).command, command.name)
      }
      assert.strictEqual(yield* Redis.exists(v), 0)
    }).pipe(Effect.provide(layer)))

  it.live("impossible vectors and options are refused before sending, on every server", () =>
    Effect.gen(function*() {
      const v = k("invalid")
      yield* invalid(Redis.vadd(v, [], "a"))
      yield* invalid(Redis.vadd(v, [1, Number.NaN], "a"))
      yield* invalid(Redis.vadd(v, new Float32Array([Infinity]), "a"))
      yield* invalid(Redis.vadd(v, [1], "a", { reduce: 0 }))
      yield* invalid(Redis.vadd(v, [1], "a", { ef: 1.5 }))
      yield* invalid(Redis.vsim(v, { vector: [] }))
      yield* invalid(Redis.vsim(v, { element: "a" }, { count: 0 }))
      yield* invalid(Redis.vsim(v, { element: "a" }, { epsilon: 2 }))
      yield* invalid(Redis.vsimWithScores(v, { element: "a" }, { filterEf: -1 }))
      yield* invalid(Redis.vrandmemberCount(v, 1.5))
    }).pipe(Effect.provide(layer)))
})
