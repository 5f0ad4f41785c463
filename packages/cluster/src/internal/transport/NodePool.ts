import { ConnectionError } from "@effect-redis/client"
import { DedicatedConnections } from "@effect-redis/client/Connection"
import { Context, Deferred, type Duration, Effect, Exit, Layer, Scope } from "effect"
import { formatAddress, type NodeAddressParts } from "../topology/ClusterSnapshot.ts"
import { type ConnectFailure, ClusterTransport, type NodeTransport } from "./ClusterTransport.ts"

/** Options of the node pool. */
export interface NodePoolOptions {
  /** Send `READONLY` on every connection, so replicas serve reads. Set by `readFrom` other than `primary`. */
  readonly readOnly?: boolean | undefined
  /** How long closing a connection waits for its replies in flight. Default 5 seconds. */
  readonly closeTimeout?: Duration.Input | undefined
  /** Connections per node in use at once by blocking commands; see `ConnectionOptions.maxBlockingConnections`. */
  readonly maxBlockingConnections?: number | undefined
}

/** The node connections of one cluster client. */
export interface NodePoolService {
  /** The open connection to `address`, or `undefined`: the routing hot path, no allocation. */
  readonly get: (address: string) => NodeTransport | undefined
  /**
   * The connection to a node, opened now if needed. Concurrent callers share one attempt, which is not cut
   * short when one of them is interrupted.
   */
  readonly connect: (node: NodeAddressParts) => Effect.Effect<NodeTransport, ConnectFailure>
  /** Closes, in the background and after their replies in flight, the connections to nodes not in `addresses`. */
  readonly retain: (addresses: ReadonlySet<string>) => Effect.Effect<void>
  /** Registers a listener told when a connection is lost (not when the pool closes it on purpose). */
  readonly onConnectionLost: (listener: (address: string, reason: string) => void) => void
  /** Addresses with an open connection. */
  readonly addresses: () => ReadonlyArray<string>
  /**
   * A connection to `node` for one blocking command (BLPOP, XREAD BLOCK...), so it never stalls the node's shared
   * connection: an idle one from an earlier blocking command, or a new one. Give it back with `release`.
   */
  readonly lease: (node: NodeAddressParts) => Effect.Effect<NodeTransport, ConnectFailure>
  /**
   * Gives back a leased connection. `reusable` only when its reply arrived (nothing is blocked on it): it then
   * waits, idle, for the next blocking command; otherwise it is closed at once, which also makes the server
   * drop a command still blocked on it (an interrupted BLPOP must not pop an element nobody will receive).
   */
  readonly release: (conn: NodeTransport, reusable: boolean) => void
}


const addressOf = (node: NodeAddressParts): string => formatAddress(node.host, node.port)

/**
 * One multiplexed, auto-pipelined connection per node, opened lazily on first use with the same options for
 * every node. Connections to nodes that left the cluster are closed after their in-flight replies.
 */
export class NodePool extends Context.Service<NodePool, NodePoolService>()("@effect-redis/cluster/NodePool") {
  /** Builds the pool; closing the scope closes every connection gracefully. */
  static make(options: NodePoolOptions = {}): Effect.Effect<NodePoolService, never, ClusterTransport | Scope.Scope> {
    return Effect.gen(function*() {
      const transport = yield* ClusterTransport
      const scope = yield* Effect.scope
      const readOnly = options.readOnly ?? false
      const closeTimeout = options.closeTimeout ?? "5 seconds"
      const open = new Map<string, NodeTransport>()
      const opening = new Map<string, Deferred.Deferred<NodeTransport, ConnectFailure>>()
      const retired = new Set<NodeTransport>()
      const lostListeners: Array<(address: string, reason: string) => void> = []
      const dedicated = new DedicatedConnections<NodeTransport>({ maxInUse: options.maxBlockingConnections })
      let closed = false

      const register = (address: string, conn: NodeTransport): void => {
        open.set(address, conn)
        conn.onClose((reason) => {
          if (open.get(address) === conn) open.delete(address)
          if (retired.delete(conn) || closed) return
          for (const listener of lostListeners) listener(address, reason)
        })
      }

      const startOpening = (node: NodeAddressParts, address: string): Effect.Effect<Deferred.Deferred<NodeTransport, ConnectFailure>> =>
        Effect.gen(function*() {
          const deferred = yield* Deferred.make<NodeTransport, ConnectFailure>()
          opening.set(address, deferred)
          yield* transport.connect(node, { readOnly }).pipe(
            Effect.onExit((exit) =>
              Effect.suspend(() => {
                opening.delete(address)
                if (Exit.isSuccess(exit)) {
                  if (closed) return Effect.andThen(exit.value.close(closeTimeout), Deferred.done(deferred, exit))
                  register(address, exit.value)
                }
                return Deferred.done(deferred, exit)
              })
            ),
            Effect.ignore,
            Effect.forkIn(scope)
          )
          return deferred
        })

      const connect = (node: NodeAddressParts): Effect.Effect<NodeTransport, ConnectFailure> =>
        Effect.suspend(() => {
          const address = addressOf(node)
          if (closed) return Effect.fail(new ConnectionError({ address, reason: "the cluster client is closed", written: false }))
          const existing = open.get(address)
          if (existing !== undefined && existing.isReady) return Effect.succeed(existing)
          const pending = opening.get(address)
          if (pending !== undefined) return Deferred.await(pending)
          return Effect.flatMap(startOpening(node, address), Deferred.await)
        })

      const closeConn = (conn: NodeTransport) => {
        retired.add(conn)
        return conn.close(closeTimeout)
      }

      yield* Effect.addFinalizer(() =>
        Effect.suspend(() => {
          closed = true
          // Dedicated connections may hold a command blocked forever: close them without waiting.
          dedicated.closeAll()
          // Connections retired by `retain` may still be draining: wait for them too (closing twice is harmless).
          const all = [...open.values(), ...retired]
          open.clear()
          return Effect.forEach(all, closeConn, { concurrency: "unbounded", discard: true })
        })
      )

      return NodePool.of({
        get: (address) => {
          const conn = open.get(address)
          return conn !== undefined && conn.isReady ? conn : undefined
        },
        connect,
        retain: (addresses) =>
          Effect.suspend(() => {
            const leaving: Array<NodeTransport> = []
            for (const [address, conn] of open) {
              if (!addresses.has(address)) {
                open.delete(address)
                leaving.push(conn)
              }
            }
            // Closing waits for replies in flight: start it now, in the background, so a refresh never waits on
            // it. A connection still draining when the pool closes is closed by the finalizer.
            for (const conn of leaving) Effect.runFork(closeConn(conn))
            dedicated.retain(addresses)
            return Effect.void
          }),
        onConnectionLost: (listener) => {
          lostListeners.push(listener)
        },
        addresses: () => [...open.keys()],
        lease: (node) =>
          dedicated.lease(
            addressOf(node),
            transport.connect(node, { readOnly }),
            () => new ConnectionError({ address: addressOf(node), reason: "the cluster client is closed", written: false })
          ),
        release: (conn, reusable) => dedicated.release(conn, reusable)
      })
    })
  }

  /** The pool as a layer over a {@link ClusterTransport}. */
  static layer(options: NodePoolOptions = {}): Layer.Layer<NodePool, never, ClusterTransport> {
    return Layer.effect(NodePool, NodePool.make(options))
  }
}
