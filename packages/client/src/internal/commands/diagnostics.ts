import type { RespValue } from "@effect-redis/resp"
import { Schema } from "effect"
import { defineCommand } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { makeReply, type Reply, ReplyMismatch } from "../Reply.ts"
import * as Replies from "../../Replies.ts"
import {
  asList,
  emptyRecord,
  entriesOf,
  fieldsOf,
  intField,
  listOf,
  mismatch,
  textList,
  toFloat,
  toInteger,
  toText
} from "../ReplyDecoding.ts"
import type { RedisKey } from "./types.ts"
import { integerAtLeast } from "./validate.ts"

const { readonly, admin, replaySafe } = CommandFlags

// ---------------------------------------------------------------------------------------------------------------
// MEMORY

/**
 * The reply of MEMORY STATS: each metric (`peak.allocated`, `dataset.percentage`, `fragmentation`...) as a number;
 * the per-database entries (`db.0`, `db.1`...) as a record of their own metrics (`overhead.hashtable.main`...).
 * Not every `db.` name is a database: Redis 7.4+, 8.x and Valkey 8 add `db.dict.rehashing.count`, a number. The
 * metrics differ between servers and versions (Redis 8 adds `replica.fullsync.buffer`, `script.VMs`...); an entry a
 * server sends in a shape that is neither a number nor a record of numbers is left out (a newer server's addition
 * never fails the reply).
 */
export type MemoryStats = Readonly<Record<string, number | Readonly<Record<string, number>>>>

const MemoryStatsSchema = Schema.Record(
  Schema.String,
  Schema.Union([Schema.Number, Schema.Record(Schema.String, Schema.Number)])
)

/** A nested entry's numeric metrics; metrics of another shape are left out (see {@link MemoryStats}). */
const numberRecord = (entries: ReadonlyArray<readonly [RespValue, RespValue]>): Record<string, number> => {
  const out = emptyRecord<number>()
  for (const [k, v] of entries) {
    const name = toText(k), value = toFloat(v)
    if (name !== undefined && value !== undefined) out[name] = value
  }
  return out
}

const memoryStatsReply: Reply<MemoryStats> = makeReply(MemoryStatsSchema, (raw) => {
  const entries = entriesOf(raw)
  if (entries === undefined) return mismatch("a MEMORY STATS reply")(raw)
  const out = emptyRecord<number | Record<string, number>>()
  for (const [k, v] of entries) {
    const name = toText(k)
    if (name === undefined) return mismatch("a MEMORY STATS reply")(raw)
    const nested = v instanceof Map || Array.isArray(v) ? entriesOf(v) : undefined
    const value = nested !== undefined ? numberRecord(nested) : toFloat(v)
    if (value !== undefined) out[name] = value
  }
  return out
})

/** MEMORY DOCTOR: the server's advice on its memory use, as text. */
export const memoryDoctor = defineCommand({
  name: "MEMORY DOCTOR", flags: replaySafe, keys: noKeys, reply: Replies.string,
  args: () => ["MEMORY", "DOCTOR"]
})

/** MEMORY MALLOC-STATS: the memory allocator's internal statistics, as text. */
export const memoryMallocStats = defineCommand({
  name: "MEMORY MALLOC-STATS", flags: replaySafe, keys: noKeys, reply: Replies.string,
  args: () => ["MEMORY", "MALLOC-STATS"]
})

/** MEMORY PURGE: asks the allocator to release dirty pages (on a cluster: on every node). */
export const memoryPurge = defineCommand({
  name: "MEMORY PURGE", flags: replaySafe, keys: noKeys, reply: Replies.ok,
  args: () => ["MEMORY", "PURGE"]
})

/** MEMORY STATS: the server's memory use by area ({@link MemoryStats}). */
export const memoryStats = defineCommand({
  name: "MEMORY STATS", flags: replaySafe, keys: noKeys, reply: memoryStatsReply,
  args: () => ["MEMORY", "STATS"]
})

/** Options of MEMORY USAGE. */
export interface MemoryUsageOptions {
  /** How many elements of an aggregate to sample (0 = all; the server's default is 5). */
  readonly samples?: number | undefined
}

/** MEMORY USAGE key [SAMPLES count]: the bytes the key and its value use, or `Option.none()` when it does not exist. */
export const memoryUsage = defineCommand({
  name: "MEMORY USAGE", flags: readonly, keys: { first: 2, last: 2, step: 1 }, reply: Replies.optionalInteger,
  args: (key: RedisKey, options: MemoryUsageOptions = {}) =>
    options.samples === undefined
      ? ["MEMORY", "USAGE", key]
      : integerAtLeast("samples", options.samples, 0) ?? ["MEMORY", "USAGE", key, "SAMPLES", options.samples]
})

