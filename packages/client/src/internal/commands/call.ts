import type { RespArg, RespValue } from "@effect-redis/resp"
import type { Schema } from "effect"
import { catalogEntryOfArgs, catalogKeyPositions, isReadonlyEntry } from "../catalog/CommandCatalog.ts"
import { allDefinedSpecs, type Command, type CommandSpec, makeCommand, makeSpec } from "../../Command.ts"
import type { CatalogEntry } from "../catalog/CatalogEntry.ts"
import { ClusterPolicy } from "../ClusterPolicy.ts"
import { clusterRoutingOf } from "../ClusterRouting.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { fromSchema, type Reply } from "../Reply.ts"
import * as Replies from "../../Replies.ts"

/** Options of {@link call}: what the client cannot know about an untyped command. */
export interface CallOptions<A> {
  /** Decode the reply with this Schema (from the raw RESP value) or Reply instead of returning it raw. */
  readonly reply?: Schema.Codec<A, unknown> | Reply<A> | undefined
  /**
   * Indices (in the full command line, 0 = name) of key arguments, for cluster routing. Default: where the
   * command catalog's key specs put them (none for commands the catalog does not know, e.g. module commands).
   */
  readonly keys?: ReadonlyArray<number> | undefined
  /**
   * The command only reads: it may be served by a replica and sent again after a lost connection. Default: the
   * catalog's `readonly` flag (false for unknown commands).
   */
  readonly readonly?: boolean | undefined
}

const rawSpec = makeSpec({ name: "CALL", keys: noKeys, reply: Replies.raw, policy: ClusterPolicy.anyNode })

// Commands whose replies arrive as push messages or that change the connection's state: on a shared multiplexed
// connection they would hang or corrupt other callers' replies. They get their own APIs.
const CONNECTION_STATE = new Set([
  "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR",
  "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "AUTH", "HELLO", "RESET", "QUIT", "CLIENT TRACKING",
  "CLIENT SETNAME", "CLIENT REPLY", "CLIENT CACHING", "READONLY", "READWRITE", "ASKING", "SCRIPT DEBUG",
  // The replication protocol: the connection would become a replication stream.
  "SYNC", "PSYNC", "REPLCONF"
])

// One spec per catalog command (raw reply), built on first use: routing an untyped call costs a map lookup.
const catalogSpecs = new Map<string, CommandSpec<RespValue>>()

/**
 * What an untyped call of a blocking command needs to run like its typed builder (on a dedicated connection, with
 * its block time added to the deadline): the builder's `blockingTimeout` and its connection-state flag (WAIT).
 */
const blockingOf = (entry: CatalogEntry | undefined): BlockingTraits => {
  if (entry === undefined || !entry.flags.includes("blocking")) return notBlocking
  let traits = blockingTraits.get(entry.name)
  if (traits === undefined) {
    const typed = allDefinedSpecs().find((spec) => spec.name === entry.name && spec.blockingTimeout !== undefined)
    traits = { blockingTimeout: typed?.blockingTimeout, flags: (typed?.flags ?? 0) & CommandFlags.connectionState }
    blockingTraits.set(entry.name, traits)
  }
  return traits
}

type BlockingTraits = Pick<CommandSpec<unknown>, "blockingTimeout"> & { readonly flags: number }
const notBlocking: BlockingTraits = { blockingTimeout: undefined, flags: 0 }
// Looked up once per command name: the typed builders' specs do not change after their modules load.
const blockingTraits = new Map<string, BlockingTraits>()

/**
 * The routing of a call declared keyless (`{ keys: [] }`): any node, except for commands a cluster refuses
 * (SCAN's cursor, MOVE...): declaring no keys does not make one node's answer the cluster's.
 */
const explicitlyKeyless = (name: string): ClusterPolicy => {
  const routed = clusterRoutingOf(name)
  return routed !== undefined && (routed._tag === "unsupported" || routed._tag === "perNode") ? routed : ClusterPolicy.anyNode
}

const isReply = <A>(u: Schema.Codec<A, unknown> | Reply<A>): u is Reply<A> =>
  typeof (u as Reply<A>).decode === "function" && "binary" in u

