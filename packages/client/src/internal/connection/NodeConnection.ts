import {
  CommandEncoder,
  type InvalidArgument,
  ProtocolError,
  type RespArg,
  RespDecoder,
  type RespValue
} from "@effect-redis/resp"
import { Duration, Effect } from "effect"
import * as net from "node:net"
import * as tls from "node:tls"
import type { AuthenticationError } from "../errors/AuthenticationError.ts"
import { ConnectionError } from "../errors/ConnectionError.ts"
import { TimeoutError } from "../errors/TimeoutError.ts"
import type { ConnectionOptions, NodeAddress } from "./ConnectionOptions.ts"
import { handshake } from "./Handshake.ts"
import type { ConnectionFailure, ReplyWaiter } from "./ReplyWaiter.ts"
import { WaiterQueue } from "./WaiterQueue.ts"

/** Why opening a connection failed: unreachable, too slow, not RESP, or the credentials were refused. */
export type ConnectFailure = ConnectionError | TimeoutError | ProtocolError | AuthenticationError

type State = "connecting" | "handshaking" | "ready" | "closing" | "closed"

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const DEFAULT_COMMAND_TIMEOUT_MS = 10_000
const DEFAULT_KEEPALIVE_MS = 30_000

/** Milliseconds of a Duration option, with a default; `Infinity` stays infinite. */
export const millisOf = (input: Duration.Input | undefined, fallback: number): number =>
  input === undefined ? fallback : input === Infinity ? Infinity : Duration.toMillis(input)

/**
 * One multiplexed connection to one Redis node.
 *
 * Commands from any number of fibers are encoded into one buffer and written together at the end of the current
 * tick (automatic pipelining: one `write` per tick, whatever the concurrency). Waiters sit in a FIFO in write
 * order; one `data` handler decodes replies and completes waiters directly, with no fiber per command. On
 * connection loss every waiter fails with a `ConnectionError` saying whether its bytes were written; on a
 * malformed reply the connection is closed and its waiters fail with the `ProtocolError`.
 *
 * This is the low-level transport: it moves raw replies (error replies included) to waiters. Turning them into
 * typed values and errors is done by the executors above it.
 */
export class NodeConnection {
  /** `host:port` of the node. */
  readonly address: string
  /** The protocol negotiated by the handshake (2 or 3). */
  protocol: 2 | 3 = 2
  /** Default reply timeout of commands on this connection, in ms. */
  readonly commandTimeoutMs: number
  /** Counters for tests and diagnostics: socket writes and commands queued since the connection opened. */
  readonly stats = { writes: 0, commands: 0 }

  private readonly socket: net.Socket
  private readonly decoder: RespDecoder
  private readonly encoder: CommandEncoder
  private readonly waiters = new WaiterQueue<ReplyWaiter>()
  /** How many waiters at the tail of `waiters` are encoded but not yet written. */
  private unsent = 0
  private flushScheduled = false
  private state: State = "connecting"
  /** Waiters that timed out: their replies will still arrive and are dropped. */
  private readonly expired = new Set<ReplyWaiter>()
  private timer: ReturnType<typeof setTimeout> | undefined = undefined
  private timerAt = Infinity
  private lastSocketError: string | undefined = undefined
  private readonly closeListeners: Array<(reason: string) => void> = []
  private drainListener: (() => void) | undefined = undefined
  private connectListener: ((error: ConnectionError | undefined) => void) | undefined = undefined
  /** When bytes last arrived from the server (`Date.now()` scale); see {@link silentForMs}. */
  private lastDataAt = 0
  /** When the first command written after the server owed us nothing left: silence is counted from here at most. */
  private busySince = 0

  /** The node this connection talks to. */
  readonly nodeAddress: NodeAddress
  /** The options it was opened with. */
  readonly options: ConnectionOptions

