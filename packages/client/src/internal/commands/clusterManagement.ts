/**
 * The CLUSTER container commands: reading a cluster's layout (INFO, NODES, SHARDS, SLOTS, LINKS...) and changing
 * it (ADDSLOTS, MEET, SETSLOT, REPLICATE, FAILOVER, RESET...).
 *
 * On a cluster client the read commands go to any node, except COUNTKEYSINSLOT and GETKEYSINSLOT, which go to the
 * owner of the slot they name; DELSLOTS / DELSLOTSRANGE go to the owners of their slots and SAVECONFIG to every
 * node. The other management commands act on the node that receives them: send them to a chosen node with
 * `RedisCluster.onNode(address, command)`, or with a `RedisNode` client connected to that node.
 *
 * READONLY, READWRITE and ASKING have no builders: they are connection state that the cluster client manages
 * itself (replica reads, ASK redirects).
 */
import type { RespArg } from "@effect-redis/resp"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import * as ClusterReplies from "./clusterManagementReplies.ts"
import type { ClusterSlotRange } from "./clusterManagementReplies.ts"
import type { RedisKey } from "./types.ts"
import { atMostOne, integerAtLeast, nonEmpty } from "./validate.ts"

export type {
  ClusterBumpEpochResult,
  ClusterImportingSlot,
  ClusterInfo,
  ClusterLink,
  ClusterMigratingSlot,
  ClusterNodeDescription,
  ClusterShardDescription,
  ClusterShardNode,
  ClusterSlotRange,
  ClusterSlotsNode,
  ClusterSlotsRange
} from "./clusterManagementReplies.ts"

const { admin, replaySafe } = CommandFlags

/** The highest hash slot (a cluster has 16384: 0..16383). */
const maxSlot = 16383

/** `slot` must be an integer in 0..16383. */
const slotNumber = (name: string, slot: number): InvalidOptions | undefined =>
  Number.isSafeInteger(slot) && slot >= 0 && slot <= maxSlot
    ? undefined
    : new InvalidOptions(`${name} must be a hash slot (an integer from 0 to ${maxSlot}), got ${String(slot)}`)

/** `[name..., slot...]` for ADDSLOTS / DELSLOTS: at least one slot, each in range. */
const slotList = (command: ReadonlyArray<string>, slots: number | ReadonlyArray<number>): Array<RespArg> | InvalidOptions => {
  const list: ReadonlyArray<number> = typeof slots === "number" ? [slots] : slots
  const empty = nonEmpty("slots", list)
  if (empty !== undefined) return empty
  const out: Array<RespArg> = [...command]
  for (const slot of list) {
    const invalid = slotNumber("each slot", slot)
    if (invalid !== undefined) return invalid
    out.push(slot)
  }
  return out
}

/** `[name..., start end ...]` for ADDSLOTSRANGE / DELSLOTSRANGE: at least one range, each in order and in range. */
const slotRanges = (
  command: ReadonlyArray<string>,
  ranges: ClusterSlotRange | ReadonlyArray<ClusterSlotRange>
): Array<RespArg> | InvalidOptions => {
  const list: ReadonlyArray<ClusterSlotRange> = Array.isArray(ranges) ? ranges : [ranges as ClusterSlotRange]
  const empty = nonEmpty("ranges", list)
  if (empty !== undefined) return empty
  const out: Array<RespArg> = [...command]
  for (const { end, start } of list) {
    const invalid = slotNumber("range start", start) ?? slotNumber("range end", end)
    if (invalid !== undefined) return invalid
    if (start > end) return new InvalidOptions(`a slot range must not end before it starts, got ${start}..${end}`)
    out.push(start, end)
  }
  return out
}

/** A node id: non-empty text (the server checks the rest and answers `Unknown node`). */
const nodeIdArgument = (name: string, nodeId: string): InvalidOptions | undefined =>
  typeof nodeId === "string" && nodeId.length > 0 ? undefined : new InvalidOptions(`${name} must be a node id`)

/**
 * CLUSTER ADDSLOTS slot [slot ...] (one slot or an array): assigns the slots to the node that receives the command.
 * Fails with `ReplyError` when a slot is already assigned. Send it to the chosen node (`RedisCluster.onNode`).
 */
export const clusterAddslots = defineCommand({
  name: "CLUSTER ADDSLOTS", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (slots: number | ReadonlyArray<number>) => slotList(["CLUSTER", "ADDSLOTS"], slots)
})

/**
 * CLUSTER ADDSLOTSRANGE start end [start end ...] (one `{ start, end }` or an array, inclusive): assigns the ranges
 * to the node that receives the command.
 */
