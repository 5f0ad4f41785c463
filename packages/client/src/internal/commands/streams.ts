import type { RespArg } from "@effect-redis/resp"
import type { Option } from "effect"
import { type Command, type CommandSpec, defineCommand, InvalidOptions, makeCommand, specOf } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import type { KeyPositions } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import * as StreamReplies from "./streamReplies.ts"
import { type Pairs, pushPairs, type RedisKey } from "./types.ts"
import { atMostOne, integerAtLeast, nonEmpty } from "./validate.ts"

export type {
  StreamAutoClaim,
  StreamAutoClaimIds,
  StreamConsumerInfo,
  StreamConsumerInfoFull,
  StreamEntry,
  StreamGroupInfo,
  StreamGroupInfoFull,
  StreamInfo,
  StreamInfoConsumerPendingEntry,
  StreamInfoFull,
  StreamInfoPendingEntry,
  StreamKeyEntries,
  StreamPendingConsumer,
  StreamPendingEntry,
  StreamPendingSummary,
  StreamState
} from "./streamReplies.ts"

const { readonly, write, replaySafe } = CommandFlags

// ---------------------------------------------------------------------------------------------------------------
// Option types

/**
 * How XADD / XTRIM trim a stream: `MAXLEN` keeps at most `threshold` entries, `MINID` drops entries with an ID
 * lower than `threshold`. `approximate` (`~`) lets Redis trim only whole nodes (cheaper; the stream may keep a few
 * more entries); `limit` caps how many entries one call may evict and requires `approximate` (`0`: no cap).
 */
export type StreamTrim =
  | {
    readonly strategy: "MAXLEN"
    /** The number of entries to keep (an integer >= 0). */
    readonly threshold: number
    readonly approximate?: boolean | undefined
    readonly limit?: number | undefined
  }
  | {
    readonly strategy: "MINID"
    /** The lowest ID to keep (`<ms>-<seq>`, or milliseconds alone). */
    readonly threshold: string | number
    readonly approximate?: boolean | undefined
    readonly limit?: number | undefined
  }

/** Options of XADD. */
export interface XAddOptions {
  /** The new entry's ID; default `*` (the server picks one). `<ms>-*` picks the sequence only. */
  readonly id?: string | undefined
  /** Do not create the stream when the key is missing (NOMKSTREAM): the reply becomes an `Option`. */
  readonly nomkstream?: boolean | undefined
  /** Trim the stream in the same call. */
  readonly trim?: StreamTrim | undefined
}

/** Options of XRANGE / XREVRANGE. */
export interface XRangeOptions {
  /** At most this many entries (an integer >= 0). */
  readonly count?: number | undefined
}

/**
 * The streams XREAD / XREADGROUP read and the ID after which to read in each: a record `{ key: id }`, or pairs /
 * a map when keys are bytes or order matters. Special IDs: `$` (only entries added from now on, XREAD), `>`
 * (entries never delivered to the group, XREADGROUP), or any ID (XREADGROUP: the consumer's own pending history).
 */
export type StreamOffsets =
  | Readonly<Record<string, string>>
  | ReadonlyArray<readonly [RedisKey, string]>
  | ReadonlyMap<RedisKey, string>

/** Options of XREAD. */
export interface XReadOptions {
  /** At most this many entries per stream (an integer >= 1). */
  readonly count?: number | undefined
  /** Wait up to this many milliseconds for data when there is none (`0`: wait forever). */
  readonly block?: number | undefined
}

/** Options of XREADGROUP. */
export interface XReadGroupOptions extends XReadOptions {
  /** Do not add the delivered entries to the pending list: they count as acknowledged (NOACK). */
  readonly noack?: boolean | undefined
}

/** Options of XGROUP CREATE. */
export interface XGroupCreateOptions {
  /** Create an empty stream when the key is missing (MKSTREAM). */
  readonly mkstream?: boolean | undefined
  /** The group's entries-read counter, for an exact `lag` (ENTRIESREAD; an integer >= 0, or -1 for unknown). */
  readonly entriesRead?: number | undefined
}

