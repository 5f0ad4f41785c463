import type { RespArg } from "@effect-redis/resp"
import { Schema } from "effect"
import { catalogEntry, catalogKeyPositions } from "../catalog/CommandCatalog.ts"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { ClusterPolicy } from "../ClusterPolicy.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { allKeys, firstKey, noKeys, twoKeys } from "../KeyPositions.ts"
import { makeReply, type Reply } from "../Reply.ts"
import * as Replies from "../../Replies.ts"
import { asList, mismatch, toText } from "../ReplyDecoding.ts"
import { type ExpireCondition, pushExpireCondition } from "./expiration.ts"
import { keyList, type RedisKey } from "./types.ts"
import { integerAtLeast } from "./validate.ts"

const { readonly, write, replaySafe } = CommandFlags

/** Options of COPY. */
export interface CopyOptions {
  /** Destination database (standalone only). */
  readonly db?: number | undefined
  /** Overwrite an existing destination. */
  readonly replace?: boolean | undefined
}

/** COPY source destination [DB db] [REPLACE]: whether the key was copied. */
export const copy = defineCommand({
  name: "COPY", flags: write, keys: twoKeys, reply: Replies.boolean,
  args: (source: RedisKey, destination: RedisKey, options: CopyOptions = {}) => {
    const out: Array<RespArg> = ["COPY", source, destination]
    if (options.db !== undefined) out.push("DB", options.db)
    if (options.replace === true) out.push("REPLACE")
    return out
  }
})

/** DEL key [key ...] (one key or an array): how many keys were removed. */
export const del = defineCommand({
  name: "DEL", flags: write | replaySafe, keys: allKeys, reply: Replies.integer,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => keyList("DEL", keys)
})

/** DUMP key: the serialized value (for RESTORE), or `Option.none()` when missing. */
export const dump = defineCommand({
  name: "DUMP", flags: readonly, reply: Replies.optionalBytes,
  args: (key: RedisKey) => ["DUMP", key]
})

/** EXISTS key [key ...] (one key or an array): how many of the keys exist (a key named twice counts twice). */
export const exists = defineCommand({
  name: "EXISTS", flags: readonly, keys: allKeys, reply: Replies.integer,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => keyList("EXISTS", keys)
})

/** EXPIRE key seconds [NX|XX|GT|LT]: whether the expiry was set. */
export const expire = defineCommand({
  name: "EXPIRE", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, seconds: number, condition?: ExpireCondition) => {
    const out: Array<RespArg> = ["EXPIRE", key, seconds]
    return integerAtLeast("seconds", seconds, Number.MIN_SAFE_INTEGER) ?? pushExpireCondition(out, condition) ?? out
  }
})

/** EXPIREAT key unix-seconds [NX|XX|GT|LT]: whether the expiry was set. */
export const expireat = defineCommand({
  name: "EXPIREAT", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, unixSeconds: number, condition?: ExpireCondition) => {
    const out: Array<RespArg> = ["EXPIREAT", key, unixSeconds]
    return integerAtLeast("unixSeconds", unixSeconds, 0) ?? pushExpireCondition(out, condition) ?? out
  }
})

/** EXPIRETIME key: the expiry as Unix seconds; -1 when the key has none, -2 when it does not exist. */
export const expiretime = defineCommand({
  name: "EXPIRETIME", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["EXPIRETIME", key]
})

/** KEYS pattern: every matching key (blocks the server on large databases; prefer SCAN). */
export const keys = defineCommand({
  name: "KEYS", flags: readonly, keys: noKeys, reply: Replies.strings,
  args: (pattern: string) => ["KEYS", pattern]
})

/** MOVE key db: whether the key was moved to another database (standalone only). */
export const move = defineCommand({
  name: "MOVE", flags: write, keys: firstKey, reply: Replies.boolean,
  args: (key: RedisKey, db: number) => ["MOVE", key, db]
})

