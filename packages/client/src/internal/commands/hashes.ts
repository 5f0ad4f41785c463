import type { RespArg } from "@effect-redis/resp"
import { defineCommand } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import * as Replies from "../../Replies.ts"
import { type Pairs, pushPairs, type RedisKey, type RedisValue } from "./types.ts"
import { integerAtLeast, nonEmpty } from "./validate.ts"

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
