/**
 * Client-side cross-slot operations (nonAtomicCrossSlot, the default): RENAME, SMOVE, LMOVE, SINTER, ZUNIONSTORE,
 * PFMERGE, BITOP... whose keys span slots on the shared cluster give the same replies and leave the same data
 * (values, types, TTLs) as the same commands on the shared standalone server, under RESP2 and RESP3; a property
 * test runs random sequences on both. SORT patterns outside the key's slot, RANDOMKEY, `nonAtomicCrossSlot: false`
 * and what a failure midway does are checked on the cluster and over a scripted transport.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis, RedisClient, type RedisError, RedisNode, Replies, RespErrorReply } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { ScriptedTransport, serverVersion } from "@effect-redis/testkit"
import { Effect, Fiber, type Layer, ManagedRuntime, Option, Result } from "effect"
import * as fc from "fast-check"
import { afterAll, inject } from "vitest"
import { A, B, C, clusterLayer, keyOn, ownerOf } from "../packages/cluster/test/support/scripted.ts"

const nodes = inject("clusterNodes")
const server = serverVersion()
/**
 * Redis 7.4+ and Valkey 8.0+ run SORT BY / GET patterns that map to the sorted key's slot (redis#12728); older
 * servers refuse, in cluster mode, every BY pattern with a `*` and every GET.
 */
const sameSlotSortPatterns = server.atLeast("redis", "7.4") || server.atLeast("valkey", "8.0")
/**
 * `GET #` (the element itself) in cluster mode: the first 7.4 releases checked `#` as a pattern too and refused it
 * (redis#13607, valkey#1182); Redis 8.0 and Valkey 8.0.2+ accept it.
 */
const getElementInCluster = server.atLeast("redis", "8.0") || server.atLeast("valkey", "8.0.2")
const prefix = `cross-slot:${process.pid}:${Date.now()}`
/** A fixed absolute expiry (ms), so both servers must report exactly the same PEXPIRETIME after a move. */
const EXPIRE_AT = Math.floor(Date.now() / 1000) * 1000 + 3_600_000

type Outcome = { readonly ok: unknown } | { readonly error: string; readonly message: string }

/** A command's outcome as comparable data: its value, or its error's tag and message. */
const outcome = <A>(effect: Effect.Effect<A, RedisError, RedisClient>): Effect.Effect<Outcome, never, RedisClient> =>
  Effect.map(Effect.result(effect), (result) =>
    Result.isSuccess(result) ? { ok: result.success } : { error: result.failure._tag, message: result.failure.message })

const sorted = (values: ReadonlyArray<string>) => [...values].sort()
const plain = <V>(record: Readonly<Record<string, V>>): Record<string, V> => ({ ...record })

/** What a key holds, as comparable data: type, contents (sets sorted) and whether it expires. */
const stateOf = (key: string) =>
  Effect.gen(function*() {
    const type = yield* Redis.type(key)
    const pexpiretime = yield* Redis.pexpiretime(key)
    switch (type) {
      case "none":
        return { type }
      case "string":
        return { type, value: Option.map(yield* Redis.getBytes(key), (bytes) => Buffer.from(bytes).toString("hex")), pexpiretime }
      case "set":
        return { type, members: sorted(yield* Redis.smembers(key)), pexpiretime }
      case "zset":
        return { type, entries: yield* Redis.zrangeWithScores(key, 0, -1), pexpiretime }
      case "list":
        return { type, elements: yield* Redis.lrange(key, 0, -1), pexpiretime }
      case "hash":
        return { type, fields: plain(yield* Redis.hgetall(key)), pexpiretime }
      default:
        return { type }
    }
  })

/** Fails the test unless the keys hash to pairwise different slots (so the cluster really emulates). */
const assertSpread = (keys: ReadonlyArray<string>) =>
  assert.strictEqual(new Set(keys.map(keySlot)).size, keys.length, `keys ${keys.join(", ")} must hash to different slots`)