// ---------------------------------------------------------------------------------------------------------------
// LATENCY

/** One command's entry of LATENCY HISTOGRAM. */
export interface CommandLatencyHistogram {
  /** How many times the command ran. */
  readonly calls: number
  /** The server's cumulative distribution: bucket bound in microseconds (about powers of two) to a count of calls. */
  readonly histogramUsec: Readonly<Record<number, number>>
}

/** The reply of LATENCY HISTOGRAM: command name (lower case, `client|list` for subcommands) to its histogram. */
export type LatencyHistogram = Readonly<Record<string, CommandLatencyHistogram>>

const LatencyHistogramSchema = Schema.Record(
  Schema.String,
  Schema.Struct({ calls: Schema.Number, histogramUsec: Schema.Record(Schema.String, Schema.Number) })
)

const latencyHistogramReply: Reply<LatencyHistogram> = makeReply(LatencyHistogramSchema, (raw) => {
  const bad = mismatch("a LATENCY HISTOGRAM reply")
  const entries = entriesOf(raw)
  if (entries === undefined) return bad(raw)
  const out = emptyRecord<CommandLatencyHistogram>()
  for (const [k, v] of entries) {
    const command = toText(k)
    const fields = fieldsOf(v)
    const calls = fields && intField(fields, "calls")
    const buckets = fields?.get("histogram_usec")
    const bucketEntries = buckets === undefined ? undefined : entriesOf(buckets)
    if (command === undefined || calls === undefined || bucketEntries === undefined) return bad(raw)
    const histogramUsec: Record<number, number> = emptyRecord<number>()
    for (const [bound, count] of bucketEntries) {
      const b = toInteger(bound), c = toInteger(count)
      if (b === undefined || c === undefined) return bad(raw)
      histogramUsec[b] = c
    }
    out[command] = { calls, histogramUsec }
  }
  return out
})

/** One sample of LATENCY HISTORY. */
export interface LatencySample {
  /** Unix seconds. */
  readonly timestamp: number
  readonly latencyMs: number
}

const latencyHistoryReply: Reply<ReadonlyArray<LatencySample>> = makeReply(
  Schema.Array(Schema.Struct({ timestamp: Schema.Number, latencyMs: Schema.Number })),
  (raw) =>
    listOf(raw, "a LATENCY HISTORY reply", (item) => {
      const pair = asList(item)
      const timestamp = pair?.length === 2 ? toInteger(pair[0]!) : undefined
      const latencyMs = pair?.length === 2 ? toInteger(pair[1]!) : undefined
      return timestamp === undefined || latencyMs === undefined ? mismatch("[timestamp, latency]")(item) : { timestamp, latencyMs }
    })
)

/** One event of LATENCY LATEST. */
export interface LatencyLatest {
  /** The event name (`command`, `fast-command`, `expire-cycle`, `fork`...). */
  readonly event: string
  /** Unix seconds of the latest spike. */
  readonly timestamp: number
  /** The latest spike, in milliseconds. */
  readonly latestMs: number
  /** The largest spike recorded, in milliseconds. */
  readonly maxMs: number
}

const latencyLatestReply: Reply<ReadonlyArray<LatencyLatest>> = makeReply(
  Schema.Array(Schema.Struct({ event: Schema.String, timestamp: Schema.Number, latestMs: Schema.Number, maxMs: Schema.Number })),
  (raw) =>
    listOf(raw, "a LATENCY LATEST reply", (item) => {
      const parts = asList(item)
      if (parts === undefined || parts.length < 4) return mismatch("[event, timestamp, latest, max]")(item)
      const event = toText(parts[0]!), timestamp = toInteger(parts[1]!), latestMs = toInteger(parts[2]!), maxMs = toInteger(parts[3]!)
      return event === undefined || timestamp === undefined || latestMs === undefined || maxMs === undefined
        ? mismatch("[event, timestamp, latest, max]")(item)
        : { event, timestamp, latestMs, maxMs }
    })
)

/** LATENCY DOCTOR: the server's analysis of its latency events, as text. */
export const latencyDoctor = defineCommand({
  name: "LATENCY DOCTOR", flags: admin | replaySafe, keys: noKeys, reply: Replies.string,
  args: () => ["LATENCY", "DOCTOR"]
})

/** LATENCY GRAPH event: an ASCII-art graph of the event's latency samples (fails when it has none). */
export const latencyGraph = defineCommand({
  name: "LATENCY GRAPH", flags: admin | replaySafe, keys: noKeys, reply: Replies.string,
  args: (event: string) => ["LATENCY", "GRAPH", event]
})

