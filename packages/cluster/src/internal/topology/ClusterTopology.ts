import { type AuthenticationError, TopologyError } from "@effect-redis/client"
import type { RespValue } from "@effect-redis/resp"
import { Clock, Context, Deferred, Duration, Effect, Exit, Layer, PubSub, Queue, Stream } from "effect"
import { millis } from "../millis.ts"
import { NodePool } from "../transport/NodePool.ts"
import type { AddressRemap } from "./ClusterReplyParsing.ts"
import {
  type ClusterNodeInfo,
  type ClusterShard,
  ClusterSnapshot,
  formatAddress,
  type NodeAddressParts,
  type NodeHealth
} from "./ClusterSnapshot.ts"
import { CurrentSnapshot } from "./CurrentSnapshot.ts"
import { diffSnapshots, type TopologyChange } from "./TopologyChange.ts"
import { preferredView, requestRaw, TopologyDiscovery } from "./TopologyDiscovery.ts"

/** Why a refresh was asked for. */
export type RefreshReason =
  | "moved"
  | "uncoveredSlot"
  | "unknownNode"
  | "connectionLost"
  | "silentNode"
  | "clusterDown"
  | "readOnly"
  | "periodic"
  | "explicit"

/** Options of the live topology. */
export interface ClusterTopologyOptions {
  /** Nodes to discover the cluster from; asked again whenever no known node answers. */
  readonly startupNodes: ReadonlyArray<NodeAddressParts>
  /** Whether connections use TLS (then nodes' `tls-port` is used). Default false. */
  readonly tls?: boolean | undefined
  /** Maps announced addresses to reachable ones (NAT, Docker). Applied to discovery and to MOVED/ASK targets. */
  readonly addressRemap?: AddressRemap | undefined
  /**
   * Accept layouts that leave slots unserved (clusters running with `cluster-require-full-coverage no`).
   * Default false: such a layout is treated as a failed refresh and the previous one is kept.
   */
  readonly skipFullCoverageCheck?: boolean | undefined
  /** Periodic refresh, whatever happens. Default 30 seconds; `Infinity` turns it off. */
  readonly refreshInterval?: Duration.Input | undefined
  /** Least time between two refreshes: triggers arriving sooner are merged into the next one. Default 200 ms. */
  readonly refreshMinInterval?: Duration.Input | undefined
  /** Time allowed to connect to and hear from one node during a refresh. Default 2 seconds. */
  readonly refreshTimeout?: Duration.Input | undefined
  /** How many nodes each refresh asks at once, preferring the view most agree on. Default 3. */
  readonly refreshSampleSize?: number | undefined
  /** The ACL user the node connections authenticate as, named in the `AuthenticationError` of a refused discovery. Default `default`. */
  readonly username?: string | undefined
  /**
   * Read the cluster's `cluster-node-timeout` (`CONFIG GET`) after discovery and hand it to the node pool, which
   * paces its detection of hung nodes by it. Default true; the cluster client turns it off when its `nodeTimeout`
   * option is given. A node that refuses `CONFIG` (managed services, ACLs) leaves the pool's default.
   */
  readonly readNodeTimeout?: boolean | undefined
}

/** Counters for tests and diagnostics. */
export interface TopologyStats {
  /** Refresh requests received (triggers and explicit). */
  requests: number
  /** Refreshes actually run. */
  refreshes: number
  /** Refreshes that failed (no node answered, or no acceptable view). */
  failures: number
}

/** The topology service: the current picture of the cluster and the means to renew it. */
export interface ClusterTopologyService {
  /** The current snapshot, read synchronously: the routing hot path. */
  readonly current: () => ClusterSnapshot
  /** The current snapshot as an Effect. */
  readonly snapshot: Effect.Effect<ClusterSnapshot>
  /** Asks the refresher for a refresh; returns at once. Requests are merged and rate-limited. */
  readonly requestRefresh: (reason: RefreshReason) => void
  /**
   * Asks for a refresh and waits for one that starts after this call; returns the resulting snapshot. Fails with
   * `AuthenticationError` when every node that answered refused the credentials.
   */
  readonly refresh: Effect.Effect<ClusterSnapshot, TopologyError | AuthenticationError>
  /**
   * Records a `MOVED slot host:port`: the slot is patched in a new snapshot at once and a refresh requested. The
   * live topology publishes the change when the refresh confirms it; the static one publishes it at once.
   */
  readonly slotMoved: (slot: number, address: NodeAddressParts) => void
  /** Maps an address from a redirect to the one to connect to (`addressRemap`). */
  readonly resolveAddress: (address: NodeAddressParts) => NodeAddressParts
  /**
   * Completes once the current snapshot is no longer the one of `epoch` (at once when it already changed): a
   * refresh swapped in a new layout or new health, or a MOVED patched the map. A command waiting out a retry delay
   * after its node failed watches this, so it is sent again as soon as its slot has a new primary.
   */
  readonly changedSince: (epoch: number) => Effect.Effect<void>
  /** Differences between consecutive snapshots, from the moment of subscription. */
  readonly changes: Stream.Stream<TopologyChange>
  /** Counters. */
  readonly stats: TopologyStats
}