/** Options of XGROUP SETID. */
export interface XGroupSetIdOptions {
  /** The group's entries-read counter (ENTRIESREAD; an integer >= 0, or -1 for unknown). */
  readonly entriesRead?: number | undefined
}

/** Options of XSETID. */
export interface XSetIdOptions {
  /** How many entries were ever added to the stream (ENTRIESADDED; an integer >= 0). */
  readonly entriesAdded?: number | undefined
  /** The highest deleted ID (MAXDELETEDID). */
  readonly maxDeletedId?: string | undefined
}

/** Options of XINFO STREAM ... FULL. */
export interface XInfoStreamFullOptions {
  /** At most this many entries and pending entries per list (COUNT; default 10 on the server, `0` for all). */
  readonly count?: number | undefined
}

/** Options of XPENDING's extended form. */
export interface XPendingRangeOptions {
  /** Lowest ID, inclusive (`(id` exclusive); default `-`. */
  readonly start?: string | undefined
  /** Highest ID, inclusive (`(id` exclusive); default `+`. */
  readonly end?: string | undefined
  /** At most this many entries (an integer >= 0). */
  readonly count: number
  /** Only entries idle for at least this many milliseconds (IDLE). */
  readonly idle?: number | undefined
  /** Only this consumer's entries. */
  readonly consumer?: string | undefined
}

/** Options of XCLAIM. */
export interface XClaimOptions {
  /** Set the entries' idle time to this many milliseconds (IDLE; default 0). Not with `time`. */
  readonly idle?: number | undefined
  /** Set the entries' last delivery time to this Unix time in milliseconds (TIME). Not with `idle`. */
  readonly time?: number | undefined
  /** Set the entries' delivery counter (RETRYCOUNT). */
  readonly retryCount?: number | undefined
  /** Claim IDs even when they are not pending: they are added to the PEL (FORCE). */
  readonly force?: boolean | undefined
  /** Set the group's last delivered ID (LASTID). */
  readonly lastId?: string | undefined
}

