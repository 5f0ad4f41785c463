import { isRespErrorReply, type RespArg, type RespValue } from "@effect-redis/resp"
import { Effect, Exit, Option } from "effect"
import type { CommandSink } from "./ClientIds.ts"
import { putBackFor } from "./PutBack.ts"

/** Longest an interruption waits for the server to let go of a blocked command before resetting its connection. */
export const UNBLOCK_GRACE_MS = 500

/** How long to wait for a reply after `CLIENT UNBLOCK` answered 0 (served already, or not read yet) before asking again. */
const RECHECK_MS = 20

/** Sends one command and waits for its raw reply (error replies included), at most `timeoutMs`. */
export const requestOn = (conn: CommandSink, args: ReadonlyArray<RespArg>, timeoutMs: number): Effect.Effect<RespValue, string> =>
  Effect.callback<RespValue, string>((resume) => {
    const invalid = conn.enqueue(args, {
      command: String(args[0]),
      binary: false,
      deadline: Date.now() + timeoutMs,
      timeoutMs,
      onReply: (reply) => resume(Exit.succeed(reply)),
      onFailure: (error) => resume(Exit.fail(error.message))
    })
    if (invalid !== undefined) resume(Exit.fail(invalid.reason))
  })

/** A blocking command whose caller was interrupted while the server may still hold it. */
export interface BlockedCommand {
  /** The command as sent (BLPOP key ... timeout). */
  readonly args: ReadonlyArray<RespArg>
  /** The blocked connection's CLIENT ID (see `primeClientId`). */
  readonly clientId: Effect.Effect<number | undefined>
  /** The command's raw reply once it arrives, or `undefined` when its connection failed first. */
  readonly outcome: Effect.Effect<RespValue | undefined>
  /** Resets the blocked connection: the last resort, when the server could not be made to let go in time. */
  readonly reset: (reason: string) => void
}

/** How ending a blocked command went. */
export interface BlockedCommandEnd {
  /** The blocked connection holds nothing any more and can serve the next blocking command. */
  readonly reusable: boolean
  /** Elements the command had taken and that were put back. */
  readonly putBack: number
  /** What went wrong, when the server may have served the command to nobody (then also logged as a warning). */
  readonly problem: string | undefined
}

/**
 * Makes sure the server no longer holds an interrupted blocking command before the interruption completes, so an
 * element pushed right afterwards cannot be served to a caller that is gone (closing the connection is not enough:
 * the close is asynchronous, and a push that reaches the server first is served to the dead command).
 *
 * `CLIENT UNBLOCK <id> ERROR` goes on `control`, another connection to the same server, and the command's own
 * reply is awaited on its connection: the UNBLOCKED error (or nil) means nothing was taken; an element means the
 * command was served meanwhile, and the element is put back where it came from (see {@link putBackFor}). When
 * UNBLOCK answers 0 the command was either served already (its reply is on the way) or not read yet (it will
 * block in a moment): the reply is awaited briefly, then UNBLOCK is sent again.
 *
 * Bounded by {@link UNBLOCK_GRACE_MS}. Past it, or when the server cannot be asked (no answer, a user without the
 * right to run CLIENT UNBLOCK, no CLIENT ID known), the blocked connection is reset instead, as before this
 * existed: an element pushed at that very moment may then be served to nobody (logged at debug level). An element
 * that was taken but could not be put back (the put-back failed) is logged as a warning, with the reply.
 */
export const endBlockedCommand = (blocked: BlockedCommand, control: Effect.Effect<CommandSink, unknown>): Effect.Effect<BlockedCommandEnd> =>
  Effect.gen(function*() {
    const deadline = Date.now() + UNBLOCK_GRACE_MS
    const left = () => Math.max(0, deadline - Date.now())
    const giveUp = (problem: string): BlockedCommandEnd => {
      blocked.reset(`interrupted ${String(blocked.args[0])}: ${problem}`)
      return { reusable: false, putBack: 0, problem }
    }
    const id = Option.flatMap(yield* Effect.timeoutOption(blocked.clientId, left()), Option.fromNullishOr)
    if (Option.isNone(id)) return giveUp("the connection's CLIENT ID is unknown")
    const conn = yield* Effect.timeoutOption(Effect.option(control), left())
    if (Option.isNone(conn) || Option.isNone(conn.value)) return giveUp("no other connection to the server for CLIENT UNBLOCK")
    const sink = conn.value.value
    let outcome: Option.Option<RespValue | undefined> = Option.none()
    while (Option.isNone(outcome)) {
      if (left() === 0) return giveUp(`the server did not let go within ${UNBLOCK_GRACE_MS} ms`)
      const answer = yield* Effect.result(requestOn(sink, ["CLIENT", "UNBLOCK", id.value, "ERROR"], left()))
      if (answer._tag === "Failure") return giveUp(`CLIENT UNBLOCK failed: ${answer.failure}`)
      if (isRespErrorReply(answer.success)) return giveUp(`CLIENT UNBLOCK refused: ${answer.success.message}`)
      const wait = answer.success === 1 ? left() : Math.min(RECHECK_MS, left())
      outcome = yield* Effect.timeoutOption(blocked.outcome, wait)
    }
    const reply = outcome.value
    // The connection failed first: whatever the server did, nobody can read it now.
    if (reply === undefined) return { reusable: false, putBack: 0, problem: undefined }
    const putBack = isRespErrorReply(reply) ? undefined : putBackFor(blocked.args, reply)
    if (putBack === undefined) return { reusable: true, putBack: 0, problem: undefined }
    const restored = yield* Effect.result(putBack((args) => requestOn(sink, args, Math.max(left(), 1_000))))
    if (restored._tag === "Success") return { reusable: true, putBack: restored.success, problem: undefined }
    const problem = `what it took could not be put back (${restored.failure}): ${JSON.stringify(reply, (_, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))}`
    yield* Effect.logWarning(`effect-redis: interrupted ${String(blocked.args[0])}: ${problem}`)
    return { reusable: true, putBack: 0, problem }
  }).pipe(
    Effect.tap((end) =>
      end.problem !== undefined && !end.reusable
        ? Effect.logDebug(`effect-redis: interrupted ${String(blocked.args[0])}, connection reset: ${end.problem}`)
        : Effect.void
    )
  )
