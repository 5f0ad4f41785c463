import { type Command, type CommandSpec, type RedisError, ReplyError } from "@effect-redis/client"
import { allKeys, CommandFlags, firstKey, type KeyPositions, makeCommand, makeReply, makeSpec, noKeys } from "@effect-redis/client/Command"
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect, Result, Schema } from "effect"
import { randomBytes } from "node:crypto"
import { keySlot } from "../../../KeySlot.ts"
import type { NodeAddressParts } from "../../topology/ClusterSnapshot.ts"

// What every client-side cross-slot emulation shares: how sub-commands are built and run, how members, scores and
// arguments are read the way the server reads them, and how results are stored in one atomic step.

/** What an emulation may do: run sub-commands through the cluster executor, each routed by its own slot. */
export interface EmulationRunner {
  /** The emulated command's name (`RENAME`), for error messages. */
  readonly name: string
  /** Whether the caller wants bulk strings as bytes (the emulated command's reply is binary). */
  readonly binary: boolean
  /**
   * Whether the emulated command only reads (its flags say `readonly`): only then may its reads go to replicas
   * (per `readFrom`). Reads that feed a write always go to the primaries.
   */
  readonly readonly: boolean
  /** Runs one sub-command: routing by its keys, redirects and retries as for any command. */
  readonly run: <A>(command: Command<A>) => Effect.Effect<A, RedisError>
  /** Runs sub-commands as one pipeline (one write per node); each one's own outcome, in order. */
  readonly pipeline: (commands: ReadonlyArray<Command<RespValue>>) => Effect.Effect<ReadonlyArray<Result.Result<RespValue, RedisError>>>
  /** Runs one sub-command on the given node, whatever the slot map says. */
  readonly runOnNode: <A>(node: NodeAddressParts, command: Command<A>) => Effect.Effect<A, RedisError>
  /** The primaries of the current topology. */
  readonly primaries: () => ReadonlyArray<NodeAddressParts & { readonly address: string }>
}

/**
 * A client-side implementation of one command whose keys span slots: given the command's full argument list
 * (`args[0]` is the name), it runs single-slot sub-commands and returns the reply the server would have sent for
 * the whole command, shaped as its RESP2 reply (the command's own reply decoder then decodes it). Error replies the
 * server would give become failed `ReplyError`s.
 */
export type Emulation = (args: ReadonlyArray<RespArg>, runner: EmulationRunner) => Effect.Effect<RespValue, RedisError>

// Sub-commands ------------------------------------------------------------------------------------------------------

/** The raw reply with bulk strings as bytes: members are compared and copied byte for byte. */
const rawBytes = makeReply(Schema.Unknown as unknown as Schema.Codec<RespValue, RespValue>, (value) => value, { binary: true })

/**
 * How a sub-command may be run: `read` goes to the primary and may be sent again after a lost connection,
 * `replicaRead` follows `readFrom`, `write` goes to the primary and is never sent twice.
 */
export type Access = "read" | "write"

const flagsOf = { read: CommandFlags.replaySafe, replicaRead: CommandFlags.readonly, write: CommandFlags.write } as const

/** Keys of the multi-key sub-commands (all their keys share one slot); the others have one key, first. */
const KEYS: Readonly<Record<string, KeyPositions>> = {
  DEL: allKeys,
  RANDOMKEY: noKeys,
  SUNIONSTORE: allKeys,
  PFMERGE: allKeys,
  PFCOUNT: allKeys,
  ZUNIONSTORE: (args) => [1, 3]
}

/** Seconds (BLPOP's last argument) to milliseconds; 0 blocks until data arrives. */
const blockingTimeoutOf = (args: ReadonlyArray<RespArg>): number | undefined => {
  const seconds = parseDouble(args[args.length - 1]!)
  return seconds === undefined || seconds <= 0 ? 0 : Math.ceil(seconds * 1000)
}

const specs = new Map<string, CommandSpec<RespValue>>()

const subSpec = (name: string, kind: keyof typeof flagsOf): CommandSpec<RespValue> => {
  const id = `${name} ${kind}`
  let spec = specs.get(id)
  if (spec === undefined) {
    spec = makeSpec({
      name,
      flags: flagsOf[kind],
      keys: KEYS[name] ?? firstKey,
      reply: rawBytes,
      blockingTimeout: name === "BLPOP" || name === "BRPOP" ? blockingTimeoutOf : undefined
    })
    specs.set(id, spec)
  }
  return spec
}

