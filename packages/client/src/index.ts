/**
 * `@effect-redis/client`: the command model, the command builders (`Redis`), the `RedisClient` service, the node
 * connection and the standalone client layer (`RedisNode`).
 *
 * @module
 */
export * from "./ClusterPolicy.ts"
export * from "./Command.ts"
export * from "./CommandFlags.ts"
export * from "./KeyPositions.ts"
export * from "./Reply.ts"
export * as Replies from "./Replies.ts"
export * as Redis from "./Redis.ts"
export * from "./RedisClient.ts"
export * as RedisNode from "./RedisNode.ts"
export * from "./RedisUrl.ts"
export * from "./connection/ConnectionOptions.ts"
export * from "./connection/NodeConnection.ts"
export * from "./connection/ReplyWaiter.ts"
export * from "./connection/RunOnConnection.ts"
export * from "./errors/ClusterDownError.ts"
export * from "./errors/ConnectionError.ts"
export * from "./errors/CrossSlotError.ts"
export * from "./errors/DecodeError.ts"
export * from "./errors/InconsistentRepliesError.ts"
export * from "./errors/InvalidArgumentError.ts"
export * from "./errors/RedisError.ts"
export * from "./errors/RedirectionLimitError.ts"
export * from "./errors/ReplyError.ts"
export * from "./errors/TimeoutError.ts"
export * from "./errors/TopologyError.ts"
export * from "./errors/TryAgainError.ts"
export * from "./errors/UnsupportedInClusterError.ts"
export { ProtocolError, type RespArg, type RespValue, RespErrorReply } from "@effect-redis/resp"
