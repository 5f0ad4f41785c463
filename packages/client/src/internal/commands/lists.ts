import type { RespArg } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { type Command, type CommandLine, defineCommand, InvalidOptions, makeCommand, specOf } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { keysAfterCount, keysBeforeLast, twoKeys } from "../KeyPositions.ts"
import { checkTimeout, keysThenTimeout, timeoutAt } from "./blockingTimeout.ts"
import { makeReply, type Reply } from "../Reply.ts"
import * as Replies from "../../Replies.ts"
import { asArray, decodeEach, keyedPop, mismatch, nilAsNone, textList, toInteger, toText } from "../ReplyDecoding.ts"
import { pushNumkeys, type RedisKey, type RedisValue } from "./types.ts"
import { integerAtLeast, nonEmpty } from "./validate.ts"

const { readonly, write, replaySafe } = CommandFlags

/** An end of a list: `LEFT` is the head (index 0), `RIGHT` the tail. */
export type ListEnd = "LEFT" | "RIGHT"

/** Where LINSERT puts the new element relative to the pivot. */
export type ListInsertPosition = "BEFORE" | "AFTER"

/** What BLPOP/BRPOP popped: the list it came from and the element. */
export interface ListPopResult {
  /** The key of the list the element was popped from. */
  readonly key: string
  /** The popped element. */
  readonly element: string
}

/** What LMPOP/BLMPOP popped: the list they came from and the elements, in pop order. */
export interface ListMultiPopResult {
  /** The key of the first non-empty list among the given keys. */
  readonly key: string
  /** The popped elements, in the order they were popped. */
  readonly elements: ReadonlyArray<string>
}

// ---------------------------------------------------------------------------------------------------------------
// Replies (the same arrays under RESP2 and RESP3; nil is a null bulk/array under RESP2 and `_` under RESP3)

const optionalTexts = nilAsNone(textList)

/** Elements, or nil when the key does not exist (LPOP/RPOP with a count). */
const optionalStringArray: Reply<Option.Option<ReadonlyArray<string>>> = makeReply(
  Schema.Option(Schema.Array(Schema.String)),
  (raw) => optionalTexts(raw) ?? mismatch("an array of strings or nil")(raw)
)

/** An array of integers (LPOS with COUNT). */
const integerArray: Reply<ReadonlyArray<number>> = makeReply(
  Schema.Array(Schema.Number),
  (raw) => decodeEach(asArray(raw), toInteger) ?? mismatch("an array of integers")(raw)
)

/** `[key, element]` or nil (BLPOP/BRPOP). */
const optionalPop: Reply<Option.Option<ListPopResult>> = makeReply(
  Schema.Option(Schema.Struct({ key: Schema.String, element: Schema.String })),
  (raw) => {
    const pop = keyedPop(raw, toText)
    return pop === undefined ? mismatch("[key, element] or nil")(raw) : Option.map(pop, ([key, element]) => ({ key, element }))
  }
)

/** `[key, [element...]]` or nil (LMPOP/BLMPOP). */
const optionalMultiPop: Reply<Option.Option<ListMultiPopResult>> = makeReply(
  Schema.Option(Schema.Struct({ key: Schema.String, elements: Schema.Array(Schema.String) })),
  (raw) => {
    const pop = keyedPop(raw, textList)
    return pop === undefined ? mismatch("[key, elements] or nil")(raw) : Option.map(pop, ([key, elements]) => ({ key, elements }))
  }
)

// ---------------------------------------------------------------------------------------------------------------
// Argument helpers

/** `[name, key, ...values]` for one value or a non-empty array of values. */
const pushLine = (name: string, key: RedisKey, values: RedisValue | ReadonlyArray<RedisValue>): ReadonlyArray<RespArg> | InvalidOptions => {
  if (!Array.isArray(values)) return [name, key, values as RedisValue]
  return nonEmpty("values", values) ?? [name, key, ...(values as ReadonlyArray<RedisValue>)]
}

const checkEnd = (name: string, end: ListEnd): InvalidOptions | undefined =>
  end === "LEFT" || end === "RIGHT" ? undefined : new InvalidOptions(`${name} must be "LEFT" or "RIGHT", got ${String(end)}`)

// ---------------------------------------------------------------------------------------------------------------
// Blocking commands

