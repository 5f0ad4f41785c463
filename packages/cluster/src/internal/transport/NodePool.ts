import { ConnectionError } from "@effect-redis/client"
import { DedicatedConnections } from "@effect-redis/client/Connection"
import { Context, Deferred, type Duration, Effect, Exit, Layer, Scope } from "effect"
import { millis } from "../millis.ts"
import { formatAddress, type NodeAddressParts } from "../topology/ClusterSnapshot.ts"
import { requestRaw } from "../topology/TopologyDiscovery.ts"
import { type ConnectFailure, ClusterTransport, type NodeTransport } from "./ClusterTransport.ts"
import { DEFAULT_NODE_TIMEOUT_MS, type HeldCommand, NodeHealth } from "./NodeHealth.ts"

/** Options of the node pool. */
export interface NodePoolOptions {
  /** Send `READONLY` on every connection, so replicas serve reads. Set by `readFrom` other than `primary`. */
  readonly readOnly?: boolean | undefined
  /** How long closing a connection waits for its replies in flight. Default 5 seconds. */
  readonly closeTimeout?: Duration.Input | undefined
  /** Connections per node in use at once by blocking commands; see `ConnectionOptions.maxBlockingConnections`. */
  readonly maxBlockingConnections?: number | undefined
  /**
   * The cluster's `cluster-node-timeout`, which paces the detection of hung nodes (see `NodeHealth`). Default: what
   * the topology reads from the cluster at discovery (`setNodeTimeout`), 15 seconds until then.
   */
  readonly nodeTimeout?: Duration.Input | undefined
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
   * Gives back a leased connection. `reusable` only when nothing is blocked on it any more (its reply arrived, or an
   * interruption made the server let go of the command): it then waits, idle, for the next blocking command;
   * otherwise it is closed at once.
   */
  readonly release: (conn: NodeTransport, reusable: boolean) => void
  /**
   * Nodes that stopped answering (see `NodeHealth`): commands for them are held with {@link hold} instead of being
   * written. Read on the routing hot path (`size` first).
   */
  readonly held: ReadonlySet<string>
  /** Holds a command, unsent, until its node answers again, the topology moves, or its deadline passes. */
  readonly hold: (address: string, command: HeldCommand) => void
  /** How long a node declared unresponsive (silent, and its probe failed) has been silent; else `undefined`. */
  readonly unresponsiveFor: (address: string) => number | undefined
  /** Registers a listener told when a node stops answering and, while it stays silent, at each check. */
  readonly onSilentNode: (listener: (address: string) => void) => void
  /**
   * The topology changed: `primaries` serve slots now. Silent nodes that lost their slots have their connections
   * reset; connections being opened to former primaries are abandoned (their callers route again); held commands
   * are routed again.
   */
  readonly primariesChanged: (primaries: ReadonlySet<string>) => void
  /** The cluster's `cluster-node-timeout` in ms, as read by the topology (ignored when the option was given). */
  readonly setNodeTimeout: (ms: number) => void
  /** The node timeout the detection of hung nodes goes by now, in ms. */
  readonly nodeTimeoutMs: () => number
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
      const silentListeners: Array<(address: string) => void> = []
      const partsByAddress = new Map<string, NodeAddressParts>()
      let primaries: ReadonlySet<string> = new Set()
      let closed = false
      const nodeTimeoutGiven = options.nodeTimeout !== undefined
      const health = new NodeHealth({
        connections: () => open.entries(),
        partsOf: (address) => partsByAddress.get(address),
        requestRefresh: (address) => {
          for (const listener of silentListeners) listener(address)
        },
        reset: (address, reason) => {
          const conn = open.get(address)
          if (conn !== undefined) {
            open.delete(address)
            conn.reset(reason)
          }
          dedicated.resetNode(address, reason)
        }
      }, millis(options.nodeTimeout, DEFAULT_NODE_TIMEOUT_MS))

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
                // Abandoned by `primariesChanged`, a newer attempt may own the entry now.
                if (opening.get(address) === deferred) opening.delete(address)
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
          if (!partsByAddress.has(address)) partsByAddress.set(address, { host: node.host, port: node.port })
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

      // The health probe: a PING on a connection of its own, so it never waits behind the shared one's commands.
      const probe = (node: NodeAddressParts): Effect.Effect<boolean> => {
        const timeoutMs = health.timings.probeTimeoutMs
        // Interruptible while connecting (a hung node accepts the TCP connection but never answers the handshake,
        // and the timeout must cut that short); the connection, once open, is always closed.
        return Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(restore(transport.connect(node, { readOnly })), (conn) =>
            Effect.ensuring(restore(Effect.as(requestRaw(conn, ["PING"], timeoutMs), true)), Effect.sync(() => conn.reset("probe done"))))
        ).pipe(
          Effect.timeoutOption(timeoutMs),
          Effect.map((answered) => answered._tag === "Some"),
          Effect.catch(() => Effect.succeed(false))
        )
      }
      const watch = Effect.suspend(() => Effect.sleep(health.timings.tickMs)).pipe(
        Effect.andThen(Effect.suspend(() => {
          const probes = health.tick(Date.now())
          return Effect.forEach(probes, (node) =>
            Effect.forkIn(
              Effect.flatMap(probe(node), (alive) => Effect.sync(() => health.probed(addressOf(node), alive, Date.now()))),
              scope
            ), { discard: true })
        })),
        Effect.forever
      )
      yield* Effect.forkIn(watch, scope)

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
            health.retain(addresses)
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
        release: (conn, reusable) => dedicated.release(conn, reusable),
        held: health.held,
        hold: (address, command) => health.hold(address, command),
        unresponsiveFor: (address) => health.unresponsiveFor(address, Date.now()),
        onSilentNode: (listener) => {
          silentListeners.push(listener)
        },
        primariesChanged: (next) => {
          const before = primaries
          primaries = next
          for (const [address, pending] of opening) {
            if (before.has(address) && !next.has(address)) {
              // Whoever waits for this connection meant the primary it no longer is: let them route again (nothing
              // was written). The attempt itself goes on and registers the connection if it succeeds.
              opening.delete(address)
              Deferred.doneUnsafe(pending, Exit.fail(new ConnectionError({ address, reason: `${address} is no longer a primary`, written: false })))
            }
          }
          health.topologyChanged(next)
        },
        setNodeTimeout: (ms) => {
          if (!nodeTimeoutGiven) health.setNodeTimeout(ms)
        },
        nodeTimeoutMs: () => health.timings.nodeTimeoutMs
      })
    })
  }

  /** The pool as a layer over a {@link ClusterTransport}. */
  static layer(options: NodePoolOptions = {}): Layer.Layer<NodePool, never, ClusterTransport> {
    return Layer.effect(NodePool, NodePool.make(options))
  }
}
