import { type AuthenticationError, type Command, type ConfigurationError, type ConnectionOptions, RedisClient, type RedisClientService, type RedisError, type TopologyError } from "@effect-redis/client"
import type { RespArg } from "@effect-redis/resp"
import { Config, Context, type Duration, Effect, Layer, type Result, Stream } from "effect"
import { resolveClusterOptions } from "./internal/ClusterOptionsValidation.ts"
import { ReplicationError } from "./internal/errors/ReplicationError.ts"
import { millis } from "./internal/millis.ts"
import { keyCursorScan } from "./internal/scan/KeyCursorScan.ts"
import { keyspaceScan } from "./internal/scan/KeyspaceScan.ts"
import { keySlot } from "./KeySlot.ts"
import { ClusterExecutor } from "./internal/routing/ClusterExecutor.ts"
import type { RequestContext } from "./internal/routing/ClusterRequest.ts"
import type { ReadFrom } from "./internal/routing/ReadFrom.ts"
import { defaultRetrySchedules, type RetrySchedules } from "./internal/routing/RetrySchedules.ts"
import { type ClusterSnapshot, formatAddress, type NodeAddressParts } from "./internal/topology/ClusterSnapshot.ts"
import { ClusterTopology, type ClusterTopologyOptions } from "./internal/topology/ClusterTopology.ts"
import { requestRaw } from "./internal/topology/TopologyDiscovery.ts"
import type { TopologyChange } from "./internal/topology/TopologyChange.ts"
import { ClusterTransport, type NodeTransport } from "./internal/transport/ClusterTransport.ts"
import { NodePool } from "./internal/transport/NodePool.ts"

/**
 * Options of the cluster client. Every node, given or discovered, is opened with the same connection options
 * (TLS, credentials, client name, timeouts).
 */
export interface RedisClusterOptions
  extends
    Omit<ConnectionOptions, "database" | "readOnly">,
    Pick<
      ClusterTopologyOptions,
      "addressRemap" | "skipFullCoverageCheck" | "refreshInterval" | "refreshMinInterval" | "refreshTimeout"
    >
{
  /** Nodes to discover the cluster from. Any one reachable node is enough; list several. */
  readonly startupNodes?: ReadonlyArray<NodeAddressParts> | undefined
  /**
   * `redis://[user:pass@]host:7000,host:7001` (`rediss://` for TLS): fills `startupNodes` and the credentials
   * and TLS options not given explicitly.
   */
  readonly url?: string | undefined
  /**
   * Redirects (MOVED + ASK) one attempt of a command may follow before failing with `RedirectionLimitError`
   * (a scheduled retry starts a new attempt). Default 16.
   */
  readonly maxRedirections?: number | undefined
  /**
   * Multi-key commands whose keys span slots are split per slot and merged (DEL, UNLINK, EXISTS, TOUCH, MGET, MSET)
   * or emulated client-side (RENAME/RENAMENX, SMOVE, LMOVE/RPOPLPUSH and their blocking forms,
   * SINTER/SUNION/SDIFF[STORE], SINTERCARD, ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD, PFMERGE, PFCOUNT, BITOP):
   * not atomic (see `CrossSlotOperations.ts` for what a failure midway leaves). Default true; `false` fails them
   * with `CrossSlotError`.
   */
  readonly nonAtomicCrossSlot?: boolean | undefined
  /** Where read-only commands go. Default `"primary"`. See {@link ReadFrom}. */
  readonly readFrom?: ReadFrom | undefined
  /** Retry schedules per failure class; each defaults as documented in {@link RetrySchedules}. */
  readonly retry?: RetrySchedules | undefined
  /** How long closing waits for replies in flight. Default 5 seconds. */
  readonly closeTimeout?: Duration.Input | undefined
  /**
   * The cluster's `cluster-node-timeout`, which paces how a hung node is noticed: a node that owes replies and
   * sends nothing for half of it is suspected (the topology is refreshed at once and then every few hundred ms while
   * it stays silent, its new commands wait unsent, a PING probe checks it on a separate connection); after all of
   * it, if the probe failed, its connections are reset and what was written there fails as outcome unknown.
   * Default: read from the cluster (`CONFIG GET cluster-node-timeout`) at discovery; 15 seconds, Redis' default,
   * when CONFIG is refused.
   */
  readonly nodeTimeout?: Duration.Input | undefined
  /**
   * Fail commands for a node declared unresponsive (silent past half the node timeout, and its probe failed) at
   * once with `NodeUnresponsiveError` (never sent, so safe to retry), instead of holding them until the failover
   * shows or the node answers again. Default false. With many fibers sharing keys across every node, holding lets
   * one hung node gather them all; failing fast keeps the others going.
   */
  readonly failOnUnresponsiveNode?: boolean | undefined
}