describe.each([2, 3] as const)("cross-slot operations over RESP%s give the standalone server's results", (protocol) => {
  const cluster = ManagedRuntime.make(RedisCluster.layer({ startupNodes: nodes, protocol }))
  const standalone = ManagedRuntime.make(RedisNode.layer({ url: inject("standaloneUrl"), protocol }) as Layer.Layer<RedisClient, unknown>)
  afterAll(async () => {
    await cluster.dispose()
    await standalone.dispose()
  })
  let runs = 0

  /**
   * Runs `scenario` on the cluster and on the standalone server, with the same fresh key names (`k("src")` is
   * `<base>:{src}`: each name is its own hash tag, so different names hash to different slots), and checks that
   * both return the same thing. Returns the cluster's result for exact assertions.
   */
  const same = async <A>(names: ReadonlyArray<string>, scenario: (k: (name: string) => string) => Effect.Effect<A, RedisError, RedisClient>) => {
    const base = `${prefix}:${protocol}:${runs++}`
    const k = (name: string) => `${base}:{${name}}`
    assertSpread(names.map(k))
    const [onCluster, onStandalone] = await Promise.all([cluster.runPromise(scenario(k)), standalone.runPromise(scenario(k))])
    assert.deepStrictEqual(onCluster, onStandalone)
    return onCluster
  }

  it("RENAME moves the value, its type and its exact expiry, replacing the destination", async () => {
    const result = await same(["src", "dst", "plain", "dst2", "none"], (k) =>
      Effect.gen(function*() {
        yield* Redis.hset(k("src"), { f: "v", g: "w" })
        yield* Redis.pexpireat(k("src"), EXPIRE_AT)
        yield* Redis.set(k("dst"), "old")
        const renamed = yield* outcome(Redis.rename(k("src"), k("dst")))
        // A key without expiry over a destination with one: the destination ends without.
        yield* Redis.set(k("plain"), "p")
        yield* Redis.set(k("dst2"), "x", { px: 100_000 })
        const plainRenamed = yield* outcome(Redis.rename(k("plain"), k("dst2")))
        const missing = yield* outcome(Redis.rename(k("none"), k("dst")))
        return {
          renamed,
          plainRenamed,
          missing,
          src: yield* stateOf(k("src")),
          dst: yield* stateOf(k("dst")),
          dst2: yield* stateOf(k("dst2"))
        }
      }))
    assert.deepStrictEqual(result.renamed, { ok: undefined })
    assert.deepStrictEqual(result.dst, { type: "hash", fields: { f: "v", g: "w" }, pexpiretime: EXPIRE_AT })
    assert.deepStrictEqual(result.dst2, { type: "string", value: Option.some(Buffer.from("p").toString("hex")), pexpiretime: -1 })
    assert.deepStrictEqual(result.src, { type: "none" })
    assert.deepStrictEqual(result.missing, { error: "ReplyError", message: "ERR no such key" })
  })

  it("RENAMENX renames only onto a missing key", async () => {
    const result = await same(["a", "b", "c", "none"], (k) =>
      Effect.gen(function*() {
        yield* Redis.rpush(k("a"), ["1", "2"])
        yield* Redis.pexpireat(k("a"), EXPIRE_AT)
        yield* Redis.set(k("b"), "taken")
        const onto = yield* outcome(Redis.renamenx(k("a"), k("b")))
        const moved = yield* outcome(Redis.renamenx(k("a"), k("c")))
        const missing = yield* outcome(Redis.renamenx(k("none"), k("c")))
        return { onto, moved, missing, a: yield* stateOf(k("a")), b: yield* stateOf(k("b")), c: yield* stateOf(k("c")) }
      }))
    assert.deepStrictEqual(result.onto, { ok: false })
    assert.deepStrictEqual(result.moved, { ok: true })
    assert.deepStrictEqual(result.c, { type: "list", elements: ["1", "2"], pexpiretime: EXPIRE_AT })
    assert.deepStrictEqual(result.missing, { error: "ReplyError", message: "ERR no such key" })
  })

  it("SMOVE: moved, absent member, missing source, wrong types", async () => {
    const result = await same(["s", "d", "none", "str"], (k) =>
      Effect.gen(function*() {
        yield* Redis.sadd(k("s"), ["a", "b", "c"])
        yield* Redis.sadd(k("d"), ["a"])
        yield* Redis.set(k("str"), "x")
        return {
          moved: yield* outcome(Redis.smove(k("s"), k("d"), "a")),
          movedNew: yield* outcome(Redis.smove(k("s"), k("d"), "b")),
          absent: yield* outcome(Redis.smove(k("s"), k("d"), "zz")),
          noSource: yield* outcome(Redis.smove(k("none"), k("d"), "a")),
          wrongDestination: yield* outcome(Redis.smove(k("s"), k("str"), "c")),
          wrongSource: yield* outcome(Redis.smove(k("str"), k("d"), "c")),
          lastOne: yield* outcome(Redis.smove(k("s"), k("d"), "c")),
          s: yield* stateOf(k("s")),
          d: yield* stateOf(k("d"))
        }
      }))
    assert.deepStrictEqual(
      [result.moved, result.movedNew, result.absent, result.noSource, result.lastOne],
      [{ ok: true }, { ok: true }, { ok: false }, { ok: false }, { ok: true }]
    )
    assert.strictEqual((result.wrongDestination as { error: string }).error, "ReplyError")
    assert.include((result.wrongSource as { message: string }).message, "WRONGTYPE")
    assert.deepStrictEqual(result.s, { type: "none" })
    assert.deepStrictEqual(result.d, { type: "set", members: ["a", "b", "c"], pexpiretime: -1 })
  })

  it("LMOVE (every end), RPOPLPUSH: elements, nil for an empty source, WRONGTYPE leaves the source intact", async () => {
    const result = await same(["src", "dst", "none", "str"], (k) =>
      Effect.gen(function*() {
        yield* Redis.rpush(k("src"), ["1", "2", "3", "4", "5", "6"])
        yield* Redis.set(k("str"), "x")
        return {
          moves: [
            yield* outcome(Redis.lmove(k("src"), k("dst"), "LEFT", "LEFT")),
            yield* outcome(Redis.lmove(k("src"), k("dst"), "LEFT", "RIGHT")),
            yield* outcome(Redis.lmove(k("src"), k("dst"), "RIGHT", "LEFT")),
            yield* outcome(Redis.lmove(k("src"), k("dst"), "RIGHT", "RIGHT")),
            yield* outcome(Redis.rpoplpush(k("src"), k("dst")))
          ],
          empty: yield* outcome(Redis.lmove(k("none"), k("dst"), "LEFT", "LEFT")),
          emptyOntoWrongType: yield* outcome(Redis.rpoplpush(k("none"), k("str"))),
          wrongDestination: yield* outcome(Redis.lmove(k("src"), k("str"), "LEFT", "LEFT")),
          wrongSource: yield* outcome(Redis.rpoplpush(k("str"), k("dst"))),
          src: yield* stateOf(k("src")),
          dst: yield* stateOf(k("dst"))
        }
      }))
    assert.deepStrictEqual(result.moves, ["1", "2", "6", "5", "4"].map((e) => ({ ok: Option.some(e) })))
    assert.deepStrictEqual(result.empty, { ok: Option.none() })
    assert.deepStrictEqual(result.emptyOntoWrongType, { ok: Option.none() })
    assert.include((result.wrongDestination as { message: string }).message, "WRONGTYPE")
    assert.deepStrictEqual(result.src, { type: "list", elements: ["3"], pexpiretime: -1 })
    assert.deepStrictEqual(result.dst, { type: "list", elements: ["4", "6", "1", "2", "5"], pexpiretime: -1 })
  })

  it("BLMOVE / BRPOPLPUSH: at once when the source has elements, nil on timeout, woken by a push", async () => {
    const result = await same(["src", "dst", "wait", "none"], (k) =>
      Effect.gen(function*() {
        yield* Redis.rpush(k("src"), ["a", "b"])
        const immediate = yield* outcome(Redis.blmove(k("src"), k("dst"), "RIGHT", "LEFT", 1))
        const legacy = yield* outcome(Redis.brpoplpush(k("src"), k("dst"), 1))
        const timedOut = yield* outcome(Redis.blmove(k("none"), k("dst"), "LEFT", "LEFT", 0.1))
        const waiting = yield* Effect.forkChild(outcome(Redis.blmove(k("wait"), k("dst"), "LEFT", "RIGHT", 5)))
        yield* Effect.sleep("200 millis")
        yield* Redis.rpush(k("wait"), ["late"])
        const woken = yield* Fiber.join(waiting)
        return { immediate, legacy, timedOut, woken, src: yield* stateOf(k("src")), dst: yield* stateOf(k("dst")), wait: yield* stateOf(k("wait")) }
      }))
    assert.deepStrictEqual([result.immediate, result.legacy, result.timedOut, result.woken], [
      { ok: Option.some("b") },
      { ok: Option.some("a") },
      { ok: Option.none() },
      { ok: Option.some("late") }
    ])
    assert.deepStrictEqual(result.dst, { type: "list", elements: ["a", "b", "late"], pexpiretime: -1 })
    assert.deepStrictEqual(result.wait, { type: "none" })
  })

  it("SINTER / SUNION / SDIFF and SINTERCARD, with missing keys and wrong types", async () => {
    const result = await same(["a", "b", "c", "none", "str"], (k) =>
      Effect.gen(function*() {
        yield* Redis.sadd(k("a"), ["1", "2", "3", "4"])
        yield* Redis.sadd(k("b"), ["2", "3", "5"])
        yield* Redis.sadd(k("c"), ["3", "2", "9"])
        yield* Redis.set(k("str"), "x")
        const keys = [k("a"), k("b"), k("c")]
        return {
          inter: sorted(yield* Redis.sinter(keys)),
          union: sorted(yield* Redis.sunion(keys)),
          diff: sorted(yield* Redis.sdiff(keys)),
          interMissing: yield* Redis.sinter([...keys, k("none")]),
          unionMissing: sorted(yield* Redis.sunion([k("none"), k("b")])),
          diffMissing: sorted(yield* Redis.sdiff([k("a"), k("none")])),
          wrongType: yield* outcome(Redis.sinter([k("none"), k("str")])),
          card: yield* Redis.sintercard(keys),
          cardLimited: yield* Redis.sintercard(keys, { limit: 1 }),
          cardMissing: yield* Redis.sintercard([k("a"), k("none")])
        }
      }))
    assert.deepStrictEqual(result.inter, ["2", "3"])
    assert.deepStrictEqual(result.union, ["1", "2", "3", "4", "5", "9"])
    assert.deepStrictEqual(result.diff, ["1", "4"])
    assert.deepStrictEqual([result.card, result.cardLimited, result.cardMissing], [2, 1, 0])
    assert.deepStrictEqual(result.interMissing, [])
    assert.include((result.wrongType as { message: string }).message, "WRONGTYPE")
  })

  it("SINTERSTORE / SUNIONSTORE / SDIFFSTORE replace the destination (type and TTL), an empty result deletes it", async () => {
    const result = await same(["a", "b", "d1", "d2", "d3", "none"], (k) =>
      Effect.gen(function*() {
        yield* Redis.sadd(k("a"), ["1", "2", "3"])
        yield* Redis.sadd(k("b"), ["2", "3", "4"])
        yield* Redis.set(k("d1"), "string with ttl", { px: 100_000 })
        yield* Redis.sadd(k("d2"), ["old"])
        yield* Redis.pexpireat(k("d2"), EXPIRE_AT)
        yield* Redis.sadd(k("d3"), ["will be deleted"])
        return {
          inter: yield* Redis.sinterstore(k("d1"), [k("a"), k("b")]),
          union: yield* Redis.sunionstore(k("d2"), [k("a"), k("b"), k("d2")]),
          empty: yield* Redis.sdiffstore(k("d3"), [k("none"), k("a")]),
          d1: yield* stateOf(k("d1")),
          d2: yield* stateOf(k("d2")),
          d3: yield* stateOf(k("d3"))
        }
      }))
    assert.deepStrictEqual([result.inter, result.union, result.empty], [2, 5, 0])
    assert.deepStrictEqual(result.d1, { type: "set", members: ["2", "3"], pexpiretime: -1 })
    assert.deepStrictEqual(result.d2, { type: "set", members: ["1", "2", "3", "4", "old"], pexpiretime: -1 })
    assert.deepStrictEqual(result.d3, { type: "none" })
  })

  it("ZUNION / ZINTER / ZDIFF WITHSCORES: weights, aggregates, plain sets, infinities, -0, ordering by score then member", async () => {
    const result = await same(["z1", "z2", "s", "none", "str"], (k) =>
      Effect.gen(function*() {
        yield* Redis.zadd(k("z1"), [[0.1, "a"], [2, "b"], [Infinity, "c"], [-1, "d"], [1, "e"]])
        yield* Redis.zadd(k("z2"), [[0.2, "a"], [1, "c"], [-Infinity, "d"], [3, "f"], [1, "e"]])
        yield* Redis.sadd(k("s"), ["a", "b", "f", "g"])
        yield* Redis.set(k("str"), "x")
        const keys = [k("z1"), k("z2"), k("s")]
        return {
          union: yield* Redis.zunionWithScores(keys),
          unionMembers: yield* Redis.zunion(keys),
          unionWeighted: yield* Redis.zunionWithScores(keys, { weights: [2, -1, 0.5] }),
          unionZeroWeight: yield* Redis.zunionWithScores([k("z1"), k("z2")], { weights: [0, -0] }),
          unionMin: yield* Redis.zunionWithScores(keys, { aggregate: "MIN" }),
          unionMax: yield* Redis.zunionWithScores(keys, { weights: [1, Infinity, 1], aggregate: "MAX" }),
          inter: yield* Redis.zinterWithScores([k("z1"), k("z2")]),
          interSet: yield* Redis.zinterWithScores([k("s"), k("z1")], { weights: [3, 1] }),
          interMembers: yield* Redis.zinter([k("z1"), k("z2")], { aggregate: "MIN" }),
          diff: yield* Redis.zdiffWithScores([k("z1"), k("s")]),
          diffMembers: yield* Redis.zdiff([k("z1"), k("z2"), k("none")]),
          card: yield* Redis.zintercard([k("z1"), k("z2")]),
          cardLimited: yield* Redis.zintercard([k("z1"), k("z2"), k("s")], { limit: 1 }),
          missing: yield* Redis.zunionWithScores([k("none"), k("none")]),
          wrongType: yield* outcome(Redis.zunion([k("z1"), k("str")]))
        }
      }))
    assert.deepStrictEqual(result.union, [
      { member: "d", score: -Infinity },
      { member: "g", score: 1 },
      { member: "e", score: 2 },
      { member: "a", score: 1.3 },
      { member: "b", score: 3 },
      { member: "f", score: 4 },
      { member: "c", score: Infinity }
    ].sort((x, y) => x.score - y.score || (x.member < y.member ? -1 : 1)))
    assert.deepStrictEqual(result.unionMembers, result.union.map((entry) => entry.member))
    assert.deepStrictEqual(result.card, 4)
    assert.deepStrictEqual(result.cardLimited, 1)
    assert.deepStrictEqual(result.missing, [])
    assert.include((result.wrongType as { message: string }).message, "WRONGTYPE")
  })

  it("ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE replace the destination, +inf meeting -inf is 0 in the server's input order", async () => {
    const result = await same(["a", "b", "d1", "d2", "d3", "d4", "none"], (k) =>
      Effect.gen(function*() {
        yield* Redis.zadd(k("a"), [[-Infinity, "m"], [1, "x"], [2, "y"]])
        yield* Redis.zadd(k("b"), [[Infinity, "m"]])
        yield* Redis.set(k("d1"), "old", { px: 100_000 })
        yield* Redis.zadd(k("d3"), [[1, "old"]])
        return {
          // Inputs are combined smallest first: b, b, a: inf + inf = inf, then + -inf = 0 (the server's NaN rule).
          union: yield* Redis.zunionstore(k("d1"), [k("a"), k("b"), k("b")]),
          inter: yield* Redis.zinterstore(k("d2"), [k("a"), k("b")], { weights: [1, 0], aggregate: "SUM" }),
          diff: yield* Redis.zdiffstore(k("d4"), [k("a"), k("b")]),
          empty: yield* Redis.zinterstore(k("d3"), [k("a"), k("none")]),
          d1: yield* stateOf(k("d1")),
          d2: yield* stateOf(k("d2")),
          d3: yield* stateOf(k("d3")),
          d4: yield* stateOf(k("d4")),
          score: yield* Redis.zscore(k("d1"), "m")
        }
      }))
    assert.deepStrictEqual([result.union, result.inter, result.diff, result.empty], [3, 1, 2, 0])
    assert.deepStrictEqual(result.score, Option.some(0))
    assert.deepStrictEqual(result.d1, {
      type: "zset",
      entries: [{ member: "m", score: 0 }, { member: "x", score: 1 }, { member: "y", score: 2 }],
      pexpiretime: -1
    })
    assert.deepStrictEqual(result.d3, { type: "none" })
  })

  it("PFMERGE and multi-key PFCOUNT: same counts and the same HyperLogLog bytes", async () => {
    const result = await same(["h1", "h2", "h3", "dst", "none", "list", "str"], (k) =>
      Effect.gen(function*() {
        yield* Redis.pfadd(k("h1"), Array.from({ length: 50 }, (_, i) => `e${i}`))
        yield* Redis.pfadd(k("h2"), Array.from({ length: 50 }, (_, i) => `e${i + 25}`))
        yield* Redis.pfadd(k("h3"), Array.from({ length: 3000 }, (_, i) => `big${i}`))
        yield* Redis.pfadd(k("dst"), ["own"])
        yield* Redis.rpush(k("list"), ["x"])
        yield* Redis.set(k("str"), "not an hll")
        return {
          merged: yield* outcome(Redis.pfmerge(k("dst"), [k("h1"), k("h2"), k("none")])),
          count: yield* Redis.pfcount(k("dst")),
          bytes: yield* stateOf(k("dst")),
          multi: yield* Redis.pfcount([k("h1"), k("h2"), k("h3"), k("none")]),
          mergeDense: yield* outcome(Redis.pfmerge(k("dst"), [k("h3")])),
          dense: yield* stateOf(k("dst")),
          wrongType: yield* outcome(Redis.pfcount([k("h1"), k("list")])),
          notHll: yield* outcome(Redis.pfmerge(k("dst"), [k("str")])),
          h1: yield* stateOf(k("h1"))
        }
      }))
    assert.deepStrictEqual(result.merged, { ok: undefined })
    assert.closeTo(result.count, 76, 3)
    assert.isAbove(result.multi, 2900)
    assert.include((result.wrongType as { message: string }).message, "WRONGTYPE")
    assert.deepStrictEqual(result.notHll, { error: "ReplyError", message: "WRONGTYPE Key is not a valid HyperLogLog string value." })
  })

  it("BITOP AND / OR / XOR / NOT on the bytes; no result deletes the destination", async () => {
    const result = await same(["a", "b", "d", "none", "list"], (k) =>
      Effect.gen(function*() {
        yield* Redis.set(k("a"), Buffer.from([0xff, 0x0f, 0xf0, 0x80]))
        yield* Redis.set(k("b"), Buffer.from([0x0f, 0xff]))
        yield* Redis.rpush(k("list"), ["x"])
        const and = yield* Redis.bitop("AND", k("d"), [k("a"), k("b"), k("none")])
        const andState = yield* stateOf(k("d"))
        const or = yield* Redis.bitop("OR", k("d"), [k("a"), k("b")])
        const orState = yield* stateOf(k("d"))
        const xor = yield* Redis.bitop("XOR", k("d"), [k("a"), k("b")])
        const xorState = yield* stateOf(k("d"))
        yield* Redis.pexpireat(k("d"), EXPIRE_AT)
        const not = yield* Redis.bitop("NOT", k("d"), k("b"))
        const notState = yield* stateOf(k("d"))
        const nothing = yield* Redis.bitop("OR", k("d"), [k("none"), k("none")])
        return {
          and, andState, or, orState, xor, xorState, not, notState, nothing,
          after: yield* stateOf(k("d")),
          wrongType: yield* outcome(Redis.bitop("AND", k("d"), [k("a"), k("list")]))
        }
      }))
    assert.deepStrictEqual([result.and, result.or, result.xor, result.not, result.nothing], [4, 4, 4, 2, 0])
    assert.deepStrictEqual(result.andState, { type: "string", value: Option.some("00000000"), pexpiretime: -1 })
    assert.deepStrictEqual(result.orState, { type: "string", value: Option.some("fffff080"), pexpiretime: -1 })
    assert.deepStrictEqual(result.xorState, { type: "string", value: Option.some("f0f0f080"), pexpiretime: -1 })
    assert.deepStrictEqual(result.notState, { type: "string", value: Option.some("f000"), pexpiretime: -1 })
    assert.deepStrictEqual(result.after, { type: "none" })
    assert.include((result.wrongType as { message: string }).message, "WRONGTYPE")
  })

  it("binary keys and members are moved byte for byte", async () => {
    const result = await same(["a", "b"], (k) =>
      Effect.gen(function*() {
        const [a, b] = [Buffer.from(k("a")), Buffer.from(k("b"))]
        const odd = Buffer.from([0xff, 0x00, 0xc3])
        yield* Redis.sadd(a, [odd, "text"])
        yield* Redis.sadd(b, [Buffer.from([0xfe])])
        const union = yield* Redis.sunionstore(b, [a, b])
        const has = yield* Redis.smismember(b, [odd, Buffer.from([0xfe]), Buffer.from([0xff])])
        const moved = yield* Redis.smove(b, a, Buffer.from([0xfe]))
        return { union, has, moved, isMember: yield* Redis.sismember(a, Buffer.from([0xfe])) }
      }))
    assert.deepStrictEqual(result, { union: 3, has: [true, true, false], moved: true, isMember: true })
  })

  it("Redis.call with keys goes the same way, its reply decoded by the given decoder", async () => {
    const result = await same(["a", "b", "d"], (k) =>
      Effect.gen(function*() {
        yield* Redis.call(["SADD", k("a"), "x", "y"], { keys: [1] })
        yield* Redis.call(["SADD", k("b"), "y", "z"], { keys: [1] })
        return {
          inter: yield* Redis.call(["SINTER", k("a"), k("b")], { keys: [1, 2], reply: Replies.strings }),
          stored: yield* Redis.call(["ZUNIONSTORE", k("d"), 2, k("a"), k("b"), "WEIGHTS", 1.5, 2], { keys: [1, 3, 4], reply: Replies.integer }),
          moved: yield* Redis.call(["SMOVE", k("a"), k("b"), "x"], { keys: [1, 2], reply: Replies.boolean }),
          renamed: yield* outcome(Redis.call(["RENAME", k("d"), k("a")], { keys: [1, 2] })),
          a: yield* stateOf(k("a"))
        }
      }))
    assert.deepStrictEqual(result.inter, ["y"])
    assert.deepStrictEqual(result.a, {
      type: "zset",
      entries: [{ member: "x", score: 1.5 }, { member: "z", score: 2 }, { member: "y", score: 3.5 }],
      pexpiretime: -1
    })
  })
})

