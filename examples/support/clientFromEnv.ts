/**
 * The client an example runs on: the cluster at `REDIS_CLUSTER_URL` when it is set, else the server at
 * `REDIS_URL` (default `redis://127.0.0.1:6379`). The programs are written against `RedisClient`: only this
 * layer differs between a cluster and one server.
 */
import { type RedisClient, RedisNode } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import type { Layer } from "effect"

/** The layer providing `RedisClient` from the environment (see the module comment). */
export const clientFromEnv = (): Layer.Layer<RedisClient, unknown> => {
  const clusterUrl = process.env.REDIS_CLUSTER_URL
  return clusterUrl !== undefined
    ? RedisCluster.layerUrl(clusterUrl)
    : RedisNode.layer({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" })
}