/** OBJECT ENCODING key: the internal encoding (`listpack`, `hashtable`...), or none when missing. */
export const objectEncoding = defineCommand({
  name: "OBJECT ENCODING", flags: readonly, keys: { first: 2, last: 2, step: 1 }, reply: Replies.optionalString,
  args: (key: RedisKey) => ["OBJECT", "ENCODING", key]
})

/** OBJECT FREQ key: the LFU access counter (needs an LFU maxmemory-policy). */
export const objectFreq = defineCommand({
  name: "OBJECT FREQ", flags: readonly, keys: { first: 2, last: 2, step: 1 }, reply: Replies.optionalInteger,
  args: (key: RedisKey) => ["OBJECT", "FREQ", key]
})

/** OBJECT IDLETIME key: seconds since the key was last accessed. */
export const objectIdletime = defineCommand({
  name: "OBJECT IDLETIME", flags: readonly, keys: { first: 2, last: 2, step: 1 }, reply: Replies.optionalInteger,
  args: (key: RedisKey) => ["OBJECT", "IDLETIME", key]
})

/** OBJECT REFCOUNT key: the value's reference count. */
export const objectRefcount = defineCommand({
  name: "OBJECT REFCOUNT", flags: readonly, keys: { first: 2, last: 2, step: 1 }, reply: Replies.optionalInteger,
  args: (key: RedisKey) => ["OBJECT", "REFCOUNT", key]
})

/** PERSIST key: whether an expiry was removed. */
export const persist = defineCommand({
  name: "PERSIST", flags: write, reply: Replies.boolean,
  args: (key: RedisKey) => ["PERSIST", key]
})

/** PEXPIRE key milliseconds [NX|XX|GT|LT]: whether the expiry was set. */
export const pexpire = defineCommand({
  name: "PEXPIRE", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, milliseconds: number, condition?: ExpireCondition) => {
    const out: Array<RespArg> = ["PEXPIRE", key, milliseconds]
    return integerAtLeast("milliseconds", milliseconds, Number.MIN_SAFE_INTEGER) ?? pushExpireCondition(out, condition) ?? out
  }
})

/** PEXPIREAT key unix-milliseconds [NX|XX|GT|LT]: whether the expiry was set. */
export const pexpireat = defineCommand({
  name: "PEXPIREAT", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, unixMilliseconds: number, condition?: ExpireCondition) => {
    const out: Array<RespArg> = ["PEXPIREAT", key, unixMilliseconds]
    return integerAtLeast("unixMilliseconds", unixMilliseconds, 0) ?? pushExpireCondition(out, condition) ?? out
  }
})

/** PEXPIRETIME key: the expiry as Unix milliseconds; -1 without expiry, -2 when missing. */
export const pexpiretime = defineCommand({
  name: "PEXPIRETIME", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["PEXPIRETIME", key]
})

/** PTTL key: milliseconds to live; -1 without expiry, -2 when missing. */
export const pttl = defineCommand({
  name: "PTTL", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["PTTL", key]
})

/** RANDOMKEY: a random key, or none when the database is empty. */
export const randomkey = defineCommand({
  name: "RANDOMKEY", flags: readonly, keys: noKeys, reply: Replies.optionalString,
  args: () => ["RANDOMKEY"]
})

/** RENAME key newkey. */
export const rename = defineCommand({
  name: "RENAME", flags: write, keys: twoKeys, reply: Replies.ok,
  args: (key: RedisKey, newKey: RedisKey) => ["RENAME", key, newKey]
})

/** RENAMENX key newkey: whether it was renamed (false when newkey exists). */
export const renamenx = defineCommand({
  name: "RENAMENX", flags: write, keys: twoKeys, reply: Replies.boolean,
  args: (key: RedisKey, newKey: RedisKey) => ["RENAMENX", key, newKey]
})

/** Options of RESTORE. */
export interface RestoreOptions {
  /** Overwrite an existing key. */
  readonly replace?: boolean | undefined
  /** `ttl` is an absolute Unix time in milliseconds. */
  readonly absttl?: boolean | undefined
  /** Set the idle time in seconds. */
  readonly idletime?: number | undefined
  /** Set the LFU frequency. */
  readonly freq?: number | undefined
}

