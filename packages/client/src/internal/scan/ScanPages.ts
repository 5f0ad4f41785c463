import type { RespArg, RespValue } from "@effect-redis/resp"
import { Schema } from "effect"
import { type Command, makeCommand, makeSpec } from "../../Command.ts"
import type { ScanPage } from "../../Replies.ts"
import { ClusterPolicy } from "../ClusterPolicy.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { firstKey, noKeys } from "../KeyPositions.ts"
import { makeReply, ReplyMismatch } from "../Reply.ts"
import { toFloat, toText } from "../ReplyDecoding.ts"
import type { RedisKey } from "../commands/types.ts"
import type { ResolvedScanOptions } from "./ScanOptions.ts"

// The page commands behind the scan streams: one SCAN-family call per page, decoded straight into what the stream
// emits (keys, [field, value] tuples, members, [member, score] tuples). They are built from specs of their own, not
// from the `Redis.*scan` builders, because the streams own their options (NOVALUES, bytes) and their decoders keep
// the reply's array instead of copying it: a page is the chunk the stream emits.

/** `[cursor, items]` with the cursor as text; undefined for any other shape. */
const pageParts = (raw: RespValue): readonly [string, ReadonlyArray<RespValue>] | undefined => {
  if (!Array.isArray(raw) || raw.length !== 2) return undefined
  const cursor = toText(raw[0]!)
  const items = raw[1]
  if (cursor === undefined || !Array.isArray(items)) return undefined
  return [cursor, items]
}

const pageMismatch = (expected: string, raw: RespValue) => new ReplyMismatch(`[cursor, ${expected}]`, raw)

/** A page of strings (keys, set members, hash fields), the reply's own array when it holds only strings. */
const textPage = (expected: string) => (raw: RespValue): ScanPage<string> | ReplyMismatch => {
  const parts = pageParts(raw)
  if (parts === undefined) return pageMismatch(expected, raw)
  const [cursor, items] = parts
  for (let i = 0; i < items.length; i++) {
    if (typeof items[i] !== "string") {
      const copy = new Array<string>(items.length)
      for (let j = 0; j < items.length; j++) {
        const text = toText(items[j]!)
        if (text === undefined) return pageMismatch(expected, raw)
        copy[j] = text
      }
      return { cursor, items: copy }
    }
  }
  return { cursor, items: items as ReadonlyArray<string> }
}

/** A page of keys as bytes (the reply is read with bulk strings as bytes). */
const bytesPage = (raw: RespValue): ScanPage<Uint8Array> | ReplyMismatch => {
  const parts = pageParts(raw)
  if (parts === undefined) return pageMismatch("keys", raw)
  const [cursor, items] = parts
  for (const item of items) if (!(item instanceof Uint8Array)) return pageMismatch("keys as bytes", raw)
  return { cursor, items: items as ReadonlyArray<Uint8Array> }
}

/**
 * Pairs from a page: RESP2 and RESP3 both send HSCAN and ZSCAN flat (`[a, b, a, b]`); nested pairs are accepted
 * too, so a server that ever nests them still decodes.
 */
const pairPage = <B>(expected: string, second: (raw: RespValue) => B | undefined) =>
(raw: RespValue): ScanPage<readonly [string, B]> | ReplyMismatch => {
  const parts = pageParts(raw)
  if (parts === undefined) return pageMismatch(expected, raw)
  const [cursor, items] = parts
  const out: Array<readonly [string, B]> = []
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    let a: string | undefined, b: B | undefined
    if (Array.isArray(item)) {
      if (item.length !== 2) return pageMismatch(expected, raw)
      a = toText(item[0]!)
      b = second(item[1]!)
    } else {
      if (i + 1 >= items.length) return pageMismatch(expected, raw)
      a = toText(item)
      b = second(items[++i]!)
    }
    if (a === undefined || b === undefined) return pageMismatch(expected, raw)
    out.push([a, b])
  }
  return { cursor, items: out }
}

const pageSchema = <S extends Schema.Top>(item: S) => Schema.Struct({ cursor: Schema.String, items: Schema.Array(item) })

const keysReply = makeReply(pageSchema(Schema.String), textPage("keys"))
const keyBytesReply = makeReply(pageSchema(Schema.Uint8Array), bytesPage, { binary: true })
const membersReply = makeReply(pageSchema(Schema.String), textPage("members"))
const fieldsReply = makeReply(pageSchema(Schema.String), textPage("fields"))
const fieldValuesReply = makeReply(
  pageSchema(Schema.Tuple([Schema.String, Schema.String])),
  pairPage("field-value pairs", toText)
)
const scoredMembersReply = makeReply(
  pageSchema(Schema.Tuple([Schema.String, Schema.Number])),
  pairPage("member-score pairs", toFloat)
)
/** INFO server's `run_id` (undefined when the reply has none). */
const runIdReply = makeReply(Schema.UndefinedOr(Schema.String), (raw) => {
  const text = toText(raw)
  if (text === undefined) return new ReplyMismatch("INFO text", raw)
  return /(?:^|\n)run_id:([0-9a-f]+)/.exec(text)?.[1]
})
const fieldsOfPairsReply = makeReply(pageSchema(Schema.String), (raw) => {
  const page = pairPage("field-value pairs", toText)(raw)
  return page instanceof ReplyMismatch ? page : { cursor: page.cursor, items: page.items.map(([field]) => field) }
})

