import type { ProtocolError } from "@effect-redis/resp"
import { type Duration, Effect, Layer, Result, type Scope, Semaphore } from "effect"
import type { Command } from "./Command.ts"
import { hasFlag, CommandFlags } from "./internal/CommandFlags.ts"
import type { ConnectionOptions, NodeAddress } from "./internal/connection/ConnectionOptions.ts"
import { DedicatedConnections } from "./internal/connection/DedicatedConnections.ts"
import { NodeConnection } from "./internal/connection/NodeConnection.ts"
import type { ConnectionFailure } from "./internal/connection/ReplyWaiter.ts"
import { runBlockingOnConnection } from "./internal/connection/BlockingCall.ts"
import { type OnConnectionFailure, pipelineOnConnection, runOnConnection } from "./internal/connection/RunOnConnection.ts"
import { ConnectionError } from "./internal/errors/ConnectionError.ts"
import type { RedisError } from "./internal/errors/RedisError.ts"
import { TimeoutError } from "./internal/errors/TimeoutError.ts"
import { RedisClient, type RedisClientService } from "./RedisClient.ts"
import { parseRedisUrl } from "./internal/RedisUrl.ts"

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

/** Errors building the standalone client can fail with (the first connection is opened eagerly). */
export type RedisNodeError = ConnectionError | TimeoutError | ProtocolError

const resolveOptions = (options: RedisNodeOptions): Effect.Effect<{ address: NodeAddress; options: RedisNodeOptions }, ConnectionError> => {
  if (options.url === undefined) {
    return Effect.succeed({ address: { host: options.host ?? "127.0.0.1", port: options.port ?? 6379 }, options })
  }
  const parsed = parseRedisUrl(options.url)
  if ("error" in parsed) {
    return Effect.fail(new ConnectionError({ address: "?", reason: parsed.error, written: false }))
  }
  const node = parsed.nodes[0]!
  return Effect.succeed({
    address: { host: options.host ?? node.host, port: options.port ?? node.port },
    options: { ...parsed.options, ...options }
  })
}

/**
 * The standalone client: one server, one multiplexed auto-pipelined connection.
 *
 * The connection is opened when the client is built (so a wrong address or password fails fast) and reopened on
 * demand after it is lost. A command that fails because the connection dropped is sent again on a new connection
 * when that is safe: its bytes were never written, or it is read-only. Writes that may have reached the server
 * fail with a `ConnectionError` whose `written` is true: the caller decides.
 */
export const make = (options: RedisNodeOptions = {}): Effect.Effect<RedisClientService, RedisNodeError, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* resolveOptions(options)
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

    return RedisClient.of({
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

/** A layer providing {@link RedisClient} for one standalone server. */
export const layer = (options: RedisNodeOptions = {}): Layer.Layer<RedisClient, RedisNodeError> =>
  Layer.effect(RedisClient, make(options))