/**
 * BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout: moves an element like LMOVE, waiting up to `timeout`
 * seconds (fractions allowed, `0` = forever) for `source` to have one; the element, or `Option.none()` on timeout.
 */
export const blmove = defineCommand({
  name: "BLMOVE", flags: write, keys: twoKeys, reply: Replies.optionalString, blockingTimeout: timeoutAt(5),
  args: (source: RedisKey, destination: RedisKey, whereFrom: ListEnd, whereTo: ListEnd, timeout: number) =>
    checkEnd("whereFrom", whereFrom) ?? checkEnd("whereTo", whereTo) ?? checkTimeout(timeout) ??
      ["BLMOVE", source, destination, whereFrom, whereTo, timeout]
})

/** Options of LMPOP and BLMPOP. */
export interface LmpopOptions {
  /** Pop up to this many elements (COUNT, >= 1; default 1). */
  readonly count?: number | undefined
}

const mpopLine = (
  head: ReadonlyArray<RespArg>,
  keys: RedisKey | ReadonlyArray<RedisKey>,
  direction: ListEnd,
  options: LmpopOptions
): CommandLine => {
  const out: Array<RespArg> = [...head]
  const count = pushNumkeys(out, keys)
  if (count instanceof InvalidOptions) return count
  const problem = checkEnd("direction", direction) ??
    (options.count === undefined ? undefined : integerAtLeast("count", options.count))
  if (problem !== undefined) return problem
  out.push(direction)
  if (options.count !== undefined) out.push("COUNT", options.count)
  return out
}

/**
 * BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: like LMPOP, waiting up to `timeout` seconds
 * (fractions allowed, `0` = forever) for one of the lists to have elements; the list and its popped elements,
 * or `Option.none()` on timeout.
 */
export const blmpop = defineCommand({
  name: "BLMPOP", flags: write, keys: keysAfterCount(2), reply: optionalMultiPop, blockingTimeout: timeoutAt(1),
  args: (timeout: number, keys: RedisKey | ReadonlyArray<RedisKey>, direction: ListEnd, options: LmpopOptions = {}) =>
    checkTimeout(timeout) ?? mpopLine(["BLMPOP", timeout], keys, direction, options)
})

/**
 * BLPOP key [key ...] timeout (one key or an array): pops the head of the first non-empty list, waiting up to
 * `timeout` seconds (fractions allowed, `0` = forever); `{ key, element }`, or `Option.none()` on timeout.
 */
export const blpop = defineCommand({
  name: "BLPOP", flags: write, keys: keysBeforeLast, reply: optionalPop, blockingTimeout: timeoutAt(-1),
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, timeout: number) => keysThenTimeout("BLPOP", keys, timeout)
})

/**
 * BRPOP key [key ...] timeout (one key or an array): pops the tail of the first non-empty list, waiting up to
 * `timeout` seconds (fractions allowed, `0` = forever); `{ key, element }`, or `Option.none()` on timeout.
 */
export const brpop = defineCommand({
  name: "BRPOP", flags: write, keys: keysBeforeLast, reply: optionalPop, blockingTimeout: timeoutAt(-1),
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, timeout: number) => keysThenTimeout("BRPOP", keys, timeout)
})

/**
 * BRPOPLPUSH source destination timeout: like RPOPLPUSH, waiting up to `timeout` seconds (fractions allowed,
 * `0` = forever); the moved element, or `Option.none()` on timeout. Deprecated by Redis in favour of BLMOVE.
 */
export const brpoplpush = defineCommand({
  name: "BRPOPLPUSH", flags: write, keys: twoKeys, reply: Replies.optionalString, blockingTimeout: timeoutAt(3),
  args: (source: RedisKey, destination: RedisKey, timeout: number) =>
    checkTimeout(timeout) ?? ["BRPOPLPUSH", source, destination, timeout]
})

// ---------------------------------------------------------------------------------------------------------------
// Non-blocking commands

/** LINDEX key index: the element at `index` (negative counts from the tail), or `Option.none()` when out of range. */
export const lindex = defineCommand({
  name: "LINDEX", flags: readonly, reply: Replies.optionalString,
  args: (key: RedisKey, index: number) => ["LINDEX", key, index]
})

/**
 * LINSERT key BEFORE|AFTER pivot element: inserts `element` next to the first `pivot`; the new length, `-1` when
 * the pivot is not found, `0` when the key does not exist.
 */
