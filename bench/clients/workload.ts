/**
 * One measurement, run in its own process so clients never share a heap or a JIT profile:
 *   node bench/clients/workload.ts <client> <workload> <concurrency> <target> <seconds>
 * `<target>` is a port (one standalone server on 127.0.0.1) or a comma list of cluster startup nodes
 * (`127.0.0.1:7000,127.0.0.1:7001`). Prints one JSON line: { ops, seconds, cpuMicros, p50Micros }.
 *
 * Workloads: "get-set" alternates SET and GET; "pipeline" sends batches of 100 (50 SET + 50 GET) through the
 * client's pipeline API; "mget-100" sends one MGET of 100 keys per operation (see mget.ts: on a cluster the keys
 * of each MGET span about 100 slots on every primary), after writing the 1,000 keys it reads. Every client runs
 * the same keys, values and counts. Standalone: one key per worker. Cluster: each worker walks through 10,000 keys
 * (SET then GET of each), so commands spread over all slots and nodes; pipeline keys (`bench:<worker>:<i>`) span
 * every node too. An operation is one command, except for "mget-100", where it is one MGET (100 keys).
 *
 * MGET replies are checked: during the warm-up every reply must hold exactly the 100 expected values (so a client
 * that fails or answers wrongly cannot be measured), during the measurement every reply must have 100 values, and
 * after it each batch is read and checked once more.
 *
 * "multi-10" sends one transaction per operation through the client's transaction API: MULTI, INCR of 10 keys
 * (`{tx:<worker>}:0` ... `:9`, one hash tag per worker, so on a cluster each transaction runs on one node and the
 * workers spread over all nodes), EXEC. Every reply is checked: the worker's keys start at 0 and only it touches
 * them, so its n-th transaction must answer n ten times; after the run each worker's keys must equal its count.
 * An operation is one transaction.
 */
import { Redis, RedisClient, RedisNode } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { Effect, ManagedRuntime, Option } from "effect"
import { performance } from "node:perf_hooks"
import { type BenchClient, clients, clusterClients, type NodeAddress } from "./clients.ts"
import { checkMgetReply, MGET_BATCH, mgetBatches, mgetKeys, mgetValue } from "./mget.ts"

const [clientName, workload, concurrencyText, target, secondsText] = process.argv.slice(2)
const concurrency = Number(concurrencyText)
const seconds = Number(secondsText ?? "3")
const value = "x".repeat(32)
const clusterNodes: ReadonlyArray<NodeAddress> | undefined = target!.includes(":")
  ? target!.split(",").map((address) => {
    const colon = address.lastIndexOf(":")
    return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) }
  })
  : undefined
const port = Number(target)

/** Cluster get-set keys: `key` + worker offset + step, over this many distinct keys. */
const clusterKeyCount = 10_000
const clusterKeys = clusterNodes === undefined ? [] : Array.from({ length: clusterKeyCount }, (_, i) => `key:${i}`)
/** Where worker `id` starts in `clusterKeys`, so concurrent workers touch different keys. */
const clusterKeyStart = (id: number) => (id * 7919) % clusterKeyCount

// "effect-redis-fibers" drives our client the Effect-native way: one fiber per worker, no Promise per command.
const fibers = clientName === "effect-redis-fibers"
const client: BenchClient | undefined = fibers
  ? undefined
  : clusterNodes !== undefined
  ? await clusterClients[clientName as keyof typeof clusterClients](clusterNodes)
  : await clients[clientName as keyof typeof clients](port)

/** Throws unless an MGET reply has 100 values (the cheap check done on every measured reply). */
const checkLength = (reply: ReadonlyArray<unknown>) => {
  if (reply.length !== MGET_BATCH) throw new Error(`${clientName}: MGET returned ${reply.length} values`)
}

/** The 10 keys worker `id`'s transactions increment (one hash tag). */
const transactionKeys = (id: number) => Array.from({ length: 10 }, (_, i) => `{tx:${id}}:${i}`)
/** Transactions each worker completed, warm-up included: what its keys must hold. */
const transactionsDone: Array<number> = []

