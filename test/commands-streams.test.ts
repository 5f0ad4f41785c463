/**
 * The stream commands (XADD ... XTRIM) against the shared cluster and the standalone server, under RESP2 and RESP3,
 * with the same assertions: exact replies (XINFO maps under RESP3 and flat arrays under RESP2 decode to the same
 * value), nil replies as `Option.none()`, a full consumer-group lifecycle, invalid options refused before sending,
 * and XREAD BLOCK timing out or woken by an XADD from another client.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis, type RedisError } from "@effect-redis/client"
import { CommandFlags, hasFlag } from "@effect-redis/client/Command"
import { Effect, Fiber, Option } from "effect"
import { invalid, timed } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("streams")

/** Runs a command that the server must refuse; returns the reply error's message. */
const replyError = <A>(command: Command<A>) =>
  Effect.gen(function*() {
    const error: RedisError = yield* Effect.flip(command)
    assert.strictEqual(error._tag, "ReplyError", `${command.toString()} should fail with a reply error`)
    return error.message
  })

/** A stream entry as the builders decode it. */
const entry = (id: string, ...fields: ReadonlyArray<readonly [string, string]>) => ({ id, fields })

/** Asserts that a Unix time in ms is "now" (the server and the tests share one clock). */
const assertNow = (ms: number, label: string) => assert.isBelow(Math.abs(ms - Date.now()), 60_000, label)