export const clusterAddslotsrange = defineCommand({
  name: "CLUSTER ADDSLOTSRANGE", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (ranges: ClusterSlotRange | ReadonlyArray<ClusterSlotRange>) => slotRanges(["CLUSTER", "ADDSLOTSRANGE"], ranges)
})

/**
 * CLUSTER BUMPEPOCH: gives the node a new, greater config epoch unless its epoch is already the greatest and
 * unique; `{ bumped, epoch }` from `BUMPED <epoch>` / `STILL <epoch>`.
 */
export const clusterBumpepoch = defineCommand({
  name: "CLUSTER BUMPEPOCH", flags: admin, keys: noKeys, reply: ClusterReplies.clusterBumpEpoch,
  args: () => ["CLUSTER", "BUMPEPOCH"]
})

/** CLUSTER COUNT-FAILURE-REPORTS node-id: how many other primaries currently report the node as failing. */
export const clusterCountFailureReports = defineCommand({
  name: "CLUSTER COUNT-FAILURE-REPORTS", flags: admin | replaySafe, keys: noKeys, reply: Replies.integer,
  args: (nodeId: string) => nodeIdArgument("nodeId", nodeId) ?? ["CLUSTER", "COUNT-FAILURE-REPORTS", nodeId]
})

/**
 * CLUSTER COUNTKEYSINSLOT slot: how many keys the slot holds on the node that answers (a cluster client sends it
 * to the slot's owner; other nodes answer 0).
 */
export const clusterCountkeysinslot = defineCommand({
  name: "CLUSTER COUNTKEYSINSLOT", flags: replaySafe, keys: noKeys, reply: Replies.integer,
  args: (slot: number) => slotNumber("slot", slot) ?? ["CLUSTER", "COUNTKEYSINSLOT", slot]
})

/**
 * CLUSTER DELSLOTS slot [slot ...] (one slot or an array): makes the receiving node forget the slots' owner (other
 * nodes keep their binding). A cluster client sends each slot to the node that owns it.
 */
export const clusterDelslots = defineCommand({
  name: "CLUSTER DELSLOTS", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (slots: number | ReadonlyArray<number>) => slotList(["CLUSTER", "DELSLOTS"], slots)
})

/**
 * CLUSTER DELSLOTSRANGE start end [start end ...] (one `{ start, end }` or an array, inclusive): like
 * {@link clusterDelslots} for ranges.
 */
export const clusterDelslotsrange = defineCommand({
  name: "CLUSTER DELSLOTSRANGE", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (ranges: ClusterSlotRange | ReadonlyArray<ClusterSlotRange>) => slotRanges(["CLUSTER", "DELSLOTSRANGE"], ranges)
})

/** Options of CLUSTER FAILOVER (at most one). */
export interface ClusterFailoverOptions {
  /** FORCE: do not wait for the primary's offset (the primary may be unreachable); still needs a majority vote. */
  readonly force?: boolean | undefined
  /** TAKEOVER: no agreement with the other primaries at all (the replica takes a new epoch by itself). */
  readonly takeover?: boolean | undefined
}

/**
 * CLUSTER FAILOVER [FORCE|TAKEOVER]: asks the receiving replica to start a manual failover of its primary. `OK`
 * means the failover was started, not that it completed: watch the node's role (CLUSTER NODES) for that.
 */
export const clusterFailover = defineCommand({
  name: "CLUSTER FAILOVER", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (options: ClusterFailoverOptions = {}) =>
    atMostOne(options, ["force", "takeover"]) ??
      (options.force === true
        ? ["CLUSTER", "FAILOVER", "FORCE"]
        : options.takeover === true
        ? ["CLUSTER", "FAILOVER", "TAKEOVER"]
        : ["CLUSTER", "FAILOVER"])
})

/** CLUSTER FLUSHSLOTS: removes every slot of the receiving node (its database must be empty). */
export const clusterFlushslots = defineCommand({
  name: "CLUSTER FLUSHSLOTS", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: () => ["CLUSTER", "FLUSHSLOTS"]
})

/**
 * CLUSTER FORGET node-id: removes the node from the receiving node's table and bans it for 60 s (send it to every
 * other node so the node is really gone).
 */
export const clusterForget = defineCommand({
  name: "CLUSTER FORGET", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (nodeId: string) => nodeIdArgument("nodeId", nodeId) ?? ["CLUSTER", "FORGET", nodeId]
})

/**
 * CLUSTER GETKEYSINSLOT slot count: up to `count` keys of the slot on the node that answers (a cluster client sends
 * it to the slot's owner).
 */
