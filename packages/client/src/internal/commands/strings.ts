import type { RespArg } from "@effect-redis/resp"
import type { Option } from "effect"
import { type Command, type CommandSpec, defineCommand, InvalidOptions, makeCommand, specOf } from "../../Command.ts"
import { ClusterPolicy } from "../ClusterPolicy.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { allKeys, keyValuePairs, twoKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import { type ExpirationOptions, pushExpiration } from "./expiration.ts"
import { keyList, type Pairs, pushPairs, type RedisKey, type RedisValue } from "./types.ts"
import { atMostOne, integerAtLeast, nonEmpty } from "./validate.ts"

const { readonly, write, replaySafe } = CommandFlags

/** APPEND key value: appends to a string; the new length. */
export const append = defineCommand({
  name: "APPEND", flags: write, reply: Replies.integer,
  args: (key: RedisKey, value: RedisValue) => ["APPEND", key, value]
})

/** DECR key: the decremented value. */
export const decr = defineCommand({
  name: "DECR", flags: write, reply: Replies.integer,
  args: (key: RedisKey) => ["DECR", key]
})

/** DECRBY key decrement: the decremented value. */
export const decrby = defineCommand({
  name: "DECRBY", flags: write, reply: Replies.integer,
  args: (key: RedisKey, decrement: number | bigint) => ["DECRBY", key, decrement]
})

/**
 * GET key: the value, or `Option.none()` when the key does not exist.
 *
 * The value is decoded as UTF-8 the fast way: bytes that are not valid UTF-8 become U+FFFD, silently (as every
 * text reply). For the bytes as stored use {@link getBytes}; to fail with a `DecodeError` instead of replacing,
 * use `Redis.strictUtf8(Redis.get(key))`.
 */
export const get = defineCommand({
  name: "GET", flags: readonly, reply: Replies.optionalString,
  args: (key: RedisKey) => ["GET", key]
})

/**
 * GET key, binary-safe: the value as bytes, exactly as stored. {@link get} decodes them as UTF-8 instead, replacing
 * invalid sequences with U+FFFD; `Redis.strictUtf8(Redis.get(key))` refuses them with a `DecodeError`.
 */
export const getBytes = defineCommand({
  name: "GET", flags: readonly, reply: Replies.optionalBytes,
  args: (key: RedisKey) => ["GET", key]
})

/** GETDEL key: the value before deleting the key. */
export const getdel = defineCommand({
  name: "GETDEL", flags: write, reply: Replies.optionalString,
  args: (key: RedisKey) => ["GETDEL", key]
})

/** Options of GETEX: a new expiry, or `persist` to remove it. */
export interface GetExOptions extends ExpirationOptions {
  /** Remove the expiry (PERSIST). */
  readonly persist?: boolean | undefined
}

/** GETEX key [EX|PX|EXAT|PXAT|PERSIST]: the value, changing its expiry. */
export const getex = defineCommand({
  name: "GETEX", flags: write, reply: Replies.optionalString,
  args: (key: RedisKey, options: GetExOptions = {}) => {
    const out: Array<RespArg> = ["GETEX", key]
    return pushExpiration(out, options as GetExOptions & Record<string, unknown>, [["persist", "PERSIST"]]) ?? out
  }
})

/** GETRANGE key start end: the substring (inclusive offsets, negative from the end). */
export const getrange = defineCommand({
  name: "GETRANGE", flags: readonly, reply: Replies.string,
  args: (key: RedisKey, start: number, end: number) => ["GETRANGE", key, start, end]
})

/** GETSET key value: sets and returns the old value (deprecated by Redis in favour of SET ... GET). */
export const getset = defineCommand({
  name: "GETSET", flags: write, reply: Replies.optionalString,
  args: (key: RedisKey, value: RedisValue) => ["GETSET", key, value]
})

/** INCR key: the incremented value. */
export const incr = defineCommand({
  name: "INCR", flags: write, reply: Replies.integer,
  args: (key: RedisKey) => ["INCR", key]
})

/** INCRBY key increment: the incremented value. */
export const incrby = defineCommand({
  name: "INCRBY", flags: write, reply: Replies.integer,
  args: (key: RedisKey, increment: number | bigint) => ["INCRBY", key, increment]
})

/** INCRBYFLOAT key increment: the new value as a number. */
export const incrbyfloat = defineCommand({
  name: "INCRBYFLOAT", flags: write, reply: Replies.float,
  args: (key: RedisKey, increment: number) => ["INCRBYFLOAT", key, increment]
})

/** LCS key1 key2: the longest common subsequence of two strings. */
export const lcs = defineCommand({
  name: "LCS", flags: readonly, keys: twoKeys, reply: Replies.string,
  args: (key1: RedisKey, key2: RedisKey) => ["LCS", key1, key2]
})

/** LCS key1 key2 LEN: the length of the longest common subsequence. */
export const lcsLength = defineCommand({
  name: "LCS", flags: readonly, keys: twoKeys, reply: Replies.integer,
  args: (key1: RedisKey, key2: RedisKey) => ["LCS", key1, key2, "LEN"]
})

