/**
 * Builds the test kit's picture of the cluster (roles, primaries, slots) from what the nodes say.
 *
 * Every answering node is asked about itself (its `myself` line of CLUSTER NODES), because a node is the
 * authority on its own role and slots. Nodes that cannot answer (paused, killed) are described by the
 * freshest other view that lists them, or else by the previous picture.
 *
 * @internal
 */
import { Effect } from "effect"
import type { ClusterNode, ClusterShard } from "../ClusterNode.ts"
import { ClusterOperationError } from "../ClusterOperationError.ts"
import { rangesContain } from "../SlotRange.ts"
import { type ClusterMember, type ClusterMembers, runOn } from "./ClusterMembers.ts"
import { type ClusterNodesEntry, parseClusterNodes } from "./ClusterReplies.ts"

const describe = (member: ClusterMember, entry: ClusterNodesEntry | undefined, previous: ClusterNode | undefined): ClusterNode => ({
  index: member.index,
  host: member.process.host,
  port: member.process.port,
  nodeId: member.nodeId,
  role: entry?.role ?? previous?.role ?? "primary",
  primaryId: entry !== undefined ? (entry.role === "replica" ? entry.primaryId : undefined) : previous?.primaryId,
  slots: entry !== undefined ? (entry.role === "primary" ? entry.slots : []) : previous?.slots ?? [],
  pid: member.process.pid,
  state: member.process.state
})

/** Reads the current picture; fails only if no node answers at all. */
export const readClusterView = (
  members: ClusterMembers,
  previous: ReadonlyArray<ClusterNode>
): Effect.Effect<ReadonlyArray<ClusterNode>, ClusterOperationError> =>
  Effect.gen(function*() {
    const views = yield* Effect.forEach(
      members.answering,
      (member) =>
        runOn(member, ["CLUSTER", "NODES"], { timeoutMs: 1000 }).pipe(
          Effect.map((reply) => ({ member, entries: parseClusterNodes(String(reply)) })),
          Effect.option
        ),
      { concurrency: "unbounded" }
    )
    const answered = views.flatMap((view) => (view._tag === "Some" ? [view.value] : []))
    if (answered.length === 0) {
      return yield* new ClusterOperationError({ operation: "refresh", reason: "no node of the cluster answers" })
    }
    return members.all.map((member) => {
      const own = answered.find((view) => view.member === member)?.entries.find((entry) => entry.myself)
      const seenByOthers = answered
        .map((view) => view.entries.find((entry) => entry.nodeId === member.nodeId))
        .find((entry) => entry !== undefined)
      return describe(member, own ?? seenByOthers, previous.find((node) => node.nodeId === member.nodeId))
    })
  })

/** Primaries with their replicas, in start order of the primaries. */
export const shardsOf = (nodes: ReadonlyArray<ClusterNode>): ReadonlyArray<ClusterShard> =>
  nodes
    .filter((node) => node.role === "primary")
    .map((primary) => ({
      primary,
      replicas: nodes.filter((node) => node.role === "replica" && node.primaryId === primary.nodeId),
      slots: primary.slots
    }))

/**
 * The primary serving `slot` in this picture. A running node wins over one that is down and still listed
 * with the slot from before it went down.
 */
export const ownerOf = (nodes: ReadonlyArray<ClusterNode>, slot: number): ClusterNode | undefined => {
  const claimants = nodes.filter((node) => node.role === "primary" && rangesContain(node.slots, slot))
  return claimants.find((node) => node.state === "running") ?? claimants[0]
}
