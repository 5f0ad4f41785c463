import { Schema } from "effect"

/**
 * A reply arrived but did not have the shape the command's reply Schema expects (for example an integer where a
 * string was due). The command ran on the server; only the conversion of its reply failed.
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  /** The command whose reply could not be decoded. */
  command: Schema.String,
  /** What was expected and what came, in words. */
  reason: Schema.String,
  /** The raw reply value as decoded from RESP. */
  reply: Schema.Unknown
}) {
  override get message(): string {
    return `cannot decode the reply to ${this.command}: ${this.reason}`
  }
}
