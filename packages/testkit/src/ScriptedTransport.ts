/**
 * An in-memory `ClusterTransport` for unit tests of the cluster client: a script decides every reply, so
 * routing, redirects, retries and connection failures can be driven without a server.
 *
 * @since 0.1.0
 */
import { ConnectionError, ProtocolError, type RespArg, RespErrorReply, type RespValue, TimeoutError } from "@effect-redis/client"
import type { ReplyWaiter } from "@effect-redis/client/Connection"
import { formatAddress, type NodeSpec, type TopologySpec } from "@effect-redis/cluster"
import { ClusterTransport, type ClusterTransportService, type ConnectFailure, type NodeTransport } from "@effect-redis/cluster/Transport"
import { Context, Effect, Layer } from "effect"

/**
 * One command as the scripted transport received it. `ASKING` is answered `OK` by the transport itself: it is
 * logged, but never given to the script; the command that follows it on the same connection has `asking: true`.
 *
 * @since 0.1.0
 */
export interface ScriptedRequest {
  /** Position in the transport's log, from 0, over every connection. */
  readonly seq: number
  /** Id of the connection it was sent on, from 1 in opening order (see {@link ScriptedConnect.connection}). */
  readonly connection: number
  /** `host:port` of the node (`[host]:port` for IPv6). */
  readonly address: string
  /** The command line as text: numbers in decimal, bytes decoded as UTF-8. */
  readonly args: ReadonlyArray<string>
  /** The arguments as the client gave them. */
  readonly raw: ReadonlyArray<RespArg>
  /** The previous command on this connection was `ASKING`. */
  readonly asking: boolean
  /** The connection was opened with `READONLY` (replica reads). */
  readonly readOnly: boolean
}

/**
 * One connection attempt.
 *
 * @since 0.1.0
 */
export interface ScriptedConnect {
  /** `host:port` of the node. */
  readonly address: string
  /** Whether `READONLY` was asked for. */
  readonly readOnly: boolean
  /** Whether the attempt was refused (see {@link ScriptedTransportService.refuse}). */
  readonly refused: boolean
  /** The id the connection got (its {@link ScriptedRequest.connection}), or 0 when refused. */
  readonly connection: number
}

/**
 * A script's answer that is not a reply: the connection drops, the reply never comes, or the command times out.
 * Build them with {@link ScriptedTransport.drop}, {@link ScriptedTransport.noReply} and
 * {@link ScriptedTransport.timeout}.
 *
 * @since 0.1.0
 */
export class ScriptedFailure {
  /**
   * - `"drop"`: the connection is lost. This command and every other one in flight on the connection fail with a
   *   `ConnectionError` whose `written` is {@link ScriptedFailure.written}; the pool is told the connection closed.
   * - `"noReply"`: the node never answers this command (later commands on the connection are still answered).
   *   It stays in flight until the connection is dropped or closed.
   * - `"timeout"`: the command fails at once with a `TimeoutError` (its deadline is not consulted).
   */
  readonly kind: "drop" | "noReply" | "timeout"
  /** For `drop` and `timeout`: whether the failed commands count as written to the socket. */
  readonly written: boolean
  /** For `drop`: the reason the `ConnectionError`s carry. */
  readonly reason: string

  constructor(kind: "drop" | "noReply" | "timeout", options: { readonly written?: boolean; readonly reason?: string } = {}) {
    this.kind = kind
    this.written = options.written ?? true
    this.reason = options.reason ?? "connection reset (scripted)"
  }
}

/**
 * What the script answers: any reply value (an error reply is a `RespErrorReply`, e.g.
 * `new RespErrorReply("MOVED 3999 127.0.0.1:7001")`), or a {@link ScriptedFailure}.
 *
 * @since 0.1.0
 */
export type ScriptedReply = RespValue | ScriptedFailure

/**
 * Decides the reply to each command. Called when the reply is delivered (asynchronously, in order per
 * connection), so it may keep state in its closure: e.g. answer `MOVED` the first time and a value after.
 * A script that throws fails the command with a `ProtocolError` naming the exception.
 *
 * @since 0.1.0
 */
