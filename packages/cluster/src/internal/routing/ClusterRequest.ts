import { ClusterDownError, type Command, NodeUnresponsiveError, RedirectionLimitError, type RedisError, ReplyError, TimeoutError, TryAgainError } from "@effect-redis/client"
import { CommandFlags, decodeReply, hasFlag, invalidArgument } from "@effect-redis/client/Command"
import { clientIdOf, type ConnectionFailure, endBlockedCommand, primeClientId, type ReplyWaiter } from "@effect-redis/client/Connection"
import type { Redirection } from "@effect-redis/client"
import { type InvalidArgument, isRespErrorReply, type RespErrorReply, type RespValue } from "@effect-redis/resp"
import { Clock, Deferred, Duration, Effect, Exit, Result, Schedule } from "effect"
import { parseRedirect } from "../topology/ClusterReplyParsing.ts"
import { type ClusterNodeInfo, type ClusterShard, formatAddress, type NodeAddressParts } from "../topology/ClusterSnapshot.ts"
import type { ClusterTopologyService } from "../topology/ClusterTopology.ts"
import type { ConnectFailure, NodeTransport } from "../transport/ClusterTransport.ts"
import type { HeldCommand } from "../transport/NodeHealth.ts"
import type { NodePoolService } from "../transport/NodePool.ts"
import { pickReader, type ReadFrom } from "./ReadFrom.ts"
import type { RetryKind, RetrySchedule } from "./RetrySchedules.ts"

/** Everything a request needs from its executor; shared by all requests of one client. */
export interface RequestContext {
  readonly topology: ClusterTopologyService
  readonly pool: NodePoolService
  readonly readFrom: ReadFrom
  readonly maxRedirections: number
  readonly commandTimeoutMs: number
  readonly schedules: { readonly [K in RetryKind]: RetrySchedule }
  /** Commands for a node declared unresponsive fail at once with `NodeUnresponsiveError` instead of waiting. */
  readonly failOnUnresponsiveNode: boolean
}

/** Where a request is sent: by its slot (following the slot map), or to one node whatever the slot map says. */
export type RequestTarget = { readonly slot: number } | { readonly node: NodeAddressParts }

/**
 * Called with the connection a command succeeded on, when it was not read-only (for `ensureReplication`). For a
 * blocking command's dedicated connection, `release` is given: the listener holds the connection (so WAIT can be
 * sent on it, where the write was made) and must call `release` when done with it.
 */
export type WriteListener = (conn: NodeTransport, release?: () => void) => void

/** Where a blocking command waits, and how its interruption is going. */
interface BlockedState {
  /** The node it was sent to: `CLIENT UNBLOCK` goes to that node's shared connection. */
  readonly node: NodeAddressParts
  /** The dedicated connection it was queued on (the lease's, once `sendOn` queued it there). */
  conn: NodeTransport | undefined
  /** Set once the caller is interrupted while it may be blocked: its reply (or failure) goes here. */
  outcome: Deferred.Deferred<RespValue | undefined> | undefined
  /** The interruption's ending, shared by every canceller. */
  ending: Effect.Effect<void> | undefined
}

/** Sends the ASKING that precedes a command after an ASK redirect; its reply is not needed. */
const askingWaiter = (deadline: number, timeoutMs: number): ReplyWaiter => ({
  command: "ASKING",
  binary: false,
  deadline,
  timeoutMs,
  onReply: () => {},
  onFailure: () => {}
})

/**
 * One command on its way through the cluster: a small state machine driven by reply callbacks.
 *
 * The fast path (a ready connection, a normal reply) queues the command and completes the caller from the
 * socket's data handler, with no fiber and no Effect step in between. MOVED and ASK to a node with an open
 * connection are followed inside the callback too. Only what must wait (opening a connection, a retry delay, a
 * refresh) returns to Effect land, then comes back here.
 *
 * Error replies are classified by their code, never thrown: MOVED (follow, patch the slot map), ASK (ASKING +
 * the command on the target, in one write), TRYAGAIN / CLUSTERDOWN / MASTERDOWN / READONLY / LOADING (retry on
 * their schedule), anything else is the caller's `ReplyError`. A command whose bytes may have reached a node
 * that then vanished is only sent again when it is read-only or declared replay-safe.
 */
