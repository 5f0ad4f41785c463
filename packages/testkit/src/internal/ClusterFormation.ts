/**
 * Turning freshly started, empty cluster-mode servers into a working cluster, and adding nodes later.
 *
 * The steps are those of `redis-cli --cluster create`, done directly so each can be waited for precisely:
 * 1. start every process at once;
 * 2. give each node a distinct config epoch (else the nodes spend a while resolving epoch collisions);
 * 3. assign slot ranges to the primaries;
 * 4. MEET every pair (a full mesh converges faster than gossip from one seed);
 * 5. wait until everyone knows everyone, then REPLICATE each replica to its primary;
 * 6. wait until the cluster is stable: state ok and one slot map on every node, replicas synced.
 *
 * @internal
 */
import { Effect } from "effect"
import type { AdminError } from "../AdminConnection.ts"
import type { ClusterNode, NodeSelector } from "../ClusterNode.ts"
import { ClusterOperationError } from "../ClusterOperationError.ts"
import type { ServerStartError } from "../RedisServerProcess.ts"
import { evenSlotRanges } from "../SlotRange.ts"
import type { WaitTimeoutError } from "../WaitTimeoutError.ts"
import {
  type ClusterContext,
  freshNode,
  startMember,
  waitForMutualKnowledge,
  waitForStable
} from "./ClusterContext.ts"
import { type ClusterMember, runOn } from "./ClusterMembers.ts"

/** How many nodes, in which roles. */
export interface ClusterLayout {
  readonly primaries: number
  readonly replicasPerPrimary: number
}

const meet = (member: ClusterMember, other: ClusterMember) =>
  runOn(member, ["CLUSTER", "MEET", other.process.host, String(other.process.port)])

/** Starts and forms the cluster; returns the first picture of it. */
export const formCluster = (
  context: ClusterContext,
  layout: ClusterLayout
): Effect.Effect<ReadonlyArray<ClusterNode>, ServerStartError | AdminError | WaitTimeoutError | ClusterOperationError> =>
  Effect.gen(function*() {
    const total = layout.primaries * (1 + layout.replicasPerPrimary)
    const indexes = Array.from({ length: total }, () => context.members.reserveIndex())
    const members = yield* Effect.forEach(indexes, (index) => startMember(context, index), { concurrency: "unbounded" })
    for (const member of members) context.members.add(member)
    const all = { concurrency: "unbounded", discard: true } as const

    yield* Effect.forEach(members, (member) => runOn(member, ["CLUSTER", "SET-CONFIG-EPOCH", String(member.index + 1)]), all)
    const ranges = evenSlotRanges(layout.primaries)
    yield* Effect.forEach(
      ranges,
      (range, i) => runOn(members[i]!, ["CLUSTER", "ADDSLOTSRANGE", String(range.start), String(range.end)]),
      all
    )
    const pairs = members.flatMap((member, i) => members.slice(i + 1).map((other) => [member, other] as const))
    yield* Effect.forEach(pairs, ([member, other]) => meet(member, other), all)
    yield* waitForMutualKnowledge(context)

    const replicas = members.slice(layout.primaries)
    yield* Effect.forEach(
      replicas,
      (replica, i) => {
        const primary = members[Math.floor(i / layout.replicasPerPrimary)]!
        return runOn(replica, ["CLUSTER", "REPLICATE", primary.nodeId])
      },
      all
    )
    return yield* waitForStable(context)
  })

/** Options of adding a node. */
export interface AddNodeOptions {
  /** Make the new node a replica of this primary. Default: an empty primary without slots. */
  readonly replicaOf?: NodeSelector | undefined
}

/**
 * Starts a fresh empty node, MEETs it to every running node, optionally makes it a replica, and waits
 * until the cluster (newcomer included) is stable.
 */
export const addNode = (
  context: ClusterContext,
  options: AddNodeOptions = {}
): Effect.Effect<ClusterNode, ServerStartError | AdminError | WaitTimeoutError | ClusterOperationError> =>
  Effect.gen(function*() {
    const primary = options.replicaOf === undefined ? undefined : yield* freshNode(context, options.replicaOf, "addNode")
    if (primary !== undefined && primary.role !== "primary") {
      return yield* new ClusterOperationError({
        operation: "addNode",
        reason: `replicaOf names ${primary.host}:${primary.port}, which is a replica`
      })
    }
    const member = yield* startMember(context, context.members.reserveIndex())
    const others = context.members.answering
    context.members.add(member)
    yield* Effect.forEach(others, (other) => meet(member, other), { concurrency: "unbounded", discard: true })
    yield* waitForMutualKnowledge(context)
    if (primary !== undefined) yield* runOn(member, ["CLUSTER", "REPLICATE", primary.nodeId])
    // Also until the newcomer reports cluster_state:ok: a new primary refuses writes (and MIGRATE's
    // RESTORE) with CLUSTERDOWN for its first two seconds, and until it has learnt the slot map.
    yield* waitForStable(context)
    return yield* freshNode(context, member.process, "addNode")
  })
