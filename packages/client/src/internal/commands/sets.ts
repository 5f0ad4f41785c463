import type { RespArg } from "@effect-redis/resp"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { allKeys, keysAfterCount, twoKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import { keyList, type RedisKey, type RedisValue } from "./types.ts"
import { integerAtLeast } from "./validate.ts"

// Set replies: RESP3 sends SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count as a set type (`~`), RESP2 as an
// array; both decode to a plain array in the order the server sent (nothing is sorted).

const { readonly, write, replaySafe } = CommandFlags

/** `[name, key, ...members]` for one member or an array of members; an empty array cannot be sent. */
const memberLine = (
  name: string,
  key: RedisKey,
  members: RedisValue | ReadonlyArray<RedisValue>
): Array<RespArg> | InvalidOptions => {
  if (!Array.isArray(members)) return [name, key, members as RedisValue]
  if (members.length === 0) return new InvalidOptions("at least one member is required")
  return [name, key, ...(members as ReadonlyArray<RedisValue>)]
}

/** `[name, destination, ...sources]` for one source key or an array; an empty array cannot be sent. */
const storeLine = (
  name: string,
  destination: RedisKey,
  keys: RedisKey | ReadonlyArray<RedisKey>
): Array<RespArg> | InvalidOptions => {
  const sources = keyList(name, keys)
  if (sources instanceof InvalidOptions) return sources
  sources.splice(1, 0, destination)
  return sources
}

/** SADD key member [member ...] (one member or an array): how many members were added (existing ones not counted). */
export const sadd = defineCommand({
  name: "SADD", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, members: RedisValue | ReadonlyArray<RedisValue>) => memberLine("SADD", key, members)
})

/** SCARD key: the number of members (0 when the key is missing). */
export const scard = defineCommand({
  name: "SCARD", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["SCARD", key]
})

/** SDIFF key [key ...] (one key or an array): the members of the first set not in any other, in server order. */
export const sdiff = defineCommand({
  name: "SDIFF", flags: readonly, keys: allKeys, reply: Replies.strings,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => keyList("SDIFF", keys)
})

/** SDIFFSTORE destination key [key ...] (one key or an array): stores the difference; its number of members. */
export const sdiffstore = defineCommand({
  name: "SDIFFSTORE", flags: write, keys: allKeys, reply: Replies.integer,
  args: (destination: RedisKey, keys: RedisKey | ReadonlyArray<RedisKey>) => storeLine("SDIFFSTORE", destination, keys)
})

/** SINTER key [key ...] (one key or an array): the members present in every set, in server order. */
export const sinter = defineCommand({
  name: "SINTER", flags: readonly, keys: allKeys, reply: Replies.strings,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => keyList("SINTER", keys)
})

/** Options of SINTERCARD. */
export interface SInterCardOptions {
  /** Stop counting at this many members (LIMIT); 0 means no limit. */
  readonly limit?: number | undefined
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] (one key or an array): the size of the intersection. */
export const sintercard = defineCommand({
  name: "SINTERCARD", flags: readonly, keys: keysAfterCount(1), reply: Replies.integer,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, options: SInterCardOptions = {}) => {
    const list = keyList("SINTERCARD", keys)
    if (list instanceof InvalidOptions) return list
    list.splice(1, 0, list.length - 1)
    if (options.limit === undefined) return list
    list.push("LIMIT", options.limit)
    return integerAtLeast("limit", options.limit, 0) ?? list
  }
})

/** SINTERSTORE destination key [key ...] (one key or an array): stores the intersection; its number of members. */
export const sinterstore = defineCommand({
  name: "SINTERSTORE", flags: write | replaySafe, keys: allKeys, reply: Replies.integer,
  args: (destination: RedisKey, keys: RedisKey | ReadonlyArray<RedisKey>) => storeLine("SINTERSTORE", destination, keys)
})

/** SISMEMBER key member: whether the member is in the set. */
export const sismember = defineCommand({
  name: "SISMEMBER", flags: readonly, reply: Replies.boolean,
  args: (key: RedisKey, member: RedisValue) => ["SISMEMBER", key, member]
})

