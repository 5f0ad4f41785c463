import { Schema } from "effect"
import { DecodeError } from "./DecodeError.ts"
import { InvalidArgumentError } from "./InvalidArgumentError.ts"
import { ReplyError } from "./ReplyError.ts"
import { UnsupportedInClusterError } from "./UnsupportedInClusterError.ts"

/**
 * One command of a transaction (MULTI ... EXEC) failed or was refused; `index` says which, `error` why.
 *
 * `executed` tells what happened to the others, which is what a program must act on:
 *
 * - `false`: nothing ran. The command was refused before anything was sent (an invalid argument, a blocking
 *   command, a nested transaction, a cluster fan-out command), or the server refused to queue it (a syntax error,
 *   an unknown command: EXEC then answered `EXECABORT` and discarded the whole transaction).
 * - `true`: EXEC ran every command and this one failed at run time (`WRONGTYPE`...), or its reply could not be
 *   decoded. As in Redis, the other commands of the transaction were applied: there is no rollback.
 */
export class TransactionCommandError extends Schema.TaggedError<TransactionCommandError>()("TransactionCommandError", {
  /** Position of the command in the transaction, from 0. */
  index: Schema.Int,
  /** The command, e.g. `INCR`. */
  command: Schema.String,
  /** Whether EXEC ran the transaction (the other commands were applied) or nothing ran. */
  executed: Schema.Boolean,
  /** The command's own error. */
  error: Schema.Union([ReplyError, DecodeError, InvalidArgumentError, UnsupportedInClusterError])
}) {
  override get message(): string {
    const what = this.executed
      ? "failed inside EXEC (the other commands were applied)"
      : "was refused, so the transaction did not run"
    return `transaction command ${this.index} (${this.command}) ${what}: ${this.error.message}`
  }
}
