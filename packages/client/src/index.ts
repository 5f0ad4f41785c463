/**
 * `@effect-redis/client`: typed Redis commands for Effect.
 *
 * - {@link Redis}: the command builders (`Redis.get`, `Redis.set`, ... and `Redis.call` for anything else). Each
 *   returns a `Command`, a pure value that is also an Effect requiring {@link RedisClient}.
 * - {@link RedisClient}: the service programs need (run, pipeline, transaction, watch); provided by `RedisNode.layer` for one server
 *   or by `RedisCluster.layer` (`@effect-redis/cluster`) for a cluster.
 * - {@link RedisNode}: the standalone client layer.
 * - {@link Script}: Lua scripts run by SHA with a NOSCRIPT fallback.
 * - {@link Replies}: reply decoders for `Redis.call(args, { reply })`.
 * - The errors (`ConnectionError`, `ReplyError`, ...; `RedisError` is their union).
 *
 * Lower-level modules have subpaths: `@effect-redis/client/Command` (defining commands of your own, e.g. for
 * modules) and `@effect-redis/client/Connection` (one server connection).
 *
 * @module
 */
export { ClusterPolicy, type MergeRule } from "./internal/ClusterPolicy.ts"
export { type Command, type CommandSpec, isCommand } from "./Command.ts"
export type { ConnectionOptions, NodeAddress } from "./internal/connection/ConnectionOptions.ts"
export * from "./Errors.ts"
export * as Redis from "./Redis.ts"
export {
  type CommandSuccess,
  type KeyspaceScan,
  type OptimisticOptions,
  type PipelineResults,
  type PipelineValues,
  RedisClient,
  type RedisClientService,
  type ScanEntriesOptions,
  type ScanKeysOptions,
  type Transaction,
  type TransactionMode,
  type WatchTransaction
} from "./RedisClient.ts"
export * as RedisNode from "./RedisNode.ts"
export * as Replies from "./Replies.ts"
export { type Reply, ReplyMismatch } from "./internal/Reply.ts"
export { Script } from "./Script.ts"
export { ProtocolError, type RespArg, RespErrorReply, type RespValue } from "@effect-redis/resp"