export class ClusterRequest<A> implements ReplyWaiter, HeldCommand {
  readonly cmd: Command<A>
  /** When the command's time is up. Blocking commands get a fresh one per attempt (see {@link sendDedicated}). */
  deadline: number
  readonly timeoutMs: number
  protected readonly ctx: RequestContext
  private readonly target: RequestTarget
  private readonly onWrite: WriteListener | undefined
  /** How the caller is completed: `resume` of the current `Effect.callback`. */
  private complete: (effect: Effect.Effect<A, RedisError>) => void
  /** The next send goes here instead of following the slot map (after MOVED or ASK). */
  private redirectTo: NodeAddressParts | undefined = undefined
  /** The next send is preceded by ASKING. */
  private asking = false
  /** Reads stop going to replicas after one failed or was loading (and transactions and WATCH never go there). */
  protected primaryOnly = false
  /** The node the command was last sent to. */
  private sentTo: NodeTransport | undefined = undefined
  /**
   * The slot map the last send was routed by: its epoch and the slot's primary then. Undefined when the route did
   * not come from the slot map (a redirect, a node chosen by the caller, a keyless command's random pick).
   */
  private routedBy: { readonly epoch: number; readonly primary: string } | undefined = undefined
  /** The node the command was last routed to (sent, connecting, or held): named by its errors. */
  private routedTo: string | undefined = undefined
  private sentToReplica = false
  private history: Array<Redirection> | undefined = undefined
  /** An earlier attempt's bytes were written before its connection failed (a replayed read or replay-safe write). */
  private everWritten = false
  /** The caller was interrupted: late replies must not send the command again. */
  cancelled = false
  /** A blocking command (or a WATCH): sent on a connection of its own (leased from the pool), never on the shared one. */
  protected dedicated: boolean
  /** The dedicated connection the command waits on, until its reply or failure. */
  private leased: NodeTransport | undefined = undefined
  /** A blocking command's state on its dedicated connection; never allocated for other commands. */
  private blocked: BlockedState | undefined = undefined
  private steps: Partial<Record<RetryKind, (now: number, input: unknown) => Effect.Effect<[unknown, Duration.Duration], unknown>>> | undefined
  attempts = 1

  constructor(
    ctx: RequestContext,
    cmd: Command<A>,
    target: RequestTarget,
    complete: (effect: Effect.Effect<A, RedisError>) => void,
    onWrite: WriteListener | undefined
  ) {
    this.ctx = ctx
    this.cmd = cmd
    this.target = target
    this.complete = complete
    this.onWrite = onWrite
    // A blocking call may legitimately wait its whole block time: the deadline is the block time plus the usual
    // command timeout (no deadline for "block forever"; a dead node still fails it through its connection).
    const blockMs = cmd.spec.blockingTimeout === undefined ? undefined : cmd.spec.blockingTimeout(cmd.args)
    // WAIT-like commands (connectionState) count their own connection's writes: they stay on the shared one.
    this.dedicated = blockMs !== undefined && !hasFlag(cmd.spec.flags, CommandFlags.connectionState)
    this.timeoutMs = blockMs === undefined ? ctx.commandTimeoutMs : blockMs === 0 ? Infinity : ctx.commandTimeoutMs + blockMs
    this.deadline = this.timeoutMs === Infinity ? Infinity : Date.now() + this.timeoutMs
    this.steps = undefined
  }