/** One sub-command (`args[0]` is its name), its reply raw with bulk strings as bytes. */
export const sub = (runner: EmulationRunner, access: Access, args: ReadonlyArray<RespArg>): Command<RespValue> =>
  makeCommand(subSpec(args[0] as string, access === "read" && runner.readonly ? "replicaRead" : access), args)

/** Runs one sub-command. */
export const run = (runner: EmulationRunner, access: Access, args: ReadonlyArray<RespArg>): Effect.Effect<RespValue, RedisError> =>
  runner.run(sub(runner, access, args))

/** Runs sub-commands as one pipeline; fails with the first failure in order, else their replies. */
export const runAll = (
  runner: EmulationRunner,
  access: Access,
  commands: ReadonlyArray<ReadonlyArray<RespArg>>
): Effect.Effect<ReadonlyArray<RespValue>, RedisError> =>
  commands.length === 0 ? Effect.succeed([]) : Effect.flatMap(runner.pipeline(commands.map((args) => sub(runner, access, args))), allSucceeded)

/** The values when every result succeeded, else the first failure. */
export const allSucceeded = <A>(results: ReadonlyArray<Result.Result<A, RedisError>>): Effect.Effect<ReadonlyArray<A>, RedisError> => {
  const values: Array<A> = []
  for (const result of results) {
    if (Result.isFailure(result)) return Effect.fail(result.failure)
    values.push(result.success)
  }
  return Effect.succeed(values)
}

// Errors ------------------------------------------------------------------------------------------------------------

/** The server's reply texts the emulations reproduce, so an emulated command fails exactly like the real one. */
export const SYNTAX_ERROR = "ERR syntax error"
/** See {@link SYNTAX_ERROR}. */
export const WRONG_TYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
/** See {@link SYNTAX_ERROR}. */
export const NOT_AN_INTEGER = "ERR value is not an integer or out of range"

/**
 * The error reply the server would send, as a failure. The command name is filled in by the executor (every
 * `ReplyError` an emulation fails with is reported under the emulated command's name).
 */
export const serverError = (message: string): Effect.Effect<never, ReplyError> => {
  const space = message.indexOf(" ")
  return Effect.fail(new ReplyError({ code: space === -1 ? message : message.slice(0, space), message, command: "" }))
}

