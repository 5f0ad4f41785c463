import { AuthenticationError } from "@effect-redis/client"
import type { ReplyWaiter } from "@effect-redis/client/Connection"
import { isRespErrorReply, type RespArg, type RespValue } from "@effect-redis/resp"
import { Duration, Effect, Exit, Option } from "effect"
import type { NodeTransport } from "../transport/ClusterTransport.ts"
import type { NodePoolService } from "../transport/NodePool.ts"
import { type AddressRemap, LayoutParseError, parseClusterShards, parseClusterSlots } from "./ClusterReplyParsing.ts"
import { ClusterSnapshot, type NodeAddressParts } from "./ClusterSnapshot.ts"

/** How discovery asks nodes. */
export interface DiscoveryOptions {
  readonly tls: boolean
  readonly addressRemap: AddressRemap | undefined
  /** How many nodes are asked at once; the view most of them agree on wins. */
  readonly sampleSize: number
  /** Time allowed to connect to and hear from one node. */
  readonly timeout: Duration.Duration
  /** The ACL user connections authenticate as, named when a node refuses discovery (`NOAUTH`, `NOPERM`). */
  readonly username: string
}

/** Error replies to CLUSTER SHARDS / SLOTS that mean this client's credentials cannot discover the cluster. */
const REFUSED_CODES: ReadonlySet<string> = new Set(["NOAUTH", "NOPERM"])

/** One node's answer: a picture, or why there is none (with the typed error when it refused our credentials). */
type NodeView =
  | { readonly node: string; readonly snapshot: ClusterSnapshot }
  | { readonly node: string; readonly error: string; readonly refused?: AuthenticationError }

/** What one discovery round found. */
export interface DiscoveryResult {
  /** The views `accept` took, from the first group that gave one. */
  readonly accepted: ReadonlyArray<ClusterSnapshot>
  /** Every view seen, accepted or not (for the error message). */
  readonly seen: ReadonlyArray<ClusterSnapshot>
  /** Every node that gave no view, and why. */
  readonly failures: ReadonlyArray<string>
  /** Nodes that refused the credentials: no retry can fix these. */
  readonly refused: ReadonlyArray<AuthenticationError>
}

/** Sends one command on a transport and waits for its raw reply (error replies included). */
export const requestRaw = (conn: NodeTransport, args: ReadonlyArray<RespArg>, timeoutMs: number): Effect.Effect<RespValue, string> =>
  Effect.callback<RespValue, string>((resume) => {
    const waiter: ReplyWaiter = {
      command: String(args[0]),
      binary: false,
      deadline: Date.now() + timeoutMs,
      timeoutMs,
      onReply: (reply) => resume(Exit.succeed(reply)),
      onFailure: (error) => resume(Exit.fail(error.message))
    }
    const invalid = conn.enqueue(args, waiter)
    if (invalid !== undefined) resume(Exit.fail(invalid.reason))
  })

/**
 * Asks nodes for the cluster's layout. `CLUSTER SHARDS` (Redis 7+, also lists replicas' health and slotless
 * primaries) is tried first; a server that does not know it is asked `CLUSTER SLOTS`.
 */
export class TopologyDiscovery {
  private readonly pool: NodePoolService
  private readonly options: DiscoveryOptions
  /** Set once a node answered that CLUSTER SHARDS is unknown: older servers, skip straight to CLUSTER SLOTS. */
  private shardsUnsupported = false

  constructor(pool: NodePoolService, options: DiscoveryOptions) {
    this.pool = pool
    this.options = options
  }

