/**
 * The default retry schedules (their exact delays) and how `RedisClusterOptions.retry` replaces them.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis } from "@effect-redis/client"
import { defaultRetrySchedules, type RetrySchedule } from "@effect-redis/cluster"
import { ScriptedTransport } from "@effect-redis/testkit"
import { Duration, Effect, Fiber, Option, Result, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { clusterLayer } from "./support/scripted.ts"

/** Every delay a schedule gives before it is exhausted (at most 100). */
const delaysOf = (schedule: RetrySchedule) =>
  Effect.gen(function*() {
    const step = yield* Schedule.toStep(schedule)
    const delays: Array<number> = []
    for (let i = 0; i < 100; i++) {
      const result = yield* Effect.result(step(0, "retry"))
      if (Result.isFailure(result)) break
      delays.push(Duration.toMillis(result.success[1]))
    }
    return delays
  })

const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)

describe("default retry schedules", () => {
  it.effect("tryAgain: exponential from 1 ms, each delay capped at 100 ms, 20 retries", () =>
    Effect.gen(function*() {
      const delays = yield* delaysOf(defaultRetrySchedules.tryAgain)
      assert.deepStrictEqual(delays, [1, 2, 4, 8, 16, 32, 64, ...Array<number>(13).fill(100)])
      assert.strictEqual(sum(delays), 1427)
    }))

  it.effect("clusterDown: exponential from 100 ms, each delay capped at 1 s, 10 retries (7.5 s in all)", () =>
    Effect.gen(function*() {
      const delays = yield* delaysOf(defaultRetrySchedules.clusterDown)
      assert.deepStrictEqual(delays, [100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000])
      assert.strictEqual(sum(delays), 7500)
    }))

  it.effect("loading: every 200 ms, 25 times", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* delaysOf(defaultRetrySchedules.loading), Array<number>(25).fill(200))
    }))

  it.effect("connection: exponential from 50 ms, each delay capped at 500 ms, 30 retries", () =>
    Effect.gen(function*() {
      const delays = yield* delaysOf(defaultRetrySchedules.connection)
      assert.deepStrictEqual(delays, [50, 100, 200, 400, ...Array<number>(26).fill(500)])
    }))
})

describe("retry options", () => {
  const clusterDownOnce = () => {
    let calls = 0
    return ScriptedTransport.make(() => (++calls === 1 ? ScriptedTransport.error("CLUSTERDOWN The cluster is down") : 1))
  }

  it.effect("replacing one schedule keeps the defaults of the others", () =>
    Effect.gen(function*() {
      const transport = clusterDownOnce()
      const value = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.incr("k"))
        yield* transport.settle
        yield* TestClock.adjust("99 millis")
        yield* transport.settle
        assert.strictEqual(transport.requests.length, 1, "the default clusterDown schedule waits 100 ms first")
        yield* TestClock.adjust("1 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: { tryAgain: Schedule.spaced("1 millis") } })))
      assert.strictEqual(value, 1)
      assert.strictEqual(transport.requests.length, 2)
    }))

  it.effect("an option given as undefined keeps the default", () =>
    Effect.gen(function*() {
      const transport = clusterDownOnce()
      const value = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.incr("k"))
        yield* transport.settle
        yield* TestClock.adjust("100 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: { clusterDown: undefined } })))
      assert.strictEqual(value, 1)
    }))

  it.effect("a schedule that does not recur turns the first retryable reply into the error", () =>
    Effect.gen(function*() {
      const transport = clusterDownOnce()
      const error = yield* Effect.flip(Redis.incr("k")).pipe(
        Effect.provide(clusterLayer(transport, { retry: { clusterDown: Schedule.recurs(0) as RetrySchedule } }))
      )
      assert.strictEqual(error._tag, "ClusterDownError")
      assert.strictEqual(transport.requests.length, 1)
    }))

  it.effect("each request steps its own schedule, fed the kind of retry", () =>
    Effect.gen(function*() {
      const inputs: Array<unknown> = []
      const tryAgain = Schedule.spaced("10 millis").pipe(
        Schedule.upTo({ times: 1 }),
        Schedule.tap(({ input }) => Effect.sync(() => inputs.push(input)))
      )
      const counts = new Map<string, number>()
      const transport = ScriptedTransport.make((r) => {
        const n = (counts.get(r.args[1]!) ?? 0) + 1
        counts.set(r.args[1]!, n)
        return n === 1 ? ScriptedTransport.error("TRYAGAIN Multiple keys request during rehashing of slot") : "v"
      })
      const values = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Effect.all([Redis.get("a"), Redis.get("b")], { concurrency: "unbounded" }))
        yield* transport.settle
        yield* TestClock.adjust("10 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: { tryAgain } })))
      // Both commands retried once: a schedule limited to one recurrence is not shared between them.
      assert.deepStrictEqual(values, [Option.some("v"), Option.some("v")])
      assert.deepStrictEqual(inputs, ["tryAgain", "tryAgain"])
    }))
})
