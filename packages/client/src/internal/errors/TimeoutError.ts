import { Schema } from "effect"

/**
 * A command's reply did not arrive within its timeout (`commandTimeout`, or a connect that took longer than
 * `connectTimeout`).
 *
 * Like {@link ConnectionError}, `written` tells whether the server may have received the command. A late reply is
 * read and discarded, so the connection stays usable. (Distinct from Effect's own `Cause.TimeoutError`, which has
 * no `command` field.)
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  /** The command that timed out, e.g. `GET`, or `CONNECT` for a connection attempt. */
  command: Schema.String,
  /** `host:port` of the node. */
  address: Schema.String,
  /** The timeout that elapsed, in milliseconds. */
  timeoutMs: Schema.Number,
  /** Whether the command's bytes were written to the socket. */
  written: Schema.Boolean
}) {
  override get message(): string {
    return `${this.command} to ${this.address} timed out after ${this.timeoutMs} ms`
  }
}