  private constructor(nodeAddress: NodeAddress, options: ConnectionOptions) {
    this.nodeAddress = nodeAddress
    this.options = options
    this.address = `${nodeAddress.host}:${nodeAddress.port}`
    this.commandTimeoutMs = millisOf(options.commandTimeout, DEFAULT_COMMAND_TIMEOUT_MS)
    const maxBulkLength = options.maxBulkLength
    this.encoder = new CommandEncoder(maxBulkLength === undefined ? undefined : { maxBulkLength })
    this.decoder = new RespDecoder(
      {
        onReply: (value) => this.onReply(value),
        onPush: (value) => this.options.onPush?.(value),
        onError: (error) => this.onProtocolError(error)
      },
      maxBulkLength === undefined ? undefined : { maxBulkLength }
    )
    const tlsOptions = options.tls
    const keepAlive = options.keepAlive === false ? false : millisOf(options.keepAlive, DEFAULT_KEEPALIVE_MS)
    if (tlsOptions) {
      this.socket = tls.connect({
        host: nodeAddress.host,
        port: nodeAddress.port,
        ...(net.isIP(nodeAddress.host) === 0 ? { servername: nodeAddress.host } : {}),
        ...(tlsOptions === true ? {} : tlsOptions)
      })
      this.socket.once("secureConnect", () => this.onConnected())
    } else {
      this.socket = net.connect({ host: nodeAddress.host, port: nodeAddress.port })
      this.socket.once("connect", () => this.onConnected())
    }
    this.socket.setNoDelay(true)
    if (keepAlive !== false) this.socket.setKeepAlive(true, keepAlive)
    this.socket.on("data", (chunk: Buffer) => {
      // One clock read per chunk (a chunk carries many replies), so a silent node is told from a busy one.
      this.lastDataAt = Date.now()
      this.decoder.feed(chunk)
    })
    this.socket.on("error", (error) => {
      this.lastSocketError = error.message
    })
    this.socket.on("close", () => this.onClosed(this.lastSocketError ?? "connection closed by the server"))
  }

  /**
   * Opens a connection and performs the handshake (HELLO 3 with AUTH and SETNAME, RESP2 fallback, SELECT,
   * READONLY). `connectTimeout` covers both: a server that accepts TCP but never answers (a paused process) fails
   * with a `TimeoutError` instead of hanging; refused credentials fail with an `AuthenticationError`.
   */
  static connect(
    address: NodeAddress,
    options: ConnectionOptions = {}
  ): Effect.Effect<NodeConnection, ConnectFailure> {
    return Effect.suspend(() => {
      const timeoutMs = millisOf(options.connectTimeout, DEFAULT_CONNECT_TIMEOUT_MS)
      const deadline = Date.now() + timeoutMs
      let connection: NodeConnection | undefined
      const open = Effect.callback<NodeConnection, ConnectionError | TimeoutError>((resume) => {
        const conn = new NodeConnection(address, options)
        connection = conn
        const timer = setTimeout(() => {
          conn.destroy("connect timed out")
          resume(Effect.fail(new TimeoutError({ command: "CONNECT", address: conn.address, timeoutMs, written: false })))
        }, timeoutMs)
        conn.connectListener = (error) => {
          clearTimeout(timer)
          resume(error === undefined ? Effect.succeed(conn) : Effect.fail(error))
        }
        return Effect.sync(() => {
          clearTimeout(timer)
          conn.destroy("connect interrupted")
        })
      })
      return open.pipe(
        Effect.flatMap((conn) => handshake(conn, options, deadline)),
        Effect.onError(() => Effect.sync(() => connection?.destroy("handshake failed")))
      )
    })
  }

  /** Whether commands can be sent now. */
  get isReady(): boolean {
    return this.state === "ready"
  }

  /** Whether the connection is gone (closed by either side, or failed). */
  get isClosed(): boolean {
    return this.state === "closed"
  }

  /** Number of commands waiting for a reply (written or not). */
  get inFlight(): number {
    return this.waiters.length
  }

  /**
   * How long the server has sent nothing while it owes replies to commands already written, in ms (0 when it
   * owes nothing). Counted from the later of the last bytes received and the first write after the server owed
   * nothing: a node that answers slowly but steadily is never silent, one that stopped reading (hung, paused,
   * a host gone without a reset) grows silent from its first unanswered write.
   */
  silentForMs(now: number): number {
    if (this.waiters.length - this.unsent === 0 || this.state === "closed") return 0
    return Math.max(0, now - Math.max(this.lastDataAt, this.busySince))
  }

