import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect, Exit } from "effect"
import { type Command, type CommandSpec, makeCommand, makeSpec } from "../../Command.ts"
import type { PipelineResults, PipelineValues, WatchTransaction } from "../../RedisClient.ts"
import { ClusterPolicy } from "../ClusterPolicy.ts"
import { CommandFlags, hasFlag } from "../CommandFlags.ts"
import { runOnConnection } from "../connection/RunOnConnection.ts"
import type { ConnectionFailure, ReplyWaiter } from "../connection/ReplyWaiter.ts"
import { InvalidArgumentError } from "../errors/InvalidArgumentError.ts"
import type { RedisError } from "../errors/RedisError.ts"
import { WatchConflictError } from "../errors/WatchConflictError.ts"
import { allKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import { makeTransaction, type Transaction } from "./Transaction.ts"
import type { TransactionConnection } from "./TransactionAttempt.ts"
import { runTransactionOnConnection } from "./TransactionOnConnection.ts"
import { commandRefusal, transactionRefusal } from "./TransactionRefusal.ts"
import { keyText } from "./TransactionReplies.ts"

/** What a WATCH body needs from its leased connection. */
export interface WatchConnection extends TransactionConnection {
  readonly isReady: boolean
  readonly inFlight: number
}

/** A connection with its WATCH applied, as the executor's `acquire` gives it to {@link runWatch}. */
export interface WatchedConnection<C extends WatchConnection> {
  readonly conn: C
  /**
   * The WATCH followed an ASK redirect: the node is importing the slot, so every command and transaction of the
   * body is preceded by ASKING there.
   */
  readonly asking: boolean
}

/** How {@link runWatch} runs a body: where its connection comes from and goes back to, and the rules of its node. */
export interface WatchOptions<C extends WatchConnection> {
  /** The watched keys. */
  readonly keys: ReadonlyArray<RespArg>
  /**
   * Leases a connection of its own and applies WATCH there (following redirects on a cluster). Leaves nothing
   * behind when it fails or is interrupted.
   */
  readonly acquire: Effect.Effect<WatchedConnection<C>, RedisError>
  /** Gives the connection back: kept for the next body when `reusable` (nothing watched, nothing in flight), else closed. */
  readonly release: (conn: C, reusable: boolean) => void
  /** Reply timeout of the body's commands and transaction, in ms. */
  readonly timeoutMs: number
  /** A cluster: MOVED, ASK or TRYAGAIN in the body mean the watched slot moved (a `WatchConflictError`). */
  readonly cluster: boolean
  /** Refuses a command the body may not send here (on a cluster: a key of another slot, a fan-out command). */
  readonly check?: ((command: Command<unknown>) => RedisError | undefined) | undefined
  /**
   * Told when the body's transaction wrote (`ensureReplication`), with the connection and how to give it back:
   * the listener then holds the connection (to send WAIT there) and must call `release`.
   */
  readonly onWrite?: ((conn: C, release: () => void) => void) | undefined
}

let watchSpec: CommandSpec<void> | undefined

/** `WATCH key...` (the spec is built on first use: Command.ts may still be loading when this module is). */
export const watchCommand = (keys: ReadonlyArray<RespArg>): Command<void> => {
  watchSpec ??= makeSpec({ name: "WATCH", flags: CommandFlags.readonly, keys: allKeys, reply: Replies.ok, policy: ClusterPolicy.singleSlot })
  return makeCommand(watchSpec, ["WATCH", ...keys])
}

const ASKING: ReadonlyArray<RespArg> = ["ASKING"]
const UNWATCH: ReadonlyArray<RespArg> = ["UNWATCH"]
const SLOT_MOVED = new Set(["MOVED", "ASK", "TRYAGAIN"])

const ignoredWaiter = (command: string, timeoutMs: number): ReplyWaiter => ({
  command,
  binary: false,
  deadline: Date.now() + timeoutMs,
  timeoutMs,
  onReply: () => {},
  onFailure: () => {}
})

/**
 * The `tx` a WATCH body gets: reads (and writes, if the body wants them outside the transaction) on the connection
 * holding the WATCH, then one `exec`. It refuses to be used once the transaction was sent or the body is over, so
 * nothing can run unwatched by mistake.
 */
class WatchSession<C extends WatchConnection> implements WatchTransaction {
  readonly keys: ReadonlyArray<RespArg>
  private readonly conn: C
  private readonly asking: boolean
  private readonly options: WatchOptions<C>
  private readonly keyTexts: ReadonlyArray<string>
  /** The commands of the body go through this: ASKING first when the session follows an ASK redirect. */
  private readonly commandConn: { enqueue: TransactionConnection["enqueue"]; readonly commandTimeoutMs: number }
  /** MULTI ... EXEC (or DISCARD) was queued: the WATCH ends with its reply. */
  private execSent = false
  /** The listener of `onWrite` holds the connection now. */
  private handedOver = false
  private finished = false

  constructor(watched: WatchedConnection<C>, options: WatchOptions<C>) {
    this.conn = watched.conn
    this.asking = watched.asking
    this.options = options
    this.keys = options.keys
    this.keyTexts = options.keys.map(keyText)
    const conn = this.conn
    this.commandConn = {
      commandTimeoutMs: options.timeoutMs,
      enqueue: watched.asking
        ? (args, waiter) => {
          conn.enqueue(ASKING, ignoredWaiter("ASKING", options.timeoutMs))
          return conn.enqueue(args, waiter)
        }
        : (args, waiter) => conn.enqueue(args, waiter)
    }
  }

  /** Why the body may not send `command` now, if it may not. */
  private refusal(command: Command<unknown>, what: string): RedisError | undefined {
    if (this.finished) {
      return new InvalidArgumentError({ command: command.spec.name, reason: `the WATCH body is over: ${what} must run inside it` })
    }
    if (this.execSent) {
      return new InvalidArgumentError({ command: command.spec.name, reason: `the body's transaction was already sent (EXEC ends the WATCH): ${what} would run unwatched` })
    }
    return this.options.check?.(command)
  }

  /** A failure inside the body, as the body should see it: the slot or the WATCH gone is a conflict. */
  private conflictOf(error: RedisError, readonly: boolean): RedisError | WatchConflictError {
    if (this.options.cluster && error._tag === "ReplyError" && SLOT_MOVED.has(error.code)) {
      return new WatchConflictError({ keys: this.keyTexts, reason: "moved", detail: error.message })
    }
    if (error._tag === "ConnectionError" && (!error.written || readonly)) {
      return new WatchConflictError({ keys: this.keyTexts, reason: "connectionLost", detail: error.message })
    }
    return error
  }

  run<A>(command: Command<A>): Effect.Effect<A, RedisError | WatchConflictError> {
    // Checked when run, not when built: an effect built before EXEC and run after it must be refused.
    return Effect.suspend(() => {
      const refused = this.refusal(command, "a command") ?? commandRefusal(command)
      if (refused !== undefined) return Effect.fail(refused)
      const readonly = hasFlag(command.spec.flags, CommandFlags.readonly)
      return Effect.mapError(
        runOnConnection(this.commandConn, command, undefined, this.options.timeoutMs),
        (error) => this.conflictOf(error, readonly)
      )
    })
  }

  exec<const Cs extends ReadonlyArray<Command<any>>>(commands: Cs): Effect.Effect<PipelineValues<Cs>, RedisError | WatchConflictError> {
    return this.send(makeTransaction<PipelineValues<Cs>>(commands, "values"))
  }

  execResults<const Cs extends ReadonlyArray<Command<any>>>(commands: Cs): Effect.Effect<PipelineResults<Cs>, RedisError | WatchConflictError> {
    return this.send(makeTransaction<PipelineResults<Cs>>(commands, "results"))
  }

  private send<A>(transaction: Transaction<A>): Effect.Effect<A, RedisError | WatchConflictError> {
    return Effect.suspend(() => {
      const refused = this.refusal(transaction, "EXEC")
      if (refused !== undefined) return Effect.fail(refused)
      for (const command of transaction.commands) {
        const outside = this.options.check?.(command)
        if (outside !== undefined) return Effect.fail(outside)
      }
      const refusal = transactionRefusal(transaction.commands)
      if (refusal !== undefined) return Effect.fail(refusal)
      const readonly = hasFlag(transaction.spec.flags, CommandFlags.readonly)
      // From here MULTI ... EXEC (or DISCARD, for an argument that cannot be encoded) is queued: its reply ends the WATCH.
      this.execSent = true
      const run = runTransactionOnConnection(this.conn, transaction, this.options.timeoutMs, undefined, {
        keys: this.keyTexts,
        asking: this.asking
      })
      return Effect.onExit(
        Effect.mapError(run, (error) => (error._tag === "WatchConflictError" ? error : this.conflictOf(error, readonly))),
        (exit) => Effect.sync(() => this.afterExec(exit, readonly))
      )
    })
  }

  /** A transaction that wrote hands the connection to the `onWrite` listener (it sends WAIT there first). */
  private afterExec(exit: Exit.Exit<unknown, RedisError | WatchConflictError>, readonly: boolean): void {
    const onWrite = this.options.onWrite
    if (onWrite === undefined || readonly || this.handedOver) return
    const wrote = Exit.isSuccess(exit) ||
      exit.cause.reasons.some((reason) => reason._tag === "Fail" && reason.error._tag === "TransactionCommandError" && reason.error.executed)
    if (!wrote) return
    this.handedOver = true
    const conn = this.conn
    onWrite(conn, () => this.options.release(conn, true))
  }

  /**
   * The body is over: give the connection back in a state the next user can trust. After EXEC's reply (or
   * DISCARD's) nothing is watched any more; a body that ended without EXEC gets an UNWATCH; a connection with
   * replies still due (an interrupted read, a timed-out EXEC) or an interrupted body is closed, which drops
   * whatever the server still holds for it.
   */
  end(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.finished = true
      if (this.handedOver) return Effect.void
      const conn = this.conn
      const release = this.options.release
      if (Exit.hasInterrupts(exit) || !conn.isReady || conn.inFlight > 0) {
        release(conn, false)
        return Effect.void
      }
      if (this.execSent) {
        release(conn, true)
        return Effect.void
      }
      return Effect.map(Effect.result(unwatch(conn, this.options.timeoutMs)), (result) =>
        release(conn, result._tag === "Success" && conn.inFlight === 0))
    })
  }
}

/** Sends UNWATCH and waits for its reply (bounded by `timeoutMs`). */
const unwatch = (conn: WatchConnection, timeoutMs: number): Effect.Effect<RespValue, ConnectionFailure> =>
  Effect.callback<RespValue, ConnectionFailure>((resume) => {
    conn.enqueue(UNWATCH, {
      command: "UNWATCH",
      binary: false,
      deadline: Date.now() + timeoutMs,
      timeoutMs,
      onReply: (reply) => resume(Exit.succeed(reply)),
      onFailure: (error) => resume(Exit.fail(error))
    })
  })

/**
 * Runs a WATCH body: a connection of its own with the keys watched (`acquire`), the body with its `tx`, then the
 * connection back (see `WatchSession.end`). The connection is never one other fibers share, so a WATCH or an open
 * MULTI can never leak into someone else's commands; interrupting the body closes it.
 */
export const runWatch = <C extends WatchConnection, A, E, R>(
  options: WatchOptions<C>,
  body: (tx: WatchTransaction) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | RedisError | WatchConflictError, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(restore(options.acquire), (watched) => {
      const session = new WatchSession(watched, options)
      return Effect.onExit(restore(Effect.suspend(() => body(session))), (exit) => session.end(exit))
    })
  )
