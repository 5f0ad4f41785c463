import { Schema } from "effect"

/**
 * A command could not complete because its connection failed: the server could not be reached, the handshake was
 * refused, or the connection was lost before the reply arrived.
 *
 * `written` says whether the command's bytes were handed to the socket. When it is `false` the server never saw
 * the command and it is safe to send again; when it is `true` the command may or may not have been executed,
 * so a write must not be replayed blindly.
 */
export class ConnectionError extends Schema.TaggedError<ConnectionError>()("ConnectionError", {
  /** `host:port` of the node. */
  address: Schema.String,
  /** What went wrong, in words (`connect ECONNREFUSED`, `connection closed by the server`, ...). */
  reason: Schema.String,
  /** Whether the command's bytes were written to the socket before the failure. */
  written: Schema.Boolean,
  /** The command that failed, when the failure concerns one command. */
  command: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const what = this.command === undefined ? "" : ` (${this.command}, ${this.written ? "written" : "not written"})`
    return `connection to ${this.address} failed: ${this.reason}${what}`
  }
}
