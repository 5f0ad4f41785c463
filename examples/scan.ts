/**
 * Walking the keyspace and big collections as Streams: every key of a cluster (or of one server) with MATCH and
 * TYPE, a hash-tagged pattern that only asks the one node holding it, and a hash and a sorted set read page by page.
 * Each SCAN reply is one chunk and the next one is only asked for when the consumer pulls, so none of this holds more
 * than a page in memory.
 *
 * `REDIS_CLUSTER_URL=redis://127.0.0.1:7000 node examples/scan.ts` (or `REDIS_URL=...` for one server).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Redis, RedisClient } from "@effect-redis/client"
import { Console, Effect, Stream } from "effect"
import { clientFromEnv } from "./support/clientFromEnv.ts"

const run = `scan-example:${Date.now()}`

/** The example program, written against `RedisClient`. */
export const program = Effect.gen(function*() {
  // 1000 sessions spread over every slot, and 3 profiles of one user under one hash tag (one slot, one node).
  for (let i = 0; i < 1000; i += 100) {
    yield* RedisClient.pipeline(Array.from({ length: 100 }, (_, j) => Redis.set(`${run}:session:${i + j}`, "active")))
  }
  for (const name of ["profile", "settings", "history"]) yield* Redis.hset(`${run}:{user:7}:${name}`, { seen: "1" })

  const sessions = yield* RedisClient.scan({ match: `${run}:session:*` }).pipe(Stream.runCount)
  yield* Console.log(`sessions: ${sessions}`)

  const hashes = yield* RedisClient.scan({ match: `${run}:*`, type: "hash" }).pipe(Stream.runCollect)
  yield* Console.log(`hashes: ${hashes.length}`)

  // The pattern is literal up to its hash tag, so on a cluster only the node serving that slot is scanned.
  const user7 = yield* RedisClient.scan({ match: `${run}:{user:7}:*` }).pipe(
    Stream.map((key) => key.slice(key.lastIndexOf(":") + 1)),
    Stream.runCollect
  )
  yield* Console.log(`user 7 has: ${[...user7].sort().join(", ")}`)

  // A hash and a sorted set, page by page: [field, value] and [member, score] tuples.
  yield* Redis.hset(`${run}:inventory`, Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`item:${i}`, String(i % 7)])))
  const inStock = yield* RedisClient.hscan(`${run}:inventory`, { count: 500 }).pipe(
    Stream.filter(([, quantity]) => quantity !== "0"),
    Stream.runCount
  )
  yield* Console.log(`items in stock: ${inStock} of 2000`)
  yield* Redis.zadd(`${run}:scores`, { ada: 30, grace: 25, alan: 12 })
  const best = yield* RedisClient.zscan(`${run}:scores`).pipe(
    Stream.runFold(() => ["", -Infinity] as readonly [string, number], (top, entry) => (entry[1] > top[1] ? entry : top))
  )
  yield* Console.log(`best score: ${best[0]}=${best[1]}`)

  // Clean up with the same stream: delete in batches of 200 keys (split by slot on a cluster).
  const deleted = yield* RedisClient.scan({ match: `${run}:*` }).pipe(
    Stream.grouped(200),
    Stream.mapEffect((keys) => Redis.unlink(keys)),
    Stream.runFold(() => 0, (sum, n) => sum + n)
  )
  yield* Console.log(`deleted: ${deleted} keys`)
})

if (import.meta.main) program.pipe(Effect.provide(clientFromEnv()), NodeRuntime.runMain)
