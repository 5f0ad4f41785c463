/**
 * A real Redis Cluster of local redis-server processes, as a scoped resource and a Layer, with the
 * operations integration tests need to break it: kill, stop, pause, restart nodes, fail over shards, and
 * move slots step by step.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, type Scope } from "effect"
import { join } from "node:path"
import type { AdminCommandOptions, AdminError, CommandArgument, RespReply } from "./AdminConnection.ts"
import type { ClusterNode, ClusterShard, NodeAddress, NodeSelector } from "./ClusterNode.ts"
import { ClusterOperationError } from "./ClusterOperationError.ts"
import {
  type ClusterWaitOptions,
  currentView,
  makeClusterContext,
  refreshView,
  waitForAgreement,
  waitForClusterOk,
  waitForReplicasInSync,
  waitForStable
} from "./internal/ClusterContext.ts"
import { failover, type FailoverOptions } from "./internal/ClusterFailover.ts"
import { addNode, type AddNodeOptions, formCluster } from "./internal/ClusterFormation.ts"
import { ownerOf, shardsOf } from "./internal/ClusterViewReader.ts"
import { nowRealTime } from "./internal/RealTime.ts"
import {
  assignSlots,
  beginSlotMigration,
  finishSlotMigration,
  type MigrateKeysOptions,
  migrateKeys,
  moveSlot,
  type SlotMigration
} from "./internal/SlotMigrations.ts"
import { makeTempDirectory } from "./internal/TempDirectory.ts"
import {
  type AclUser,
  revealSecret,
  type Secret,
  type TlsClientAuth,
  type TlsFiles
} from "./RedisServerConfig.ts"
import type { RedisServerProcess, ServerStartError } from "./RedisServerProcess.ts"
import type { SlotRange } from "./SlotRange.ts"
import { type CertificateError, generateTlsCertificates } from "./TlsCertificates.ts"
import type { WaitTimeoutError } from "./WaitTimeoutError.ts"
import { serverVersion, type ServerVersion } from "./ServerVersion.ts"

export type { ClusterWaitOptions } from "./internal/ClusterContext.ts"
export type { FailoverMode, FailoverOptions } from "./internal/ClusterFailover.ts"
export type { AddNodeOptions } from "./internal/ClusterFormation.ts"
export type { MigrateKeysOptions, SlotMigration } from "./internal/SlotMigrations.ts"

/**
 * How to build the cluster.
 *
 * @since 0.1.0
 */
export interface LocalClusterOptions {
  /** Default 3 (the smallest cluster that can still elect after losing a primary). */
  readonly primaries?: number | undefined
  /** Default 1. */
  readonly replicasPerPrimary?: number | undefined
  /** `cluster-node-timeout`. Default 1500 ms: short, so failover tests are fast. */
  readonly nodeTimeoutMs?: number | undefined
  /** `cluster-require-full-coverage`. Default `true`. */
  readonly requireFullCoverage?: boolean | undefined
  /** `true` generates a throw-away CA and certificates; or pass your own files. Default: plain TCP. */
  readonly tls?: boolean | TlsFiles | undefined
  /** `tls-auth-clients`. Default `"optional"`. */
  readonly tlsAuthClients?: TlsClientAuth | undefined
  /** `requirepass` + `masterauth` on every node; MIGRATE authenticates with it. */
  readonly password?: Secret | undefined
  /** Extra ACL users on every node. */
  readonly users?: ReadonlyArray<AclUser> | undefined
  /**
   * Announce a hostname instead of the IP (cluster-announce-hostname + cluster-preferred-endpoint-type
   * hostname): one name for all nodes, or one per node index. The name must resolve to `host`.
   */
  readonly announceHostname?: string | ((index: number) => string) | undefined
  readonly appendOnly?: boolean | undefined
  /** Raw config lines for every node, appended last. */
  readonly extraConfig?: ReadonlyArray<string> | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** redis-server binary. Default `$REDIS_SERVER`, else `redis-server` on PATH. */
  readonly executable?: string | undefined
  /** Limit of forming and, by default, of every wait. Default 30000 ms. */
  readonly timeoutMs?: number | undefined
}

/**
 * Everything that can go wrong building or operating a local cluster.
 *
 * @since 0.1.0
 */
export type LocalClusterError =
  | ServerStartError
  | WaitTimeoutError
  | AdminError
  | ClusterOperationError
  | CertificateError

/**
 * What a {@link LocalCluster} offers.
 *
 * @since 0.1.0
 */
