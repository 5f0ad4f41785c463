/**
 * Promoting a replica on request (CLUSTER FAILOVER) and waiting until the whole cluster has taken it in.
 *
 * @internal
 */
import { Effect } from "effect"
import type { AdminError } from "../AdminConnection.ts"
import type { ClusterNode, ClusterShard, NodeSelector } from "../ClusterNode.ts"
import { ClusterOperationError } from "../ClusterOperationError.ts"
import type { WaitTimeoutError } from "../WaitTimeoutError.ts"
import { type ClusterContext, refreshView, waitForStable } from "./ClusterContext.ts"
import { memberLabel, runOn } from "./ClusterMembers.ts"
import { notYet, reached, waitUntil } from "./RealTime.ts"

/**
 * `default`: the replica and its primary hand over in step, no write is lost; needs the primary up.
 * `force`: no handshake with the primary (it may be down); still needs a majority of primaries' votes.
 * `takeover`: no vote either; the replica just claims the slots with a new epoch.
 */
export type FailoverMode = "default" | "force" | "takeover"

/** Options of a failover. */
export interface FailoverOptions {
  readonly mode?: FailoverMode | undefined
  /** Limit of each wait. Default: the cluster's `timeoutMs`. */
  readonly timeoutMs?: number | undefined
}

const isShard = (target: ClusterShard | NodeSelector): target is ClusterShard => "primary" in target

/**
 * The replica to promote. A shard may be a stale picture (an earlier failover swapped its roles), so it is
 * resolved by its members: whichever of them is primary now is the one failed over.
 */
const chooseReplica = (
  view: ReadonlyArray<ClusterNode>,
  target: ClusterShard | NodeSelector
): ClusterNode | string => {
  let primaryId: string
  if (isShard(target)) {
    const ports = new Set([target.primary, ...target.replicas].map((node) => node.port))
    const primary = view.find((node) => ports.has(node.port) && node.role === "primary")
    if (primary === undefined) return `no node of the shard of port ${target.primary.port} is a primary now`
    primaryId = primary.nodeId
  } else {
    const node = view.find((candidate) => candidate.port === target.port)
    if (node === undefined) return `no node listens on port ${target.port}`
    if (node.role === "replica") return node.state === "running" ? node : `replica on port ${node.port} is ${node.state}`
    primaryId = node.nodeId
  }
  const replicas = view.filter((node) => node.role === "replica" && node.primaryId === primaryId)
  return replicas.find((node) => node.state === "running") ??
    (replicas.length === 0 ? "the shard has no replica" : "no replica of the shard is running")
}

/**
 * Sends CLUSTER FAILOVER to a replica of the target shard (or to the target itself when it is a replica),
 * waits until it reports itself primary and the cluster is stable, and returns the promoted node.
 */
export const failover = (
  context: ClusterContext,
  target: ClusterShard | NodeSelector,
  options: FailoverOptions = {}
): Effect.Effect<ClusterNode, AdminError | WaitTimeoutError | ClusterOperationError> =>
  Effect.gen(function*() {
    const view = yield* refreshView(context)
    const replica = chooseReplica(view, target)
    if (typeof replica === "string") {
      return yield* new ClusterOperationError({ operation: "failover", reason: replica })
    }
    const member = context.members.byNodeId(replica.nodeId)!
    const mode = options.mode ?? "default"
    yield* runOn(member, ["CLUSTER", "FAILOVER", ...(mode === "default" ? [] : [mode.toUpperCase()])])
    const timeoutMs = options.timeoutMs ?? context.timeoutMs
    yield* waitUntil(
      runOn(member, ["ROLE"], { timeoutMs: 1000 }).pipe(
        Effect.map((role) =>
          Array.isArray(role) && role[0] === "master" ? reached(undefined) : notYet(`ROLE says ${String(Array.isArray(role) ? role[0] : role)}`)
        )
      ),
      { waitingFor: `${memberLabel(member)} to become primary (${mode} failover)`, timeoutMs }
    )
    const nodes = yield* waitForStable(context, { timeoutMs })
    return nodes.find((node) => node.nodeId === member.nodeId)!
  })
