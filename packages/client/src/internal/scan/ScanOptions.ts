import { InvalidArgumentError } from "../errors/InvalidArgumentError.ts"

/** Options of `RedisClient.scan`: which keys, how many per round trip, and what the stream may repeat. */
export interface ScanKeysOptions {
  /** Only keys matching this glob pattern (SCAN's MATCH). On a cluster, a pattern fixed up to its `{hash tag}` scans one node. */
  readonly match?: string | undefined
  /**
   * Only keys of this type (SCAN's TYPE): `string`, `list`, `set`, `zset`, `hash`, `stream`, or a module's type name
   * (9 characters, e.g. `ReJSON-RL`). Anything else fails with `InvalidArgumentError` before a command is sent.
   */
  readonly type?: string | undefined
  /** SCAN's COUNT: how much work each round trip asks of a server, and about how many keys a chunk holds. Default 1000. */
  readonly count?: number | undefined
  /**
   * Remember every key emitted and drop repeats, so each key is emitted exactly once. Costs memory for every
   * distinct key until the stream ends: about 40 bytes plus the key's length each (measured: 61 MB for a million
   * 20-character keys). Default false.
   */
  readonly dedupe?: boolean | undefined
  /** On a cluster: how many primaries are scanned at once. Default 1. Ignored by a single server. */
  readonly concurrency?: number | undefined
}

/** Options of `RedisClient.hscan`, `sscan` and `zscan`. */
export interface ScanEntriesOptions {
  /** Only fields or members matching this glob pattern (MATCH). */
  readonly match?: string | undefined
  /** COUNT: how much work each round trip asks of the server. Default 1000. */
  readonly count?: number | undefined
  /** Drop fields or members already emitted (kept in memory until the stream ends). Default false. */
  readonly dedupe?: boolean | undefined
}

/** Options after validation, defaults filled. */
export interface ResolvedScanOptions {
  readonly match: string | undefined
  readonly type: string | undefined
  readonly count: number
  readonly dedupe: boolean
  readonly concurrency: number
}

/** SCAN's COUNT when none is given: the server's own default (10) costs a round trip per 10 keys. */
export const DEFAULT_SCAN_COUNT = 1000

const CORE_TYPES = ["string", "list", "set", "zset", "hash", "stream"]

// A module registers its data type under a name of exactly 9 characters from this set (RedisModule_CreateDataType),
// so that is the shape of every type a server can know besides the core ones.
const MODULE_TYPE_NAME = /^[A-Za-z0-9_-]{9}$/

const positiveInteger = (name: string, value: number | undefined): string | undefined =>
  value === undefined || (Number.isSafeInteger(value) && value >= 1)
    ? undefined
    : `${name} must be an integer >= 1, got ${String(value)}`

/**
 * Checks the options of a keyspace scan. Redis 7 and 8 answer a SCAN with an unknown TYPE with no keys at all (Valkey
 * answers an error), so a type that no server can know is refused here rather than silently matching nothing.
 */
export const resolveScanOptions = (command: string, options: ScanKeysOptions): ResolvedScanOptions | InvalidArgumentError => {
  const reason = positiveInteger("count", options.count) ??
    positiveInteger("concurrency", options.concurrency) ??
    (options.match !== undefined && typeof options.match !== "string" ? `match must be a string, got ${typeof options.match}` : undefined) ??
    (options.type !== undefined && !isKnownTypeName(options.type)
      ? `type ${JSON.stringify(options.type)} is not a Redis type: use one of ${CORE_TYPES.join(", ")}, or a module's 9-character type name`
      : undefined)
  if (reason !== undefined) return new InvalidArgumentError({ command, reason })
  return {
    match: options.match,
    type: options.type,
    count: options.count ?? DEFAULT_SCAN_COUNT,
    dedupe: options.dedupe === true,
    concurrency: options.concurrency ?? 1
  }
}

/** Checks the options of a per-key scan (HSCAN, SSCAN, ZSCAN). */
export const resolveEntriesOptions = (command: string, options: ScanEntriesOptions): ResolvedScanOptions | InvalidArgumentError =>
  resolveScanOptions(command, { match: options.match, count: options.count, dedupe: options.dedupe })

const isKnownTypeName = (type: unknown): boolean =>
  typeof type === "string" && (CORE_TYPES.includes(type.toLowerCase()) || MODULE_TYPE_NAME.test(type))
