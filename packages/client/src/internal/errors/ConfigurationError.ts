import { Schema } from "effect"

/**
 * The client's options cannot work: a malformed URL (scheme, host, port, database path, query), a value out of
 * range or of the wrong type, an option the client does not know, or two options that contradict each other.
 * Raised when the layer (or `RedisNode.make`) is built, before any connection is opened, so it is never mistaken
 * for a network or cluster failure. Secrets never appear: passwords in `value` are replaced by `***`.
 */
export class ConfigurationError extends Schema.TaggedError<ConfigurationError>()("ConfigurationError", {
  /** The option at fault, as it is spelled in the options object: `url`, `port`, `database`, `retry.connection`... */
  field: Schema.String,
  /** The value given, as text, with any password redacted (`redis://app:***@host:6379`). */
  value: Schema.String,
  /** What is wrong with it and what is accepted. */
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid configuration: ${this.field} = ${this.value}: ${this.reason}`
  }
}
