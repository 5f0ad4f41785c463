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
export * from "./internal/errors/AuthenticationError.ts"
export * from "./internal/errors/ClusterDownError.ts"
export * from "./internal/errors/ConfigurationError.ts"
export * from "./internal/errors/ConnectionError.ts"
export * from "./internal/errors/CrossSlotError.ts"
export * from "./internal/errors/DecodeError.ts"
export * from "./internal/errors/InconsistentRepliesError.ts"
export * from "./internal/errors/InvalidArgumentError.ts"
export * from "./internal/errors/NodeUnresponsiveError.ts"
export * from "./internal/errors/RedirectionLimitError.ts"
export * from "./internal/errors/RedisError.ts"
export * from "./internal/errors/ReplyError.ts"
export * from "./internal/errors/TimeoutError.ts"
export * from "./internal/errors/TopologyError.ts"
export * from "./internal/errors/TransactionCommandError.ts"
export * from "./internal/errors/TryAgainError.ts"
export * from "./internal/errors/UnsupportedInClusterError.ts"
export * from "./internal/errors/UnknownCommandError.ts"
export * from "./internal/errors/WatchConflictError.ts"
