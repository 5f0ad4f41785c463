/**
 * How a cluster client routes each command that is not simply "the node of its keys' slot": the routing table of
 * the classic cluster clients (redis-py-cluster, coredis), by command name. Command builders and `Redis.call`
 * take their {@link ClusterPolicy} from here, so a typed builder and an untyped call of the same command are
 * routed and merged the same way. Keyed commands absent from the table go to their slot's node; commands without
 * keys absent from the table go to any node.
 *
 * @module
 */
import type { RespArg } from "@effect-redis/resp"
import { ClusterPolicy } from "./ClusterPolicy.ts"

const { allNodes, allPrimaries, bySlotId, perNode, slotsToOwners, splitBySlot, unsupported } = ClusterPolicy

const oneDatabase = "a cluster has a single database (0)"
const connectionState =
  "it changes the state of a connection the client shares between callers; use the client's options or dedicated API"

/**
 * Whether an INFO call's reply includes the keyspace section: it is named (`INFO keyspace`, `INFO server keyspace`),
 * or no section is (`INFO` gives the default sections, keyspace among them), or `default`/`all`/`everything` is.
 */
const namesKeyspaceSection = (args: ReadonlyArray<RespArg>): boolean => {
  if (args.length <= 1) return true
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!
    const text = typeof arg === "string" ? arg : arg instanceof Uint8Array ? Buffer.from(arg).toString("latin1") : String(arg)
    const section = text.toLowerCase()
    if (section === "keyspace" || section === "default" || section === "all" || section === "everything") return true
  }
  return false
}

