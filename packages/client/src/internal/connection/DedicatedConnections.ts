import { type Duration, Effect } from "effect"

/** What {@link DedicatedConnections} needs from a connection. */
export interface DedicatedConnection {
  readonly isReady: boolean
  readonly inFlight: number
  onClose(listener: (reason: string) => void): void
  close(timeout?: Duration.Input): Effect.Effect<void>
  /** Closes at once, failing whatever waits there (see `NodeConnection.reset`). */
  reset(reason: string): void
}

/** Limits of {@link DedicatedConnections}. */
export interface DedicatedConnectionsOptions {
  /** Idle connections kept per node for the next blocking commands; more are closed. Default 4. */
  readonly maxIdle?: number | undefined
  /**
   * Connections in use at once per node (one per blocking command waiting). When reached, the next blocking
   * command waits for one to be given back. Default unlimited.
   */
  readonly maxInUse?: number | undefined
}

/**
 * Connections reserved for one blocking command at a time (BLPOP, XREAD BLOCK...), so a command the server holds
 * for seconds never stalls the commands multiplexed on a node's shared connection.
 *
 * A connection whose reply arrived goes back to an idle list (per node, at most `maxIdle`) for the next blocking
 * command, as does one whose interrupted command the server was made to let go of (see `endBlockedCommand`). One
 * given back while a command may still be blocked on it (timed out, failed) is closed at once.
 * With `maxInUse`, a node never has more connections in use (or opening) than that; further leases wait in line.
 */
export class DedicatedConnections<C extends DedicatedConnection> {
  private readonly idle = new Map<string, Array<C>>()
  private readonly leased = new Map<C, string>()
  /** Per node: leased connections plus connections being opened. */
  private readonly inUse = new Map<string, number>()
  private readonly waiting = new Map<string, Array<() => void>>()
  private readonly maxIdle: number
  private readonly maxInUse: number
  private closed = false

  constructor(options: DedicatedConnectionsOptions = {}) {
    this.maxIdle = options.maxIdle ?? 4
    this.maxInUse = options.maxInUse ?? Infinity
  }

  /**
   * An idle connection to `node`, or a new one from `connect`, once fewer than `maxInUse` are in use there; give
   * it back with {@link release}. Interrupting a lease that waits in line leaves the line.
   */
  lease<E>(node: string, connect: Effect.Effect<C, E>, whenClosed: () => E): Effect.Effect<C, E> {
    return Effect.suspend((): Effect.Effect<C, E> => {
      if (this.closed) return Effect.fail(whenClosed())
      if ((this.inUse.get(node) ?? 0) >= this.maxInUse) {
        return Effect.andThen(this.awaitTurn(node), this.lease(node, connect, whenClosed))
      }
      this.inUse.set(node, (this.inUse.get(node) ?? 0) + 1)
      const idle = this.idle.get(node)
      while (idle !== undefined && idle.length > 0) {
        const conn = idle.pop()!
        if (conn.isReady) {
          this.leased.set(conn, node)
          return Effect.succeed(conn)
        }
      }
      return Effect.onExit(
        Effect.map(connect, (conn) => {
          this.leased.set(conn, node)
          conn.onClose(() => {
            const list = this.idle.get(node)
            const at = list?.indexOf(conn) ?? -1
            if (at >= 0) list!.splice(at, 1)
          })
          if (this.closed) this.release(conn, false)
          return conn
        }),
        (exit) => Effect.sync(() => {
          if (exit._tag === "Failure") this.done(node)
        })
      )
    })
  }

  /** Gives a leased connection back: kept idle when `reusable` (its reply arrived), else closed now. */
  release(conn: C, reusable: boolean): void {
    const node = this.leased.get(conn)
    if (node === undefined) return
    this.leased.delete(conn)
    const list = this.idle.get(node) ?? []
    if (reusable && !this.closed && conn.isReady && conn.inFlight === 0 && list.length < this.maxIdle) {
      this.idle.set(node, list)
      list.push(conn)
    } else {
      Effect.runFork(conn.close(0))
    }
    this.done(node)
  }

  /** Closes the idle connections to nodes not in `nodes` (they left the cluster). */
  retain(nodes: ReadonlySet<string>): void {
    for (const [node, list] of this.idle) {
      if (nodes.has(node)) continue
      this.idle.delete(node)
      for (const conn of [...list]) Effect.runFork(conn.close(0))
    }
  }

  /**
   * Stops trusting every connection to `node` (it stopped answering, or was demoted while silent): leased ones are
   * reset, failing the commands blocked there with `reason`; idle ones are closed.
   */
  resetNode(node: string, reason: string): void {
    for (const [conn, of] of [...this.leased]) if (of === node) conn.reset(reason)
    const idle = this.idle.get(node)
    if (idle !== undefined) {
      this.idle.delete(node)
      for (const conn of idle) conn.reset(reason)
    }
  }

  /**
   * Closes every connection, leased or idle, without waiting: blocked commands fail with a `ConnectionError`, and
   * leases waiting in line fail as closed.
   */
  closeAll(): void {
    this.closed = true
    for (const conn of [...this.leased.keys()]) this.release(conn, false)
    for (const conn of [...this.idle.values()].flat()) Effect.runFork(conn.close(0))
    this.idle.clear()
    for (const line of this.waiting.values()) for (const wake of line.splice(0)) wake()
  }

  /** One connection of `node` is no longer in use (given back, or its opening failed): the next in line goes. */
  private done(node: string): void {
    this.inUse.set(node, Math.max(0, (this.inUse.get(node) ?? 1) - 1))
    this.waiting.get(node)?.shift()?.()
  }

  private awaitTurn(node: string): Effect.Effect<void> {
    return Effect.callback<void>((resume) => {
      const line = this.waiting.get(node) ?? []
      this.waiting.set(node, line)
      const wake = () => resume(Effect.void)
      line.push(wake)
      return Effect.sync(() => {
        const at = line.indexOf(wake)
        if (at >= 0) line.splice(at, 1)
      })
    })
  }
}