export interface LocalClusterService {
  /** The folder holding every node's folder (`node-<index>`); removed when the scope closes. */
  readonly dir: string
  /** The TLS files in use, when TLS is on (clients need `caFile`, and for mutual TLS the client pair). */
  readonly tls: TlsFiles | undefined
  /** The nodes the cluster was formed with, for a client's `startupNodes`. */
  readonly startupNodes: ReadonlyArray<NodeAddress>
  /** `redis://127.0.0.1:p1,127.0.0.1:p2,...` (`rediss://` with TLS), without credentials. */
  readonly url: string
  /** How long forming took, from the first spawn to a stable cluster. */
  readonly formationMs: number
  /** The nodes' flavour and version, for version-specific expectations. */
  readonly serverVersion: ServerVersion

  /** The picture as last read (by forming, `refresh`, or an operation), with current pids and states. */
  readonly nodes: Effect.Effect<ReadonlyArray<ClusterNode>>
  /** The last picture grouped by primary. */
  readonly shards: Effect.Effect<ReadonlyArray<ClusterShard>>
  /** Re-reads roles, primaries and slots from the nodes (after a failover the cluster did by itself). */
  readonly refresh: Effect.Effect<ReadonlyArray<ClusterNode>, ClusterOperationError>
  /** One node of a fresh picture. */
  readonly node: (node: NodeSelector) => Effect.Effect<ClusterNode, ClusterOperationError>
  /** The hash slot of `key`, as the server computes it (CLUSTER KEYSLOT). */
  readonly keySlot: (key: string) => Effect.Effect<number, AdminError | ClusterOperationError>
  /** The primary serving `slot` now (fresh picture). */
  readonly primaryForSlot: (slot: number) => Effect.Effect<ClusterNode, ClusterOperationError>
  /** The primary serving `key`'s slot now. */
  readonly nodeForKey: (key: string) => Effect.Effect<ClusterNode, AdminError | ClusterOperationError>
  /** Runs a command on one node over the test kit's admin connection (redirects are returned as errors). */
  readonly command: (
    node: NodeSelector,
    args: ReadonlyArray<CommandArgument>,
    options?: AdminCommandOptions
  ) => Effect.Effect<RespReply, AdminError | ClusterOperationError>
  /** The process behind a node, for anything the operations below do not cover. */
  readonly process: (node: NodeSelector) => Effect.Effect<RedisServerProcess, ClusterOperationError>

  /** SIGKILL the node and wait until it is gone. The cluster will notice after the node timeout. */
  readonly kill: (node: NodeSelector) => Effect.Effect<void, ClusterOperationError>
  /** Graceful stop (SIGTERM, as SHUTDOWN NOSAVE); SIGKILL after 10 s. */
  readonly stop: (node: NodeSelector) => Effect.Effect<void, ClusterOperationError>
  /** SIGSTOP: the node holds its connections and answers nothing. */
  readonly pause: (node: NodeSelector) => Effect.Effect<void, ClusterOperationError>
  /** SIGCONT after `pause`. */
  readonly resume: (node: NodeSelector) => Effect.Effect<void, ClusterOperationError>
  /**
   * Starts the node again (stopping it first if it runs): same port, folder and nodes.conf, so it rejoins
   * with its node id, with an empty dataset. Returns once it answers PING; use the waits for the cluster.
   */
  readonly restart: (node: NodeSelector) => Effect.Effect<void, ClusterOperationError | ServerStartError>
  /**
   * CLUSTER FAILOVER on a replica of the shard (or on the node itself when it is a replica); waits until it
   * is primary and the cluster is stable; returns the promoted node.
   */
  readonly failover: (
    target: ClusterShard | NodeSelector,
    options?: FailoverOptions
  ) => Effect.Effect<ClusterNode, LocalClusterError>

  /** Until every running node reports `cluster_state:ok`. */
  readonly waitForClusterOk: (options?: ClusterWaitOptions) => Effect.Effect<void, WaitTimeoutError>
  /** Until every running node reports the same CLUSTER SLOTS and sees the other running nodes as healthy. */
  readonly waitForAgreement: (options?: ClusterWaitOptions) => Effect.Effect<void, WaitTimeoutError>
  /** Until every running replica reports `master_link_status:up`. */
  readonly waitForReplicasInSync: (options?: ClusterWaitOptions) => Effect.Effect<void, WaitTimeoutError>
  /** All three, then a fresh picture. */
  readonly waitForStable: (
    options?: ClusterWaitOptions
  ) => Effect.Effect<ReadonlyArray<ClusterNode>, WaitTimeoutError | ClusterOperationError>

