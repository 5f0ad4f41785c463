/**
 * The clients under comparison, behind one small promise interface so the workload loop is identical for all.
 * Ours is driven the way users drive it from promise land: a ManagedRuntime running each command Effect.
 * `clients` talk to one standalone server (by port), `clusterClients` to a Redis Cluster (by startup nodes).
 */
import { Redis, RedisClient, RedisNode } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { ManagedRuntime } from "effect"
import { Cluster as IORedisCluster, Redis as IORedis } from "ioredis"
import { createRequire } from "node:module"
import { createClient, createCluster } from "redis"
import { loadGlide } from "./glide.ts"

/** What the workload needs from a client. */
export interface BenchClient {
  readonly set: (key: string, value: string) => Promise<unknown>
  readonly get: (key: string) => Promise<unknown>
  readonly del: (key: string) => Promise<unknown>
  /**
   * 50 SETs then 50 GETs on `keys`, as one pipeline. On a cluster the keys span every node; where a client's
   * pipeline API cannot (ioredis and node-redis route a whole pipeline to one node), 100 concurrent commands.
   */
  readonly pipeline: (keys: ReadonlyArray<string>, value: string) => Promise<unknown>
  /**
   * MGET of `keys`, values in key order (each client's own form: string or null, `Option` for ours). On a cluster
   * the keys span many slots: effect-redis, node-redis and glide split the MGET by slot themselves; for ioredis
   * the bench does it (see `mgetBySlot`).
   */
  readonly mget: (keys: Array<string>) => Promise<ReadonlyArray<unknown>>
  /**
   * One transaction (MULTI, INCR of each key, EXEC) through the client's transaction API; the INCR replies in key
   * order. The keys share one hash tag, so a cluster runs it on one node.
   */
  readonly transaction: (keys: ReadonlyArray<string>) => Promise<ReadonlyArray<unknown>>
  readonly close: () => Promise<unknown>
}

const effectRedis = async (port: number): Promise<BenchClient> => {
  const runtime = ManagedRuntime.make(RedisNode.layer({ host: "127.0.0.1", port }))
  await runtime.runPromise(Redis.ping())
  return {
    set: (key, value) => runtime.runPromise(Redis.set(key, value)),
    get: (key) => runtime.runPromise(Redis.get(key)),
    del: (key) => runtime.runPromise(Redis.del(key)),
    pipeline: (keys, value) =>
      runtime.runPromise(RedisClient.pipeline([...keys.map((k) => Redis.set(k, value)), ...keys.map((k) => Redis.get(k))])),
    mget: (keys) => runtime.runPromise(Redis.mget(keys)),
    transaction: (keys) => runtime.runPromise(RedisClient.transaction(keys.map((k) => Redis.incr(k)))),
    close: () => runtime.dispose()
  }
}

/** ioredis's `multi()`: replies come as `[error, value]` pairs; a failed command throws like our transaction fails. */
const ioredisTransaction = async (client: IORedis | IORedisCluster, keys: ReadonlyArray<string>): Promise<ReadonlyArray<unknown>> => {
  const multi = client.multi()
  for (const k of keys) multi.incr(k)
  const replies = await multi.exec()
  if (replies === null) throw new Error("ioredis: EXEC answered nil")
  return replies.map(([error, value]) => {
    if (error !== null) throw error
    return value
  })
}

/** node-redis's `multi()`; on a cluster it is routed by its first key. */
const nodeRedisTransaction = (multi: { incr: (key: string) => unknown; exec: () => Promise<ReadonlyArray<unknown>> }, keys: ReadonlyArray<string>) => {
  for (const k of keys) multi.incr(k)
  return multi.exec()
}

const ioredis = (autoPipelining: boolean) => async (port: number): Promise<BenchClient> => {
  const client = new IORedis({ host: "127.0.0.1", port, enableAutoPipelining: autoPipelining, lazyConnect: false })
  await client.ping()
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    del: (key) => client.del(key),
    pipeline: (keys, value) => {
      const p = client.pipeline()
      for (const k of keys) p.set(k, value)
      for (const k of keys) p.get(k)
      return p.exec()
    },
    mget: (keys) => client.mget(keys),
    transaction: (keys) => ioredisTransaction(client, keys),
    close: () => client.quit()
  }
}

const nodeRedis = async (port: number): Promise<BenchClient> => {
  const client = createClient({ socket: { host: "127.0.0.1", port } })
  await client.connect()
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    del: (key) => client.del(key),
    pipeline: (keys, value) => {
      const m = client.multi()
      for (const k of keys) m.set(k, value)
      for (const k of keys) m.get(k)
      return m.execAsPipeline()
    },
    mget: (keys) => client.mGet(keys),
    transaction: (keys) => nodeRedisTransaction(client.multi() as never, keys),
    close: () => client.close()
  }
}

/** Every client by the name the runner uses. */
export const clients = {
  "effect-redis": effectRedis,
  "ioredis": ioredis(false),
  "ioredis-auto": ioredis(true),
  "node-redis": nodeRedis
} as const


/** A cluster node the clients start discovery from. */
export interface NodeAddress {
  readonly host: string
  readonly port: number
}