/** Throws unless a transaction's replies are the worker's `expected`-th increments of its 10 keys. */
const checkTransaction = (reply: ReadonlyArray<unknown>, expected: number) => {
  if (reply.length !== 10 || reply.some((value) => Number(value) !== expected)) {
    throw new Error(`${clientName}: transaction ${expected} answered ${JSON.stringify(reply)}`)
  }
}

const runFibersFor = (durationMs: number, record: boolean) =>
  Effect.gen(function*() {
    let ops = 0
    const latencies: Array<number> = []
    const deadline = performance.now() + durationMs
    const worker = Effect.fnUntraced(function*(id: number) {
      if (workload === "multi-10") {
        const transaction = RedisClient.transaction(transactionKeys(id).map((k) => Redis.incr(k)))
        while (performance.now() < deadline) {
          const started = record && concurrency === 1 ? performance.now() : 0
          const reply = yield* transaction
          checkTransaction(reply, (transactionsDone[id] = (transactionsDone[id] ?? 0) + 1))
          if (started !== 0) latencies.push(performance.now() - started)
          ops++
        }
        return
      }
      if (workload === "mget-100") {
        let b = id % mgetBatches.length
        while (performance.now() < deadline) {
          const started = record && concurrency === 1 ? performance.now() : 0
          const reply = yield* Redis.mget(mgetBatches[b]!)
          if (record) checkLength(reply)
          else checkMgetReply(clientName!, b, reply)
          if (started !== 0) latencies.push(performance.now() - started)
          if (++b === mgetBatches.length) b = 0
          ops++
        }
        return
      }
      if (workload === "pipeline") {
        const keys = Array.from({ length: 50 }, (_, i) => `bench:${id}:${i}`)
        const batch = [...keys.map((k) => Redis.set(k, value)), ...keys.map((k) => Redis.get(k))]
        while (performance.now() < deadline) {
          if (clusterNodes !== undefined) yield* RedisClient.pipelineResults(batch)
          else yield* RedisClient.pipeline(batch)
          ops += 100
        }
        return
      }
      if (clusterNodes !== undefined) {
        let k = clusterKeyStart(id), i = 0
        while (performance.now() < deadline) {
          const started = record && concurrency === 1 ? performance.now() : 0
          if ((i++ & 1) === 0) yield* Redis.set(clusterKeys[k]!, value)
          else {
            yield* Redis.get(clusterKeys[k]!)
            if (++k === clusterKeyCount) k = 0
          }
          if (started !== 0) latencies.push(performance.now() - started)
          ops++
        }
        return
      }
      const key = `bench:${id}`
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

const fiberRuntime = !fibers
  ? undefined
  : clusterNodes !== undefined
  ? ManagedRuntime.make(RedisCluster.layer({ startupNodes: clusterNodes }))
  : ManagedRuntime.make(RedisNode.layer({ host: "127.0.0.1", port }))

const runFor = async (durationMs: number, record: boolean): Promise<{ ops: number; latencies: Array<number> }> => {
  if (fiberRuntime !== undefined) return fiberRuntime.runPromise(runFibersFor(durationMs, record))
  const c = client!
  let ops = 0
  const latencies: Array<number> = []
  const deadline = performance.now() + durationMs
  const worker = async (id: number) => {
    if (workload === "multi-10") {
      const keys = transactionKeys(id)
      while (performance.now() < deadline) {
        const started = record && concurrency === 1 ? performance.now() : 0
        const reply = await c.transaction(keys)
        checkTransaction(reply, (transactionsDone[id] = (transactionsDone[id] ?? 0) + 1))
        if (started !== 0) latencies.push(performance.now() - started)
        ops++
      }
      return
    }
    if (workload === "mget-100") {
      let b = id % mgetBatches.length
      while (performance.now() < deadline) {
        const started = record && concurrency === 1 ? performance.now() : 0
        const reply = await c.mget(mgetBatches[b]!)
        if (record) checkLength(reply)
        else checkMgetReply(clientName!, b, reply)
        if (started !== 0) latencies.push(performance.now() - started)
        if (++b === mgetBatches.length) b = 0
        ops++
      }
      return
    }
    if (workload === "pipeline") {
      const keys = Array.from({ length: 50 }, (_, i) => `bench:${id}:${i}`)
      while (performance.now() < deadline) {
        await c.pipeline(keys, value)
        ops += 100
      }
      return
    }
    if (clusterNodes !== undefined) {
      let k = clusterKeyStart(id), i = 0
      while (performance.now() < deadline) {
        const started = record && concurrency === 1 ? performance.now() : 0
        if ((i++ & 1) === 0) await c.set(clusterKeys[k]!, value)
        else {
          await c.get(clusterKeys[k]!)
          if (++k === clusterKeyCount) k = 0
        }
        if (started !== 0) latencies.push(performance.now() - started)
        ops++
      }
      return
    }
    const key = `bench:${id}`
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

if (workload === "mget-100") {
  // The 1,000 keys the MGETs read, written by this client (100 SETs at a time), before anything is timed.
  for (let start = 0; start < mgetKeys.length; start += 100) {
    const keys = mgetKeys.slice(start, start + 100)
    if (fiberRuntime !== undefined) {
      await fiberRuntime.runPromise(Effect.forEach(keys, (k, j) => Redis.set(k, mgetValue(start + j)), { concurrency: "unbounded", discard: true }))
    } else await Promise.all(keys.map((k, j) => client!.set(k, mgetValue(start + j))))
  }
}
if (workload === "multi-10") {
  // Each worker's keys start at 0 (an earlier client of this round used the same names).
  const keys = Array.from({ length: concurrency }, (_, id) => transactionKeys(id)).flat()
  if (fiberRuntime !== undefined) await fiberRuntime.runPromise(Effect.forEach(keys, (k) => Redis.del(k), { concurrency: 64, discard: true }))
  else for (const k of keys) await client!.del(k)
}
await runFor(Math.min(1000, seconds * 300), false) // warm up the JIT and the connections
const cpuBefore = process.cpuUsage()
const started = performance.now()
const { ops, latencies } = await runFor(seconds * 1000, true)
const elapsed = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
// Sanity check outside the measurement: the writes landed (on a cluster: on the node the reads go to).
if (workload === "mget-100") {
  for (let b = 0; b < mgetBatches.length; b++) {
    const reply = fiberRuntime !== undefined ? await fiberRuntime.runPromise(Redis.mget(mgetBatches[b]!)) : await client!.mget(mgetBatches[b]!)
    checkMgetReply(clientName!, b, reply)
  }
}
if (workload === "multi-10") {
  for (let id = 0; id < concurrency; id++) {
    for (const key of transactionKeys(id)) {
      const reply = fiberRuntime !== undefined ? await fiberRuntime.runPromise(Redis.get(key)) : await client!.get(key)
      const stored = Option.isOption(reply) ? Option.getOrUndefined(reply) : reply
      if (Number(stored) !== (transactionsDone[id] ?? 0)) {
        throw new Error(`${clientName}: ${key} holds ${String(stored)} after ${transactionsDone[id] ?? 0} transactions`)
      }
    }
  }
}
const checkKey = workload === "mget-100" ? mgetKeys[0]! : workload === "pipeline" ? "bench:0:49" : clusterNodes !== undefined ? clusterKeys[clusterKeyStart(0)]! : "bench:0"
const reply = fiberRuntime !== undefined ? await fiberRuntime.runPromise(Redis.get(checkKey)) : await client!.get(checkKey)
const stored = Option.isOption(reply) ? Option.getOrUndefined(reply) : reply
const expected = workload === "mget-100" ? mgetValue(0) : value
if (workload !== "multi-10" && stored !== expected) throw new Error(`${clientName}: GET ${checkKey} returned ${String(stored)} after the run`)
latencies.sort((a, b) => a - b)
const p50 = latencies.length === 0 ? undefined : latencies[Math.floor(latencies.length / 2)]! * 1000
console.log(JSON.stringify({ ops, seconds: elapsed, cpuMicros: cpu.user + cpu.system, p50Micros: p50 }))
await (client?.close() ?? fiberRuntime?.dispose())
process.exit(0)