/** Options of XAUTOCLAIM. */
export interface XAutoClaimOptions {
  /** Claim at most this many entries (COUNT; an integer >= 1, server default 100). */
  readonly count?: number | undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Argument helpers

/** The key of XGROUP / XINFO subcommands: right after the subcommand. */
const keyAfterSubcommand: KeyPositions = { first: 2, last: 2, step: 1 }

/** Index of the `STREAMS` keyword at or after `from`, or -1 (the server searches the same way). */
const streamsIndex = (args: ReadonlyArray<RespArg>, from: number): number => {
  for (let i = from; i < args.length; i++) {
    const arg = args[i]
    if (typeof arg === "string" && arg.length === 7 && arg.toUpperCase() === "STREAMS") return i
  }
  return -1
}

/** Keys of XREAD / XREADGROUP: after `STREAMS`, the first half of the remaining arguments (then the IDs). */
const keysAfterStreams = (from: number): KeyPositions => (args: ReadonlyArray<RespArg>) => {
  const at = streamsIndex(args, from)
  if (at < 0) return []
  const rest = args.length - at - 1
  if (rest <= 0 || rest % 2 !== 0) return []
  const out = new Array<number>(rest / 2)
  for (let i = 0; i < rest / 2; i++) out[i] = at + 1 + i
  return out
}

/** `blockingTimeout` of XREAD / XREADGROUP: the `BLOCK` milliseconds before `STREAMS`, or undefined without it. */
const blockBeforeStreams = (from: number) => (args: ReadonlyArray<RespArg>): number | undefined => {
  const end = streamsIndex(args, from)
  for (let i = from; i < (end < 0 ? args.length : end) - 1; i++) {
    const arg = args[i]
    if (typeof arg === "string" && arg.toUpperCase() === "BLOCK") {
      const value = args[i + 1]
      const ms = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN
      return Number.isFinite(ms) && ms >= 0 ? ms : undefined
    }
  }
  return undefined
}

/** One ID or a non-empty array of IDs, appended to `out`. */
const pushIds = (out: Array<RespArg>, ids: string | ReadonlyArray<string>): InvalidOptions | undefined => {
  if (typeof ids === "string") {
    out.push(ids)
    return undefined
  }
  const problem = nonEmpty("ids", ids)
  if (problem !== undefined) return problem
  for (const id of ids) out.push(id)
  return undefined
}

/** `[MAXLEN|MINID] [~] threshold [LIMIT n]` appended to `out`, or why the trim options cannot be sent. */
const pushTrim = (out: Array<RespArg>, trim: StreamTrim): InvalidOptions | undefined => {
  if (trim.strategy === "MAXLEN") {
    const problem = integerAtLeast("trim.threshold", trim.threshold, 0)
    if (problem !== undefined) return problem
  } else if (trim.strategy === "MINID") {
    const t = trim.threshold
    const valid = typeof t === "number" ? Number.isSafeInteger(t) && t >= 0 : typeof t === "string" && t.length > 0
    if (!valid) return new InvalidOptions(`trim.threshold must be a stream ID, got ${String(t)}`)
  } else {
    return new InvalidOptions(`trim.strategy must be "MAXLEN" or "MINID", got ${String((trim as { strategy: unknown }).strategy)}`)
  }
  if (trim.limit !== undefined) {
    if (trim.approximate !== true) return new InvalidOptions("trim.limit requires trim.approximate")
    const problem = integerAtLeast("trim.limit", trim.limit, 0)
    if (problem !== undefined) return problem
  }
  out.push(trim.strategy)
  if (trim.approximate === true) out.push("~")
  out.push(trim.threshold)
  if (trim.limit !== undefined) out.push("LIMIT", trim.limit)
  return undefined
}

/** `COUNT n` when set (an integer >= `min`). */
const pushCount = (out: Array<RespArg>, count: number | undefined, min: number): InvalidOptions | undefined => {
  if (count === undefined) return undefined
  const problem = integerAtLeast("count", count, min)
  if (problem !== undefined) return problem
  out.push("COUNT", count)
  return undefined
}

/** `STREAMS key... id...` appended to `out`; at least one stream is required. */
const pushStreams = (out: Array<RespArg>, streams: StreamOffsets): InvalidOptions | undefined => {
  const keys: Array<RespArg> = []
  const ids: Array<RespArg> = []
  const count = pushPairs(keys, streams as Pairs)
  const problem = nonEmpty("streams", count)
  if (problem !== undefined) return problem
  out.push("STREAMS")
  for (let i = 0; i < keys.length; i += 2) {
    out.push(keys[i]!)
    ids.push(keys[i + 1]!)
  }
  for (const id of ids) out.push(id)
  return undefined
}

/** `COUNT n` and `BLOCK ms` of XREAD / XREADGROUP. */
const pushReadOptions = (out: Array<RespArg>, options: XReadOptions): InvalidOptions | undefined => {
  const problem = pushCount(out, options.count, 1) ??
    (options.block === undefined ? undefined : integerAtLeast("block", options.block, 0))
  if (problem !== undefined) return problem
  if (options.block !== undefined) out.push("BLOCK", options.block)
  return undefined
}

/** `ENTRIESREAD n` when set (an integer >= -1). */
const pushEntriesRead = (out: Array<RespArg>, entriesRead: number | undefined): InvalidOptions | undefined => {
  if (entriesRead === undefined) return undefined
  const problem = integerAtLeast("entriesRead", entriesRead, -1)
  if (problem !== undefined) return problem
  out.push("ENTRIESREAD", entriesRead)
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Builders

/** XACK key group id [id ...] (one ID or an array): how many entries were acknowledged (removed from the PEL). */
export const xack = defineCommand({
  name: "XACK", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, group: string, ids: string | ReadonlyArray<string>) => {
    const out: Array<RespArg> = ["XACK", key, group]
    return pushIds(out, ids) ?? out
  }
})

const xaddSpec = specOf({ name: "XADD", flags: write, reply: Replies.string })
const xaddOptionalSpec = specOf({ name: "XADD", flags: write, reply: Replies.optionalString })

/**
 * XADD key [NOMKSTREAM] [MAXLEN|MINID [~] threshold [LIMIT n]] id|* field value [field value ...]: the new
 * entry's ID.
 *
 * With `nomkstream: true` the reply is an `Option`: none when the key did not exist (nothing was added).
 * The fields are a record, or pairs / a map when order, duplicates or binary names matter (at least one).
 */
export function xadd(
  key: RedisKey,
  fields: Pairs,
  options: XAddOptions & { readonly nomkstream: true }
): Command<Option.Option<string>>
export function xadd(key: RedisKey, fields: Pairs, options?: XAddOptions): Command<string>
export function xadd(key: RedisKey, fields: Pairs, options: XAddOptions = {}): Command<string> | Command<Option.Option<string>> {
  const spec = (options.nomkstream === true ? xaddOptionalSpec : xaddSpec) as CommandSpec<string>
  const out: Array<RespArg> = ["XADD", key]
  if (options.nomkstream === true) out.push("NOMKSTREAM")
  const problem = (options.trim === undefined ? undefined : pushTrim(out, options.trim)) ??
    (options.id !== undefined && options.id.length === 0 ? new InvalidOptions("id must not be empty") : undefined)
  if (problem !== undefined) return makeCommand(spec, ["XADD"], problem.reason)
  out.push(options.id ?? "*")
  const fieldsProblem = nonEmpty("fields", pushPairs(out, fields))
  if (fieldsProblem !== undefined) return makeCommand(spec, ["XADD"], fieldsProblem.reason)
  return makeCommand(spec, out)
}

/**
 * XAUTOCLAIM key group consumer min-idle-time start [COUNT n]: transfers entries pending for at least
 * `minIdleTime` ms, scanning the PEL from `start` (`0-0` for the beginning); the claimed entries, the cursor for
 * the next call and the IDs found deleted (removed from the PEL).
 */
export const xautoclaim = defineCommand({
  name: "XAUTOCLAIM", flags: write, reply: StreamReplies.streamAutoClaim,
  args: (key: RedisKey, group: string, consumer: string, minIdleTime: number, start: string, options: XAutoClaimOptions = {}) => {
    const out: Array<RespArg> = ["XAUTOCLAIM", key, group, consumer, minIdleTime, start]
    return integerAtLeast("minIdleTime", minIdleTime, 0) ?? pushCount(out, options.count, 1) ?? out
  }
})

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT n] JUSTID: like {@link xautoclaim}, IDs only. */
export const xautoclaimJustId = defineCommand({
  name: "XAUTOCLAIM", flags: write, reply: StreamReplies.streamAutoClaimIds,
  args: (key: RedisKey, group: string, consumer: string, minIdleTime: number, start: string, options: XAutoClaimOptions = {}) => {
    const out: Array<RespArg> = ["XAUTOCLAIM", key, group, consumer, minIdleTime, start]
    const problem = integerAtLeast("minIdleTime", minIdleTime, 0) ?? pushCount(out, options.count, 1)
    if (problem !== undefined) return problem
    out.push("JUSTID")
    return out
  }
})

