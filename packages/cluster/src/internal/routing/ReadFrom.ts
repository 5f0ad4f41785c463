import type { ClusterNodeInfo, ClusterShard } from "../topology/ClusterSnapshot.ts"

/**
 * Where read-only commands go:
 *
 * - `"primary"` (default): always the primary; replicas are never read from.
 * - `"replica"`: a replica of the slot's shard, round-robin; the primary only when the replica fails or is
 *   LOADING. A shard whose replicas are all failed (or that has none) fails the read with `ClusterDownError`.
 * - `"preferReplica"`: like `"replica"`, but a shard without a usable replica is read from its primary.
 * - `"any"`: primary or replicas, round-robin, spreading reads over the whole shard.
 * - a function choosing among the shard's nodes (e.g. the replica in the caller's zone).
 *
 * Replica reads may be stale by the replication lag. Writes always go to the primary.
 */
export type ReadFrom =
  | "primary"
  | "replica"
  | "preferReplica"
  | "any"
  | ((shard: ClusterShard, slot: number) => ClusterNodeInfo)

let roundRobin = 0

/** The node `readFrom` picks for a read of `slot`, or `undefined` when `"replica"` finds no replica that has not failed. */
export const pickReader = (readFrom: ReadFrom, shard: ClusterShard, slot: number): ClusterNodeInfo | undefined => {
  if (typeof readFrom === "function") return readFrom(shard, slot)
  const replicas = shard.replicas
  let usable = 0
  // Only failed replicas are skipped. A replica another node reports as "loading" (its view of the replication
  // offset lags behind) is tried: if it really is loading it answers LOADING and the read goes to the primary.
  for (let i = 0; i < replicas.length; i++) if (replicas[i]!.health !== "failed") usable++
  if (readFrom === "any") {
    const n = (roundRobin = (roundRobin + 1) % 0x3fffffff) % (usable + 1)
    return n === usable ? shard.primary : nthOnline(replicas, n)
  }
  if (usable === 0) return readFrom === "replica" ? undefined : shard.primary
  return nthOnline(replicas, (roundRobin = (roundRobin + 1) % 0x3fffffff) % usable)
}

const nthOnline = (replicas: ReadonlyArray<ClusterNodeInfo>, n: number): ClusterNodeInfo => {
  for (let i = 0; i < replicas.length; i++) {
    if (replicas[i]!.health !== "failed" && n-- === 0) return replicas[i]!
  }
  return replicas[0]!
}
