/**
 * The clients under comparison, behind one small promise interface so the workload loop is identical for all.
 * Ours is driven the way users drive it from promise land: a ManagedRuntime running each command Effect.
 * `clients` talk to one standalone server (by port), `clusterClients` to a Redis Cluster (by startup nodes).
 */
import { Redis, RedisClient, RedisNode } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { Effect, ManagedRuntime } from "effect"
import { Cluster as IORedisCluster, Redis as IORedis } from "ioredis"
import { createClient, createCluster } from "redis"

/** What the workload needs from a client. */
export interface BenchClient {
  readonly set: (key: string, value: string) => Promise<unknown>
  readonly get: (key: string) => Promise<unknown>
  /**
   * 50 SETs then 50 GETs on `keys`, as one pipeline. On a cluster the keys span every node; where a client's
   * pipeline API cannot (ioredis and node-redis route a whole pipeline to one node), 100 concurrent commands.
   */
  readonly pipeline: (keys: ReadonlyArray<string>, value: string) => Promise<unknown>
  readonly close: () => Promise<unknown>
}

const effectRedis = async (port: number): Promise<BenchClient> => {
  const runtime = ManagedRuntime.make(RedisNode.layer({ host: "127.0.0.1", port }))
  await runtime.runPromise(Redis.ping())
  return {
    set: (key, value) => runtime.runPromise(Redis.set(key, value)),
    get: (key) => runtime.runPromise(Redis.get(key)),
    pipeline: (keys, value) =>
      runtime.runPromise(RedisClient.pipeline([...keys.map((k) => Redis.set(k, value)), ...keys.map((k) => Redis.get(k))])),
    close: () => runtime.dispose()
  }
}

const ioredis = (autoPipelining: boolean) => async (port: number): Promise<BenchClient> => {
  const client = new IORedis({ host: "127.0.0.1", port, enableAutoPipelining: autoPipelining, lazyConnect: false })
  await client.ping()
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    pipeline: (keys, value) => {
      const p = client.pipeline()
      for (const k of keys) p.set(k, value)
      for (const k of keys) p.get(k)
      return p.exec()
    },
    close: () => client.quit()
  }
}

const nodeRedis = async (port: number): Promise<BenchClient> => {
  const client = createClient({ socket: { host: "127.0.0.1", port } })
  await client.connect()
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    pipeline: (keys, value) => {
      const m = client.multi()
      for (const k of keys) m.set(k, value)
      for (const k of keys) m.get(k)
      return m.execAsPipeline()
    },
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
    // One pipeline across nodes: each node gets its share in one write, replies come back in command order.
    pipeline: (keys, value) =>
      runtime.runPromise(RedisClient.pipelineResults([...keys.map((k) => Redis.set(k, value)), ...keys.map((k) => Redis.get(k))])),
    close: () => runtime.dispose()
  }
}

const ioredisCluster = (autoPipelining: boolean) => async (startupNodes: ReadonlyArray<NodeAddress>): Promise<BenchClient> => {
  const client = new IORedisCluster(startupNodes.map((n) => ({ host: n.host, port: n.port })), { enableAutoPipelining: autoPipelining })
  await client.ping()
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    // `cluster.pipeline()` rejects keys served by different nodes ("All keys in the pipeline should belong to the
    // same slots allocation group"): 100 concurrent commands instead, which auto-pipelining batches per node.
    pipeline: (keys, value) => Promise.all([...keys.map((k) => client.set(k, value)), ...keys.map((k) => client.get(k))]),
    close: () => client.quit()
  }
}

const nodeRedisCluster = async (startupNodes: ReadonlyArray<NodeAddress>): Promise<BenchClient> => {
  const client = createCluster({ rootNodes: startupNodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) })
  await client.connect()
  return {
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    // `cluster.multi()` sends everything to the node of the first key: 100 concurrent commands instead, which
    // node-redis writes per node in one tick.
    pipeline: (keys, value) => Promise.all([...keys.map((k) => client.set(k, value)), ...keys.map((k) => client.get(k))]),
    close: () => client.close()
  }
}

/** Every cluster client by the name the runner uses (the same names as `clients`). */
export const clusterClients = {
  "effect-redis": effectRedisCluster,
  "ioredis": ioredisCluster(false),
  "ioredis-auto": ioredisCluster(true),
  "node-redis": nodeRedisCluster
} as const
