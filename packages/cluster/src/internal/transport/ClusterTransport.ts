import type { ConnectionOptions } from "@effect-redis/client"
import { type ConnectFailure, type ConnectionFailure, NodeConnection, type ReplyWaiter } from "@effect-redis/client/Connection"
import type { InvalidArgument, RespArg } from "@effect-redis/resp"
import { Context, type Duration, type Effect, Layer } from "effect"
import type { NodeAddressParts } from "../topology/ClusterSnapshot.ts"

/**
 * What the cluster needs from one node connection. `NodeConnection` (TCP/TLS, auto-pipelined) is the real one;
 * tests plug in a scripted one to drive redirects and retries without a server.
 */
export interface NodeTransport {
  /** `host:port`. */
  readonly address: string
  /** Whether commands can be queued now. */
  readonly isReady: boolean
  /** Whether the connection is gone for good. */
  readonly isClosed: boolean
  /** Commands waiting for replies. */
  readonly inFlight: number
  /**
   * Queues a command; its waiter gets exactly one reply or failure. Returns the offending argument when the
   * command cannot be encoded (then nothing was queued).
   */
  enqueue(args: ReadonlyArray<RespArg>, waiter: ReplyWaiter): InvalidArgument | undefined
  /** Called once when the connection closes. */
  onClose(listener: (reason: string) => void): void
  /** Closes after the replies in flight (up to `timeout`). */
  close(timeout?: Duration.Input): Effect.Effect<void>
  /**
   * How long, in ms, the node has sent nothing while it owes replies to commands already written (0 when it owes
   * nothing): how a hung node is told from a busy one.
   */
  silentForMs(now: number): number
  /**
   * Closes at once, without waiting for replies: every waiter fails with a `ConnectionError` carrying `reason`
   * (written: true for commands already written, whose outcome is then unknown), and nothing the node sends later
   * reaches anyone.
   */
  reset(reason: string): void
}

/**
 * Re-exported for transports: why opening a node connection failed (`AuthenticationError` included: refused
 * credentials are never retried), and why a waiter's reply will never come.
 */
export type { ConnectFailure, ConnectionFailure }

/** How a node connection is opened. */
export interface ClusterTransportService {
  /**
   * Opens a connection to `address` and completes its handshake. `readOnly` asks for `READONLY` so a replica
   * serves reads of its primary's slots.
   */
  readonly connect: (address: NodeAddressParts, options: { readonly readOnly: boolean }) => Effect.Effect<NodeTransport, ConnectFailure>
}

/**
 * Opens node connections for the cluster. `ClusterTransport.layerTcp(options)` is the real network; the
 * testkit's scripted transport replaces it in unit tests.
 */
export class ClusterTransport extends Context.Service<ClusterTransport, ClusterTransportService>()(
  "@effect-redis/cluster/ClusterTransport"
) {
  /**
   * Real connections: every node, discovered or given, is opened with the same TLS, credentials, name and
   * timeouts.
   */
  static layerTcp(options: ConnectionOptions): Layer.Layer<ClusterTransport> {
    return Layer.succeed(ClusterTransport, {
      connect: (address, { readOnly }) => NodeConnection.connect(address, { ...options, readOnly })
    })
  }
}
