import type { RespArg, RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { type Command, defineCommand, InvalidOptions, makeCommand, specOf } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import { makeReply, type Reply, ReplyMismatch } from "../Reply.ts"
import {
  asList,
  decodeEach,
  emptyRecord,
  fieldsOf,
  intField,
  mismatch,
  optionalTextField,
  textField,
  textList
} from "../ReplyDecoding.ts"

// FUNCTION: libraries of server-side functions (called with FCALL / FCALL_RO, see scripting.ts). On a Redis
// Cluster every primary keeps its own libraries: the cluster's routing sends the changing subcommands (LOAD,
// DELETE, FLUSH, RESTORE) and KILL to every primary, so a function loaded through the cluster client can be
// called with keys in any slot.

const { none, write, replaySafe } = CommandFlags

// ---------------------------------------------------------------------------------------------------------------
// Types

/** One function of a library, as FUNCTION LIST reports it. */
export interface FunctionInfo {
  readonly name: string
  /** The description given at registration, none when there is none. */
  readonly description: Option.Option<string>
  /** Its flags (`no-writes`, `allow-oom`, `allow-stale`, `no-cluster`, `allow-cross-slot-keys`). */
  readonly flags: ReadonlyArray<string>
}

/** One library, as FUNCTION LIST reports it. */
export interface FunctionLibrary {
  readonly libraryName: string
  /** The engine that runs it (`LUA`). */
  readonly engine: string
  readonly functions: ReadonlyArray<FunctionInfo>
  /** The library's source, only when listed with `withCode`. */
  readonly libraryCode: Option.Option<string>
}

/** The function running now, as FUNCTION STATS reports it. */
export interface RunningFunction {
  readonly name: string
  /** The call that runs it, as sent (`["fcall", "name", "0", ...]`). */
  readonly command: ReadonlyArray<string>
  readonly durationMs: number
}

/** Per engine counts of FUNCTION STATS. */
export interface FunctionEngineStats {
  readonly librariesCount: number
  readonly functionsCount: number
}

/** FUNCTION STATS: the running function, if any, and per engine (`LUA`) counts. */
export interface FunctionStats {
  readonly runningScript: Option.Option<RunningFunction>
  /** Engine name -> counts (a record without prototype). */
  readonly engines: Readonly<Record<string, FunctionEngineStats>>
}

/** Options of FUNCTION LIST. */
export interface FunctionListOptions {
  /** Only libraries whose name matches this glob pattern (LIBRARYNAME). */
  readonly libraryName?: string | undefined
  /** Include each library's source (WITHCODE). */
  readonly withCode?: boolean | undefined
}

/** Options of FUNCTION LOAD. */
export interface FunctionLoadOptions {
  /** Replace a library of the same name (REPLACE); without it loading an existing library fails. */
  readonly replace?: boolean | undefined
}

/** Options of FUNCTION FLUSH. */
export interface FunctionFlushOptions {
  /** ASYNC frees the libraries in the background; SYNC (the server's default is its `lazyfree-lazy-user-flush`). */
  readonly mode?: "ASYNC" | "SYNC" | undefined
}

/**
 * How FUNCTION RESTORE treats existing libraries: APPEND (the default) fails on a name clash, REPLACE replaces
 * clashing libraries, FLUSH deletes every library first.
 */
export type FunctionRestorePolicy = "FLUSH" | "APPEND" | "REPLACE"

/** Options of FUNCTION RESTORE. */
export interface FunctionRestoreOptions {
  readonly policy?: FunctionRestorePolicy | undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Replies

const FunctionInfoSchema = Schema.Struct({
  name: Schema.String,
  description: Schema.Option(Schema.String),
  flags: Schema.Array(Schema.String)
})

const FunctionLibrarySchema = Schema.Struct({
  libraryName: Schema.String,
  engine: Schema.String,
  functions: Schema.Array(FunctionInfoSchema),
  libraryCode: Schema.Option(Schema.String)
})

const FunctionStatsSchema = Schema.Struct({
  runningScript: Schema.Option(Schema.Struct({
    name: Schema.String,
    command: Schema.Array(Schema.String),
    durationMs: Schema.Number
  })),
  engines: Schema.Record(Schema.String, Schema.Struct({ librariesCount: Schema.Number, functionsCount: Schema.Number }))
})

const decodeFunction = (raw: RespValue): FunctionInfo | undefined => {
  const fields = fieldsOf(raw)
  if (fields === undefined) return undefined
  const name = textField(fields, "name")
  const description = optionalTextField(fields, "description")
  const flags = textList(fields.get("flags") ?? [])
  if (name === undefined || description === undefined || flags === undefined) return undefined
  return { name, description, flags }
}

const decodeLibrary = (raw: RespValue): FunctionLibrary | undefined => {
  const fields = fieldsOf(raw)
  if (fields === undefined) return undefined
  const libraryName = textField(fields, "library_name")
  const engine = textField(fields, "engine")
  const functions = decodeEach(asList(fields.get("functions") ?? []), decodeFunction)
  const libraryCode = optionalTextField(fields, "library_code")
  if (libraryName === undefined || engine === undefined || functions === undefined || libraryCode === undefined) return undefined
  return { libraryName, engine, functions, libraryCode }
}

/** FUNCTION LIST: libraries as maps (RESP3) or flat name/value arrays (RESP2), to {@link FunctionLibrary}s. */
const functionLibraries: Reply<ReadonlyArray<FunctionLibrary>> = makeReply(Schema.Array(FunctionLibrarySchema), (raw) =>
  decodeEach(asList(raw), decodeLibrary) ?? mismatch("an array of libraries")(raw))

const decodeRunning = (raw: RespValue): RunningFunction | ReplyMismatch => {
  const fields = fieldsOf(raw)
  const name = fields && textField(fields, "name")
  const command = fields && textList(fields.get("command"))
  const durationMs = fields && intField(fields, "duration_ms")
  if (name === undefined || command === undefined || durationMs === undefined) return mismatch("a running script")(raw)
  return { name, command, durationMs }
}

/** FUNCTION STATS: a map (RESP3) or flat array (RESP2) of `running_script` and `engines`, to {@link FunctionStats}. */
const functionStatsReply: Reply<FunctionStats> = makeReply(FunctionStatsSchema, (raw) => {
  const fields = fieldsOf(raw)
  if (fields === undefined) return mismatch("function stats")(raw)
  const rawRunning = fields.get("running_script") ?? null
  let runningScript: Option.Option<RunningFunction> = Option.none()
  if (rawRunning !== null) {
    const running = decodeRunning(rawRunning)
    if (running instanceof ReplyMismatch) return running
    runningScript = Option.some(running)
  }
  const rawEngines = fieldsOf(fields.get("engines") ?? [])
  if (rawEngines === undefined) return mismatch("function stats")(raw)
  const engines = emptyRecord<FunctionEngineStats>()
  for (const [engine, value] of rawEngines) {
    const counts = fieldsOf(value)
    const librariesCount = counts && intField(counts, "libraries_count")
    const functionsCount = counts && intField(counts, "functions_count")
    if (librariesCount === undefined || functionsCount === undefined) return mismatch("function stats")(raw)
    engines[engine] = { librariesCount, functionsCount }
  }
  return { runningScript, engines }
})

/** A bulk string that is never nil, as bytes (FUNCTION DUMP's payload). */
const bytes: Reply<Uint8Array> = makeReply(
  Schema.Uint8Array,
  (raw) => {
    if (raw instanceof Uint8Array) return raw
    if (typeof raw === "string") return Buffer.from(raw, "utf8")
    return mismatch("bytes")(raw)
  },
  { binary: true }
)

// ---------------------------------------------------------------------------------------------------------------
// Builders

const oneOf = (name: string, value: string, allowed: ReadonlyArray<string>): InvalidOptions | undefined =>
  allowed.includes(value) ? undefined : new InvalidOptions(`${name} must be one of ${allowed.join(", ")}, got ${String(value)}`)

/** FUNCTION DELETE library-name: deletes a library and its functions (fails with `ReplyError` when unknown). */
export const functionDelete = defineCommand({
  name: "FUNCTION DELETE", flags: write, keys: noKeys, reply: Replies.ok,
  args: (libraryName: string) => ["FUNCTION", "DELETE", libraryName]
})

/** FUNCTION DUMP: every library serialized as one binary payload (for {@link functionRestore}). */
export const functionDump = defineCommand({
  name: "FUNCTION DUMP", flags: replaySafe, keys: noKeys, reply: bytes,
  args: () => ["FUNCTION", "DUMP"]
})

/** FUNCTION FLUSH [ASYNC|SYNC]: deletes every library. */
export const functionFlush = defineCommand({
  name: "FUNCTION FLUSH", flags: write | replaySafe, keys: noKeys, reply: Replies.ok,
  args: (options: FunctionFlushOptions = {}) =>
    options.mode === undefined
      ? ["FUNCTION", "FLUSH"]
      : oneOf("mode", options.mode, ["ASYNC", "SYNC"]) ?? ["FUNCTION", "FLUSH", options.mode]
})

/**
 * FUNCTION KILL: stops the function running now, if it has not written anything (fails with `ReplyError`
 * `NOTBUSY` when none runs, `UNKILLABLE` when it wrote). The server accepts it while busy.
 */
export const functionKill = defineCommand({
  name: "FUNCTION KILL", flags: none, keys: noKeys, reply: Replies.ok,
  args: () => ["FUNCTION", "KILL"]
})

/**
 * FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: the libraries with their functions, and their source with
 * `withCode`.
 */
export const functionList = defineCommand({
  name: "FUNCTION LIST", flags: replaySafe, keys: noKeys, reply: functionLibraries,
  args: (options: FunctionListOptions = {}) => {
    const out: Array<RespArg> = ["FUNCTION", "LIST"]
    if (options.libraryName !== undefined) out.push("LIBRARYNAME", options.libraryName)
    if (options.withCode === true) out.push("WITHCODE")
    return out
  }
})

const loadSpec = specOf({ name: "FUNCTION LOAD", flags: write, keys: noKeys, reply: Replies.string })
const loadReplaceSpec = specOf({ name: "FUNCTION LOAD", flags: write | replaySafe, keys: noKeys, reply: Replies.string })

/**
 * FUNCTION LOAD [REPLACE] code: loads a library (its code starts with `#!lua name=<library>`); the library's
 * name. Without `replace` an existing library of that name makes it fail with `ReplyError`.
 */
export const functionLoad = (code: string, options: FunctionLoadOptions = {}): Command<string> =>
  options.replace === true
    ? makeCommand(loadReplaceSpec, ["FUNCTION", "LOAD", "REPLACE", code])
    : makeCommand(loadSpec, ["FUNCTION", "LOAD", code])

const restoreSpec = specOf({ name: "FUNCTION RESTORE", flags: write, keys: noKeys, reply: Replies.ok })
const restoreIdempotentSpec = specOf({ name: "FUNCTION RESTORE", flags: write | replaySafe, keys: noKeys, reply: Replies.ok })

/**
 * FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: loads the libraries of a {@link functionDump} payload. With
 * the default APPEND policy a library that exists already makes it fail (nothing is restored).
 */
export const functionRestore = (payload: Uint8Array, options: FunctionRestoreOptions = {}): Command<void> => {
  const policy = options.policy
  if (policy === undefined) return makeCommand(restoreSpec, ["FUNCTION", "RESTORE", payload])
  const problem = oneOf("policy", policy, ["FLUSH", "APPEND", "REPLACE"])
  if (problem !== undefined) return makeCommand(restoreSpec, ["FUNCTION", "RESTORE"], problem.reason)
  return makeCommand(policy === "APPEND" ? restoreSpec : restoreIdempotentSpec, ["FUNCTION", "RESTORE", payload, policy])
}

/** FUNCTION STATS: the function running now (if any) and the number of libraries and functions per engine. */
export const functionStats = defineCommand({
  name: "FUNCTION STATS", flags: replaySafe, keys: noKeys, reply: functionStatsReply,
  args: () => ["FUNCTION", "STATS"]
})