  /**
   * Queues one command. It is written with everything else queued in the same tick. Returns the offending
   * argument if the command cannot be encoded (then nothing was queued and `waiter` is not called). If the
   * connection is not usable, `waiter.onFailure` is called at once with a not-written `ConnectionError`.
   */
  enqueue(args: ReadonlyArray<RespArg>, waiter: ReplyWaiter): InvalidArgument | undefined {
    if (this.state !== "ready" && this.state !== "handshaking") {
      waiter.onFailure(this.connectionError(`connection is ${this.state}`, false, waiter.command))
      return undefined
    }
    const invalid = this.encoder.push(args)
    if (invalid !== undefined) return invalid
    if (this.waiters.length === 0) this.decoder.bulkAsBuffer = waiter.binary
    this.waiters.push(waiter)
    this.unsent++
    this.stats.commands++
    if (waiter.deadline < this.timerAt) this.armTimer(waiter.deadline)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      process.nextTick(this.flush)
    }
    return undefined
  }

  /**
   * Sends one command and resolves with its raw reply (error replies included, as `RespErrorReply` values).
   * For the handshake and internal use; typed commands go through the executors.
   */
  request(
    args: ReadonlyArray<RespArg>,
    deadline: number = Date.now() + this.commandTimeoutMs
  ): Effect.Effect<RespValue, ConnectionFailure | ConnectionError> {
    return Effect.callback<RespValue, ConnectionFailure>((resume) => {
      const invalid = this.enqueue(args, {
        command: String(args[0]),
        binary: false,
        deadline,
        timeoutMs: deadline - Date.now(),
        onReply: (reply) => resume(Effect.succeed(reply)),
        onFailure: (error) => resume(Effect.fail(error))
      })
      if (invalid !== undefined) {
        resume(Effect.fail(this.connectionError(`cannot encode argument ${invalid.index}: ${invalid.reason}`, false)))
      }
    })
  }

  /** Marks the handshake as finished: from now on the connection accepts commands from users. */
  markReady(protocol: 2 | 3): void {
    this.protocol = protocol
    if (this.state === "handshaking") this.state = "ready"
  }

  /** Registers a listener called once when the connection closes, with the reason. */
  onClose(listener: (reason: string) => void): void {
    if (this.state === "closed") listener("connection closed")
    else this.closeListeners.push(listener)
  }

  /**
   * Closes gracefully: new commands are refused, commands in flight get their replies (up to `timeout`), then the
   * socket is closed. Waiters still pending at the timeout fail with a written `ConnectionError`.
   */
  close(timeout: Duration.Input = "5 seconds"): Effect.Effect<void> {
    return Effect.callback<void>((resume) => {
      if (this.state === "closed") return resume(Effect.void)
      this.onClose(() => resume(Effect.void))
      if (this.state === "closing") return
      this.state = "closing"
      const end = () => {
        this.drainListener = undefined
        clearTimeout(timer)
        this.socket.end()
        // A server that never answers the FIN would keep us waiting: destroy after a grace period.
        setTimeout(() => this.destroy("closed"), 1_000).unref()
      }
      const timer = setTimeout(() => this.destroy("close timed out with replies pending"), Duration.toMillis(timeout))
      timer.unref()
      if (this.waiters.length === 0) end()
      else this.drainListener = end
    })
  }

  /** Closes at once: every waiter fails with a `ConnectionError` carrying `reason`. */
  destroy(reason: string): void {
    if (this.state === "closed") return
    this.lastSocketError ??= reason
    this.socket.destroy()
    this.onClosed(reason)
  }

  /**
   * Stops trusting the connection: closes it with a TCP reset and fails every waiter at once with a
   * `ConnectionError` carrying `reason` (`written: true` for commands already written: their outcome is
   * unknown). Nothing read afterwards can reach a waiter, so a reply the node sends later is never taken for a
   * success. The reset does not unsend anything: Linux keeps the bytes a server has not read yet readable after a
   * reset, and a paused server resumed later still executes them (test/tcp-reset.test.ts).
   */
  reset(reason: string): void {
    if (this.state === "closed") return
    this.lastSocketError ??= reason
    try {
      this.socket.resetAndDestroy()
    } catch {
      // TLS sockets (their handle is not a bare TCP one) cannot be reset: a plain close ends them just as well here.
      this.socket.destroy()
    }
    this.onClosed(reason)
  }

  // ---------------------------------------------------------------------------------------------------------
  // internals

  private readonly flush = (): void => {
    this.flushScheduled = false
    if (this.state === "closed") return
    const chunks = this.encoder.take()
    if (this.waiters.length === this.unsent) this.busySince = Date.now()
    this.unsent = 0
    this.stats.writes++
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!)
    } else if (chunks.length > 1) {
      this.socket.cork()
      for (const chunk of chunks) this.socket.write(chunk)
      this.socket.uncork()
    }
  }

  private onConnected(): void {
    this.state = "handshaking"
    const listener = this.connectListener
    this.connectListener = undefined
    listener?.(undefined)
  }

  private onReply(value: RespValue): void {
    const waiter = this.waiters.shift()
    if (waiter === undefined || this.waiters.length < this.unsent) {
      this.decoder.reset()
      this.onProtocolError(new ProtocolError({ reason: "a reply arrived for no command", offset: -1 }))
      return
    }
    const next = this.waiters.peek()
    if (next !== undefined) this.decoder.bulkAsBuffer = next.binary
    if (this.expired.size === 0 || !this.expired.delete(waiter)) waiter.onReply(value)
    if (this.waiters.length === 0 && this.drainListener !== undefined) this.drainListener()
  }

  private onProtocolError(error: ProtocolError): void {
    // The byte stream can no longer be trusted: fail every waiter with the protocol error and drop the socket.
    const waiters = this.takeAllWaiters()
    this.destroy(`protocol error: ${error.reason}`)
    for (const { waiter } of waiters) waiter.onFailure(error)
  }

  private onClosed(reason: string): void {
    if (this.state === "closed") return
    const wasConnecting = this.state === "connecting"
    this.state = "closed"
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (wasConnecting) {
      const listener = this.connectListener
      this.connectListener = undefined
      listener?.(this.connectionError(reason, false, "CONNECT"))
    }
    for (const { waiter, written } of this.takeAllWaiters()) {
      waiter.onFailure(this.connectionError(reason, written, waiter.command))
    }
    const listeners = this.closeListeners.splice(0)
    for (const listener of listeners) listener(reason)
  }

  /** Removes every live waiter (timed-out ones are dropped), noting whether each one's bytes were written. */
  private takeAllWaiters(): Array<{ readonly waiter: ReplyWaiter; readonly written: boolean }> {
    const all = this.waiters.drain()
    const firstUnsent = all.length - this.unsent
    this.unsent = 0
    const out: Array<{ waiter: ReplyWaiter; written: boolean }> = []
    for (let i = 0; i < all.length; i++) {
      const waiter = all[i]!
      if (this.expired.delete(waiter)) continue
      out.push({ waiter, written: i < firstUnsent })
    }
    return out
  }

  private armTimer(at: number): void {
    if (at === Infinity) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(this.onTimer, Math.max(0, at - Date.now()))
    this.timer.unref()
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    this.timerAt = Infinity
    const now = Date.now()
    const count = this.waiters.length
    const firstUnsent = count - this.unsent
    let next = Infinity
    for (let i = 0; i < count; i++) {
      const waiter = this.waiters.at(i)!
      if (this.expired.has(waiter)) continue
      if (waiter.deadline <= now) {
        this.expired.add(waiter)
        waiter.onFailure(
          new TimeoutError({
            command: waiter.command,
            address: this.address,
            timeoutMs: waiter.timeoutMs,
            written: i < firstUnsent
          })
        )
      } else if (waiter.deadline < next) {
        next = waiter.deadline
      }
    }
    if (next !== Infinity) this.armTimer(next)
  }

  private connectionError(reason: string, written: boolean, command?: string): ConnectionError {
    return new ConnectionError({ address: this.address, reason, written, ...(command === undefined ? {} : { command }) })
  }
}