/** What `ensureReplication` waits for. */
export interface ReplicationOptions {
  /** Replicas that must acknowledge the writes. */
  readonly replicas: number
  /** How long `WAIT` may block. */
  readonly timeout: Duration.Input
}

/** Cluster-only operations, next to the generic {@link RedisClient}. */
export interface RedisClusterService {
  /** The current topology snapshot. */
  readonly topology: Effect.Effect<ClusterSnapshot>
  /** Differences between consecutive snapshots, from subscription on: slots moved, failovers, nodes. */
  readonly topologyChanges: Stream.Stream<TopologyChange>
  /** Refreshes the topology now (rate limits apply) and returns the new snapshot. */
  readonly refreshTopology: Effect.Effect<ClusterSnapshot, TopologyError | AuthenticationError>
  /** A client bound to one node, for node-level commands (INFO, CLIENT LIST...): no routing, no redirects. */
  readonly node: (address: NodeAddressParts | string) => RedisClientService
  /**
   * Runs `command` on every selected node and returns each node's own result by `host:port`:
   * `"primaries"`, `"replicas"`, `"all"`, or given addresses.
   */
  readonly onNodes: <A>(selection: NodeSelection, command: Command<A>) => Effect.Effect<ReadonlyMap<string, Result.Result<A, RedisError>>>
  /**
   * Runs `effect` so that its writes are followed by `WAIT replicas timeout` on each node connection that took
   * one; fails with `ReplicationError` when fewer replicas acknowledge. `WAIT` blocks that node's shared
   * connection for up to `timeout`, so keep it short.
   */
  readonly ensureReplication: (
    options: ReplicationOptions
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | RedisError | ReplicationError, R>
}

/**
 * Errors building the cluster layer can fail with: options that cannot work (before anything is sent), startup
 * nodes that refuse the credentials, or no usable layout from any node.
 */
export type RedisClusterError = ConfigurationError | AuthenticationError | TopologyError

/** Which nodes `onNodes` runs on. */
export type NodeSelection = "primaries" | "replicas" | "all" | ReadonlyArray<NodeAddressParts | string>

const parseAddress = (address: NodeAddressParts | string): NodeAddressParts => {
  if (typeof address !== "string") return address
  const colon = address.lastIndexOf(":")
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number(address.slice(colon + 1)) }
}

