import { Context, Effect, Result, Stream } from "effect"
import type { Command } from "./Command.ts"
import type { RedisKey } from "./internal/commands/types.ts"
import type { RedisError } from "./internal/errors/RedisError.ts"
import type { ScanEntriesOptions, ScanKeysOptions } from "./internal/scan/ScanOptions.ts"
import { hashEntries, hashFields, scanKeyBytes, scanKeys, setMembers, sortedSetEntries } from "./internal/scan/ScanStreams.ts"
import type { ScanPage } from "./Replies.ts"

export type { ScanEntriesOptions, ScanKeysOptions } from "./internal/scan/ScanOptions.ts"

/** The success type of a {@link Command}. */
export type CommandSuccess<C> = C extends Command<infer A> ? A : never

/** The results of a pipeline, one per command, in order, each typed by its command. */
export type PipelineResults<Cs extends ReadonlyArray<Command<any>>> = {
  -readonly [K in keyof Cs]: Result.Result<CommandSuccess<Cs[K]>, RedisError>
}

/** The values of a pipeline whose commands all succeeded, typed by position. */
export type PipelineValues<Cs extends ReadonlyArray<Command<any>>> = {
  -readonly [K in keyof Cs]: CommandSuccess<Cs[K]>
}

/**
 * What a Redis client can do, whatever it is connected to. Programs written against it run unchanged on a
 * standalone server (`RedisNode.layer`) or a cluster (`RedisCluster.layer`).
 */
export interface RedisClientService {
  /** Runs one command and decodes its reply. */
  readonly run: <A>(command: Command<A>) => Effect.Effect<A, RedisError>
  /**
   * Sends commands as one pipeline (one write, replies in order) and returns each command's own outcome. Not
   * atomic: every command runs even when an earlier one fails.
   */
  readonly pipelineResults: <const Cs extends ReadonlyArray<Command<any>>>(
    commands: Cs
  ) => Effect.Effect<PipelineResults<Cs>>
  /**
   * Optional: this client's own way to walk the whole keyspace (a cluster provides it: see `RedisCluster`).
   * Without it, `RedisClient.scan` walks one SCAN cursor through `run`, which is right for a single server.
   */
  readonly scanKeyspace?: (<K>(scan: KeyspaceScan<K>) => Stream.Stream<K, RedisError>) | undefined
  /**
   * Optional: this client's own way to walk one key's cursor (HSCAN, SSCAN, ZSCAN). A cluster provides it to keep
   * the cursor on the node that issued it. Without it, the pages run through `run`.
   */
  readonly scanKey?: (<A>(key: RedisKey, page: (cursor: string) => Command<ScanPage<A>>) => Stream.Stream<A, RedisError>) | undefined
}

/**
 * What `RedisClient.scan` hands a client's {@link RedisClientService.scanKeyspace}: how to build the SCAN page
 * command for a cursor (options and reply decoder included), and the options the client routes by.
 */
export interface KeyspaceScan<K> {
  /** The SCAN command for one page from `cursor`, MATCH/COUNT/TYPE included; its reply is the page. */
  readonly page: (cursor: string) => Command<ScanPage<K>>
  /** The MATCH pattern, if any: a cluster scans only the owner of its hash tag's slot when it fixes one. */
  readonly match: string | undefined
  /** The TYPE filter, if any. */
  readonly type: string | undefined
  /** SCAN's COUNT. */
  readonly count: number
  /** How many servers may be scanned at once (at least 1). */
  readonly concurrency: number
}

/**
 * The generic Redis client service (like `SqlClient` in `@effect/sql`). Commands are Effects that require it, so
 * most programs never use it directly; its static helpers cover pipelines.
 */
export class RedisClient extends Context.Service<RedisClient, RedisClientService>()("@effect-redis/client/RedisClient") {
  /** Runs one command on the provided client (the same as `yield* command`). */
  static run<A>(command: Command<A>): Effect.Effect<A, RedisError, RedisClient> {
    return RedisClient.use((client) => client.run(command))
  }

  /**
   * Runs commands as one pipeline and returns their values in order, typed by position:
   * `const [name, hits] = yield* RedisClient.pipeline([Redis.get("user"), Redis.incr("hits")])`.
   * Every command is sent and answered; if any failed, the pipeline fails with the first failure in command
   * order (use {@link RedisClient.pipelineResults} to see every outcome).
   */
  static pipeline<const Cs extends ReadonlyArray<Command<any>>>(
    commands: Cs
  ): Effect.Effect<PipelineValues<Cs>, RedisError, RedisClient> {
    return RedisClient.use((client) =>
      Effect.flatMap(client.pipelineResults(commands), (results) => {
        const values: Array<unknown> = new Array(results.length)
        for (let i = 0; i < results.length; i++) {
          const result = results[i] as Result.Result<unknown, RedisError>
          if (Result.isFailure(result)) return Effect.fail(result.failure)
          values[i] = result.success
        }
        return Effect.succeed(values as PipelineValues<Cs>)
      })
    )
  }

  /** Runs commands as one pipeline and returns every command's own `Result`, in order. */
  static pipelineResults<const Cs extends ReadonlyArray<Command<any>>>(
    commands: Cs
  ): Effect.Effect<PipelineResults<Cs>, never, RedisClient> {
    return RedisClient.use((client) => client.pipelineResults(commands))
  }

