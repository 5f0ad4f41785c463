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
  reason: Schema.String,
  /**
   * The keys with the slot each hashes to (`"{u1}:a" -> 9201`), when the error concerns several commands (a
   * transaction, a WATCH): binary keys as UTF-8.
   */
  keys: Schema.optional(Schema.Array(Schema.Struct({ key: Schema.String, slot: Schema.Int })))
}) {
  override get message(): string {
    const keys = this.keys === undefined ? "" : ` (${this.keys.map(({ key, slot }) => `${JSON.stringify(key)} -> ${slot}`).join(", ")})`
    return `${this.command}: keys hash to slots ${this.slots.join(", ")}${keys}: ${this.reason}`
  }
}