/** MGET key [key ...] (one key or an array): the values in key order, `Option.none()` for missing keys. */
export const mget = defineCommand({
  name: "MGET", flags: readonly, keys: allKeys, reply: Replies.optionalStrings,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => keyList("MGET", keys)
})

/** MSET key value [key value ...]: sets every pair. */
export const mset = defineCommand({
  name: "MSET", flags: write | replaySafe, keys: keyValuePairs, reply: Replies.ok,
  args: (pairs: Pairs) => {
    const out: Array<RespArg> = ["MSET"]
    return nonEmpty("pairs", pushPairs(out, pairs)) ?? out
  }
})

/** MSETNX key value [key value ...]: sets every pair only if no key exists; whether it did. */
export const msetnx = defineCommand({
  name: "MSETNX", flags: write, keys: keyValuePairs, reply: Replies.boolean,
  args: (pairs: Pairs) => {
    const out: Array<RespArg> = ["MSETNX"]
    return nonEmpty("pairs", pushPairs(out, pairs)) ?? out
  }
})

/** PSETEX key milliseconds value. */
export const psetex = defineCommand({
  name: "PSETEX", flags: write | replaySafe, reply: Replies.ok,
  args: (key: RedisKey, milliseconds: number, value: RedisValue) =>
    integerAtLeast("milliseconds", milliseconds) ?? ["PSETEX", key, milliseconds, value]
})

/** Options of SET. */
export interface SetOptions extends ExpirationOptions {
  /** Keep the current expiry (KEEPTTL). */
  readonly keepTtl?: boolean | undefined
  /** Only set if the key does not exist (NX). */
  readonly nx?: boolean | undefined
  /** Only set if the key exists (XX). */
  readonly xx?: boolean | undefined
  /** Return the previous value (GET). */
  readonly get?: boolean | undefined
  /**
   * Only set if the key holds this value now (IFEQ, Valkey 8.1+; a missing key is not equal). Other servers refuse
   * the option with a syntax error (`ReplyError`).
   */
  readonly ifeq?: RedisValue | undefined
}

const setSpec = specOf({ name: "SET", flags: write, reply: Replies.okOrNil })
const setReplaySafeSpec = specOf({ name: "SET", flags: write | replaySafe, reply: Replies.okOrNil })
const setGetSpec = specOf({ name: "SET", flags: write, reply: Replies.optionalString })

/**
 * SET key value [NX|XX|IFEQ comparison] [GET] [EX|PX|EXAT|PXAT|KEEPTTL].
 *
 * Without `get`: `true` when the value was written, `false` when NX/XX/IFEQ prevented it.
 * With `get: true`: the previous value (`Option.none()` when there was none).
 */
export function set(key: RedisKey, value: RedisValue, options: SetOptions & { readonly get: true }): Command<Option.Option<string>>
export function set(key: RedisKey, value: RedisValue, options?: SetOptions): Command<boolean>
export function set(key: RedisKey, value: RedisValue, options?: SetOptions): Command<boolean> | Command<Option.Option<string>> {
  if (options === undefined) return makeCommand(setReplaySafeSpec, ["SET", key, value])
  const out: Array<RespArg> = ["SET", key, value]
  const problem = atMostOne(options, ["nx", "xx", "ifeq"]) ??
    pushExpiration(out, options as SetOptions & Record<string, unknown>, [["keepTtl", "KEEPTTL"]])
  const spec = (options.get === true ? setGetSpec : setSpec) as CommandSpec<boolean>
  if (problem instanceof InvalidOptions) return makeCommand(spec, ["SET"], problem.reason)
  if (options.nx === true) out.push("NX")
  if (options.xx === true) out.push("XX")
  if (options.ifeq !== undefined) out.push("IFEQ", options.ifeq)
  if (options.get === true) out.push("GET")
  return makeCommand(spec, out)
}

/** SETEX key seconds value. */
export const setex = defineCommand({
  name: "SETEX", flags: write | replaySafe, reply: Replies.ok,
  args: (key: RedisKey, seconds: number, value: RedisValue) => integerAtLeast("seconds", seconds) ?? ["SETEX", key, seconds, value]
})

/** SETNX key value: whether the key was set (it did not exist). */
export const setnx = defineCommand({
  name: "SETNX", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, value: RedisValue) => ["SETNX", key, value]
})

/** SETRANGE key offset value: overwrites part of a string; the new length. */
export const setrange = defineCommand({
  name: "SETRANGE", flags: write, reply: Replies.integer,
  args: (key: RedisKey, offset: number, value: RedisValue) =>
    integerAtLeast("offset", offset, 0) ?? ["SETRANGE", key, offset, value]
})

/** STRLEN key: the length of the string value (0 when missing). */
export const strlen = defineCommand({
  name: "STRLEN", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["STRLEN", key]
})
