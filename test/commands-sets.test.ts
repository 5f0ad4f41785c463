/**
 * The SETS family: every builder against the shared cluster and the standalone server, under RESP2 and RESP3 (RESP3
 * sends SMEMBERS, SINTER... as a set type, decoded to the same array as RESP2's).
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis } from "@effect-redis/client"
import { Effect, Option } from "effect"
import { invalid } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("sets")

const sorted = (items: ReadonlyArray<string>): Array<string> => [...items].sort()

describe.each(targets)("sets on $name", ({ name, protocol, layer }) => {
  const k = keysOf(prefix, name)

  it.live("SMEMBERS and SINTER: RESP3 set replies decode to arrays", () =>
    Effect.gen(function*() {
      const a = k("decode:a"), b = k("decode:b")
      assert.strictEqual(yield* Redis.sadd(a, ["x", "y", "z", "w"]), 4)
      assert.strictEqual(yield* Redis.sadd(b, ["y", "z", "v"]), 3)
      // What the server sends: a RESP3 set (`~`) or a RESP2 array.
      const raw = yield* Redis.call(["SMEMBERS", a], { keys: [1] })
      assert.strictEqual(raw instanceof Set, protocol === 3)
      assert.strictEqual(Array.isArray(raw), protocol === 2)
      const rawInter = yield* Redis.call(["SINTER", a, b], { keys: [1, 2] })
      assert.strictEqual(rawInter instanceof Set, protocol === 3)
      // Decoded the same way under both protocols.
      const members = yield* Redis.smembers(a)
      assert.isTrue(Array.isArray(members))
      assert.deepStrictEqual(sorted(members), ["w", "x", "y", "z"])
      const inter = yield* Redis.sinter([a, b])
      assert.isTrue(Array.isArray(inter))
      assert.deepStrictEqual(sorted(inter), ["y", "z"])
      assert.deepStrictEqual(sorted(yield* Redis.sinter(a)), ["w", "x", "y", "z"])
      // Empty replies.
      assert.deepStrictEqual(yield* Redis.smembers(k("decode:missing")), [])
      assert.deepStrictEqual(yield* Redis.sinter([a, k("decode:missing")]), [])
      yield* invalid(Redis.sinter([]))
    }).pipe(Effect.provide(layer)))

  it.live("SADD, SCARD, SISMEMBER, SMISMEMBER, SREM", () =>
    Effect.gen(function*() {
      const s = k("basic")
      assert.strictEqual(yield* Redis.sadd(s, "a"), 1)
      assert.strictEqual(yield* Redis.sadd(s, ["a", "b", "c", 4]), 3)
      assert.strictEqual(yield* Redis.sadd(s, "a"), 0)
      assert.strictEqual(yield* Redis.scard(s), 4)
      assert.strictEqual(yield* Redis.scard(k("basic:missing")), 0)
      assert.isTrue(yield* Redis.sismember(s, "b"))
      assert.isTrue(yield* Redis.sismember(s, 4))
      assert.isFalse(yield* Redis.sismember(s, "z"))
      assert.isFalse(yield* Redis.sismember(k("basic:missing"), "a"))
      assert.deepStrictEqual(yield* Redis.smismember(s, ["a", "z", "c"]), [true, false, true])
      assert.deepStrictEqual(yield* Redis.smismember(s, "z"), [false])
      assert.deepStrictEqual(yield* Redis.smismember(k("basic:missing"), ["a", "b"]), [false, false])
      assert.strictEqual(yield* Redis.srem(s, ["a", "z"]), 1)
      assert.strictEqual(yield* Redis.srem(s, "b"), 1)
      assert.strictEqual(yield* Redis.srem(k("basic:missing"), "b"), 0)
      assert.deepStrictEqual(sorted(yield* Redis.smembers(s)), ["4", "c"])
      yield* invalid(Redis.sadd(s, []))
      yield* invalid(Redis.srem(s, []))
      yield* invalid(Redis.smismember(s, []))
      assert.strictEqual(yield* Redis.scard(s), 2)
    }).pipe(Effect.provide(layer)))

  it.live("SDIFF, SUNION and the STORE variants; SINTERCARD with LIMIT", () =>
    Effect.gen(function*() {
      const a = k("ops:a"), b = k("ops:b"), c = k("ops:c"), d = k("ops:dest"), missing = k("ops:missing")
      yield* Redis.sadd(a, ["1", "2", "3", "4"])
      yield* Redis.sadd(b, ["3", "4", "5"])
      yield* Redis.sadd(c, ["4", "6"])
      assert.deepStrictEqual(sorted(yield* Redis.sdiff([a, b])), ["1", "2"])
      assert.deepStrictEqual(sorted(yield* Redis.sdiff([a, b, c])), ["1", "2"])
      assert.deepStrictEqual(sorted(yield* Redis.sdiff(a)), ["1", "2", "3", "4"])
      assert.deepStrictEqual(yield* Redis.sdiff([missing, a]), [])
      assert.deepStrictEqual(sorted(yield* Redis.sunion([a, b, c])), ["1", "2", "3", "4", "5", "6"])
      assert.deepStrictEqual(sorted(yield* Redis.sunion(b)), ["3", "4", "5"])
      assert.deepStrictEqual(yield* Redis.sunion(missing), [])
      assert.deepStrictEqual(sorted(yield* Redis.sinter([a, b, c])), ["4"])

      assert.strictEqual(yield* Redis.sdiffstore(d, [a, b]), 2)
      assert.deepStrictEqual(sorted(yield* Redis.smembers(d)), ["1", "2"])
      assert.strictEqual(yield* Redis.sdiffstore(d, a), 4)
      assert.strictEqual(yield* Redis.sinterstore(d, [a, b]), 2)
      assert.deepStrictEqual(sorted(yield* Redis.smembers(d)), ["3", "4"])
      assert.strictEqual(yield* Redis.sunionstore(d, [a, b, c]), 6)
      assert.deepStrictEqual(sorted(yield* Redis.smembers(d)), ["1", "2", "3", "4", "5", "6"])
      // An empty result deletes the destination.
      assert.strictEqual(yield* Redis.sinterstore(d, [a, missing]), 0)
      assert.strictEqual(yield* Redis.exists(d), 0)
      assert.strictEqual(yield* Redis.sunionstore(d, c), 2)
      assert.deepStrictEqual(sorted(yield* Redis.smembers(d)), ["4", "6"])

      assert.strictEqual(yield* Redis.sintercard([a, b]), 2)
      assert.strictEqual(yield* Redis.sintercard(a), 4)
      assert.strictEqual(yield* Redis.sintercard([a, b], { limit: 1 }), 1)
      assert.strictEqual(yield* Redis.sintercard(a, { limit: 0 }), 4)
      assert.strictEqual(yield* Redis.sintercard([a, missing]), 0)
      assert.deepStrictEqual(Redis.sintercard([a, b], { limit: 1 }).args, ["SINTERCARD", 2, a, b, "LIMIT", 1])
      assert.deepStrictEqual(Redis.sintercard([a, b], { limit: 1 }).keyIndexes, [2, 3])

      yield* invalid(Redis.sintercard([a, b], { limit: -1 }))
      yield* invalid(Redis.sintercard([]))
      yield* invalid(Redis.sdiff([]))
      yield* invalid(Redis.sunion([]))
      yield* invalid(Redis.sdiffstore(d, []))
      yield* invalid(Redis.sinterstore(d, []))
      yield* invalid(Redis.sunionstore(d, []))
    }).pipe(Effect.provide(layer)))

  it.live("SMOVE, SPOP, SRANDMEMBER", () =>
    Effect.gen(function*() {
      const src = k("pop:src"), dst = k("pop:dst"), missing = k("pop:missing")
      yield* Redis.sadd(src, ["a", "b", "c", "d", "e"])
      assert.isTrue(yield* Redis.smove(src, dst, "a"))
      assert.isFalse(yield* Redis.smove(src, dst, "a"))
      assert.isFalse(yield* Redis.smove(missing, dst, "a"))
      assert.deepStrictEqual(yield* Redis.smembers(dst), ["a"])
      assert.strictEqual(yield* Redis.scard(src), 4)

      const all = ["b", "c", "d", "e"]
      const one = yield* Redis.srandmember(src)
      assert.isTrue(Option.isSome(one) && all.includes(one.value))
      const three = yield* Redis.srandmemberCount(src, 3)
      assert.strictEqual(three.length, 3)
      assert.strictEqual(new Set(three).size, 3)
      assert.isTrue(three.every((m) => all.includes(m)))
      assert.deepStrictEqual(sorted(yield* Redis.srandmemberCount(src, 10)), all)
      const repeated = yield* Redis.srandmemberCount(src, -10)
      assert.strictEqual(repeated.length, 10)
      assert.isTrue(repeated.every((m) => all.includes(m)))
      assert.deepStrictEqual(yield* Redis.srandmemberCount(src, 0), [])
      assert.strictEqual(yield* Redis.scard(src), 4)
      assert.deepStrictEqual(yield* Redis.srandmember(missing), Option.none())
      assert.deepStrictEqual(yield* Redis.srandmemberCount(missing, 3), [])
      assert.deepStrictEqual(yield* Redis.srandmemberCount(missing, -3), [])

      const popped = yield* Redis.spop(src)
      assert.isTrue(Option.isSome(popped) && all.includes(popped.value))
      const rest = all.filter((m) => m !== Option.getOrThrow(popped))
      const two = yield* Redis.spopCount(src, 2)
      assert.strictEqual(two.length, 2)
      assert.isTrue(two.every((m) => rest.includes(m)))
      assert.deepStrictEqual(yield* Redis.spopCount(src, 0), [])
      const last = yield* Redis.spopCount(src, 5)
      assert.deepStrictEqual(sorted([...two, ...last]), rest)
      assert.strictEqual(yield* Redis.exists(src), 0)
      assert.deepStrictEqual(yield* Redis.spop(src), Option.none())
      assert.deepStrictEqual(yield* Redis.spopCount(missing, 2), [])

      yield* invalid(Redis.spopCount(src, -1))
      yield* invalid(Redis.spopCount(src, 1.5))
      yield* invalid(Redis.srandmemberCount(src, 1.5))
    }).pipe(Effect.provide(layer)))

  it.live("SSCAN pages through a set, with MATCH and COUNT", () =>
    Effect.gen(function*() {
      const s = k("scan")
      const members = Array.from({ length: 300 }, (_, i) => `m${i}`)
      assert.strictEqual(yield* Redis.sadd(s, members), 300)
      const seen = new Set<string>()
      let cursor = "0"
      let pages = 0
      do {
        const page = yield* Redis.sscan(s, cursor, { count: 50 })
        for (const item of page.items) seen.add(item)
        cursor = page.cursor
        pages++
      } while (cursor !== "0")
      assert.isAbove(pages, 1)
      assert.deepStrictEqual(sorted([...seen]), sorted(members))

      const matched = new Set<string>()
      cursor = "0"
      do {
        const page = yield* Redis.sscan(s, cursor, { match: "m1?", count: 1000 })
        for (const item of page.items) matched.add(item)
        cursor = page.cursor
      } while (cursor !== "0")
      assert.deepStrictEqual(sorted([...matched]), sorted(Array.from({ length: 10 }, (_, i) => `m1${i}`)))

      // A small set (listpack encoding) comes back in one page.
      yield* Redis.sadd(k("scan:small"), ["x", "y"])
      const small = yield* Redis.sscan(k("scan:small"), 0)
      assert.strictEqual(small.cursor, "0")
      assert.deepStrictEqual(sorted(small.items), ["x", "y"])
      assert.deepStrictEqual(yield* Redis.sscan(k("scan:missing"), "0"), { cursor: "0", items: [] })

      yield* invalid(Redis.sscan(s, 0, { count: 0 }))
    }).pipe(Effect.provide(layer)))
})