/** The server's reply to a wrong argument count. */
export const arityError = (name: string): Effect.Effect<never, ReplyError> =>
  serverError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`)

/** Whether `error` is a WRONGTYPE error reply. */
export const isWrongType = (error: RedisError): boolean => error._tag === "ReplyError" && error.code === "WRONGTYPE"

/**
 * Whether a failed write certainly did not run: the server refused it (an error reply, TRYAGAIN, CLUSTERDOWN,
 * too many redirects, credentials refused while connecting) or its bytes never reached a socket. After a lost
 * connection or a timeout on the wire the outcome is unknown.
 */
export const certainlyNotApplied = (error: RedisError): boolean => {
  switch (error._tag) {
    case "ReplyError":
    case "UnknownCommandError":
    case "InvalidArgumentError":
    case "CrossSlotError":
    case "UnsupportedInClusterError":
    case "TryAgainError":
    case "ClusterDownError":
    case "RedirectionLimitError":
    case "AuthenticationError":
    case "NodeUnresponsiveError":
      return true
    case "ConnectionError":
    case "TimeoutError":
      return !error.written
    default:
      return false
  }
}

// Arguments ---------------------------------------------------------------------------------------------------------

/** An argument as text (bytes read as UTF-8). */
export const argText = (arg: RespArg): string =>
  typeof arg === "string" ? arg : arg instanceof Uint8Array ? Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength).toString("utf8") : String(arg)

/** Whether an argument is the keyword `word` (upper case), compared case-insensitively as the server does. */
export const isKeyword = (arg: RespArg | undefined, word: string): boolean => arg !== undefined && argText(arg).toUpperCase() === word

/** An integer argument as the server parses it (`string2ll`: no sign but `-`, no leading zeros, no spaces). */
export const parseInteger = (arg: RespArg): number | undefined => {
  if (typeof arg === "number") return Number.isInteger(arg) ? arg : undefined
  if (typeof arg === "bigint") return Number(arg)
  const text = argText(arg)
  return /^(0|-?[1-9][0-9]{0,18})$/.test(text) && BigInt(text) <= 9223372036854775807n && BigInt(text) >= -9223372036854775808n
    ? Number(text)
    : undefined
}

/**
 * A float argument as the server parses it (`strtod`): decimal, `inf`/`infinity` with an optional sign; no spaces,
 * no NaN, no overflow to infinity. (Hexadecimal floats, which `strtod` also reads, are refused.)
 */
export const parseDouble = (arg: RespArg): number | undefined => {
  // A number argument reaches the server as the encoder writes it: -0 as "0".
  if (typeof arg === "number") return Number.isNaN(arg) ? undefined : arg === 0 ? 0 : arg
  if (typeof arg === "bigint") return Number(arg)
  const text = argText(arg)
  const inf = /^([+-]?)inf(inity)?$/i.exec(text)
  if (inf !== null) return inf[1] === "-" ? -Infinity : Infinity
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return undefined
  const value = Number(text)
  return Number.isFinite(value) ? value : undefined
}

// Members and scores ------------------------------------------------------------------------------------------------

/**
 * A member (or any bulk string) as an identity: its bytes as a latin1 string, one character per byte. Equal
 * members give equal strings, and strings compare like the server's `memcmp` ordering.
 */
export type Member = string

/** A bulk string of a reply as a {@link Member}; undefined for anything else. */
export const memberOf = (value: RespValue): Member | undefined => {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1")
  if (typeof value === "string") return Buffer.from(value, "utf8").toString("latin1")
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  return undefined
}

/** A member's bytes, to send. */
export const memberBytes = (member: Member): Buffer => Buffer.from(member, "latin1")

/** A bulk string for the emulated reply: bytes when the caller wants bytes, else UTF-8 text. */
export const bulk = (member: Member, binary: boolean): RespValue =>
  binary ? memberBytes(member) : memberBytes(member).toString("utf8")

/** A text (a score, OK) as a bulk string for the emulated reply. */
export const bulkText = (text: string, binary: boolean): RespValue => (binary ? Buffer.from(text, "utf8") : text)

/** A status or bulk string reply as text (TYPE's `set`...); undefined for anything else. */
export const textOf = (value: RespValue): string | undefined =>
  typeof value === "string" ? value : value instanceof Uint8Array ? argText(value) : undefined

/** An array or RESP3 set as an array; undefined for anything else. */
export const listOf = (value: RespValue): ReadonlyArray<RespValue> | undefined =>
  Array.isArray(value) ? value : value instanceof Set ? [...value] : undefined

/** The members of a SMEMBERS / array reply. */
export const membersOf = (value: RespValue): Array<Member> => {
  const out: Array<Member> = []
  for (const item of listOf(value) ?? []) {
    const member = memberOf(item)
    if (member !== undefined) out.push(member)
  }
  return out
}

/** A score from a reply: a RESP3 double, or a RESP2 bulk string (`inf`, `-inf` included). */
export const scoreOf = (value: RespValue): number | undefined => {
  if (typeof value === "number") return value
  if (value instanceof Uint8Array || typeof value === "string") return parseDouble(argText(value))
  return undefined
}

/** Member-score pairs of a `ZRANGE ... WITHSCORES` reply (RESP2 flat array or RESP3 pairs), in reply order. */
export const entriesOf = (value: RespValue): Array<readonly [Member, number]> => {
  const list = listOf(value) ?? []
  const out: Array<readonly [Member, number]> = []
  if (list.length > 0 && Array.isArray(list[0])) {
    for (const pair of list as ReadonlyArray<ReadonlyArray<RespValue>>) out.push([memberOf(pair[0]!)!, scoreOf(pair[1]!)!])
  } else {
    for (let i = 0; i + 1 < list.length; i += 2) out.push([memberOf(list[i]!)!, scoreOf(list[i + 1]!)!])
  }
  return out
}

/**
 * A score as the server writes it in a RESP2 reply (7.0: `%.17g`): `inf`, `-inf`, `-0`, `0.10000000000000001`,
 * `1e+20`, `1.4999999999999999e-07`. Parses back to the same double.
 */
export const formatScore = (score: number): string => {
  if (score === Infinity) return "inf"
  if (score === -Infinity) return "-inf"
  if (score === 0) return Object.is(score, -0) ? "-0" : "0"
  const exponential = score.toExponential(16)
  const e = exponential.indexOf("e")
  const exponent = Number(exponential.slice(e + 1))
  if (exponent < -4 || exponent >= 17) {
    const mantissa = trimZeros(exponential.slice(0, e))
    const digits = String(Math.abs(exponent)).padStart(2, "0")
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${digits}`
  }
  return trimZeros(score.toFixed(16 - exponent))
}

