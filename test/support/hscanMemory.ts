/**
 * Child process of the bounded-memory test: reads one hash on a cluster and reports its own memory, so the number is
 * this read's alone and not the test runner's.
 *
 *   node test/support/hscanMemory.ts <cluster url> <key> stream|hgetall
 *
 * `stream` counts the fields of `RedisClient.hscan` chunk by chunk (keeping none); `hgetall` reads the hash in one
 * reply, for comparison. Prints one JSON line: { fields, rssBeforeMB, peakRssMB }.
 */
import { Redis, RedisClient } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { Effect, Stream } from "effect"

const [url, key, mode] = process.argv.slice(2)

const program = Effect.gen(function*() {
  yield* Redis.ping()
  const rssBeforeMB = process.memoryUsage().rss / (1 << 20)
  let fields = 0
  if (mode === "stream") {
    yield* Stream.runForEachArray(RedisClient.hscan(key!, { count: 1000 }), (chunk) => Effect.sync(() => void (fields += chunk.length)))
  } else {
    fields = Object.keys(yield* Redis.hgetall(key!)).length
  }
  return { fields, rssBeforeMB, peakRssMB: process.resourceUsage().maxRSS / 1024 }
})

const result = await Effect.runPromise(program.pipe(Effect.provide(RedisCluster.layerUrl(url!))))
console.log(JSON.stringify(result))
process.exit(0)