  /** Marks `slot` IMPORTING on `target` and MIGRATING on its current owner. Keys stay where they are. */
  readonly beginSlotMigration: (slot: number, target: NodeSelector) => Effect.Effect<SlotMigration, LocalClusterError>
  /** Moves keys of a migrating slot to the target (default all); returns how many moved. */
  readonly migrateKeys: (slot: number, options?: MigrateKeysOptions) => Effect.Effect<number, LocalClusterError>
  /** Moves the remaining keys, assigns the slot to the target on every primary, waits for agreement. */
  readonly finishSlotMigration: (slot: number) => Effect.Effect<void, LocalClusterError>
  /** `beginSlotMigration` + `finishSlotMigration`. */
  readonly moveSlot: (slot: number, target: NodeSelector) => Effect.Effect<void, LocalClusterError>
  /** Starts a fresh empty node and joins it (as a primary without slots, or as a replica). */
  readonly addNode: (options?: AddNodeOptions) => Effect.Effect<ClusterNode, LocalClusterError>
  /** Makes a primary the owner of slots: unassigned ones are added, others moved with their keys. */
  readonly assignSlots: (node: NodeSelector, slots: ReadonlyArray<number | SlotRange>) => Effect.Effect<void, LocalClusterError>
  /** FLUSHALL on every running primary (replicas follow). */
  readonly flushAll: Effect.Effect<void, LocalClusterError>
}

/**
 * A local Redis Cluster.
 *
 * ```ts
 * it.live("survives a failover", () =>
 *   Effect.gen(function*() {
 *     const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1 })
 *     const [shard] = yield* cluster.shards
 *     yield* cluster.failover(shard!)
 *   }), 60_000)
 * ```
 *
 * @since 0.1.0
 */
export class LocalCluster extends Context.Service<LocalCluster, LocalClusterService>()(
  "@effect-redis/testkit/LocalCluster"
) {
  /**
   * Starts and forms a cluster; closing the scope kills exactly its processes and removes its folders.
   *
   * @since 0.1.0
   */
  static make(options: LocalClusterOptions = {}): Effect.Effect<LocalClusterService, LocalClusterError, Scope.Scope> {
    return makeLocalCluster(options)
  }

  /**
   * The cluster as a Layer, for `Effect.provide` or `layer(...)` of `@effect/vitest`.
   *
   * @since 0.1.0
   */
  static layer(options: LocalClusterOptions = {}): Layer.Layer<LocalCluster, LocalClusterError> {
    return Layer.effect(LocalCluster, makeLocalCluster(options))
  }
}

