import type { RespArg } from "@effect-redis/resp"
import { defineCommand } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import * as Replies from "../../Replies.ts"
import { type ExpirationOptions, pushExpiration } from "./expiration.ts"
import { type Pairs, pushFields, pushPairs, type RedisKey, type RedisValue } from "./types.ts"
import { atMostOne, integerAtLeast, nonEmpty } from "./validate.ts"

const { readonly, write, replaySafe } = CommandFlags

/** HDEL key field [field ...] (one field or an array): how many fields were removed. */
export const hdel = defineCommand({
  name: "HDEL", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, fields: RedisKey | ReadonlyArray<RedisKey>) => {
    const list = Array.isArray(fields) ? fields : [fields as RedisKey]
    return nonEmpty("fields", list) ?? ["HDEL", key, ...list]
  }
})

/** HEXISTS key field: whether the field exists. */
export const hexists = defineCommand({
  name: "HEXISTS", flags: readonly, reply: Replies.boolean,
  args: (key: RedisKey, field: RedisKey) => ["HEXISTS", key, field]
})

/** HGET key field: the value, or none when the field or key is missing. */
export const hget = defineCommand({
  name: "HGET", flags: readonly, reply: Replies.optionalString,
  args: (key: RedisKey, field: RedisKey) => ["HGET", key, field]
})

/** HGETALL key: every field and value as a record (empty when the key is missing). */
export const hgetall = defineCommand({
  name: "HGETALL", flags: readonly, reply: Replies.stringRecord,
  args: (key: RedisKey) => ["HGETALL", key]
})

/**
 * HGETDEL key FIELDS n field... (Redis 8.0+): the fields' values in field order (none for missing fields), and
 * deletes the fields; the key goes when its last field does.
 */
export const hgetdel = defineCommand({
  name: "HGETDEL", flags: write, reply: Replies.optionalStrings,
  args: (key: RedisKey, fields: RedisKey | ReadonlyArray<RedisKey>) => {
    const out: Array<RespArg> = ["HGETDEL", key]
    return pushFields(out, fields) ?? out
  }
})

/** Options of HGETEX: a new expiry for the fields read (at most one), or `persist` to remove theirs. */
export interface HGetExOptions extends ExpirationOptions {
  /** Remove the fields' expiry (PERSIST). */
  readonly persist?: boolean | undefined
}

/**
 * HGETEX key [EX|PX|EXAT|PXAT n | PERSIST] FIELDS n field... (Redis 8.0+): the fields' values in field order (none
 * for missing fields), setting or removing their expiry as it reads them.
 */
export const hgetex = defineCommand({
  name: "HGETEX", flags: write, reply: Replies.optionalStrings,
  args: (key: RedisKey, fields: RedisKey | ReadonlyArray<RedisKey>, options: HGetExOptions = {}) => {
    const out: Array<RespArg> = ["HGETEX", key]
    return pushExpiration(out, options as HGetExOptions & Record<string, unknown>, [["persist", "PERSIST"]]) ??
      pushFields(out, fields) ?? out
  }
})

/** Options of HSETEX: a condition on the fields (at most one) and their expiry (at most one). */
export interface HSetExOptions extends ExpirationOptions {
  /** Only if none of the fields exists (FNX). */
  readonly fnx?: boolean | undefined
  /** Only if every field exists (FXX). */
  readonly fxx?: boolean | undefined
  /** Keep the fields' current expiry (KEEPTTL); without any expiry option the fields lose theirs. */
  readonly keepTtl?: boolean | undefined
}

/**
 * HSETEX key [FNX|FXX] [EX|PX|EXAT|PXAT n | KEEPTTL] FIELDS n field value... (Redis 8.0+): sets the fields, with
 * an expiry; `true` when they were set, `false` when FNX/FXX prevented it (then none is set).
 */
export const hsetex = defineCommand({
  name: "HSETEX", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, pairs: Pairs, options: HSetExOptions = {}) => {
    const out: Array<RespArg> = ["HSETEX", key]
    const conflict = atMostOne(options, ["fnx", "fxx"])
    if (conflict !== undefined) return conflict
    if (options.fnx === true) out.push("FNX")
    if (options.fxx === true) out.push("FXX")
    const expiry = pushExpiration(out, options as HSetExOptions & Record<string, unknown>, [["keepTtl", "KEEPTTL"]])
    if (expiry !== undefined) return expiry
    const flat: Array<RespArg> = []
    const count = pushPairs(flat, pairs)
    const empty = nonEmpty("pairs", count)
    if (empty !== undefined) return empty
    out.push("FIELDS", count)
    for (const arg of flat) out.push(arg)
    return out
  }
})