  /**
   * The caller is gone (interrupted): no late redirect or retry may send the command again. A blocking command
   * queued on its dedicated connection is ended for good before this completes (see `endBlockedCommand`): the
   * server unblocks it, and anything it took meanwhile is put back, so an element pushed right after the
   * interruption stays in the list. Idempotent: every canceller of the request waits for the same ending.
   */
  interrupt(): Effect.Effect<void> {
    this.cancelled = true
    const blocked = this.blocked
    if (blocked === undefined) {
      // Not a blocking command: a leased connection (a WATCH) is closed, taking its server-side state with it.
      this.releaseLease(false)
      return Effect.void
    }
    if (blocked.ending !== undefined) return blocked.ending
    const conn = blocked.conn
    if (conn === undefined || this.leased !== conn) {
      // Not queued on its dedicated connection (or its reply already came): nothing is blocked on our behalf.
      this.releaseLease(true)
      return (blocked.ending = Effect.void)
    }
    const outcome = Deferred.makeUnsafe<RespValue | undefined>()
    blocked.outcome = outcome
    // The first canceller does the work; any other one (a request has up to three) waits for it to finish.
    const done = Deferred.makeUnsafe<void>()
    blocked.ending = Deferred.await(done)
    return Effect.ensuring(
      Effect.flatMap(
        endBlockedCommand(
          { args: this.cmd.args, clientId: clientIdOf(conn), outcome: Deferred.await(outcome), reset: (reason) => conn.reset(reason) },
          this.ctx.pool.connect(blocked.node)
        ),
        (end) => Effect.sync(() => this.releaseLease(end.reusable))
      ),
      Deferred.succeed(done, undefined)
    )
  }

  private releaseLease(reusable: boolean): void {
    const conn = this.leased
    if (conn === undefined) return
    this.leased = undefined
    this.ctx.pool.release(conn, reusable)
  }

  /** The slot the command is routed by, or -1 (no keys, or sent to a given node). */
  get slot(): number {
    return "slot" in this.target ? this.target.slot : -1
  }

  // ReplyWaiter ---------------------------------------------------------------------------------------------

  get command(): string {
    return this.cmd.spec.name
  }

  get binary(): boolean {
    return this.cmd.spec.reply.binary
  }

  onReply(raw: RespValue): void {
    const interrupted = this.blocked?.outcome
    if (interrupted !== undefined) {
      Deferred.doneUnsafe(interrupted, Exit.succeed(raw))
      return
    }
    const leased = this.leased
    if (!isRespErrorReply(raw)) {
      if (leased !== undefined && this.keepsLease(leased)) {
        this.leased = undefined
      } else if (this.onWrite !== undefined && !hasFlag(this.cmd.spec.flags, CommandFlags.readonly)) {
        if (leased === undefined) {
          this.onWrite(this.sentTo!)
        } else {
          // The listener keeps the dedicated connection until its WAIT has run there.
          this.leased = undefined
          this.onWrite(leased, () => this.ctx.pool.release(leased, true))
        }
      } else if (leased !== undefined) {
        this.releaseLease(true)
      }
      this.complete(this.decode(raw))
      return
    }
    if (leased !== undefined) this.releaseLease(true)
    switch (raw.code) {
      case "MOVED":
      case "ASK":
        return this.onRedirect(raw)
      case "TRYAGAIN":
        return this.complete(this.retryLater("tryAgain", () => new TryAgainError({ command: this.command, slot: this.slot, attempts: this.attempts })))
      case "CLUSTERDOWN":
      case "MASTERDOWN":
        this.ctx.topology.requestRefresh("clusterDown")
        return this.complete(this.retryLater("clusterDown", () => this.clusterDown(raw.message)))
      case "READONLY":
        // A write reached a replica: our map is older than a failover. Nothing was executed.
        this.ctx.topology.requestRefresh("readOnly")
        return this.complete(this.retryLater("clusterDown", () => this.replyError(raw)))
      case "LOADING":
        if (this.sentToReplica) {
          this.primaryOnly = true
          return this.send()
        }
        return this.complete(this.retryLater("loading", () => this.replyError(raw)))
      default:
        this.complete(this.decode(raw))
    }
  }