/** A node in {@link TopologySpec}: `"host:port"` or a full description. */
export type NodeSpec = string | (NodeAddressParts & { readonly id?: string; readonly health?: NodeHealth })

/** An in-memory layout for `ClusterTopology.layerStatic`. */
export interface TopologySpec {
  readonly shards: ReadonlyArray<{
    readonly primary: NodeSpec
    readonly replicas?: ReadonlyArray<NodeSpec>
    /** Inclusive ranges, or single slots. */
    readonly slots: ReadonlyArray<readonly [number, number] | number>
  }>
}

const nodeOf = (spec: NodeSpec, role: "primary" | "replica"): ClusterNodeInfo => {
  const parts = typeof spec === "string"
    ? { host: spec.slice(0, spec.lastIndexOf(":")), port: Number(spec.slice(spec.lastIndexOf(":") + 1)) }
    : spec
  const address = formatAddress(parts.host, parts.port)
  const id = typeof spec === "string" ? address : spec.id ?? address
  const health = typeof spec === "string" ? "online" : spec.health ?? "online"
  return { id, host: parts.host, port: parts.port, address, role, health }
}

/** Builds a snapshot from an in-memory layout. */
export const snapshotOf = (spec: TopologySpec, epoch = 1): ClusterSnapshot =>
  ClusterSnapshot.make(
    spec.shards.map((shard): ClusterShard => ({
      primary: nodeOf(shard.primary, "primary"),
      replicas: (shard.replicas ?? []).map((replica) => nodeOf(replica, "replica")),
      slots: shard.slots.map((s) => (typeof s === "number" ? [s, s] as const : s))
    })),
    epoch
  )

/**
 * `cluster-node-timeout` in ms from a `CONFIG GET` reply: `[name, value]` (RESP2) or `{ name: value }` (RESP3, a
 * Map); `undefined` for anything else (an error reply when CONFIG is refused).
 */
const nodeTimeoutOf = (reply: RespValue): number | undefined => {
  const value = reply instanceof Map
    ? reply.get("cluster-node-timeout")
    : Array.isArray(reply) && reply.length >= 2 ? reply[1] : undefined
  const ms = Number(value instanceof Uint8Array ? new TextDecoder().decode(value) : value)
  return value !== undefined && value !== null && Number.isFinite(ms) && ms > 0 ? ms : undefined
}

/** The primaries that serve slots. */
const servingPrimaries = (snapshot: ClusterSnapshot): ReadonlySet<string> =>
  new Set(snapshot.shards.filter((shard) => shard.slots.length > 0).map((shard) => shard.primary.address))

/** Every node's health, as a comparable text. */
const healthOf = (snapshot: ClusterSnapshot): string =>
  [...snapshot.nodes.values()].map((node) => `${node.address}=${node.health}`).sort().join(" ")

/**
 * Owns the cluster's slot map. The live layer discovers the layout from the startup nodes when it is built and
 * keeps it fresh with one refresher fiber, scoped to the layer; `layerStatic` serves a fixed layout for tests.
 */
export class ClusterTopology extends Context.Service<ClusterTopology, ClusterTopologyService>()(
  "@effect-redis/cluster/ClusterTopology"
) {
  /**
   * Discovers the cluster now (failing with `TopologyError` when no startup node gives a usable layout, with
   * `AuthenticationError` when the nodes refuse the credentials) and
   * starts the refresher fiber.
   */
  static make(options: ClusterTopologyOptions) {
    return makeLive(options)
  }

  /** The live topology as a layer over the node pool. */
  static layer(options: ClusterTopologyOptions): Layer.Layer<ClusterTopology, TopologyError | AuthenticationError, NodePool> {
    return Layer.effect(ClusterTopology, makeLive(options))
  }

  /**
   * A fixed in-memory layout: no server is asked, refresh requests are only counted, and MOVED patches the map
   * as the live topology does.
   */
  static layerStatic(spec: TopologySpec | ClusterSnapshot): Layer.Layer<ClusterTopology> {
    return Layer.effect(ClusterTopology, makeStatic(spec instanceof ClusterSnapshot ? spec : snapshotOf(spec)))
  }
}