/**
 * LATENCY HISTOGRAM [command ...]: per-command latency histograms ({@link LatencyHistogram}) of the given commands,
 * or of every command that ran.
 */
export const latencyHistogram = defineCommand({
  name: "LATENCY HISTOGRAM", flags: admin | replaySafe, keys: noKeys, reply: latencyHistogramReply,
  args: (commands: ReadonlyArray<string> = []) => ["LATENCY", "HISTOGRAM", ...commands]
})

/** LATENCY HISTORY event: the event's latency samples, oldest first (empty when none). */
export const latencyHistory = defineCommand({
  name: "LATENCY HISTORY", flags: admin | replaySafe, keys: noKeys, reply: latencyHistoryReply,
  args: (event: string) => ["LATENCY", "HISTORY", event]
})

/** LATENCY LATEST: the latest and largest spike of every event that has samples. */
export const latencyLatest = defineCommand({
  name: "LATENCY LATEST", flags: admin | replaySafe, keys: noKeys, reply: latencyLatestReply,
  args: () => ["LATENCY", "LATEST"]
})

/** LATENCY RESET [event ...]: drops the samples of the given events (or of all); how many event series were reset. */
export const latencyReset = defineCommand({
  name: "LATENCY RESET", flags: admin, keys: noKeys, reply: Replies.integer,
  args: (events: ReadonlyArray<string> = []) => ["LATENCY", "RESET", ...events]
})

// ---------------------------------------------------------------------------------------------------------------
// SLOWLOG

/** One entry of SLOWLOG GET. */
export interface SlowlogEntry {
  /** The entry's unique, increasing id. */
  readonly id: number
  /** Unix seconds when the command ran. */
  readonly timestamp: number
  /** How long it ran, in microseconds. */
  readonly durationMicros: number
  /** The command line (long ones are shortened by the server). */
  readonly args: ReadonlyArray<string>
  /** The client's `ip:port`. */
  readonly clientAddr: string
  /** The client's name (empty when none). */
  readonly clientName: string
}

const SlowlogEntrySchema = Schema.Struct({
  id: Schema.Number,
  timestamp: Schema.Number,
  durationMicros: Schema.Number,
  args: Schema.Array(Schema.String),
  clientAddr: Schema.String,
  clientName: Schema.String
})

const decodeSlowlogEntry = (raw: RespValue): SlowlogEntry | ReplyMismatch => {
  const parts = asList(raw)
  if (parts === undefined || parts.length < 6) return mismatch("a SLOWLOG entry")(raw)
  const id = toInteger(parts[0]!), timestamp = toInteger(parts[1]!), durationMicros = toInteger(parts[2]!)
  const args = textList(parts[3]!), clientAddr = toText(parts[4]!), clientName = toText(parts[5]!)
  return id === undefined || timestamp === undefined || durationMicros === undefined || args === undefined ||
      clientAddr === undefined || clientName === undefined
    ? mismatch("a SLOWLOG entry")(raw)
    : { id, timestamp, durationMicros, args, clientAddr, clientName }
}

const slowlogReply: Reply<ReadonlyArray<SlowlogEntry>> = makeReply(
  Schema.Array(SlowlogEntrySchema),
  (raw) => listOf(raw, "SLOWLOG entries", decodeSlowlogEntry)
)

/** Options of SLOWLOG GET. */
export interface SlowlogGetOptions {
  /** At most this many entries, most recent first (-1 = all; the server's default is 10). */
  readonly count?: number | undefined
}

/** SLOWLOG GET [count]: the most recent slow commands ({@link SlowlogEntry}), most recent first. */
export const slowlogGet = defineCommand({
  name: "SLOWLOG GET", flags: admin | replaySafe, keys: noKeys, reply: slowlogReply,
  args: (options: SlowlogGetOptions = {}) =>
    options.count === undefined
      ? ["SLOWLOG", "GET"]
      : integerAtLeast("count", options.count, -1) ?? ["SLOWLOG", "GET", options.count]
})

/** SLOWLOG LEN: the number of entries in the slow log (on a cluster: the sum over every node). */
export const slowlogLen = defineCommand({
  name: "SLOWLOG LEN", flags: admin | replaySafe, keys: noKeys, reply: Replies.integer,
  args: () => ["SLOWLOG", "LEN"]
})

/** SLOWLOG RESET: empties the slow log (on a cluster: on every node). */
export const slowlogReset = defineCommand({
  name: "SLOWLOG RESET", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: () => ["SLOWLOG", "RESET"]
})