describe.each(targets)("streams on $name", ({ name, layer }) => {
  const k = keysOf(prefix, name)

  it.live("XADD / XLEN / XRANGE / XREVRANGE / XDEL / XTRIM", () =>
    Effect.gen(function*() {
      const key = k("basic")
      assert.strictEqual(yield* Redis.xlen(key), 0)
      assert.deepStrictEqual(yield* Redis.xrange(key, "-", "+"), [])
      assert.deepStrictEqual(yield* Redis.xadd(key, { a: "1" }, { nomkstream: true }), Option.none())
      assert.strictEqual(yield* Redis.exists(key), 0)
      // Order and duplicate field names are kept.
      assert.strictEqual(yield* Redis.xadd(key, [["a", "1"], ["b", "2"], ["a", "3"]], { id: "1-1" }), "1-1")
      assert.strictEqual(yield* Redis.xadd(key, new Map([["c", 4]]), { id: "2-0" }), "2-0")
      assert.deepStrictEqual(yield* Redis.xadd(key, { d: "5" }, { id: "3-0", nomkstream: true }), Option.some("3-0"))
      assert.strictEqual(yield* Redis.xadd(key, { e: "6" }, { id: "3-*" }), "3-1")
      const generated = yield* Redis.xadd(key, { f: "7" })
      assert.match(generated, /^\d+-\d+$/)
      assert.strictEqual(yield* Redis.xlen(key), 5)
      assert.include(yield* replyError(Redis.xadd(key, { g: "8" }, { id: "3-0" })), "equal or smaller")

      const all: ReadonlyArray<Redis.StreamEntry> = [
        entry("1-1", ["a", "1"], ["b", "2"], ["a", "3"]),
        entry("2-0", ["c", "4"]),
        entry("3-0", ["d", "5"]),
        entry("3-1", ["e", "6"]),
        entry(generated, ["f", "7"])
      ]
      assert.deepStrictEqual(yield* Redis.xrange(key, "-", "+"), all)
      assert.deepStrictEqual(yield* Redis.xrange(key, "-", "+", { count: 2 }), all.slice(0, 2))
      assert.deepStrictEqual(yield* Redis.xrange(key, "(1-1", "3-0"), all.slice(1, 3))
      assert.deepStrictEqual(yield* Redis.xrange(key, "-", "+", { count: 0 }), []) // nil from the server
      assert.deepStrictEqual(yield* Redis.xrange(key, "4", "5"), [])
      assert.deepStrictEqual(yield* Redis.xrevrange(key, "+", "-", { count: 2 }), [all[4]!, all[3]!])
      assert.deepStrictEqual(yield* Redis.xrevrange(key, "3-0", "2-0"), [all[2]!, all[1]!])
      assert.deepStrictEqual(yield* Redis.xrevrange(k("missing"), "+", "-"), [])

      assert.strictEqual(yield* Redis.xdel(key, ["2-0", "9-9"]), 1)
      assert.strictEqual(yield* Redis.xdel(key, "2-0"), 0)
      assert.strictEqual(yield* Redis.xtrim(key, { strategy: "MAXLEN", threshold: 3 }), 1)
      assert.deepStrictEqual(yield* Redis.xrange(key, "-", "+"), all.slice(2))
      assert.strictEqual(yield* Redis.xtrim(key, { strategy: "MINID", threshold: "3-1" }), 1)
      assert.strictEqual(yield* Redis.xtrim(key, { strategy: "MINID", threshold: 3 }), 0)
      assert.deepStrictEqual(yield* Redis.xrange(key, "-", "+"), all.slice(3))
      // XADD with trimming: exact MAXLEN 1 leaves only the new entry.
      const last = yield* Redis.xadd(key, { h: "9" }, { trim: { strategy: "MAXLEN", threshold: 1 } })
      assert.deepStrictEqual(yield* Redis.xrange(key, "-", "+"), [entry(last, ["h", "9"])])
      // Approximate trimming with a LIMIT is accepted (it evicts whole nodes only: nothing to evict here).
      assert.strictEqual(yield* Redis.xtrim(key, { strategy: "MAXLEN", threshold: 1, approximate: true, limit: 100 }), 0)
      assert.strictEqual(yield* Redis.xtrim(k("missing"), { strategy: "MAXLEN", threshold: 0 }), 0)
    }).pipe(Effect.provide(layer)))

  it.live("XINFO STREAM / XINFO STREAM FULL / XSETID", () =>
    Effect.gen(function*() {
      const key = k("info")
      yield* Redis.xadd(key, { a: "1" }, { id: "1-0" })
      yield* Redis.xadd(key, { b: "2" }, { id: "2-0" })
      yield* Redis.xadd(key, { c: "3" }, { id: "3-0" })
      assert.strictEqual(yield* Redis.xdel(key, "2-0"), 1)
      // What both forms of XINFO STREAM report.
      const state = {
        length: 2,
        radixTreeKeys: 1,
        radixTreeNodes: 2,
        lastGeneratedId: "3-0",
        maxDeletedEntryId: "2-0",
        entriesAdded: 3,
        recordedFirstEntryId: "1-0"
      }
      assert.deepStrictEqual(yield* Redis.xinfoStream(key), {
        ...state,
        groups: 0,
        firstEntry: Option.some(entry("1-0", ["a", "1"])),
        lastEntry: Option.some(entry("3-0", ["c", "3"]))
      })
      assert.deepStrictEqual(yield* Redis.xinfoStreamFull(key, { count: 1 }), {
        ...state,
        entries: [entry("1-0", ["a", "1"])],
        groups: []
      })
      assert.strictEqual(yield* Redis.xsetid(key, "10-0", { entriesAdded: 7, maxDeletedId: "5-0" }), undefined)
      assert.strictEqual(yield* Redis.xsetid(key, "10-0"), undefined)
      assert.include(yield* replyError(Redis.xsetid(key, "2-0")), "smaller")
      assert.include(yield* replyError(Redis.xadd(key, { d: "4" }, { id: "9-0" })), "equal or smaller")
      assert.strictEqual(yield* Redis.xtrim(key, { strategy: "MAXLEN", threshold: 0 }), 2)
      const empty = {
        length: 0,
        radixTreeKeys: 0,
        radixTreeNodes: 1,
        lastGeneratedId: "10-0",
        maxDeletedEntryId: "5-0",
        entriesAdded: 7,
        recordedFirstEntryId: "0-0"
      }
      assert.deepStrictEqual(yield* Redis.xinfoStream(key), {
        ...empty,
        groups: 0,
        firstEntry: Option.none(),
        lastEntry: Option.none()
      })
      assert.deepStrictEqual(yield* Redis.xinfoStreamFull(key), { ...empty, entries: [], groups: [] })
      assert.include(yield* replyError(Redis.xinfoStream(k("missing"))), "no such key")
      assert.include(yield* replyError(Redis.xsetid(k("missing"), "1-0")), "no such key")
    }).pipe(Effect.provide(layer)))

  it.live("a consumer group's lifecycle: create, read, pending, claim, autoclaim, ack, info, destroy", () =>
    Effect.gen(function*() {
      const key = k("group")
      assert.include(yield* replyError(Redis.xgroupCreate(key, "g", "$")), "requires the key to exist")
      assert.strictEqual(yield* Redis.xgroupCreate(key, "g", "$", { mkstream: true }), undefined)
      assert.include(yield* replyError(Redis.xgroupCreate(key, "g", "$")), "BUSYGROUP")
      const fresh = { name: "g", consumers: 0, pending: 0, lastDeliveredId: "0-0", entriesRead: Option.none() }
      assert.deepStrictEqual(yield* Redis.xinfoGroups(key), [{ ...fresh, lag: Option.some(0) }])
      yield* Redis.xadd(key, { a: "1" }, { id: "1-0" })
      yield* Redis.xadd(key, { b: "2" }, { id: "2-0" })
      yield* Redis.xadd(key, { c: "3" }, { id: "3-0" })
      assert.deepStrictEqual(yield* Redis.xinfoGroups(key), [{ ...fresh, lag: Option.some(3) }])
      assert.deepStrictEqual(yield* Redis.xpending(key, "g"), {
        count: 0,
        smallestId: Option.none(),
        greatestId: Option.none(),
        consumers: []
      })
      const [e1, e2, e3] = [entry("1-0", ["a", "1"]), entry("2-0", ["b", "2"]), entry("3-0", ["c", "3"])]

      // XGROUP CREATECONSUMER, XREADGROUP
      assert.isTrue(yield* Redis.xgroupCreateconsumer(key, "g", "c0"))
      assert.isFalse(yield* Redis.xgroupCreateconsumer(key, "g", "c0"))
      assert.deepStrictEqual(
        yield* Redis.xreadgroup("g", "c1", { [key]: ">" }, { count: 2 }),
        Option.some([{ key, entries: [e1, e2] }])
      )
      assert.deepStrictEqual(yield* Redis.xinfoGroups(key), [{
        name: "g",
        consumers: 2,
        pending: 2,
        lastDeliveredId: "2-0",
        entriesRead: Option.some(2),
        lag: Option.some(1)
      }])
      assert.deepStrictEqual(yield* Redis.xreadgroup("g", "c1", [[key, ">"]]), Option.some([{ key, entries: [e3] }]))
      assert.deepStrictEqual(yield* Redis.xreadgroup("g", "c1", [[key, ">"]]), Option.none())

      // XPENDING, both forms
      assert.deepStrictEqual(yield* Redis.xpending(key, "g"), {
        count: 3,
        smallestId: Option.some("1-0"),
        greatestId: Option.some("3-0"),
        consumers: [{ name: "c1", pending: 3 }]
      })
      const pending = yield* Redis.xpendingRange(key, "g", { count: 10 })
      assert.deepStrictEqual(pending.map(({ consumer, deliveries, id }) => ({ id, consumer, deliveries })), [
        { id: "1-0", consumer: "c1", deliveries: 1 },
        { id: "2-0", consumer: "c1", deliveries: 1 },
        { id: "3-0", consumer: "c1", deliveries: 1 }
      ])
      for (const p of pending) assert.isTrue(p.idleMs >= 0 && p.idleMs < 10_000, `idle ${p.idleMs}`)
      assert.deepStrictEqual(
        (yield* Redis.xpendingRange(key, "g", { start: "(1-0", end: "+", count: 1, consumer: "c1" })).map((p) => p.id),
        ["2-0"]
      )
      assert.deepStrictEqual(yield* Redis.xpendingRange(key, "g", { count: 10, consumer: "c2" }), [])
      assert.deepStrictEqual(yield* Redis.xpendingRange(key, "g", { count: 10, idle: 600_000 }), [])

      // XCLAIM / XCLAIM JUSTID
      assert.deepStrictEqual(yield* Redis.xclaim(key, "g", "c2", 600_000, "1-0"), []) // not idle long enough
      assert.deepStrictEqual(yield* Redis.xclaim(key, "g", "c2", 0, ["1-0"]), [e1])
      assert.deepStrictEqual(
        yield* Redis.xclaimJustId(key, "g", "c2", 0, ["2-0", "9-9"], { idle: 5_000, retryCount: 5 }),
        ["2-0"]
      )
      const idle = yield* Redis.xpendingRange(key, "g", { idle: 4_000, count: 10 })
      assert.deepStrictEqual(idle.map(({ consumer, deliveries, id }) => ({ id, consumer, deliveries })), [
        { id: "2-0", consumer: "c2", deliveries: 5 }
      ])
      assert.isAtLeast(idle[0]!.idleMs, 5_000)
      assert.deepStrictEqual(
        (yield* Redis.xpendingRange(key, "g", { count: 10, consumer: "c2" })).map((p) => [p.id, p.deliveries]),
        [["1-0", 2], ["2-0", 5]]
      )

      // A pending entry deleted from the stream: empty fields in the consumer's history, then autoclaim drops it.
      assert.strictEqual(yield* Redis.xdel(key, "3-0"), 1)
      assert.deepStrictEqual(yield* Redis.xreadgroup("g", "c1", { [key]: "0" }), Option.some([{ key, entries: [entry("3-0")] }]))
      assert.deepStrictEqual(yield* Redis.xautoclaim(key, "g", "c3", 0, "0-0", { count: 10 }), {
        nextId: "0-0",
        entries: [e1, e2],
        deletedIds: ["3-0"]
      })
      assert.deepStrictEqual(yield* Redis.xautoclaimJustId(key, "g", "c4", 0, "0-0", { count: 1 }), {
        nextId: "2-0",
        ids: ["1-0"],
        deletedIds: []
      })
      assert.deepStrictEqual(yield* Redis.xautoclaim(key, "g", "c4", 600_000, "0-0"), { nextId: "0-0", entries: [], deletedIds: [] })

      // XINFO CONSUMERS / GROUPS / STREAM FULL
      const consumers = yield* Redis.xinfoConsumers(key, "g")
      assert.deepStrictEqual(consumers.map(({ name, pending }) => ({ name, pending })), [
        { name: "c0", pending: 0 },
        { name: "c1", pending: 0 },
        { name: "c2", pending: 0 },
        { name: "c3", pending: 1 },
        { name: "c4", pending: 1 }
      ])
      for (const c of consumers) assert.isTrue(c.idleMs >= 0 && c.idleMs < 60_000, `idle ${c.idleMs}`)
      assert.deepStrictEqual(yield* Redis.xinfoGroups(key), [{
        name: "g",
        consumers: 5,
        pending: 2,
        lastDeliveredId: "3-0",
        entriesRead: Option.some(3),
        lag: Option.some(0)
      }])
      const full = yield* Redis.xinfoStreamFull(key, { count: 0 })
      assert.deepStrictEqual(full.entries, [e1, e2])
      assert.strictEqual(full.length, 2)
      assert.strictEqual(full.groups.length, 1)
      const group = full.groups[0]!
      assert.deepStrictEqual(
        { name: group.name, lastDeliveredId: group.lastDeliveredId, entriesRead: group.entriesRead, lag: group.lag, pelCount: group.pelCount },
        { name: "g", lastDeliveredId: "3-0", entriesRead: Option.some(3), lag: Option.some(0), pelCount: 2 }
      )
      assert.deepStrictEqual(group.pending.map(({ consumer, deliveries, id }) => ({ id, consumer, deliveries })), [
        { id: "1-0", consumer: "c4", deliveries: 3 },
        { id: "2-0", consumer: "c3", deliveries: 6 }
      ])
      for (const p of group.pending) assertNow(p.deliveryTime, "delivery time")
      assert.deepStrictEqual(
        group.consumers.map(({ name, pelCount, pending }) => ({ name, pelCount, pending: pending.map((p) => [p.id, p.deliveries]) })),
        [
          { name: "c0", pelCount: 0, pending: [] },
          { name: "c1", pelCount: 0, pending: [] },
          { name: "c2", pelCount: 0, pending: [] },
          { name: "c3", pelCount: 1, pending: [["2-0", 6]] },
          { name: "c4", pelCount: 1, pending: [["1-0", 3]] }
        ]
      )
      for (const c of group.consumers) {
        assertNow(c.seenTime, "seen time")
        for (const p of c.pending) assertNow(p.deliveryTime, "delivery time")
      }

      // XGROUP DELCONSUMER, XACK
      assert.strictEqual(yield* Redis.xgroupDelconsumer(key, "g", "c4"), 1)
      assert.strictEqual(yield* Redis.xgroupDelconsumer(key, "g", "nobody"), 0)
      assert.strictEqual(yield* Redis.xack(key, "g", ["1-0", "2-0", "9-9"]), 1)
      assert.strictEqual(yield* Redis.xack(key, "g", "2-0"), 0)
      assert.deepStrictEqual(yield* Redis.xpending(key, "g"), {
        count: 0,
        smallestId: Option.none(),
        greatestId: Option.none(),
        consumers: []
      })

      // XGROUP SETID, NOACK reads, a second group with ENTRIESREAD
      assert.strictEqual(yield* Redis.xgroupSetid(key, "g", "0", { entriesRead: 0 }), undefined)
      assert.deepStrictEqual(yield* Redis.xinfoGroups(key), [{
        name: "g",
        consumers: 4,
        pending: 0,
        lastDeliveredId: "0-0",
        entriesRead: Option.some(0),
        lag: Option.none()
      }])
      assert.deepStrictEqual(
        yield* Redis.xreadgroup("g", "c5", { [key]: ">" }, { noack: true }),
        Option.some([{ key, entries: [e1, e2] }])
      )
      assert.strictEqual((yield* Redis.xpending(key, "g")).count, 0)
      assert.strictEqual(yield* Redis.xgroupSetid(key, "g", "$"), undefined)
      assert.strictEqual(yield* Redis.xgroupCreate(key, "g2", "0", { entriesRead: 1 }), undefined)
      assert.deepStrictEqual((yield* Redis.xinfoGroups(key)).map((g) => [g.name, g.lastDeliveredId, g.entriesRead]), [
        ["g", "3-0", Option.none()],
        ["g2", "0-0", Option.some(1)]
      ])

      // XGROUP DESTROY
      assert.isTrue(yield* Redis.xgroupDestroy(key, "g"))
      assert.isFalse(yield* Redis.xgroupDestroy(key, "g"))
      assert.isTrue(yield* Redis.xgroupDestroy(key, "g2"))
      assert.deepStrictEqual(yield* Redis.xinfoGroups(key), [])
      assert.include(yield* replyError(Redis.xinfoConsumers(key, "g")), "NOGROUP")
      assert.include(yield* replyError(Redis.xpending(key, "g")), "NOGROUP")
      assert.include(yield* replyError(Redis.xreadgroup("g", "c1", { [key]: ">" })), "NOGROUP")
    }).pipe(Effect.provide(layer)))

  it.live("XREAD: several streams, COUNT, nothing new, BLOCK timing out", () =>
    Effect.gen(function*() {
      const [a, b] = [k("read:a"), k("read:b")]
      assert.deepStrictEqual(yield* Redis.xread({ [a]: "0" }), Option.none())
      yield* Redis.xadd(a, { x: "1" }, { id: "1-0" })
      yield* Redis.xadd(a, { y: "2" }, { id: "2-0" })
      yield* Redis.xadd(b, { z: "3" }, { id: "5-0" })
      assert.deepStrictEqual(
        yield* Redis.xread([[a, "0"], [b, "0"]]),
        Option.some([
          { key: a, entries: [entry("1-0", ["x", "1"]), entry("2-0", ["y", "2"])] },
          { key: b, entries: [entry("5-0", ["z", "3"])] }
        ])
      )
      assert.deepStrictEqual(
        yield* Redis.xread([[b, "0"], [a, "1-0"]], { count: 1 }),
        Option.some([{ key: b, entries: [entry("5-0", ["z", "3"])] }, { key: a, entries: [entry("2-0", ["y", "2"])] }])
      )
      assert.deepStrictEqual(
        yield* Redis.xread(new Map([[a, "2-0"], [b, "0"]])),
        Option.some([{ key: b, entries: [entry("5-0", ["z", "3"])] }])
      )
      assert.deepStrictEqual(yield* Redis.xread({ [a]: "2-0", [b]: "5-0" }), Option.none())
      const [timedOut, elapsed] = yield* timed(Redis.xread({ [k("read:empty")]: "$" }, { block: 100 }))
      assert.deepStrictEqual(timedOut, Option.none())
      assert.isAtLeast(elapsed, 90)
      assert.isBelow(elapsed, 1500)
    }).pipe(Effect.provide(layer)))

  it.live("XREAD BLOCK 2000 is woken by an XADD from another fiber of the same client after 100 ms", () =>
    Effect.gen(function*() {
      const key = k("wake")
      const adder = yield* Effect.forkChild(
        Effect.sleep("100 millis").pipe(Effect.andThen(Redis.xadd(key, { hello: "world" }, { id: "7-0" })))
      )
      const [read, elapsed] = yield* timed(Redis.xread([[k("wake:other"), "$"], [key, "$"]], { block: 2000 }))
      assert.deepStrictEqual(read, Option.some([{ key, entries: [entry("7-0", ["hello", "world"])] }]))
      assert.isAtLeast(elapsed, 50)
      assert.isBelow(elapsed, 1500)
      assert.strictEqual(yield* Fiber.join(adder), "7-0")
    }).pipe(Effect.provide(layer)))

  it.live("XREADGROUP BLOCK is woken by an XADD from another client", () =>
    Effect.gen(function*() {
      const key = k("wake:group")
      yield* Redis.xgroupCreate(key, "g", "$", { mkstream: true })
      // The XADD runs on its own client (a fresh layer).
      const adder = yield* Effect.forkChild(
        Effect.sleep("100 millis").pipe(
          Effect.andThen(Redis.xadd(key, { n: "1" }, { id: "1-0" })),
          Effect.provide(layer, { local: true })
        )
      )
      const [read, elapsed] = yield* timed(Redis.xreadgroup("g", "c", { [key]: ">" }, { block: 2000, count: 5 }))
      assert.deepStrictEqual(read, Option.some([{ key, entries: [entry("1-0", ["n", "1"])] }]))
      assert.isAtLeast(elapsed, 50)
      assert.isBelow(elapsed, 1500)
      yield* Fiber.join(adder)
      assert.strictEqual((yield* Redis.xpending(key, "g")).count, 1)
    }).pipe(Effect.provide(layer)))

  it.live("invalid options are refused before anything is sent", () =>
    Effect.gen(function*() {
      const key = k("invalid")
      assert.include(yield* invalid(Redis.xadd(key, {})), "fields must not be empty")
      assert.include(yield* invalid(Redis.xadd(key, [], { nomkstream: true })), "fields must not be empty")
      assert.include(yield* invalid(Redis.xadd(key, { a: 1 }, { id: "" })), "id must not be empty")
      assert.include(
        yield* invalid(Redis.xadd(key, { a: 1 }, { trim: { strategy: "MAXLEN", threshold: -1 } })),
        "trim.threshold must be an integer >= 0"
      )
      assert.include(
        yield* invalid(Redis.xadd(key, { a: 1 }, { trim: { strategy: "MINID", threshold: 1, limit: 10 } })),
        "trim.limit requires trim.approximate"
      )
      assert.include(
        yield* invalid(Redis.xtrim(key, { strategy: "MAXLEN", threshold: 1.5 })),
        "trim.threshold must be an integer >= 0"
      )
      assert.include(yield* invalid(Redis.xtrim(key, { strategy: "MINID", threshold: "" })), "trim.threshold must be a stream ID")
      assert.include(
        yield* invalid(Redis.xtrim(key, { strategy: "MAXLEN", threshold: 1, approximate: true, limit: -1 })),
        "trim.limit must be an integer >= 0"
      )
      assert.include(
        yield* invalid(Redis.xtrim(key, { strategy: "LEN", threshold: 1 } as never)),
        "trim.strategy must be \"MAXLEN\" or \"MINID\""
      )
      assert.include(yield* invalid(Redis.xrange(key, "-", "+", { count: -1 })), "count must be an integer >= 0")
      assert.include(yield* invalid(Redis.xrevrange(key, "+", "-", { count: 1.5 })), "count must be an integer >= 0")
      assert.include(yield* invalid(Redis.xread({})), "streams must not be empty")
      assert.include(yield* invalid(Redis.xread({ [key]: "0" }, { count: 0 })), "count must be an integer >= 1")
      assert.include(yield* invalid(Redis.xread({ [key]: "0" }, { block: -1 })), "block must be an integer >= 0")
      assert.include(yield* invalid(Redis.xreadgroup("g", "c", [])), "streams must not be empty")
      assert.include(yield* invalid(Redis.xreadgroup("g", "c", { [key]: ">" }, { block: 0.5 })), "block must be an integer >= 0")
      assert.include(yield* invalid(Redis.xreadgroup("g", "c", { [key]: ">" }, { count: -2 })), "count must be an integer >= 1")
      assert.include(yield* invalid(Redis.xack(key, "g", [])), "ids must not be empty")
      assert.include(yield* invalid(Redis.xdel(key, [])), "ids must not be empty")
      assert.include(yield* invalid(Redis.xclaim(key, "g", "c", 0, [])), "ids must not be empty")
      assert.include(yield* invalid(Redis.xclaim(key, "g", "c", -1, "1-0")), "minIdleTime must be an integer >= 0")
      assert.include(yield* invalid(Redis.xclaim(key, "g", "c", 0, "1-0", { idle: 1, time: 2 })), "idle and time cannot be combined")
      assert.include(yield* invalid(Redis.xclaim(key, "g", "c", 0, "1-0", { retryCount: -1 })), "retryCount must be an integer >= 0")
      assert.include(yield* invalid(Redis.xclaimJustId(key, "g", "c", 0, "1-0", { time: -5 })), "time must be an integer >= 0")
      assert.include(yield* invalid(Redis.xclaimJustId(key, "g", "c", 0, [], {})), "ids must not be empty")
      assert.include(yield* invalid(Redis.xautoclaim(key, "g", "c", 0, "0-0", { count: 0 })), "count must be an integer >= 1")
      assert.include(yield* invalid(Redis.xautoclaimJustId(key, "g", "c", Number.NaN, "0-0")), "minIdleTime must be an integer >= 0")
      assert.include(yield* invalid(Redis.xgroupCreate(key, "g", "$", { entriesRead: -2 })), "entriesRead must be an integer >= -1")
      assert.include(yield* invalid(Redis.xgroupSetid(key, "g", "$", { entriesRead: 1.5 })), "entriesRead must be an integer >= -1")
      assert.include(yield* invalid(Redis.xsetid(key, "1-0", { entriesAdded: -1 })), "entriesAdded must be an integer >= 0")
      assert.include(yield* invalid(Redis.xinfoStreamFull(key, { count: -1 })), "count must be an integer >= 0")
      assert.include(yield* invalid(Redis.xpendingRange(key, "g", { count: -1 })), "count must be an integer >= 0")
      assert.include(yield* invalid(Redis.xpendingRange(key, "g", { count: 1, idle: -1 })), "idle must be an integer >= 0")
      assert.strictEqual(yield* Redis.exists(key), 0)
    }).pipe(Effect.provide(layer)))
})