/** The table; keys are command names as the catalog spells them (`CLUSTER INFO`). */
export const clusterRouting: Readonly<Record<string, ClusterPolicy>> = {
  // Multi-key commands split by slot, run concurrently, merged.
  DEL: splitBySlot("sum"),
  UNLINK: splitBySlot("sum"),
  EXISTS: splitBySlot("sum"),
  TOUCH: splitBySlot("sum"),
  MGET: splitBySlot("keyOrder"),
  MSET: splitBySlot("allAgree"),

  // Every primary: the keyspace and the functions are per shard.
  FLUSHALL: allPrimaries("allAgree"),
  FLUSHDB: allPrimaries("allAgree"),
  KEYS: allPrimaries("union"),
  DBSIZE: allPrimaries("sum"),
  PING: allPrimaries("allAgree"),
  "FUNCTION DELETE": allPrimaries("allAgree"),
  "FUNCTION FLUSH": allPrimaries("allAgree"),
  "FUNCTION KILL": allPrimaries("firstSuccess"),
  "FUNCTION LOAD": allPrimaries("allAgree"),
  "FUNCTION RESTORE": allPrimaries("allAgree"),
  "SCRIPT EXISTS": allPrimaries("and"),
  "SCRIPT KILL": allPrimaries("firstSuccess"),

  // Every node, replicas included: configuration, caches and users are per node.
  "SCRIPT LOAD": allNodes("allAgree"),
  "SCRIPT FLUSH": allNodes("allAgree"),
  "CONFIG SET": allNodes("allAgree"),
  "CONFIG RESETSTAT": allNodes("allAgree"),
  "CONFIG REWRITE": allNodes("allAgree"),
  "ACL SETUSER": allNodes("allAgree"),
  "ACL DELUSER": allNodes("allAgree"),
  "ACL LOAD": allNodes("allAgree"),
  "ACL SAVE": allNodes("allAgree"),
  "MEMORY PURGE": allNodes("allAgree"),
  "MODULE LOAD": allNodes("allAgree"),
  "MODULE LOADEX": allNodes("allAgree"),
  "MODULE UNLOAD": allNodes("allAgree"),
  SAVE: allNodes("allAgree"),
  BGSAVE: allNodes("allAgree"),
  BGREWRITEAOF: allNodes("allAgree"),
  "CLIENT PAUSE": allNodes("allAgree"),
  "CLIENT UNPAUSE": allNodes("allAgree"),
  "CLUSTER SAVECONFIG": allNodes("allAgree"),
  ECHO: allNodes("allAgree"),
  "PUBSUB CHANNELS": allNodes("union"),
  "PUBSUB SHARDCHANNELS": allNodes("union"),
  "PUBSUB NUMSUB": allNodes("mergeMaps"),
  "PUBSUB SHARDNUMSUB": allNodes("mergeMaps"),
  "PUBSUB NUMPAT": allNodes("sum"),
  "SLOWLOG LEN": allNodes("sum"),
  "SLOWLOG RESET": allNodes("allAgree"),
  "COMMANDLOG LEN": allNodes("sum"),
  "COMMANDLOG RESET": allNodes("allAgree"),
  "LATENCY RESET": allNodes("sum"),

  // Each primary reports the slots it serves (Valkey 8.0+); the union covers every served slot once.
  "CLUSTER SLOT-STATS": allPrimaries("union"),
  // One node's keyspace: any single node's reply would look like the cluster's. Refused when routed; run them per
  // node with RedisCluster.onNode / onNodes. (RANDOMKEY and KEYS look at every primary, DBSIZE sums them.)
  SCAN: perNode(
    "SCAN walks the keyspace of the one node it is sent to, so a cursor loop on a cluster would end with one shard's keys as if it had seen them all; use the RedisClient.scan stream for every key of the cluster, or RedisCluster.onNode(address, Redis.scan(cursor)) to scan one node"
  ),
  INFO: perNode(
    "INFO's keyspace section (part of INFO with no section, default, all and everything) counts the keys of the one node that answers; ask for the sections you need (INFO server, INFO memory...), or run it per node; DBSIZE gives the cluster's total (summed over the primaries), RedisCluster.onNodes(\"primaries\", Redis.info(\"keyspace\")) each node's own section",
    namesKeyspaceSection
  ),

  "MEMORY STATS": perNode(
    "MEMORY STATS describes the memory and the keys (keys.count, db.N) of the one node that answers; run it per node with RedisCluster.onNode(address, Redis.memoryStats()) or onNodes"
  ),

  // The slot is an argument: its owner answers.
  "CLUSTER COUNTKEYSINSLOT": bySlotId(2),
  "CLUSTER GETKEYSINSLOT": bySlotId(2),
  "CLUSTER DELSLOTS": slotsToOwners("slots"),
  "CLUSTER DELSLOTSRANGE": slotsToOwners("ranges"),

  // Cannot work on a cluster.
  MOVE: unsupported(oneDatabase),
  SELECT: unsupported(oneDatabase),
  SWAPDB: unsupported(oneDatabase),
  WAIT: unsupported(
    "WAIT counts the replicas that acknowledged the writes of the connection it is sent on; use RedisCluster.ensureReplication, which sends it on every connection that took a write"
  ),
  WAITAOF: unsupported(
    "WAITAOF waits for the writes of the connection it is sent on to be fsynced, and a cluster client spreads a program's writes over one connection per node, shared with other callers"
  ),
  REPLICAOF: unsupported("replication is set up with CLUSTER REPLICATE on a cluster"),
  SLAVEOF: unsupported("replication is set up with CLUSTER REPLICATE on a cluster"),
  FAILOVER: unsupported("a cluster fails over with CLUSTER FAILOVER, sent to the replica to promote"),
  SHUTDOWN: unsupported("it stops one server: send it to the node you mean with RedisCluster.onNode"),
  MONITOR: unsupported("MONITOR turns its connection into a stream of every command; open a dedicated connection to one node"),
  SYNC: unsupported("a replication-protocol command, not for clients"),
  PSYNC: unsupported("a replication-protocol command, not for clients"),
  REPLCONF: unsupported("a replication-protocol command, not for clients"),
  "RESTORE-ASKING": unsupported("sent by the server during slot migration, not by clients"),
  ASKING: unsupported("the cluster client sends ASKING itself when it follows an ASK redirect"),
  READONLY: unsupported("the cluster client sends READONLY itself on replica connections (see the readFrom option)"),
  READWRITE: unsupported("the cluster client manages READONLY/READWRITE itself (see the readFrom option)"),
  AUTH: unsupported(connectionState),
  HELLO: unsupported(connectionState),
  RESET: unsupported(connectionState),
  QUIT: unsupported(connectionState)
}

/** The table's policy for a command, if it has one. */
export const clusterRoutingOf = (name: string): ClusterPolicy | undefined =>
  Object.prototype.hasOwnProperty.call(clusterRouting, name) ? clusterRouting[name] : undefined
