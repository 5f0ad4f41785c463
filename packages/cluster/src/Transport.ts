/**
 * How the cluster client reaches nodes: the `ClusterTransport` service (connect to a node, get a `NodeTransport`
 * that takes encoded commands and reply waiters) and the `NodePool` that keeps one connection per node. The TCP/TLS
 * transport is the default; the test kit's `ScriptedTransport` is an in-memory one for tests without a server.
 *
 * @module
 */
export {
  type ClusterTransportService,
  ClusterTransport,
  type ConnectFailure,
  type NodeTransport
} from "./internal/transport/ClusterTransport.ts"
export { NodePool, type NodePoolOptions, type NodePoolService } from "./internal/transport/NodePool.ts"
