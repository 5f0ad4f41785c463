import type { RespArg } from "@effect-redis/resp"
import { Context, Effect, Result, type Schedule, Stream } from "effect"
import type { Command } from "./Command.ts"
import type { RedisKey } from "./internal/commands/types.ts"
import type { RedisError } from "./internal/errors/RedisError.ts"
import type { WatchConflictError } from "./internal/errors/WatchConflictError.ts"
import { defaultOptimisticRetry } from "./internal/transaction/OptimisticRetry.ts"
import { makeTransaction, type Transaction } from "./internal/transaction/Transaction.ts"

export type { Transaction, TransactionMode } from "./internal/transaction/Transaction.ts"
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
 * The connection-bound view a `RedisClient.watch` body gets (`tx`): its commands run on the connection holding the
 * WATCH, and `exec` sends the transaction there. On a cluster every key it touches must be in the watched slot.
 */
export interface WatchTransaction {
  /** The watched keys. */
  readonly keys: ReadonlyArray<RespArg>
  /**
   * Runs one command on the watching connection (typically the reads the transaction depends on). Blocking
   * commands and transactions are refused; so is anything once `exec` was called or the body is over.
   */
  readonly run: <A>(command: Command<A>) => Effect.Effect<A, RedisError | WatchConflictError>
  /**
   * Sends MULTI, `commands` and EXEC (one write) and returns their values typed by position. Fails with
   * `WatchConflictError` when a watched key changed since WATCH (nothing ran), and like
   * `RedisClient.transaction` otherwise. Once per body: EXEC ends the WATCH. `exec([])` just checks that no
   * watched key changed.
   */
  readonly exec: <const Cs extends ReadonlyArray<Command<any>>>(
    commands: Cs
  ) => Effect.Effect<PipelineValues<Cs>, RedisError | WatchConflictError>
  /** Like {@link WatchTransaction.exec}, with every command's own `Result` once EXEC ran. */
  readonly execResults: <const Cs extends ReadonlyArray<Command<any>>>(
    commands: Cs
  ) => Effect.Effect<PipelineResults<Cs>, RedisError | WatchConflictError>
}

/** Options of {@link RedisClient.optimistic}. */
export interface OptimisticOptions {
  /**
   * When to run the body again after a `WatchConflictError` (fed the conflict). Default: up to 20 retries after
   * jittered delays from about 1 ms, doubling, each at most 100 ms (about 1.4 s at most).
   */
  readonly retry?: Schedule.Schedule<unknown, WatchConflictError> | undefined
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
   * Optimistic locking: leases a connection of its own, sends `WATCH keys` there and runs `body` with a `tx`
   * bound to that connection; the body reads through `tx.run` and ends with `tx.exec([...])`. See
   * {@link RedisClient.watch}.
   */
  readonly watch: <A, E, R>(
    keys: ReadonlyArray<RespArg>,
    body: (tx: WatchTransaction) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | RedisError | WatchConflictError, R>
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
   * A transaction: MULTI, the commands, EXEC, sent in one write, run by the server as one atomic step, and
   * answered with the commands' values typed by position:
   * `const [n, name] = yield* RedisClient.transaction([Redis.incr("{u1}:n"), Redis.get("{u1}:name")])`.
   *
   * The value is itself a `Command`, so it is an Effect and can be one element of a pipeline. Failures:
   *
   * - `TransactionCommandError` with `executed: false` when a command is refused before sending (invalid
   *   arguments, a blocking command, a nested transaction or MULTI/WATCH/SUBSCRIBE through `Redis.call`, a cluster
   *   fan-out command) or by the server when queued (a syntax error: EXEC answers EXECABORT): nothing ran.
   * - `TransactionCommandError` with `executed: true` for the first command that failed inside EXEC (`WRONGTYPE`):
   *   as in Redis the others were applied (use {@link RedisClient.transactionResults} to see each outcome).
   * - On a cluster, `CrossSlotError` before anything is sent unless every key hashes to one slot (use a hash tag);
   *   the transaction runs on that slot's primary, whatever `readFrom` says, and MOVED/ASK/TRYAGAIN met on the
   *   way are followed by sending the whole transaction again (nothing had run).
   * - `ConnectionError` / `TimeoutError` with `written: true` when the connection was lost (or the deadline
   *   passed) after EXEC was written: the outcome is unknown, and it is not sent again (unless every command only
   *   reads). Lost before EXEC was written, it is sent again like any command that never reached the server.
   *
   * An empty transaction succeeds with `[]` and sends nothing.
   */
  static transaction<const Cs extends ReadonlyArray<Command<any>>>(commands: Cs): Transaction<PipelineValues<Cs>> {
    return makeTransaction(commands, "values")
  }

  /**
   * Like {@link RedisClient.transaction}, but once EXEC ran every command gets its own `Result` (a `WRONGTYPE` in
   * one does not hide the others' values). Still fails as a whole when the transaction did not run.
   */
  static transactionResults<const Cs extends ReadonlyArray<Command<any>>>(commands: Cs): Transaction<PipelineResults<Cs>> {
    return makeTransaction(commands, "results")
  }

  /**
   * Optimistic locking, once: `WATCH keys` on a connection of its own, then `body` reads through `tx.run` and ends
   * with `tx.exec([...])`, which fails with `WatchConflictError` when a watched key changed in between (nothing of
   * the transaction ran). A body may also end without `exec` (nothing to change): UNWATCH is sent.
   *
   * ```ts
   * const transfer = RedisClient.watch(["{acct}:a", "{acct}:b"], (tx) =>
   *   Effect.gen(function*() {
   *     const a = Number(Option.getOrElse(yield* tx.run(Redis.get("{acct}:a")), () => "0"))
   *     if (a < 10) return false
   *     yield* tx.exec([Redis.decrby("{acct}:a", 10), Redis.incrby("{acct}:b", 10)])
   *     return true
   *   }))
   * ```
   *
   * The connection holding the WATCH is never shared: interrupting the body closes it, so no WATCH or MULTI is
   * left behind. On a cluster the keys must share one slot (`CrossSlotError` otherwise); WATCH follows MOVED/ASK
   * before the body runs, and a slot that moves while the body runs is a `WatchConflictError` ("moved"), never an
   * EXEC sent to another node. Use {@link RedisClient.optimistic} to run the body again on conflict.
   */
  static watch<A, E, R>(
    keys: ReadonlyArray<RespArg>,
    body: (tx: WatchTransaction) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | RedisError | WatchConflictError, R | RedisClient> {
    return RedisClient.use((client) => client.watch(keys, body))
  }

  /**
   * {@link RedisClient.watch} that runs the whole body again (WATCH included) after a `WatchConflictError`, like
   * go-redis's Watch loop or redis-py's `transaction`: the body decides afresh on current values, so no update is
   * lost. Retries follow `options.retry` (default: a few short jittered delays, see {@link OptimisticOptions});
   * when they run out, the last conflict is the error. Other errors are not retried. The body may run several
   * times: keep its side effects inside Redis.
   */
  static optimistic<A, E, R>(
    keys: ReadonlyArray<RespArg>,
    body: (tx: WatchTransaction) => Effect.Effect<A, E, R>,
    options: OptimisticOptions = {}
  ): Effect.Effect<A, E | RedisError | WatchConflictError, R | RedisClient> {
    const schedule = (options.retry ?? defaultOptimisticRetry) as Schedule.Schedule<unknown, unknown>
    return Effect.retry(RedisClient.watch(keys, body), {
      schedule,
      while: (error: unknown) => (error as { readonly _tag?: unknown } | undefined)?._tag === "WatchConflictError"
    })
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