export type Script = (request: ScriptedRequest) => ScriptedReply

/**
 * The scripted transport: the `ClusterTransport` implementation, its layer, the log of what was sent, and the
 * controls a test uses to break things.
 *
 * @since 0.1.0
 */
export interface ScriptedTransportService {
  /** The `ClusterTransport` implementation. */
  readonly transport: ClusterTransportService
  /** Provides `ClusterTransport` and this service (as {@link ScriptedTransport}). */
  readonly layer: Layer.Layer<ClusterTransport | ScriptedTransport>
  /** Every command sent so far, `ASKING` included, in sending order (a live array: read it when asserting). */
  readonly requests: ReadonlyArray<ScriptedRequest>
  /** Every connection attempt so far, in order (a live array). */
  readonly connects: ReadonlyArray<ScriptedConnect>
  /** Commands sent, optionally only those to `address` and/or named `command` (matched case-insensitively). */
  readonly sent: (filter?: { readonly address?: string; readonly command?: string }) => ReadonlyArray<ScriptedRequest>
  /** Successful connection attempts, to `address` or to any node. */
  readonly connectCount: (address?: string) => number
  /** Connections open now (ready, not closing), to `address` or to any node. */
  readonly openConnections: (address?: string) => number
  /** Replaces the script; commands already delivered are not affected. */
  readonly setScript: (script: Script) => void
  /** From now on, connecting to `address` fails with a not-written `ConnectionError` (connection refused). */
  readonly refuse: (address: string, reason?: string) => void
  /** Lets connections to `address` succeed again. */
  readonly allow: (address: string) => void
  /**
   * Drops the open connections to `address` now: their commands in flight fail with a `ConnectionError`
   * (`written` default true) and the pool hears the connection closed. Returns how many were dropped.
   */
  readonly drop: (address: string, options?: { readonly written?: boolean; readonly reason?: string }) => number
  /** Empties the request and connect logs. */
  readonly clearLog: () => void
  /**
   * Waits (in real time, a few event-loop turns) until no reply delivery or connection attempt is pending, so
   * that the effects of replies have landed before a test asserts. Fibers sleeping on the `TestClock` stay
   * asleep: adjust the clock, then settle again.
   */
  readonly settle: Effect.Effect<void>
}


const argText = (arg: RespArg): string =>
  typeof arg === "string" ? arg : arg instanceof Uint8Array ? Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength).toString("utf8") : String(arg)

type InvalidArgument = NonNullable<ReturnType<NodeTransport["enqueue"]>>

const checkArgs = (args: ReadonlyArray<RespArg>): InvalidArgument | undefined => {
  if (args.length === 0) return { index: 0, reason: "a command needs at least its name" }
  for (let i = 0; i < args.length; i++) {
    const arg: unknown = args[i]
    if (typeof arg === "string" || typeof arg === "bigint" || arg instanceof Uint8Array) continue
    if (typeof arg === "number" && !Number.isNaN(arg)) continue
    return { index: i, reason: `${String(arg)} is not a valid argument (expected string, number, bigint or Uint8Array)` }
  }
  return undefined
}

interface Queued {
  readonly request: ScriptedRequest
  readonly waiter: ReplyWaiter
}

/** The scripted transport's world: shared by every connection it opens. */
class World {
  script: Script
  readonly requests: Array<ScriptedRequest> = []
  readonly connects: Array<ScriptedConnect> = []
  readonly refused = new Map<string, string>()
  readonly connections = new Set<ScriptedConnection>()
  /** Deliveries scheduled but not yet run, plus connection attempts not yet completed. */
  busy = 0
  nextConnection = 1

  constructor(script: Script) {
    this.script = script
  }
}

/** One scripted connection: replies delivered in `setImmediate` turns, FIFO. */
class ScriptedConnection implements NodeTransport {
  readonly address: string
  readonly id: number
  readonly readOnly: boolean
  private readonly world: World
  private state: "ready" | "closing" | "closed" = "ready"
  private readonly queue: Array<Queued> = []
  /** Commands the script chose never to answer. */
  private readonly parked = new Set<Queued>()
  /** When the first of the `parked` commands was left unanswered. */
  private parkedSince = 0
  private flushScheduled = false
  private askingNext = false
  private readonly closeListeners: Array<(reason: string) => void> = []