describe("on the cluster only", () => {
  const layer = RedisCluster.layer({ startupNodes: nodes, protocol: 2 })
  const k = (name: string) => `${prefix}:only:{${name}}`

  it.live("raw RESP2 replies of Redis.call are the server's, scores formatted as the server formats them", () =>
    Effect.gen(function*() {
      const [a, b] = [k("raw-a"), k("raw-b")]
      assertSpread([a, b])
      yield* Redis.zadd(a, [[0.1, "m"], [1e20, "big"], [1.5e-7, "small"], [-1, "neg"]])
      yield* Redis.zadd(b, [[0, "neg"], [Infinity, "top"]])
      const raw = yield* Redis.call(["ZUNION", 2, a, b, "WEIGHTS", 1, 1, "WITHSCORES"], { keys: [2, 3] })
      assert.deepStrictEqual(raw, ["neg", "-1", "small", "1.4999999999999999e-07", "m", "0.10000000000000001", "big", "1e+20", "top", "inf"])
      const zero = yield* Redis.call(["ZUNION", 2, a, b, "WEIGHTS", 0, 1, "WITHSCORES"], { keys: [2, 3] })
      assert.deepStrictEqual((zero as ReadonlyArray<string>).slice(0, 2), ["big", "0"])
      const inter = yield* Redis.call(["ZINTER", 2, a, b, "WEIGHTS", 1, -1, "WITHSCORES"], { keys: [2, 3] })
      assert.deepStrictEqual(inter, ["neg", "-1"])
      const negativeZero = yield* Redis.call(["ZUNION", 2, b, k("raw-none"), "WEIGHTS", -1, 1, "WITHSCORES"], { keys: [2, 3] })
      assert.deepStrictEqual(negativeZero, ["top", "-inf", "neg", "-0"])
      assert.deepStrictEqual(yield* Redis.call(["SINTERCARD", 2, k("raw-none"), a], { keys: [2, 3] }).pipe(Effect.flip, Effect.map((e) => e.message)), "WRONGTYPE Operation against a key holding the wrong kind of value")
      assert.deepStrictEqual(yield* Redis.call(["SINTERCARD", 2, k("raw-none"), k("raw-none2")], { keys: [2, 3] }), 0)
      assert.deepStrictEqual(yield* Redis.call(["RENAME", k("raw-none"), a], { keys: [1, 2] }).pipe(Effect.flip, Effect.map((e) => e.message)), "ERR no such key")
      const syntax = yield* Effect.flip(Redis.call(["ZUNION", 2, a, b, "AGGREGATE", "avg"], { keys: [2, 3] }))
      assert.deepStrictEqual([syntax._tag, syntax.message], ["ReplyError", "ERR syntax error"])
    }).pipe(Effect.provide(layer)))

  it.live("under RESP3, untyped emulated replies have the server's RESP3 shape: sets as Set, WITHSCORES as [member, double] pairs", () =>
    Effect.gen(function*() {
      const [a, b] = [k("resp3-a"), k("resp3-b")]
      assertSpread([a, b])
      const seed = Effect.all([
        Redis.del([a, b]),
        Redis.zadd(a, [[0.1, "m"], [-1, "neg"]]),
        Redis.zadd(b, [[2, "neg"], [Infinity, "top"]]),
        Redis.sadd(`${a}:s`, ["x", "y"]),
        Redis.sadd(`${b}:s`, ["y", "z"])
      ])
      const ask = Effect.all([
        Redis.call(["ZUNION", 2, a, b, "WITHSCORES"], { keys: [2, 3] }),
        Redis.call(["SUNION", `${a}:s`, `${b}:s`], { keys: [1, 2] })
      ])
      const [cluster, standalone] = yield* Effect.all([
        Effect.andThen(seed, ask).pipe(Effect.provide(RedisCluster.layer({ startupNodes: nodes, protocol: 3 }))),
        Effect.andThen(seed, ask).pipe(Effect.provide(RedisNode.layer({ url: inject("standaloneUrl"), protocol: 3 })))
      ])
      assert.deepStrictEqual(cluster[0], [["m", 0.1], ["neg", 1], ["top", Infinity]])
      assert.deepStrictEqual(cluster[0], standalone[0])
      assert.instanceOf(cluster[1], Set)
      assert.deepStrictEqual([...(cluster[1] as Set<string>)].sort(), [...(standalone[1] as Set<string>)].sort())
    }))

  it.live("SORT with BY / GET patterns outside the key's slot fails before sending; the key's own hash tag passes", () =>
    Effect.gen(function*() {
      const list = k("sort")
      yield* Redis.rpush(list, ["3", "1", "2"])
      // The client refuses, on every server, a pattern whose keys could be in another slot than the sorted key's.
      for (const options of [{ by: "weight_*" }, { get: ["name_*"] }, { get: ["#", "{other}:name_*"] }, { by: "w_*->f" }]) {
        const error = yield* Effect.flip(Redis.sort(list, options))
        assert.strictEqual(error._tag, "CrossSlotError", JSON.stringify(options))
        assert.include(error.message, "hash tag")
      }
      const store = yield* Effect.flip(Redis.sortStore(list, k("sort-dest"), { by: "x_*" }))
      assert.strictEqual(store._tag, "CrossSlotError")

      // Patterns in the key's slot (they carry its hash tag `{sort}`) are sent, and the server decides.
      const p = `${list}:`
      yield* Redis.mset({ [`${p}w_1`]: "30", [`${p}w_2`]: "20", [`${p}w_3`]: "10", [`${p}name_1`]: "one" })
      const cases: ReadonlyArray<readonly [Redis.SortOptions, ReadonlyArray<string>, boolean]> = [
        [{ by: `${p}w_*` }, ["3", "2", "1"], sameSlotSortPatterns],
        // A GET of a missing key gives nil, read as "".
        [{ get: [`${p}name_*`] }, ["one", "", ""], sameSlotSortPatterns],
        [{ by: `${p}w_*`, get: [`${p}name_*`] }, ["", "", "one"], sameSlotSortPatterns],
        [{ get: ["#"] }, ["1", "2", "3"], getElementInCluster],
        [{ get: ["#", `${p}name_*`] }, ["1", "one", "2", "", "3", ""], getElementInCluster],
        [{ by: "nosort" }, ["3", "1", "2"], true]
      ]
      for (const [options, expected, runs] of cases) {
        const result = yield* Effect.result(Redis.sort(list, options))
        if (runs) {
          assert.deepStrictEqual(Result.isSuccess(result) ? result.success : result.failure, expected, JSON.stringify(options))
        } else {
          assert.isTrue(Result.isFailure(result) && result.failure._tag === "ReplyError", JSON.stringify(options))
          assert.match(Result.isFailure(result) ? result.failure.message : "", /denied in Cluster mode/)
        }
      }
      assert.deepStrictEqual(yield* Redis.sort(list), ["1", "2", "3"])
    }).pipe(Effect.provide(layer)))

  it.live.runIf(sameSlotSortPatterns)(
    "SORT GET patterns: the client refuses exactly those the server refuses (Redis 7.4+ and Valkey 8.0+ only: older servers refuse all)",
    () =>
      Effect.gen(function*() {
        const list = k("sort-rule")
        yield* Redis.rpush(list, ["1"])
        // The slot's owner, asked directly (no client-side check), says what the server accepts.
        const snapshot = yield* RedisCluster.topology
        const owner = snapshot.shardForSlot(keySlot(list))!.primary
        const direct = yield* RedisNode.make({ host: owner.host, port: owner.port })
        const patterns = [
          `${list}:x_*`, `${list}:x_?`, `${list}:x_[ab]`, `${list}:h_*->f`, "{sort-rule}", "{sort-rule}const", "{}{sort-rule}:x_*",
          "\\{sort-rule}:x_*", "*{sort-rule}", "x_*{sort-rule}", "{sort-rule*", "x_*", "{other}:x_*", "sort-rule-const"
        ]
        for (const pattern of patterns) {
          const viaClient = yield* Effect.result(Redis.sort(list, { get: [pattern] }))
          const viaServer = yield* Effect.result(direct.run(Redis.sort(list, { get: [pattern] })))
          const clientRefuses = Result.isFailure(viaClient)
          const serverRefuses = Result.isFailure(viaServer)
          assert.strictEqual(clientRefuses, serverRefuses, pattern)
          if (clientRefuses) assert.strictEqual(viaClient.failure._tag, "CrossSlotError", pattern)
          if (serverRefuses) assert.match(viaServer.failure.message, /denied in Cluster mode/, pattern)
        }
      }).pipe(Effect.scoped, Effect.provide(layer))
  )

  it.live("emulated commands may be part of a pipeline", () =>
    Effect.gen(function*() {
      const [a, b] = [k("pipe-a"), k("pipe-b")]
      const [c, d] = [k("pipe-c"), k("pipe-d")]
      yield* Redis.sadd(a, ["1", "2"])
      yield* Redis.sadd(c, ["2", "3"])
      // Each emulated command runs concurrently with the rest of the pipeline (as commands on different nodes do):
      // these touch different keys.
      const [inter, renamed, count, moved] = yield* RedisClient.pipeline([
        Redis.sinter([a, c]),
        Redis.rename(a, b),
        Redis.get(k("pipe-e")),
        Redis.smove(c, d, "3")
      ])
      assert.deepStrictEqual([inter, renamed, count, moved], [["2"], undefined, Option.none(), true])
      assert.deepStrictEqual(sorted(yield* Redis.smembers(b)), ["1", "2"])
      assert.deepStrictEqual(yield* Redis.smembers(d), ["3"])
    }).pipe(Effect.provide(layer)))

  it.live("RANDOMKEY returns a key that exists on some primary", () =>
    Effect.gen(function*() {
      yield* Redis.set(k("random"), "x")
      const key = yield* Redis.randomkey()
      assert.isTrue(Option.isSome(key))
      assert.strictEqual(yield* Redis.exists(Option.getOrThrow(key)), 1)
      const raw = yield* Redis.call(["RANDOMKEY"])
      assert.strictEqual(typeof raw, "string")
    }).pipe(Effect.provide(layer)))

  it.live("nonAtomicCrossSlot: false fails every emulated command with CrossSlotError", () =>
    Effect.gen(function*() {
      const [a, b, c] = [k("strict-a"), k("strict-b"), k("strict-c")]
      assertSpread([a, b, c])
      const commands: ReadonlyArray<Command<unknown>> = [
        Redis.rename(a, b), Redis.renamenx(a, b), Redis.smove(a, b, "m"), Redis.rpoplpush(a, b), Redis.lmove(a, b, "LEFT", "RIGHT"),
        Redis.brpoplpush(a, b, 1), Redis.blmove(a, b, "LEFT", "LEFT", 1), Redis.sinter([a, b]), Redis.sunion([a, b]),
        Redis.sdiff([a, b]), Redis.sinterstore(c, [a, b]), Redis.sunionstore(c, [a]), Redis.sdiffstore(c, [a, b]),
        Redis.sintercard([a, b]), Redis.zunion([a, b]), Redis.zinter([a, b]), Redis.zdiff([a, b]), Redis.zunionstore(c, [a]),
        Redis.zinterstore(c, [a, b]), Redis.zdiffstore(c, [a, b]), Redis.zintercard([a, b]), Redis.pfmerge(c, [a]),
        Redis.pfcount([a, b]), Redis.bitop("AND", c, [a, b]), Redis.call(["SINTER", a, b], { keys: [1, 2] })
      ]
      for (const command of commands) {
        const error = yield* Effect.flip(command)
        assert.strictEqual(error._tag, "CrossSlotError", command.name)
        assert.include(error.message, "nonAtomicCrossSlot", command.name)
      }
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: nodes, nonAtomicCrossSlot: false }))))
})

