/**
 * The state one LocalCluster's operations share, and the small operations everything else is built from:
 * starting a member, refreshing the picture, and waiting for cluster states.
 *
 * @internal
 */
import { Effect, Scope } from "effect"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import type { ClusterNode, NodeSelector } from "../ClusterNode.ts"
import { ClusterOperationError } from "../ClusterOperationError.ts"
import { RedisServerProcess, type RedisServerProcessOptions, type ServerStartError } from "../RedisServerProcess.ts"
import type { AdminError } from "../AdminConnection.ts"
import type { WaitTimeoutError } from "../WaitTimeoutError.ts"
import { allKnowEachOther, clusterStateOk, replicasInSync, slotMapsAgree } from "./ClusterHealthChecks.ts"
import { type ClusterMember, ClusterMembers } from "./ClusterMembers.ts"
import { readClusterView } from "./ClusterViewReader.ts"
import { type Observation, reached, waitUntil } from "./RealTime.ts"

/** A slot move that has begun and not finished. */
export interface PendingMigration {
  readonly source: ClusterMember
  readonly target: ClusterMember
}

/** Shared state of one cluster. */
export interface ClusterContext {
  readonly members: ClusterMembers
  /** The cluster's own scope: members added later live (and die) with the cluster, not with the caller. */
  readonly scope: Scope.Scope
  readonly rootDir: string
  /** Options of the member with this index (differs only by folder and announced hostname). */
  readonly memberOptions: (index: number) => RedisServerProcessOptions
  /** Needed by MIGRATE, which opens its own connection to the target. */
  readonly password: string | undefined
  /** Default limit of every wait. */
  readonly timeoutMs: number
  /** The last picture read from the cluster. */
  view: ReadonlyArray<ClusterNode>
  readonly migrations: Map<number, PendingMigration>
}

/** Creates the context; members are added as they start. */
export const makeClusterContext = (options: {
  readonly scope: Scope.Scope
  readonly rootDir: string
  readonly memberOptions: (index: number) => RedisServerProcessOptions
  readonly password: string | undefined
  readonly timeoutMs: number
}): ClusterContext => ({
  ...options,
  members: new ClusterMembers(),
  view: [],
  migrations: new Map()
})

/**
 * Starts the member with `index` in folder `node-<index>`, tied to the cluster's scope, and reads its node
 * id. The member is registered only once it has an id.
 */
export const startMember = (context: ClusterContext, index: number): Effect.Effect<ClusterMember, ServerStartError | AdminError> =>
  Effect.gen(function*() {
    const dir = join(context.rootDir, `node-${index}`)
    mkdirSync(dir, { recursive: true })
    const process = yield* RedisServerProcess.start({ ...context.memberOptions(index), dir }).pipe(
      Scope.provide(context.scope)
    )
    const nodeId = String(yield* process.command(["CLUSTER", "MYID"]))
    return { index, process, nodeId }
  })

/** Re-reads roles, primaries and slots from the cluster and keeps the result as the current picture. */
export const refreshView = (context: ClusterContext): Effect.Effect<ReadonlyArray<ClusterNode>, ClusterOperationError> =>
  readClusterView(context.members, context.view).pipe(
    Effect.tap((view) =>
      Effect.sync(() => {
        context.view = view
      })
    )
  )

/** The picture as last read, with process ids and states as they are now. */
export const currentView = (context: ClusterContext): ReadonlyArray<ClusterNode> =>
  context.view.map((node) => {
    const member = context.members.all.find((candidate) => candidate.nodeId === node.nodeId)
    return member === undefined ? node : { ...node, pid: member.process.pid, state: member.process.state }
  })

/** The node in a fresh picture for `selector`. */
export const freshNode = (
  context: ClusterContext,
  selector: NodeSelector,
  operation: string
): Effect.Effect<ClusterNode, ClusterOperationError> =>
  Effect.gen(function*() {
    const member = yield* context.members.find(selector, operation)
    const view = yield* refreshView(context)
    const node = view.find((candidate) => candidate.nodeId === member.nodeId)
    if (node === undefined) {
      return yield* new ClusterOperationError({ operation, reason: `node on port ${selector.port} is not in the cluster view` })
    }
    return node
  })

/** Options of the public wait operations. */
export interface ClusterWaitOptions {
  /** Default: the cluster's `timeoutMs` option. */
  readonly timeoutMs?: number | undefined
}

const waitFor = (
  context: ClusterContext,
  waitingFor: string,
  check: (members: ClusterMembers) => Effect.Effect<Observation<void>>,
  options: ClusterWaitOptions | undefined
): Effect.Effect<void, WaitTimeoutError> =>
  waitUntil(check(context.members), { waitingFor, timeoutMs: options?.timeoutMs ?? context.timeoutMs })

/** Every running node knows every other running node as a healthy full member. */
export const waitForMutualKnowledge = (context: ClusterContext, options?: ClusterWaitOptions) =>
  waitFor(context, "every running node to know every other as healthy", allKnowEachOther, options)

/** Every running node reports `cluster_state:ok`. */
export const waitForClusterOk = (context: ClusterContext, options?: ClusterWaitOptions) =>
  waitFor(context, "cluster_state:ok on every running node", clusterStateOk, options)

/** Every running node reports the same CLUSTER SLOTS and sees the others as healthy. */
export const waitForAgreement = (context: ClusterContext, options?: ClusterWaitOptions) =>
  waitFor(
    context,
    "every running node to report the same slot map and see the others as healthy",
    (members) =>
      Effect.gen(function*() {
        const slots = yield* slotMapsAgree(members)
        return slots.done ? yield* allKnowEachOther(members) : slots
      }),
    options
  )

/** Every running replica has finished syncing with its primary. */
export const waitForReplicasInSync = (context: ClusterContext, options?: ClusterWaitOptions) =>
  waitFor(context, "master_link_status:up on every running replica", replicasInSync, options)

/** All of the above, in one poll, then a fresh picture. */
export const waitForStable = (
  context: ClusterContext,
  options?: ClusterWaitOptions
): Effect.Effect<ReadonlyArray<ClusterNode>, WaitTimeoutError | ClusterOperationError> =>
  waitFor(
    context,
    "a stable cluster (cluster_state:ok, one slot map, replicas in sync, everyone healthy)",
    (members) =>
      Effect.gen(function*() {
        for (const check of [clusterStateOk, slotMapsAgree, allKnowEachOther, replicasInSync]) {
          const observation = yield* check(members)
          if (!observation.done) return observation
        }
        return reached(undefined)
      }),
    options
  ).pipe(Effect.andThen(refreshView(context)))