  constructor(world: World, address: string, id: number, readOnly: boolean) {
    this.world = world
    this.address = address
    this.id = id
    this.readOnly = readOnly
  }

  get isReady(): boolean {
    return this.state === "ready"
  }

  get isClosed(): boolean {
    return this.state === "closed"
  }

  get inFlight(): number {
    return this.queue.length + this.parked.size
  }

  /** Scripted replies always come in the next turn: only commands the script never answers make a node silent. */
  silentForMs(now: number): number {
    return this.parked.size === 0 ? 0 : now - this.parkedSince
  }

  /** Closes at once; commands in flight fail as written. */
  reset(reason: string): void {
    this.shutdown(reason, true)
  }

  enqueue(args: ReadonlyArray<RespArg>, waiter: ReplyWaiter): InvalidArgument | undefined {
    if (this.state !== "ready") {
      waiter.onFailure(this.connectionError(`connection is ${this.state}`, false, waiter.command))
      return undefined
    }
    const invalid = checkArgs(args)
    if (invalid !== undefined) return invalid
    const text = args.map(argText)
    const request: ScriptedRequest = {
      seq: this.world.requests.length,
      connection: this.id,
      address: this.address,
      args: text,
      raw: args,
      asking: this.askingNext,
      readOnly: this.readOnly
    }
    this.askingNext = text[0]!.toUpperCase() === "ASKING"
    this.world.requests.push(request)
    this.queue.push({ request, waiter })
    if (!this.flushScheduled) {
      this.flushScheduled = true
      this.world.busy++
      setImmediate(this.flush)
    }
    return undefined
  }

  onClose(listener: (reason: string) => void): void {
    if (this.state === "closed") listener("connection closed")
    else this.closeListeners.push(listener)
  }

  /** Waits for the replies already queued, then closes; commands the script never answers fail as written. */
  close(): Effect.Effect<void> {
    return Effect.callback<void>((resume) => {
      if (this.state === "closed") return resume(Effect.void)
      this.closeListeners.push(() => resume(Effect.void))
      if (this.state === "closing") return
      this.state = "closing"
      if (this.queue.length === 0) this.shutdown("connection closed", true)
    })
  }

  /** Closes at once: every command in flight fails with a `ConnectionError` (`written` as given). */
  shutdown(reason: string, written: boolean): void {
    if (this.state === "closed") return
    this.state = "closed"
    this.world.connections.delete(this)
    const waiting = [...this.queue.splice(0), ...this.parked]
    this.parked.clear()
    for (const { waiter } of waiting) waiter.onFailure(this.connectionError(reason, written, waiter.command))
    for (const listener of this.closeListeners.splice(0)) listener(reason)
  }

  private readonly flush = (): void => {
    this.flushScheduled = false
    this.world.busy--
    // Commands queued while these replies are handled go out in the next turn, as on a socket.
    let count = this.queue.length
    while (count-- > 0 && this.state !== "closed") {
      const item = this.queue.shift()!
      this.deliver(item)
    }
    if (this.state === "closing" && this.queue.length === 0) this.shutdown("connection closed", true)
  }

  private deliver(item: Queued): void {
    const { request, waiter } = item
    if (request.args[0]!.toUpperCase() === "ASKING") return waiter.onReply("OK")
    let reply: ScriptedReply
    try {
      reply = this.world.script(request)
    } catch (cause) {
      return waiter.onFailure(new ProtocolError({ reason: `the script threw: ${String(cause)}`, offset: -1 }))
    }
    if (!(reply instanceof ScriptedFailure)) return waiter.onReply(reply)
    switch (reply.kind) {
      case "noReply":
        if (this.parked.size === 0) this.parkedSince = Date.now()
        this.parked.add(item)
        return
      case "timeout":
        return waiter.onFailure(new TimeoutError({ command: waiter.command, address: this.address, timeoutMs: waiter.timeoutMs, written: reply.written }))
      case "drop":
        this.queue.unshift(item)
        return this.shutdown(reply.reason, reply.written)
    }
  }

