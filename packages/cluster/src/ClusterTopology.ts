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
} from "./topology/ClusterSnapshot.ts"
export type { AddressRemap } from "./topology/ClusterReplyParsing.ts"
export {
  ClusterTopology,
  type ClusterTopologyOptions,
  type ClusterTopologyService,
  type NodeSpec,
  type RefreshReason,
  snapshotOf,
  type TopologySpec,
  type TopologyStats
} from "./topology/ClusterTopology.ts"
export type { NodeAdded, NodeRemoved, PrimaryChanged, SlotsMoved, TopologyChange } from "./topology/TopologyChange.ts"