/** The XCLAIM command line (without JUSTID), or why it cannot be sent. */
const xclaimLine = (
  key: RedisKey,
  group: string,
  consumer: string,
  minIdleTime: number,
  ids: string | ReadonlyArray<string>,
  options: XClaimOptions
): Array<RespArg> | InvalidOptions => {
  const out: Array<RespArg> = ["XCLAIM", key, group, consumer, minIdleTime]
  const problem = integerAtLeast("minIdleTime", minIdleTime, 0) ?? pushIds(out, ids) ??
    atMostOne(options, ["idle", "time"]) ??
    (options.idle === undefined ? undefined : integerAtLeast("idle", options.idle, 0)) ??
    (options.time === undefined ? undefined : integerAtLeast("time", options.time, 0)) ??
    (options.retryCount === undefined ? undefined : integerAtLeast("retryCount", options.retryCount, 0))
  if (problem !== undefined) return problem
  if (options.idle !== undefined) out.push("IDLE", options.idle)
  if (options.time !== undefined) out.push("TIME", options.time)
  if (options.retryCount !== undefined) out.push("RETRYCOUNT", options.retryCount)
  if (options.force === true) out.push("FORCE")
  if (options.lastId !== undefined) out.push("LASTID", options.lastId)
  return out
}

/**
 * XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms|TIME ms] [RETRYCOUNT n] [FORCE] [LASTID id]:
 * transfers the given pending entries (those idle for at least `minIdleTime` ms) to `consumer`; the claimed
 * entries. Entries deleted from the stream are dropped from the PEL and not returned (Redis 7).
 */
