import { type Duration, Effect } from "effect"

/** What {@link DedicatedConnections} needs from a connection. */
export interface DedicatedConnection {
  readonly isReady: boolean
  readonly inFlight: number
  onClose(listener: (reason: string) => void): void
  close(timeout?: Duration.Input): Effect.Effect<void>
}

/**
 * Connections reserved for one blocking command at a time (BLPOP, XREAD BLOCK, WAIT...), so a command the server
 * holds for seconds never stalls the commands multiplexed on a node's shared connection.
 *
 * A connection whose reply arrived goes back to an idle list (per node, at most `maxIdle`) for the next blocking
 * command. One given back before its reply (timed out, interrupted, failed) is closed at once: the server then
 * drops the command still blocked on it, so an interrupted BLPOP cannot pop an element nobody will receive.
 */
export class DedicatedConnections<C extends DedicatedConnection> {
  private readonly idle = new Map<string, Array<C>>()
  private readonly leased = new Map<C, string>()
  private readonly maxIdle: number
  private closed = false

  constructor(maxIdle = 4) {
    this.maxIdle = maxIdle
  }

  /** An idle connection to `node`, or a new one from `connect`; give it back with {@link release}. */
  lease<E>(node: string, connect: Effect.Effect<C, E>, whenClosed: () => E): Effect.Effect<C, E> {
    return Effect.suspend(() => {
      if (this.closed) return Effect.fail(whenClosed())
      const idle = this.idle.get(node)
      while (idle !== undefined && idle.length > 0) {
        const conn = idle.pop()!
        if (conn.isReady) {
          this.leased.set(conn, node)
          return Effect.succeed(conn)
        }
      }
      return Effect.map(connect, (conn) => {
        this.leased.set(conn, node)
        conn.onClose(() => {
          this.leased.delete(conn)
          const list = this.idle.get(node)
          const at = list?.indexOf(conn) ?? -1
          if (at >= 0) list!.splice(at, 1)
        })
        if (this.closed) this.drop(conn)
        return conn
      })
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
      return
    }
    this.drop(conn)
  }

  /** Closes the idle connections to nodes not in `nodes` (they left the cluster). */
  retain(nodes: ReadonlySet<string>): void {
    for (const [node, list] of this.idle) {
      if (nodes.has(node)) continue
      this.idle.delete(node)
      for (const conn of [...list]) this.drop(conn)
    }
  }

  /** Closes every connection, leased or idle, without waiting: blocked commands fail with a `ConnectionError`. */
  closeAll(): void {
    this.closed = true
    const all = [...this.leased.keys(), ...[...this.idle.values()].flat()]
    this.idle.clear()
    for (const conn of all) this.drop(conn)
  }

  private drop(conn: C): void {
    this.leased.delete(conn)
    Effect.runFork(conn.close(0))
  }
}