export const linsert = defineCommand({
  name: "LINSERT", flags: write, reply: Replies.integer,
  args: (key: RedisKey, where: ListInsertPosition, pivot: RedisValue, element: RedisValue) =>
    where === "BEFORE" || where === "AFTER"
      ? ["LINSERT", key, where, pivot, element]
      : new InvalidOptions(`where must be "BEFORE" or "AFTER", got ${String(where)}`)
})

/** LLEN key: the length of the list (0 when the key does not exist). */
export const llen = defineCommand({
  name: "LLEN", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["LLEN", key]
})

/**
 * LMOVE source destination LEFT|RIGHT LEFT|RIGHT: pops from `whereFrom` of `source` and pushes to `whereTo` of
 * `destination` atomically; the moved element, or `Option.none()` when `source` is empty.
 */
export const lmove = defineCommand({
  name: "LMOVE", flags: write, keys: twoKeys, reply: Replies.optionalString,
  args: (source: RedisKey, destination: RedisKey, whereFrom: ListEnd, whereTo: ListEnd) =>
    checkEnd("whereFrom", whereFrom) ?? checkEnd("whereTo", whereTo) ?? ["LMOVE", source, destination, whereFrom, whereTo]
})

/**
 * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] (one key or an array): pops up to `count` elements
 * (default 1) from the first non-empty list; `{ key, elements }`, or `Option.none()` when every list is empty.
 */
export const lmpop = defineCommand({
  name: "LMPOP", flags: write, keys: keysAfterCount(1), reply: optionalMultiPop,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, direction: ListEnd, options: LmpopOptions = {}) =>
    mpopLine(["LMPOP"], keys, direction, options)
})

/** LPOP key: the head element, or `Option.none()` when the key does not exist. */
export const lpop = defineCommand({
  name: "LPOP", flags: write, reply: Replies.optionalString,
  args: (key: RedisKey) => ["LPOP", key]
})

/**
 * LPOP key count: up to `count` (>= 0) elements from the head; `Option.none()` when the key does not exist
 * (an existing list always yields an array, empty for `count` 0).
 */
export const lpopCount = defineCommand({
  name: "LPOP", flags: write, reply: optionalStringArray,
  args: (key: RedisKey, count: number) => integerAtLeast("count", count, 0) ?? ["LPOP", key, count]
})

/** Options of LPOS. */
export interface LposOptions {
  /** Which match to return (RANK): 1 the first, 2 the second..., negative counts matches from the tail; not 0. */
  readonly rank?: number | undefined
  /** Compare at most this many elements (MAXLEN, >= 0; 0 = the whole list). */
  readonly maxlen?: number | undefined
}

/** Options of LPOS with COUNT. */
export interface LposCountOptions extends LposOptions {
  /** Return up to this many matches (COUNT, >= 0; 0 = every match; default 0). */
  readonly count?: number | undefined
}

const lposLine = (key: RedisKey, element: RedisValue, options: LposCountOptions, count: number | undefined) => {
  const out: Array<RespArg> = ["LPOS", key, element]
  if (options.rank !== undefined) {
    if (options.rank === 0) return new InvalidOptions("rank must not be 0 (1 is the first match, -1 the last)")
    const bad = integerAtLeast("rank", options.rank, Number.MIN_SAFE_INTEGER)
    if (bad !== undefined) return bad
    out.push("RANK", options.rank)
  }
  if (count !== undefined) {
    const bad = integerAtLeast("count", count, 0)
    if (bad !== undefined) return bad
    out.push("COUNT", count)
  }
  if (options.maxlen !== undefined) {
    const bad = integerAtLeast("maxlen", options.maxlen, 0)
    if (bad !== undefined) return bad
    out.push("MAXLEN", options.maxlen)
  }
  return out
}

/**
 * LPOS key element [RANK rank] [MAXLEN len]: the index of the matching element, or `Option.none()` when there
 * is none (or the key does not exist).
 */
export const lpos = defineCommand({
  name: "LPOS", flags: readonly, reply: Replies.optionalInteger,
  args: (key: RedisKey, element: RedisValue, options: LposOptions = {}) => lposLine(key, element, options, undefined)
})

/**
 * LPOS key element [RANK rank] COUNT count [MAXLEN len]: the indexes of up to `count` matches (`count` 0 or
 * omitted: every match); empty when there are none or the key does not exist.
 */