/** RESTORE key ttl serialized [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]: recreates a key from DUMP output. */
export const restore = defineCommand({
  name: "RESTORE", flags: write, reply: Replies.ok,
  args: (key: RedisKey, ttlMilliseconds: number, serialized: Uint8Array, options: RestoreOptions = {}) => {
    const out: Array<RespArg> = ["RESTORE", key, ttlMilliseconds, serialized]
    if (options.replace === true) out.push("REPLACE")
    if (options.absttl === true) out.push("ABSTTL")
    if (options.idletime !== undefined) out.push("IDLETIME", options.idletime)
    if (options.freq !== undefined) out.push("FREQ", options.freq)
    return integerAtLeast("ttlMilliseconds", ttlMilliseconds, 0) ?? out
  }
})

/** Options of SCAN. */
export interface ScanOptions {
  /** Only keys matching this glob pattern (MATCH). */
  readonly match?: string | undefined
  /** Work hint per call (COUNT). */
  readonly count?: number | undefined
  /** Only keys of this type (TYPE), e.g. `hash`. */
  readonly type?: string | undefined
}

/**
 * SCAN cursor [MATCH p] [COUNT n] [TYPE t]: one page of keys and the next cursor (`"0"` when complete). A cursor
 * walks one server's keyspace, so a cluster client refuses it (`UnsupportedInClusterError`): scan the whole
 * cluster with the `RedisClient.scan` stream, or one node with `RedisCluster.onNode(address, Redis.scan(cursor))`.
 */
export const scan = defineCommand({
  name: "SCAN", flags: readonly, keys: noKeys, reply: Replies.scanPage,
  args: (cursor: string | number, options: ScanOptions = {}) => {
    const out: Array<RespArg> = ["SCAN", cursor]
    if (options.match !== undefined) out.push("MATCH", options.match)
    if (options.count !== undefined) out.push("COUNT", options.count)
    if (options.type !== undefined) out.push("TYPE", options.type)
    return options.count === undefined ? out : integerAtLeast("count", options.count) ?? out
  }
})

/**
 * Options of SORT / SORT_RO.
 *
 * On a cluster a BY or GET pattern names other keys, which a node can only read in its own slots: the client
 * refuses (with `CrossSlotError`, before sending) any pattern whose keys could hash to another slot than the sorted
 * key's, i.e. one without that key's `{hash tag}` before its first wildcard. The patterns it sends, the server
 * decides on: Redis 7.4+ and Valkey 8.0+ run them; older servers refuse every BY pattern with a `*` and every GET
 * (even `#`) in cluster mode with an error reply. A standalone server runs them all.
 */
export interface SortOptions {
  /** Sort by the values of keys built from this pattern (BY), or a pattern without `*` (`nosort`) to not sort. */
  readonly by?: string | undefined
  /** LIMIT offset count. */
  readonly limit?: { readonly offset: number; readonly count: number } | undefined
  /** Return values of keys built from these patterns instead (GET, repeatable; `#` is the element). */
  readonly get?: ReadonlyArray<string> | undefined
  /** Descending order. */
  readonly desc?: boolean | undefined
  /** Compare as strings instead of numbers. */
  readonly alpha?: boolean | undefined
}

const pushSortOptions = (out: Array<RespArg>, options: SortOptions): Array<RespArg> => {
  if (options.by !== undefined) out.push("BY", options.by)
  if (options.limit !== undefined) out.push("LIMIT", options.limit.offset, options.limit.count)
  for (const pattern of options.get ?? []) out.push("GET", pattern)
  if (options.desc === true) out.push("DESC")
  if (options.alpha === true) out.push("ALPHA")
  return out
}

/** SORT's elements: a GET pattern whose key (or hash field) is missing gives nil, read as an empty string. */
const sortedElements: Reply<ReadonlyArray<string>> = makeReply(Schema.Array(Schema.String), (raw) => {
  const list = asList(raw)
  if (list === undefined) return mismatch("an array of strings or nils")(raw)
  const out = new Array<string>(list.length)
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!
    const text = item === null ? "" : toText(item)
    if (text === undefined) return mismatch("an array of strings or nils")(raw)
    out[i] = text
  }
  return out
})

