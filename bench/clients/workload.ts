/**
 * One measurement, run in its own process so clients never share a heap or a JIT profile:
 *   node bench/clients/workload.ts <client> <workload> <concurrency> <port> <seconds>
 * Prints one JSON line: { ops, seconds, cpuMicros, p50Micros }.
 *
 * Workloads: "get-set" alternates SET and GET on a key per worker; "pipeline" sends batches of 100 (50 SET + 50 GET)
 * through the client's pipeline API. Every client runs the same keys, values and counts.
 */
import { Redis, RedisClient, RedisNode } from "@effect-redis/client"
import { Effect } from "effect"
import { performance } from "node:perf_hooks"
import { clients, type BenchClient } from "./clients.ts"

const [clientName, workload, concurrencyText, portText, secondsText] = process.argv.slice(2)
const concurrency = Number(concurrencyText)
const port = Number(portText)
const seconds = Number(secondsText ?? "3")
const value = "x".repeat(32)

// "effect-redis-fibers" drives our client the Effect-native way: one fiber per worker, no Promise per command.
const fibers = clientName === "effect-redis-fibers"
const client: BenchClient | undefined = fibers ? undefined : await clients[clientName as keyof typeof clients](port)

const runFibersFor = (durationMs: number, record: boolean) =>
  Effect.gen(function*() {
    let ops = 0
    const latencies: Array<number> = []
    const deadline = performance.now() + durationMs
    const worker = Effect.fnUntraced(function*(id: number) {
      const key = `bench:${id}`
      if (workload === "pipeline") {
        const keys = Array.from({ length: 50 }, (_, i) => `bench:${id}:${i}`)
        const batch = [...keys.map((k) => Redis.set(k, value)), ...keys.map((k) => Redis.get(k))]
        while (performance.now() < deadline) {
          yield* RedisClient.pipeline(batch)
          ops += 100
        }
        return
      }
      const set = Redis.set(key, value), get = Redis.get(key)
      let i = 0
      while (performance.now() < deadline) {
        const started = record && concurrency === 1 ? performance.now() : 0
        if ((i++ & 1) === 0) yield* set
        else yield* get
        if (started !== 0) latencies.push(performance.now() - started)
        ops++
      }
    })
    yield* Effect.forEach(Array.from({ length: concurrency }, (_, id) => id), worker, { concurrency: "unbounded", discard: true })
    return { ops, latencies }
  })

const fiberRuntime = fibers ? await import("effect").then(({ ManagedRuntime }) => ManagedRuntime.make(RedisNode.layer({ host: "127.0.0.1", port }))) : undefined

const runFor = async (durationMs: number, record: boolean): Promise<{ ops: number; latencies: Array<number> }> => {
  if (fiberRuntime !== undefined) return fiberRuntime.runPromise(runFibersFor(durationMs, record))
  const c = client!
  let ops = 0
  const latencies: Array<number> = []
  const deadline = performance.now() + durationMs
  const worker = async (id: number) => {
    const key = `bench:${id}`
    if (workload === "pipeline") {
      const keys = Array.from({ length: 50 }, (_, i) => `bench:${id}:${i}`)
      while (performance.now() < deadline) {
        await c.pipeline(keys, value)
        ops += 100
      }
      return
    }
    let i = 0
    while (performance.now() < deadline) {
      const started = record && concurrency === 1 ? performance.now() : 0
      if ((i++ & 1) === 0) await c.set(key, value)
      else await c.get(key)
      if (started !== 0) latencies.push(performance.now() - started)
      ops++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)))
  return { ops, latencies }
}

await runFor(Math.min(1000, seconds * 300), false) // warm up the JIT and the connection
const cpuBefore = process.cpuUsage()
const started = performance.now()
const { ops, latencies } = await runFor(seconds * 1000, true)
const elapsed = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
latencies.sort((a, b) => a - b)
const p50 = latencies.length === 0 ? undefined : latencies[Math.floor(latencies.length / 2)]! * 1000
console.log(JSON.stringify({ ops, seconds: elapsed, cpuMicros: cpu.user + cpu.system, p50Micros: p50 }))
await (client?.close() ?? fiberRuntime?.dispose())
process.exit(0)
