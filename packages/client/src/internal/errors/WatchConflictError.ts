import { Schema } from "effect"

/**
 * The transaction of a `RedisClient.watch` body did not run, and nothing of it was applied: run the body again
 * (`RedisClient.optimistic` does) to decide afresh on current values.
 *
 * `reason`:
 * - `"changed"`: a watched key was modified (or expired) after WATCH, so EXEC answered nil: another client won.
 * - `"moved"`: on a cluster, the watched slot moved to another node (MOVED, ASK or TRYAGAIN during a migration)
 *   while the body ran; the WATCH stayed behind on the old node, so its EXEC is not sent elsewhere.
 * - `"connectionLost"`: the connection holding the WATCH was lost before EXEC was sent (a failover, a restart),
 *   so whether the keys changed is unknown; nothing of the transaction ran.
 */
export class WatchConflictError extends Schema.TaggedError<WatchConflictError>()("WatchConflictError", {
  /** The watched keys (binary keys as UTF-8). */
  keys: Schema.Array(Schema.String),
  /** Why the transaction did not run. */
  reason: Schema.Literals(["changed", "moved", "connectionLost"]),
  /** Details in words, e.g. the redirect the server answered. */
  detail: Schema.String
}) {
  override get message(): string {
    return `WATCH ${this.keys.join(" ")}: the transaction did not run (${this.reason}): ${this.detail}`
  }
}