export const lposCount = defineCommand({
  name: "LPOS", flags: readonly, reply: integerArray,
  args: (key: RedisKey, element: RedisValue, options: LposCountOptions = {}) =>
    lposLine(key, element, options, options.count ?? 0)
})

/**
 * LPUSH key element [element ...] (one value or a non-empty array): pushes each in turn to the head (the last
 * one ends up first); the new length.
 */
export const lpush = defineCommand({
  name: "LPUSH", flags: write, reply: Replies.integer,
  args: (key: RedisKey, values: RedisValue | ReadonlyArray<RedisValue>) => pushLine("LPUSH", key, values)
})

/** LPUSHX key element [element ...]: like LPUSH, only when the list exists; the new length (0 when missing). */
export const lpushx = defineCommand({
  name: "LPUSHX", flags: write, reply: Replies.integer,
  args: (key: RedisKey, values: RedisValue | ReadonlyArray<RedisValue>) => pushLine("LPUSHX", key, values)
})

/** LRANGE key start stop: the elements from `start` to `stop` inclusive (negative from the tail); empty when missing. */
export const lrange = defineCommand({
  name: "LRANGE", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, start: number, stop: number) => ["LRANGE", key, start, stop]
})

const lremSpec = specOf({ name: "LREM", flags: write, reply: Replies.integer })
// Removing every occurrence (count 0) leaves the same list when sent twice, like DEL/HDEL.
const lremAllSpec = specOf({ name: "LREM", flags: write | replaySafe, reply: Replies.integer })

/**
 * LREM key count element: removes `count` occurrences of `element` from the head (negative: from the tail;
 * 0: all of them); how many were removed.
 */
export const lrem = (key: RedisKey, count: number, element: RedisValue): Command<number> =>
  makeCommand(count === 0 ? lremAllSpec : lremSpec, ["LREM", key, count, element])

/** LSET key index element: replaces the element at `index`; fails with `ReplyError` when out of range or missing. */
export const lset = defineCommand({
  name: "LSET", flags: write | replaySafe, reply: Replies.ok,
  args: (key: RedisKey, index: number, element: RedisValue) => ["LSET", key, index, element]
})

/** LTRIM key start stop: keeps only the elements from `start` to `stop` inclusive (negative from the tail). */
export const ltrim = defineCommand({
  name: "LTRIM", flags: write, reply: Replies.ok,
  args: (key: RedisKey, start: number, stop: number) => ["LTRIM", key, start, stop]
})

/** RPOP key: the tail element, or `Option.none()` when the key does not exist. */
export const rpop = defineCommand({
  name: "RPOP", flags: write, reply: Replies.optionalString,
  args: (key: RedisKey) => ["RPOP", key]
})

/**
 * RPOP key count: up to `count` (>= 0) elements from the tail, last first; `Option.none()` when the key does not
 * exist (an existing list always yields an array, empty for `count` 0).
 */
export const rpopCount = defineCommand({
  name: "RPOP", flags: write, reply: optionalStringArray,
  args: (key: RedisKey, count: number) => integerAtLeast("count", count, 0) ?? ["RPOP", key, count]
})

/**
 * RPOPLPUSH source destination: moves the tail of `source` to the head of `destination`; the element, or
 * `Option.none()` when `source` is empty. Deprecated by Redis in favour of LMOVE.
 */
export const rpoplpush = defineCommand({
  name: "RPOPLPUSH", flags: write, keys: twoKeys, reply: Replies.optionalString,
  args: (source: RedisKey, destination: RedisKey) => ["RPOPLPUSH", source, destination]
})

/** RPUSH key element [element ...] (one value or a non-empty array): appends to the tail in order; the new length. */
export const rpush = defineCommand({
  name: "RPUSH", flags: write, reply: Replies.integer,
  args: (key: RedisKey, values: RedisValue | ReadonlyArray<RedisValue>) => pushLine("RPUSH", key, values)
})

/** RPUSHX key element [element ...]: like RPUSH, only when the list exists; the new length (0 when missing). */
export const rpushx = defineCommand({
  name: "RPUSHX", flags: write, reply: Replies.integer,
  args: (key: RedisKey, values: RedisValue | ReadonlyArray<RedisValue>) => pushLine("RPUSHX", key, values)
})
