/**
 * The cluster's layout as the client sees it: the `ClusterTopology` service (current snapshot, refresh, the
 * `changes` stream), its in-memory form for tests (`ClusterTopology.layerStatic`), the immutable
 * `ClusterSnapshot` and the `TopologyChange` events.
 *
 * @module
 */
export {
  formatAddress,
  type ClusterNodeInfo,
  type ClusterShard,
  ClusterSnapshot,
  type NodeAddressParts,
  type NodeHealth
} from "./internal/topology/ClusterSnapshot.ts"
export type { AddressRemap } from "./internal/topology/ClusterReplyParsing.ts"
export {
  ClusterTopology,
  type ClusterTopologyOptions,
  type ClusterTopologyService,
  type NodeSpec,
  type RefreshReason,
  snapshotOf,
  type TopologySpec,
  type TopologyStats
} from "./internal/topology/ClusterTopology.ts"
export type { NodeAdded, NodeRemoved, PrimaryChanged, SlotsMoved, TopologyChange } from "./internal/topology/TopologyChange.ts"
