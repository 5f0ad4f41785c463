import { Schema } from "effect"

/** One MOVED or ASK the command followed. */
export const Redirection = Schema.Struct({
  kind: Schema.Literals(["MOVED", "ASK"]),
  slot: Schema.Int,
  /** `host:port` the command was sent to next. */
  address: Schema.String
})

/** One MOVED or ASK the command followed. */
export type Redirection = typeof Redirection.Type

/**
 * A command was redirected more than `maxRedirections` times (default 16): the nodes disagree about who owns
 * its slot, usually because a reshard is stuck. The command was not executed; `history` shows the loop.
 */
export class RedirectionLimitError extends Schema.TaggedError<RedirectionLimitError>()("RedirectionLimitError", {
  /** The command, e.g. `GET`. */
  command: Schema.String,
  /** Every redirect followed, oldest first. */
  history: Schema.Array(Redirection)
}) {
  override get message(): string {
    const path = this.history.map((r) => `${r.kind} ${r.slot} ${r.address}`).join(" -> ")
    return `${this.command}: more than ${this.history.length - 1} redirections: ${path}`
  }
}