const readonly = CommandFlags.readonly

// Built on first use, not when the module loads: this module is reached from RedisClient.ts, which Command.ts
// itself imports, so calling Command.ts at load time could run before it is initialised.
let specs: ReturnType<typeof makeSpecs> | undefined
const makeSpecs = () => ({
  scan: makeSpec({ name: "SCAN", flags: readonly, keys: noKeys, reply: keysReply, policy: ClusterPolicy.anyNode }),
  scanBytes: makeSpec({ name: "SCAN", flags: readonly, keys: noKeys, reply: keyBytesReply, policy: ClusterPolicy.anyNode }),
  hscan: makeSpec({ name: "HSCAN", flags: readonly, keys: firstKey, reply: fieldValuesReply, policy: ClusterPolicy.singleSlot }),
  hscanNoValues: makeSpec({ name: "HSCAN", flags: readonly, keys: firstKey, reply: fieldsReply, policy: ClusterPolicy.singleSlot }),
  hscanFieldsOfPairs: makeSpec({ name: "HSCAN", flags: readonly, keys: firstKey, reply: fieldsOfPairsReply, policy: ClusterPolicy.singleSlot }),
  sscan: makeSpec({ name: "SSCAN", flags: readonly, keys: firstKey, reply: membersReply, policy: ClusterPolicy.singleSlot }),
  zscan: makeSpec({ name: "ZSCAN", flags: readonly, keys: firstKey, reply: scoredMembersReply, policy: ClusterPolicy.singleSlot }),
  info: makeSpec({ name: "INFO", flags: readonly, keys: noKeys, reply: runIdReply, policy: ClusterPolicy.anyNode })
})
const spec = () => (specs ??= makeSpecs())

/** Builds one page's command from a cursor. */
export type PageCommand<A> = (cursor: string) => Command<ScanPage<A>>

const withOptions = (out: Array<RespArg>, options: ResolvedScanOptions): Array<RespArg> => {
  if (options.match !== undefined) out.push("MATCH", options.match)
  out.push("COUNT", options.count)
  if (options.type !== undefined) out.push("TYPE", options.type)
  return out
}

/** `SCAN cursor [MATCH p] COUNT n [TYPE t]`, keys as text. */
export const scanPages = (options: ResolvedScanOptions): PageCommand<string> => {
  const tail = withOptions([], options)
  return (cursor) => makeCommand(spec().scan, ["SCAN", cursor, ...tail])
}

/** The same pages with keys as bytes. */
export const scanBytesPages = (options: ResolvedScanOptions): PageCommand<Uint8Array> => {
  const tail = withOptions([], options)
  return (cursor) => makeCommand(spec().scanBytes, ["SCAN", cursor, ...tail])
}

/** `HSCAN key cursor [MATCH p] COUNT n`: `[field, value]` tuples. */
export const hscanPages = (key: RedisKey, options: ResolvedScanOptions): PageCommand<readonly [string, string]> => {
  const tail = withOptions([], options)
  return (cursor) => makeCommand(spec().hscan, ["HSCAN", key, cursor, ...tail])
}

/** `HSCAN key cursor [MATCH p] COUNT n NOVALUES` (Redis 7.4+, Valkey 8+): fields only. */
export const hscanNoValuesPages = (key: RedisKey, options: ResolvedScanOptions): PageCommand<string> => {
  const tail = withOptions([], options)
  return (cursor) => makeCommand(spec().hscanNoValues, ["HSCAN", key, cursor, ...tail, "NOVALUES"])
}

/** `HSCAN key cursor [MATCH p] COUNT n` read as fields only: the values are dropped (servers before NOVALUES). */
export const hscanFieldsOfPairsPages = (key: RedisKey, options: ResolvedScanOptions): PageCommand<string> => {
  const tail = withOptions([], options)
  return (cursor) => makeCommand(spec().hscanFieldsOfPairs, ["HSCAN", key, cursor, ...tail])
}

/** `SSCAN key cursor [MATCH p] COUNT n`: members. */
export const sscanPages = (key: RedisKey, options: ResolvedScanOptions): PageCommand<string> => {
  const tail = withOptions([], options)
  return (cursor) => makeCommand(spec().sscan, ["SSCAN", key, cursor, ...tail])
}

/** `ZSCAN key cursor [MATCH p] COUNT n`: `[member, score]` tuples (`inf`/`-inf` as ±Infinity). */
export const zscanPages = (key: RedisKey, options: ResolvedScanOptions): PageCommand<readonly [string, number]> => {
  const tail = withOptions([], options)
  return (cursor) => makeCommand(spec().zscan, ["ZSCAN", key, cursor, ...tail])
}

/**
 * `INFO server`, read for its `run_id`: the identity of the server process, which SCAN cursors belong to (a restarted
 * server hashes differently, so an old cursor skips keys).
 */
export const serverRunId = (): Command<string | undefined> => makeCommand(spec().info, ["INFO", "server"])