  /**
   * Asks `candidates` in groups of `sampleSize` until a group yields at least one view `accept`s, then returns
   * the accepted views of that group. When none does, every view seen (for the error message) and every failure
   * are returned.
   */
  discover(
    candidates: ReadonlyArray<NodeAddressParts>,
    accept: (view: ClusterSnapshot) => boolean
  ): Effect.Effect<DiscoveryResult> {
    const self = this
    return Effect.gen(function*() {
      const failures: Array<string> = []
      const refused: Array<AuthenticationError> = []
      const seen: Array<ClusterSnapshot> = []
      for (let i = 0; i < candidates.length; i += self.options.sampleSize) {
        const group = candidates.slice(i, i + self.options.sampleSize)
        const answers = yield* Effect.forEach(group, (node) => self.ask(node), { concurrency: "unbounded" })
        const accepted: Array<ClusterSnapshot> = []
        for (const answer of answers) {
          if ("snapshot" in answer) {
            seen.push(answer.snapshot)
            if (accept(answer.snapshot)) accepted.push(answer.snapshot)
          } else {
            failures.push(`${answer.node}: ${answer.error}`)
            if (answer.refused !== undefined) refused.push(answer.refused)
          }
        }
        if (accepted.length > 0) return { accepted, seen, failures, refused }
      }
      return { accepted: [], seen, failures, refused }
    })
  }

  /** One node's view of the cluster. */
  private ask(node: NodeAddressParts): Effect.Effect<NodeView> {
    const name = `${node.host}:${node.port}`
    const timeoutMs = Duration.toMillis(this.options.timeout)
    const context = { askedHost: node.host, tls: this.options.tls, addressRemap: this.options.addressRemap }
    const self = this
    const layout = Effect.gen(function*() {
      const conn = yield* Effect.mapError(
        self.pool.connect(node),
        (error): NodeView => ({ node: name, error: error.message, ...(error._tag === "AuthenticationError" ? { refused: error } : {}) })
      )
      // No credentials given under RESP2 (no handshake command to refuse them), or a user without the right to
      // discover: the node answers the discovery itself with NOAUTH / NOPERM.
      const refusedBy = (step: string, reply: RespValue) =>
        isRespErrorReply(reply) && REFUSED_CODES.has(reply.code)
          ? Effect.fail<NodeView>({
            node: name,
            error: reply.message,
            refused: new AuthenticationError({ address: name, username: self.options.username, step, code: reply.code, reason: reply.message })
          })
          : Effect.void
      if (!self.shardsUnsupported) {
        const reply = yield* requestRaw(conn, ["CLUSTER", "SHARDS"], timeoutMs)
        yield* refusedBy("CLUSTER SHARDS", reply)
        if (!(isRespErrorReply(reply) && /unknown subcommand|unknown command/i.test(reply.message))) {
          return parseClusterShards(reply, context)
        }
        self.shardsUnsupported = true
      }
      const slots = yield* requestRaw(conn, ["CLUSTER", "SLOTS"], timeoutMs)
      yield* refusedBy("CLUSTER SLOTS", slots)
      return parseClusterSlots(slots, context)
    })
    return layout.pipe(
      Effect.timeoutOption(this.options.timeout),
      Effect.map((result): NodeView =>
        Option.isNone(result)
          ? { node: name, error: `no answer within ${Duration.format(this.options.timeout)}` }
          : result.value instanceof LayoutParseError
          ? { node: name, error: result.value.reason }
          : { node: name, snapshot: ClusterSnapshot.make(result.value) }
      ),
      Effect.catch((error) => Effect.succeed<NodeView>(typeof error === "string" ? { node: name, error } : error))
    )
  }
}

/**
 * The view most nodes agree on, voting on slot ownership only (replica lists and health differ between nodes
 * for harmless reasons). Ties go to the view covering more slots, then to the first answer: a node that has not
 * yet heard of a failover is outvoted by the ones that have.
 */
export const preferredView = (views: ReadonlyArray<ClusterSnapshot>): ClusterSnapshot | undefined => {
  const votes = new Map<string, { snapshot: ClusterSnapshot; count: number }>()
  for (const view of views) {
    const key = view.ownership
    const entry = votes.get(key)
    if (entry === undefined) votes.set(key, { snapshot: view, count: 1 })
    else entry.count++
  }
  let best: { snapshot: ClusterSnapshot; count: number } | undefined
  for (const entry of votes.values()) {
    if (
      best === undefined || entry.count > best.count ||
      (entry.count === best.count && entry.snapshot.uncoveredSlots < best.snapshot.uncoveredSlots)
    ) best = entry
  }
  return best?.snapshot
}