  private connectionError(reason: string, written: boolean, command: string): ConnectionError {
    return new ConnectionError({ address: this.address, reason, written, command })
  }
}

const makeService = (initial: Script): ScriptedTransportService => {
  const world = new World(initial)

  const connect: ClusterTransportService["connect"] = (node, { readOnly }) =>
    Effect.callback<NodeTransport, ConnectFailure>((resume) => {
      const address = formatAddress(node.host, node.port)
      const refusal = world.refused.get(address)
      const id = refusal === undefined ? world.nextConnection++ : 0
      world.connects.push({ address, readOnly, refused: refusal !== undefined, connection: id })
      world.busy++
      let done = false
      const handle = setImmediate(() => {
        done = true
        world.busy--
        if (refusal !== undefined) {
          return resume(Effect.fail(new ConnectionError({ address, reason: refusal, written: false, command: "CONNECT" })))
        }
        const conn = new ScriptedConnection(world, address, id, readOnly)
        world.connections.add(conn)
        resume(Effect.succeed(conn))
      })
      return Effect.sync(() => {
        if (done) return
        clearImmediate(handle)
        world.busy--
      })
    })

  const transport: ClusterTransportService = { connect }

  const turn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
  const settle = Effect.gen(function*() {
    // Idle for three turns in a row: replies landed, fibers they woke ran, and nothing new was sent.
    let idle = 0
    for (let i = 0; i < 10_000 && idle < 3; i++) {
      yield* Effect.yieldNow
      yield* turn
      idle = world.busy === 0 ? idle + 1 : 0
    }
  })

  let layer: Layer.Layer<ClusterTransport | ScriptedTransport> | undefined
  const service: ScriptedTransportService = {
    transport,
    get layer() {
      return (layer ??= Layer.mergeAll(Layer.succeed(ClusterTransport, transport), Layer.succeed(ScriptedTransport, service)))
    },
    requests: world.requests,
    connects: world.connects,
    sent: (filter = {}) =>
      world.requests.filter((r) =>
        (filter.address === undefined || r.address === filter.address) &&
        (filter.command === undefined || r.args[0]!.toUpperCase() === filter.command.toUpperCase())
      ),
    connectCount: (address) => world.connects.filter((c) => !c.refused && (address === undefined || c.address === address)).length,
    openConnections: (address) => [...world.connections].filter((c) => c.isReady && (address === undefined || c.address === address)).length,
    setScript: (script) => {
      world.script = script
    },
    refuse: (address, reason = `connect ECONNREFUSED ${address}`) => {
      world.refused.set(address, reason)
    },
    allow: (address) => {
      world.refused.delete(address)
    },
    drop: (address, options = {}) => {
      const targets = [...world.connections].filter((c) => c.address === address)
      for (const conn of targets) conn.shutdown(options.reason ?? "connection reset (scripted)", options.written ?? true)
      return targets.length
    },
    clearLog: () => {
      world.requests.length = 0
      world.connects.length = 0
    },
    settle
  }
  return service
}

/** A RESP2 flat `[name, value, ...]` array or a RESP3 map of the same fields. */
const record = (resp3: boolean, fields: ReadonlyArray<readonly [string, RespValue]>): RespValue =>
  resp3 ? new Map<RespValue, RespValue>(fields) : fields.flatMap(([name, value]) => [name, value])

const nodeFields = (spec: NodeSpec, role: "master" | "replica", resp3: boolean): RespValue => {
  const parts = typeof spec === "string"
    ? { host: spec.slice(0, spec.lastIndexOf(":")), port: Number(spec.slice(spec.lastIndexOf(":") + 1)) }
    : spec
  const address = `${parts.host}:${parts.port}`
  const id = typeof spec === "string" ? address : spec.id ?? address
  const health = typeof spec === "string" ? "online" : spec.health ?? "online"
  return record(resp3, [
    ["id", id],
    ["port", parts.port],
    ["ip", parts.host],
    ["endpoint", parts.host],
    ["role", role],
    ["replication-offset", 0],
    ["health", health]
  ])
}

