import { Schema } from "effect"

/** The command cannot work on a Redis Cluster (SELECT, MOVE, SWAPDB...). Nothing was sent. */
export class UnsupportedInClusterError extends Schema.TaggedError<UnsupportedInClusterError>()("UnsupportedInClusterError", {
  /** The command, e.g. `MOVE`. */
  command: Schema.String,
  /** Why it cannot work. */
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.command} is not available on a cluster: ${this.reason}`
  }
}