/** HINCRBY key field increment: the new value. */
export const hincrby = defineCommand({
  name: "HINCRBY", flags: write, reply: Replies.integer,
  args: (key: RedisKey, field: RedisKey, increment: number | bigint) => ["HINCRBY", key, field, increment]
})

/** HINCRBYFLOAT key field increment: the new value. */
export const hincrbyfloat = defineCommand({
  name: "HINCRBYFLOAT", flags: write, reply: Replies.float,
  args: (key: RedisKey, field: RedisKey, increment: number) => ["HINCRBYFLOAT", key, field, increment]
})

/** HKEYS key: the field names. */
export const hkeys = defineCommand({
  name: "HKEYS", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey) => ["HKEYS", key]
})

/** HLEN key: the number of fields. */
export const hlen = defineCommand({
  name: "HLEN", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["HLEN", key]
})

/** HMGET key field [field ...]: the values in field order, none for missing fields. */
export const hmget = defineCommand({
  name: "HMGET", flags: readonly, reply: Replies.optionalStrings,
  args: (key: RedisKey, fields: ReadonlyArray<RedisKey>) => nonEmpty("fields", fields) ?? ["HMGET", key, ...fields]
})

/** HMSET key field value [...] (deprecated by Redis in favour of HSET, kept for old code). */
export const hmset = defineCommand({
  name: "HMSET", flags: write | replaySafe, reply: Replies.ok,
  args: (key: RedisKey, pairs: Pairs) => {
    const out: Array<RespArg> = ["HMSET", key]
    return nonEmpty("pairs", pushPairs(out, pairs)) ?? out
  }
})

/** HRANDFIELD key: one random field, or none when the key is missing. */
export const hrandfield = defineCommand({
  name: "HRANDFIELD", flags: readonly, reply: Replies.optionalString,
  args: (key: RedisKey) => ["HRANDFIELD", key]
})

/** HRANDFIELD key count: up to `count` distinct random fields (negative: may repeat, exactly |count|). */
export const hrandfieldCount = defineCommand({
  name: "HRANDFIELD", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, count: number) => ["HRANDFIELD", key, count]
})

/** HRANDFIELD key count WITHVALUES: random fields with their values. */
export const hrandfieldWithValues = defineCommand({
  name: "HRANDFIELD", flags: readonly, reply: Replies.fieldValues,
  args: (key: RedisKey, count: number) => ["HRANDFIELD", key, count, "WITHVALUES"]
})

/** Options of HSCAN. */
export interface HScanOptions {
  /** Only fields matching this glob pattern. */
  readonly match?: string | undefined
  /** Work hint per call. */
  readonly count?: number | undefined
}

/** HSCAN key cursor [MATCH p] [COUNT n]: one page of field-value pairs and the next cursor. */
export const hscan = defineCommand({
  name: "HSCAN", flags: readonly, reply: Replies.scanFieldValues,
  args: (key: RedisKey, cursor: string | number, options: HScanOptions = {}) => {
    const out: Array<RespArg> = ["HSCAN", key, cursor]
    if (options.match !== undefined) out.push("MATCH", options.match)
    if (options.count !== undefined) out.push("COUNT", options.count)
    return options.count === undefined ? out : integerAtLeast("count", options.count) ?? out
  }
})

/**
 * HSET key field value [field value ...]: how many fields were added (updated ones are not counted).
 * `Redis.hset("user:1", { name: "ada", age: 36 })` or with pairs `[["name", "ada"]]`.
 */
export const hset = defineCommand({
  name: "HSET", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, pairs: Pairs) => {
    const out: Array<RespArg> = ["HSET", key]
    return nonEmpty("pairs", pushPairs(out, pairs)) ?? out
  }
})

/** HSETNX key field value: whether the field was set (it did not exist). */
export const hsetnx = defineCommand({
  name: "HSETNX", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, field: RedisKey, value: RedisValue) => ["HSETNX", key, field, value]
})

/** HSTRLEN key field: the length of the field's value (0 when missing). */
export const hstrlen = defineCommand({
  name: "HSTRLEN", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey, field: RedisKey) => ["HSTRLEN", key, field]
})

/** HVALS key: the values. */
export const hvals = defineCommand({
  name: "HVALS", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey) => ["HVALS", key]
})
