import type { ProtocolError } from "@effect-redis/resp"
import type { AuthenticationError } from "./AuthenticationError.ts"
import type { ClusterDownError } from "./ClusterDownError.ts"
import type { ConnectionError } from "./ConnectionError.ts"
import type { CrossSlotError } from "./CrossSlotError.ts"
import type { DecodeError } from "./DecodeError.ts"
import type { InconsistentRepliesError } from "./InconsistentRepliesError.ts"
import type { InvalidArgumentError } from "./InvalidArgumentError.ts"
import type { NodeUnresponsiveError } from "./NodeUnresponsiveError.ts"
import type { RedirectionLimitError } from "./RedirectionLimitError.ts"
import type { ReplyError } from "./ReplyError.ts"
import type { TimeoutError } from "./TimeoutError.ts"
import type { TopologyError } from "./TopologyError.ts"
import type { TransactionCommandError } from "./TransactionCommandError.ts"
import type { TryAgainError } from "./TryAgainError.ts"
import type { UnknownCommandError } from "./UnknownCommandError.ts"
import type { UnsupportedInClusterError } from "./UnsupportedInClusterError.ts"

/**
 * Every error a command run through a {@link RedisClient} can fail with. Each member is a `Schema.TaggedError`,
 * so programs select the ones they handle with `Effect.catchTag`. The cluster members (`CrossSlotError`,
 * `ClusterDownError`, `TryAgainError`, `RedirectionLimitError`, `TopologyError`, `UnsupportedInClusterError`, `InconsistentRepliesError`,
 * `NodeUnresponsiveError`)
 * only come from a cluster client, but live here so a program written against `RedisClient` can name them.
 * `AuthenticationError` reaches commands when a connection opened for them (a reconnect, a newly discovered
 * cluster node) has its credentials refused. (`ConfigurationError` is not here: it only comes from building a
 * client, never from a command.)
 * `TransactionCommandError` comes from transactions (`RedisClient.transaction`), also as one element of a pipeline.
 * (`WatchConflictError` is not a member: only `RedisClient.watch` bodies can see it, and their types say so.)
 */
export type RedisError =
  | ReplyError
  | UnknownCommandError
  | ConnectionError
  | AuthenticationError
  | TimeoutError
  | ProtocolError
  | DecodeError
  | InvalidArgumentError
  | CrossSlotError
  | ClusterDownError
  | TryAgainError
  | RedirectionLimitError
  | TopologyError
  | UnsupportedInClusterError
  | InconsistentRepliesError
  | TransactionCommandError
  | NodeUnresponsiveError
