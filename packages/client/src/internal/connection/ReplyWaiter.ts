import type { ProtocolError, RespValue } from "@effect-redis/resp"
import type { ConnectionError } from "../errors/ConnectionError.ts"
import type { TimeoutError } from "../errors/TimeoutError.ts"

/** Why a waiter's reply will never come. */
export type ConnectionFailure = ConnectionError | TimeoutError | ProtocolError

/**
 * One command waiting for its reply on a connection. The connection calls exactly one of `onReply` /
 * `onFailure`, once. Error replies (`-ERR ...`) arrive through `onReply` as `RespErrorReply` values: deciding what
 * they mean (MOVED, ASK, a user error) is the executor's job, not the connection's.
 */
export interface ReplyWaiter {
  /** The command name, for error messages. */
  readonly command: string
  /** Whether the reply's bulk strings should be decoded as bytes. */
  readonly binary: boolean
  /** Absolute deadline in ms (`Date.now()` scale), or `Infinity` for none. */
  readonly deadline: number
  /** The timeout the deadline was computed from, in ms (reported in `TimeoutError`). */
  readonly timeoutMs: number
  /** The reply arrived. */
  onReply(reply: RespValue): void
  /** The reply will not arrive (timeout, connection lost, protocol error). */
  onFailure(error: ConnectionFailure): void
}