export const xclaim = defineCommand({
  name: "XCLAIM", flags: write, reply: StreamReplies.streamEntries,
  args: (key: RedisKey, group: string, consumer: string, minIdleTime: number, ids: string | ReadonlyArray<string>, options: XClaimOptions = {}) =>
    xclaimLine(key, group, consumer, minIdleTime, ids, options)
})

/** XCLAIM ... JUSTID: like {@link xclaim}, the claimed IDs only (the delivery counter is not incremented). */
export const xclaimJustId = defineCommand({
  name: "XCLAIM", flags: write, reply: StreamReplies.streamIds,
  args: (key: RedisKey, group: string, consumer: string, minIdleTime: number, ids: string | ReadonlyArray<string>, options: XClaimOptions = {}) => {
    const out = xclaimLine(key, group, consumer, minIdleTime, ids, options)
    if (out instanceof InvalidOptions) return out
    out.push("JUSTID")
    return out
  }
})

/** XDEL key id [id ...] (one ID or an array): how many entries were deleted. */
export const xdel = defineCommand({
  name: "XDEL", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, ids: string | ReadonlyArray<string>) => {
    const out: Array<RespArg> = ["XDEL", key]
    return pushIds(out, ids) ?? out
  }
})

/**
 * XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]: creates a consumer group that delivers entries after
 * `id` (`$`: only new ones, `0`: the whole stream). Fails with a `BUSYGROUP` reply error when the group exists.
 */
export const xgroupCreate = defineCommand({
  name: "XGROUP CREATE", flags: write, keys: keyAfterSubcommand, reply: Replies.ok,
  args: (key: RedisKey, group: string, id: string, options: XGroupCreateOptions = {}) => {
    const out: Array<RespArg> = ["XGROUP", "CREATE", key, group, id]
    if (options.mkstream === true) out.push("MKSTREAM")
    return pushEntriesRead(out, options.entriesRead) ?? out
  }
})

/** XGROUP CREATECONSUMER key group consumer: whether the consumer was created (false: it existed). */
export const xgroupCreateconsumer = defineCommand({
  name: "XGROUP CREATECONSUMER", flags: write | replaySafe, keys: keyAfterSubcommand, reply: Replies.boolean,
  args: (key: RedisKey, group: string, consumer: string) => ["XGROUP", "CREATECONSUMER", key, group, consumer]
})

/**
 * XGROUP DELCONSUMER key group consumer: deletes a consumer; how many pending entries it had (they are no longer
 * pending for anyone).
 */
export const xgroupDelconsumer = defineCommand({
  name: "XGROUP DELCONSUMER", flags: write, keys: keyAfterSubcommand, reply: Replies.integer,
  args: (key: RedisKey, group: string, consumer: string) => ["XGROUP", "DELCONSUMER", key, group, consumer]
})

/** XGROUP DESTROY key group: whether the group existed and was destroyed. */
export const xgroupDestroy = defineCommand({
  name: "XGROUP DESTROY", flags: write | replaySafe, keys: keyAfterSubcommand, reply: Replies.boolean,
  args: (key: RedisKey, group: string) => ["XGROUP", "DESTROY", key, group]
})

