/**
 * The list commands (LPUSH ... BLMPOP) against the shared cluster and the standalone server, under RESP2 and RESP3,
 * with the same assertions: exact replies, nil replies as `Option.none()`, invalid options refused before sending,
 * and the blocking commands returning at once, timing out, or woken by a push from another client.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis } from "@effect-redis/client"
import { CommandFlags, hasFlag } from "@effect-redis/client/Command"
import { Effect, Fiber, Option } from "effect"
import { invalid, timed } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("lists")

describe.each(targets)("lists on $name", ({ name, layer }) => {
  const k = keysOf(prefix, name)

  it.live("LPUSH / RPUSH / LPUSHX / RPUSHX / LRANGE / LLEN / LINDEX", () =>
    Effect.gen(function*() {
      const key = k("push")
      assert.strictEqual(yield* Redis.lpushx(key, "x"), 0)
      assert.strictEqual(yield* Redis.rpushx(key, ["x", "y"]), 0)
      assert.strictEqual(yield* Redis.llen(key), 0)
      assert.deepStrictEqual(yield* Redis.lrange(key, 0, -1), [])
      assert.deepStrictEqual(yield* Redis.lindex(key, 0), Option.none())

      assert.strictEqual(yield* Redis.rpush(key, "c"), 1)
      assert.strictEqual(yield* Redis.rpush(key, ["d", 42]), 3)
      assert.strictEqual(yield* Redis.lpush(key, "b"), 4)
      assert.strictEqual(yield* Redis.lpush(key, ["a", "z"]), 6) // each pushed to the head in turn: z first
      assert.strictEqual(yield* Redis.lpushx(key, ["y"]), 7)
      assert.strictEqual(yield* Redis.rpushx(key, new TextEncoder().encode("é")), 8)
      assert.deepStrictEqual(yield* Redis.lrange(key, 0, -1), ["y", "z", "a", "b", "c", "d", "42", "é"])
      assert.deepStrictEqual(yield* Redis.lrange(key, 1, 2), ["z", "a"])
      assert.deepStrictEqual(yield* Redis.lrange(key, -2, 100), ["42", "é"])
      assert.deepStrictEqual(yield* Redis.lrange(key, 5, 2), [])
      assert.strictEqual(yield* Redis.llen(key), 8)
      assert.deepStrictEqual(yield* Redis.lindex(key, 0), Option.some("y"))
      assert.deepStrictEqual(yield* Redis.lindex(key, -1), Option.some("é"))
      assert.deepStrictEqual(yield* Redis.lindex(key, 8), Option.none())

      for (const command of [Redis.lpush(key, []), Redis.rpush(key, []), Redis.lpushx(key, []), Redis.rpushx(key, [])]) {
        assert.include(yield* invalid(command), "values must not be empty")
      }
      assert.strictEqual(yield* Redis.llen(key), 8)
      // A wrong type is the server's error, not a decoding failure.
      yield* Redis.set(k("push:string"), "s")
      assert.strictEqual((yield* Effect.flip(Redis.lpush(k("push:string"), "x")))._tag, "ReplyError")
    }).pipe(Effect.provide(layer)))

  it.live("LPOP / RPOP and LPOP / RPOP with a count", () =>
    Effect.gen(function*() {
      const key = k("pop")
      assert.deepStrictEqual(yield* Redis.lpop(key), Option.none())
      assert.deepStrictEqual(yield* Redis.rpop(key), Option.none())
      assert.deepStrictEqual(yield* Redis.lpopCount(key, 2), Option.none())
      assert.deepStrictEqual(yield* Redis.rpopCount(key, 0), Option.none())

      yield* Redis.rpush(key, ["a", "b", "c", "d", "e", "f"])
      assert.deepStrictEqual(yield* Redis.lpop(key), Option.some("a"))
      assert.deepStrictEqual(yield* Redis.rpop(key), Option.some("f"))
      assert.deepStrictEqual(yield* Redis.lpopCount(key, 0), Option.some([]))
      assert.deepStrictEqual(yield* Redis.lpopCount(key, 2), Option.some(["b", "c"]))
      assert.deepStrictEqual(yield* Redis.rpopCount(key, 1), Option.some(["e"]))
      yield* Redis.rpush(key, ["x", "y"])
      assert.deepStrictEqual(yield* Redis.rpopCount(key, 10), Option.some(["y", "x", "d"]))
      // The last pop deleted the key.
      assert.deepStrictEqual(yield* Redis.lpopCount(key, 1), Option.none())
      assert.deepStrictEqual(yield* Redis.lpop(key), Option.none())

      assert.include(yield* invalid(Redis.lpopCount(key, -1)), "count must be an integer >= 0")
      assert.include(yield* invalid(Redis.rpopCount(key, 1.5)), "count must be an integer >= 0")
    }).pipe(Effect.provide(layer)))

  it.live("LINSERT / LSET / LREM / LTRIM", () =>
    Effect.gen(function*() {
      const key = k("edit")
      assert.strictEqual(yield* Redis.linsert(key, "BEFORE", "a", "x"), 0) // key missing
      yield* Redis.rpush(key, ["a", "b", "a"])
      assert.strictEqual(yield* Redis.linsert(key, "BEFORE", "a", "s"), 4)
      assert.strictEqual(yield* Redis.linsert(key, "AFTER", "b", "t"), 5)
      assert.strictEqual(yield* Redis.linsert(key, "AFTER", "nope", "u"), -1) // pivot missing
      assert.deepStrictEqual(yield* Redis.lrange(key, 0, -1), ["s", "a", "b", "t", "a"])
      assert.include(yield* invalid(Redis.linsert(key, "after" as "AFTER", "a", "u")), "where must be")

      assert.isUndefined(yield* Redis.lset(key, -1, "z"))
      assert.isUndefined(yield* Redis.lset(key, 0, 7))
      assert.deepStrictEqual(yield* Redis.lrange(key, 0, -1), ["7", "a", "b", "t", "z"])
      assert.strictEqual((yield* Effect.flip(Redis.lset(key, 99, "x")))._tag, "ReplyError")
      assert.strictEqual((yield* Effect.flip(Redis.lset(k("edit:missing"), 0, "x")))._tag, "ReplyError")

      yield* Redis.rpush(key, ["a", "b", "a", "a"]) // 7 a b t z a b a a
      assert.strictEqual(yield* Redis.lrem(key, 2, "a"), 2) // from the head
      assert.deepStrictEqual(yield* Redis.lrange(key, 0, -1), ["7", "b", "t", "z", "b", "a", "a"])
      assert.strictEqual(yield* Redis.lrem(key, -1, "a"), 1) // from the tail
      assert.deepStrictEqual(yield* Redis.lrange(key, 0, -1), ["7", "b", "t", "z", "b", "a"])
      assert.strictEqual(yield* Redis.lrem(key, 0, "b"), 2) // all
      assert.strictEqual(yield* Redis.lrem(key, 0, "nope"), 0)
      assert.strictEqual(yield* Redis.lrem(k("edit:missing"), 0, "a"), 0)
      assert.deepStrictEqual(yield* Redis.lrange(key, 0, -1), ["7", "t", "z", "a"])

      assert.isUndefined(yield* Redis.ltrim(key, 1, -2))
      assert.deepStrictEqual(yield* Redis.lrange(key, 0, -1), ["t", "z"])
      assert.isUndefined(yield* Redis.ltrim(key, 5, 10)) // empty range: the key is removed
      assert.strictEqual(yield* Redis.llen(key), 0)
      assert.isUndefined(yield* Redis.ltrim(k("edit:missing"), 0, 1))
    }).pipe(Effect.provide(layer)))

  it.live("LPOS and LPOS COUNT", () =>
    Effect.gen(function*() {
      const key = k("pos")
      assert.deepStrictEqual(yield* Redis.lpos(key, "a"), Option.none())
      assert.deepStrictEqual(yield* Redis.lposCount(key, "a"), [])
      yield* Redis.rpush(key, ["a", "b", "c", "a", "b", "c", "a"])
      assert.deepStrictEqual(yield* Redis.lpos(key, "a"), Option.some(0))
      assert.deepStrictEqual(yield* Redis.lpos(key, "c"), Option.some(2))
      assert.deepStrictEqual(yield* Redis.lpos(key, "nope"), Option.none())
      assert.deepStrictEqual(yield* Redis.lpos(key, "a", { rank: 2 }), Option.some(3))
      assert.deepStrictEqual(yield* Redis.lpos(key, "a", { rank: -1 }), Option.some(6))
      assert.deepStrictEqual(yield* Redis.lpos(key, "a", { rank: 4 }), Option.none())
      assert.deepStrictEqual(yield* Redis.lpos(key, "c", { maxlen: 2 }), Option.none())
      assert.deepStrictEqual(yield* Redis.lpos(key, "c", { maxlen: 3 }), Option.some(2))
      assert.deepStrictEqual(yield* Redis.lpos(key, "b", { rank: -1, maxlen: 3 }), Option.some(4))
      assert.deepStrictEqual(yield* Redis.lpos(key, "c", { maxlen: 0 }), Option.some(2))

      assert.deepStrictEqual(yield* Redis.lposCount(key, "a"), [0, 3, 6])
      assert.deepStrictEqual(yield* Redis.lposCount(key, "a", { count: 0 }), [0, 3, 6])
      assert.deepStrictEqual(yield* Redis.lposCount(key, "a", { count: 2 }), [0, 3])
      assert.deepStrictEqual(yield* Redis.lposCount(key, "a", { count: 2, rank: -1 }), [6, 3])
      assert.deepStrictEqual(yield* Redis.lposCount(key, "a", { rank: 2, maxlen: 5 }), [3])
      assert.deepStrictEqual(yield* Redis.lposCount(key, "nope", { count: 3 }), [])

      assert.include(yield* invalid(Redis.lpos(key, "a", { rank: 0 })), "rank must not be 0")
      assert.include(yield* invalid(Redis.lpos(key, "a", { rank: 1.5 })), "rank must be an integer")
      assert.include(yield* invalid(Redis.lpos(key, "a", { maxlen: -1 })), "maxlen must be an integer >= 0")
      assert.include(yield* invalid(Redis.lposCount(key, "a", { count: -1 })), "count must be an integer >= 0")
      assert.include(yield* invalid(Redis.lposCount(key, "a", { rank: 0 })), "rank must not be 0")
    }).pipe(Effect.provide(layer)))

  it.live("LMOVE / RPOPLPUSH", () =>
    Effect.gen(function*() {
      const [src, dst] = [k("move:src"), k("move:dst")]
      assert.deepStrictEqual(yield* Redis.lmove(src, dst, "LEFT", "RIGHT"), Option.none())
      assert.deepStrictEqual(yield* Redis.rpoplpush(src, dst), Option.none())
      assert.strictEqual(yield* Redis.llen(dst), 0)
      yield* Redis.rpush(src, ["a", "b", "c"])
      assert.deepStrictEqual(yield* Redis.lmove(src, dst, "LEFT", "RIGHT"), Option.some("a"))
      assert.deepStrictEqual(yield* Redis.lmove(src, dst, "RIGHT", "LEFT"), Option.some("c"))
      assert.deepStrictEqual(yield* Redis.rpoplpush(src, dst), Option.some("b"))
      assert.deepStrictEqual(yield* Redis.lrange(dst, 0, -1), ["b", "c", "a"])
      assert.deepStrictEqual(yield* Redis.lmove(dst, dst, "LEFT", "RIGHT"), Option.some("b")) // rotation
      assert.deepStrictEqual(yield* Redis.rpoplpush(dst, dst), Option.some("b"))
      assert.deepStrictEqual(yield* Redis.lrange(dst, 0, -1), ["b", "c", "a"])
      assert.include(yield* invalid(Redis.lmove(src, dst, "left" as "LEFT", "RIGHT")), "whereFrom must be")
      assert.include(yield* invalid(Redis.lmove(src, dst, "LEFT", "UP" as "RIGHT")), "whereTo must be")
    }).pipe(Effect.provide(layer)))

  it.live("LMPOP", () =>
    Effect.gen(function*() {
      const [a, b, missing] = [k("mpop:a"), k("mpop:b"), k("mpop:missing")]
      assert.deepStrictEqual(yield* Redis.lmpop([a, missing], "LEFT"), Option.none())
      assert.deepStrictEqual(yield* Redis.lmpop(a, "RIGHT", { count: 3 }), Option.none())
      yield* Redis.rpush(b, ["1", "2", "3", "4"])
      assert.deepStrictEqual(yield* Redis.lmpop([missing, b, a], "LEFT"), Option.some({ key: b, elements: ["1"] }))
      assert.deepStrictEqual(yield* Redis.lmpop(b, "RIGHT", { count: 2 }), Option.some({ key: b, elements: ["4", "3"] }))
      yield* Redis.rpush(a, "x")
      assert.deepStrictEqual(yield* Redis.lmpop([a, b], "LEFT", { count: 10 }), Option.some({ key: a, elements: ["x"] }))
      assert.deepStrictEqual(yield* Redis.lmpop([a, b], "LEFT", { count: 10 }), Option.some({ key: b, elements: ["2"] }))
      assert.deepStrictEqual(yield* Redis.lmpop([a, b], "LEFT", { count: 10 }), Option.none())

      assert.include(yield* invalid(Redis.lmpop([], "LEFT")), "at least one key")
      assert.include(yield* invalid(Redis.lmpop(a, "LEFT", { count: 0 })), "count must be an integer >= 1")
      assert.include(yield* invalid(Redis.lmpop(a, "TOP" as "LEFT")), "direction must be")
    }).pipe(Effect.provide(layer)))

  it.live("blocking commands return at once when data is present", () =>
    Effect.gen(function*() {
      const [a, b, dst] = [k("block:a"), k("block:b"), k("block:dst")]
      yield* Redis.rpush(b, ["1", "2", "3", "4", "5", "6", "7"])
      const [popped, elapsed] = yield* timed(Effect.all([
        Redis.blpop([a, b], 0), // 0 = forever: only fine because data is there
        Redis.brpop([a, b], 5),
        Redis.blmove(b, dst, "LEFT", "RIGHT", 5),
        Redis.brpoplpush(b, dst, 5),
        Redis.blmpop(5, [a, b], "RIGHT", { count: 2 }),
        Redis.blmpop(0.5, b, "LEFT")
      ]))
      assert.deepStrictEqual(popped, [
        Option.some({ key: b, element: "1" }),
        Option.some({ key: b, element: "7" }),
        Option.some("2"),
        Option.some("6"),
        Option.some({ key: b, elements: ["5", "4"] }),
        Option.some({ key: b, elements: ["3"] })
      ])
      assert.isBelow(elapsed, 400)
      assert.deepStrictEqual(yield* Redis.lrange(dst, 0, -1), ["6", "2"])
      assert.strictEqual(yield* Redis.llen(b), 0)
    }).pipe(Effect.provide(layer)))

  it.live("blocking commands on empty lists time out with Option.none() after their timeout", () =>
    Effect.gen(function*() {
      const [a, b, dst] = [k("timeout:a"), k("timeout:b"), k("timeout:dst")]
      const commands = [
        Redis.blpop([a, b], 0.1),
        Redis.brpop(a, 0.1),
        Redis.blmove(a, dst, "RIGHT", "LEFT", 0.1),
        Redis.brpoplpush(a, dst, 0.1),
        Redis.blmpop(0.1, [a, b], "LEFT", { count: 2 })
      ] as const
      for (const command of commands) {
        const [reply, elapsed] = yield* timed(command as Command<unknown>)
        assert.deepStrictEqual(reply, Option.none(), command.toString())
        assert.isAtLeast(elapsed, 90, command.toString())
        assert.isBelow(elapsed, 1000, command.toString())
      }
      assert.strictEqual(yield* Redis.llen(dst), 0)

      for (const command of [
        Redis.blpop(a, -1),
        Redis.brpop([a], Number.NaN),
        Redis.blmove(a, dst, "LEFT", "LEFT", Infinity),
        Redis.brpoplpush(a, dst, -0.5),
        Redis.blmpop(-1, a, "LEFT")
      ]) {
        assert.include(yield* invalid(command as Command<unknown>), "timeout must be a finite number of seconds >= 0")
      }
      assert.include(yield* invalid(Redis.blpop([], 1)), "at least one key")
      assert.include(yield* invalid(Redis.brpop([], 1)), "at least one key")
      assert.include(yield* invalid(Redis.blmpop(1, [], "LEFT")), "at least one key")
      assert.include(yield* invalid(Redis.blmpop(1, a, "LEFT", { count: 0 })), "count must be an integer >= 1")
      assert.include(yield* invalid(Redis.blmove(a, dst, "UP" as "LEFT", "LEFT", 1)), "whereFrom must be")
    }).pipe(Effect.provide(layer)))

  it.live("BLPOP on an empty list is woken by an LPUSH from another client", () =>
    Effect.gen(function*() {
      const key = k("wake")
      // The push runs on its own client (a fresh layer) so the test does not depend on how this client shares
      // connections between a blocked command and others.
      const pusher = yield* Effect.forkChild(
        Effect.sleep("100 millis").pipe(
          Effect.andThen(Redis.lpush(key, "hello")),
          Effect.provide(layer, { local: true })
        )
      )
      const [popped, elapsed] = yield* timed(Redis.blpop([k("wake:other"), key], 2))
      assert.deepStrictEqual(popped, Option.some({ key, element: "hello" }))
      assert.isAtLeast(elapsed, 50)
      assert.isBelow(elapsed, 1500)
      assert.strictEqual(yield* Fiber.join(pusher), 1)
      assert.strictEqual(yield* Redis.llen(key), 0)
    }).pipe(Effect.provide(layer)))
})

describe("list command specs", () => {
  it("blocking commands report their timeout in milliseconds from the arguments (0 = forever)", () => {
    const ms = (command: Command<unknown>) => command.spec.blockingTimeout?.(command.args)
    assert.strictEqual(ms(Redis.blpop(["a", "b"], 1.5)), 1500)
    assert.strictEqual(ms(Redis.brpop("a", 0)), 0)
    assert.strictEqual(ms(Redis.blmove("a", "b", "LEFT", "RIGHT", 0.1)), 100)
    assert.strictEqual(ms(Redis.brpoplpush("a", "b", 2)), 2000)
    assert.strictEqual(ms(Redis.blmpop(0.25, ["a", "b"], "LEFT", { count: 3 })), 250)
    assert.strictEqual(ms(Redis.blmpop(1e-7, "a", "LEFT")), 1) // rounded up like the server: never "forever"
    for (const command of [Redis.blpop("a", 1), Redis.brpop("a", 1), Redis.blmove("a", "b", "LEFT", "LEFT", 1),
      Redis.brpoplpush("a", "b", 1), Redis.blmpop(1, "a", "LEFT")]) {
      assert.isTrue(hasFlag(command.spec.flags, CommandFlags.blocking | CommandFlags.write), command.name)
    }
    for (const command of [Redis.lpop("a"), Redis.lmpop("a", "LEFT"), Redis.lmove("a", "b", "LEFT", "LEFT"), Redis.lpush("a", "x")]) {
      assert.isUndefined(command.spec.blockingTimeout, command.name)
      assert.isFalse(hasFlag(command.spec.flags, CommandFlags.blocking), command.name)
    }
  })

  it("key positions follow the server's key specs", () => {
    assert.deepStrictEqual(Redis.blpop(["a", "b", "c"], 1).keyIndexes, [1, 2, 3])
    assert.deepStrictEqual(Redis.brpop("a", 1).keyIndexes, [1])
    assert.deepStrictEqual(Redis.lmpop(["a", "b"], "LEFT", { count: 2 }).keyIndexes, [2, 3])
    assert.deepStrictEqual(Redis.blmpop(1, ["a", "b", "c"], "RIGHT").keyIndexes, [3, 4, 5])
    assert.deepStrictEqual(Redis.blmove("a", "b", "LEFT", "LEFT", 1).keyIndexes, [1, 2])
    assert.deepStrictEqual(Redis.brpoplpush("a", "b", 1).keyIndexes, [1, 2])
    assert.deepStrictEqual(Redis.lmove("a", "b", "LEFT", "LEFT").keyIndexes, [1, 2])
    assert.deepStrictEqual(Redis.rpoplpush("a", "b").keyIndexes, [1, 2])
    assert.deepStrictEqual(Redis.lpos("a", "x", { rank: 1 }).keyIndexes, [1])
  })

  it("read-only commands are flagged readonly; only LSET and LREM of every occurrence are replay-safe", () => {
    for (const command of [Redis.lindex("a", 0), Redis.llen("a"), Redis.lpos("a", "x"), Redis.lposCount("a", "x"), Redis.lrange("a", 0, 1)]) {
      assert.isTrue(hasFlag(command.spec.flags, CommandFlags.readonly), command.name)
      assert.isFalse(hasFlag(command.spec.flags, CommandFlags.write), command.name)
    }
    assert.isTrue(hasFlag(Redis.lset("a", 0, "x").spec.flags, CommandFlags.write | CommandFlags.replaySafe))
    assert.isTrue(hasFlag(Redis.lrem("a", 0, "x").spec.flags, CommandFlags.write | CommandFlags.replaySafe))
    assert.isFalse(hasFlag(Redis.lrem("a", 1, "x").spec.flags, CommandFlags.replaySafe))
    assert.isFalse(hasFlag(Redis.lpush("a", "x").spec.flags, CommandFlags.replaySafe))
    assert.isFalse(hasFlag(Redis.ltrim("a", 0, 1).spec.flags, CommandFlags.replaySafe))
  })
})