/** Builds the executor and both services over a topology and a node pool. */
const makeServices = (options: RedisClusterOptions) =>
  Effect.gen(function*() {
    const topology = yield* ClusterTopology
    const pool = yield* NodePool
    const ctx: RequestContext = {
      topology,
      pool,
      readFrom: options.readFrom ?? "primary",
      maxRedirections: options.maxRedirections ?? 16,
      commandTimeoutMs: millis(options.commandTimeout, 10_000),
      failOnUnresponsiveNode: options.failOnUnresponsiveNode ?? false,
      schedules: { ...defaultRetrySchedules, ...definedOnly(options.retry ?? {}) } as RequestContext["schedules"]
    }
    const executor = new ClusterExecutor(ctx, { nonAtomicCrossSlot: options.nonAtomicCrossSlot, protocol: options.protocol })
    const client = RedisClient.of({
      run: (command) => executor.run(command),
      pipelineResults: (commands) => executor.pipelineResults(commands),
      watch: (keys, body) => executor.watch(keys, body),
      // RedisClient.scan: slot by slot over every primary, surviving resharding and failover (see KeyspaceScan.ts).
      scanKeyspace: (scan) => keyspaceScan(ctx, scan),
      // HSCAN/SSCAN/ZSCAN: each cursor stays on the node that issued it (see KeyCursorScan.ts).
      scanKey: (key, page) => keyCursorScan(ctx, key, page)
    })

    const nodeClient = (address: NodeAddressParts | string): RedisClientService => {
      const node = topology.resolveAddress(parseAddress(address))
      return RedisClient.of({
        run: (command) => executor.runOnNode(node, command),
        pipelineResults: (commands) =>
          Effect.map(
            Effect.forEach(commands, (command: Command<unknown>) => Effect.result(executor.runOnNode(node, command)), { concurrency: "unbounded" }),
            (results) => results as never
          ),
        watch: (keys, body) => executor.watchOnNode(node, keys, body)
      })
    }

    const ensureReplication = (replication: ReplicationOptions) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => {
        const written = new Set<NodeTransport>()
        // Dedicated connections of blocking writes (BLMOVE...) are held until their WAIT has run.
        const held: Array<() => void> = []
        const onWrite = (conn: NodeTransport, release?: () => void) => {
          written.add(conn)
          if (release !== undefined) held.push(release)
        }
        const tracking = RedisClient.of({
          run: (command) => executor.run(command, onWrite),
          pipelineResults: (commands) => executor.pipelineResults(commands, onWrite),
          watch: (keys, body) => executor.watch(keys, body, onWrite),
          // Scans only read: nothing for WAIT to wait for.
          scanKeyspace: client.scanKeyspace,
          scanKey: client.scanKey
        })
        const timeoutMs = millis(replication.timeout, 1_000)
        const waitFor = (conn: NodeTransport) =>
          Effect.flatMap(
            Effect.mapError(
              requestRaw(conn, ["WAIT", replication.replicas, timeoutMs] as ReadonlyArray<RespArg>, timeoutMs + ctx.commandTimeoutMs),
              (reason) => new ReplicationError({ address: conn.address, required: replication.replicas, acknowledged: 0, reason })
            ),
            (reply) => {
              const acknowledged = typeof reply === "number" ? reply : 0
              return acknowledged >= replication.replicas
                ? Effect.void
                : Effect.fail(new ReplicationError({ address: conn.address, required: replication.replicas, acknowledged, reason: typeof reply === "number" ? "WAIT timed out" : String(reply) }))
            }
          )
        return Effect.ensuring(
          Effect.flatMap(Effect.provideService(effect, RedisClient, tracking), (value) =>
            Effect.as(Effect.forEach([...written], waitFor, { concurrency: "unbounded", discard: true }), value)),
          Effect.sync(() => {
            for (const release of held.splice(0)) release()
          })
        )
      })

    const onNodes = <A>(selection: NodeSelection, command: Command<A>) =>
      Effect.suspend(() => {
        const snapshot = topology.current()
        const nodes = selection === "primaries"
          ? snapshot.shards.map((shard) => shard.primary)
          : selection === "replicas"
          ? snapshot.shards.flatMap((shard) => shard.replicas)
          : selection === "all"
          ? [...snapshot.nodes.values()]
          : selection.map((address) => {
            const node = topology.resolveAddress(parseAddress(address))
            return { ...node, address: formatAddress(node.host, node.port) }
          })
        return executor.onNodes(nodes, command)
      })

    const cluster: RedisClusterService = {
      topology: topology.snapshot,
      topologyChanges: topology.changes,
      refreshTopology: topology.refresh,
      node: nodeClient,
      onNodes,
      ensureReplication
    }
    return Context.make(RedisClient, client).pipe(Context.add(RedisCluster, cluster))
  })

const definedOnly = <T extends object>(record: T): Partial<T> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>

/**
 * The Redis Cluster client. `RedisCluster.layer(options)` provides the generic {@link RedisClient} (so every
 * `Command` runs on the cluster) and this service for cluster-only operations.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   yield* Redis.set("user:1", "ada")
 *   return yield* Redis.get("user:1")
 * })
 * program.pipe(Effect.provide(RedisCluster.layer({ url: "redis://127.0.0.1:7000,127.0.0.1:7001" })))
 * ```
 */