/** SMEMBERS key: every member, in server order (empty when the key is missing). */
export const smembers = defineCommand({
  name: "SMEMBERS", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey) => ["SMEMBERS", key]
})

/** SMISMEMBER key member [member ...] (one member or an array): whether each member is in the set, in order. */
export const smismember = defineCommand({
  name: "SMISMEMBER", flags: readonly, reply: Replies.booleans,
  args: (key: RedisKey, members: RedisValue | ReadonlyArray<RedisValue>) => memberLine("SMISMEMBER", key, members)
})

/** SMOVE source destination member: whether the member was moved (false when it was not in the source). */
export const smove = defineCommand({
  name: "SMOVE", flags: write, keys: twoKeys, reply: Replies.boolean,
  args: (source: RedisKey, destination: RedisKey, member: RedisValue) => ["SMOVE", source, destination, member]
})

/** SPOP key: removes and returns a random member, or `Option.none()` when the key is missing. */
export const spop = defineCommand({
  name: "SPOP", flags: write, reply: Replies.optionalString,
  args: (key: RedisKey) => ["SPOP", key]
})

/** SPOP key count: removes and returns up to `count` (>= 0) random members (empty when the key is missing). */
export const spopCount = defineCommand({
  name: "SPOP", flags: write, reply: Replies.strings,
  args: (key: RedisKey, count: number) => integerAtLeast("count", count, 0) ?? ["SPOP", key, count]
})

/** SRANDMEMBER key: a random member without removing it, or `Option.none()` when the key is missing. */
export const srandmember = defineCommand({
  name: "SRANDMEMBER", flags: readonly, reply: Replies.optionalString,
  args: (key: RedisKey) => ["SRANDMEMBER", key]
})

/**
 * SRANDMEMBER key count: random members without removing them. A positive count gives up to `count` distinct
 * members; a negative count gives exactly `|count|` members, possibly repeated (empty when the key is missing).
 */
export const srandmemberCount = defineCommand({
  name: "SRANDMEMBER", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, count: number) =>
    integerAtLeast("count", count, Number.MIN_SAFE_INTEGER) ?? ["SRANDMEMBER", key, count]
})

/** SREM key member [member ...] (one member or an array): how many members were removed. */
export const srem = defineCommand({
  name: "SREM", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, members: RedisValue | ReadonlyArray<RedisValue>) => memberLine("SREM", key, members)
})

/** Options of SSCAN. */
export interface SScanOptions {
  /** Only members matching this glob pattern (MATCH). */
  readonly match?: string | undefined
  /** Work hint per call (COUNT), >= 1. */
  readonly count?: number | undefined
}

/** SSCAN key cursor [MATCH p] [COUNT n]: one page of members and the next cursor (`"0"` when complete). */
export const sscan = defineCommand({
  name: "SSCAN", flags: readonly, reply: Replies.scanPage,
  args: (key: RedisKey, cursor: string | number, options: SScanOptions = {}) => {
    const out: Array<RespArg> = ["SSCAN", key, cursor]
    if (options.match !== undefined) out.push("MATCH", options.match)
    if (options.count !== undefined) out.push("COUNT", options.count)
    return options.count === undefined ? out : integerAtLeast("count", options.count) ?? out
  }
})

/** SUNION key [key ...] (one key or an array): the members of any of the sets, in server order. */
export const sunion = defineCommand({
  name: "SUNION", flags: readonly, keys: allKeys, reply: Replies.strings,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => keyList("SUNION", keys)
})

/** SUNIONSTORE destination key [key ...] (one key or an array): stores the union; its number of members. */
export const sunionstore = defineCommand({
  name: "SUNIONSTORE", flags: write | replaySafe, keys: allKeys, reply: Replies.integer,
  args: (destination: RedisKey, keys: RedisKey | ReadonlyArray<RedisKey>) => storeLine("SUNIONSTORE", destination, keys)
})
