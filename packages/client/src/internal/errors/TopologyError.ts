import { Schema } from "effect"

/**
 * The cluster's layout could not be discovered: no startup or known node answered `CLUSTER SHARDS` /
 * `CLUSTER SLOTS`, or the answers did not cover every slot (see `skipFullCoverageCheck`).
 */
export class TopologyError extends Schema.TaggedError<TopologyError>()("TopologyError", {
  /** What went wrong, with each node's failure. */
  reason: Schema.String,
  /** The nodes that were asked, `host:port`. */
  nodes: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `cluster topology unavailable: ${this.reason}`
  }
}
