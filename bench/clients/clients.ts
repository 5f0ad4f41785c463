/**
 * The clients under comparison, behind one small promise interface so the workload loop is identical for all.
 * Ours is driven the way users drive it from promise land: a ManagedRuntime running each command Effect.
 */
import { Redis, RedisClient, RedisNode } from "@effect-redis/client"
import { Effect, ManagedRuntime } from "effect"
import { Redis as IORedis } from "ioredis"
import { createClient } from "redis"

/** What the workload needs from a client. */
export interface BenchClient {
  readonly set: (key: string, value: string) => Promise<unknown>
  readonly get: (key: string) => Promise<unknown>
  /** 50 SETs then 50 GETs on `keys`, as one pipeline. */
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

