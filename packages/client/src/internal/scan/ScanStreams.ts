import { Cause, Effect, Result, Stream } from "effect"
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
  serverRunId,
  sscanPages,
  zscanPages
} from "./ScanPages.ts"
import { type ResolvedScanOptions, resolveEntriesOptions, resolveScanOptions, type ScanEntriesOptions, type ScanKeysOptions } from "./ScanOptions.ts"

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

/**
 * A cursor walked over `run` that keeps SCAN's promise across a server restart: the first page goes out in one
 * pipeline with `INFO server`, so its run id is that of the process that issued the cursor, and after the last page
 * the run id is read again. When it changed, the cursor may have skipped keys (a restarted server hashes
 * differently), so the walk starts over from 0, repeating what it emitted. A walk done in one page needs no check;
 * a server that refuses INFO (ACL) is not checked.
 */
export const serverCursorStream = <A>(client: RedisClientService, pages: PageCommand<A>): Stream.Stream<A, RedisError> =>
  Stream.fromPull(Effect.sync(() => {
    let cursor = "0"
    let runId: string | undefined
    let pagesRead = 0
    let done = false
    const pull = Effect.fnUntraced(function*() {
      while (true) {
        if (done) return yield* Cause.done()
        let page: ScanPage<A>
        if (cursor === "0") {
          const [identity, first] = yield* client.pipelineResults([serverRunId(), pages("0")])
          if (Result.isFailure(first)) return yield* Effect.fail(first.failure)
          runId = Result.isSuccess(identity) ? identity.success : undefined
          page = first.success
          pagesRead = 1
        } else {
          page = yield* client.run(pages(cursor))
          pagesRead++
        }
        cursor = page.cursor
        if (cursor === "0") {
          done = true
          if (pagesRead > 1 && runId !== undefined) {
            const now = yield* Effect.result(client.run(serverRunId()))
            // Another process answered the end of the walk: start over.
            if (Result.isSuccess(now) && now.success !== undefined && now.success !== runId) done = false
          }
        }
        if (page.items.length > 0) return page.items as readonly [A, ...Array<A>]
      }
    })
    return Effect.suspend(pull)
  }))

/** Every key through the client's own keyspace scan (a cluster's), or a SCAN cursor over `run` (one server). */
const keyspaceStream = <K>(client: RedisClientService, pages: PageCommand<K>, options: ResolvedScanOptions): Stream.Stream<K, RedisError> =>
  client.scanKeyspace !== undefined
    ? client.scanKeyspace({ page: pages, match: options.match, type: options.type, count: options.count, concurrency: options.concurrency })
    : serverCursorStream(client, pages)

/** One key's cursor through the client's own per-key scan (a cluster's), or over `run` (one server). */
const keyStream = <A>(client: RedisClientService, key: RedisKey, pages: PageCommand<A>): Stream.Stream<A, RedisError> =>
  client.scanKey !== undefined ? client.scanKey(key, pages) : serverCursorStream(client, pages)

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