/**
 * An in-memory `ClusterTransport`. Every command goes to a {@link Script} that decides its reply; replies are
 * delivered asynchronously (in a `setImmediate` turn, like socket data), in order per connection, and each
 * waiter hears exactly once. The transport logs every command and connection attempt, and lets a test refuse
 * connections and drop them.
 *
 * ```ts
 * const transport = ScriptedTransport.make((req) =>
 *   req.address === "127.0.0.1:7000" ? ScriptedTransport.moved(keySlot("k"), "127.0.0.1:7001") : "v")
 * const layer = RedisCluster.layerWith({ commandTimeout: Infinity }).pipe(
 *   Layer.provideMerge(ClusterTopology.layerStatic({ shards: [{ primary: "127.0.0.1:7000", slots: [[0, 16383]] }] })),
 *   Layer.provideMerge(NodePool.layer()),
 *   Layer.provide(transport.layer)
 * )
 * // ... then assert on transport.sent({ command: "GET" })
 * ```
 *
 * Deadlines are not enforced (use {@link ScriptedTransport.timeout} to time a command out), `close` ignores its
 * timeout, and `ASKING` is answered `OK` without consulting the script.
 *
 * @since 0.1.0
 */
export class ScriptedTransport extends Context.Service<ScriptedTransport, ScriptedTransportService>()(
  "@effect-redis/testkit/ScriptedTransport"
) {
  /** A new scripted transport (a plain object, created synchronously: keep it to assert on its log). */
  static make(script: Script): ScriptedTransportService {
    return makeService(script)
  }

  /**
   * A new scripted transport as a layer providing `ClusterTransport` and {@link ScriptedTransport}. To assert on its
   * log, merge it into the test's context (`Layer.provideMerge`) and `yield* ScriptedTransport`, or keep the
   * handle of {@link ScriptedTransport.make} and use its `layer`.
   */
  static layer(script: Script): Layer.Layer<ClusterTransport | ScriptedTransport> {
    return makeService(script).layer
  }

  /** The connection drops while this command is in flight (`written` default true). */
  static drop(options: { readonly written?: boolean; readonly reason?: string } = {}): ScriptedFailure {
    return new ScriptedFailure("drop", options)
  }

  /** The node never answers this command. */
  static readonly noReply: ScriptedFailure = new ScriptedFailure("noReply")

  /** The command fails with a `TimeoutError` (`written` default true). */
  static timeout(options: { readonly written?: boolean } = {}): ScriptedFailure {
    return new ScriptedFailure("timeout", options)
  }

  /** `MOVED slot address`. */
  static moved(slot: number, address: string): RespErrorReply {
    return new RespErrorReply(`MOVED ${slot} ${address}`)
  }

  /** `ASK slot address`. */
  static ask(slot: number, address: string): RespErrorReply {
    return new RespErrorReply(`ASK ${slot} ${address}`)
  }

  /** An error reply with the given full text, e.g. `ScriptedTransport.error("TRYAGAIN Multiple keys request during rehashing of slot")`. */
  static error(message: string): RespErrorReply {
    return new RespErrorReply(message)
  }

  /**
   * A `CLUSTER SHARDS` reply describing `spec` (the layout type of `ClusterTopology.layerStatic`): RESP2 flat
   * arrays by default, RESP3 maps with `resp3: true`.
   */
  static clusterShards(spec: TopologySpec, options: { readonly resp3?: boolean } = {}): RespValue {
    const resp3 = options.resp3 ?? false
    return spec.shards.map((shard) =>
      record(resp3, [
        ["slots", shard.slots.flatMap((s) => (typeof s === "number" ? [s, s] : [s[0], s[1]]))],
        ["nodes", [nodeFields(shard.primary, "master", resp3), ...(shard.replicas ?? []).map((r) => nodeFields(r, "replica", resp3))]]
      ])
    )
  }
}
