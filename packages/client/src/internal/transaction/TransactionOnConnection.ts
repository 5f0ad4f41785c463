import { Effect, Exit } from "effect"
import type { OnConnectionFailure } from "../connection/RunOnConnection.ts"
import type { ConnectionFailure, ReplyWaiter } from "../connection/ReplyWaiter.ts"
import type { RedisError } from "../errors/RedisError.ts"
import type { WatchConflictError } from "../errors/WatchConflictError.ts"
import type { RespValue } from "@effect-redis/resp"
import { sendTransaction, type TransactionConnection } from "./TransactionAttempt.ts"
import { transactionRefusal } from "./TransactionRefusal.ts"
import { decodeTransaction, type WatchedKeys } from "./TransactionReplies.ts"
import type { Transaction } from "./Transaction.ts"

/** Deadline in ms for a transaction queued now with `timeoutMs`. */
const deadlineOf = (timeoutMs: number): number => (timeoutMs === Infinity ? Infinity : Date.now() + timeoutMs)

/**
 * The sink of a transaction on one connection (no redirects: a standalone server, or a WATCH body's pinned
 * connection): decodes the outcome, or hands a connection failure to `onConnectionFailure` (which may send it
 * again when that is safe) before failing with it.
 */
class TransactionWaiter implements ReplyWaiter {
  readonly transaction: Transaction<unknown>
  readonly complete: (effect: Effect.Effect<unknown, RedisError | WatchConflictError>) => void
  readonly deadline: number
  readonly timeoutMs: number
  readonly onConnectionFailure: OnConnectionFailure | undefined
  readonly watched: WatchedKeys | undefined
  constructor(
    transaction: Transaction<unknown>,
    complete: (effect: Effect.Effect<unknown, RedisError | WatchConflictError>) => void,
    timeoutMs: number,
    onConnectionFailure: OnConnectionFailure | undefined,
    watched: WatchedKeys | undefined
  ) {
    this.transaction = transaction
    this.complete = complete
    this.timeoutMs = timeoutMs
    this.deadline = deadlineOf(timeoutMs)
    this.onConnectionFailure = onConnectionFailure
    this.watched = watched
  }
  get command(): string {
    return "EXEC"
  }
  get binary(): boolean {
    return false
  }
  onReply(value: RespValue): void {
    this.complete(decodeTransaction(this.transaction, value, this.watched))
  }
  onFailure(error: ConnectionFailure): void {
    const retry = error._tag === "ConnectionError" ? this.onConnectionFailure?.(this.transaction, error) : undefined
    this.complete(retry ?? Exit.fail(error))
  }
}

/**
 * Runs a transaction on one connection: checks its commands (nothing is sent if one is refused), then queues MULTI,
 * the commands and EXEC in this tick (one write, with whatever else this tick sends) and decodes EXEC's replies.
 * An empty transaction succeeds with no replies without sending anything.
 *
 * With `watched` (a WATCH body's transaction), EXEC answering nil is a `WatchConflictError`, and `asking` puts
 * ASKING before MULTI (the WATCH followed an ASK redirect). `onConnectionFailure` is asked, as for a single command, when the connection fails before EXEC's reply: the
 * error's `written` is EXEC's, so a transaction whose EXEC never left may be sent again on a new connection.
 */
export const runTransactionOnConnection = <A>(
  conn: TransactionConnection,
  transaction: Transaction<A>,
  timeoutMs: number,
  onConnectionFailure?: OnConnectionFailure,
  watched?: WatchedKeys & { readonly asking: boolean }
): Effect.Effect<A, RedisError | WatchConflictError> =>
  Effect.callback<A, RedisError | WatchConflictError>((resume) => {
    const refusal = transactionRefusal(transaction.commands)
    if (refusal !== undefined) return resume(Exit.fail(refusal))
    if (transaction.commands.length === 0 && watched === undefined) return resume(Exit.succeed([] as A))
    sendTransaction(
      conn,
      transaction as Transaction<unknown>,
      new TransactionWaiter(transaction as Transaction<unknown>, resume as never, timeoutMs, onConnectionFailure, watched),
      false,
      watched?.asking ?? false
    )
  })

/**
 * Queues a transaction as one element of a pipeline on one connection; `settle` gets its outcome once. Like
 * {@link runTransactionOnConnection} without the retry: pipelines are not sent again.
 */
export const queueTransaction = (
  conn: TransactionConnection,
  transaction: Transaction<unknown>,
  timeoutMs: number,
  settle: (exit: Exit.Exit<unknown, RedisError>) => void
): void => {
  const refusal = transactionRefusal(transaction.commands)
  if (refusal !== undefined) return settle(Exit.fail(refusal))
  if (transaction.commands.length === 0) return settle(Exit.succeed([]))
  sendTransaction(conn, transaction, new TransactionWaiter(transaction, settle as never, timeoutMs, undefined, undefined), false)
}