const makeLocalCluster = (options: LocalClusterOptions): Effect.Effect<LocalClusterService, LocalClusterError, Scope.Scope> =>
  Effect.gen(function*() {
    const primaries = options.primaries ?? 3
    const replicasPerPrimary = options.replicasPerPrimary ?? 1
    if (!Number.isInteger(primaries) || primaries < 1 || !Number.isInteger(replicasPerPrimary) || replicasPerPrimary < 0) {
      return yield* new ClusterOperationError({
        operation: "LocalCluster.make",
        reason: `needs primaries >= 1 and replicasPerPrimary >= 0, got ${primaries} and ${replicasPerPrimary}`
      })
    }
    const startedAt = yield* nowRealTime
    const scope = yield* Effect.scope
    const rootDir = yield* makeTempDirectory("cluster")
    const total = primaries * (1 + replicasPerPrimary)
    const hostnameOf = (index: number): string | undefined =>
      typeof options.announceHostname === "function" ? options.announceHostname(index) : options.announceHostname
    const tls = options.tls === true
      ? yield* generateTlsCertificates({
        dir: join(rootDir, "tls"),
        hostnames: Array.from({ length: total }, (_, i) => hostnameOf(i)).filter((name) => name !== undefined)
      })
      : options.tls === false
      ? undefined
      : options.tls
    const host = options.host ?? "127.0.0.1"
    const context = makeClusterContext({
      scope,
      rootDir,
      password: options.password === undefined ? undefined : revealSecret(options.password),
      timeoutMs: options.timeoutMs ?? 30_000,
      memberOptions: (index) => ({
        host,
        executable: options.executable,
        cluster: {
          nodeTimeoutMs: options.nodeTimeoutMs ?? 1500,
          requireFullCoverage: options.requireFullCoverage ?? true,
          announceHostname: hostnameOf(index)
        },
        tls,
        tlsAuthClients: options.tlsAuthClients,
        password: options.password,
        users: options.users,
        appendOnly: options.appendOnly,
        extraConfig: options.extraConfig
      })
    })
    // Runs before the per-process finalizers (finalizers run last-in first-out) and kills every node at
    // once instead of one after the other; the per-process ones then find nothing left to do.
    yield* Effect.addFinalizer(() =>
      Effect.forEach(context.members.all, (member) => member.process.kill(), { concurrency: "unbounded", discard: true })
    )
    yield* formCluster(context, { primaries, replicasPerPrimary })
    const formationMs = (yield* nowRealTime) - startedAt

    const startupNodes = context.members.all.map((member) => ({ host: member.process.host, port: member.process.port }))
    const find = (node: NodeSelector, operation: string) => context.members.find(node, operation)
    const onProcess = (operation: string) => (node: NodeSelector) =>
      find(node, operation).pipe(Effect.map((member) => member.process))
    const primaryForSlot = (slot: number) =>
      refreshView(context).pipe(
        Effect.flatMap((view) => {
          const owner = ownerOf(view, slot)
          return owner !== undefined
            ? Effect.succeed(owner)
            : Effect.fail(new ClusterOperationError({ operation: "primaryForSlot", reason: `slot ${slot} is not served by any primary` }))
        })
      )
    const keySlot = (key: string) =>
      context.members.onAnyNode("keySlot", ["CLUSTER", "KEYSLOT", key]).pipe(Effect.map(Number))

    return {
      dir: rootDir,
      tls,
      startupNodes,
      url: `${tls === undefined ? "redis" : "rediss"}://${startupNodes.map((node) => `${node.host}:${node.port}`).join(",")}`,
      formationMs,
      serverVersion: serverVersion(options.executable),
      nodes: Effect.sync(() => currentView(context)),
      shards: Effect.sync(() => shardsOf(currentView(context))),
      refresh: refreshView(context),
      node: (node) =>
        find(node, "node").pipe(
          Effect.andThen(refreshView(context)),
          Effect.map((view) => view.find((candidate) => candidate.port === node.port)!)
        ),
      keySlot,
      primaryForSlot,
      nodeForKey: (key) => keySlot(key).pipe(Effect.flatMap(primaryForSlot)),
      command: (node, args, commandOptions) =>
        find(node, "command").pipe(Effect.flatMap((member) => member.process.command(args, commandOptions))),
      process: onProcess("process"),
      kill: (node) => onProcess("kill")(node).pipe(Effect.flatMap((process) => process.kill())),
      stop: (node) => onProcess("stop")(node).pipe(Effect.flatMap((process) => process.stop())),
      pause: (node) => onProcess("pause")(node).pipe(Effect.flatMap((process) => process.pause())),
      resume: (node) => onProcess("resume")(node).pipe(Effect.flatMap((process) => process.resume())),
      restart: (node) => onProcess("restart")(node).pipe(Effect.flatMap((process) => process.restart())),
      failover: (target, failoverOptions) => failover(context, target, failoverOptions),
      waitForClusterOk: (waitOptions) => waitForClusterOk(context, waitOptions),
      waitForAgreement: (waitOptions) => waitForAgreement(context, waitOptions),
      waitForReplicasInSync: (waitOptions) => waitForReplicasInSync(context, waitOptions),
      waitForStable: (waitOptions) => waitForStable(context, waitOptions),
      beginSlotMigration: (slot, target) => beginSlotMigration(context, slot, target),
      migrateKeys: (slot, migrateOptions) => migrateKeys(context, slot, migrateOptions),
      finishSlotMigration: (slot) => finishSlotMigration(context, slot),
      moveSlot: (slot, target) => moveSlot(context, slot, target),
      addNode: (addOptions) => addNode(context, addOptions),
      assignSlots: (node, slots) => assignSlots(context, node, slots),
      flushAll: refreshView(context).pipe(
        Effect.flatMap((view) =>
          Effect.forEach(
            view.filter((node) => node.role === "primary" && node.state === "running"),
            (node) => find(node, "flushAll").pipe(Effect.flatMap((member) => member.process.command(["FLUSHALL"]))),
            { concurrency: "unbounded", discard: true }
          )
        )
      )
    } satisfies LocalClusterService
  })
