import type { ProtocolError } from "@effect-redis/resp"
import { Cause, type Duration, Effect, Exit, Layer, Option, Result, type Scope, Semaphore } from "effect"
import type { Command } from "./Command.ts"
import { hasFlag, CommandFlags } from "./internal/CommandFlags.ts"
import type { ConnectionOptions, NodeAddress } from "./internal/connection/ConnectionOptions.ts"
import { DedicatedConnections } from "./internal/connection/DedicatedConnections.ts"
import { NodeConnection } from "./internal/connection/NodeConnection.ts"
import type { ConnectionFailure } from "./internal/connection/ReplyWaiter.ts"
import { runBlockingOnConnection } from "./internal/connection/BlockingCall.ts"
import { type OnConnectionFailure, pipelineOnConnection, runOnConnection } from "./internal/connection/RunOnConnection.ts"
import type { AuthenticationError } from "./internal/errors/AuthenticationError.ts"
import type { ConfigurationError } from "./internal/errors/ConfigurationError.ts"
import { ConnectionError } from "./internal/errors/ConnectionError.ts"
import type { RedisError } from "./internal/errors/RedisError.ts"
import { TimeoutError } from "./internal/errors/TimeoutError.ts"
import { RedisClient, type RedisClientService } from "./RedisClient.ts"
import { parseRedisUrl } from "./internal/RedisUrl.ts"
import {
  checkAgreesWithUrl,
  checkConnectionOptions,
  checkDuration,
  checkInteger,
  checkKnownOptions,
  checkNonEmptyString,
  connectionOptionKeys,
  invalidOption
} from "./internal/OptionsValidation.ts"
import { InvalidArgumentError } from "./internal/errors/InvalidArgumentError.ts"
import { runWatch, watchCommand } from "./internal/transaction/WatchSession.ts"

/** Options of the standalone client: where the server is, plus {@link ConnectionOptions}. */
export interface RedisNodeOptions extends ConnectionOptions {
  /** Server host. Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** Server port. Default 6379. */
  readonly port?: number | undefined
  /**
   * `redis://[user:pass@]host:port[/db]` or `rediss://...`; its parts fill the options not given explicitly.
   */
  readonly url?: string | undefined
  /** How long closing waits for replies still in flight. Default 5 seconds. */
  readonly closeTimeout?: Duration.Input | undefined
}

/**
 * Errors building the standalone client can fail with: options that cannot work (before any connection), then
 * the first connection, which is opened eagerly (unreachable, too slow, not RESP, credentials refused).
 */
export type RedisNodeError = ConfigurationError | ConnectionError | TimeoutError | ProtocolError | AuthenticationError

/** Every option of {@link RedisNodeOptions}, so an unknown one (a typo, a cluster option) is reported. */
const nodeOptionKeys: Readonly<Record<keyof RedisNodeOptions, true>> = {
  ...connectionOptionKeys,
  host: true,
  port: true,
  url: true,
  closeTimeout: true
}

const clusterOnly = "is an option of the cluster client (RedisCluster.layer); a standalone client takes host/port or url"
const clusterOnlyHints: Readonly<Record<string, string>> = Object.fromEntries(
  ["startupNodes", "readFrom", "maxRedirections", "nonAtomicCrossSlot", "retry", "addressRemap", "skipFullCoverageCheck", "refreshInterval", "refreshMinInterval", "refreshTimeout"]
    .map((key) => [key, clusterOnly])
)

/** Options without the keys whose value is `undefined`, so they never erase what the URL gave. */
const definedOnly = <T extends object>(record: T): Partial<T> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>

/**
 * Checks every option and folds the URL in: its parts fill the options not given, and an option given both ways
 * must agree with it. Fails with the first {@link ConfigurationError}.
 */
const resolveOptions = (
  options: RedisNodeOptions
): Result.Result<{ readonly address: NodeAddress; readonly options: RedisNodeOptions }, ConfigurationError> => {
  const unknown = checkKnownOptions(options, nodeOptionKeys, clusterOnlyHints)
  if (unknown !== undefined) return Result.fail(unknown)
  let host = options.host
  let port = options.port
  let merged: RedisNodeOptions = options
  if (options.url !== undefined) {
    const parsed = parseRedisUrl(options.url)
    if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
    const { nodes, options: fromUrl } = parsed.success
    if (nodes.length > 1) {
      return Result.fail(invalidOption("url", options.url, `names ${nodes.length} hosts; a standalone client connects to one (RedisCluster.layer takes several)`))
    }
    const node = nodes[0]!
    if (host !== undefined && host !== node.host) {
      return Result.fail(invalidOption("host", host, `conflicts with the url, which names the host "${node.host}"; give the host once`))
    }
    if (port !== undefined && port !== node.port) {
      return Result.fail(invalidOption("port", port, `conflicts with the url, which names the port ${node.port}; give the port once`))
    }
    const conflict = checkAgreesWithUrl(fromUrl, options)
    if (conflict !== undefined) return Result.fail(conflict)
    host = node.host
    port = node.port
    merged = { ...fromUrl, ...definedOnly(options) }
  }
  const invalid = checkNonEmptyString("host", host) ??
    checkInteger("port", port, 1, 65535) ??
    checkDuration("closeTimeout", options.closeTimeout, { allowZero: true }) ??
    checkConnectionOptions(merged)
  if (invalid !== undefined) return Result.fail(invalid)
  return Result.succeed({ address: { host: host ?? "127.0.0.1", port: port ?? 6379 }, options: merged })
}

