import { Schema } from "effect"

/**
 * A command sent to several nodes whose replies must agree (CONFIG GET, PING...) got different replies. Every
 * node's reply is kept so the caller can see which node differs.
 */
export class InconsistentRepliesError extends Schema.TaggedError<InconsistentRepliesError>()("InconsistentRepliesError", {
  /** The command, e.g. `PING`. */
  command: Schema.String,
  /** Each node's decoded reply, by `host:port`. */
  replies: Schema.Array(Schema.Struct({ node: Schema.String, reply: Schema.Unknown }))
}) {
  override get message(): string {
    return `${this.command}: the nodes disagree: ${this.replies.map((r) => `${r.node}=${JSON.stringify(r.reply, (_, v) => (typeof v === "bigint" ? `${v}` : v))}`).join(", ")}`
  }
}
