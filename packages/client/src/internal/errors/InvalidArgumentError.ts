import { Schema } from "effect"

/**
 * A command was given an argument that cannot be sent: a value of the wrong type (`undefined`, an object, NaN),
 * a value larger than the server accepts, or a combination of options the command does not allow.
 * Raised before anything is written, so nothing reached the server.
 */
export class InvalidArgumentError extends Schema.TaggedError<InvalidArgumentError>()("InvalidArgumentError", {
  /** The command, e.g. `SET`. */
  command: Schema.String,
  /** Position of the offending argument in the command line (0 is the command name), when one argument is at fault. */
  index: Schema.optional(Schema.Number),
  /** What is wrong, in words. */
  reason: Schema.String
}) {
  override get message(): string {
    const where = this.index === undefined ? "" : ` (argument ${this.index})`
    return `invalid argument for ${this.command}${where}: ${this.reason}`
  }
}