const trimZeros = (text: string): string => (text.includes(".") ? text.replace(/\.?0+$/, "") : text)

/** A score as a command argument: `-0` keeps its sign (the encoder would send `0`). */
export const scoreArg = (score: number): RespArg => (Object.is(score, -0) ? "-0" : score)

// Temporary keys and atomic stores ----------------------------------------------------------------------------------

/** How long a temporary key lives if the emulation cannot delete it (connection lost midway). */
export const TEMP_TTL_MS = 60_000

const tags = new Map<number, string>()

/** A short hash tag whose slot is `slot`. */
const tagForSlot = (slot: number): string => {
  let tag = tags.get(slot)
  if (tag === undefined) {
    for (let i = 0;; i++) {
      const candidate = i.toString(36)
      if (keySlot(candidate) === slot) {
        tag = candidate
        break
      }
    }
    tags.set(slot, tag)
  }
  return tag
}

/** A fresh temporary key name on the same slot as `key`: `{tag}:effect-redis:cross-slot:<random>`. */
export const tempKeyNear = (key: RespArg): string =>
  `{${tagForSlot(keySlot(key))}}:effect-redis:cross-slot:${randomBytes(8).toString("hex")}`

const CHUNK = 512

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Replaces `destination` with a computed value in one atomic step, as the server's STORE commands do: an empty
 * result deletes it (reply 0); otherwise the value is built in a temporary key on the destination's slot (with a
 * {@link TEMP_TTL_MS} expiry), copied over the destination by one single-slot command (`SUNIONSTORE dest tmp` /
 * `ZUNIONSTORE dest 1 tmp`: the old value and its TTL go, readers never see a half-built value), then the temporary
 * key is deleted. Replies with the copy's reply (the stored cardinality).
 *
 * Failure midway: before the copy the destination is untouched (a temporary key may remain until it expires);
 * after it, only the temporary key's deletion may have failed (it expires).
 */
const storeVia = (
  runner: EmulationRunner,
  destination: RespArg,
  build: (temp: string) => Array<ReadonlyArray<RespArg>>,
  copy: (temp: string) => ReadonlyArray<RespArg>,
  empty: boolean
): Effect.Effect<RespValue, RedisError> => {
  if (empty) return Effect.as(run(runner, "write", ["DEL", destination]), 0)
  const temp = tempKeyNear(destination)
  const [first, ...rest] = build(temp)
  // The first write creates the key; the expiry follows once it has (in one pipeline, a redirected first write could
  // land after the PEXPIRE and leave the temporary key without an expiry).
  const building = Effect.andThen(run(runner, "write", first!), runAll(runner, "write", [["PEXPIRE", temp, TEMP_TTL_MS], ...rest]))
  const cleanup = Effect.ignore(run(runner, "write", ["DEL", temp]))
  return Effect.flatMap(
    Effect.tapError(building, () => cleanup),
    () =>
      Effect.flatMap(runner.pipeline([sub(runner, "write", copy(temp)), sub(runner, "write", ["DEL", temp])]), ([stored]) =>
        Result.isSuccess(stored!) ? Effect.succeed(stored.success) : Effect.fail(stored!.failure))
  )
}

/** Stores `members` as the set `destination` (see {@link storeVia}); replies with the cardinality. */
export const storeSet = (runner: EmulationRunner, destination: RespArg, members: ReadonlyArray<Member>): Effect.Effect<RespValue, RedisError> =>
  storeVia(
    runner,
    destination,
    (temp) => chunks(members, CHUNK).map((chunk) => ["SADD", temp, ...chunk.map(memberBytes)]),
    (temp) => ["SUNIONSTORE", destination, temp],
    members.length === 0
  )

/** Stores member-score pairs as the sorted set `destination` (see {@link storeVia}); replies with the cardinality. */
export const storeSortedSet = (
  runner: EmulationRunner,
  destination: RespArg,
  entries: ReadonlyArray<readonly [Member, number]>
): Effect.Effect<RespValue, RedisError> =>
  storeVia(
    runner,
    destination,
    (temp) => chunks(entries, CHUNK).map((chunk) => ["ZADD", temp, ...chunk.flatMap(([member, score]) => [scoreArg(score), memberBytes(member)])]),
    (temp) => ["ZUNIONSTORE", destination, 1, temp],
    entries.length === 0
  )
