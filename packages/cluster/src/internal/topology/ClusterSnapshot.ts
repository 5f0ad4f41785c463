import { SLOT_COUNT } from "../../KeySlot.ts"

/** `host:port`, with IPv6 hosts in brackets: the one spelling used for node addresses and connection keys. */
export const formatAddress = (host: string, port: number): string =>
  host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`

/** How the cluster reports a node's health (CLUSTER SHARDS `health`; CLUSTER SLOTS knows only `online`). */
export type NodeHealth = "online" | "loading" | "failed"

/** One node as the client sees it. */
export interface ClusterNodeInfo {
  /** The 40-character node id, or `host:port` when the source did not say. */
  readonly id: string
  /** Host to connect to (after `addressRemap`). */
  readonly host: string
  /** Port to connect to (the TLS port on TLS clusters). */
  readonly port: number
  /** `host:port`: the key of the node's connection. */
  readonly address: string
  readonly role: "primary" | "replica"
  readonly health: NodeHealth
}

/** A primary, its replicas and the slot ranges it serves (inclusive). */
export interface ClusterShard {
  readonly primary: ClusterNodeInfo
  readonly replicas: ReadonlyArray<ClusterNodeInfo>
  readonly slots: ReadonlyArray<readonly [number, number]>
}

/**
 * An immutable picture of the cluster: which shard serves each slot, and every known node. A new snapshot
 * replaces the old one atomically; readers hold whichever they read, so a command routes against one
 * consistent picture.
 */
export class ClusterSnapshot {
  /** Increases by one with every snapshot the topology publishes (a MOVED patch included). */
  readonly epoch: number
  /** Every shard, slotless primaries included. */
  readonly shards: ReadonlyArray<ClusterShard>
  /** Nodes by `host:port`. */
  readonly nodes: ReadonlyMap<string, ClusterNodeInfo>
  /** Number of slots no shard serves. */
  readonly uncoveredSlots: number
  private readonly bySlot: ReadonlyArray<ClusterShard | undefined>
  private readonly shardByPrimary: ReadonlyMap<string, ClusterShard>

  private constructor(epoch: number, shards: ReadonlyArray<ClusterShard>, bySlot: ReadonlyArray<ClusterShard | undefined>) {
    this.epoch = epoch
    this.shards = shards
    this.bySlot = bySlot
    const nodes = new Map<string, ClusterNodeInfo>()
    const shardByPrimary = new Map<string, ClusterShard>()
    for (const shard of shards) {
      nodes.set(shard.primary.address, shard.primary)
      shardByPrimary.set(shard.primary.address, shard)
      for (const replica of shard.replicas) if (!nodes.has(replica.address)) nodes.set(replica.address, replica)
    }
    this.nodes = nodes
    this.shardByPrimary = shardByPrimary
    let uncovered = 0
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (bySlot[slot] === undefined) uncovered++
    this.uncoveredSlots = uncovered
  }

  /** Builds a snapshot from shards. Where two shards claim a slot, the later one wins. */
  static make(shards: ReadonlyArray<ClusterShard>, epoch = 0): ClusterSnapshot {
    const bySlot = new Array<ClusterShard | undefined>(SLOT_COUNT).fill(undefined)
    for (const shard of shards) {
      for (const [start, end] of shard.slots) {
        for (let slot = Math.max(0, start); slot <= Math.min(end, SLOT_COUNT - 1); slot++) bySlot[slot] = shard
      }
    }
    return new ClusterSnapshot(epoch, shards, bySlot)
  }

  /** An empty picture: no node, no slot served. */
  static readonly empty: ClusterSnapshot = ClusterSnapshot.make([], 0)

  /** The shard serving `slot`, or `undefined` when none does. The routing hot path: one array read. */
  shardForSlot(slot: number): ClusterShard | undefined {
    return this.bySlot[slot]
  }

  /** The shard whose primary is `address`, if any. */
  shardOfPrimary(address: string): ClusterShard | undefined {
    return this.shardByPrimary.get(address)
  }

  /** Whether every slot is served. */
  get fullyCovered(): boolean {
    return this.uncoveredSlots === 0
  }

  /** The same picture with a new epoch. */
  withEpoch(epoch: number): ClusterSnapshot {
    return new ClusterSnapshot(epoch, this.shards, this.bySlot)
  }

  /**
   * The picture after a `MOVED slot address`: `slot` now belongs to the shard whose primary is `address` (a
   * new primary-only shard when the address is unknown). Everything else is unchanged until the next refresh.
   */
  withSlotMoved(slot: number, address: NodeAddressParts): ClusterSnapshot {
    const key = formatAddress(address.host, address.port)
    let target = this.shardByPrimary.get(key)
    let shards = this.shards
    if (target === undefined) {
      const known = this.nodes.get(key)
      target = {
        primary: { id: known?.id ?? key, host: address.host, port: address.port, address: key, role: "primary", health: "online" },
        replicas: [],
        slots: []
      }
      // A replica that became primary leaves its old shard's replica list; the next refresh fixes the rest.
      shards = [...this.shards, target]
    }
    const bySlot = this.bySlot.slice()
    bySlot[slot] = target
    return new ClusterSnapshot(this.epoch + 1, shards, bySlot)
  }

  /** Slot ranges per primary address, as a comparable text: what nodes vote on. */
  get ownership(): string {
    const parts: Array<string> = []
    let runStart = 0
    for (let slot = 1; slot <= SLOT_COUNT; slot++) {
      if (slot === SLOT_COUNT || this.bySlot[slot] !== this.bySlot[runStart]) {
        parts.push(`${runStart}-${slot - 1}:${this.bySlot[runStart]?.primary.address ?? "-"}`)
        runStart = slot
      }
    }
    return parts.join(" ")
  }

  /** Slot ownership plus every shard's replicas, as a comparable text: whether two pictures are the same. */
  get signature(): string {
    const replicas = this.shards
      .map((shard) => `${shard.primary.address}<${shard.replicas.map((r) => r.address).sort().join(",")}`)
      .sort()
    return `${this.ownership}|${replicas.join(" ")}`
  }
}

/** A host and port. */
export interface NodeAddressParts {
  readonly host: string
  readonly port: number
}
