/**
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A state the test kit was waiting for (a cluster reaching `cluster_state:ok`, a replica syncing, a promoted
 * replica reporting itself primary, ...) did not arrive in time. `lastSeen` is what the last check observed,
 * which is usually the answer to "why".
 *
 * @since 0.1.0
 */
export class WaitTimeoutError extends Schema.TaggedError<WaitTimeoutError>()("WaitTimeoutError", {
  waitingFor: Schema.String,
  timeoutMs: Schema.Number,
  lastSeen: Schema.String
}) {
  override get message(): string {
    return `gave up after ${this.timeoutMs} ms waiting for ${this.waitingFor}; last seen: ${this.lastSeen}`
  }
}
