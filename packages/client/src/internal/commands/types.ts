import type { RespArg } from "@effect-redis/resp"
import { InvalidOptions } from "../../Command.ts"

/** A key: text (UTF-8 encoded on the wire) or raw bytes. */
export type RedisKey = string | Uint8Array

/** A value sent to Redis: text, a number (sent as its decimal form; ±Infinity as `+inf`/`-inf`), a bigint or bytes. */
export type RedisValue = RespArg

/** Field-value (or key-value) pairs: a record, or an array of pairs when order or binary keys matter. */
export type Pairs<K extends RedisKey = RedisKey> =
  | Readonly<Record<string, RedisValue>>
  | ReadonlyArray<readonly [K, RedisValue]>
  | ReadonlyMap<K, RedisValue>

/** Appends the pairs to `out` as `k1 v1 k2 v2 ...`, returning how many pairs there were. */
export const pushPairs = (out: Array<RespArg>, pairs: Pairs): number => {
  let count = 0
  if (pairs instanceof Map || Array.isArray(pairs)) {
    for (const [k, v] of pairs as Iterable<readonly [RedisKey, RedisValue]>) {
      out.push(k, v)
      count++
    }
    return count
  }
  for (const k of Object.keys(pairs)) {
    out.push(k, (pairs as Readonly<Record<string, RedisValue>>)[k]!)
    count++
  }
  return count
}

/** `[name, ...keys]` for commands taking one key or an array of keys; an empty array cannot be sent. */
export const keyList = (name: string, keys: RedisKey | ReadonlyArray<RedisKey>): Array<RespArg> | InvalidOptions => {
  if (!Array.isArray(keys)) return [name, keys as RedisKey]
  if (keys.length === 0) return new InvalidOptions("at least one key is required")
  const out: Array<RespArg> = new Array(keys.length + 1)
  out[0] = name
  for (let i = 0; i < keys.length; i++) out[i + 1] = keys[i]!
  return out
}

/**
 * Appends `numkeys key [key ...]` for one key or a non-empty array (ZUNION, ZMPOP, LMPOP, SINTERCARD...); the number
 * of keys, or why they cannot be sent (then nothing is appended).
 */
export const pushNumkeys = (out: Array<RespArg>, keys: RedisKey | ReadonlyArray<RedisKey>): number | InvalidOptions => {
  if (!Array.isArray(keys)) {
    out.push(1, keys as RedisKey)
    return 1
  }
  if (keys.length === 0) return new InvalidOptions("at least one key is required")
  out.push(keys.length)
  for (const key of keys as ReadonlyArray<RedisKey>) out.push(key)
  return keys.length
}

/**
 * Appends `FIELDS numfields field [field ...]` (the hash-field commands of Redis 7.4+: HEXPIRE, HTTL, HGETDEL...)
 * for one field or a non-empty array; why they cannot be sent otherwise.
 */
export const pushFields = (out: Array<RespArg>, fields: RedisKey | ReadonlyArray<RedisKey>): InvalidOptions | undefined => {
  const list = Array.isArray(fields) ? fields as ReadonlyArray<RedisKey> : [fields as RedisKey]
  if (list.length === 0) return new InvalidOptions("fields must not be empty")
  out.push("FIELDS", list.length)
  for (const field of list) out.push(field)
  return undefined
}
