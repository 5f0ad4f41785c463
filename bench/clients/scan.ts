/**
 * One whole-cluster SCAN, in its own process so clients never share a heap or a JIT profile:
 *   node bench/clients/scan.ts <client> <startup nodes host:port,...> <count> <expected keys>
 * Prints one JSON line: { keys, seconds, cpuMicros, rssBeforeMB, maxRssMB } (RSS when connected, before the scan,
 * and the process's peak). Fails (exit 1) unless exactly `<expected keys>`
 * keys were seen: the cluster is quiet during a run, so every client must see each key exactly once.
 *
 * Clients:
 * - `effect-redis`: `RedisClient.scan({ count })` on `RedisCluster.layer`, one primary at a time (the default);
 *   `effect-redis-c3`: the same with `concurrency: 3` (every primary at once). Chunks are counted with
 *   `Stream.runForEachArray`, the way a consumer that handles keys in batches reads it.
 * - `ioredis`: what ioredis users do, since ioredis has no cluster-wide scan: `cluster.nodes("master")`, one
 *   `scanStream({ count })` per primary, all read at once; keys counted in each stream's `data` event.
 * - `node-redis`: `cluster.masters` + `cluster.nodeClient(master)`, one `scanIterator({ COUNT })` per primary,
 *   all read at once.
 */
import { RedisClient } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { Effect, ManagedRuntime, Stream } from "effect"
import { Cluster as IORedisCluster } from "ioredis"
import { performance } from "node:perf_hooks"
import { createCluster } from "redis"

const [clientName, target, countText, expectedText] = process.argv.slice(2)
const count = Number(countText)
const expected = Number(expectedText)
const startupNodes = target!.split(",").map((address) => {
  const colon = address.lastIndexOf(":")
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) }
})

/** Connects, then returns the scan to time (resolving to the number of keys seen) and how to close. */
const prepare = async (): Promise<{ scan: () => Promise<number>; close: () => Promise<unknown> }> => {
  switch (clientName) {
    case "effect-redis":
    case "effect-redis-c3": {
      const runtime = ManagedRuntime.make(RedisCluster.layer({ startupNodes }))
      await runtime.runPromise(RedisCluster.topology)
      const concurrency = clientName === "effect-redis-c3" ? 3 : 1
      return {
        scan: async () => {
          let keys = 0
          await runtime.runPromise(
            Stream.runForEachArray(RedisClient.scan({ count, concurrency }), (chunk) => Effect.sync(() => void (keys += chunk.length)))
          )
          return keys
        },
        close: () => runtime.dispose()
      }
    }
    case "ioredis": {
      const cluster = new IORedisCluster(startupNodes)
      await cluster.ping()
      return {
        scan: async () => {
          const counts = await Promise.all(cluster.nodes("master").map((node) =>
            new Promise<number>((resolve, reject) => {
              let keys = 0
              node.scanStream({ count })
                .on("data", (chunk: Array<string>) => { keys += chunk.length })
                .on("end", () => resolve(keys))
                .on("error", reject)
            })))
          return counts.reduce((a, b) => a + b, 0)
        },
        close: () => cluster.quit()
      }
    }
    case "node-redis": {
      const cluster = createCluster({ rootNodes: startupNodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) })
      await cluster.connect()
      return {
        scan: async () => {
          const counts = await Promise.all(cluster.masters.map(async (master) => {
            const client = await cluster.nodeClient(master)
            let keys = 0
            for await (const chunk of client.scanIterator({ COUNT: count })) keys += chunk.length
            return keys
          }))
          return counts.reduce((a, b) => a + b, 0)
        },
        close: () => cluster.close()
      }
    }
    default:
      throw new Error(`unknown client ${clientName}`)
  }
}

const { scan, close } = await prepare()
const rssBeforeMB = process.memoryUsage().rss / (1 << 20)
const cpuBefore = process.cpuUsage()
const started = performance.now()
const keys = await scan()
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
await close()
if (keys !== expected) {
  console.error(`${clientName}: saw ${keys} keys, expected ${expected}`)
  process.exit(1)
}
console.log(JSON.stringify({ keys, seconds, cpuMicros: cpu.user + cpu.system, rssBeforeMB, maxRssMB: process.resourceUsage().maxRSS / 1024 }))
process.exit(0)
