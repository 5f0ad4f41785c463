/**
 * The scan streams on one server (`RedisNode.layer`), under RESP2 and RESP3: every key once (text and binary keys),
 * TYPE and MATCH, per-key HSCAN/SSCAN/ZSCAN, bad options; and on servers of their own (so their statistics and
 * logs are the test's alone): pulled on demand and interruptible, and HSCAN's NOVALUES used where the server has it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RedisClient, type RedisError, RedisNode } from "@effect-redis/client"
import { LocalServer, serverVersion } from "@effect-redis/testkit"
import { Deferred, Effect, Fiber, Stream } from "effect"
import { inject } from "vitest"
import { assertEachAtLeastOnce, assertExactlyOnce, collectChunks, keyNames, writeKeys } from "./support/ScanSupport.ts"
import { runPrefix } from "./support/targets.ts"

const server = serverVersion()
const prefix = runPrefix("scan-standalone")

describe.each([2, 3] as const)("scan streams on one server over RESP%s", (protocol) => {
  const layer = RedisNode.layer({ url: inject("standaloneUrl"), protocol })
  const k = (name: string) => `${prefix}:${protocol}:${name}`

  it.live("every key matching once, chunk by chunk; binary keys as bytes, exactly as stored; dedupe", () =>
    Effect.gen(function*() {
      const keys = keyNames(k("bulk"), 20_000)
      yield* writeKeys(keys)
      const { items, chunks } = yield* collectChunks(RedisClient.scan({ match: `${k("bulk")}:*`, count: 500 }))
      assertExactlyOnce(items, keys)
      assert.isAbove(chunks.length, 10)
      const deduped = yield* collectChunks(RedisClient.scan({ match: `${k("bulk")}:*`, dedupe: true }))
      assertExactlyOnce(deduped.items, keys)

      const binary = [Uint8Array.of(0xff, 0xfe, 0x00, 0x41), Uint8Array.of(0xc3, 0x28), Buffer.from("plain")].map((tail) =>
        Buffer.concat([Buffer.from(`${k("bin")}:`), tail]))
      for (const key of binary) yield* Redis.set(key, "x")
      const bytes = yield* collectChunks(RedisClient.scanBytes({ match: `${k("bin")}:*` }))
      assert.deepStrictEqual(
        bytes.items.map((key) => Buffer.from(key).toString("hex")).sort(),
        binary.map((key) => key.toString("hex")).sort()
      )
      const dedupedBytes = yield* collectChunks(RedisClient.scanBytes({ match: `${k("bin")}:*`, dedupe: true }))
      assert.strictEqual(dedupedBytes.items.length, binary.length)
    }).pipe(Effect.provide(layer)), 60_000)

  it.live("TYPE and MATCH", () =>
    Effect.gen(function*() {
      yield* Redis.hset(k("t:hash"), { f: "v" })
      yield* Redis.sadd(k("t:set"), "m")
      yield* Redis.set(k("t:string"), "v")
      yield* Redis.xadd(k("t:stream"), { f: "v" })
      const of = (type: string) => Effect.map(collectChunks(RedisClient.scan({ type, match: `${k("t")}:*` })), (r) => r.items)
      assert.deepStrictEqual(yield* of("hash"), [k("t:hash")])
      assert.deepStrictEqual(yield* of("stream"), [k("t:stream")])
      assert.deepStrictEqual(yield* of("STRING"), [k("t:string")])
      const all = yield* collectChunks(RedisClient.scan({ match: `${k("t")}:s*` }))
      assert.deepStrictEqual([...all.items].sort(), [k("t:set"), k("t:stream"), k("t:string")])
    }).pipe(Effect.provide(layer)))

  it.live("hscan, hscanFields, sscan, zscan: every entry, MATCH and COUNT honoured", () =>
    Effect.gen(function*() {
      const fields = Array.from({ length: 3000 }, (_, i) => [`f${i}`, `v${i}`] as const)
      yield* Redis.hset(k("hash"), fields)
      yield* Redis.sadd(k("set"), fields.map(([f]) => f))
      yield* Redis.zadd(k("zset"), fields.map(([f], i) => ({ member: f, score: i / 2 })))
      const pairs = yield* collectChunks(RedisClient.hscan(k("hash"), { count: 100 }))
      assert.isAbove(pairs.chunks.length, 5)
      assert.deepStrictEqual(new Map(pairs.items), new Map(fields))
      const names = yield* collectChunks(RedisClient.hscanFields(k("hash"), { match: "f2??" }))
      assertExactlyOnce(names.items, fields.map(([f]) => f).filter((f) => /^f2\d\d$/.test(f)))
      const members = yield* collectChunks(RedisClient.sscan(k("set"), { dedupe: true }))
      assertExactlyOnce(members.items, fields.map(([f]) => f))
      const scored = yield* collectChunks(RedisClient.zscan(k("zset"), { match: "f1?" }))
      assert.deepStrictEqual(new Map(scored.items), new Map(fields.slice(10, 20).map(([f], i) => [f, (i + 10) / 2])))
    }).pipe(Effect.provide(layer)))

  it.live("bad options fail with InvalidArgumentError; server errors are typed", () =>
    Effect.gen(function*() {
      const streams: ReadonlyArray<Stream.Stream<unknown, RedisError, RedisClient>> = [
        RedisClient.scan({ count: 0 }),
        RedisClient.scanBytes({ count: -1 }),
        RedisClient.scan({ type: "nosuchtype" }),
        RedisClient.hscanFields(k("hash"), { count: 0 }),
        RedisClient.zscan(k("zset"), { count: Number.NaN })
      ]
      for (const stream of streams) assert.strictEqual((yield* Effect.flip(Stream.runDrain(stream)))._tag, "InvalidArgumentError")
      yield* Redis.set(k("plain"), "v")
      const wrong = yield* Effect.flip(Stream.runDrain(RedisClient.hscan(k("plain"))))
      assert.isTrue(wrong._tag === "ReplyError" && wrong.code === "WRONGTYPE")
    }).pipe(Effect.provide(layer)))
})

const commandCalls = (info: string, command: string): number => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0)

it.live("one server: pulled on demand, and nothing keeps running after an interruption", () =>
  Effect.gen(function*() {
    const own = yield* LocalServer.make()
    const scans = Effect.map(own.command(["INFO", "commandstats"]), (info) => commandCalls(String(info), "scan"))
    yield* Effect.gen(function*() {
      yield* writeKeys(keyNames("paced", 5000))
      yield* own.command(["CONFIG", "RESETSTAT"])
      const first = yield* Deferred.make<void>()
      const consumer = yield* Effect.forkChild(
        Stream.runForEachArray(RedisClient.scan({ count: 10 }), () => Effect.andThen(Deferred.succeed(first, undefined), Effect.never))
      )
      yield* Deferred.await(first)
      yield* Effect.sleep("200 millis")
      assert.strictEqual(yield* scans, 1, "one SCAN per pulled chunk")
      yield* Fiber.interrupt(consumer)
      const racing = yield* Effect.forkChild(Stream.runDrain(RedisClient.scan({ count: 10 })))
      yield* Effect.sleep("50 millis")
      yield* Fiber.interrupt(racing)
      const stopped = yield* scans
      yield* Effect.sleep("200 millis")
      assert.strictEqual(yield* scans, stopped, "no SCAN after the interruption")
    }).pipe(Effect.provide(RedisNode.layer({ port: own.port })))
  }), 60_000)

it.live(`hscanFields sends NOVALUES where the server has it (${server.label}), and still streams fields where not`, () =>
  Effect.gen(function*() {
    const own = yield* LocalServer.make()
    const hasNoValues = server.atLeast("redis", "7.4") || server.flavour === "valkey"
    yield* Effect.gen(function*() {
      // Large enough to be a hash table on every server (small hashes are answered in one page).
      yield* Redis.hset("h", Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, "v"])))
      // Every command goes to the slow log, with its arguments.
      yield* own.command(["CONFIG", "SET", "slowlog-log-slower-than", "0"])
      yield* own.command(["SLOWLOG", "RESET"])
      const fields = yield* collectChunks(RedisClient.hscanFields("h", { count: 50 }))
      assertEachAtLeastOnce(fields.items, Array.from({ length: 5000 }, (_, i) => `f${i}`))
      const log = (yield* own.command(["SLOWLOG", "GET", "1000"])) as ReadonlyArray<ReadonlyArray<unknown>>
      const hscans = log.map((entry) => (entry[3] as ReadonlyArray<unknown>).map(String)).filter((args) => args[0]?.toUpperCase() === "HSCAN")
      assert.isAbove(hscans.length, 1)
      if (hasNoValues) {
        assert.isTrue(hscans.every((args) => args.includes("NOVALUES")), JSON.stringify(hscans))
      } else {
        // Refused once, then plain HSCAN with the values dropped by the client.
        assert.strictEqual(hscans.filter((args) => args.includes("NOVALUES")).length, 1, JSON.stringify(hscans))
      }
    }).pipe(Effect.provide(RedisNode.layer({ port: own.port })))
  }), 60_000)

it.live("one server restarted mid-scan: the stale cursor is not trusted, every key at least once", () =>
  Effect.gen(function*() {
    const own = yield* LocalServer.make()
    const keys = keyNames("restarted", 20_000)
    yield* Effect.gen(function*() {
      yield* writeKeys(keys)
      yield* own.command(["SAVE"])
      let pages = 0
      const seen: Array<string> = []
      const restarted = yield* Deferred.make<void>()
      const scan = yield* Effect.forkChild(Stream.runForEachArray(RedisClient.scan({ count: 100 }), (chunk) =>
        Effect.gen(function*() {
          for (const key of chunk) seen.push(key)
          // A few pages from the first process, the rest from the restarted one (its hash seed differs).
          if (++pages === 20) yield* Deferred.await(restarted)
        })))
      yield* Effect.sleep("300 millis")
      yield* own.process.restart()
      yield* Deferred.succeed(restarted, undefined)
      yield* Fiber.join(scan)
      const repeats = assertEachAtLeastOnce(seen, keys)
      assert.isAbove(repeats, 0, "the walk started over")
    }).pipe(Effect.provide(RedisNode.layer({ port: own.port })))
  }), 60_000)