  onFailure(error: ConnectionFailure): void {
    const interrupted = this.blocked?.outcome
    if (interrupted !== undefined) {
      Deferred.doneUnsafe(interrupted, Exit.succeed(undefined))
      return
    }
    if (this.leased !== undefined) this.releaseLease(false)
    // A cancelled request's dedicated connection was closed on purpose: nobody waits, and nothing is wrong with the node.
    if (this.cancelled) return
    if (error._tag === "ProtocolError") return this.complete(Exit.fail(error))
    // A lost connection, or a node that does not answer in time (a host gone without a reset): ask for a fresh
    // picture either way, the cluster may be failing over.
    this.ctx.topology.requestRefresh("connectionLost")
    if (error._tag === "TimeoutError" && error.written) {
      // The command's own deadline passed while it was on the wire: the caller's time is up.
      return this.complete(Exit.fail(error))
    }
    const flags = this.cmd.spec.flags
    const replayable = !error.written || hasFlag(flags, CommandFlags.readonly) || hasFlag(flags, CommandFlags.replaySafe)
    if (!replayable) return this.complete(Exit.fail(error))
    if (error.written) this.everWritten = true
    if (this.sentToReplica) {
      // A failing replica: read from the primary right away.
      this.primaryOnly = true
      return this.send()
    }
    this.redirectTo = undefined
    this.asking = false
    this.complete(this.retryLater("connection", () => error))
  }

  // Sending ---------------------------------------------------------------------------------------------------

  /** Routes and queues the command; completes the caller itself when it cannot. */
  send(): void {
    // An interrupted caller must not have its command sent again by a redirect or retry arriving later.
    if (this.cancelled) return
    const node = this.route()
    if (node === undefined) return
    this.routedTo = node.address
    // A node that stopped answering gets nothing more: the command waits, unsent, to go wherever the node's slots
    // end up (or to the node when it answers again). One size check when every node is healthy.
    const held = this.ctx.pool.held
    if (held.size !== 0 && held.has(node.address)) return this.holdFor(node.address)
    if (this.dedicated) return this.sendDedicated(node)
    const conn = this.ctx.pool.get(node.address)
    if (conn !== undefined) return this.sendOn(conn)
    // No open connection: open one (shared with concurrent callers), then come back to the callback world.
    this.sendWhenConnected(this.ctx.pool.connect(node), node.address)
  }

  private holdFor(address: string): void {
    if (this.ctx.failOnUnresponsiveNode) {
      const silentForMs = this.ctx.pool.unresponsiveFor(address)
      if (silentForMs !== undefined) {
        return this.complete(Exit.fail(new NodeUnresponsiveError({ command: this.command, address, silentForMs, written: false })))
      }
    }
    if (this.deadline !== Infinity && Date.now() >= this.deadline) return this.expire(address)
    this.ctx.pool.hold(address, this)
  }

  // HeldCommand: the node health check calls these while the command is held.

  /** Routes and sends again: the node answers, was declared unresponsive, or the topology changed. */
  resume(): void {
    this.send()
  }

  /** The command's deadline passed while it was held for `address`, unsent. */
  expire(address: string): void {
    this.complete(Exit.fail(this.deadlinePassed(address)))
  }

  /**
   * A blocking command: lease a connection of its own, where it then waits. Not the hot path: always goes
   * through Effect. The lease is recorded in the same uninterruptible step, so an interruption never loses it.
   */
  private sendDedicated(node: NodeAddressParts & { readonly address: string }): void {
    // Only a blocking command can be left blocked on the server: a WATCH (the other user of a leased connection)
    // has nothing to unblock, and its connection is closed when interrupted so no WATCH outlives its body.
    if (hasFlag(this.cmd.spec.flags, CommandFlags.blocking)) {
      this.blocked = { node, conn: undefined, outcome: undefined, ending: undefined }
    }
    // Each attempt may block for the whole block time again (a MOVED after a failover resends the full command),
    // so each gets its own deadline: otherwise a resent BLPOP could be cut short, closed, and lose an element.
    if (this.timeoutMs !== Infinity) this.deadline = Date.now() + this.timeoutMs
    const lease = Effect.uninterruptibleMask((restore) =>
      Effect.tap(restore(this.ctx.pool.lease(node)), (conn) => Effect.sync(() => {
        this.leased = conn
      }))
    )
    this.sendWhenConnected(lease, node.address)
  }

