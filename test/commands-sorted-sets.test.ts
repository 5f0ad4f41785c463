/**
 * The sorted-set commands (ZADD ... BZMPOP) against the shared cluster and the standalone server, under RESP2 and
 * RESP3, with the same assertions: exact replies, scores as numbers with ±Infinity round-tripping, WITHSCORES
 * replies decoded to the same `ScoredMember` arrays under both protocols, nil replies as `Option.none()`, invalid
 * options refused before sending, and the blocking pops returning at once, timing out, or woken by a ZADD.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis } from "@effect-redis/client"
import { CommandFlags, hasFlag } from "@effect-redis/client/Command"
import { Effect, Fiber, Option } from "effect"
import { invalid, timed } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("zsets")

const byMember = <A extends { readonly member: string }>(items: ReadonlyArray<A>) =>
  [...items].sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))

describe.each(targets)("sorted sets on $name", ({ name, layer }) => {
  const k = keysOf(prefix, name)

  it.live("ZADD (members as records, tuples, objects, maps; NX/XX/GT/LT/CH) / ZADD INCR / ZCARD / ZSCORE / ZMSCORE", () =>
    Effect.gen(function*() {
      const key = k("add")
      assert.strictEqual(yield* Redis.zcard(key), 0)
      assert.deepStrictEqual(yield* Redis.zscore(key, "a"), Option.none())
      assert.deepStrictEqual(yield* Redis.zmscore(key, ["a", "b"]), [Option.none(), Option.none()])

      assert.strictEqual(yield* Redis.zadd(key, { a: 1, b: 2 }), 2)
      assert.strictEqual(yield* Redis.zadd(key, [[3, "c"], [-Infinity, "lo"]]), 2)
      assert.strictEqual(yield* Redis.zadd(key, [{ member: "hi", score: Infinity }, { member: "a", score: 1.5 }]), 1)
      assert.strictEqual(yield* Redis.zadd(key, new Map([["a", 5]]), { ch: true }), 1)
      assert.strictEqual(yield* Redis.zadd(key, { a: 1 }, { nx: true }), 0)
      assert.deepStrictEqual(yield* Redis.zscore(key, "a"), Option.some(5))
      assert.strictEqual(yield* Redis.zadd(key, { a: 4, absent: 1 }, { xx: true, ch: true }), 1)
      assert.strictEqual(yield* Redis.zadd(key, { a: 10 }, { gt: true, ch: true }), 1)
      assert.strictEqual(yield* Redis.zadd(key, { a: 3 }, { gt: true, ch: true }), 0)
      assert.strictEqual(yield* Redis.zadd(key, { a: 2 }, { lt: true, ch: true }), 1)
      assert.strictEqual(yield* Redis.zadd(key, { a: 2, b: 2 }), 0)
      assert.strictEqual(yield* Redis.zcard(key), 5)

      // ±inf round-trips: sent as +inf/-inf, read back as ±Infinity from "inf"/"-inf" (RESP2) or doubles (RESP3).
      assert.deepStrictEqual(yield* Redis.zscore(key, "hi"), Option.some(Infinity))
      assert.deepStrictEqual(yield* Redis.zscore(key, "lo"), Option.some(-Infinity))
      assert.deepStrictEqual(yield* Redis.zscore(key, "nope"), Option.none())
      assert.deepStrictEqual(
        yield* Redis.zmscore(key, ["lo", "a", "nope", "hi"]),
        [Option.some(-Infinity), Option.some(2), Option.none(), Option.some(Infinity)]
      )
      assert.deepStrictEqual(yield* Redis.zmscore(key, "b"), [Option.some(2)])
      assert.deepStrictEqual(yield* Redis.zrangeWithScores(key, 0, -1), [
        { member: "lo", score: -Infinity },
        { member: "a", score: 2 },
        { member: "b", score: 2 },
        { member: "c", score: 3 },
        { member: "hi", score: Infinity }
      ])

      assert.strictEqual(yield* Redis.zincrby(key, 0.5, "c"), 3.5)
      assert.strictEqual(yield* Redis.zincrby(key, 1, "hi"), Infinity)
      assert.strictEqual(yield* Redis.zincrby(key, -2, "fresh"), -2)
      assert.deepStrictEqual(yield* Redis.zaddIncr(key, 1.25, "b"), Option.some(3.25))
      assert.deepStrictEqual(yield* Redis.zaddIncr(key, 1, "b", { nx: true }), Option.none())
      assert.deepStrictEqual(yield* Redis.zaddIncr(key, 1, "zz", { xx: true }), Option.none())
      assert.deepStrictEqual(yield* Redis.zaddIncr(key, -10, "b", { gt: true }), Option.none())
      assert.deepStrictEqual(yield* Redis.zaddIncr(key, -Infinity, "neg"), Option.some(-Infinity))
      assert.deepStrictEqual(yield* Redis.zscore(key, "b"), Option.some(3.25))

      // A wrong type is the server's error, not a decoding failure.
      yield* Redis.set(k("add:string"), "s")
      assert.strictEqual((yield* Effect.flip(Redis.zadd(k("add:string"), { a: 1 })))._tag, "ReplyError")

      assert.include(yield* invalid(Redis.zadd(key, {})), "members must not be empty")
      assert.include(yield* invalid(Redis.zadd(key, [])), "members must not be empty")
      assert.include(yield* invalid(Redis.zadd(key, { a: 1 }, { nx: true, xx: true })), "nx and xx cannot be combined")
      assert.include(yield* invalid(Redis.zadd(key, { a: 1 }, { gt: true, lt: true })), "gt and lt cannot be combined")
      assert.include(yield* invalid(Redis.zadd(key, { a: 1 }, { nx: true, gt: true })), "nx and gt cannot be combined")
      assert.include(yield* invalid(Redis.zadd(key, { a: 1 }, { nx: true, lt: true })), "nx and lt cannot be combined")
      assert.include(yield* invalid(Redis.zadd(key, { a: NaN })), "score of member a must be a number")
      assert.include(yield* invalid(Redis.zaddIncr(key, NaN, "a")), "increment must be a number")
      assert.include(yield* invalid(Redis.zaddIncr(key, 1, "a", { nx: true, lt: true })), "cannot be combined")
      assert.include(yield* invalid(Redis.zincrby(key, NaN, "a")), "increment must be a number")
      assert.include(yield* invalid(Redis.zmscore(key, [])), "members must not be empty")
      assert.deepStrictEqual(yield* Redis.zscore(key, "a"), Option.some(2))
    }).pipe(Effect.provide(layer)))

  it.live("ZRANK / ZREVRANK / ZREM", () =>
    Effect.gen(function*() {
      const key = k("rank")
      yield* Redis.zadd(key, { lo: -Infinity, a: 1, b: 2, hi: Infinity })
      assert.deepStrictEqual(yield* Redis.zrank(key, "lo"), Option.some(0))
      assert.deepStrictEqual(yield* Redis.zrank(key, "hi"), Option.some(3))
      assert.deepStrictEqual(yield* Redis.zrank(key, "nope"), Option.none())
      assert.deepStrictEqual(yield* Redis.zrevrank(key, "hi"), Option.some(0))
      assert.deepStrictEqual(yield* Redis.zrevrank(key, "a"), Option.some(2))
      assert.deepStrictEqual(yield* Redis.zrevrank(k("rank:missing"), "a"), Option.none())
      assert.strictEqual(yield* Redis.zrem(key, "a"), 1)
      assert.strictEqual(yield* Redis.zrem(key, ["b", "nope", "lo"]), 2)
      assert.strictEqual(yield* Redis.zrem(k("rank:missing"), "x"), 0)
      assert.deepStrictEqual(yield* Redis.zrange(key, 0, -1), ["hi"])
      assert.include(yield* invalid(Redis.zrem(key, [])), "members must not be empty")
    }).pipe(Effect.provide(layer)))

  it.live("ZRANGE by rank / score / lex, REV, LIMIT, WITHSCORES; ZRANGESTORE; ZCOUNT; ZLEXCOUNT", () =>
    Effect.gen(function*() {
      const key = k("range"), lex = k("range:lex"), missing = k("range:missing")
      yield* Redis.zadd(key, { a: 1, b: 2, c: 3, d: 4, e: 5 })
      yield* Redis.zadd(lex, { a: 0, b: 0, c: 0, d: 0, e: 0 })

      assert.deepStrictEqual(yield* Redis.zrange(key, 0, -1), ["a", "b", "c", "d", "e"])
      assert.deepStrictEqual(yield* Redis.zrange(key, 1, 2), ["b", "c"])
      assert.deepStrictEqual(yield* Redis.zrange(key, 0, 1, { rev: true }), ["e", "d"])
      assert.deepStrictEqual(yield* Redis.zrange(missing, 0, -1), [])
      assert.deepStrictEqual(yield* Redis.zrange(key, 2, { exclusive: 5 }, { by: "SCORE" }), ["b", "c", "d"])
      assert.deepStrictEqual(yield* Redis.zrange(key, "+inf", "(3", { by: "SCORE", rev: true }), ["e", "d"])
      assert.deepStrictEqual(
        yield* Redis.zrange(key, -Infinity, Infinity, { by: "SCORE", limit: { offset: 1, count: 2 } }),
        ["b", "c"]
      )
      assert.deepStrictEqual(yield* Redis.zrange(key, { exclusive: -Infinity }, { exclusive: Infinity }, { by: "SCORE" }), [
        "a",
        "b",
        "c",
        "d",
        "e"
      ])
      assert.deepStrictEqual(yield* Redis.zrange(lex, "[b", "(d", { by: "LEX" }), ["b", "c"])
      assert.deepStrictEqual(
        yield* Redis.zrange(lex, "+", "-", { by: "LEX", rev: true, limit: { offset: 0, count: 2 } }),
        ["e", "d"]
      )
      assert.deepStrictEqual(yield* Redis.zrangeWithScores(key, "(1", 3, { by: "SCORE" }), [
        { member: "b", score: 2 },
        { member: "c", score: 3 }
      ])
      assert.deepStrictEqual(yield* Redis.zrangeWithScores(key, 0, 0, { rev: true }), [{ member: "e", score: 5 }])
      assert.deepStrictEqual(yield* Redis.zrangeWithScores(missing, 0, -1), [])

      assert.strictEqual(yield* Redis.zrangestore(k("range:dst"), key, 1, 3, { by: "SCORE" }), 3)
      assert.deepStrictEqual(yield* Redis.zrangeWithScores(k("range:dst"), 0, -1), [
        { member: "a", score: 1 },
        { member: "b", score: 2 },
        { member: "c", score: 3 }
      ])
      assert.strictEqual(yield* Redis.zrangestore(k("range:dst2"), lex, "[c", "+", { by: "LEX" }), 3)
      assert.deepStrictEqual(yield* Redis.zrange(k("range:dst2"), 0, -1), ["c", "d", "e"])
      assert.strictEqual(yield* Redis.zrangestore(k("range:dst3"), key, 0, 0, { rev: true }), 1)
      assert.deepStrictEqual(yield* Redis.zrange(k("range:dst3"), 0, -1), ["e"])
      assert.strictEqual(yield* Redis.zrangestore(k("range:dst4"), missing, 0, -1), 0)

      assert.strictEqual(yield* Redis.zcount(key, "(1", 3), 2)
      assert.strictEqual(yield* Redis.zcount(key, -Infinity, Infinity), 5)
      assert.strictEqual(yield* Redis.zcount(key, { exclusive: 5 }, "+inf"), 0)
      assert.strictEqual(yield* Redis.zcount(missing, "-inf", "+inf"), 0)
      assert.strictEqual(yield* Redis.zlexcount(lex, "-", "+"), 5)
      assert.strictEqual(yield* Redis.zlexcount(lex, "(a", "[c"), 2)

      assert.include(yield* invalid(Redis.zrange(key, 0.5, 1)), "start must be an integer")
      assert.include(yield* invalid(Redis.zrange(key, "(1", 2)), "start must be an integer rank without `by`")
      assert.include(yield* invalid(Redis.zrange(key, 0, 1, { limit: { offset: 0, count: 1 } })), "limit needs by")
      assert.include(yield* invalid(Redis.zrange(lex, "a", "+", { by: "LEX" })), "start must start with")
      assert.include(yield* invalid(Redis.zrange(key, 1, "x", { by: "SCORE" })), "stop must be a score bound")
      assert.include(yield* invalid(Redis.zrange(key, 1, 2, { by: "RANK" as "SCORE" })), "by must be")
      assert.include(
        yield* invalid(Redis.zrange(key, 1, 2, { by: "SCORE", limit: { offset: -1, count: 1 } })),
        "limit.offset must be an integer >= 0"
      )
      assert.include(yield* invalid(Redis.zrangeWithScores(lex, "-", "+", { by: "LEX" })), "WITHSCORES cannot be combined")
      assert.include(yield* invalid(Redis.zrangestore(k("range:dst"), key, 0, 1, { limit: { offset: 0, count: 1 } })), "limit needs by")
      assert.include(yield* invalid(Redis.zcount(key, NaN, 1)), "min must be a number")
      assert.include(yield* invalid(Redis.zcount(key, 1, { exclusive: NaN })), "max must be a number, { exclusive: number }")
      assert.include(yield* invalid(Redis.zlexcount(lex, "-", "c")), "max must start with")
      assert.deepStrictEqual(yield* Redis.zrange(k("range:dst"), 0, -1), ["a", "b", "c"])
    }).pipe(Effect.provide(layer)))

  it.live("ZRANGEBYSCORE / ZREVRANGEBYSCORE / ZRANGEBYLEX / ZREVRANGEBYLEX / ZREVRANGE (+ WITHSCORES)", () =>
    Effect.gen(function*() {
      const key = k("legacy"), lex = k("legacy:lex")
      yield* Redis.zadd(key, { lo: -Infinity, a: 1, b: 2, c: 3, d: 4, e: 5, hi: Infinity })
      yield* Redis.zadd(lex, { a: 0, b: 0, c: 0, d: 0, e: 0 })

      assert.deepStrictEqual(yield* Redis.zrangebyscore(key, 2, 4), ["b", "c", "d"])
      assert.deepStrictEqual(
        yield* Redis.zrangebyscore(key, { exclusive: 2 }, "+inf", { limit: { offset: 1, count: -1 } }),
        ["d", "e", "hi"]
      )
      assert.deepStrictEqual(yield* Redis.zrangebyscore(key, 10, 20), [])
      assert.deepStrictEqual(yield* Redis.zrangebyscoreWithScores(key, "-inf", 2), [
        { member: "lo", score: -Infinity },
        { member: "a", score: 1 },
        { member: "b", score: 2 }
      ])
      assert.deepStrictEqual(yield* Redis.zrangebyscoreWithScores(key, 0, Infinity, { limit: { offset: 4, count: 5 } }), [
        { member: "e", score: 5 },
        { member: "hi", score: Infinity }
      ])
      assert.deepStrictEqual(yield* Redis.zrevrangebyscore(key, 4, { exclusive: 1 }), ["d", "c", "b"])
      assert.deepStrictEqual(
        yield* Redis.zrevrangebyscoreWithScores(key, Infinity, 4, { limit: { offset: 0, count: 2 } }),
        [{ member: "hi", score: Infinity }, { member: "e", score: 5 }]
      )
      assert.deepStrictEqual(yield* Redis.zrangebylex(lex, "-", "[c"), ["a", "b", "c"])
      assert.deepStrictEqual(yield* Redis.zrangebylex(lex, "-", "[c", { limit: { offset: 1, count: 1 } }), ["b"])
      assert.deepStrictEqual(yield* Redis.zrevrangebylex(lex, "(d", "-"), ["c", "b", "a"])
      assert.deepStrictEqual(yield* Redis.zrevrangebylex(lex, "+", "-", { limit: { offset: 1, count: 2 } }), ["d", "c"])
      assert.deepStrictEqual(yield* Redis.zrevrange(key, 0, 1), ["hi", "e"])
      assert.deepStrictEqual(yield* Redis.zrevrange(k("legacy:missing"), 0, -1), [])
      assert.deepStrictEqual(yield* Redis.zrevrangeWithScores(key, -2, -1), [
        { member: "a", score: 1 },
        { member: "lo", score: -Infinity }
      ])

      assert.include(yield* invalid(Redis.zrangebyscore(key, "abc", 1)), "min must be a score bound")
      assert.include(yield* invalid(Redis.zrangebyscore(key, 1, 2, { limit: { offset: 0, count: 1.5 } })), "limit.count must be an integer")
      assert.include(yield* invalid(Redis.zrangebyscoreWithScores(key, 1, NaN)), "max must be a number")
      assert.include(yield* invalid(Redis.zrevrangebyscore(key, "((1", 0)), "max must be a score bound")
      assert.include(yield* invalid(Redis.zrevrangebyscoreWithScores(key, 1, "x")), "min must be a score bound")
      assert.include(yield* invalid(Redis.zrangebylex(lex, "b", "+")), "min must start with")
      assert.include(yield* invalid(Redis.zrevrangebylex(lex, "+", "a")), "min must start with")
      assert.include(yield* invalid(Redis.zrevrange(key, 1.5, 2)), "start must be an integer")
      assert.include(yield* invalid(Redis.zrevrangeWithScores(key, 0, Infinity)), "stop must be an integer")
    }).pipe(Effect.provide(layer)))

  it.live("ZREMRANGEBYSCORE / ZREMRANGEBYRANK / ZREMRANGEBYLEX", () =>
    Effect.gen(function*() {
      const key = k("remrange"), lex = k("remrange:lex"), missing = k("remrange:missing")
      yield* Redis.zadd(key, { a: 1, b: 2, c: 3, d: 4, e: 5, hi: Infinity })
      yield* Redis.zadd(lex, { a: 0, b: 0, c: 0, d: 0, e: 0 })
      assert.strictEqual(yield* Redis.zremrangebyscore(key, "(4", Infinity), 2)
      assert.strictEqual(yield* Redis.zremrangebyrank(key, 0, 0), 1)
      assert.deepStrictEqual(yield* Redis.zrange(key, 0, -1), ["b", "c", "d"])
      assert.strictEqual(yield* Redis.zremrangebyrank(key, -1, -1), 1)
      assert.strictEqual(yield* Redis.zremrangebyscore(key, { exclusive: 2 }, 3), 1)
      assert.deepStrictEqual(yield* Redis.zrange(key, 0, -1), ["b"])
      assert.strictEqual(yield* Redis.zremrangebylex(lex, "[b", "[c"), 2)
      assert.strictEqual(yield* Redis.zremrangebylex(lex, "(d", "+"), 1)
      assert.deepStrictEqual(yield* Redis.zrange(lex, 0, -1), ["a", "d"])
      assert.strictEqual(yield* Redis.zremrangebyscore(missing, "-inf", "+inf"), 0)
      assert.strictEqual(yield* Redis.zremrangebyrank(missing, 0, -1), 0)
      assert.strictEqual(yield* Redis.zremrangebylex(missing, "-", "+"), 0)

      assert.include(yield* invalid(Redis.zremrangebyscore(key, "one", 2)), "min must be a score bound")
      assert.include(yield* invalid(Redis.zremrangebyrank(key, 0, 0.5)), "stop must be an integer")
      assert.include(yield* invalid(Redis.zremrangebylex(lex, "a", "+")), "min must start with")
      assert.deepStrictEqual(yield* Redis.zrange(lex, 0, -1), ["a", "d"])
    }).pipe(Effect.provide(layer)))

  it.live("ZPOPMIN / ZPOPMAX (with and without a count) / ZMPOP", () =>
    Effect.gen(function*() {
      const key = k("pop"), missing = k("pop:missing")
      yield* Redis.zadd(key, { a: 1, b: 2, c: 3, d: 4, e: 5, lo: -Infinity, hi: Infinity })
      assert.deepStrictEqual(yield* Redis.zpopmin(key), [{ member: "lo", score: -Infinity }])
      assert.deepStrictEqual(yield* Redis.zpopmax(key), [{ member: "hi", score: Infinity }])
      assert.deepStrictEqual(yield* Redis.zpopmin(key, 2), [{ member: "a", score: 1 }, { member: "b", score: 2 }])
      assert.deepStrictEqual(yield* Redis.zpopmax(key, 1), [{ member: "e", score: 5 }])
      assert.deepStrictEqual(yield* Redis.zpopmin(key, 0), [])
      assert.deepStrictEqual(yield* Redis.zpopmin(missing), [])
      assert.deepStrictEqual(yield* Redis.zpopmax(missing, 3), [])

      assert.deepStrictEqual(yield* Redis.zmpop([missing, key], "MIN"), Option.some({ key, members: [{ member: "c", score: 3 }] }))
      assert.deepStrictEqual(yield* Redis.zmpop(missing, "MAX"), Option.none())
      yield* Redis.zadd(key, { x: Infinity, y: -Infinity })
      assert.deepStrictEqual(
        yield* Redis.zmpop(key, "MAX", { count: 10 }),
        Option.some({ key, members: [{ member: "x", score: Infinity }, { member: "d", score: 4 }, { member: "y", score: -Infinity }] })
      )
      assert.strictEqual(yield* Redis.zcard(key), 0)

      assert.include(yield* invalid(Redis.zpopmin(key, -1)), "count must be an integer >= 0")
      assert.include(yield* invalid(Redis.zpopmax(key, 1.5)), "count must be an integer >= 0")
      assert.include(yield* invalid(Redis.zmpop([], "MIN")), "at least one key is required")
      assert.include(yield* invalid(Redis.zmpop(key, "LEFT" as "MIN")), "end must be \"MIN\" or \"MAX\"")
      assert.include(yield* invalid(Redis.zmpop(key, "MIN", { count: 0 })), "count must be an integer >= 1")
    }).pipe(Effect.provide(layer)))

  it.live("BZPOPMIN / BZPOPMAX / BZMPOP: at once when data is present, Option.none() after the timeout", () =>
    Effect.gen(function*() {
      const key = k("bpop"), missing = k("bpop:missing")
      yield* Redis.zadd(key, { a: 1, b: 2, c: 3, d: 4, lo: -Infinity, hi: Infinity })
      const [min, elapsed] = yield* timed(Redis.bzpopmin([missing, key], 5))
      assert.deepStrictEqual(min, Option.some({ key, member: "lo", score: -Infinity }))
      assert.isBelow(elapsed, 1000)
      assert.deepStrictEqual(yield* Redis.bzpopmax(key, 0), Option.some({ key, member: "hi", score: Infinity }))
      assert.deepStrictEqual(
        yield* Redis.bzmpop(1, [missing, key], "MAX", { count: 2 }),
        Option.some({ key, members: [{ member: "d", score: 4 }, { member: "c", score: 3 }] })
      )
      assert.deepStrictEqual(yield* Redis.bzmpop(0, key, "MIN"), Option.some({ key, members: [{ member: "a", score: 1 }] }))

      for (const command of [Redis.bzpopmin(missing, 0.2), Redis.bzpopmax([missing, k("bpop:other")], 0.2), Redis.bzmpop(0.2, missing, "MIN")]) {
        const [reply, waited] = yield* timed(command as Command<unknown>)
        assert.deepStrictEqual(reply, Option.none(), command.toString())
        assert.isAtLeast(waited, 150, command.toString())
        assert.isBelow(waited, 2000, command.toString())
      }

      assert.include(yield* invalid(Redis.bzpopmin(key, -1)), "timeout must be a finite number of seconds >= 0")
      assert.include(yield* invalid(Redis.bzpopmax([], 1)), "at least one key is required")
      assert.include(yield* invalid(Redis.bzpopmax(key, Infinity)), "timeout must be a finite number")
      assert.include(yield* invalid(Redis.bzmpop(NaN, key, "MIN")), "timeout must be a finite number")
      assert.include(yield* invalid(Redis.bzmpop(1, key, "MIN", { count: 0 })), "count must be an integer >= 1")
      assert.include(yield* invalid(Redis.bzmpop(1, [], "MAX")), "at least one key is required")
      assert.deepStrictEqual(yield* Redis.zrange(key, 0, -1), ["b"])
    }).pipe(Effect.provide(layer)))

  it.live("BZPOPMAX / BZMPOP are woken by a ZADD from another fiber", () =>
    Effect.gen(function*() {
      const key = k("wake")
      const adder = yield* Effect.forkChild(
        Effect.sleep("100 millis").pipe(Effect.andThen(Redis.zadd(key, { w: Infinity, v: 7 })))
      )
      const [popped, elapsed] = yield* timed(Redis.bzpopmax([k("wake:other"), key], 3))
      assert.deepStrictEqual(popped, Option.some({ key, member: "w", score: Infinity }))
      assert.isAtLeast(elapsed, 50)
      assert.isBelow(elapsed, 2000)
      assert.strictEqual(yield* Fiber.join(adder), 2)

      const adder2 = yield* Effect.forkChild(
        Effect.sleep("100 millis").pipe(Effect.andThen(Redis.zadd(k("wake:2"), { u: -Infinity })))
      )
      const [multi] = yield* timed(Redis.bzmpop(3, [k("wake:2")], "MIN", { count: 5 }))
      assert.deepStrictEqual(multi, Option.some({ key: k("wake:2"), members: [{ member: "u", score: -Infinity }] }))
      yield* Fiber.join(adder2)
      assert.deepStrictEqual(yield* Redis.zrange(key, 0, -1), ["v"])
    }).pipe(Effect.provide(layer)))

  it.live("ZUNION / ZINTER / ZDIFF (+ WITHSCORES, + STORE) / ZINTERCARD with weights and aggregates", () =>
    Effect.gen(function*() {
      const a = k("ops:a"), b = k("ops:b"), missing = k("ops:missing")
      yield* Redis.zadd(a, { v: -Infinity, x: 1, y: 2, z: 3 })
      yield* Redis.zadd(b, { y: 10, z: -1, w: Infinity })

      // ZUNIONSTORE with weights and AGGREGATE MAX: v -inf*2, x 1*2, y max(2*2, 10*0.5), z max(3*2, -1*0.5), w inf*0.5.
      const union = k("ops:union")
      assert.strictEqual(yield* Redis.zunionstore(union, [a, b], { weights: [2, 0.5], aggregate: "MAX" }), 5)
      assert.deepStrictEqual(yield* Redis.zrangeWithScores(union, 0, -1), [
        { member: "v", score: -Infinity },
        { member: "x", score: 2 },
        { member: "y", score: 5 },
        { member: "z", score: 6 },
        { member: "w", score: Infinity }
      ])
      assert.strictEqual(yield* Redis.zunionstore(union, a), 4)
      assert.deepStrictEqual(yield* Redis.zrange(union, 0, -1), ["v", "x", "y", "z"])

      assert.deepStrictEqual(yield* Redis.zunion([a, b]), ["v", "x", "z", "y", "w"])
      assert.deepStrictEqual(yield* Redis.zunionWithScores([a, b]), [
        { member: "v", score: -Infinity },
        { member: "x", score: 1 },
        { member: "z", score: 2 },
        { member: "y", score: 12 },
        { member: "w", score: Infinity }
      ])
      assert.deepStrictEqual(yield* Redis.zunionWithScores([a, b], { aggregate: "MIN" }), [
        { member: "v", score: -Infinity },
        { member: "z", score: -1 },
        { member: "x", score: 1 },
        { member: "y", score: 2 },
        { member: "w", score: Infinity }
      ])
      assert.deepStrictEqual(yield* Redis.zunion(missing), [])

      assert.deepStrictEqual(yield* Redis.zinter([a, b]), ["z", "y"])
      assert.deepStrictEqual(yield* Redis.zinterWithScores([a, b], { aggregate: "MIN" }), [
        { member: "z", score: -1 },
        { member: "y", score: 2 }
      ])
      assert.deepStrictEqual(yield* Redis.zinterWithScores([a, b], { weights: [2, 0.5] }), [
        { member: "z", score: 5.5 },
        { member: "y", score: 9 }
      ])
      assert.deepStrictEqual(yield* Redis.zinter([a, missing]), [])
      const inter = k("ops:inter")
      assert.strictEqual(yield* Redis.zinterstore(inter, [a, b], { weights: [1, 3], aggregate: "SUM" }), 2)
      assert.deepStrictEqual(yield* Redis.zrangeWithScores(inter, 0, -1), [
        { member: "z", score: 0 },
        { member: "y", score: 32 }
      ])
      assert.strictEqual(yield* Redis.zinterstore(inter, [a, missing]), 0)
      assert.strictEqual(yield* Redis.zcard(inter), 0)

      assert.deepStrictEqual(yield* Redis.zdiff([a, b]), ["v", "x"])
      assert.deepStrictEqual(yield* Redis.zdiffWithScores([a, b]), [
        { member: "v", score: -Infinity },
        { member: "x", score: 1 }
      ])
      assert.deepStrictEqual(yield* Redis.zdiffWithScores(missing), [])
      assert.strictEqual(yield* Redis.zdiffstore(k("ops:diff"), [b, a]), 1)
      assert.deepStrictEqual(yield* Redis.zrangeWithScores(k("ops:diff"), 0, -1), [{ member: "w", score: Infinity }])

      assert.strictEqual(yield* Redis.zintercard([a, b]), 2)
      assert.strictEqual(yield* Redis.zintercard([a, b], { limit: 1 }), 1)
      assert.strictEqual(yield* Redis.zintercard([a, b], { limit: 0 }), 2)
      assert.strictEqual(yield* Redis.zintercard(a), 4)
      assert.strictEqual(yield* Redis.zintercard([a, missing]), 0)

      assert.include(yield* invalid(Redis.zunionstore(union, [a, b], { weights: [1] })), "weights must have one entry per key (2), got 1")
      assert.include(yield* invalid(Redis.zunion([a, b], { weights: [1, NaN] })), "weights[1] must be a number")
      assert.include(yield* invalid(Redis.zunionWithScores([a], { aggregate: "AVG" as "SUM" })), "aggregate must be")
      assert.include(yield* invalid(Redis.zunion([])), "at least one key is required")
      assert.include(yield* invalid(Redis.zinter([a, b], { weights: [1, 2, 3] })), "weights must have one entry per key")
      assert.include(yield* invalid(Redis.zinterWithScores([])), "at least one key is required")
      assert.include(yield* invalid(Redis.zinterstore(inter, [a], { aggregate: "max" as "MAX" })), "aggregate must be")
      assert.include(yield* invalid(Redis.zdiff([])), "at least one key is required")
      assert.include(yield* invalid(Redis.zdiffWithScores([])), "at least one key is required")
      assert.include(yield* invalid(Redis.zdiffstore(k("ops:diff"), [])), "at least one key is required")
      assert.include(yield* invalid(Redis.zintercard([a, b], { limit: -1 })), "limit must be an integer >= 0")
      assert.include(yield* invalid(Redis.zintercard([])), "at least one key is required")
      assert.deepStrictEqual(yield* Redis.zrange(union, 0, -1), ["v", "x", "y", "z"])
    }).pipe(Effect.provide(layer)))

  it.live("ZRANDMEMBER (one, count, WITHSCORES) / ZSCAN", () =>
    Effect.gen(function*() {
      const key = k("rand"), missing = k("rand:missing")
      yield* Redis.zadd(key, { a: 1, b: -Infinity, c: Infinity })
      assert.deepStrictEqual(yield* Redis.zrandmember(missing), Option.none())
      const one = yield* Redis.zrandmember(key)
      assert.isTrue(Option.isSome(one) && ["a", "b", "c"].includes(one.value))
      assert.deepStrictEqual([...(yield* Redis.zrandmemberCount(key, 5))].sort(), ["a", "b", "c"])
      const repeated = yield* Redis.zrandmemberCount(key, -4)
      assert.strictEqual(repeated.length, 4)
      for (const member of repeated) assert.include(["a", "b", "c"], member)
      assert.deepStrictEqual(yield* Redis.zrandmemberCount(missing, 3), [])
      assert.deepStrictEqual(byMember(yield* Redis.zrandmemberWithScores(key, 3)), [
        { member: "a", score: 1 },
        { member: "b", score: -Infinity },
        { member: "c", score: Infinity }
      ])
      assert.deepStrictEqual(yield* Redis.zrandmemberWithScores(key, 0), [])
      assert.deepStrictEqual(yield* Redis.zrandmemberWithScores(missing, -2), [])

      const seen: Array<{ readonly member: string; readonly score: number }> = []
      let cursor = "0"
      do {
        const page = yield* Redis.zscan(key, cursor, { count: 1 })
        seen.push(...page.items)
        cursor = page.cursor
      } while (cursor !== "0")
      assert.deepStrictEqual(byMember(seen), [
        { member: "a", score: 1 },
        { member: "b", score: -Infinity },
        { member: "c", score: Infinity }
      ])
      assert.deepStrictEqual(yield* Redis.zscan(key, 0, { match: "c*" }), { cursor: "0", items: [{ member: "c", score: Infinity }] })
      assert.deepStrictEqual(yield* Redis.zscan(missing, "0"), { cursor: "0", items: [] })

      assert.include(yield* invalid(Redis.zrandmemberCount(key, 1.5)), "count must be an integer")
      assert.include(yield* invalid(Redis.zrandmemberWithScores(key, NaN)), "count must be an integer")
      assert.include(yield* invalid(Redis.zscan(key, 0, { count: 0 })), "count must be an integer >= 1")
    }).pipe(Effect.provide(layer)))
})

describe("sorted-set command specs", () => {
  it("key positions follow the server's key specs (numkeys commands, STORE destinations, blocking pops)", () => {
    assert.deepStrictEqual(Redis.zunion(["a", "b"]).keyIndexes, [2, 3])
    assert.deepStrictEqual(Redis.zinterWithScores(["a", "b", "c"], { weights: [1, 2, 3] }).keyIndexes, [2, 3, 4])
    assert.deepStrictEqual(Redis.zdiff("a").keyIndexes, [2])
    assert.deepStrictEqual(Redis.zintercard(["a", "b"], { limit: 1 }).keyIndexes, [2, 3])
    assert.deepStrictEqual(Redis.zunionstore("d", ["a", "b"], { aggregate: "MAX" }).keyIndexes, [1, 3, 4])
    assert.deepStrictEqual(Redis.zinterstore("d", "a").keyIndexes, [1, 3])
    assert.deepStrictEqual(Redis.zdiffstore("d", ["a", "b"]).keyIndexes, [1, 3, 4])
    assert.deepStrictEqual(Redis.zmpop(["a", "b"], "MIN", { count: 2 }).keyIndexes, [2, 3])
    assert.deepStrictEqual(Redis.bzmpop(1, ["a", "b", "c"], "MAX").keyIndexes, [3, 4, 5])
    assert.deepStrictEqual(Redis.bzpopmin(["a", "b"], 1).keyIndexes, [1, 2])
    assert.deepStrictEqual(Redis.bzpopmax("a", 1).keyIndexes, [1])
    assert.deepStrictEqual(Redis.zrangestore("d", "s", 0, -1).keyIndexes, [1, 2])
    assert.deepStrictEqual(Redis.zadd("k", { a: 1 }).keyIndexes, [1])
    assert.deepStrictEqual(Redis.zunionstore("d", ["a", "b"], { weights: [1, 2] }).args, [
      "ZUNIONSTORE",
      "d",
      2,
      "a",
      "b",
      "WEIGHTS",
      1,
      2
    ])
    assert.deepStrictEqual(Redis.zadd("k", [[1, "a"]], { xx: true, gt: true, ch: true }).args, ["ZADD", "k", "XX", "GT", "CH", 1, "a"])
    assert.deepStrictEqual(Redis.zcount("k", { exclusive: Infinity }, { exclusive: -1.5 }).args, ["ZCOUNT", "k", "(+inf", "(-1.5"])
  })

  it("blocking pops report their timeout in milliseconds (0 = forever); the others do not block", () => {
    const ms = (command: Command<unknown>) => command.spec.blockingTimeout?.(command.args)
    assert.strictEqual(ms(Redis.bzpopmin(["a", "b"], 1.5)), 1500)
    assert.strictEqual(ms(Redis.bzpopmax("a", 0)), 0)
    assert.strictEqual(ms(Redis.bzmpop(0.25, ["a"], "MIN")), 250)
    assert.strictEqual(ms(Redis.bzmpop(0, "a", "MAX", { count: 3 })), 0)
    for (const command of [Redis.bzpopmin("a", 1), Redis.bzpopmax("a", 1), Redis.bzmpop(1, "a", "MIN")] as Array<Command<unknown>>) {
      assert.isTrue(hasFlag(command.spec.flags, CommandFlags.blocking | CommandFlags.write), command.name)
    }
    for (const command of [Redis.zmpop("a", "MIN"), Redis.zpopmin("a"), Redis.zrange("a", 0, -1)] as Array<Command<unknown>>) {
      assert.isUndefined(command.spec.blockingTimeout, command.name)
      assert.isFalse(hasFlag(command.spec.flags, CommandFlags.blocking), command.name)
    }
    assert.isTrue(hasFlag(Redis.zrange("a", 0, -1).spec.flags, CommandFlags.readonly))
    assert.isTrue(hasFlag(Redis.zadd("a", { m: 1 }).spec.flags, CommandFlags.write | CommandFlags.replaySafe))
    assert.isFalse(hasFlag(Redis.zaddIncr("a", 1, "m").spec.flags, CommandFlags.replaySafe))
    assert.isFalse(hasFlag(Redis.zincrby("a", 1, "m").spec.flags, CommandFlags.replaySafe))
  })
})