describe("stream command specs", () => {
  it("key positions follow the server's key specs", () => {
    assert.deepStrictEqual(Redis.xread({ a: "0", b: "0" }, { count: 1, block: 5 }).keyIndexes, [6, 7])
    assert.deepStrictEqual(Redis.xread([["STREAMS", "0"]]).keyIndexes, [2])
    assert.deepStrictEqual(Redis.xreadgroup("STREAMS", "streams", [["a", ">"], ["b", ">"], ["c", ">"]], { noack: true }).keyIndexes, [6, 7, 8])
    assert.deepStrictEqual(Redis.xreadgroup("g", "c", { a: ">" }).keyIndexes, [5])
    for (const command of [
      Redis.xgroupCreate("s", "g", "$"),
      Redis.xgroupCreateconsumer("s", "g", "c"),
      Redis.xgroupDelconsumer("s", "g", "c"),
      Redis.xgroupDestroy("s", "g"),
      Redis.xgroupSetid("s", "g", "$"),
      Redis.xinfoConsumers("s", "g"),
      Redis.xinfoGroups("s"),
      Redis.xinfoStream("s"),
      Redis.xinfoStreamFull("s")
    ] as ReadonlyArray<Command<unknown>>) {
      assert.deepStrictEqual(command.keyIndexes, [2], command.toString())
      assert.strictEqual(command.args[2], "s")
    }
    for (const command of [
      Redis.xack("s", "g", "1-0"),
      Redis.xadd("s", { a: 1 }),
      Redis.xautoclaim("s", "g", "c", 0, "0"),
      Redis.xclaim("s", "g", "c", 0, "1-0"),
      Redis.xdel("s", "1-0"),
      Redis.xlen("s"),
      Redis.xpending("s", "g"),
      Redis.xpendingRange("s", "g", { count: 1 }),
      Redis.xrange("s", "-", "+"),
      Redis.xrevrange("s", "+", "-"),
      Redis.xsetid("s", "1-0"),
      Redis.xtrim("s", { strategy: "MAXLEN", threshold: 1 })
    ] as ReadonlyArray<Command<unknown>>) {
      assert.deepStrictEqual(command.keyIndexes, [1], command.toString())
    }
  })

  it("command lines", () => {
    assert.deepStrictEqual(
      Redis.xadd("s", [["a", "1"], ["a", "2"]], {
        nomkstream: true,
        trim: { strategy: "MINID", threshold: "5-0", approximate: true, limit: 10 }
      }).args,
      ["XADD", "s", "NOMKSTREAM", "MINID", "~", "5-0", "LIMIT", 10, "*", "a", "1", "a", "2"]
    )
    assert.deepStrictEqual(Redis.xtrim("s", { strategy: "MAXLEN", threshold: 5 }).args, ["XTRIM", "s", "MAXLEN", 5])
    assert.deepStrictEqual(
      Redis.xreadgroup("g", "c", [["a", ">"], ["b", "0"]], { count: 2, block: 0, noack: true }).args,
      ["XREADGROUP", "GROUP", "g", "c", "COUNT", 2, "BLOCK", 0, "NOACK", "STREAMS", "a", "b", ">", "0"]
    )
    assert.deepStrictEqual(
      Redis.xclaim("s", "g", "c", 10, ["1-0", "2-0"], { time: 5, retryCount: 2, force: true, lastId: "3-0" }).args,
      ["XCLAIM", "s", "g", "c", 10, "1-0", "2-0", "TIME", 5, "RETRYCOUNT", 2, "FORCE", "LASTID", "3-0"]
    )
    assert.deepStrictEqual(
      Redis.xclaimJustId("s", "g", "c", 10, "1-0", { idle: 7 }).args,
      ["XCLAIM", "s", "g", "c", 10, "1-0", "IDLE", 7, "JUSTID"]
    )
    assert.deepStrictEqual(
      Redis.xautoclaimJustId("s", "g", "c", 10, "0-0", { count: 3 }).args,
      ["XAUTOCLAIM", "s", "g", "c", 10, "0-0", "COUNT", 3, "JUSTID"]
    )
    assert.deepStrictEqual(
      Redis.xpendingRange("s", "g", { idle: 9, start: "1", end: "2", count: 3, consumer: "c" }).args,
      ["XPENDING", "s", "g", "IDLE", 9, "1", "2", 3, "c"]
    )
    assert.deepStrictEqual(
      Redis.xgroupCreate("s", "g", "0", { mkstream: true, entriesRead: 4 }).args,
      ["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM", "ENTRIESREAD", 4]
    )
    assert.deepStrictEqual(
      Redis.xsetid("s", "9-0", { entriesAdded: 3, maxDeletedId: "2-0" }).args,
      ["XSETID", "s", "9-0", "ENTRIESADDED", 3, "MAXDELETEDID", "2-0"]
    )
    assert.deepStrictEqual(Redis.xinfoStreamFull("s", { count: 0 }).args, ["XINFO", "STREAM", "s", "FULL", "COUNT", 0])
  })

  it("XREAD / XREADGROUP report their BLOCK milliseconds; flags follow the server", () => {
    const ms = (command: Command<unknown>) => command.spec.blockingTimeout?.(command.args)
    assert.strictEqual(ms(Redis.xread({ a: "$" }, { block: 2000 })), 2000)
    assert.strictEqual(ms(Redis.xread({ a: "$" }, { block: 0, count: 3 })), 0)
    assert.isUndefined(ms(Redis.xread({ a: "$" })))
    assert.isUndefined(ms(Redis.xread({ a: "$" }, { count: 3 })))
    assert.strictEqual(ms(Redis.xreadgroup("BLOCK", "BLOCK", { a: ">" }, { block: 150, noack: true })), 150)
    assert.isUndefined(ms(Redis.xreadgroup("BLOCK", "5", { BLOCK: ">" })))
    const xread = Redis.xread({ a: "0-0" })
    assert.isTrue(hasFlag(xread.spec.flags, CommandFlags.readonly | CommandFlags.blocking))
    assert.isFalse(hasFlag(xread.spec.flags, CommandFlags.write))
    // From `$`: never replayed (a resend would skip what was added in between), so not readonly.
    const latest = Redis.xread({ a: "$" })
    assert.isFalse(hasFlag(latest.spec.flags, CommandFlags.readonly))
    assert.isTrue(hasFlag(latest.spec.flags, CommandFlags.blocking))
    const xreadgroup = Redis.xreadgroup("g", "c", { a: ">" })
    assert.isTrue(hasFlag(xreadgroup.spec.flags, CommandFlags.write | CommandFlags.blocking))
    for (const command of [Redis.xrange("s", "-", "+"), Redis.xlen("s"), Redis.xinfoStream("s"), Redis.xpending("s", "g")] as ReadonlyArray<Command<unknown>>) {
      assert.isTrue(hasFlag(command.spec.flags, CommandFlags.readonly), command.name)
      assert.isUndefined(command.spec.blockingTimeout, command.name)
    }
    for (const command of [Redis.xadd("s", { a: 1 }), Redis.xclaim("s", "g", "c", 0, "1"), Redis.xautoclaim("s", "g", "c", 0, "0"), Redis.xtrim("s", { strategy: "MAXLEN", threshold: 1 })] as ReadonlyArray<Command<unknown>>) {
      assert.isTrue(hasFlag(command.spec.flags, CommandFlags.write), command.name)
      assert.isFalse(hasFlag(command.spec.flags, CommandFlags.replaySafe), command.name)
    }
  })
})