  /**
   * Waits for `open` (bounded by the command's deadline), then sends on the connection it gives. An interruption,
   * while connecting or while waiting for the reply, cancels the request (see {@link cancel}).
   */
  private sendWhenConnected(open: Effect.Effect<NodeTransport, ConnectFailure>, address: string): void {
    const remaining = this.deadline - Date.now()
    const bounded = remaining === Infinity
      ? open
      : Effect.timeoutOrElse(open, { duration: Math.max(0, remaining), orElse: () => Effect.fail(this.deadlinePassed(address)) })
    this.complete(
      Effect.onInterrupt(
        Effect.matchEffect(bounded, {
          onFailure: (error) =>
            // Refused credentials are not a network failure: no retry can succeed, the caller sees them as they are.
            error._tag === "AuthenticationError"
              ? Effect.fail(error)
              : Effect.callback<A, RedisError>((resume) => {
                this.complete = resume
                this.onFailure(error)
              }),
          onSuccess: (conn) =>
            Effect.callback<A, RedisError>((resume) => {
              this.complete = resume
              this.sendOn(conn)
              return Effect.suspend(() => this.interrupt())
            })
        }),
        () => this.interrupt()
      )
    )
  }

  // Hooks for the requests that are not one command (ClusterTransactionRequest, ClusterWatchRequest) --------

  /** Queues the request on `conn` (after the ASKING an ASK redirect calls for, when `asking`). */
  protected enqueueOn(conn: NodeTransport, _asking: boolean): InvalidArgument | undefined {
    return conn.enqueue(this.cmd.args, this)
  }

  /** The caller's outcome from a reply the classifier did not act on. */
  protected decode(raw: RespValue): Exit.Exit<A, RedisError> {
    return decodeReply(this.cmd, raw)
  }

  /** Whether the request keeps its leased connection after a successful reply (a WATCH does), instead of giving it back. */
  protected keepsLease(_conn: NodeTransport): boolean {
    return false
  }

  private sendOn(conn: NodeTransport): void {
    if (this.cancelled) return this.releaseLease(true)
    this.sentTo = conn
    // Never put a command on the wire after its deadline: the caller would see a timeout for a write that runs.
    if (this.deadline !== Infinity && Date.now() >= this.deadline) {
      this.releaseLease(true)
      return this.complete(Exit.fail(this.deadlinePassed(conn.address)))
    }
    // A blocking command's connection tells its CLIENT ID (once, in the same write): an interruption needs it.
    if (this.blocked !== undefined && this.leased === conn) primeClientId(conn)
    const asking = this.asking
    if (asking) {
      this.asking = false
      conn.enqueue(["ASKING"], askingWaiter(this.deadline, this.timeoutMs))
    }
    const invalid = this.enqueueOn(conn, asking)
    if (invalid !== undefined) {
      this.releaseLease(true)
      return this.complete(Exit.fail(invalidArgument(this.cmd, invalid)))
    }
    if (this.blocked !== undefined && this.leased === conn) this.blocked.conn = conn
  }

