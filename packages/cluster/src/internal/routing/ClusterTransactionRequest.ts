import type { RedisError } from "@effect-redis/client"
import type { Transaction } from "@effect-redis/client/Command"
import { decodeTransaction, sendTransaction } from "@effect-redis/client/Connection"
import type { InvalidArgument, RespValue } from "@effect-redis/resp"
import { Effect, type Exit } from "effect"
import type { NodeTransport } from "../transport/ClusterTransport.ts"
import { ClusterRequest, type RequestContext, type RequestTarget, type WriteListener } from "./ClusterRequest.ts"

/**
 * A transaction on its way through the cluster: the single-command state machine of {@link ClusterRequest}, with
 * MULTI, the commands and EXEC as what it sends, and always to the slot's primary.
 *
 * Every failure that means "nothing ran" reaches the request as the bare error reply a single command would get,
 * so the usual rules apply to the whole transaction: a queued command answered MOVED or ASK (EXEC then answers
 * EXECABORT) sends the whole transaction again on the node named, ASKING before MULTI for ASK, within the same
 * deadline and redirect limit; TRYAGAIN, CLUSTERDOWN, MASTERDOWN, LOADING and READONLY retry on their schedules.
 * A connection lost before EXEC was written sends it again; after, the outcome is unknown and the caller gets the
 * `ConnectionError` (`written: true`), unless every command only reads.
 */
export class ClusterTransactionRequest<A> extends ClusterRequest<A> {
  private readonly transaction: Transaction<A>

  constructor(
    ctx: RequestContext,
    transaction: Transaction<A>,
    target: RequestTarget,
    complete: (effect: Effect.Effect<A, RedisError>) => void,
    onWrite: WriteListener | undefined
  ) {
    super(ctx, transaction, target, complete, onWrite)
    this.transaction = transaction
    // A transaction runs where its slot's writes run, whatever readFrom says: a replica would refuse its writes,
    // and its reads must see the same data as its writes.
    this.primaryOnly = true
  }

  protected override enqueueOn(conn: NodeTransport, _asking: boolean): InvalidArgument | undefined {
    // ClusterRequest has already queued the ASKING an ASK redirect needs: it precedes MULTI.
    sendTransaction(conn, this.transaction as Transaction<unknown>, this, true)
    return undefined
  }

  protected override decode(raw: RespValue): Exit.Exit<A, RedisError> {
    return decodeTransaction(this.transaction as Transaction<unknown>, raw) as Exit.Exit<A, RedisError>
  }

  /** Starts a transaction as an Effect: the caller's fiber waits in one `Effect.callback`. */
  static runTransaction<A>(
    ctx: RequestContext,
    transaction: Transaction<A>,
    target: RequestTarget,
    onWrite?: WriteListener
  ): Effect.Effect<A, RedisError> {
    return Effect.callback<A, RedisError>((resume) => {
      const request = new ClusterTransactionRequest(ctx, transaction, target, resume, onWrite)
      request.send()
      return Effect.suspend(() => request.interrupt())
    })
  }
}
