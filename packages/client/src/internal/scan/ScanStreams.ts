import { Effect, Option, Stream } from "effect"
import type { ScanPage } from "../../Replies.ts"
import type { RedisClientService } from "../../RedisClient.ts"
import type { RedisKey } from "../commands/types.ts"
import type { RedisError } from "../errors/RedisError.ts"
import type { ReplyError } from "../errors/ReplyError.ts"
import {
  hscanFieldsOfPairsPages,
  hscanNoValuesPages,
  hscanPages,
  type PageCommand,
  scanBytesPages,
  scanPages,
  sscanPages,
  zscanPages
} from "./ScanPages.ts"
import { type ResolvedScanOptions, resolveEntriesOptions, resolveScanOptions, type ScanEntriesOptions, type ScanKeysOptions } from "./ScanOptions.ts"

/**
 * A cursor walked page by page: each pull sends one command and emits its items as one chunk, so nothing is read
 * before the consumer asks for it. Ends after the page whose cursor is `"0"`.
 */
export const cursorStream = <A, E, R>(fetch: (cursor: string) => Effect.Effect<ScanPage<A>, E, R>): Stream.Stream<A, E, R> =>
  Stream.paginate("0", (cursor: string) =>
    Effect.map(fetch(cursor), (page) => [page.items, page.cursor === "0" ? Option.none<string>() : Option.some(page.cursor)] as const))

/**
 * Drops the elements whose identity (`idOf`) was emitted before. The set of identities lives as long as one run of
 * the stream: each run starts empty.
 */
export const dedupeBy = <A, E, R>(stream: Stream.Stream<A, E, R>, idOf: (a: A) => string): Stream.Stream<A, E, R> =>
  Stream.suspend(() => {
    const seen = new Set<string>()
    return Stream.filter(stream, (a) => {
      const id = idOf(a)
      if (seen.has(id)) return false
      seen.add(id)
      return true
    })
  })

/** Bytes as a string with one character per byte (latin1): a distinct, compact identity for a binary key. */
export const bytesIdentity = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")

const identity = (text: string): string => text
const firstOf = <B>(pair: readonly [string, B]): string => pair[0]

/** Every key through the client's own keyspace scan (a cluster's), or a SCAN cursor over `run` (one server). */
const keyspaceStream = <K>(client: RedisClientService, pages: PageCommand<K>, options: ResolvedScanOptions): Stream.Stream<K, RedisError> =>
  client.scanKeyspace !== undefined
    ? client.scanKeyspace({ page: pages, match: options.match, type: options.type, count: options.count, concurrency: options.concurrency })
    : cursorStream((cursor) => client.run(pages(cursor)))

/** One key's cursor through the client's own per-key scan (a cluster's), or over `run` (one server). */
const keyStream = <A>(client: RedisClientService, key: RedisKey, pages: PageCommand<A>): Stream.Stream<A, RedisError> =>
  client.scanKey !== undefined ? client.scanKey(key, pages) : cursorStream((cursor) => client.run(pages(cursor)))

/** `RedisClient.scan`: every key, as text. */
export const scanKeys = (client: RedisClientService, options: ScanKeysOptions): Stream.Stream<string, RedisError> => {
  const resolved = resolveScanOptions("SCAN", options)
  if (!("count" in resolved)) return Stream.fail(resolved)
  const keys = keyspaceStream(client, scanPages(resolved), resolved)
  return resolved.dedupe ? dedupeBy(keys, identity) : keys
}

/** `RedisClient.scanBytes`: every key, as bytes. */
export const scanKeyBytes = (client: RedisClientService, options: ScanKeysOptions): Stream.Stream<Uint8Array, RedisError> => {
  const resolved = resolveScanOptions("SCAN", options)
  if (!("count" in resolved)) return Stream.fail(resolved)
  const keys = keyspaceStream(client, scanBytesPages(resolved), resolved)
  return resolved.dedupe ? dedupeBy(keys, bytesIdentity) : keys
}

const entries = <A>(
  command: string,
  client: RedisClientService,
  key: RedisKey,
  options: ScanEntriesOptions,
  pages: (key: RedisKey, options: ResolvedScanOptions) => PageCommand<A>,
  idOf: (a: A) => string
): Stream.Stream<A, RedisError> => {
  const resolved = resolveEntriesOptions(command, options)
  if (!("count" in resolved)) return Stream.fail(resolved)
  const stream = keyStream(client, key, pages(key, resolved))
  return resolved.dedupe ? dedupeBy(stream, idOf) : stream
}

/** `RedisClient.hscan`: `[field, value]` tuples. */
export const hashEntries = (client: RedisClientService, key: RedisKey, options: ScanEntriesOptions) =>
  entries("HSCAN", client, key, options, hscanPages, firstOf)

/** `RedisClient.sscan`: members. */
export const setMembers = (client: RedisClientService, key: RedisKey, options: ScanEntriesOptions) =>
  entries("SSCAN", client, key, options, sscanPages, identity)

/** `RedisClient.zscan`: `[member, score]` tuples. */
export const sortedSetEntries = (client: RedisClientService, key: RedisKey, options: ScanEntriesOptions) =>
  entries("ZSCAN", client, key, options, zscanPages, firstOf)

/** Whether a reply error is a server refusing NOVALUES: it came before NOVALUES existed (Redis < 7.4). */
const refusesNoValues = (error: RedisError): error is ReplyError =>
  error._tag === "ReplyError" && error.code === "ERR" && /syntax error/i.test(error.message)

/**
 * `RedisClient.hscanFields`: fields only. Sends HSCAN ... NOVALUES, so values never cross the network, on servers
 * that have it (Redis 7.4+, Valkey 8+). A server without it answers the first page with a syntax error; the stream
 * then runs plain HSCAN and drops the values itself. Nothing was emitted before that first page, so the switch
 * repeats nothing.
 */
export const hashFields = (client: RedisClientService, key: RedisKey, options: ScanEntriesOptions): Stream.Stream<string, RedisError> => {
  const resolved = resolveEntriesOptions("HSCAN", options)
  if (!("count" in resolved)) return Stream.fail(resolved)
  const fields = Stream.suspend(() => {
    let emitted = false
    const withNoValues = Stream.mapArray(keyStream(client, key, hscanNoValuesPages(key, resolved)), (chunk) => {
      emitted = true
      return chunk
    })
    return Stream.catch(withNoValues, (error) =>
      !emitted && refusesNoValues(error) ? keyStream(client, key, hscanFieldsOfPairsPages(key, resolved)) : Stream.fail(error))
  })
  return resolved.dedupe ? dedupeBy(fields, identity) : fields
}
