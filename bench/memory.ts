/**
 * `node --expose-gc bench/memory.ts [--cluster]`: what the client holds on to after big batches (issue 12.3): a
 * pipeline of 200k commands, then an MGET of 500k keys, against a local standalone server (or a 3-primary cluster).
 * Prints `process.memoryUsage()` before, right after each batch, and after a GC once the batch's values are
 * dropped: `arrayBuffers`/`external` that stay high after the GC would be buffers the client retains; RSS that stays
 * high while they drop is memory the allocator keeps for reuse, not held by the client.
 */
import { Redis, RedisClient, RedisNode } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { LocalCluster, LocalServer } from "@effect-redis/testkit"
import { Effect, type Layer } from "effect"
import * as v8 from "node:v8"

const clusterMode = process.argv.includes("--cluster")
const PIPELINE = Number(process.env.MEMORY_PIPELINE ?? 200_000)
const MGET = Number(process.env.MEMORY_MGET ?? 500_000)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with node --expose-gc")

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`
const usage = (label: string) => {
  const m = process.memoryUsage()
  if (process.env.MEMORY_SPACES !== undefined) {
    console.log(v8.getHeapSpaceStatistics().map((space) => `${space.space_name}=${mib(space.space_used_size)}`).join(" "))
  }
  console.log(`${label.padEnd(34)} rss ${mib(m.rss).padStart(8)}  heap ${mib(m.heapUsed).padStart(8)}  external ${mib(m.external).padStart(8)}  arrayBuffers ${mib(m.arrayBuffers).padStart(8)}`)
  return m
}
const settle = Effect.promise(async () => {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
})

// Each batch runs in its own function and returns only a count: a generator keeps its locals alive until it
// returns, and the measurement must not hold what it measures.
const pipelineBatch = () =>
  Effect.map(
    RedisClient.pipelineResults(Array.from({ length: PIPELINE }, (_, i) => (i % 2 === 0 ? Redis.set(keyOf(i), `value-${i}`) : Redis.get(keyOf(i - 1))))),
    (results) => results.length
  )
const mgetBatch = () => Effect.map(Redis.mget(Array.from({ length: MGET }, (_, i) => keyOf(i))), (values) => values.length)
const keyOf = (i: number) => `mem:{${i % 1000}}:${i}`

const workload = Effect.gen(function*() {
  yield* settle
  usage("start")
  if (process.env.MEMORY_SNAPSHOT !== undefined) console.log(v8.writeHeapSnapshot(`${process.env.MEMORY_SNAPSHOT}.start`))
  if ((yield* Effect.tap(pipelineBatch(), () => Effect.sync(() => usage(`after a pipeline of ${PIPELINE}`)))) !== PIPELINE) throw new Error("short pipeline")
  yield* settle
  const afterPipeline = usage("  after GC")
  if (process.env.MEMORY_SNAPSHOT !== undefined) console.log(v8.writeHeapSnapshot(process.env.MEMORY_SNAPSHOT))
  if ((yield* Effect.tap(mgetBatch(), () => Effect.sync(() => usage(`after an MGET of ${MGET} keys`)))) !== MGET) throw new Error("short MGET")
  yield* settle
  const afterMget = usage("  after GC")
  yield* Effect.sleep("2 seconds")
  yield* settle
  const end = usage("  2 s later, after GC")
  console.log(JSON.stringify({ afterPipelineArrayBuffers: afterPipeline.arrayBuffers, afterMgetArrayBuffers: afterMget.arrayBuffers, endRss: end.rss, endHeap: end.heapUsed }))
})

const main = Effect.scoped(Effect.gen(function*() {
  const layer: Layer.Layer<RedisClient, unknown> = clusterMode
    ? RedisCluster.layer({ startupNodes: (yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 })).startupNodes })
    : RedisNode.layer({ url: (yield* LocalServer.make()).url })
  yield* workload.pipe(Effect.provide(layer))
}))

Effect.runPromise(main).catch((error) => {
  console.error(error)
  process.exit(1)
})
