/**
 * The catalog commands that deliberately have no typed builder in `Redis`, each with why and what to use
 * instead. Every other command of the catalog has one (a test checks both directions), and all of them remain
 * reachable through `Redis.call` unless the reason says it is refused.
 *
 * @module
 */

const help = "prints the server's help text; use Redis.call if you need it"
const pubsub = "subscriptions turn a connection into a message stream: the pub/sub API (a later issue), not a command builder"
const transactions = "sent by the transaction API: RedisClient.transaction / transactionResults (MULTI ... EXEC as one command, also inside a pipeline) and RedisClient.watch / optimistic (WATCH on a connection of its own); Redis.call refuses it"
const connection = "changes the state of the shared connection; set it through the client's options (username/password, protocol, clientName, readFrom)"
const internal = "an internal or debugging command of the server, not for applications; reachable through Redis.call"

/** Command name (as in the catalog) → why it has no typed builder. */
export const withoutBuilder: Readonly<Record<string, string>> = {
  "ACL HELP": help,
  "CLIENT HELP": help,
  "CLUSTER HELP": help,
  "COMMANDLOG HELP": help,
  "COMMAND HELP": help,
  "CONFIG HELP": help,
  "FUNCTION HELP": help,
  "LATENCY HELP": help,
  "MEMORY HELP": help,
  "MODULE HELP": help,
  "OBJECT HELP": help,
  "PUBSUB HELP": help,
  "SCRIPT HELP": help,
  "SLOWLOG HELP": help,
  "XGROUP HELP": help,
  "XINFO HELP": help,
  SUBSCRIBE: pubsub,
  UNSUBSCRIBE: pubsub,
  PSUBSCRIBE: pubsub,
  PUNSUBSCRIBE: pubsub,
  SSUBSCRIBE: pubsub,
  SUNSUBSCRIBE: pubsub,
  MULTI: transactions,
  EXEC: transactions,
  DISCARD: transactions,
  WATCH: transactions,
  UNWATCH: transactions,
  AUTH: connection,
  HELLO: connection,
  SELECT: connection + "; a cluster has only database 0",
  RESET: connection,
  QUIT: connection,
  "CLIENT SETNAME": connection,
  "CLIENT SETINFO":
    "labels the shared connection with the client library's name and version, which belongs in the connection handshake, not in a program; reachable through Redis.call",
  "CLIENT NO-TOUCH":
    "switches LRU/LFU updates off for the shared connection, so for every caller multiplexed on it, not just the one asking; reachable through Redis.call",
  "CLIENT CAPA":
    "declares what the connection understands (Valkey's `redirect`: replicas answer with redirects), which the client's connection handling must then follow; reachable through Redis.call",
  "CLIENT IMPORT-SOURCE":
    "marks the connection as the source of a data import (Valkey's import mode), an operator's tool rather than an application's; reachable through Redis.call",
  "CLIENT TRACKING": "client-side caching needs push messages on a connection of its own (a later issue)",
  "CLIENT CACHING": "client-side caching needs push messages on a connection of its own (a later issue)",
  "CLIENT REPLY": "switching replies off would desynchronise a multiplexed connection; Redis.call refuses it",
  READONLY: "the cluster client sends it on replica connections itself (the readFrom option)",
  READWRITE: "the cluster client manages READONLY/READWRITE itself (the readFrom option)",
  ASKING: "the cluster client sends it itself when following an ASK redirect",
  MONITOR: "streams every command the server runs; needs a connection of its own (not provided)",
  "SCRIPT DEBUG": "the Lua debugger needs an interactive connection; use redis-cli --ldb",
  DEBUG: "disabled by default since Redis 7 (enable-debug-command); reachable through Redis.call where enabled",
  SLAVEOF: "the deprecated name of REPLICAOF: use Redis.replicaof",
  SUBSTR: "the deprecated name of GETRANGE: use Redis.getrange",
  PFDEBUG: internal,
  PFSELFTEST: internal,
  SYNC: internal,
  PSYNC: internal,
  REPLCONF: internal,
  "RESTORE-ASKING": internal
}