  /**
   * Every key of the database, as a pull-based `Stream`: each SCAN reply is one chunk, and SCANs are sent as the
   * consumer pulls (at most one page ahead per server being read), so a slow consumer never makes the client buffer
   * the keyspace. Interrupting the stream stops it; nothing keeps running.
   *
   * ```ts
   * const sessions = yield* RedisClient.scan({ match: "session:*", type: "hash" }).pipe(Stream.runCount)
   * ```
   *
   * The promise, on one server and on a cluster that reshards, fails over or restarts nodes meanwhile: every key that
   * exists for the whole scan is emitted at least once; keys added or removed during the scan may or may not be. A
   * key is emitted more than once only where SCAN itself may repeat it (the server resized its table between two
   * pages) or where the scan had to read part of the keyspace again: its slot moved while its node was being
   * scanned, that node took slots over (resharding) or was failed over mid-scan, or a server restarted. With
   * `dedupe: true` every key comes exactly once, at the memory cost given in {@link ScanKeysOptions.dedupe}.
   *
   * On a cluster the client tracks which hash slots are finished, not which nodes: it scans the primaries
   * (`concurrency` at a time, default one), and a node's slots count as scanned only if that node, the same process
   * with the same config epoch, still served them without migrating when its cursor returned to 0. Slots that moved
   * are read again on their new owner (slot by slot with `CLUSTER GETKEYSINSLOT` when they are few there, MATCH
   * applied by the client). A `match` literal up to its hash tag (`{user:1}:*`) scans only the node serving that
   * slot. A node that fails mid-scan is left for later and its slots are read again, from cursor 0, on the replica
   * that takes over; loading nodes, slots nobody serves and slots held in migration are waited for on the client's
   * retry schedules (`connection`, `loading`, `clusterDown`), and the stream fails with the last error when one runs
   * out. Besides SCAN the cluster scan sends `CLUSTER NODES` and `INFO server` to each primary it reads (and
   * `CLUSTER GETKEYSINSLOT` after a reshard): an ACL user needs them.
   *
   * On one server a restart mid-scan is noticed by the server's run id, and the scan starts over. A LOADING server
   * fails the stream with its `ReplyError`.
   *
   * Bad options (`count` or `concurrency` below 1 or not integers, a `type` no server can know) fail the stream with
   * `InvalidArgumentError` before anything is sent; a `type` the server does not know fails with its `ReplyError` on
   * Valkey, and matches nothing on Redis.
   */
  static scan(options: ScanKeysOptions = {}): Stream.Stream<string, RedisError, RedisClient> {
    return Stream.unwrap(RedisClient.use((client) => Effect.succeed(scanKeys(client, options))))
  }

  /** {@link RedisClient.scan} with keys as bytes, exactly as stored (for binary keys). */
  static scanBytes(options: ScanKeysOptions = {}): Stream.Stream<Uint8Array, RedisError, RedisClient> {
    return Stream.unwrap(RedisClient.use((client) => Effect.succeed(scanKeyBytes(client, options))))
  }

  /**
   * A hash's fields and values as `[field, value]` tuples, one HSCAN reply per chunk, pulled on demand: a hash of
   * any size streams in bounded memory. Fields present for the whole scan are emitted at least once; HSCAN may
   * repeat one (`dedupe: true` drops repeats). A cursor only means something to the server process that issued
   * it, so the scan starts over (repeating fields) when that changes: on a cluster when the key moves to another
   * node (MOVED, or ASK while its slot migrates) or the connection to its node is lost, on one server when it
   * restarted.
   */
  static hscan(key: RedisKey, options: ScanEntriesOptions = {}): Stream.Stream<readonly [string, string], RedisError, RedisClient> {
    return Stream.unwrap(RedisClient.use((client) => Effect.succeed(hashEntries(client, key, options))))
  }

  /**
   * A hash's fields only. Uses HSCAN's `NOVALUES` where the server has it (Redis 7.4+, Valkey 8+), so values are
   * not even sent; on older servers it runs plain HSCAN and drops the values. Otherwise as {@link RedisClient.hscan}.
   */
  static hscanFields(key: RedisKey, options: ScanEntriesOptions = {}): Stream.Stream<string, RedisError, RedisClient> {
    return Stream.unwrap(RedisClient.use((client) => Effect.succeed(hashFields(client, key, options))))
  }

  /** A set's members, one SSCAN reply per chunk, pulled on demand; as {@link RedisClient.hscan} otherwise. */
  static sscan(key: RedisKey, options: ScanEntriesOptions = {}): Stream.Stream<string, RedisError, RedisClient> {
    return Stream.unwrap(RedisClient.use((client) => Effect.succeed(setMembers(client, key, options))))
  }

  /**
   * A sorted set's members with their scores as `[member, score]` tuples (±Infinity for `inf`), one ZSCAN reply per
   * chunk, pulled on demand; as {@link RedisClient.hscan} otherwise.
   */
  static zscan(key: RedisKey, options: ScanEntriesOptions = {}): Stream.Stream<readonly [string, number], RedisError, RedisClient> {
    return Stream.unwrap(RedisClient.use((client) => Effect.succeed(sortedSetEntries(client, key, options))))
  }
}