const makeStatic = (initial: ClusterSnapshot) =>
  Effect.gen(function*() {
    const current = new CurrentSnapshot(initial)
    const pubsub = yield* PubSub.unbounded<TopologyChange>()
    const stats: TopologyStats = { requests: 0, refreshes: 0, failures: 0 }
    const publish = (next: ClusterSnapshot) => {
      const changes = diffSnapshots(current.get(), next)
      current.set(next)
      for (const change of changes) PubSub.publishUnsafe(pubsub, change)
    }
    return ClusterTopology.of({
      current: () => current.get(),
      snapshot: Effect.sync(() => current.get()),
      requestRefresh: () => {
        stats.requests++
      },
      refresh: Effect.sync(() => {
        stats.requests++
        return current.get()
      }),
      slotMoved: (slot, address) => {
        stats.requests++
        publish(current.get().withSlotMoved(slot, address))
      },
      resolveAddress: (address) => address,
      changedSince: (epoch) => current.changedSince(epoch),
      changes: Stream.fromPubSub(pubsub),
      stats
    })
  })

const makeLive = (options: ClusterTopologyOptions) =>
  Effect.gen(function*() {
    const pool = yield* NodePool
    const skipCoverage = options.skipFullCoverageCheck ?? false
    const intervalMs = millis(options.refreshInterval, 30_000)
    const minIntervalMs = millis(options.refreshMinInterval, 200)
    const discovery = new TopologyDiscovery(pool, {
      tls: options.tls ?? false,
      addressRemap: options.addressRemap,
      sampleSize: Math.max(1, options.refreshSampleSize ?? 3),
      timeout: Duration.fromInputUnsafe(options.refreshTimeout ?? "2 seconds"),
      username: options.username ?? "default"
    })
    const remap = options.addressRemap
    const startupNodes = options.startupNodes.map((node) => remap?.(node) ?? node)
    const stats: TopologyStats = { requests: 0, refreshes: 0, failures: 0 }
    const pubsub = yield* PubSub.unbounded<TopologyChange>()

    /** One discovery round over the known nodes, then the startup nodes. */
    const discover = (known: ClusterSnapshot): Effect.Effect<ClusterSnapshot, TopologyError | AuthenticationError> =>
      Effect.gen(function*() {
        const seen = new Set<string>()
        const candidates: Array<NodeAddressParts> = []
        const add = (node: NodeAddressParts & { readonly health?: NodeHealth }) => {
          const key = formatAddress(node.host, node.port)
          if (seen.has(key) || node.health === "failed") return
          seen.add(key)
          candidates.push(node)
        }
        // Primaries first (they are the authority on their slots), in random order to spread the load. Nodes that
        // stopped answering come last: asking one would hold the whole round for the refresh timeout.
        const silent: Array<NodeAddressParts> = []
        const addUnlessSilent = (node: ClusterNodeInfo) => {
          if (pool.held.has(node.address)) silent.push(node)
          else add(node)
        }
        const shards = [...known.shards].sort(() => Math.random() - 0.5)
        for (const shard of shards) addUnlessSilent(shard.primary)
        for (const shard of shards) for (const replica of shard.replicas) addUnlessSilent(replica)
        for (const node of startupNodes) if (!pool.held.has(formatAddress(node.host, node.port))) add(node)
        const answering = candidates.length
        for (const node of silent) add(node)
        for (const node of startupNodes) add(node)
        const accept = (view: ClusterSnapshot) => skipCoverage ? view.shards.length > 0 : view.fullyCovered
        // Silent nodes only in a round of their own, when no other node gave a usable view: in a sample with
        // answering nodes, one of them would hold the whole round for the refresh timeout.
        let round = yield* discovery.discover(candidates.slice(0, answering), accept)
        if (round.accepted.length === 0 && answering < candidates.length) {
          const last = yield* discovery.discover(candidates.slice(answering), accept)
          round = { accepted: last.accepted, seen: [...round.seen, ...last.seen], failures: [...round.failures, ...last.failures], refused: [...round.refused, ...last.refused] }
        }
        const { accepted, seen: answers, failures, refused } = round
        const best = preferredView(accepted)
        // No layout, and nodes refused our credentials: that is the problem to report, not the topology.
        if (best === undefined && answers.length === 0 && refused.length > 0) return yield* Effect.fail(refused[0]!)
        if (best === undefined) {
          const reason = answers.length > 0
            ? `every answer leaves slots unserved (${answers[0]!.uncoveredSlots} slots; set skipFullCoverageCheck for clusters without full coverage)`
            : `no node answered: ${failures.join("; ")}`
          return yield* new TopologyError({ reason, nodes: candidates.map((c) => `${c.host}:${c.port}`) })
        }
        return best
      })

    /**
     * Asks primaries, one after the other, for `cluster-node-timeout` until one answers, and gives it to the pool.
     * Runs in the background: discovery does not wait for it, and a cluster that refuses CONFIG keeps the default.
     */
    const readNodeTimeout = (snapshot: ClusterSnapshot): Effect.Effect<void> =>
      Effect.gen(function*() {
        const timeoutMs = millis(options.refreshTimeout, 2_000)
        for (const shard of snapshot.shards) {
          const reply = yield* Effect.result(Effect.flatMap(
            pool.connect(shard.primary),
            (conn) => Effect.timeoutOption(requestRaw(conn, ["CONFIG", "GET", "cluster-node-timeout"], timeoutMs), timeoutMs)
          ))
          if (reply._tag === "Failure" || reply.success._tag === "None") continue
          const ms = nodeTimeoutOf(reply.success.value)
          if (ms !== undefined) return pool.setNodeTimeout(ms)
        }
      })

    const current = new CurrentSnapshot((yield* discover(ClusterSnapshot.empty)).withEpoch(1))
    // The last refreshed picture: changes are published as differences between refreshes, so the slots a MOVED
    // patched one by one show up once, as one change, when the refresh confirms them.
    let published = current.get()

    const swap = (next: ClusterSnapshot): Effect.Effect<void> => {
      const changes = diffSnapshots(published, next)
      published = next
      for (const change of changes) PubSub.publishUnsafe(pubsub, change)
      // The signature leaves health out (nodes vote on layouts, not on health): compare it here too, or a replica
      // that failed or finished loading would keep its old health until the layout itself changes.
      const before = current.get()
      if (next.signature === before.signature && healthOf(next) === healthOf(before)) return Effect.void
      current.set(next.withEpoch(before.epoch + 1))
      pool.primariesChanged(servingPrimaries(current.get()))
      return pool.retain(new Set(current.get().nodes.keys()))
    }
    pool.primariesChanged(servingPrimaries(current.get()))

    // --- the refresher ---------------------------------------------------------------------------------------
    const signal = yield* Queue.unbounded<RefreshReason>()
    let signalled = false
    let waiters: Array<Deferred.Deferred<ClusterSnapshot, TopologyError | AuthenticationError>> = []
    let lastRefreshAt = -Infinity

    const requestRefresh = (reason: RefreshReason): void => {
      stats.requests++
      if (signalled) return
      signalled = true
      Queue.offerUnsafe(signal, reason)
    }

    const refreshOnce = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const wait = lastRefreshAt + minIntervalMs - now
      if (wait > 0) yield* Effect.sleep(wait)
      // Requests from here on are for the next round; callers waiting now get this round's result.
      signalled = false
      yield* Queue.clear(signal)
      const served = waiters
      waiters = []
      stats.refreshes++
      const exit = yield* Effect.exit(Effect.flatMap(discover(current.get()), swap))
      lastRefreshAt = yield* Clock.currentTimeMillis
      if (Exit.isFailure(exit)) stats.failures++
      const result = Exit.isSuccess(exit) ? Exit.succeed(current.get()) : (exit as Exit.Exit<never, TopologyError | AuthenticationError>)
      for (const waiter of served) Deferred.doneUnsafe(waiter, result)
    })

    const nextTrigger = intervalMs === Infinity
      ? Effect.asVoid(Queue.take(signal))
      : Effect.asVoid(Effect.timeoutOption(Queue.take(signal), intervalMs))

    yield* Effect.forkScoped(Effect.forever(Effect.andThen(nextTrigger, refreshOnce)))
    pool.onConnectionLost(() => requestRefresh("connectionLost"))
    pool.onSilentNode(() => requestRefresh("silentNode"))
    if (options.readNodeTimeout ?? true) yield* Effect.forkScoped(readNodeTimeout(current.get()))

    return ClusterTopology.of({
      current: () => current.get(),
      snapshot: Effect.sync(() => current.get()),
      requestRefresh,
      refresh: Effect.suspend(() => {
        const waiter = Deferred.makeUnsafe<ClusterSnapshot, TopologyError | AuthenticationError>()
        waiters.push(waiter)
        requestRefresh("explicit")
        return Deferred.await(waiter)
      }),
      slotMoved: (slot, address) => {
        const snapshot = current.get()
        const shard = snapshot.shardForSlot(slot)
        if (shard === undefined || shard.primary.host !== address.host || shard.primary.port !== address.port) {
          current.set(snapshot.withSlotMoved(slot, address))
        }
        requestRefresh("moved")
      },
      resolveAddress: (address) => remap?.(address) ?? address,
      changedSince: (epoch) => current.changedSince(epoch),
      changes: Stream.fromPubSub(pubsub),
      stats
    })
  })

