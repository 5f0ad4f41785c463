/**
 * Every error a program can see from effect-redis, each a `Schema.TaggedError` with fields a program can act on,
 * so `Effect.catchTag("ConnectionError", ...)` and friends narrow exactly. `RedisError` is their union.
 *
 * The cluster's errors (`MOVED` followed too often, CLUSTERDOWN, cross-slot keys...) are defined here rather than in
 * `@effect-redis/cluster` because programs written against `RedisClient` must be able to name them without
 * depending on the cluster package.
 *
 * @module
 */
export * from "./errors/ClusterDownError.ts"
export * from "./errors/ConnectionError.ts"
export * from "./errors/CrossSlotError.ts"
export * from "./errors/DecodeError.ts"
export * from "./errors/InconsistentRepliesError.ts"
export * from "./errors/InvalidArgumentError.ts"
export * from "./errors/RedirectionLimitError.ts"
export * from "./errors/RedisError.ts"
export * from "./errors/ReplyError.ts"
export * from "./errors/TimeoutError.ts"
export * from "./errors/TopologyError.ts"
export * from "./errors/TryAgainError.ts"
export * from "./errors/UnsupportedInClusterError.ts"
