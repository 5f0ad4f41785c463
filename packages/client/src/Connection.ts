/**
 * One server connection, for transports and for the cluster package: the auto-pipelined `NodeConnection` (one
 * socket, one FIFO of reply waiters, writes of one tick coalesced), the per-server pool of dedicated connections
 * that blocking commands and WATCH bodies lease, the functions that run commands, pipelines, transactions
 * (MULTI ... EXEC as one attempt) and WATCH bodies on a connection, and the ending of an interrupted blocking command
 * (`primeClientId`, `endBlockedCommand`).
 *
 * Programs do not need this module: `RedisNode.layer` and `RedisCluster.layer` manage connections. It is public for
 * code that builds its own client on top of one connection. It is lower-level than the rest of the API and may
 * change between minor versions while the package is below 1.0.
 *
 * @module
 */
export type { ConnectionOptions, NodeAddress } from "./internal/connection/ConnectionOptions.ts"
export {
  type DedicatedConnection,
  DedicatedConnections,
  type DedicatedConnectionsOptions
} from "./internal/connection/DedicatedConnections.ts"
export { clientIdOf, type CommandSink, primeClientId } from "./internal/connection/ClientIds.ts"
export { type BlockedCommand, type BlockedCommandEnd, endBlockedCommand } from "./internal/connection/InterruptBlocked.ts"
export { type ConnectFailure, NodeConnection } from "./internal/connection/NodeConnection.ts"
export type { ConnectionFailure, ReplyWaiter } from "./internal/connection/ReplyWaiter.ts"
export {
  type CommandConnection,
  type OnConnectionFailure,
  pipelineOnConnection,
  runOnConnection
} from "./internal/connection/RunOnConnection.ts"
export {
  isTransactionOutcome,
  sendTransaction,
  type TransactionConnection,
  TransactionOutcome
} from "./internal/transaction/TransactionAttempt.ts"
export { decodeTransaction, keyText, type WatchedKeys } from "./internal/transaction/TransactionReplies.ts"
export {
  runWatch,
  watchCommand,
  type WatchConnection,
  type WatchedConnection,
  type WatchOptions
} from "./internal/transaction/WatchSession.ts"
export { type ParsedRedisUrl, parseRedisUrl, redactUrl } from "./internal/RedisUrl.ts"
export {
  checkAgreesWithUrl,
  checkBoolean,
  checkConnectionOptions,
  checkDuration,
  checkFunction,
  checkInteger,
  checkKnownOptions,
  checkNonEmptyString,
  connectionOptionKeys,
  invalidOption
} from "./internal/OptionsValidation.ts"
