/**
 * How the test kit describes the nodes and shards of a {@link import("./LocalCluster.ts").LocalCluster}.
 *
 * @since 0.1.0
 */
import type { RedisServerState } from "./RedisServerProcess.ts"
import type { SlotRange } from "./SlotRange.ts"

/**
 * Where a node listens: what a client's `startupNodes` take.
 *
 * @since 0.1.0
 */
export interface NodeAddress {
  readonly host: string
  readonly port: number
}

/**
 * Names a node of the cluster by its port, which never changes (restarts reuse it). A {@link ClusterNode},
 * a {@link NodeAddress} or `{ port }` all work.
 *
 * @since 0.1.0
 */
export interface NodeSelector {
  readonly port: number
}

/**
 * `primary` serves slots; `replica` copies a primary and may be promoted.
 *
 * @since 0.1.0
 */
export type ClusterRole = "primary" | "replica"

/**
 * One node as the cluster currently describes it (each answering node's own view of itself; the others'
 * view of nodes that do not answer).
 *
 * @since 0.1.0
 */
export interface ClusterNode extends NodeAddress {
  /** Start order: primaries first, then replicas, then nodes added later. Stable for the cluster's life. */
  readonly index: number
  /** The 40-character id from CLUSTER MYID; survives restarts (it lives in nodes.conf). */
  readonly nodeId: string
  readonly role: ClusterRole
  /** The node id of the primary this replica follows. */
  readonly primaryId: string | undefined
  /** Slots this primary serves; empty for replicas. */
  readonly slots: ReadonlyArray<SlotRange>
  /** The process id while the process exists (also when paused). */
  readonly pid: number | undefined
  /** Whether the process runs, is paused, or has exited. */
  readonly state: RedisServerState
}

/**
 * A primary with its replicas and slots.
 *
 * @since 0.1.0
 */
export interface ClusterShard {
  readonly primary: ClusterNode
  readonly replicas: ReadonlyArray<ClusterNode>
  readonly slots: ReadonlyArray<SlotRange>
}