/**
 * The standalone client: one server, one multiplexed auto-pipelined connection.
 *
 * The options are checked first (a mistake fails with a `ConfigurationError` naming the option), then the
 * connection is opened when the client is built (so a wrong address fails fast, a refused password with an
 * `AuthenticationError`) and reopened on
 * demand after it is lost. A command that fails because the connection dropped is sent again on a new connection
 * when that is safe: its bytes were never written, or it is read-only. Writes that may have reached the server
 * fail with a `ConnectionError` whose `written` is true: the caller decides.
 */
export const make = (options: RedisNodeOptions = {}): Effect.Effect<RedisClientService, RedisNodeError, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* Effect.fromResult(resolveOptions(options))
    const address = resolved.address
    const connectionOptions = resolved.options
    const reconnect = yield* Semaphore.make(1)
    let current = yield* NodeConnection.connect(address, connectionOptions)
    let closed = false

    // One connect at a time: fibers that find the connection gone queue on the semaphore; the first reconnects.
    const connection: Effect.Effect<NodeConnection, RedisError> = reconnect.withPermits(1)(
      Effect.suspend(() => {
        if (closed) {
          return Effect.fail(new ConnectionError({ address: `${address.host}:${address.port}`, reason: "client closed", written: false }))
        }
        if (current.isReady) return Effect.succeed(current)
        return Effect.map(NodeConnection.connect(address, connectionOptions), (conn) => (current = conn))
      })
    )

    const retryOnce: OnConnectionFailure = <A>(command: Command<A>, error: ConnectionFailure) => {
      if (error._tag !== "ConnectionError" || closed) return undefined
      if (error.written && !hasFlag(command.spec.flags, CommandFlags.readonly)) return undefined
      return Effect.flatMap(connection, (conn) => runOnConnection(conn, command))
    }

    // Blocking commands (BLPOP, XREAD BLOCK, WAIT...) each run on a connection of their own: see DedicatedConnections.
    const dedicated = new DedicatedConnections<NodeConnection>({ maxInUse: connectionOptions.maxBlockingConnections })
    const addressText = `${address.host}:${address.port}`
    const clientClosed = () => new ConnectionError({ address: addressText, reason: "client closed", written: false })
    // Bounds the wait for a dedicated connection (with maxBlockingConnections all may be in use) by the command's
    // own deadline, its block time plus the command timeout; nothing was sent, so the timeout is not written.
    const waitingAtMost = <A>(lease: Effect.Effect<NodeConnection, RedisError>, command: Command<A>, blockMs: number) => {
      if (blockMs === 0) return lease
      const timeoutMs = current.commandTimeoutMs + blockMs
      return Effect.timeoutOrElse(lease, {
        duration: timeoutMs,
        orElse: () => Effect.fail(new TimeoutError({ command: command.spec.name, address: addressText, timeoutMs, written: false }))
      })
    }
    const runBlocking = <A>(command: Command<A>, blockMs: number): Effect.Effect<A, RedisError> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          restore(waitingAtMost(
            dedicated.lease(addressText, NodeConnection.connect(address, connectionOptions), clientClosed),
            command,
            blockMs
          )),
          (conn) =>
            // Reusable once its reply arrived, or once an interruption made the server let go of it (the shared
            // connection sends CLIENT UNBLOCK); a timed-out command may still be blocked there and is closed.
            restore(runBlockingOnConnection(
              conn,
              command,
              blockMs === 0 ? Infinity : conn.commandTimeoutMs + blockMs,
              connection,
              (reusable) => dedicated.release(conn, reusable)
            ))
        )
      )

    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        closed = true
        dedicated.closeAll()
        return current.close(options.closeTimeout ?? "5 seconds")
      })
    )

    const pipelineShared = (commands: ReadonlyArray<Command<any>>) => {
      const conn = current
      const run = (c: NodeConnection) => pipelineOnConnection(c, commands)
      return conn.isReady ? run(conn) : Effect.flatMap(connection, run).pipe(
        Effect.catch((error) => Effect.succeed(commands.map(() => Result.fail(error))))
      )
    }

    // WATCH bodies lease a dedicated connection too (counted in maxBlockingConnections): the WATCH and the
    // transaction's MULTI state live on it, never on the shared connection.
    const watch: RedisClientService["watch"] = (keys, body) => {
      if (keys.length === 0) return Effect.fail(new InvalidArgumentError({ command: "WATCH", reason: "WATCH needs at least one key" }))
      const watchKeys = watchCommand(keys)
      const lease = dedicated.lease(addressText, NodeConnection.connect(address, connectionOptions), clientClosed)
      const timeoutMs = current.commandTimeoutMs
      // With maxBlockingConnections every connection may be in use: wait for one at most a command's timeout.
      const bounded = timeoutMs === Infinity ? lease : Effect.timeoutOrElse(lease, {
        duration: timeoutMs,
        orElse: () => Effect.fail(new TimeoutError({ command: "WATCH", address: addressText, timeoutMs, written: false }))
      })
      const acquire = Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          restore(bounded),
          (conn) =>
            Effect.as(
              Effect.onExit(restore(runOnConnection(conn, watchKeys)), (exit) =>
                Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => dedicated.release(conn, replyArrived(exit)))),
              { conn, asking: false }
            )
        )
      )
      return runWatch({
        keys,
        acquire,
        release: (conn, reusable) => dedicated.release(conn, reusable),
        timeoutMs,
        cluster: false
      }, body)
    }

    return RedisClient.of({
      watch,
      run: (command) => {
        const blockMs = blockTimeOf(command)
        if (blockMs !== undefined) {
          if (!hasFlag(command.spec.flags, CommandFlags.connectionState)) return runBlocking(command, blockMs)
          // WAIT: bound to the shared connection's writes; only its deadline grows.
          return Effect.flatMap(connection, (c) =>
            runOnConnection(c, command, retryOnce, blockMs === 0 ? Infinity : c.commandTimeoutMs + blockMs))
        }
        const conn = current
        return conn.isReady
          ? runOnConnection(conn, command, retryOnce)
          : Effect.flatMap(connection, (c) => runOnConnection(c, command, retryOnce))
      },
      pipelineResults: (commands) => {
        // The common pipeline has no blocking command: check without allocating before splitting anything.
        if (!commands.some(needsDedicated)) return pipelineShared(commands) as never
        const dedicated = commands.map(needsDedicated)
        // Blocking commands each wait on a connection of their own, alongside the pipeline of the others.
        const shared = commands.filter((_, i) => !dedicated[i])
        const blocking = commands.filter((_, i) => dedicated[i])
        return Effect.zipWith(
          pipelineShared(shared),
          Effect.forEach(blocking, (command) => Effect.result(runBlocking(command, blockTimeOf(command)!)), { concurrency: "unbounded" }),
          (sharedResults, blockingResults) => {
            let s = 0, b = 0
            return dedicated.map((isBlocking) => (isBlocking ? blockingResults[b++] : sharedResults[s++])) as never
          },
          { concurrent: true }
        )
      }
    })
  })

