import type { InvalidArgument, RespArg } from "@effect-redis/resp"
import { Deferred, Effect, Exit } from "effect"
import type { ReplyWaiter } from "./ReplyWaiter.ts"

/** Anything commands can be queued on: a `NodeConnection`, or a cluster transport's connection. */
export interface CommandSink {
  enqueue(args: ReadonlyArray<RespArg>, waiter: ReplyWaiter): InvalidArgument | undefined
}

/** Each dedicated connection's `CLIENT ID` (or `undefined` when the server refused to tell), once asked. */
const ids = new WeakMap<CommandSink, Deferred.Deferred<number | undefined>>()

/**
 * Asks the server for the connection's `CLIENT ID` unless that was done already. Called just before a blocking
 * command is queued on its dedicated connection: the question leaves in the same write, ahead of the command, so
 * the answer costs no round trip and arrives before the command blocks. An interrupted blocking command needs it
 * to be unblocked from another connection (`CLIENT UNBLOCK <id>`).
 */
export const primeClientId = (conn: CommandSink): void => {
  if (ids.has(conn)) return
  const deferred = Deferred.makeUnsafe<number | undefined>()
  ids.set(conn, deferred)
  const invalid = conn.enqueue(["CLIENT", "ID"], {
    command: "CLIENT",
    binary: false,
    deadline: Infinity,
    timeoutMs: Infinity,
    onReply: (reply) => Deferred.doneUnsafe(deferred, Exit.succeed(typeof reply === "number" ? reply : undefined)),
    onFailure: () => Deferred.doneUnsafe(deferred, Exit.succeed(undefined))
  })
  if (invalid !== undefined) Deferred.doneUnsafe(deferred, Exit.succeed(undefined))
}

/** The connection's `CLIENT ID`, waiting for the answer to {@link primeClientId}; `undefined` if never asked or refused. */
export const clientIdOf = (conn: CommandSink): Effect.Effect<number | undefined> => {
  const deferred = ids.get(conn)
  return deferred === undefined ? Effect.succeed(undefined) : Deferred.await(deferred)
}
