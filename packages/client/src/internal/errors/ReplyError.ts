import { Schema } from "effect"

/**
 * The server answered a command with an error reply (`-ERR ...`, `-WRONGTYPE ...`, a RESP3 bulk error...).
 *
 * `code` is the first word of the reply, which Redis uses as a machine-readable error class
 * (`ERR`, `WRONGTYPE`, `NOSCRIPT`, `NOAUTH`, `MOVED`...); `message` is the whole reply text.
 * The command was executed (or rejected) by the server, so retrying it is a decision for the caller.
 */
export class ReplyError extends Schema.TaggedError<ReplyError>()("ReplyError", {
  /** The error class: the first word of the reply, e.g. `WRONGTYPE`. */
  code: Schema.String,
  /** The full error text as the server sent it. */
  message: Schema.String,
  /** The command that received the reply, e.g. `INCR`. */
  command: Schema.String
}) {}