  /** The node to send to now; `undefined` when the caller was completed (failed, or waiting for a refresh). */
  private route(): (NodeAddressParts & { readonly address: string }) | undefined {
    this.sentToReplica = false
    this.routedBy = undefined
    const redirect = this.redirectTo
    if (redirect !== undefined) {
      this.redirectTo = undefined
      return { host: redirect.host, port: redirect.port, address: formatAddress(redirect.host, redirect.port) }
    }
    if ("node" in this.target) {
      const node = this.target.node
      return { host: node.host, port: node.port, address: formatAddress(node.host, node.port) }
    }
    const snapshot = this.ctx.topology.current()
    const slot = this.target.slot
    if (slot < 0) return this.anyNode(snapshot.shards)
    const shard = snapshot.shardForSlot(slot)
    if (shard === undefined) {
      this.complete(this.awaitCoverage(slot))
      return undefined
    }
    this.routedBy = { epoch: snapshot.epoch, primary: shard.primary.address }
    if (this.ctx.readFrom === "primary" || this.primaryOnly || !hasFlag(this.cmd.spec.flags, CommandFlags.readonly)) {
      return shard.primary
    }
    const reader = pickReader(this.ctx.readFrom, shard, slot)
    if (reader === undefined) {
      this.complete(Exit.fail(this.clusterDown(`every replica of ${shard.primary.address} has failed, or it has none (readFrom "replica")`)))
      return undefined
    }
    this.sentToReplica = reader !== shard.primary
    return reader
  }

  /** A command without keys: any primary (any node of its shard for reads, per `readFrom`). */
  private anyNode(shards: ReadonlyArray<ClusterShard>): ClusterNodeInfo | undefined {
    const serving = shards.filter((shard) => shard.slots.length > 0)
    const pool = serving.length > 0 ? serving : shards
    if (pool.length === 0) {
      this.complete(Exit.fail(this.clusterDown("no node is known")))
      return undefined
    }
    const shard = pool[Math.floor(Math.random() * pool.length)]!
    if (this.ctx.readFrom === "primary" || this.primaryOnly || !hasFlag(this.cmd.spec.flags, CommandFlags.readonly)) {
      return shard.primary
    }
    const reader = pickReader(this.ctx.readFrom, shard, -1) ?? shard.primary
    this.sentToReplica = reader !== shard.primary
    return reader
  }

  // Redirects and retries ---------------------------------------------------------------------------------------

  private onRedirect(raw: RespErrorReply): void {
    const asked = this.sentTo
    const askedHost = asked === undefined ? "127.0.0.1" : asked.address.slice(0, asked.address.lastIndexOf(":"))
    const parsed = parseRedirect(raw.message, askedHost)
    if (parsed === undefined || "node" in this.target) {
      // A malformed redirect, or one from a node the caller chose explicitly: the caller sees it as it is.
      return this.complete(Exit.fail(this.replyError(raw)))
    }
    const kind = raw.code as "MOVED" | "ASK"
    const to = this.ctx.topology.resolveAddress({ host: parsed.host, port: parsed.port })
    const history = (this.history ??= [])
    history.push({ kind, slot: parsed.slot, address: formatAddress(to.host, to.port) })
    if (history.length > this.ctx.maxRedirections) {
      return this.complete(Exit.fail(new RedirectionLimitError({ command: this.command, history })))
    }
    if (kind === "MOVED") this.ctx.topology.slotMoved(parsed.slot, to)
    this.redirectTo = to
    this.asking = kind === "ASK"
    this.attempts++
    this.send()
  }

