import type { Command, RedisError } from "@effect-redis/client"
import type { WatchedConnection } from "@effect-redis/client/Connection"
import type { InvalidArgument, RespValue } from "@effect-redis/resp"
import { Effect, Exit } from "effect"
import type { NodeTransport } from "../transport/ClusterTransport.ts"
import { ClusterRequest, type RequestContext, type RequestTarget } from "./ClusterRequest.ts"

/**
 * The WATCH that starts a `RedisClient.watch` body on a cluster: sent on a connection leased for the body alone
 * (like a blocking command's), to the slot's primary (or to the node a node-bound client names), with the usual
 * redirect and retry rules, so a MOVED or ASK
 * is followed before the body runs. On success the request keeps the lease and hands the connection over, with
 * whether it was reached by an ASK redirect (then the body's commands need ASKING there too).
 */
export class ClusterWatchRequest extends ClusterRequest<WatchedConnection<NodeTransport>> {
  /** The connection WATCH succeeded on, kept for the body. */
  private kept: NodeTransport | undefined = undefined
  /** Whether the last attempt followed an ASK redirect. */
  private viaAsk = false

  constructor(
    ctx: RequestContext,
    watch: Command<void>,
    target: RequestTarget,
    complete: (effect: Effect.Effect<WatchedConnection<NodeTransport>, RedisError>) => void
  ) {
    super(ctx, watch as unknown as Command<WatchedConnection<NodeTransport>>, target, complete, undefined)
    // Never on the shared connection (the WATCH would apply to everyone's commands), never on a replica.
    this.dedicated = true
    this.primaryOnly = true
  }

  protected override enqueueOn(conn: NodeTransport, asking: boolean): InvalidArgument | undefined {
    this.viaAsk = asking
    return super.enqueueOn(conn, asking)
  }

  protected override keepsLease(conn: NodeTransport): boolean {
    this.kept = conn
    return true
  }

  protected override decode(raw: RespValue): Exit.Exit<WatchedConnection<NodeTransport>, RedisError> {
    const conn = this.kept
    if (conn === undefined) return super.decode(raw)
    this.kept = undefined
    return Exit.succeed({ conn, asking: this.viaAsk })
  }

  /**
   * Leases a connection and applies WATCH there. Interrupted before the reply, the lease is closed (and the WATCH
   * with it); the caller owns the connection once this succeeds and must give it back with `pool.release`.
   */
  static watchOn(ctx: RequestContext, watch: Command<void>, target: RequestTarget): Effect.Effect<WatchedConnection<NodeTransport>, RedisError> {
    return Effect.callback<WatchedConnection<NodeTransport>, RedisError>((resume) => {
      const request = new ClusterWatchRequest(ctx, watch, target, resume)
      request.send()
      return Effect.suspend(() => request.interrupt())
    })
  }
}
