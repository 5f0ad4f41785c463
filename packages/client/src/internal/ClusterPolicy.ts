import type { RespArg } from "@effect-redis/resp"

/**
 * How a command is executed on a Redis Cluster: the data the cluster executor reads. Standalone clients ignore it.
 *
 * - `singleSlot`: all keys must hash to one slot; sent to that slot's node (the default for keyed commands).
 * - `splitBySlot`: keys are grouped by slot, one sub-command per group, replies merged by `merge`.
 * - `allPrimaries` / `allNodes`: sent to every primary (or every node), replies merged by `merge`.
 * - `anyNode`: any node will do (the default for commands without keys).
 * - `bySlotId`: the slot is an argument (CLUSTER COUNTKEYSINSLOT...), sent to its owner.
 * - `slotsToOwners`: the arguments after the subcommand are slots (or start-end ranges): each goes to its owner,
 *   one command per owner (CLUSTER DELSLOTS, DELSLOTSRANGE); the replies must all succeed.
 * - `perNode`: the reply describes the keyspace (or state) of the one node that answers (SCAN's cursor...), so
 *   no node answers for the whole cluster: a routed call fails without touching the network (it would look
 *   complete while covering one shard); run it on the nodes you mean with `RedisCluster.onNode` / `onNodes`.
 *   With `appliesTo`, only the calls it accepts are refused (INFO naming the keyspace section); the others go to
 *   any node.
 * - `unsupported`: cannot work on a cluster (SELECT, MOVE...); fails without touching the network.
 */
export type ClusterPolicy =
  | { readonly _tag: "singleSlot" }
  | { readonly _tag: "splitBySlot"; readonly merge: MergeRule }
  | { readonly _tag: "allPrimaries"; readonly merge: MergeRule }
  | { readonly _tag: "allNodes"; readonly merge: MergeRule }
  | { readonly _tag: "anyNode" }
  | { readonly _tag: "bySlotId"; readonly slotArgument: number }
  | { readonly _tag: "slotsToOwners"; readonly arguments: "slots" | "ranges" }
  | {
    readonly _tag: "perNode"
    readonly reason: string
    readonly appliesTo: ((args: ReadonlyArray<RespArg>) => boolean) | undefined
  }
  | { readonly _tag: "unsupported"; readonly reason: string }

/**
 * How replies from several nodes become one: sum of integers, values in the caller's key order, all the same,
 * all true, set union, merged mapping, logical AND per position, or the first reply that is not an error.
 */
export type MergeRule = "sum" | "keyOrder" | "allAgree" | "allTrue" | "union" | "mergeMaps" | "and" | "firstSuccess"

/** Constructors for {@link ClusterPolicy} values. */
export const ClusterPolicy = {
  singleSlot: { _tag: "singleSlot" } as ClusterPolicy,
  anyNode: { _tag: "anyNode" } as ClusterPolicy,
  splitBySlot: (merge: MergeRule): ClusterPolicy => ({ _tag: "splitBySlot", merge }),
  allPrimaries: (merge: MergeRule): ClusterPolicy => ({ _tag: "allPrimaries", merge }),
  allNodes: (merge: MergeRule): ClusterPolicy => ({ _tag: "allNodes", merge }),
  bySlotId: (slotArgument: number): ClusterPolicy => ({ _tag: "bySlotId", slotArgument }),
  slotsToOwners: (args: "slots" | "ranges"): ClusterPolicy => ({ _tag: "slotsToOwners", arguments: args }),
  perNode: (reason: string, appliesTo?: (args: ReadonlyArray<RespArg>) => boolean): ClusterPolicy => ({ _tag: "perNode", reason, appliesTo }),
  unsupported: (reason: string): ClusterPolicy => ({ _tag: "unsupported", reason })
} as const
