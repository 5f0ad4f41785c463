import { InvalidArgumentError, type RedisError } from "@effect-redis/client"
import type { ReplyWaiter } from "@effect-redis/client/Connection"
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect, Exit } from "effect"
import type { NodeAddressParts } from "../topology/ClusterSnapshot.ts"
import type { NodeTransport } from "../transport/ClusterTransport.ts"
import type { NodePoolService } from "../transport/NodePool.ts"

/** A node to send to: its address parts and its `host:port` key. */
export type NodeTarget = NodeAddressParts & { readonly address: string }

/** How {@link sendToNode} sends. */
export interface NodeRequestOptions {
  /** Read the reply's bulk strings as bytes. */
  readonly binary: boolean
  /** The reply's deadline from now, in ms. */
  readonly timeoutMs: number
  /** Send ASKING just before, in the same write (the key lives on a node importing its slot). */
  readonly asking?: boolean | undefined
}

const ignoredReply = (deadline: number, timeoutMs: number): ReplyWaiter => ({
  command: "ASKING",
  binary: false,
  deadline,
  timeoutMs,
  onReply: () => {},
  onFailure: () => {}
})

/**
 * Sends one command to one node on the node's shared connection and returns its raw reply, error replies
 * included: the scans decide themselves what a redirect, LOADING or a lost connection means for their cursor, so
 * nothing here retries or follows anything. A lost connection or a deadline fails with the connection's error.
 */
export const sendToNode = (
  pool: NodePoolService,
  node: NodeTarget,
  args: ReadonlyArray<RespArg>,
  options: NodeRequestOptions
): Effect.Effect<RespValue, RedisError> => {
  const send = (conn: NodeTransport) =>
    Effect.callback<RespValue, RedisError>((resume) => {
      const deadline = Date.now() + options.timeoutMs
      // Both go into the connection's queue in this tick, so they leave in one write, ASKING first.
      if (options.asking === true) conn.enqueue(["ASKING"], ignoredReply(deadline, options.timeoutMs))
      const invalid = conn.enqueue(args, {
        command: String(args[0]),
        binary: options.binary,
        deadline,
        timeoutMs: options.timeoutMs,
        onReply: (reply) => resume(Exit.succeed(reply)),
        onFailure: (error) => resume(Exit.fail(error))
      })
      if (invalid !== undefined) {
        resume(Exit.fail(new InvalidArgumentError({ command: String(args[0]), index: invalid.index, reason: invalid.reason })))
      }
    })
  const open = pool.get(node.address)
  return open !== undefined ? send(open) : Effect.flatMap(pool.connect(node), send)
}

/**
 * A command already on its way to a node, whose reply is awaited later: a scan sends the next page's SCAN as soon as
 * a page arrives, so the server works on it while the consumer handles the page (one page ahead, never more). No
 * fiber is involved: the reply, when it comes first, waits here.
 */
export class PendingReply implements ReplyWaiter {
  readonly command: string
  readonly binary: boolean
  readonly deadline: number
  readonly timeoutMs: number
  private settled: Exit.Exit<RespValue, RedisError> | undefined = undefined
  private resume: ((exit: Exit.Exit<RespValue, RedisError>) => void) | undefined = undefined
  /** Told when the reply arrives while nobody awaits it (see {@link PendingReply.first}). */
  private notify: (() => void) | undefined = undefined

  private constructor(command: string, options: NodeRequestOptions) {
    this.command = command
    this.binary = options.binary
    this.timeoutMs = options.timeoutMs
    this.deadline = Date.now() + options.timeoutMs
  }

  /**
   * Sends now when the node's connection is open (then returns the pending reply), else returns `undefined`: the
   * caller sends later with {@link sendToNode}, which opens the connection.
   */
  static start(pool: NodePoolService, node: NodeTarget, args: ReadonlyArray<RespArg>, options: NodeRequestOptions): PendingReply | undefined {
    const conn = pool.get(node.address)
    return conn === undefined ? undefined : PendingReply.send(conn, args, options)
  }

  /** Sends now on `conn`. */
  static send(conn: NodeTransport, args: ReadonlyArray<RespArg>, options: NodeRequestOptions): PendingReply {
    const pending = new PendingReply(String(args[0]), options)
    if (options.asking === true) conn.enqueue(["ASKING"], ignoredReply(pending.deadline, options.timeoutMs))
    const invalid = conn.enqueue(args, pending)
    if (invalid !== undefined) pending.settle(Exit.fail(new InvalidArgumentError({ command: pending.command, index: invalid.index, reason: invalid.reason })))
    return pending
  }

  /** Sends every command at once on the node's connection (one write) and returns the replies in order. */
  static sendAll(
    pool: NodePoolService,
    node: NodeTarget,
    commands: ReadonlyArray<ReadonlyArray<RespArg>>,
    options: NodeRequestOptions
  ): Effect.Effect<ReadonlyArray<RespValue>, RedisError> {
    const open = pool.get(node.address)
    const all = (conn: NodeTransport) => {
      const pending = commands.map((args) => PendingReply.send(conn, args, options))
      return Effect.forEach(pending, (reply) => reply.await)
    }
    return open !== undefined ? all(open) : Effect.flatMap(pool.connect(node), all)
  }

  /** The reply (error replies included) or the connection's failure. */
  get await(): Effect.Effect<RespValue, RedisError> {
    return Effect.callback<RespValue, RedisError>((resume) => {
      if (this.settled !== undefined) return resume(this.settled)
      this.resume = resume
      return Effect.sync(() => {
        this.resume = undefined
      })
    })
  }

  /**
   * Called with the reply the moment it arrives, in the connection's read callback, before anyone awaits it: a scan
   * sends the following page from here, so a node never waits for the pulling fiber to be scheduled.
   */
  onArrive: ((reply: RespValue) => void) | undefined = undefined

  onReply(reply: RespValue): void {
    this.onArrive?.(reply)
    this.settle(Exit.succeed(reply))
  }

  onFailure(error: RedisError): void {
    this.settle(Exit.fail(error))
  }

  /** Whether someone is waiting for this reply right now (`await` or {@link PendingReply.first}). */
  get isAwaited(): boolean {
    return this.resume !== undefined || this.notify !== undefined
  }

  /** Whether the reply (or the failure) has arrived. */
  get isSettled(): boolean {
    return this.settled !== undefined
  }

  private settle(exit: Exit.Exit<RespValue, RedisError>): void {
    const resume = this.resume
    if (resume === undefined) {
      this.settled = exit
      this.notify?.()
      return
    }
    this.resume = undefined
    resume(exit)
  }

  /**
   * The index of the first of `replies` to arrive (at once when one has): how one fiber waits on several nodes' pages
   * and handles each as it comes, without a fiber per node.
   */
  static first(replies: ReadonlyArray<PendingReply>): Effect.Effect<number> {
    return Effect.callback<number>((resume) => {
      for (let i = 0; i < replies.length; i++) if (replies[i]!.isSettled) return resume(Effect.succeed(i))
      const clear = () => {
        for (const reply of replies) reply.notify = undefined
      }
      replies.forEach((reply, i) => {
        reply.notify = () => {
          clear()
          resume(Effect.succeed(i))
        }
      })
      return Effect.sync(clear)
    })
  }
}