describe("over a scripted transport", () => {
  it.effect("RANDOMKEY asks every primary until one has a key; nil only when all are empty", () =>
    Effect.gen(function*() {
      const empty = ScriptedTransport.make(() => null)
      assert.deepStrictEqual(yield* Redis.randomkey().pipe(Effect.provide(clusterLayer(empty))), Option.none())
      assert.deepStrictEqual(new Set(empty.sent({ command: "RANDOMKEY" }).map((r) => r.address)), new Set([A, B, C]))
      assert.strictEqual(empty.sent().length, 3)
      for (let i = 0; i < 5; i++) {
        const one = ScriptedTransport.make((r) => (r.address === C ? "found" : null))
        assert.deepStrictEqual(yield* Redis.randomkey().pipe(Effect.provide(clusterLayer(one))), Option.some("found"))
        assert.strictEqual(one.sent().at(-1)!.address, C)
      }
      const failing = ScriptedTransport.make((r) => (r.address === A ? new RespErrorReply("ERR busy") : null))
      const error = yield* Effect.flip(Redis.randomkey().pipe(Effect.provide(clusterLayer(failing))))
      assert.strictEqual(error._tag, "ReplyError")
    }))

  it.effect("SMOVE: a refused SADD puts the member back; an SADD of unknown outcome is not resent", () =>
    Effect.gen(function*() {
      const [src, dst] = [keyOn(A, "src"), keyOn(B, "dst")]
      const script = (sadd: unknown) => (r: { readonly args: ReadonlyArray<string> }) => {
        if (r.args[0] === "TYPE") return "set"
        if (r.args[0] === "SREM") return 1
        if (r.args[0] === "SADD" && r.args[1] === dst) return sadd as never
        return 1
      }
      const refused = ScriptedTransport.make(script(new RespErrorReply("OOM command not allowed")))
      const error = yield* Effect.flip(Redis.smove(src, dst, "m").pipe(Effect.provide(clusterLayer(refused))))
      assert.deepStrictEqual([error._tag, (error as { command?: string }).command], ["ReplyError", "SMOVE"])
      assert.deepStrictEqual(refused.sent().map((r) => [r.address, ...r.args]).filter((r) => r[1] !== "TYPE"), [
        [ownerOf(src), "SREM", src, "m"],
        [ownerOf(dst), "SADD", dst, "m"],
        [ownerOf(src), "SADD", src, "m"]
      ])
      const lost = ScriptedTransport.make(script(ScriptedTransport.drop({ written: true })))
      const dropped = yield* Effect.flip(Redis.smove(src, dst, "m").pipe(Effect.provide(clusterLayer(lost))))
      assert.strictEqual(dropped._tag, "ConnectionError")
      assert.deepStrictEqual(lost.sent({ command: "SADD" }).map((r) => r.args[1]), [dst])
    }))

  it.effect("LMOVE: a refused push puts the element back where it was popped", () =>
    Effect.gen(function*() {
      const [src, dst] = [keyOn(A, "src"), keyOn(B, "dst")]
      const transport = ScriptedTransport.make((r) =>
        r.args[0] === "TYPE" ? "list" : r.args[0] === "RPOP" ? "e" : r.args[0] === "LPUSH" && r.args[1] === dst ? new RespErrorReply("OOM command not allowed") : 1
      )
      const error = yield* Effect.flip(Redis.lmove(src, dst, "RIGHT", "LEFT").pipe(Effect.provide(clusterLayer(transport))))
      assert.deepStrictEqual([error._tag, error.message], ["ReplyError", "OOM command not allowed"])
      assert.deepStrictEqual(transport.sent().filter((r) => r.args[0] !== "TYPE").map((r) => [r.address, ...r.args]), [
        [A, "RPOP", src],
        [B, "LPUSH", dst, "e"],
        [A, "RPUSH", src, "e"]
      ])
    }))

  it.effect("STORE forms build in a temporary key on the destination's slot, then copy it in one command", () =>
    Effect.gen(function*() {
      const [a, b, dst] = [keyOn(A, "a"), keyOn(B, "b"), keyOn(C, "dst")]
      const ok = ScriptedTransport.make((r) => (r.args[0] === "SMEMBERS" ? ["x", "y"] : r.args[0] === "SUNIONSTORE" ? 2 : 1))
      assert.strictEqual(yield* Redis.sunionstore(dst, [a, b]).pipe(Effect.provide(clusterLayer(ok))), 2)
      const writes = ok.sent().filter((r) => r.args[0] !== "SMEMBERS")
      const temp = writes[0]!.args[1]!
      assert.strictEqual(keySlot(temp), keySlot(dst))
      assert.deepStrictEqual(writes.map((r) => [r.address, ...r.args]), [
        [C, "SADD", temp, "x", "y"],
        [C, "PEXPIRE", temp, "60000"],
        [C, "SUNIONSTORE", dst, temp],
        [C, "DEL", temp]
      ])
      // A failed build leaves the destination alone and deletes the temporary key.
      const failing = ScriptedTransport.make((r) => (r.args[0] === "SMEMBERS" ? ["x"] : r.args[0] === "SADD" ? new RespErrorReply("OOM no memory") : 1))
      const error = yield* Effect.flip(Redis.sunionstore(dst, [a, b]).pipe(Effect.provide(clusterLayer(failing))))
      assert.deepStrictEqual([error._tag, (error as { command?: string }).command], ["ReplyError", "SUNIONSTORE"])
      // The expiry is only sent once the first write created the temporary key.
      assert.deepStrictEqual(failing.sent().filter((r) => r.args[0] !== "SMEMBERS").map((r) => r.args[0]), ["SADD", "DEL"])
    }))

  it.effect("PFMERGE copies remote sources to temporary keys on the destination's slot and deletes them, also on failure", () =>
    Effect.gen(function*() {
      const [local, dst] = ["{hll}:local", "{hll}:dst"]
      const home = ownerOf(dst)
      const remote = keyOn(home === B ? C : B, "remote")
      const hll = Buffer.from("HYLL-raw")
      for (const reply of ["OK", new RespErrorReply("WRONGTYPE Key is not a valid HyperLogLog string value.")] as const) {
        const transport = ScriptedTransport.make((r) => (r.args[0] === "GET" ? hll : r.args[0] === "PFMERGE" ? reply : "OK"))
        const result = yield* Effect.result(Redis.pfmerge(dst, [local, remote]).pipe(Effect.provide(clusterLayer(transport))))
        assert.strictEqual(Result.isSuccess(result), reply === "OK")
        const sent = transport.sent().map((r) => [r.address, ...r.args])
        const temp = sent[1]![2]!
        assert.strictEqual(keySlot(temp), keySlot(dst))
        assert.deepStrictEqual(sent, [
          [ownerOf(remote), "GET", remote],
          [home, "SET", temp, "HYLL-raw", "PX", "60000"],
          [home, "PFMERGE", dst, local, temp],
          [home, "DEL", temp]
        ])
      }
    }))

  it.effect("RENAME: RESTORE then DEL; a failed RESTORE leaves the source; nothing is sent with nonAtomicCrossSlot off", () =>
    Effect.gen(function*() {
      const [src, dst] = [keyOn(A, "src"), keyOn(C, "dst")]
      const payload = Buffer.from([1, 2, 3])
      const script = (restore: unknown) => (r: { readonly args: ReadonlyArray<string> }) =>
        r.args[0] === "DUMP" ? payload : r.args[0] === "PEXPIRETIME" ? 1_900_000_000_000 : r.args[0] === "RESTORE" ? restore as never : 1
      const ok = ScriptedTransport.make(script("OK"))
      yield* Redis.rename(src, dst).pipe(Effect.provide(clusterLayer(ok)))
      assert.deepStrictEqual(ok.sent().map((r) => [r.address, r.args[0]]), [[A, "DUMP"], [A, "PEXPIRETIME"], [C, "RESTORE"], [A, "DEL"]])
      assert.deepStrictEqual(ok.sent({ command: "RESTORE" })[0]!.args.slice(2).filter((_, i) => i !== 1), ["1900000000000", "REPLACE", "ABSTTL"])
      const busy = ScriptedTransport.make(script(new RespErrorReply("ERR Bad data format")))
      const error = yield* Effect.flip(Redis.rename(src, dst).pipe(Effect.provide(clusterLayer(busy))))
      assert.deepStrictEqual([error._tag, error.message], ["ReplyError", "ERR Bad data format"])
      assert.strictEqual(busy.sent({ command: "DEL" }).length, 0)
      const strict = ScriptedTransport.make(() => "OK")
      const crossSlot = yield* Effect.flip(Redis.rename(src, dst).pipe(Effect.provide(clusterLayer(strict, { nonAtomicCrossSlot: false }))))
      assert.strictEqual(crossSlot._tag, "CrossSlotError")
      assert.strictEqual(strict.requests.length, 0)
    }))
})