const effectRedisCluster = async (startupNodes: ReadonlyArray<NodeAddress>): Promise<BenchClient> => {
  const runtime = ManagedRuntime.make(RedisCluster.layer({ startupNodes }))
  await runtime.runPromise(Redis.ping())
  return {
    set: (key, value) => runtime.runPromise(Redis.set(key, value)),
    get: (key) => runtime.runPromise(Redis.get(key)),
    del: (key) => runtime.runPromise(Redis.del(key)),
    // One pipeline across nodes: each node gets its share in one write, replies come back in command order.
    pipeline: (keys, value) =>
      runtime.runPromise(RedisClient.pipelineResults([...keys.map((k) => Redis.set(k, value)), ...keys.map((k) => Redis.get(k))])),
    // RedisCluster splits a cross-slot MGET by slot, sends the parts at once and puts the values back in key order.
    mget: (keys) => runtime.runPromise(Redis.mget(keys)),
    // MULTI, the INCRs and EXEC on the primary of the keys' slot, in one write (with whatever else that node gets).
    transaction: (keys) => runtime.runPromise(RedisClient.transaction(keys.map((k) => Redis.incr(k)))),
    close: () => runtime.dispose()
  }
}

/** The CRC16 slot function ioredis itself uses (`cluster-key-slot`, one of its dependencies). */
const calculateSlot = createRequire(import.meta.resolve("ioredis"))("cluster-key-slot") as (key: string) => number

/**
 * What ioredis users do for an MGET across slots, since `Cluster#mget` sends it whole to the first key's node and
 * the server answers CROSSSLOT: group the keys by slot, one MGET per slot concurrently (with auto-pipelining,
 * ioredis batches each node's MGETs into one write), values put back in key order.
 */
const mgetBySlot = async (client: IORedisCluster, keys: Array<string>): Promise<Array<string | null>> => {
  const groups = new Map<number, Array<number>>()
  for (let i = 0; i < keys.length; i++) {
    const slot = calculateSlot(keys[i]!)
    const group = groups.get(slot)
    if (group === undefined) groups.set(slot, [i])
    else group.push(i)
  }
  if (groups.size === 1) return client.mget(keys)
  const positions = [...groups.values()]
  const replies = await Promise.all(positions.map((group) => client.mget(group.map((i) => keys[i]!))))
  const out = new Array<string | null>(keys.length)
  for (let g = 0; g < positions.length; g++) {
    const group = positions[g]!, reply = replies[g]!
    for (let j = 0; j < group.length; j++) out[group[j]!] = reply[j]!
  }
  return out
}

const ioredisCluster = (autoPipelining: boolean) => async (startupNodes: ReadonlyArray<NodeAddress>): Promise<BenchClient> => {
  const client = new IORedisCluster(startupNodes.map((n) => ({ host: n.host, port: n.port })), { enableAutoPipelining: autoPipelining })
  await client.ping()
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    del: (key) => client.del(key),
    // `cluster.pipeline()` rejects keys served by different nodes ("All keys in the pipeline should belong to the
    // same slots allocation group"): 100 concurrent commands instead, which auto-pipelining batches per node.
    pipeline: (keys, value) => Promise.all([...keys.map((k) => client.set(k, value)), ...keys.map((k) => client.get(k))]),
    mget: (keys) => mgetBySlot(client, keys),
    transaction: (keys) => ioredisTransaction(client, keys),
    close: () => client.quit()
  }
}

const nodeRedisCluster = async (startupNodes: ReadonlyArray<NodeAddress>): Promise<BenchClient> => {
  const client = createCluster({ rootNodes: startupNodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) })
  await client.connect()
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    del: (key) => client.del(key),
    // `cluster.multi()` sends everything to the node of the first key: 100 concurrent commands instead, which
    // node-redis writes per node in one tick.
    pipeline: (keys, value) => Promise.all([...keys.map((k) => client.set(k, value)), ...keys.map((k) => client.get(k))]),
    // node-redis (6.x) splits a cross-slot MGET by slot itself (its `multi_shard` request policy) and merges the
    // replies in key order.
    mget: (keys) => client.mGet(keys),
    transaction: (keys) => nodeRedisTransaction(client.multi(keys[0]) as never, keys),
    close: () => client.close()
  }
}

/**
 * valkey-glide's `GlideClusterClient` (installed on demand, see glide.ts). Its Rust core splits a cross-slot MGET
 * by slot and a non-atomic `ClusterBatch` by node; commands run on the core's own threads, whose CPU time counts
 * in the process's CPU like every client's.
 */
const glideCluster = async (startupNodes: ReadonlyArray<NodeAddress>): Promise<BenchClient> => {
  const glide = await loadGlide()
  const client = await glide.GlideClusterClient.createClient({
    addresses: startupNodes.map((n) => ({ host: n.host, port: n.port })),
    requestTimeout: 5000
  })
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    del: (key) => client.del([key]),
    pipeline: (keys, value) => {
      const batch = new glide.ClusterBatch(false)
      for (const k of keys) batch.set(k, value)
      for (const k of keys) batch.get(k)
      return client.exec(batch, true)
    },
    mget: (keys) => client.mget(keys),
    transaction: async (keys) => {
      const batch = new glide.ClusterBatch(true)
      for (const k of keys) batch.incr(k)
      return (await client.exec(batch, true)) ?? []
    },
    close: async () => client.close()
  }
}

/** Every cluster client by the name the runner uses (the same names as `clients`, plus `glide`). */
export const clusterClients = {
  "effect-redis": effectRedisCluster,
  "ioredis": ioredisCluster(false),
  "ioredis-auto": ioredisCluster(true),
  "node-redis": nodeRedisCluster,
  "glide": glideCluster
} as const
