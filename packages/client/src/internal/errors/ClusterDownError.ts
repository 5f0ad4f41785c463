import { Schema } from "effect"

/**
 * The cluster could not serve the command within its retry budget: the server kept answering `CLUSTERDOWN` or
 * `MASTERDOWN`, or no node serves the key's slot. The command was not executed.
 */
export class ClusterDownError extends Schema.TaggedError<ClusterDownError>()("ClusterDownError", {
  /** The command, e.g. `INCR`. */
  command: Schema.String,
  /** The hash slot, or -1 for commands without keys. */
  slot: Schema.Int,
  /** The last error reply (`CLUSTERDOWN The cluster is down`) or why no node could be chosen. */
  reason: Schema.String,
  /** How many times the command was tried. */
  attempts: Schema.Int
}) {
  override get message(): string {
    return `${this.command} (slot ${this.slot}): cluster down after ${this.attempts} attempt(s): ${this.reason}`
  }
}
