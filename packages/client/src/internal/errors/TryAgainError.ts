import { Schema } from "effect"

/**
 * A multi-key command kept getting `TRYAGAIN`: its slot is being migrated and its keys are split between the
 * two nodes. Retried with a short backoff until the `tryAgain` schedule or the deadline ran out. Not executed.
 */
export class TryAgainError extends Schema.TaggedError<TryAgainError>()("TryAgainError", {
  /** The command, e.g. `MGET`. */
  command: Schema.String,
  /** The hash slot being migrated. */
  slot: Schema.Int,
  /** How many times the command was tried. */
  attempts: Schema.Int
}) {
  override get message(): string {
    return `${this.command} (slot ${this.slot}): TRYAGAIN after ${this.attempts} attempt(s), the slot is being migrated`
  }
}
