import type { RespArg, RespValue } from "@effect-redis/resp"
import type { Schema } from "effect"
import { type Command, makeCommand, specOf } from "../Command.ts"
import { ClusterPolicy } from "../ClusterPolicy.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { fromSchema, type Reply } from "../Reply.ts"
import * as Replies from "../Replies.ts"

/** Options of {@link call}: what the client cannot know about an untyped command. */
export interface CallOptions<A> {
  /** Decode the reply with this Schema (from the raw RESP value) or Reply instead of returning it raw. */
  readonly reply?: Schema.Codec<A, unknown> | Reply<A> | undefined
  /** Indices (in the full command line, 0 = name) of key arguments, for cluster routing. Default: none. */
  readonly keys?: ReadonlyArray<number> | undefined
  /** The command only reads: it may be sent again after a lost connection. Default false. */
  readonly readonly?: boolean | undefined
}

const rawSpec = specOf({ name: "CALL", keys: noKeys, reply: Replies.raw, policy: ClusterPolicy.anyNode })

// Commands whose replies arrive as push messages or that change the connection's state: on a shared multiplexed
// connection they would hang or corrupt other callers' replies. They get their own APIs.
const CONNECTION_STATE = new Set([
  "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR",
  "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "AUTH", "HELLO", "RESET", "QUIT", "CLIENT TRACKING", "READONLY", "READWRITE"
])

const isReply = <A>(u: Schema.Codec<A, unknown> | Reply<A>): u is Reply<A> =>
  typeof (u as Reply<A>).decode === "function" && "binary" in u

/**
 * Runs any command, typed or not: `Redis.call(["OBJECT", "FREQ", "k"])`. Returns the decoded RESP reply value
 * (`RespValue`), or the value of `options.reply` when given. Commands that would break a shared connection
 * (SUBSCRIBE, MULTI, SELECT, AUTH...) are refused with an `InvalidArgumentError`.
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
  const second = typeof args[1] === "string" ? `${name} ${(args[1] as string).toUpperCase()}` : name
  if (CONNECTION_STATE.has(name) || CONNECTION_STATE.has(second)) {
    return makeCommand(rawSpec, [name], `${second} changes the connection's state; use the dedicated API`)
  }
  if (options === undefined) return makeCommand({ ...rawSpec, name }, args)
  const reply = options.reply === undefined ? Replies.raw : isReply(options.reply) ? options.reply : fromSchema(options.reply)
  const keys = options.keys
  const spec = specOf<A | RespValue>({
    name,
    flags: options.readonly === true ? CommandFlags.readonly : CommandFlags.none,
    keys: keys === undefined || keys.length === 0 ? noKeys : () => keys,
    reply: reply as Reply<A | RespValue>,
    policy: keys === undefined || keys.length === 0 ? ClusterPolicy.anyNode : ClusterPolicy.singleSlot
  })
  return makeCommand(spec, args)
}

