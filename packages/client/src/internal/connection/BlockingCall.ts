import type { RespValue } from "@effect-redis/resp"
import { Deferred, Effect, Exit } from "effect"
import type { Command } from "../../Command.ts"
import type { RedisError } from "../errors/RedisError.ts"
import { type CommandSink, clientIdOf, primeClientId } from "./ClientIds.ts"
import { endBlockedCommand } from "./InterruptBlocked.ts"
import type { NodeConnection } from "./NodeConnection.ts"
import type { ConnectionFailure, ReplyWaiter } from "./ReplyWaiter.ts"
import { decodeReply, invalidArgument } from "./RunOnConnection.ts"

class BlockingWaiter<A> implements ReplyWaiter {
  readonly cmd: Command<A>
  readonly deadline: number
  readonly timeoutMs: number
  resume: (effect: Effect.Effect<A, RedisError>) => void
  readonly release: (reusable: boolean) => void
  /** Set once the caller is interrupted: the reply (or failure) goes to the interruption instead. */
  outcome: Deferred.Deferred<RespValue | undefined> | undefined = undefined
  constructor(cmd: Command<A>, timeoutMs: number, resume: (effect: Effect.Effect<A, RedisError>) => void, release: (reusable: boolean) => void) {
    this.cmd = cmd
    this.timeoutMs = timeoutMs
    this.deadline = timeoutMs === Infinity ? Infinity : Date.now() + timeoutMs
    this.resume = resume
    this.release = release
  }
  get command(): string {
    return this.cmd.spec.name
  }
  get binary(): boolean {
    return this.cmd.spec.reply.binary
  }
  onReply(raw: RespValue): void {
    if (this.outcome !== undefined) {
      Deferred.doneUnsafe(this.outcome, Exit.succeed(raw))
      return
    }
    // A reply, error replies included: nothing is blocked on the connection any more.
    this.release(true)
    this.resume(decodeReply(this.cmd, raw))
  }
  onFailure(error: ConnectionFailure): void {
    if (this.outcome !== undefined) {
      Deferred.doneUnsafe(this.outcome, Exit.succeed(undefined))
      return
    }
    // Timed out or lost: the command may still be blocked there, so the connection is not reused.
    this.release(false)
    this.resume(Exit.fail(error))
  }
}

/**
 * Runs a blocking command (BLPOP, XREAD BLOCK...) on its dedicated connection `conn`, and calls `release` exactly
 * once when the connection is free again (`true`: reuse it) or must be closed (`false`).
 *
 * An interrupted caller waits until the server no longer holds the command (`endBlockedCommand`, with `control`
 * giving another connection to the same server for CLIENT UNBLOCK): nothing is served to it after the
 * interruption completes, and anything served before is put back.
 */
export const runBlockingOnConnection = <A>(
  conn: NodeConnection,
  command: Command<A>,
  timeoutMs: number,
  control: Effect.Effect<CommandSink, unknown>,
  release: (reusable: boolean) => void
): Effect.Effect<A, RedisError> => {
  let released = false
  const releaseOnce = (reusable: boolean) => {
    if (released) return
    released = true
    release(reusable)
  }
  return Effect.onExit(
    Effect.callback<A, RedisError>((resume) => {
      if (command.invalid !== undefined) {
        releaseOnce(true)
        return resume(Exit.fail(invalidArgument(command, command.invalid)))
      }
      const waiter = new BlockingWaiter(command, timeoutMs, resume, releaseOnce)
      primeClientId(conn)
      const invalid = conn.enqueue(command.args, waiter)
      if (invalid !== undefined) {
        releaseOnce(true)
        return resume(Exit.fail(invalidArgument(command, invalid)))
      }
      return Effect.suspend(() => {
        if (released) return Effect.void
        const outcome = Deferred.makeUnsafe<RespValue | undefined>()
        waiter.outcome = outcome
        return Effect.map(
          endBlockedCommand(
            { args: command.args, clientId: clientIdOf(conn), outcome: Deferred.await(outcome), reset: (reason) => conn.reset(reason) },
            control
          ),
          (end) => releaseOnce(end.reusable)
        )
      })
    }),
    // Interrupted before the command was queued: the connection holds nothing.
    () => Effect.sync(() => releaseOnce(true))
  )
}