export class RedisCluster extends Context.Service<RedisCluster, RedisClusterService>()("@effect-redis/cluster/RedisCluster") {
  /**
   * The cluster client over the network. When built it checks the options (failing with `ConfigurationError`
   * naming the option at fault), then discovers the cluster from the startup nodes (failing with
   * `AuthenticationError` when they refuse the credentials, `TopologyError` when no node answers with a usable
   * layout); it keeps the slot map fresh in a background fiber and closes every connection when the layer's
   * scope closes.
   */
  static layer(options: RedisClusterOptions): Layer.Layer<RedisClient | RedisCluster, RedisClusterError> {
    return Layer.unwrap(
      Effect.map(Effect.fromResult(resolveClusterOptions(options)), (resolved) => {
        const { startupNodes: _nodes, url: _url, readFrom, ...connection } = resolved
        const transport = ClusterTransport.layerTcp(connection)
        const pool = NodePool.layer({
          readOnly: (readFrom ?? "primary") !== "primary",
          closeTimeout: resolved.closeTimeout,
          maxBlockingConnections: resolved.maxBlockingConnections,
          nodeTimeout: resolved.nodeTimeout
        })
        const topology = ClusterTopology.layer({
          startupNodes: resolved.startupNodes,
          tls: resolved.tls !== undefined && resolved.tls !== false,
          addressRemap: resolved.addressRemap,
          skipFullCoverageCheck: resolved.skipFullCoverageCheck,
          refreshInterval: resolved.refreshInterval,
          refreshMinInterval: resolved.refreshMinInterval,
          refreshTimeout: resolved.refreshTimeout,
          username: resolved.username,
          readNodeTimeout: resolved.nodeTimeout === undefined
        })
        return RedisCluster.layerWith(resolved).pipe(
          Layer.provide(topology),
          Layer.provide(pool),
          Layer.provide(transport)
        )
      })
    )
  }

  /** The client from a URL: `RedisCluster.layerUrl("redis://h:7000,h:7001", { readFrom: "replica" })`. */
  static layerUrl(url: string, options: Omit<RedisClusterOptions, "url"> = {}): Layer.Layer<RedisClient | RedisCluster, RedisClusterError> {
    return RedisCluster.layer({ ...options, url })
  }

  /**
   * The client from Effect `Config` (environment variables by default); secrets stay `Redacted`:
   *
   * ```ts
   * RedisCluster.layerConfig({
   *   url: Config.string("REDIS_CLUSTER_URL"),
   *   password: Config.redacted("REDIS_PASSWORD")
   * })
   * ```
   */
  static layerConfig(config: Config.Wrap<RedisClusterOptions>): Layer.Layer<RedisClient | RedisCluster, RedisClusterError | Config.ConfigError> {
    return Layer.unwrap(
      Effect.gen(function*() {
        const options: RedisClusterOptions = yield* Config.unwrap(config)
        return RedisCluster.layer(options)
      })
    )
  }

  /**
   * The client over a given topology and node pool: with `ClusterTopology.layerStatic` and the testkit's
   * scripted transport, routing, redirects and retries run without a server.
   */
  static layerWith(options: RedisClusterOptions = {}): Layer.Layer<RedisClient | RedisCluster, never, ClusterTopology | NodePool> {
    return Layer.effectContext(makeServices(options))
  }

  /** The current topology snapshot. */
  static readonly topology: Effect.Effect<ClusterSnapshot, never, RedisCluster> = RedisCluster.use((c) => c.topology)

  /** Topology changes from now on. */
  static readonly topologyChanges: Stream.Stream<TopologyChange, never, RedisCluster> = Stream.unwrap(
    RedisCluster.use((c) => Effect.succeed(c.topologyChanges))
  )

  /** The hash slot of a key (hash tags included), computed locally. */
  static readonly keySlot: (key: RespArg) => number = keySlot

  /** Refreshes the topology now. */
  static readonly refreshTopology: Effect.Effect<ClusterSnapshot, TopologyError | AuthenticationError, RedisCluster> = RedisCluster.use((c) => c.refreshTopology)

  /** Runs one command on one node (no routing). */
  static onNode<A>(address: NodeAddressParts | string, command: Command<A>): Effect.Effect<A, RedisError, RedisCluster> {
    return RedisCluster.use((c) => c.node(address).run(command))
  }

  /** Runs a command on each selected node; every node's own result by `host:port`. */
  static onNodes<A>(selection: NodeSelection, command: Command<A>): Effect.Effect<ReadonlyMap<string, Result.Result<A, RedisError>>, never, RedisCluster> {
    return RedisCluster.use((c) => c.onNodes(selection, command))
  }

  /** See {@link RedisClusterService.ensureReplication}. */
  static ensureReplication(options: ReplicationOptions) {
    return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | RedisError | ReplicationError, R | RedisCluster> =>
      RedisCluster.use((c) => c.ensureReplication(options)(effect))
  }
}