/** XGROUP SETID key group id|$ [ENTRIESREAD n]: sets the group's last delivered ID. */
export const xgroupSetid = defineCommand({
  name: "XGROUP SETID", flags: write | replaySafe, keys: keyAfterSubcommand, reply: Replies.ok,
  args: (key: RedisKey, group: string, id: string, options: XGroupSetIdOptions = {}) => {
    const out: Array<RespArg> = ["XGROUP", "SETID", key, group, id]
    return pushEntriesRead(out, options.entriesRead) ?? out
  }
})

/** XINFO CONSUMERS key group: the group's consumers with their pending count and idle time. */
export const xinfoConsumers = defineCommand({
  name: "XINFO CONSUMERS", flags: readonly, keys: keyAfterSubcommand, reply: StreamReplies.streamConsumers,
  args: (key: RedisKey, group: string) => ["XINFO", "CONSUMERS", key, group]
})

/** XINFO GROUPS key: the stream's consumer groups. */
export const xinfoGroups = defineCommand({
  name: "XINFO GROUPS", flags: readonly, keys: keyAfterSubcommand, reply: StreamReplies.streamGroups,
  args: (key: RedisKey) => ["XINFO", "GROUPS", key]
})

/**
 * XINFO STREAM key: the stream's length, IDs, counters and first/last entries (none when empty). Fails with a
 * reply error when the key does not exist.
 */
export const xinfoStream = defineCommand({
  name: "XINFO STREAM", flags: readonly, keys: keyAfterSubcommand, reply: StreamReplies.streamInfo,
  args: (key: RedisKey) => ["XINFO", "STREAM", key]
})

/**
 * XINFO STREAM key FULL [COUNT n]: the stream with its entries, groups, their PELs and consumers (at most `count`
 * entries per list: server default 10, `0` for all).
 */
export const xinfoStreamFull = defineCommand({
  name: "XINFO STREAM", flags: readonly, keys: keyAfterSubcommand, reply: StreamReplies.streamInfoFull,
  args: (key: RedisKey, options: XInfoStreamFullOptions = {}) => {
    const out: Array<RespArg> = ["XINFO", "STREAM", key, "FULL"]
    return pushCount(out, options.count, 0) ?? out
  }
})

/** XLEN key: the number of entries (0 when the key is missing). */
export const xlen = defineCommand({
  name: "XLEN", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["XLEN", key]
})

/**
 * XPENDING key group: the group's pending summary (count, smallest and greatest IDs — none when nothing is
 * pending — and the pending count per consumer).
 */
export const xpending = defineCommand({
  name: "XPENDING", flags: readonly, reply: StreamReplies.streamPendingSummary,
  args: (key: RedisKey, group: string) => ["XPENDING", key, group]
})

/**
 * XPENDING key group [IDLE ms] start end count [consumer]: the pending entries in an ID range (default `-` to
 * `+`) with their consumer, idle time and delivery count.
 */
export const xpendingRange = defineCommand({
  name: "XPENDING", flags: readonly, reply: StreamReplies.streamPendingEntries,
  args: (key: RedisKey, group: string, options: XPendingRangeOptions) => {
    const out: Array<RespArg> = ["XPENDING", key, group]
    const problem = integerAtLeast("count", options.count, 0) ??
      (options.idle === undefined ? undefined : integerAtLeast("idle", options.idle, 0))
    if (problem !== undefined) return problem
    if (options.idle !== undefined) out.push("IDLE", options.idle)
    out.push(options.start ?? "-", options.end ?? "+", options.count)
    if (options.consumer !== undefined) out.push(options.consumer)
    return out
  }
})

/**
 * XRANGE key start end [COUNT n]: the entries with IDs from `start` to `end` (`-` and `+` for the ends, `(id`
 * exclusive), in ID order; empty when the key is missing.
 */
export const xrange = defineCommand({
  name: "XRANGE", flags: readonly, reply: StreamReplies.streamEntries,
  args: (key: RedisKey, start: string, end: string, options: XRangeOptions = {}) => {
    const out: Array<RespArg> = ["XRANGE", key, start, end]
    return pushCount(out, options.count, 0) ?? out
  }
})

