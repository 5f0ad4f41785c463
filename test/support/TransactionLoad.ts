/**
 * A transaction load for the cluster resilience tests: writers run `MULTI, INCR {tag}a, INCR {tag}b, EXEC` on
 * random tags and count what the client acknowledged. A transaction is atomic, so at the end both keys of every
 * tag must hold the same value, equal to its acknowledged count, give or take the transactions whose outcome the
 * client honestly reported as unknown (`ConnectionError` or `TimeoutError` with `written: true`: EXEC reached a
 * node that died or stopped answering) - and never more than that: none applied twice.
 */
import { Redis, RedisClient, type RedisError } from "@effect-redis/client"
import { Clock, Effect, Fiber, Option } from "effect"

/** What a load run saw. */
export interface TransactionLoadReport {
  /** Acknowledged transactions per tag. */
  readonly acked: Map<string, number>
  /** Transactions that failed with an unknown outcome, per tag. */
  readonly uncertain: Map<string, number>
  /** Every other error that reached a writer, with its tag and message, deadline errors excepted. */
  readonly errors: Array<string>
  /** Acknowledged transactions whose two INCR replies differed (the keys did not move together). */
  readonly torn: Array<string>
  /** Transactions that failed because their deadline passed before EXEC was written. */
  readonly timeouts: number
  /** Total acknowledged transactions. */
  readonly total: number
  /** Longest time between two acknowledgements, in ms. */
  readonly longestGapMs: number
}

/** A running load; `stop` ends it and returns the report. */
export interface TransactionLoad {
  readonly stop: Effect.Effect<TransactionLoadReport>
  /** Acknowledged transactions so far. */
  readonly total: () => number
}

/** The two keys of a tag. */
export const tagKeys = (tag: string): readonly [string, string] => [`{${tag}}a`, `{${tag}}b`]

/** `count` tags spread over all slots. */
export const loadTags = (prefix: string, count: number): ReadonlyArray<string> =>
  Array.from({ length: count }, (_, i) => `${prefix}:${i}`)

const increment = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)

/** Starts `writers` fibers, each running the two-INCR transaction on a random tag in a loop, until `stop`. */
export const startTransactionLoad = (options: {
  readonly tags: ReadonlyArray<string>
  readonly writers?: number
}): Effect.Effect<TransactionLoad, never, RedisClient> =>
  Effect.gen(function*() {
    const acked = new Map<string, number>()
    const uncertain = new Map<string, number>()
    const errors: Array<string> = []
    const torn: Array<string> = []
    let timeouts = 0
    let total = 0
    let running = true
    let lastAck = yield* Clock.currentTimeMillis
    let longestGapMs = 0
    const writer = Effect.gen(function*() {
      while (running) {
        const tag = options.tags[Math.floor(Math.random() * options.tags.length)]!
        const [a, b] = tagKeys(tag)
        const outcome = yield* Effect.result(RedisClient.transaction([Redis.incr(a), Redis.incr(b)]))
        if (outcome._tag === "Success") {
          const [x, y] = outcome.success
          if (x !== y) torn.push(`${tag}: ${x} / ${y}`)
          increment(acked, tag)
          total++
          const now = yield* Clock.currentTimeMillis
          longestGapMs = Math.max(longestGapMs, now - lastAck)
          lastAck = now
        } else {
          const error: RedisError = outcome.failure
          if ((error._tag === "ConnectionError" || error._tag === "TimeoutError") && error.written) increment(uncertain, tag)
          else if (error._tag === "TimeoutError" && !error.written) timeouts++
          else errors.push(`${error._tag}: ${error.message}`)
        }
      }
    })
    const fibers = yield* Effect.forEach(Array.from({ length: options.writers ?? 16 }), () => Effect.forkChild(writer))
    return {
      total: () => total,
      stop: Effect.gen(function*() {
        running = false
        yield* Fiber.joinAll(fibers)
        return { acked, uncertain, errors, torn, timeouts, total, longestGapMs }
      })
    }
  })

/**
 * Reads both keys of every tag and checks them against the report: equal (the transaction is atomic) and
 * `acked <= value <= acked + uncertain` (nothing lost, nothing applied twice). Returns the mismatches as text.
 */
export const verifyTransactions = (
  report: TransactionLoadReport,
  tags: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, RedisError, RedisClient> =>
  Effect.gen(function*() {
    const mismatches: Array<string> = []
    const values = yield* Effect.forEach(tags, (tag) => Redis.mget([...tagKeys(tag)]), { concurrency: 64 })
    tags.forEach((tag, i) => {
      const [a, b] = values[i]!.map((value) => Number(Option.getOrElse(value, () => "0")))
      const acked = report.acked.get(tag) ?? 0
      const unsure = report.uncertain.get(tag) ?? 0
      if (a !== b) mismatches.push(`${tag}: the two keys differ (${a} / ${b})`)
      if (a! < acked || a! > acked + unsure) mismatches.push(`${tag}: value ${a}, acknowledged ${acked}, uncertain ${unsure}`)
    })
    return mismatches
  })