/** Whether a command runs on a dedicated connection: it blocks, and does not depend on the shared one (WAIT). */
const needsDedicated = (command: Command<unknown>): boolean =>
  blockTimeOf(command) !== undefined && !hasFlag(command.spec.flags, CommandFlags.connectionState)

/** A command's block time in ms when this call blocks (BLPOP, XREAD BLOCK...), else undefined. */
const blockTimeOf = (command: Command<unknown>): number | undefined => {
  const blocking = command.spec.blockingTimeout
  return blocking === undefined || command.invalid !== undefined ? undefined : blocking(command.args)
}

/**
 * Whether a command's outcome came from a reply, or it was refused before sending (so nothing is left blocked or
 * pending on its connection).
 */
const replyArrived = (exit: Exit.Exit<unknown, RedisError>): boolean => {
  if (Exit.isSuccess(exit)) return true
  const error = Cause.findErrorOption(exit.cause)
  return Option.isSome(error) &&
    (error.value._tag === "ReplyError" || error.value._tag === "UnknownCommandError" || error.value._tag === "DecodeError" ||
      error.value._tag === "InvalidArgumentError")
}

/** A layer providing {@link RedisClient} for one standalone server. */
export const layer = (options: RedisNodeOptions = {}): Layer.Layer<RedisClient, RedisNodeError> =>
  Layer.effect(RedisClient, make(options))
