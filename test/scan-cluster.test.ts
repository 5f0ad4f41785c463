/**
 * RedisClient.scan on a stable cluster of its own (3 primaries, no replicas, nothing else writing; built once for
 * the file, tests run in order with the real clock): 200k keys over every slot emitted exactly once under RESP2 and
 * RESP3 (text, bytes, one or all primaries at once), the stream is
 * chunked by SCAN reply and pulled on demand, TYPE and MATCH filters, a hash-tagged MATCH reaches one node only,
 * interruption leaves nothing running, bad options fail before sending; per-key HSCAN/SSCAN/ZSCAN streams, also
 * while their key's slot moves, and a 1M-field HSCAN in bounded memory.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Redis, RedisClient, type RedisError } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { LocalCluster, type LocalClusterService, serverVersion } from "@effect-redis/testkit"
import { Deferred, Effect, Fiber, Stream } from "effect"
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import {
  assertEachAtLeastOnce,
  assertExactlyOnce,
  collectChunks,
  keyNames,
  resetStats,
  scanCallsByPrimary,
  writeKeys
} from "./support/ScanSupport.ts"

const server = serverVersion()
const KEY_COUNT = 200_000
const bulk = keyNames("bulk", KEY_COUNT)

const clientOf = (cluster: { readonly startupNodes: ReadonlyArray<{ host: string; port: number }> }, protocol: 2 | 3 = 3) =>
  RedisCluster.layer({ startupNodes: cluster.startupNodes, protocol })

/** Runs `effect` on a client of the test's cluster. */
const onCluster = <A, E>(effect: Effect.Effect<A, E, RedisClient | RedisCluster>, protocol: 2 | 3 = 3) =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster
    return yield* Effect.provide(effect, clientOf(cluster, protocol))
  })

const run = promisify(execFile)

/** Reads a hash in a child process (test/support/hscanMemory.ts) and returns its fields and memory. */
const readHashInChild = (url: string, key: string, mode: "stream" | "hgetall") =>
  Effect.promise(async () => {
    const { stdout } = await run(process.execPath, [join(import.meta.dirname, "support", "hscanMemory.ts"), url, key, mode], { timeout: 120_000 })
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as { fields: number; rssBeforeMB: number; peakRssMB: number }
  })

const totalScanCalls = (cluster: LocalClusterService) =>
  Effect.map(scanCallsByPrimary(cluster), (calls) => [...calls.values()].reduce((a, b) => a + b, 0))