  /**
   * Waits the next delay of the `kind` schedule, then sends again. Ends with `failure()` when the schedule is
   * exhausted, and with a not-written `TimeoutError` when its delay would pass the command's deadline.
   *
   * After a lost connection or CLUSTERDOWN / MASTERDOWN / READONLY (the cluster is failing over), the wait also
   * ends when the slot map gives the command's slot another primary: once a refresh shows the promoted replica,
   * the command goes there at once instead of sleeping the rest of its delay (up to the schedule's cap, 500 ms or
   * 1 s by default). Other changes (a node's health, other slots) leave the delay, and so the retry budget, as is.
   */
  private retryLater(kind: RetryKind, failure: () => RedisError): Effect.Effect<A, RedisError> {
    return Effect.flatMap(this.stepOf(kind), (step) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(Effect.result(step(now, kind)), (result) => {
          if (Result.isFailure(result)) return Effect.fail(failure())
          const delayMs = Duration.toMillis(result.success[1])
          if (Date.now() + delayMs >= this.deadline) return Effect.fail(this.deadlinePassed(this.lastAddress))
          this.attempts++
          // A scheduled retry is a new attempt: the redirect limit guards against loops within one attempt, not
          // against the ASK that every retry of a multi-key command meets during a migration.
          this.history = undefined
          const routedBy = this.routedBy
          const wait = routedBy !== undefined && (kind === "connection" || kind === "clusterDown")
            ? Effect.race(Effect.sleep(delayMs), this.newPrimary(routedBy.epoch, this.slot, routedBy.primary))
            : Effect.sleep(delayMs)
          return Effect.andThen(wait, this.resend)
        })
      ))
  }

  /** Completes once the slot map gives `slot` another primary than `primary` (the map of `epoch` gave it that one). */
  private newPrimary(epoch: number, slot: number, primary: string): Effect.Effect<void> {
    return Effect.flatMap(this.ctx.topology.changedSince(epoch), () => {
      const snapshot = this.ctx.topology.current()
      return snapshot.shardForSlot(slot)?.primary.address !== primary ? Effect.void : this.newPrimary(snapshot.epoch, slot, primary)
    })
  }

  private stepOf(kind: RetryKind) {
    const existing = this.steps?.[kind]
    if (existing !== undefined) return Effect.succeed(existing)
    return Effect.map(Schedule.toStep(this.ctx.schedules[kind]), (step) => {
      const typed = step as unknown as (now: number, input: unknown) => Effect.Effect<[unknown, Duration.Duration], unknown>
      ;(this.steps ??= {})[kind] = typed
      return typed
    })
  }

  /** Re-enters the callback world and sends the command again. */
  private get resend(): Effect.Effect<A, RedisError> {
    return Effect.callback<A, RedisError>((resume) => {
      this.complete = resume
      this.send()
    })
  }

  /** No shard serves `slot`: wait for a refresh (bounded by the deadline and the clusterDown schedule). */
  private awaitCoverage(slot: number): Effect.Effect<A, RedisError> {
    this.ctx.topology.requestRefresh("uncoveredSlot")
    const failure = () => this.clusterDown(`slot ${slot} is not served by any node`)
    const remaining = this.deadline - Date.now()
    const refresh: Effect.Effect<unknown> = remaining === Infinity
      ? Effect.result(this.ctx.topology.refresh)
      : Effect.result(Effect.timeoutOption(this.ctx.topology.refresh, Math.max(0, remaining)))
    return Effect.flatMap(refresh, () =>
      this.ctx.topology.current().shardForSlot(slot) !== undefined
        ? this.resend
        : this.retryLater("clusterDown", failure))
  }

  /**
   * The command's one deadline (queueing, connecting, redirects and retries together) passed, or would before the
   * next try. `written` says whether any earlier attempt may have reached a server (replay-safe commands only).
   */
  /** The node the command last went (or was going) to, for errors; the slot when no node could be chosen. */
  private get lastAddress(): string {
    return this.routedTo ?? this.sentTo?.address ?? (this.slot >= 0 ? `no node (slot ${this.slot} unserved)` : "no node")
  }

  private deadlinePassed(address: string): TimeoutError {
    return new TimeoutError({ command: this.command, address, timeoutMs: this.timeoutMs, written: this.everWritten })
  }

  private clusterDown(reason: string): ClusterDownError {
    return new ClusterDownError({ command: this.command, slot: this.slot, reason, attempts: this.attempts })
  }

  private replyError(raw: RespErrorReply): ReplyError {
    return new ReplyError({ code: raw.code, message: raw.message, command: this.command })
  }

  /** Starts a request as an Effect: the caller's fiber waits in one `Effect.callback`. */
  static run<A>(ctx: RequestContext, cmd: Command<A>, target: RequestTarget, onWrite?: WriteListener): Effect.Effect<A, RedisError> {
    return Effect.callback<A, RedisError>((resume) => {
      const request = new ClusterRequest(ctx, cmd, target, resume, onWrite)
      request.send()
      return Effect.suspend(() => request.interrupt())
    })
  }
}