/**
 * Runs any command, typed or not: `Redis.call(["OBJECT", "FREQ", "k"])`. Returns the decoded RESP reply value
 * (`RespValue`), or the value of `options.reply` when given.
 *
 * The command catalog (generated from the server's COMMAND INFO) tells where the keys are and whether the
 * command only reads, and the cluster routing table how a cluster runs it: `Redis.call(["DBSIZE"])` on a cluster
 * sums every primary's count, `Redis.call(["ZUNIONSTORE", "d", 2, "a", "b"])` goes to the keys' slot. Commands
 * that would break a shared connection (SUBSCRIBE, MULTI, SELECT, AUTH...) are refused with an
 * `InvalidArgumentError` naming the command (not its arguments); on a cluster, those the routing table marks as
 * unsupported there (SELECT, MONITOR, SYNC...) fail with `UnsupportedInClusterError` instead.
 */
export function call(args: ReadonlyArray<RespArg>): Command<RespValue>
export function call<A>(args: ReadonlyArray<RespArg>, options: CallOptions<A> & { readonly reply: Schema.Codec<A, unknown> | Reply<A> }): Command<A>
export function call(args: ReadonlyArray<RespArg>, options: CallOptions<RespValue>): Command<RespValue>
export function call<A>(args: ReadonlyArray<RespArg>, options?: CallOptions<A>): Command<A | RespValue> {
  const first = args[0]
  if (typeof first !== "string" || first.length === 0) {
    return makeCommand(rawSpec, ["CALL"], "the first element must be the command name")
  }
  const name = first.toUpperCase()
  // A subcommand given as bytes is checked too: CLIENT <bytes "TRACKING"> must not slip past the refusals below.
  const sub = args[1]
  const subText = typeof sub === "string" ? sub : sub instanceof Uint8Array ? Buffer.from(sub).toString("latin1") : undefined
  const second = subText !== undefined ? `${name} ${subText.toUpperCase()}` : name
  // Named as the command is named (CLIENT TRACKING, WATCH): the user's arguments (keys, channels) are not part of it.
  const refused = CONNECTION_STATE.has(second) ? second : CONNECTION_STATE.has(name) ? name : undefined
  if (refused !== undefined) {
    // A cluster client reads the routing table first: SELECT, MONITOR, SYNC... fail there as unsupported on a cluster.
    const spec = makeSpec({
      name: refused,
      flags: CommandFlags.refused,
      keys: noKeys,
      reply: Replies.raw,
      policy: clusterRoutingOf(refused) ?? ClusterPolicy.anyNode
    })
    return makeCommand(spec, [refused], `${refused} changes the connection's state; use the dedicated API`)
  }
  const entry = catalogEntryOfArgs(args)
  if (options === undefined || (options.reply === undefined && options.keys === undefined && options.readonly === undefined)) {
    if (entry === undefined) return makeCommand({ ...rawSpec, name }, args)
    let spec = catalogSpecs.get(entry.name)
    if (spec === undefined) {
      const blocking = blockingOf(entry)
      spec = makeSpec({
        name: entry.name,
        flags: (isReadonlyEntry(entry) ? CommandFlags.readonly : CommandFlags.none) | blocking.flags,
        keys: entry.keySpecs.length > 0 ? catalogKeyPositions(entry) : noKeys,
        reply: Replies.raw,
        blockingTimeout: blocking.blockingTimeout
      })
      catalogSpecs.set(entry.name, spec)
    }
    return makeCommand(spec, args)
  }
  const reply = options.reply === undefined ? Replies.raw : isReply(options.reply) ? options.reply : fromSchema(options.reply)
  const keys = options.keys
  const keyPositions = keys !== undefined
    ? (keys.length === 0 ? noKeys : () => keys)
    : entry !== undefined && entry.keySpecs.length > 0 ? catalogKeyPositions(entry) : noKeys
  const readonly = options.readonly ?? (entry !== undefined && isReadonlyEntry(entry))
  const blocking = blockingOf(entry)
  const spec = makeSpec<A | RespValue>({
    name: entry?.name ?? name,
    flags: (readonly ? CommandFlags.readonly : CommandFlags.none) | blocking.flags,
    blockingTimeout: blocking.blockingTimeout,
    keys: keyPositions,
    reply: reply as Reply<A | RespValue>,
    policy: keyPositions === noKeys && keys !== undefined ? explicitlyKeyless(entry?.name ?? name) : undefined
  })
  return makeCommand(spec, args)
}
