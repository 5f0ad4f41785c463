import { Schema } from "effect"

/**
 * `RedisCluster.ensureReplication` asked a node to `WAIT` for replicas and fewer acknowledged the writes before
 * the timeout. The writes were executed on the primary; they may be lost if it fails before replicating.
 */
export class ReplicationError extends Schema.TaggedError<ReplicationError>()("ReplicationError", {
  /** `host:port` of the primary that took the writes. */
  address: Schema.String,
  /** How many replicas were required. */
  required: Schema.Int,
  /** How many acknowledged in time. */
  acknowledged: Schema.Int,
  /** `WAIT timed out`, or why WAIT itself failed. */
  reason: Schema.String
}) {
  override get message(): string {
    return `writes on ${this.address} reached ${this.acknowledged} of ${this.required} required replica(s): ${this.reason}`
  }
}
