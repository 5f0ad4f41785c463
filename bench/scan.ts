/**
 * `node bench/scan.ts`: keys per second scanning a whole Redis Cluster, effect-redis against ioredis and node-redis
 * in the same run, with each client's peak RSS.
 *
 * Starts a local cluster of 3 primaries without replicas, writes BENCH_SCAN_KEYS keys (default 1,000,000, 8-byte
 * values, no hash tags: spread over every slot) with one MSET per slot, then, for each round and each client, scans
 * the whole cluster once in a fresh child process (bench/clients/scan.ts), which checks that it saw every key exactly
 * once. Rounds rotate the order of clients; the table gives the median round, the spread (min-max) of the rounds,
 * the ratio to the faster peer of that median, client CPU per 1000 keys and the child's peak RSS.
 *
 * Options (environment): BENCH_SCAN_KEYS, BENCH_SCAN_COUNT (SCAN's COUNT, default 1000), BENCH_ROUNDS (default 5),
 * BENCH_CLIENTS (comma list, default effect-redis,effect-redis-c3,ioredis,node-redis).
 */
import { Redis, RedisClient } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { LocalCluster } from "@effect-redis/testkit"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)
const keyCount = Number(process.env.BENCH_SCAN_KEYS ?? 1_000_000)
const count = Number(process.env.BENCH_SCAN_COUNT ?? 1000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const clientNames = (process.env.BENCH_CLIENTS ?? "effect-redis,effect-redis-c3,ioredis,node-redis").split(",")
const ours = ["effect-redis", "effect-redis-c3"]

interface Sample {
  readonly keysPerSec: number
  readonly cpuMicrosPer1000: number
  readonly maxRssMB: number
  readonly rssBeforeMB: number
}

const measure = async (client: string, target: string): Promise<Sample> => {
  const { stdout } = await run(process.execPath, [join(import.meta.dirname, "clients", "scan.ts"), client, target, String(count), String(keyCount)], {
    timeout: 300_000,
    maxBuffer: 1 << 20
  })
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { keys: number; seconds: number; cpuMicros: number; maxRssMB: number; rssBeforeMB: number }
  return {
    keysPerSec: result.keys / result.seconds,
    cpuMicrosPer1000: (result.cpuMicros / result.keys) * 1000,
    maxRssMB: result.maxRssMB,
    rssBeforeMB: result.rssBeforeMB
  }
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Writes the keys with one MSET per slot, 256 slots' MSETs per pipeline. */
const fill = Effect.gen(function*() {
  const bySlot = new Map<number, Array<readonly [string, string]>>()
  for (let i = 0; i < keyCount; i++) {
    const key = `scan:${i}`
    const slot = keySlot(key)
    let pairs = bySlot.get(slot)
    if (pairs === undefined) bySlot.set(slot, pairs = [])
    pairs.push([key, "12345678"])
  }
  const groups = [...bySlot.values()]
  for (let i = 0; i < groups.length; i += 256) {
    yield* RedisClient.pipeline(groups.slice(i, i + 256).map((pairs) => Redis.mset(pairs)))
  }
  const total = yield* Redis.dbsize()
  if (total !== keyCount) throw new Error(`the cluster holds ${total} keys, expected ${keyCount}`)
})

const main = Effect.scoped(Effect.gen(function*() {
  const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 })
  const started = Date.now()
  yield* fill.pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  const target = cluster.startupNodes.map((node) => `${node.host}:${node.port}`).join(",")
  console.log(
    `# scan bench: ${cluster.serverVersion.label}, cluster of 3 primaries ${cluster.url}, ${keyCount.toLocaleString("en-US")} keys ` +
      `(written in ${((Date.now() - started) / 1000).toFixed(1)} s), COUNT ${count}, ${rounds} rounds, Node ${process.version}\n`
  )
  const samples = new Map<string, Array<Sample>>()
  for (let round = 0; round < rounds; round++) {
    const order = clientNames.map((_, i) => clientNames[(i + round) % clientNames.length]!)
    for (const client of order) {
      const sample = yield* Effect.promise(() => measure(client, target))
      samples.set(client, [...(samples.get(client) ?? []), sample])
    }
  }
  const rows = clientNames.map((client) => {
    const list = samples.get(client)!
    const rates = list.map((s) => s.keysPerSec)
    return {
      client,
      rate: median(rates),
      min: Math.min(...rates),
      max: Math.max(...rates),
      cpu: median(list.map((s) => s.cpuMicrosPer1000)),
      rss: median(list.map((s) => s.maxRssMB)),
      before: median(list.map((s) => s.rssBeforeMB)),
      rssMax: Math.max(...list.map((s) => s.maxRssMB))
    }
  })
  const peers = rows.filter((row) => !ours.includes(row.client))
  const fastest = peers.reduce((best, row) => (row.rate > best.rate ? row : best), peers[0] ?? rows[0]!)
  const thousands = (n: number) => Math.round(n).toLocaleString("en-US")
  console.log(`| client | keys/s (median) | spread (min-max) | x ${fastest.client} | CPU µs / 1000 keys | RSS MB before the scan | peak RSS MB (median, max) |`)
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
  for (const row of rows) {
    console.log(
      `| ${row.client} | ${thousands(row.rate)} | ${thousands(row.min)}-${thousands(row.max)} | ${(row.rate / fastest.rate).toFixed(2)} | ` +
        `${row.cpu.toFixed(0)} | ${row.before.toFixed(0)} | ${row.rss.toFixed(0)}, ${row.rssMax.toFixed(0)} |`
    )
  }
}))

await Effect.runPromise(main)
