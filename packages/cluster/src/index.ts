/**
 * `@effect-redis/cluster`: the Redis Cluster client. `RedisCluster.layer(...)` provides the generic
 * `RedisClient` over a cluster, with a `ClusterTopology` kept fresh by a background fiber, MOVED/ASK followed at
 * once and TRYAGAIN/CLUSTERDOWN/LOADING/connection failures retried on typed `Schedule`s.
 *
 * @module
 */
export * from "./errors/ReplicationError.ts"
export * from "./KeySlot.ts"
export * from "./RedisCluster.ts"
export * from "./routing/ClusterExecutor.ts"
export * from "./routing/ClusterRequest.ts"
export * from "./routing/CrossSlotOperations.ts"
export * from "./routing/MergeRules.ts"
export * from "./routing/ReadFrom.ts"
export * from "./routing/RetrySchedules.ts"
export * from "./routing/SlotOwners.ts"
export * from "./routing/SlotSplit.ts"
export * from "./topology/ClusterReplyParsing.ts"
export * from "./topology/ClusterSnapshot.ts"
export * from "./topology/ClusterTopology.ts"
export * from "./topology/TopologyChange.ts"
export * from "./topology/TopologyDiscovery.ts"
export * from "./transport/ClusterTransport.ts"
export * from "./transport/NodePool.ts"