/**
 * XREAD [COUNT n] [BLOCK ms] STREAMS key [key ...] id [id ...]: per stream with new entries, its entries after the
 * given ID; none when no stream had any (after waiting `block` ms when set). Keys and IDs come as
 * {@link StreamOffsets}. A read from `$` (entries added from now on) is never sent again after a lost connection:
 * it fails with `ConnectionError` instead, since a resend would skip what was added in between.
 */
export const xread = (
  streams: StreamOffsets,
  options: XReadOptions = {}
): Command<Option.Option<ReadonlyArray<StreamReplies.StreamKeyEntries>>> => {
  const out: Array<RespArg> = ["XREAD"]
  const problem = pushReadOptions(out, options) ?? pushStreams(out, streams)
  if (problem !== undefined) return makeCommand(xreadSpec, ["XREAD"], problem.reason)
  return makeCommand(out.includes("$") ? xreadLatestSpec : xreadSpec, out)
}

const xreadDefinition = {
  name: "XREAD", keys: keysAfterStreams(1), reply: StreamReplies.streamRead, blockingTimeout: blockBeforeStreams(1)
} as const
const xreadSpec = specOf({ ...xreadDefinition, flags: readonly })
// `$` means "entries added from now on": sent again after a lost connection, "now" would move and the entries
// added in between would be skipped without notice. Without the readonly flag the client never resends it (and
// reads it from the primary, which has the latest entries).
const xreadLatestSpec = specOf({ ...xreadDefinition, flags: CommandFlags.none })

/**
 * XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key [key ...] id [id ...]: reads as
 * `consumer` of `group`; per stream, its entries (none when there were none, after waiting `block` ms when set).
 * With `>` the entries were never delivered to the group (they become pending unless `noack`); with an ID, the
 * consumer's own pending entries after it, where an entry deleted since has empty `fields`.
 */
export const xreadgroup = defineCommand({
  name: "XREADGROUP", flags: write, keys: keysAfterStreams(4), reply: StreamReplies.streamRead,
  blockingTimeout: blockBeforeStreams(4),
  args: (group: string, consumer: string, streams: StreamOffsets, options: XReadGroupOptions = {}) => {
    const out: Array<RespArg> = ["XREADGROUP", "GROUP", group, consumer]
    const problem = pushReadOptions(out, options)
    if (problem !== undefined) return problem
    if (options.noack === true) out.push("NOACK")
    return pushStreams(out, streams) ?? out
  }
})

/**
 * XREVRANGE key end start [COUNT n]: like {@link xrange} in reverse ID order (note the argument order: the
 * highest ID first).
 */
export const xrevrange = defineCommand({
  name: "XREVRANGE", flags: readonly, reply: StreamReplies.streamEntries,
  args: (key: RedisKey, end: string, start: string, options: XRangeOptions = {}) => {
    const out: Array<RespArg> = ["XREVRANGE", key, end, start]
    return pushCount(out, options.count, 0) ?? out
  }
})

/**
 * XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]: sets the stream's last generated ID (and counters).
 * Fails with a reply error when the key does not exist.
 */
export const xsetid = defineCommand({
  name: "XSETID", flags: write | replaySafe, reply: Replies.ok,
  args: (key: RedisKey, lastId: string, options: XSetIdOptions = {}) => {
    const out: Array<RespArg> = ["XSETID", key, lastId]
    if (options.entriesAdded !== undefined) {
      const problem = integerAtLeast("entriesAdded", options.entriesAdded, 0)
      if (problem !== undefined) return problem
      out.push("ENTRIESADDED", options.entriesAdded)
    }
    if (options.maxDeletedId !== undefined) out.push("MAXDELETEDID", options.maxDeletedId)
    return out
  }
})

/** XTRIM key MAXLEN|MINID [~] threshold [LIMIT n]: how many entries were evicted. */
export const xtrim = defineCommand({
  name: "XTRIM", flags: write, reply: Replies.integer,
  args: (key: RedisKey, trim: StreamTrim) => {
    const out: Array<RespArg> = ["XTRIM", key]
    return pushTrim(out, trim) ?? out
  }
})
