import type { ProtocolError } from "@effect-redis/resp"
import type { ConnectionError } from "./ConnectionError.ts"
import type { DecodeError } from "./DecodeError.ts"
import type { InvalidArgumentError } from "./InvalidArgumentError.ts"
import type { ReplyError } from "./ReplyError.ts"
import type { TimeoutError } from "./TimeoutError.ts"

/**
 * Every error a command run through a {@link RedisClient} can fail with. Each member is a `Schema.TaggedError`,
 * so programs select the ones they handle with `Effect.catchTag`.
 */
export type RedisError =
  | ReplyError
  | ConnectionError
  | TimeoutError
  | ProtocolError
  | DecodeError
  | InvalidArgumentError