/**
 * SORT_RO key [...]: the sorted elements, or with GET patterns the values they name (a missing key or hash field
 * gives an empty string). See {@link SortOptions} for patterns on a cluster.
 */
export const sort = defineCommand({
  name: "SORT_RO", flags: readonly, reply: sortedElements,
  args: (key: RedisKey, options: SortOptions = {}) => pushSortOptions(["SORT_RO", key], options)
})

/** SORT key [...] STORE destination: stores the sorted elements; how many. */
export const sortStore = defineCommand({
  name: "SORT", flags: write, reply: Replies.integer,
  keys: (args) => [1, args.length - 1],
  args: (key: RedisKey, destination: RedisKey, options: SortOptions = {}) => {
    const out = pushSortOptions(["SORT", key], options)
    out.push("STORE", destination)
    return out
  }
})

/** TOUCH key [key ...] (one key or an array): how many of the keys exist (updating their access time). */
export const touch = defineCommand({
  name: "TOUCH", flags: readonly, keys: allKeys, reply: Replies.integer,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => keyList("TOUCH", keys)
})

/** TTL key: seconds to live; -1 without expiry, -2 when missing. */
export const ttl = defineCommand({
  name: "TTL", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["TTL", key]
})

/** TYPE key: `string`, `list`, `set`, `zset`, `hash`, `stream`, or `none` when missing. */
export const type = defineCommand({
  name: "TYPE", flags: readonly, reply: Replies.status,
  args: (key: RedisKey) => ["TYPE", key]
})

/** UNLINK key [key ...] (one key or an array): like DEL but frees memory in the background; how many keys were removed. */
export const unlink = defineCommand({
  name: "UNLINK", flags: write | replaySafe, keys: allKeys, reply: Replies.integer,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => keyList("UNLINK", keys)
})

/** Options of MIGRATE. */
export interface MigrateOptions {
  /** Keep the keys on the source (COPY). */
  readonly copy?: boolean | undefined
  /** Replace existing keys on the target (REPLACE). */
  readonly replace?: boolean | undefined
  /** Credentials of the target: a password (AUTH) or a user and password (AUTH2). */
  readonly auth?: { readonly password: string; readonly username?: string | undefined } | undefined
}

const migrateEntry = catalogEntry("MIGRATE")!

/**
 * MIGRATE host port "" destination-db timeout-ms [COPY] [REPLACE] [AUTH...] KEYS key...: moves (or copies) the
 * keys to another server; `"OK"`, or `"NOKEY"` when none of them existed. On a cluster the keys must share a
 * slot (it is how resharding moves a slot's keys).
 */
export const migrate = defineCommand({
  name: "MIGRATE", flags: write, keys: catalogKeyPositions(migrateEntry), reply: Replies.status,
  args: (
    target: { readonly host: string; readonly port: number },
    keys: RedisKey | ReadonlyArray<RedisKey>,
    options: MigrateOptions & { readonly db?: number | undefined; readonly timeoutMs: number }
  ) => {
    const list = keyList("MIGRATE", keys)
    if (list instanceof InvalidOptions) return list
    const invalid = integerAtLeast("timeoutMs", options.timeoutMs, 0) ?? integerAtLeast("db", options.db ?? 0, 0)
    if (invalid !== undefined) return invalid
    const out: Array<RespArg> = ["MIGRATE", target.host, target.port, "", options.db ?? 0, options.timeoutMs]
    if (options.copy === true) out.push("COPY")
    if (options.replace === true) out.push("REPLACE")
    if (options.auth !== undefined) {
      if (options.auth.username !== undefined) out.push("AUTH2", options.auth.username, options.auth.password)
      else out.push("AUTH", options.auth.password)
    }
    out.push("KEYS", ...list.slice(1))
    return out
  }
})
