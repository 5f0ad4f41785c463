/**
 * `npm run bench` (or `node bench/run.ts` with Node >= 22.19): GET/SET against one local standalone redis-server at
 * concurrency 1, 64 and 1000, and pipelines of 100, for effect-redis and its peers, in one run.
 * `npm run bench -- --cluster` (or `node bench/run.ts --cluster`): the same workloads against a local Redis Cluster
 * of 3 primaries (no replicas), keys spread over all slots, with each library's cluster client.
 *
 * Each measurement runs in a fresh child process (bench/clients/workload.ts) so clients never share a heap or
 * JIT state; rounds rotate the order of clients, and the table shows the median round. This machine is noisy:
 * read the ratios to ioredis-auto (ioredis with enableAutoPipelining) measured in the same run, not absolute numbers.
 *
 * Options (environment): BENCH_SECONDS (per measurement, default 2), BENCH_ROUNDS (default 3),
 * BENCH_CLIENTS (comma list), BENCH_CASES (comma list of get-set:1, get-set:64, get-set:1000, pipeline:1).
 */
import { LocalCluster, LocalServer } from "@effect-redis/testkit"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)
const seconds = Number(process.env.BENCH_SECONDS ?? 2)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const clientNames = (process.env.BENCH_CLIENTS ?? "effect-redis,effect-redis-fibers,ioredis-auto,ioredis,node-redis").split(",")
const cases = (process.env.BENCH_CASES ?? "get-set:1,get-set:64,get-set:1000,pipeline:1").split(",").map((c) => {
  const [workload, concurrency] = c.split(":")
  return { workload: workload!, concurrency: Number(concurrency) }
})
const baseline = "ioredis-auto"
const clusterMode = process.argv.includes("--cluster")

interface Sample { readonly opsPerSec: number; readonly cpuMicrosPerOp: number; readonly p50Micros: number | undefined }

/** `target`: the standalone server's port, or the cluster's startup nodes as `host:port,host:port`. */
const measure = async (client: string, workload: string, concurrency: number, target: string): Promise<Sample> => {
  const { stdout } = await run(process.execPath, [join(import.meta.dirname, "clients", "workload.ts"), client, workload, String(concurrency), target, String(seconds)], { timeout: (seconds + 30) * 1000 })
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { ops: number; seconds: number; cpuMicros: number; p50Micros?: number }
  return { opsPerSec: result.ops / result.seconds, cpuMicrosPerOp: result.cpuMicros / result.ops, p50Micros: result.p50Micros }
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const main = Effect.scoped(Effect.gen(function*() {
  const server = clusterMode
    ? yield* Effect.map(LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 }), (cluster) => ({
      description: `Redis Cluster of 3 primaries ${cluster.url}`,
      target: cluster.startupNodes.map((node) => `${node.host}:${node.port}`).join(","),
      flushAll: Effect.orDie(cluster.flushAll)
    }))
    : yield* Effect.map(LocalServer.make(), (standalone) => ({
      description: `standalone redis-server ${standalone.url}`,
      target: String(standalone.port),
      flushAll: standalone.flushAll
    }))
  console.log(`# effect-redis bench: ${server.description}, ${seconds}s per measurement, ${rounds} rounds, Node ${process.version}\n`)
  const samples = new Map<string, Array<Sample>>()
  for (let round = 0; round < rounds; round++) {
    for (const { workload, concurrency } of cases) {
      const order = clientNames.map((_, i) => clientNames[(i + round) % clientNames.length]!)
      for (const client of order) {
        const sample = yield* Effect.promise(() => measure(client, workload, concurrency, server.target))
        const key = `${workload}:${concurrency}|${client}`
        samples.set(key, [...(samples.get(key) ?? []), sample])
      }
    }
    yield* server.flushAll
  }
  console.log("| workload | client | ops/s | x ioredis-auto | CPU µs/op | x ioredis-auto CPU | p50 µs |")
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
  for (const { workload, concurrency } of cases) {
    const row = (client: string) => {
      const list = samples.get(`${workload}:${concurrency}|${client}`)!
      const p50s = list.map((s) => s.p50Micros).filter((p): p is number => p !== undefined)
      return { ops: median(list.map((s) => s.opsPerSec)), cpu: median(list.map((s) => s.cpuMicrosPerOp)), p50: p50s.length ? median(p50s) : undefined }
    }
    const base = row(baseline)
    for (const client of clientNames) {
      const r = row(client)
      const label = workload === "pipeline" ? "pipeline of 100" : `GET/SET, ${concurrency} concurrent`
      console.log(`| ${label} | ${client} | ${Math.round(r.ops).toLocaleString("en-US")} | ${(r.ops / base.ops).toFixed(2)} | ${r.cpu.toFixed(2)} | ${(r.cpu / base.cpu).toFixed(2)} | ${r.p50 === undefined ? "" : r.p50.toFixed(1)} |`)
    }
  }
}))

await Effect.runPromise(main)