describe("the same random operations on a cluster and on a standalone server give the same results and data", () => {
  const cluster = ManagedRuntime.make(RedisCluster.layer({ startupNodes: nodes, protocol: 3 }))
  const standalone = ManagedRuntime.make(RedisNode.layer({ url: inject("standaloneUrl"), protocol: 2 }) as Layer.Layer<RedisClient, unknown>)
  afterAll(async () => {
    await cluster.dispose()
    await standalone.dispose()
  })

  const KEYS = 6
  type Op =
    | { readonly op: "sadd"; readonly key: number; readonly members: ReadonlyArray<string> }
    | { readonly op: "zadd"; readonly key: number; readonly entries: ReadonlyArray<readonly [number, string]> }
    | { readonly op: "sinterstore" | "sunionstore" | "sdiffstore"; readonly destination: number; readonly keys: ReadonlyArray<number> }
    | {
      readonly op: "zunionstore" | "zinterstore"
      readonly destination: number
      readonly keys: ReadonlyArray<number>
      readonly weights: ReadonlyArray<number> | undefined
      readonly aggregate: "SUM" | "MIN" | "MAX" | undefined
    }
    | { readonly op: "rename"; readonly from: number; readonly to: number }
    | { readonly op: "smove"; readonly from: number; readonly to: number; readonly member: string }

  const key = fc.integer({ min: 0, max: KEYS - 1 })
  const member = fc.constantFrom("a", "b", "c", "d", "e")
  const score = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -0.25, Infinity, -Infinity))
  const weight = fc.constantFrom(-2, -1, -0, 0, 0.5, 1, 3, Infinity, -Infinity)
  const keys = fc.array(key, { minLength: 1, maxLength: 4 })
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant("sadd" as const), key, members: fc.array(member, { minLength: 1, maxLength: 4 }) }),
    fc.record({ op: fc.constant("zadd" as const), key, entries: fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 4 }) }),
    fc.record({ op: fc.constantFrom("sinterstore" as const, "sunionstore" as const, "sdiffstore" as const), destination: key, keys }),
    keys.chain((ks) =>
      fc.record({
        op: fc.constantFrom("zunionstore" as const, "zinterstore" as const),
        destination: key,
        keys: fc.constant(ks),
        weights: fc.option(fc.array(weight, { minLength: ks.length, maxLength: ks.length }), { nil: undefined }),
        aggregate: fc.option(fc.constantFrom("SUM" as const, "MIN" as const, "MAX" as const), { nil: undefined })
      })
    ),
    fc.record({ op: fc.constant("rename" as const), from: key, to: key }),
    fc.record({ op: fc.constant("smove" as const), from: key, to: key, member })
  )

  it("random SADD / ZADD / S*STORE / ZUNIONSTORE / ZINTERSTORE / RENAME / SMOVE sequences", async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        const base = `${prefix}:prop:${run++}`
        const name = (i: number) => `${base}:{k${i}}`
        const commandOf = (op: Op): Command<unknown> => {
          switch (op.op) {
            case "sadd":
              return Redis.sadd(name(op.key), op.members)
            case "zadd":
              return Redis.zadd(name(op.key), op.entries)
            case "sinterstore":
            case "sunionstore":
            case "sdiffstore":
              return Redis[op.op](name(op.destination), op.keys.map(name))
            case "zunionstore":
            case "zinterstore":
              return Redis[op.op](name(op.destination), op.keys.map(name), { weights: op.weights, aggregate: op.aggregate })
            case "rename":
              return Redis.rename(name(op.from), name(op.to))
            case "smove":
              return Redis.smove(name(op.from), name(op.to), op.member)
          }
        }
        const step = (op: Op) =>
          Effect.gen(function*() {
            const result = yield* outcome(commandOf(op) as Effect.Effect<unknown, RedisError, RedisClient>)
            const state = yield* Effect.forEach(Array.from({ length: KEYS }, (_, i) => name(i)), stateOf)
            return { result, state }
          })
        for (const op of ops) {
          const [onCluster, onStandalone] = await Promise.all([cluster.runPromise(step(op)), standalone.runPromise(step(op))])
          assert.deepStrictEqual(onCluster, onStandalone, JSON.stringify(op))
        }
      }),
      { numRuns: 30 }
    )
  })
})
