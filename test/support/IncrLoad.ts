/**
 * A write load for the cluster resilience tests: writers INCR keys spread over every slot and count what the
 * client acknowledged. At the end every counter must equal its acknowledged count (nothing lost, nothing
 * applied twice), give or take the increments whose outcome the client honestly reported as unknown
 * (`ConnectionError` or `TimeoutError` with `written: true`: the bytes reached a node that died or stopped
 * answering).
 */
import { Redis, type RedisClient, type RedisError } from "@effect-redis/client"
import { Clock, Effect, Fiber } from "effect"

/** What a load run saw. */
export interface IncrLoadReport {
  /** Acknowledged increments per key. */
  readonly acked: Map<string, number>
  /** Increments that failed with an unknown outcome (written, then the connection died), per key. */
  readonly uncertain: Map<string, number>
  /** Every other error that reached a writer, with its tag and message, deadline errors excepted. */
  readonly errors: Array<string>
  /** Commands that failed because their deadline (`commandTimeout`) passed. */
  readonly timeouts: number
  /** Total acknowledged increments. */
  readonly total: number
  /** Longest time between two acknowledgements, in ms (how long traffic stopped). */
  readonly longestGapMs: number
  /** When (Unix ms) the acknowledgement that ended the longest gap came: when traffic resumed. */
  readonly longestGapEndedAt: number
  /**
   * With `groupOf`: per group, the longest time between two acknowledgements of its keys (and from its last one to
   * `stop`), in ms: how long writers of one shard stalled.
   */
  readonly longestGapByGroup: ReadonlyMap<string, number>
  /** Commands refused unsent because their node was declared unresponsive (`NodeUnresponsiveError`). */
  readonly refused: number
}

/** A running load; `stop` ends it and returns the report. */
export interface IncrLoad {
  readonly stop: Effect.Effect<IncrLoadReport>
  /** Acknowledged increments so far. */
  readonly total: () => number
}

/** `count` keys whose names spread over all slots (one hash tag per key). */
export const loadKeys = (prefix: string, count: number): ReadonlyArray<string> =>
  Array.from({ length: count }, (_, i) => `${prefix}:${i}`)

const increment = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)

/**
 * Starts `writers` fibers, each INCRementing a random key of `keys` in a loop (with `pauseMs` between its
 * commands), until `stop`.
 */
export const startIncrLoad = (options: {
  readonly keys: ReadonlyArray<string>
  readonly writers?: number
  readonly pauseMs?: number
  /** The keys writer `index` picks from (default: all of `keys`). */
  readonly keysOf?: (index: number) => ReadonlyArray<string>
  /** Groups keys (e.g. by shard) for `longestGapByGroup`. */
  readonly groupOf?: (key: string) => string
}): Effect.Effect<IncrLoad, never, RedisClient> =>
  Effect.gen(function*() {
    const acked = new Map<string, number>()
    const uncertain = new Map<string, number>()
    const errors: Array<string> = []
    let timeouts = 0
    let refused = 0
    let total = 0
    let running = true
    const startedAt = yield* Clock.currentTimeMillis
    let lastAck = startedAt
    let longestGapMs = 0
    let longestGapEndedAt = lastAck
    const lastAckByGroup = new Map<string, number>()
    const longestGapByGroup = new Map<string, number>()
    const groupOf = options.groupOf
    if (groupOf !== undefined) for (const key of options.keys) lastAckByGroup.set(groupOf(key), startedAt)
    const writer = (index: number) => Effect.gen(function*() {
      const keys = options.keysOf?.(index) ?? options.keys
      while (running) {
        const key = keys[Math.floor(Math.random() * keys.length)]!
        const outcome = yield* Effect.result(Redis.incr(key))
        if (outcome._tag === "Success") {
          increment(acked, key)
          total++
          const now = yield* Clock.currentTimeMillis
          if (now - lastAck > longestGapMs) {
            longestGapMs = now - lastAck
            longestGapEndedAt = now
          }
          lastAck = now
          if (groupOf !== undefined) {
            const group = groupOf(key)
            const gap = now - (lastAckByGroup.get(group) ?? startedAt)
            longestGapByGroup.set(group, Math.max(longestGapByGroup.get(group) ?? 0, gap))
            lastAckByGroup.set(group, now)
          }
        } else {
          const error: RedisError = outcome.failure
          // Written, then no answer: the connection died, or the node stopped answering past the deadline.
          if ((error._tag === "ConnectionError" || error._tag === "TimeoutError") && error.written) increment(uncertain, key)
          else if (error._tag === "TimeoutError" && !error.written) timeouts++
          else if (error._tag === "NodeUnresponsiveError") refused++
          else errors.push(`${error._tag}: ${error.message}`)
        }
        if (options.pauseMs !== undefined && options.pauseMs > 0) yield* Effect.sleep(options.pauseMs)
      }
    })
    const fibers = yield* Effect.forEach(
      Array.from({ length: options.writers ?? 16 }, (_, i) => i),
      (index) => Effect.forkChild(writer(index)),
    )
    return {
      total: () => total,
      stop: Effect.gen(function*() {
        running = false
        const stoppedAt = yield* Clock.currentTimeMillis
        for (const [group, at] of lastAckByGroup) {
          longestGapByGroup.set(group, Math.max(longestGapByGroup.get(group) ?? 0, stoppedAt - at))
        }
        yield* Fiber.joinAll(fibers)
        return { acked, uncertain, errors, timeouts, refused, total, longestGapMs, longestGapEndedAt, longestGapByGroup }
      })
    }
  })

/**
 * Reads every key and checks it against the report: `acked <= value <= acked + uncertain`. Returns the
 * mismatches as text (empty when all is well) and how many uncertain increments were applied.
 */
export const verifyCounters = (
  report: IncrLoadReport,
  keys: ReadonlyArray<string>
): Effect.Effect<{ readonly mismatches: Array<string>; readonly uncertainApplied: number }, RedisError, RedisClient> =>
  Effect.gen(function*() {
    const mismatches: Array<string> = []
    let uncertainApplied = 0
    const values = yield* Effect.forEach(keys, (key) => Redis.get(key), { concurrency: 64 })
    keys.forEach((key, i) => {
      const value = values[i]!
      const actual = value._tag === "Some" ? Number(value.value) : 0
      const acked = report.acked.get(key) ?? 0
      const unsure = report.uncertain.get(key) ?? 0
      if (actual < acked || actual > acked + unsure) {
        mismatches.push(`${key}: value ${actual}, acknowledged ${acked}, uncertain ${unsure}`)
      }
      uncertainApplied += actual - acked
    })
    return { mismatches, uncertainApplied }
  })