layer(LocalCluster.layer({ primaries: 3, replicasPerPrimary: 0 }), { timeout: 120_000, excludeTestServices: true })("RedisClient.scan on a stable cluster", (it) => {
  it.effect("setup: 200k keys across all slots", () =>
    onCluster(Effect.gen(function*() {
      yield* writeKeys(bulk)
      assert.strictEqual(yield* Redis.dbsize(), KEY_COUNT)
      assert.strictEqual(new Set(bulk.map(keySlot)).size, 16384)
    })), 120_000)

  describe.each([2, 3] as const)("over RESP%s", (protocol) => {
    it.effect("every key exactly once, one SCAN reply per chunk", () =>
      onCluster(Effect.gen(function*() {
        const { items, chunks } = yield* collectChunks(RedisClient.scan())
        assertExactlyOnce(items, bulk)
        // Chunked by reply: about COUNT (1000) keys each, never the keyspace in one piece.
        assert.isAbove(chunks.length, KEY_COUNT / 2000)
        assert.isBelow(Math.max(...chunks), 3000)
      }), protocol), 60_000)

    it.effect("as bytes, and with every primary scanned at once: exactly once too", () =>
      onCluster(Effect.gen(function*() {
        const bytes = yield* collectChunks(RedisClient.scanBytes({ count: 500 }))
        assert.isTrue(bytes.items.every((key) => key instanceof Uint8Array))
        assertExactlyOnce(bytes.items.map((key) => Buffer.from(key).toString("utf8")), bulk)
        const parallel = yield* collectChunks(RedisClient.scan({ concurrency: 3 }))
        assertExactlyOnce(parallel.items, bulk)
        const deduped = yield* collectChunks(RedisClient.scan({ concurrency: 2, dedupe: true, count: 2000 }))
        assertExactlyOnce(deduped.items, bulk)
      }), protocol), 60_000)
  })

  it.effect("pulled on demand: a consumer that stops reading stops the SCANs; interrupted, nothing keeps running", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      yield* resetStats(cluster)
      yield* onCluster(Effect.gen(function*() {
        const firstChunk = yield* Deferred.make<void>()
        const consumer = yield* Effect.forkChild(
          Stream.runForEachArray(RedisClient.scan({ count: 100 }), () => Effect.andThen(Deferred.succeed(firstChunk, undefined), Effect.never))
        )
        yield* Deferred.await(firstChunk)
        yield* Effect.sleep("300 millis")
        // The page being consumed, plus the one SCAN sent ahead: the keyspace is not being read into memory.
        assert.isAtMost(yield* totalScanCalls(cluster), 2)
        yield* Fiber.interrupt(consumer)
        const afterInterrupt = yield* totalScanCalls(cluster)
        yield* Effect.sleep("300 millis")
        assert.strictEqual(yield* totalScanCalls(cluster), afterInterrupt, "no SCAN after the stream was interrupted")
        // Interrupted with every primary being scanned at once: the same.
        const parallel = yield* Effect.forkChild(Stream.runDrain(RedisClient.scan({ count: 10, concurrency: 3 })))
        yield* Effect.sleep("100 millis")
        yield* Fiber.interrupt(parallel)
        const stopped = yield* totalScanCalls(cluster)
        assert.isAbove(stopped, afterInterrupt)
        yield* Effect.sleep("300 millis")
        assert.strictEqual(yield* totalScanCalls(cluster), stopped, "no SCAN after the parallel stream was interrupted")
      }))
    }), 60_000)

  it.effect("TYPE and MATCH filter on the servers; TYPE names are case-insensitive", () =>
    onCluster(Effect.gen(function*() {
      const names = (kind: string) => keyNames(`typed:${kind}`, 40)
      yield* Effect.forEach(names("hash"), (key) => Redis.hset(key, { f: "v" }), { concurrency: 16, discard: true })
      yield* Effect.forEach(names("set"), (key) => Redis.sadd(key, "m"), { concurrency: 16, discard: true })
      yield* Effect.forEach(names("zset"), (key) => Redis.zadd(key, { m: 1 }), { concurrency: 16, discard: true })
      yield* Effect.forEach(names("list"), (key) => Redis.rpush(key, "e"), { concurrency: 16, discard: true })
      yield* writeKeys(names("string"))
      for (const kind of ["hash", "set", "zset", "list", "string"]) {
        const { items } = yield* collectChunks(RedisClient.scan({ type: kind, match: "typed:*" }))
        assertExactlyOnce(items, names(kind))
      }
      const upper = yield* collectChunks(RedisClient.scan({ type: "HASH", match: "typed:*" }))
      assertExactlyOnce(upper.items, names("hash"))
      // MATCH alone: every type; a pattern over the numbers.
      const matched = yield* collectChunks(RedisClient.scan({ match: "typed:*:1?" }))
      const expected = ["hash", "set", "zset", "list", "string"].flatMap((kind) => names(kind).filter((key) => /:1\d$/.test(key)))
      assertExactlyOnce(matched.items, expected)
      // TYPE alone over the bulk keys and the typed ones.
      const hashes = yield* collectChunks(RedisClient.scan({ type: "hash" }))
      assertExactlyOnce(hashes.items, names("hash"))
    })), 60_000)

  it.effect("a MATCH with a fixed hash tag scans only the node serving that slot (INFO commandstats)", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      const tagged = keyNames("{user:1}:session", 300)
      yield* onCluster(writeKeys(tagged))
      const owner = yield* cluster.primaryForSlot(keySlot("{user:1}"))
      yield* resetStats(cluster)
      const { items } = yield* onCluster(collectChunks(RedisClient.scan({ match: "{user:1}:*", count: 50 })))
      assertExactlyOnce(items, tagged)
      const calls = yield* scanCallsByPrimary(cluster)
      for (const [address, n] of calls) {
        if (address === `${owner.host}:${owner.port}`) assert.isAbove(n, 0, "the owner was scanned")
        else assert.strictEqual(n, 0, `${address} does not serve {user:1} and must not be scanned`)
      }
      // Without a fixed tag every primary is scanned, even if only one holds matches.
      yield* resetStats(cluster)
      const loose = yield* onCluster(collectChunks(RedisClient.scan({ match: "*user:1}:*" })))
      assertExactlyOnce(loose.items, tagged)
      const everywhere = yield* scanCallsByPrimary(cluster)
      assert.isTrue([...everywhere.values()].every((n) => n > 0), JSON.stringify([...everywhere]))
    }), 60_000)

  it.effect("bad options fail with InvalidArgumentError before anything is sent", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      yield* resetStats(cluster)
      yield* onCluster(Effect.gen(function*() {
        const bad = [
          RedisClient.scan({ count: 0 }),
          RedisClient.scan({ count: -5 }),
          RedisClient.scan({ count: 1.5 }),
          RedisClient.scan({ concurrency: 0 }),
          RedisClient.scan({ type: "nosuchtype" }),
          RedisClient.scan({ type: "" })
        ]
        for (const stream of bad) {
          const error = yield* Effect.flip(Stream.runDrain(stream))
          assert.strictEqual(error._tag, "InvalidArgumentError", error.message)
        }
        const zero = yield* Effect.flip(Stream.runDrain(RedisClient.scan({ count: 0 })))
        assert.include(zero.message, "count must be an integer >= 1, got 0")
        const typed = yield* Effect.flip(Stream.runDrain(RedisClient.scan({ type: "nosuchtype" })))
        assert.include(typed.message, "is not a Redis type")
        const perKey: ReadonlyArray<Stream.Stream<unknown, RedisError, RedisClient>> = [
          RedisClient.hscan("h", { count: 0 }),
          RedisClient.sscan("s", { count: -1 }),
          RedisClient.zscan("z", { count: 0 })
        ]
        for (const stream of perKey) {
          assert.strictEqual((yield* Effect.flip(Stream.runDrain(stream)))._tag, "InvalidArgumentError")
        }
      }))
      assert.strictEqual(yield* totalScanCalls(cluster), 0, "nothing reached a server")
      // A module type name has the right shape, so the server decides: Valkey refuses an unknown one, Redis 7 and 8
      // match no key with it.
      const moduleType = yield* onCluster(Effect.result(collectChunks(RedisClient.scan({ type: "nosuch-ty" }))))
      if (server.flavour === "valkey") {
        assert.isTrue(moduleType._tag === "Failure" && moduleType.failure._tag === "ReplyError", String(moduleType))
      } else {
        assert.isTrue(moduleType._tag === "Success" && moduleType.success.items.length === 0)
      }
    }), 60_000)

  describe.each([2, 3] as const)("per-key streams over RESP%s", (protocol) => {
    const key = (name: string) => `entries:${protocol}:${name}`
    it.effect("hscan, hscanFields, sscan and zscan emit every entry, with MATCH and COUNT, page by page", () =>
      onCluster(Effect.gen(function*() {
        const fields = Array.from({ length: 5000 }, (_, i) => [`f${i}`, `v${i}`] as const)
        for (let i = 0; i < fields.length; i += 1000) yield* Redis.hset(key("hash"), fields.slice(i, i + 1000))
        const members = fields.map(([field]) => field)
        for (let i = 0; i < members.length; i += 1000) yield* Redis.sadd(key("set"), members.slice(i, i + 1000))
        yield* Redis.zadd(key("zset"), { low: -Infinity, high: Infinity, mid: 1.5 })

        const pairs = yield* collectChunks(RedisClient.hscan(key("hash"), { count: 200 }))
        assert.isAbove(pairs.chunks.length, 5)
        assert.deepStrictEqual(new Map(pairs.items), new Map(fields))
        assertEachAtLeastOnce(pairs.items.map(([f]) => f), members)
        const fieldsOnly = yield* collectChunks(RedisClient.hscanFields(key("hash"), { match: "f1*" }))
        assertExactlyOnce(fieldsOnly.items, members.filter((f) => f.startsWith("f1")))
        const setMembers = yield* collectChunks(RedisClient.sscan(key("set"), { match: "f4?", dedupe: true }))
        assertExactlyOnce(setMembers.items, members.filter((m) => /^f4\d$/.test(m)))
        const scored = yield* collectChunks(RedisClient.zscan(key("zset")))
        assert.deepStrictEqual(new Map(scored.items), new Map([["low", -Infinity], ["high", Infinity], ["mid", 1.5]]))
        const missing = yield* collectChunks(RedisClient.hscan(key("nothing")))
        assert.deepStrictEqual(missing.items, [])
        const wrongType = yield* Effect.flip(Stream.runDrain(RedisClient.sscan(key("hash"))))
        assert.isTrue(wrongType._tag === "ReplyError" && wrongType.code === "WRONGTYPE")
      }), protocol), 60_000)
  })

  it.effect("an HSCAN whose key moves mid-iteration (ASK while its slot migrates, then MOVED) still emits every field", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      const hash = "moving:{hash}"
      const slot = keySlot(hash)
      const fields = Array.from({ length: 20_000 }, (_, i) => [`f${i}`, "v"] as const)
      yield* onCluster(Effect.forEach(Array.from({ length: 20 }, (_, i) => i), (i) => Redis.hset(hash, fields.slice(i * 1000, i * 1000 + 1000)), { discard: true }))
      const source = yield* cluster.primaryForSlot(slot)
      const target = (yield* cluster.shards).find((shard) => shard.primary.port !== source.port)!.primary
      yield* onCluster(Effect.gen(function*() {
        let pages = 0
        const seen: Array<string> = []
        const keyMoved = yield* Deferred.make<void>()
        const slotMoved = yield* Deferred.make<void>()
        const scan = yield* Effect.forkChild(Stream.runForEachArray(RedisClient.hscan(hash, { count: 100 }), (chunk) =>
          Effect.gen(function*() {
            for (const [field] of chunk) seen.push(field)
            // A few pages on the source; then the key is on the target while its slot still migrates (the source
            // answers ASK); a few pages there; then the migration ends and the target owns the slot.
            pages++
            if (pages === 5) yield* Deferred.await(keyMoved)
            if (pages === 10) yield* Deferred.await(slotMoved)
          })))
        yield* Effect.sleep("200 millis")
        yield* cluster.beginSlotMigration(slot, target)
        assert.isAtLeast(yield* cluster.migrateKeys(slot), 1)
        yield* Deferred.succeed(keyMoved, undefined)
        yield* Effect.sleep("200 millis")
        yield* cluster.finishSlotMigration(slot)
        yield* Deferred.succeed(slotMoved, undefined)
        yield* Fiber.join(scan)
        assert.isAtLeast(pages, 10)
        assertEachAtLeastOnce(seen, fields.map(([field]) => field))
        assert.strictEqual((yield* cluster.primaryForSlot(slot)).port, target.port)
      }))
    }), 90_000)

  it.effect("HSCAN of a 1M-field hash streams in bounded memory (peak RSS against HGETALL of the same hash)", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster
      const hash = "huge:{hash}"
      yield* onCluster(Effect.gen(function*() {
        for (let i = 0; i < 1_000_000; i += 50_000) {
          yield* RedisClient.pipeline(Array.from({ length: 50 }, (_, j) =>
            Redis.hset(hash, Array.from({ length: 1000 }, (_, k) => [`field:${i + j * 1000 + k}`, "value-0123456789"] as const))))
        }
        assert.strictEqual(yield* Redis.hlen(hash), 1_000_000)
      }))
      const streamed = yield* readHashInChild(cluster.url, hash, "stream")
      const whole = yield* readHashInChild(cluster.url, hash, "hgetall")
      yield* onCluster(Redis.unlink(hash))
      const growth = (r: typeof streamed) => r.peakRssMB - r.rssBeforeMB
      console.log(
        `1M-field HSCAN stream: peak RSS ${streamed.peakRssMB.toFixed(0)} MB (${growth(streamed).toFixed(0)} MB over the ` +
          `${streamed.rssBeforeMB.toFixed(0)} MB before it); HGETALL: peak ${whole.peakRssMB.toFixed(0)} MB (+${growth(whole).toFixed(0)} MB)`
      )
      assert.strictEqual(streamed.fields, 1_000_000)
      assert.strictEqual(whole.fields, 1_000_000)
      // Holding the hash costs HGETALL well over 100 MB; the stream holds a page or two.
      assert.isBelow(growth(streamed), 40)
      assert.isAbove(growth(whole), 3 * growth(streamed))
    }), 180_000)
})
