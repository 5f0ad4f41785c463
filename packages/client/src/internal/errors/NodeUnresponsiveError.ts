import { Schema } from "effect"

/**
 * The node a command must go to has stopped answering: it owes replies and has sent nothing for `silentForMs`,
 * and a health probe on a separate connection got no answer either. Only raised when the cluster client was built
 * with `failOnUnresponsiveNode: true`; by default such commands wait, unsent, until the node answers again or the
 * topology moves its slots elsewhere.
 *
 * The command was not sent (`written` is always false), so it is safe to retry, e.g. after the failover.
 */
export class NodeUnresponsiveError extends Schema.TaggedError<NodeUnresponsiveError>()("NodeUnresponsiveError", {
  /** The command, e.g. `INCR`. */
  command: Schema.String,
  /** `host:port` of the node that stopped answering. */
  address: Schema.String,
  /** How long the node had been silent when the command was refused, in ms. */
  silentForMs: Schema.Number,
  /** Always false: the command never left the client. */
  written: Schema.Boolean
}) {
  override get message(): string {
    return `${this.command} not sent: ${this.address} has answered nothing for ${Math.round(this.silentForMs)} ms (failOnUnresponsiveNode)`
  }
}