export const clusterGetkeysinslot = defineCommand({
  name: "CLUSTER GETKEYSINSLOT", flags: replaySafe, keys: noKeys, reply: Replies.strings,
  args: (slot: number, count: number) =>
    slotNumber("slot", slot) ?? integerAtLeast("count", count, 0) ?? ["CLUSTER", "GETKEYSINSLOT", slot, count]
})

/** CLUSTER INFO: the node's view of the cluster as a typed {@link ClusterReplies.ClusterInfo} (numbers as numbers). */
export const clusterInfo = defineCommand({
  name: "CLUSTER INFO", flags: replaySafe, keys: noKeys, reply: ClusterReplies.clusterInfo,
  args: () => ["CLUSTER", "INFO"]
})

/** CLUSTER KEYSLOT key: the hash slot of the key (the same as `keySlot` of `@effect-redis/cluster`). */
export const clusterKeyslot = defineCommand({
  name: "CLUSTER KEYSLOT", flags: replaySafe, keys: noKeys, reply: Replies.integer,
  args: (key: RedisKey) => ["CLUSTER", "KEYSLOT", key]
})

/** CLUSTER LINKS: the receiving node's cluster bus links, typed ({@link ClusterReplies.ClusterLink}). */
export const clusterLinks = defineCommand({
  name: "CLUSTER LINKS", flags: replaySafe, keys: noKeys, reply: ClusterReplies.clusterLinks,
  args: () => ["CLUSTER", "LINKS"]
})

/** Options of CLUSTER MEET. */
export interface ClusterMeetOptions {
  /** The other node's cluster bus port, when it is not `port + 10000`. */
  readonly clusterBusPort?: number | undefined
}

const portNumber = (name: string, port: number): InvalidOptions | undefined =>
  Number.isSafeInteger(port) && port >= 1 && port <= 65535
    ? undefined
    : new InvalidOptions(`${name} must be a TCP port (1 to 65535), got ${String(port)}`)

/**
 * CLUSTER MEET ip port [cluster-bus-port]: makes the receiving node handshake with the node at `ip:port`, joining
 * the two clusters. `OK` when the handshake was started.
 */
export const clusterMeet = defineCommand({
  name: "CLUSTER MEET", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: (ip: string, port: number, options: ClusterMeetOptions = {}) =>
    portNumber("port", port) ??
      (options.clusterBusPort === undefined
        ? ["CLUSTER", "MEET", ip, port]
        : portNumber("clusterBusPort", options.clusterBusPort) ?? ["CLUSTER", "MEET", ip, port, options.clusterBusPort])
})

/** CLUSTER MYID: the receiving node's id. */
export const clusterMyid = defineCommand({
  name: "CLUSTER MYID", flags: replaySafe, keys: noKeys, reply: Replies.string,
  args: () => ["CLUSTER", "MYID"]
})

/**
 * CLUSTER NODES: the receiving node's table of nodes, one parsed {@link ClusterReplies.ClusterNodeDescription} per
 * line (id, address, flags, primary, epochs, link state, slots, importing/migrating slots).
 */
export const clusterNodes = defineCommand({
  name: "CLUSTER NODES", flags: replaySafe, keys: noKeys, reply: ClusterReplies.clusterNodes,
  args: () => ["CLUSTER", "NODES"]
})

/** CLUSTER REPLICAS node-id: the primary's replicas, parsed like {@link clusterNodes}. */
export const clusterReplicas = defineCommand({
  name: "CLUSTER REPLICAS", flags: admin | replaySafe, keys: noKeys, reply: ClusterReplies.clusterNodeLines,
  args: (nodeId: string) => nodeIdArgument("nodeId", nodeId) ?? ["CLUSTER", "REPLICAS", nodeId]
})

/** CLUSTER SLAVES node-id: the former name of {@link clusterReplicas}, same reply. */
export const clusterSlaves = defineCommand({
  name: "CLUSTER SLAVES", flags: admin | replaySafe, keys: noKeys, reply: ClusterReplies.clusterNodeLines,
  args: (nodeId: string) => nodeIdArgument("nodeId", nodeId) ?? ["CLUSTER", "SLAVES", nodeId]
})

/** CLUSTER REPLICATE node-id: makes the receiving node (without slots) a replica of the given primary. */
export const clusterReplicate = defineCommand({
  name: "CLUSTER REPLICATE", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: (nodeId: string) => nodeIdArgument("nodeId", nodeId) ?? ["CLUSTER", "REPLICATE", nodeId]
})

