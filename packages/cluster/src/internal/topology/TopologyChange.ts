import { SLOT_COUNT } from "../../KeySlot.ts"
import type { ClusterNodeInfo, ClusterSnapshot } from "./ClusterSnapshot.ts"

/** Slots that now belong to another primary (a reshard, or a MOVED the client learned). */
export interface SlotsMoved {
  readonly _tag: "SlotsMoved"
  /** Inclusive ranges. */
  readonly ranges: ReadonlyArray<readonly [number, number]>
  /** Previous owner `host:port`, or `undefined` when the slots were not served. */
  readonly from: string | undefined
  /** New owner, or `undefined` when no node serves them any more. */
  readonly to: string | undefined
}

/** A replica took over its primary's slots (failover). */
export interface PrimaryChanged {
  readonly _tag: "PrimaryChanged"
  /** The old primary. */
  readonly from: string
  /** The promoted node. */
  readonly to: string
  /** How many slots changed hands. */
  readonly slotCount: number
}

/** A node appeared in the cluster. */
export interface NodeAdded {
  readonly _tag: "NodeAdded"
  readonly node: ClusterNodeInfo
}

/** A node is no longer part of the cluster's picture. */
export interface NodeRemoved {
  readonly _tag: "NodeRemoved"
  readonly node: ClusterNodeInfo
}

/** One difference between two topology snapshots, as published by `RedisCluster.topologyChanges`. */
export type TopologyChange = SlotsMoved | PrimaryChanged | NodeAdded | NodeRemoved

/** The changes from `before` to `after`: slot ownership first (grouped per from/to pair), then nodes. */
export const diffSnapshots = (before: ClusterSnapshot, after: ClusterSnapshot): ReadonlyArray<TopologyChange> => {
  const changes: Array<TopologyChange> = []
  const moves = new Map<string, { from: string | undefined; to: string | undefined; ranges: Array<[number, number]> }>()
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const from = before.shardForSlot(slot)?.primary.address
    const to = after.shardForSlot(slot)?.primary.address
    if (from === to) continue
    const key = `${from}>${to}`
    let move = moves.get(key)
    if (move === undefined) {
      move = { from, to, ranges: [] }
      moves.set(key, move)
    }
    const last = move.ranges[move.ranges.length - 1]
    if (last !== undefined && last[1] === slot - 1) last[1] = slot
    else move.ranges.push([slot, slot])
  }
  for (const move of moves.values()) {
    const oldShard = move.from === undefined ? undefined : before.shardOfPrimary(move.from)
    const promoted = move.to !== undefined && oldShard?.replicas.some((replica) => replica.address === move.to) === true
    if (promoted && move.from !== undefined && move.to !== undefined) {
      const slotCount = move.ranges.reduce((n, [start, end]) => n + end - start + 1, 0)
      changes.push({ _tag: "PrimaryChanged", from: move.from, to: move.to, slotCount })
    } else {
      changes.push({ _tag: "SlotsMoved", ranges: move.ranges, from: move.from, to: move.to })
    }
  }
  for (const [address, node] of after.nodes) if (!before.nodes.has(address)) changes.push({ _tag: "NodeAdded", node })
  for (const [address, node] of before.nodes) if (!after.nodes.has(address)) changes.push({ _tag: "NodeRemoved", node })
  return changes
}
