/**
 * `npm run bench` (or `node bench/run.ts` with Node >= 22.19): GET/SET against one local standalone redis-server at
 * concurrency 1, 64 and 1000, and pipelines of 100, for effect-redis and its peers, in one run.
 * `npm run bench -- --cluster` (or `node bench/run.ts --cluster`): the same workloads against a local Redis Cluster
 * of 3 primaries (no replicas), keys spread over all slots, with each library's cluster client, plus MGETs of 100
 * keys spread over all slots (split by slot in every client) and valkey-glide among the peers.
 *
 * Each measurement runs in a fresh child process (bench/clients/workload.ts) so clients never share a heap or
 * JIT state; rounds rotate the order of clients, and the table shows the median round. This machine is noisy:
 * read the ratios to ioredis-auto (ioredis with enableAutoPipelining) measured in the same run, not absolute numbers.
 *
 * Options (environment): BENCH_SECONDS (per measurement, default 2), BENCH_ROUNDS (default 3),
 * BENCH_CLIENTS (comma list; `glide`, cluster only, is installed on demand into bench/.peers, see
 * clients/glide.ts), BENCH_CASES (comma list of <workload>:<concurrency>, workloads get-set, pipeline, mget-100,
 * multi-10 (one transaction of 10 INCRs on one hash tag per op; not in the defaults);
 * default get-set:1,get-set:64,get-set:1000,pipeline:1 and, with --cluster, mget-100:1,mget-100:64 too).
 */
import { keySlot } from "@effect-redis/cluster"
import { LocalCluster, LocalServer } from "@effect-redis/testkit"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { ensureGlide } from "./clients/glide.ts"
import { mgetBatches } from "./clients/mget.ts"

const run = promisify(execFile)
const seconds = Number(process.env.BENCH_SECONDS ?? 2)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const clusterMode = process.argv.includes("--cluster")
const ours = ["effect-redis", "effect-redis-fibers"]
let clientNames = (process.env.BENCH_CLIENTS ?? `effect-redis,effect-redis-fibers,ioredis-auto,ioredis,node-redis${clusterMode ? ",glide" : ""}`).split(",")
const cases = (process.env.BENCH_CASES ?? `get-set:1,get-set:64,get-set:1000,pipeline:1${clusterMode ? ",mget-100:1,mget-100:64" : ""}`).split(",").map((c) => {
  const [workload, concurrency] = c.split(":")
  if (!["get-set", "pipeline", "mget-100", "multi-10"].includes(workload!) || !(Number(concurrency) >= 1)) throw new Error(`unknown case ${c}`)
  return { workload: workload!, concurrency: Number(concurrency) }
})

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

const label = (workload: string, concurrency: number) =>
  workload === "pipeline"
    ? "pipeline of 100"
    : workload === "mget-100"
    ? `MGET of 100 keys, ${concurrency} concurrent`
    : workload === "multi-10"
    ? `MULTI + 10 INCR + EXEC, ${concurrency} in flight`
    : `GET/SET, ${concurrency} concurrent`

const main = Effect.scoped(Effect.gen(function*() {
  if (clientNames.includes("glide")) {
    const why = !clusterMode ? "glide is measured on the cluster only (run.ts --cluster)" : yield* Effect.promise(ensureGlide)
    if (why !== undefined) {
      console.log(`# glide: skipped, ${why}`)
      clientNames = clientNames.filter((name) => name !== "glide")
    }
  }
  const server = clusterMode
    ? yield* Effect.flatMap(LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 }), (cluster) =>
      Effect.gen(function*() {
        // Each MGET must really span the cluster: every batch of 100 keys has keys on every primary.
        const shards = yield* cluster.shards
        mgetBatches.forEach((batch, b) => {
          const primaries = new Set(batch.map((key) => {
            const slot = keySlot(key)
            return shards.findIndex((shard) => shard.slots.some((range) => range.start <= slot && slot <= range.end))
          }))
          if (primaries.size !== shards.length || primaries.has(-1)) {
            throw new Error(`MGET batch ${b} covers ${primaries.size} of ${shards.length} primaries`)
          }
        })
        const slots = new Set(mgetBatches[0]!.map(keySlot)).size
        return {
          description: `Redis Cluster of ${shards.length} primaries ${cluster.url} (each MGET: 100 keys over ~${slots} slots on all ${shards.length} primaries)`,
          target: cluster.startupNodes.map((node) => `${node.host}:${node.port}`).join(","),
          flushAll: Effect.orDie(cluster.flushAll)
        }
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
  const row = (workload: string, concurrency: number, client: string) => {
    const list = samples.get(`${workload}:${concurrency}|${client}`)!
    const p50s = list.map((s) => s.p50Micros).filter((p): p is number => p !== undefined)
    const ops = list.map((s) => s.opsPerSec)
    return {
      ops: median(ops),
      // The spread of the rounds: lowest and highest ops/s, as ± percent of the median.
      spread: `-${Math.round((1 - Math.min(...ops) / median(ops)) * 100)}% +${Math.round((Math.max(...ops) / median(ops) - 1) * 100)}%`,
      cpu: median(list.map((s) => s.cpuMicrosPerOp)),
      p50: p50s.length ? median(p50s) : undefined
    }
  }
  const peers = clientNames.filter((client) => !ours.includes(client))
  // Ratios to ioredis-auto, or to the first peer measured when it is not.
  const baseline = clientNames.includes("ioredis-auto") ? "ioredis-auto" : peers[0] ?? clientNames[0]!
  console.log("An op is one command, one pipeline of 100 counted as 100, one MGET of 100 keys, or one transaction (multi-10). CPU: the client process's user + system time.\n")
  console.log(`| workload | client | ops/s | rounds | x ${baseline} | CPU µs/op | x ${baseline} CPU | p50 µs |`)
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
  for (const { workload, concurrency } of cases) {
    const base = row(workload, concurrency, baseline)
    for (const client of clientNames) {
      const r = row(workload, concurrency, client)
      console.log(`| ${label(workload, concurrency)} | ${client} | ${Math.round(r.ops).toLocaleString("en-US")} | ${r.spread} | ${(r.ops / base.ops).toFixed(2)} | ${r.cpu.toFixed(2)} | ${(r.cpu / base.cpu).toFixed(2)} | ${r.p50 === undefined ? "" : r.p50.toFixed(1)} |`)
    }
  }
  const oursMeasured = ours.filter((client) => clientNames.includes(client))
  if (oursMeasured.length === 0 || peers.length === 0) return
  console.log("\neffect-redis against each peer: ops/s ours ÷ peer (above 1: faster), then CPU per op ours ÷ peer (below 1: cheaper).\n")
  console.log(`| workload | ours | ${peers.map((peer) => `vs ${peer}`).join(" | ")} |`)
  console.log(`| --- | --- | ${peers.map(() => "---:").join(" | ")} |`)
  for (const { workload, concurrency } of cases) {
    for (const client of oursMeasured) {
      const r = row(workload, concurrency, client)
      const cells = peers.map((peer) => {
        const p = row(workload, concurrency, peer)
        return `${(r.ops / p.ops).toFixed(2)}× ops, ${(r.cpu / p.cpu).toFixed(2)}× CPU`
      })
      console.log(`| ${label(workload, concurrency)} | ${client} | ${cells.join(" | ")} |`)
    }
  }
}))

await Effect.runPromise(main)