/** Options of CLUSTER RESET (at most one; the server's default is SOFT). */
export interface ClusterResetOptions {
  /** HARD: also a new node id and epochs back to 0. */
  readonly hard?: boolean | undefined
  /** SOFT: forget the other nodes and the slots, keep the id. */
  readonly soft?: boolean | undefined
}

/**
 * CLUSTER RESET [HARD|SOFT]: the receiving node forgets every other node and its slots (a replica becomes an
 * empty primary). A primary must hold no keys.
 */
export const clusterReset = defineCommand({
  name: "CLUSTER RESET", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (options: ClusterResetOptions = {}) =>
    atMostOne(options, ["hard", "soft"]) ??
      (options.hard === true
        ? ["CLUSTER", "RESET", "HARD"]
        : options.soft === true
        ? ["CLUSTER", "RESET", "SOFT"]
        : ["CLUSTER", "RESET"])
})

/**
 * CLUSTER SAVECONFIG: writes the receiving node's cluster configuration (nodes.conf) to disk. A cluster client sends
 * it to every node.
 */
export const clusterSaveconfig = defineCommand({
  name: "CLUSTER SAVECONFIG", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: () => ["CLUSTER", "SAVECONFIG"]
})

/**
 * CLUSTER SET-CONFIG-EPOCH config-epoch: sets the config epoch of a fresh node (one that knows no other node and
 * has epoch 0).
 */
export const clusterSetConfigEpoch = defineCommand({
  name: "CLUSTER SET-CONFIG-EPOCH", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (configEpoch: number) =>
    integerAtLeast("configEpoch", configEpoch, 0) ?? ["CLUSTER", "SET-CONFIG-EPOCH", configEpoch]
})

/**
 * What CLUSTER SETSLOT does with the slot: exactly one of
 * `{ importing: sourceNodeId }`, `{ migrating: targetNodeId }`, `{ stable: true }`, `{ node: ownerNodeId }`.
 */
export type ClusterSetslotSubcommand =
  | { readonly importing: string; readonly migrating?: undefined; readonly stable?: undefined; readonly node?: undefined }
  | { readonly migrating: string; readonly importing?: undefined; readonly stable?: undefined; readonly node?: undefined }
  | { readonly stable: true; readonly importing?: undefined; readonly migrating?: undefined; readonly node?: undefined }
  | { readonly node: string; readonly importing?: undefined; readonly migrating?: undefined; readonly stable?: undefined }

/**
 * CLUSTER SETSLOT slot IMPORTING node-id | MIGRATING node-id | STABLE | NODE node-id: changes the slot's state on
 * the receiving node (the steps of a slot migration).
 */
export const clusterSetslot = defineCommand({
  name: "CLUSTER SETSLOT", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (slot: number, subcommand: ClusterSetslotSubcommand) => {
    const invalidSlot = slotNumber("slot", slot)
    if (invalidSlot !== undefined) return invalidSlot
    const given = (["importing", "migrating", "stable", "node"] as const).filter((name) => {
      const value = (subcommand as Record<string, unknown>)[name]
      return value !== undefined && value !== false
    })
    if (given.length !== 1) {
      return new InvalidOptions(
        `CLUSTER SETSLOT takes exactly one of importing, migrating, stable, node; got ${given.length === 0 ? "none" : given.join(" and ")}`
      )
    }
    const which = given[0]!
    if (which === "stable") return ["CLUSTER", "SETSLOT", slot, "STABLE"]
    const nodeId = (subcommand as Record<string, unknown>)[which] as string
    return nodeIdArgument(which, nodeId) ?? ["CLUSTER", "SETSLOT", slot, which.toUpperCase(), nodeId]
  }
})

/** CLUSTER SHARDS (Redis 7+): the shards with their slot ranges and nodes, typed. */
export const clusterShards = defineCommand({
  name: "CLUSTER SHARDS", flags: replaySafe, keys: noKeys, reply: ClusterReplies.clusterShards,
  args: () => ["CLUSTER", "SHARDS"]
})

/** CLUSTER SLOTS: the slot ranges with their primary and replicas, typed (`[{ start, end, primary, replicas }]`). */
export const clusterSlots = defineCommand({
  name: "CLUSTER SLOTS", flags: replaySafe, keys: noKeys, reply: ClusterReplies.clusterSlots,
  args: () => ["CLUSTER", "SLOTS"]
})

/** CLUSTER MYSHARDID (Redis 7.2+, Valkey): the id of the receiving node's shard, shared by its primary and replicas. */
export const clusterMyshardid = defineCommand({
  name: "CLUSTER MYSHARDID", flags: replaySafe, keys: noKeys, reply: Replies.string,
  args: () => ["CLUSTER", "MYSHARDID"]
})
