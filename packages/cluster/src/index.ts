/**
 * `@effect-redis/cluster`: the Redis Cluster client. `RedisCluster.layer(...)` provides the generic
 * `RedisClient` (from `@effect-redis/client`) over a cluster, with a `ClusterTopology` kept fresh by a background
 * fiber, MOVED/ASK followed at once and TRYAGAIN/CLUSTERDOWN/LOADING/connection failures retried on typed
 * `Schedule`s.
 *
 * Subpaths: `@effect-redis/cluster/RedisCluster`, `/ClusterTopology` (snapshots, changes, the in-memory layout
 * for tests), `/KeySlot`, `/Transport` (how nodes are reached, for custom or in-memory transports).
 *
 * @module
 */
export * from "./ClusterTopology.ts"
export { ReplicationError } from "./internal/errors/ReplicationError.ts"
export { keySlot, SLOT_COUNT } from "./KeySlot.ts"
export {
  type NodeSelection,
  RedisCluster,
  type RedisClusterOptions,
  type RedisClusterService,
  type ReplicationOptions
} from "./RedisCluster.ts"
export { type Merge, MergeRules, type PartReply } from "./internal/routing/MergeRules.ts"
export type { ReadFrom } from "./internal/routing/ReadFrom.ts"
export { defaultRetrySchedules, type RetryKind, type RetrySchedule, type RetrySchedules } from "./internal/routing/RetrySchedules.ts"
