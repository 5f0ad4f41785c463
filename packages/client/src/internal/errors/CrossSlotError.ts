import { Schema } from "effect"

/**
 * A command that must run on one hash slot was given keys in several slots. Detected before anything is sent.
 *
 * Put related keys under one hash tag (`{user:1}:name`, `{user:1}:email`) so they share a slot.
 */
export class CrossSlotError extends Schema.TaggedError<CrossSlotError>()("CrossSlotError", {
  /** The command, e.g. `RENAME`. */
  command: Schema.String,
  /** The distinct slots the keys hash to, in key order. */
  slots: Schema.Array(Schema.Int),
  /** Why the command cannot be split. */
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.command}: keys hash to slots ${this.slots.join(", ")}: ${this.reason}`
  }
}
