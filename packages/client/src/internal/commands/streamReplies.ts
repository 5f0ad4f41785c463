import type { RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { makeReply, type Reply, type ReplyMismatch } from "../Reply.ts"
import {
  asArray,
  decodeEach,
  fieldsOf,
  intField,
  mismatch,
  nilAsNone,
  optionalIntField,
  optionalText,
  textField,
  textList,
  toInteger,
  toText
} from "../ReplyDecoding.ts"

// The typed replies of the stream commands (XRANGE, XREAD, XINFO, XPENDING, XCLAIM...). Each decoder accepts both
// what RESP2 sends (flat arrays of field names and values) and what RESP3 sends (maps) for the same reply, and
// yields one value. The structured replies (XINFO, XPENDING) keep exactly the fields Redis 7.0 documents: fields a
// newer server adds (`inactive`, `active-time` in 7.2...) are ignored, so a reply has the same type on every server;
// `Redis.call` gives the raw reply when they are needed.

// ---------------------------------------------------------------------------------------------------------------
// Types

/**
 * One stream entry: its ID and its field-value pairs in the order they were added (a stream entry may repeat a
 * field name, so the pairs are kept as a list rather than a record).
 *
 * An entry read from a consumer group's history (XREADGROUP with an ID other than `>`) that has since been
 * deleted from the stream (XDEL, XTRIM) comes back from Redis with no fields: its `fields` is then empty. Redis
 * never stores an entry without fields, so an empty `fields` always means "deleted, still pending".
 */
export interface StreamEntry {
  /** The entry ID, `<ms>-<seq>`. */
  readonly id: string
  /** The field-value pairs, in insertion order (duplicates kept). Empty for a deleted entry (see above). */
  readonly fields: ReadonlyArray<readonly [string, string]>
}

/** The entries XREAD / XREADGROUP returned for one stream. */
export interface StreamKeyEntries {
  /** The stream's key. */
  readonly key: string
  /** Its entries, in ID order. */
  readonly entries: ReadonlyArray<StreamEntry>
}

/** The stream's state as both forms of XINFO STREAM report it (Redis 7.0 fields). */
export interface StreamState {
  /** Number of entries. */
  readonly length: number
  /** Keys of the underlying radix tree. */
  readonly radixTreeKeys: number
  /** Nodes of the underlying radix tree. */
  readonly radixTreeNodes: number
  /** The ID of the last entry ever added (it may have been deleted since). */
  readonly lastGeneratedId: string
  /** The highest ID ever deleted (`0-0` when none). */
  readonly maxDeletedEntryId: string
  /** How many entries were ever added, deleted ones included. */
  readonly entriesAdded: number
  /** The first entry's ID as the stream recorded it (`0-0` when empty). */
  readonly recordedFirstEntryId: string
}

/** XINFO STREAM: the stream's state (Redis 7.0 fields). */
export interface StreamInfo extends StreamState {
  /** Number of consumer groups. */
  readonly groups: number
  /** The first entry, none when the stream is empty. */
  readonly firstEntry: Option.Option<StreamEntry>
  /** The last entry, none when the stream is empty. */
  readonly lastEntry: Option.Option<StreamEntry>
}

/** XINFO GROUPS: one consumer group (Redis 7.0 fields). */
export interface StreamGroupInfo {
  /** The group's name. */
  readonly name: string
  /** Number of consumers. */
  readonly consumers: number
  /** Entries delivered and not yet acknowledged (the PEL's length). */
  readonly pending: number
  /** The ID of the last entry delivered to the group. */
  readonly lastDeliveredId: string
  /** The logical read counter of the group, none when Redis cannot tell. */
  readonly entriesRead: Option.Option<number>
  /** Entries still waiting to be delivered to the group, none when Redis cannot tell. */
  readonly lag: Option.Option<number>
}

/** XINFO CONSUMERS: one consumer of a group (Redis 7.0 fields). */
export interface StreamConsumerInfo {
  /** The consumer's name. */
  readonly name: string
  /** Entries delivered to it and not yet acknowledged. */
  readonly pending: number
  /** Milliseconds since it last interacted with the server (Redis's `idle`). */
  readonly idleMs: number
}

/** A pending entry of a consumer in XINFO STREAM FULL. */
export interface StreamInfoConsumerPendingEntry {
  /** The entry ID. */
  readonly id: string
  /** When it was last delivered, Unix time in milliseconds. */
  readonly deliveryTime: number
  /** How many times it was delivered. */
  readonly deliveries: number
}

/** A pending entry of a group in XINFO STREAM FULL: as a consumer's, with the consumer it was delivered to. */
export interface StreamInfoPendingEntry extends StreamInfoConsumerPendingEntry {
  /** The consumer it was delivered to. */
  readonly consumer: string
}

/** A consumer in XINFO STREAM FULL (Redis 7.0 fields). */
export interface StreamConsumerInfoFull {
  /** The consumer's name. */
  readonly name: string
  /** When it last interacted with the server, Unix time in milliseconds. */
  readonly seenTime: number
  /** Length of its pending entries list. */
  readonly pelCount: number
  /** Its pending entries (at most COUNT of them). */
  readonly pending: ReadonlyArray<StreamInfoConsumerPendingEntry>
}

/** A consumer group in XINFO STREAM FULL (Redis 7.0 fields). */
export interface StreamGroupInfoFull {
  /** The group's name. */
  readonly name: string
  /** The ID of the last entry delivered to the group. */
  readonly lastDeliveredId: string
  /** The logical read counter of the group, none when Redis cannot tell. */
  readonly entriesRead: Option.Option<number>
  /** Entries still waiting to be delivered to the group, none when Redis cannot tell. */
  readonly lag: Option.Option<number>
  /** Length of the group's pending entries list. */
  readonly pelCount: number
  /** The group's pending entries (at most COUNT of them). */
  readonly pending: ReadonlyArray<StreamInfoPendingEntry>
  /** The group's consumers. */
  readonly consumers: ReadonlyArray<StreamConsumerInfoFull>
}

/** XINFO STREAM FULL: the stream with its entries and groups (Redis 7.0 fields). */
export interface StreamInfoFull extends StreamState {
  /** The entries, in ID order (at most COUNT of them). */
  readonly entries: ReadonlyArray<StreamEntry>
  /** The consumer groups. */
  readonly groups: ReadonlyArray<StreamGroupInfoFull>
}

/** One consumer in the XPENDING summary. */
export interface StreamPendingConsumer {
  /** The consumer's name. */
  readonly name: string
  /** How many entries it has pending. */
  readonly pending: number
}

/** XPENDING key group: the summary of a group's pending entries. */
export interface StreamPendingSummary {
  /** Total number of pending entries. */
  readonly count: number
  /** The smallest pending ID, none when nothing is pending. */
  readonly smallestId: Option.Option<string>
  /** The greatest pending ID, none when nothing is pending. */
  readonly greatestId: Option.Option<string>
  /** The consumers with at least one pending entry (empty when nothing is pending). */
  readonly consumers: ReadonlyArray<StreamPendingConsumer>
}

/** One entry of XPENDING's extended form. */
export interface StreamPendingEntry {
  /** The entry ID. */
  readonly id: string
  /** The consumer it was delivered to. */
  readonly consumer: string
  /** Milliseconds since it was last delivered. */
  readonly idleMs: number
  /** How many times it was delivered. */
  readonly deliveries: number
}

/** XAUTOCLAIM: the claimed entries and where to continue. */
export interface StreamAutoClaim {
  /** The cursor for the next call (`0-0` when the whole PEL was scanned). */
  readonly nextId: string
  /** The entries now owned by the consumer. */
  readonly entries: ReadonlyArray<StreamEntry>
  /** Pending IDs whose entries no longer exist; Redis removed them from the PEL. */
  readonly deletedIds: ReadonlyArray<string>
}

/** XAUTOCLAIM ... JUSTID: the claimed IDs and where to continue. */
export interface StreamAutoClaimIds {
  /** The cursor for the next call (`0-0` when the whole PEL was scanned). */
  readonly nextId: string
  /** The IDs now owned by the consumer. */
  readonly ids: ReadonlyArray<string>
  /** Pending IDs whose entries no longer exist; Redis removed them from the PEL. */
  readonly deletedIds: ReadonlyArray<string>
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas (the decoded side of each reply)

const StreamEntrySchema = Schema.Struct({
  id: Schema.String,
  fields: Schema.Array(Schema.Tuple([Schema.String, Schema.String]))
})
const StreamEntriesSchema = Schema.Array(StreamEntrySchema)
const OptionalNumber = Schema.Option(Schema.Number)

const StreamInfoCommon = {
  length: Schema.Number,
  radixTreeKeys: Schema.Number,
  radixTreeNodes: Schema.Number,
  lastGeneratedId: Schema.String,
  maxDeletedEntryId: Schema.String,
  entriesAdded: Schema.Number,
  recordedFirstEntryId: Schema.String
}

const StreamGroupInfoFullSchema = Schema.Struct({
  name: Schema.String,
  lastDeliveredId: Schema.String,
  entriesRead: OptionalNumber,
  lag: OptionalNumber,
  pelCount: Schema.Number,
  pending: Schema.Array(Schema.Struct({
    id: Schema.String,
    consumer: Schema.String,
    deliveryTime: Schema.Number,
    deliveries: Schema.Number
  })),
  consumers: Schema.Array(Schema.Struct({
    name: Schema.String,
    seenTime: Schema.Number,
    pelCount: Schema.Number,
    pending: Schema.Array(Schema.Struct({ id: Schema.String, deliveryTime: Schema.Number, deliveries: Schema.Number }))
  }))
})

// ---------------------------------------------------------------------------------------------------------------
// Decoding helpers (undefined = the reply does not have the expected shape)

/** `[id, [field, value, ...]]`, or `[id, nil]` for a deleted entry (empty fields). */
const decodeEntry = (raw: RespValue): StreamEntry | undefined => {
  if (!Array.isArray(raw) || raw.length !== 2) return undefined
  const id = toText(raw[0]!)
  if (id === undefined) return undefined
  const flat = raw[1]!
  if (flat === null) return { id, fields: [] }
  if (!Array.isArray(flat) || flat.length % 2 !== 0) return undefined
  const fields = new Array<readonly [string, string]>(flat.length / 2)
  for (let i = 0; i < flat.length; i += 2) {
    const field = toText(flat[i]!), value = toText(flat[i + 1]!)
    if (field === undefined || value === undefined) return undefined
    fields[i / 2] = [field, value]
  }
  return { id, fields }
}

/** A list of entries; nil is an empty list (XRANGE ... COUNT 0 replies nil); nil items are skipped. */
const decodeEntries = (raw: RespValue): Array<StreamEntry> | undefined => {
  if (raw === null) return []
  if (!Array.isArray(raw)) return undefined
  const out: Array<StreamEntry> = []
  for (const item of raw) {
    if (item === null) continue
    const entry = decodeEntry(item)
    if (entry === undefined) return undefined
    out.push(entry)
  }
  return out
}

/** An entry or nil; undefined when the field is absent (XINFO STREAM always sends it). */
const decodeOptionalEntry = (raw: RespValue | undefined): Option.Option<StreamEntry> | undefined =>
  raw === undefined ? undefined : nilAsNone(decodeEntry)(raw)

/** A list of IDs; nil is none of them. */
const decodeTexts = (raw: RespValue | undefined): Array<string> | undefined => (raw === null ? [] : textList(raw))

/** The fields every XINFO STREAM form shares. */
const decodeStreamCommon = (fields: Map<string, RespValue>): StreamState | undefined => {
  const length = intField(fields, "length")
  const radixTreeKeys = intField(fields, "radix-tree-keys")
  const radixTreeNodes = intField(fields, "radix-tree-nodes")
  const lastGeneratedId = textField(fields, "last-generated-id")
  const maxDeletedEntryId = textField(fields, "max-deleted-entry-id")
  const entriesAdded = intField(fields, "entries-added")
  const recordedFirstEntryId = textField(fields, "recorded-first-entry-id")
  if (
    length === undefined || radixTreeKeys === undefined || radixTreeNodes === undefined ||
    lastGeneratedId === undefined || maxDeletedEntryId === undefined || entriesAdded === undefined ||
    recordedFirstEntryId === undefined
  ) return undefined
  return { length, radixTreeKeys, radixTreeNodes, lastGeneratedId, maxDeletedEntryId, entriesAdded, recordedFirstEntryId }
}

const decodeGroupPending = (raw: RespValue): StreamInfoPendingEntry | undefined => {
  if (!Array.isArray(raw) || raw.length !== 4) return undefined
  const id = toText(raw[0]!), consumer = toText(raw[1]!)
  const deliveryTime = toInteger(raw[2]!), deliveries = toInteger(raw[3]!)
  if (id === undefined || consumer === undefined || deliveryTime === undefined || deliveries === undefined) return undefined
  return { id, consumer, deliveryTime, deliveries }
}

const decodeConsumerPending = (raw: RespValue): StreamInfoConsumerPendingEntry | undefined => {
  if (!Array.isArray(raw) || raw.length !== 3) return undefined
  const id = toText(raw[0]!), deliveryTime = toInteger(raw[1]!), deliveries = toInteger(raw[2]!)
  if (id === undefined || deliveryTime === undefined || deliveries === undefined) return undefined
  return { id, deliveryTime, deliveries }
}

const decodeConsumerFull = (raw: RespValue): StreamConsumerInfoFull | undefined => {
  const fields = fieldsOf(raw)
  if (fields === undefined) return undefined
  const name = textField(fields, "name"), seenTime = intField(fields, "seen-time"), pelCount = intField(fields, "pel-count")
  const pending = decodeEach(asArray(fields.get("pending")), decodeConsumerPending)
  if (name === undefined || seenTime === undefined || pelCount === undefined || pending === undefined) return undefined
  return { name, seenTime, pelCount, pending }
}

const decodeGroupFull = (raw: RespValue): StreamGroupInfoFull | undefined => {
  const fields = fieldsOf(raw)
  if (fields === undefined) return undefined
  const name = textField(fields, "name"), lastDeliveredId = textField(fields, "last-delivered-id")
  const entriesRead = optionalIntField(fields, "entries-read"), lag = optionalIntField(fields, "lag")
  const pelCount = intField(fields, "pel-count")
  const pending = decodeEach(asArray(fields.get("pending")), decodeGroupPending)
  const consumers = decodeEach(asArray(fields.get("consumers")), decodeConsumerFull)
  if (
    name === undefined || lastDeliveredId === undefined || entriesRead === undefined || lag === undefined ||
    pelCount === undefined || pending === undefined || consumers === undefined
  ) return undefined
  return { name, lastDeliveredId, entriesRead, lag, pelCount, pending, consumers }
}

const decodeGroupInfo = (raw: RespValue): StreamGroupInfo | undefined => {
  const fields = fieldsOf(raw)
  if (fields === undefined) return undefined
  const name = textField(fields, "name"), consumers = intField(fields, "consumers"), pending = intField(fields, "pending")
  const lastDeliveredId = textField(fields, "last-delivered-id")
  const entriesRead = optionalIntField(fields, "entries-read"), lag = optionalIntField(fields, "lag")
  if (
    name === undefined || consumers === undefined || pending === undefined || lastDeliveredId === undefined ||
    entriesRead === undefined || lag === undefined
  ) return undefined
  return { name, consumers, pending, lastDeliveredId, entriesRead, lag }
}

const decodeConsumerInfo = (raw: RespValue): StreamConsumerInfo | undefined => {
  const fields = fieldsOf(raw)
  if (fields === undefined) return undefined
  const name = textField(fields, "name"), pending = intField(fields, "pending"), idleMs = intField(fields, "idle")
  if (name === undefined || pending === undefined || idleMs === undefined) return undefined
  return { name, pending, idleMs }
}

const decodeKeyEntries = (key: RespValue, entries: RespValue): StreamKeyEntries | undefined => {
  const name = toText(key)
  const list = decodeEntries(entries)
  return name === undefined || list === undefined ? undefined : { key: name, entries: list }
}

/** `undefined` → a mismatch for `expected`, anything else unchanged. */
const orMismatch = <A>(expected: string, raw: RespValue, value: A | undefined): A | ReplyMismatch =>
  value === undefined ? mismatch(expected)(raw) : value

// ---------------------------------------------------------------------------------------------------------------
// Replies

/** XRANGE / XREVRANGE / XCLAIM: a list of entries (nil = empty). */
export const streamEntries: Reply<ReadonlyArray<StreamEntry>> = makeReply(
  StreamEntriesSchema,
  (raw) => orMismatch("a list of stream entries", raw, decodeEntries(raw))
)

/** XREAD / XREADGROUP: per stream, its entries; nil (nothing before the timeout) is none. */
export const streamRead: Reply<Option.Option<ReadonlyArray<StreamKeyEntries>>> = makeReply(
  Schema.Option(Schema.Array(Schema.Struct({ key: Schema.String, entries: StreamEntriesSchema }))),
  (raw) => {
    if (raw === null) return Option.none()
    const expected = "streams and their entries, or nil"
    const out: Array<StreamKeyEntries> = []
    if (raw instanceof Map) {
      for (const [key, entries] of raw) {
        const item = decodeKeyEntries(key, entries)
        if (item === undefined) return mismatch(expected)(raw)
        out.push(item)
      }
      return Option.some(out)
    }
    if (!Array.isArray(raw)) return mismatch(expected)(raw)
    for (const pair of raw) {
      const item = Array.isArray(pair) && pair.length === 2 ? decodeKeyEntries(pair[0]!, pair[1]!) : undefined
      if (item === undefined) return mismatch(expected)(raw)
      out.push(item)
    }
    return Option.some(out)
  }
)

/** XCLAIM ... JUSTID: the claimed IDs. */
export const streamIds: Reply<ReadonlyArray<string>> = makeReply(
  Schema.Array(Schema.String),
  (raw) => orMismatch("a list of stream IDs", raw, decodeTexts(raw))
)

/** XINFO STREAM. */
export const streamInfo: Reply<StreamInfo> = makeReply(
  Schema.Struct({
    ...StreamInfoCommon,
    groups: Schema.Number,
    firstEntry: Schema.Option(StreamEntrySchema),
    lastEntry: Schema.Option(StreamEntrySchema)
  }),
  (raw) => {
    const expected = "XINFO STREAM fields"
    const fields = fieldsOf(raw)
    if (fields === undefined) return mismatch(expected)(raw)
    const common = decodeStreamCommon(fields)
    const groups = intField(fields, "groups")
    const firstEntry = decodeOptionalEntry(fields.get("first-entry"))
    const lastEntry = decodeOptionalEntry(fields.get("last-entry"))
    if (common === undefined || groups === undefined || firstEntry === undefined || lastEntry === undefined) {
      return mismatch(expected)(raw)
    }
    return { ...common, groups, firstEntry, lastEntry }
  }
)

/** XINFO STREAM ... FULL. */
export const streamInfoFull: Reply<StreamInfoFull> = makeReply(
  Schema.Struct({ ...StreamInfoCommon, entries: StreamEntriesSchema, groups: Schema.Array(StreamGroupInfoFullSchema) }),
  (raw) => {
    const expected = "XINFO STREAM FULL fields"
    const fields = fieldsOf(raw)
    if (fields === undefined) return mismatch(expected)(raw)
    const common = decodeStreamCommon(fields)
    const entriesRaw = fields.get("entries")
    const entries = entriesRaw === undefined ? undefined : decodeEntries(entriesRaw)
    const groups = decodeEach(asArray(fields.get("groups")), decodeGroupFull)
    if (common === undefined || entries === undefined || groups === undefined) return mismatch(expected)(raw)
    return { ...common, entries, groups }
  }
)

/** XINFO GROUPS. */
export const streamGroups: Reply<ReadonlyArray<StreamGroupInfo>> = makeReply(
  Schema.Array(Schema.Struct({
    name: Schema.String,
    consumers: Schema.Number,
    pending: Schema.Number,
    lastDeliveredId: Schema.String,
    entriesRead: OptionalNumber,
    lag: OptionalNumber
  })),
  (raw) => orMismatch("a list of XINFO GROUPS entries", raw, decodeEach(asArray(raw), decodeGroupInfo))
)

/** XINFO CONSUMERS. */
export const streamConsumers: Reply<ReadonlyArray<StreamConsumerInfo>> = makeReply(
  Schema.Array(Schema.Struct({ name: Schema.String, pending: Schema.Number, idleMs: Schema.Number })),
  (raw) => orMismatch("a list of XINFO CONSUMERS entries", raw, decodeEach(asArray(raw), decodeConsumerInfo))
)

/** XPENDING key group: `[count, smallest, greatest, [[consumer, count], ...]]` (nils when nothing is pending). */
export const streamPendingSummary: Reply<StreamPendingSummary> = makeReply(
  Schema.Struct({
    count: Schema.Number,
    smallestId: Schema.Option(Schema.String),
    greatestId: Schema.Option(Schema.String),
    consumers: Schema.Array(Schema.Struct({ name: Schema.String, pending: Schema.Number }))
  }),
  (raw) => {
    const expected = "an XPENDING summary"
    if (!Array.isArray(raw) || raw.length !== 4) return mismatch(expected)(raw)
    const count = toInteger(raw[0]!)
    const smallestId = optionalText(raw[1]!), greatestId = optionalText(raw[2]!)
    if (count === undefined || smallestId === undefined || greatestId === undefined) return mismatch(expected)(raw)
    const consumers = raw[3] === null ? [] : decodeEach(asArray(raw[3]), (item) => {
      if (!Array.isArray(item) || item.length !== 2) return undefined
      const name = toText(item[0]!), pending = toInteger(item[1]!)
      return name === undefined || pending === undefined ? undefined : { name, pending }
    })
    if (consumers === undefined) return mismatch(expected)(raw)
    return { count, smallestId, greatestId, consumers }
  }
)

/** XPENDING key group [IDLE ms] start end count [consumer]: `[[id, consumer, idle, deliveries], ...]`. */
export const streamPendingEntries: Reply<ReadonlyArray<StreamPendingEntry>> = makeReply(
  Schema.Array(Schema.Struct({ id: Schema.String, consumer: Schema.String, idleMs: Schema.Number, deliveries: Schema.Number })),
  (raw) =>
    orMismatch(
      "a list of pending entries",
      raw,
      decodeEach(asArray(raw), (item) => {
        const entry = decodeGroupPending(item)
        return entry === undefined ? undefined : { id: entry.id, consumer: entry.consumer, idleMs: entry.deliveryTime, deliveries: entry.deliveries }
      })
    )
)

/** XAUTOCLAIM: `[next, [entry...], [deleted id...]]`. */
export const streamAutoClaim: Reply<StreamAutoClaim> = makeReply(
  Schema.Struct({ nextId: Schema.String, entries: StreamEntriesSchema, deletedIds: Schema.Array(Schema.String) }),
  (raw) => {
    const expected = "[next ID, entries, deleted IDs]"
    // Redis 6.2 sends two elements (no deleted IDs); 7.0 three.
    if (!Array.isArray(raw) || (raw.length !== 3 && raw.length !== 2)) return mismatch(expected)(raw)
    const nextId = toText(raw[0]!)
    const entries = decodeEntries(raw[1]!)
    const deletedIds = raw.length === 3 ? decodeTexts(raw[2]) : []
    if (nextId === undefined || entries === undefined || deletedIds === undefined) return mismatch(expected)(raw)
    return { nextId, entries, deletedIds }
  }
)

/** XAUTOCLAIM ... JUSTID: `[next, [id...], [deleted id...]]`. */
export const streamAutoClaimIds: Reply<StreamAutoClaimIds> = makeReply(
  Schema.Struct({ nextId: Schema.String, ids: Schema.Array(Schema.String), deletedIds: Schema.Array(Schema.String) }),
  (raw) => {
    const expected = "[next ID, IDs, deleted IDs]"
    if (!Array.isArray(raw) || (raw.length !== 3 && raw.length !== 2)) return mismatch(expected)(raw)
    const nextId = toText(raw[0]!)
    const ids = decodeTexts(raw[1])
    const deletedIds = raw.length === 3 ? decodeTexts(raw[2]) : []
    if (nextId === undefined || ids === undefined || deletedIds === undefined) return mismatch(expected)(raw)
    return { nextId, ids, deletedIds }
  }
)
