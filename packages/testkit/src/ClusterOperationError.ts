/**
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A cluster operation was asked for something the cluster cannot do as it stands: an unknown node, a
 * failover with no replica to promote, a slot nobody owns, finishing a migration that was never begun.
 *
 * @since 0.1.0
 */
export class ClusterOperationError extends Schema.TaggedError<ClusterOperationError>()("ClusterOperationError", {
  operation: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.operation}: ${this.reason}`
  }
}
