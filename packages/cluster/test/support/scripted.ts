/**
 * Shared fixtures of the cluster unit tests: a fixed three-shard layout and the client stack over the testkit's
 * scripted transport.
 */
import type { RedisClient } from "@effect-redis/client"
import { ClusterTopology, keySlot, RedisCluster, type RedisClusterOptions, type TopologySpec } from "@effect-redis/cluster"
import { NodePool } from "@effect-redis/cluster/Transport"
import type { ScriptedTransportService } from "@effect-redis/testkit"
import { Layer } from "effect"

export const A = "127.0.0.1:7000"
export const B = "127.0.0.1:7001"
export const C = "127.0.0.1:7002"
export const A1 = "127.0.0.1:7100"
export const B1 = "127.0.0.1:7101"
export const C1 = "127.0.0.1:7102"

/** Three primaries, one replica each, slots split as `redis-cli --cluster create` does. */
export const threeShards: TopologySpec = {
  shards: [
    { primary: A, replicas: [A1], slots: [[0, 5460]] },
    { primary: B, replicas: [B1], slots: [[5461, 10922]] },
    { primary: C, replicas: [C1], slots: [[10923, 16383]] }
  ]
}

/** The primary serving `key` in {@link threeShards}. */
export const ownerOf = (key: string): string => {
  const slot = keySlot(key)
  return slot <= 5460 ? A : slot <= 10922 ? B : C
}

/** The replica of the primary serving `key` in {@link threeShards}. */
export const replicaOf = (key: string): string => ({ [A]: A1, [B]: B1, [C]: C1 })[ownerOf(key)]!

/** A key served by `primary` in {@link threeShards}. */
export const keyOn = (primary: string, prefix = "key"): string => {
  for (let i = 0; ; i++) if (ownerOf(`${prefix}:${i}`) === primary) return `${prefix}:${i}`
}

/**
 * `RedisCluster.layerWith(options)` over a static topology, a node pool (READONLY when `readFrom` reads from
 * replicas) and `transport`. `commandTimeout` defaults to `Infinity`: deadlines use the real clock, the tests run
 * on the TestClock.
 */
export const clusterLayer = (
  transport: ScriptedTransportService,
  options: RedisClusterOptions = {},
  spec: TopologySpec = threeShards
): Layer.Layer<RedisClient | RedisCluster | ClusterTopology | NodePool> =>
  RedisCluster.layerWith({ commandTimeout: Infinity, ...options }).pipe(
    Layer.provideMerge(ClusterTopology.layerStatic(spec)),
    Layer.provideMerge(NodePool.layer({ readOnly: (options.readFrom ?? "primary") !== "primary" })),
    Layer.provide(transport.layer)
  )

/** Narrows a failure to one tag, failing the test (with the actual error) otherwise. */
export const expectTag = <E extends { readonly _tag: string }, T extends E["_tag"]>(error: E, tag: T): Extract<E, { readonly _tag: T }> => {
  if (error._tag !== tag) throw new Error(`expected a ${tag}, got ${error._tag}: ${String(error)}`)
  return error as Extract<E, { readonly _tag: T }>
}
