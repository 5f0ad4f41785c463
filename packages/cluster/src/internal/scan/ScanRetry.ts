import type { RedisError } from "@effect-redis/client"
import { Clock, Duration, Effect, Result, Schedule } from "effect"
import type { RetryKind, RetrySchedule } from "../routing/RetrySchedules.ts"

type Step = (now: number, input: unknown) => Effect.Effect<[unknown, Duration.Duration], unknown>

/**
 * The waits of one scan between its tries, on the client's own retry schedules (`connection` for a node that does
 * not answer, `loading` for one loading its data, `clusterDown` for slots nobody serves or that stay in
 * migration). Each kind runs its schedule from the start again after the scan made progress: the budget is for one
 * stretch of trouble, not for the whole scan, which may last far longer than any command.
 */
export class ScanRetry {
  private readonly schedules: { readonly [K in RetryKind]: RetrySchedule }
  private steps: Partial<Record<RetryKind, Step>> = {}
  /** Retries since the last progress. */
  attempts = 0

  constructor(schedules: { readonly [K in RetryKind]: RetrySchedule }) {
    this.schedules = schedules
  }

  /** The scan moved forward: every schedule starts over. */
  reset(): void {
    if (this.attempts === 0) return
    this.steps = {}
    this.attempts = 0
  }

  /** Waits the next delay of `kind`'s schedule; fails with `failure()` when the schedule is done. */
  wait(kind: RetryKind, failure: () => RedisError): Effect.Effect<void, RedisError> {
    return Effect.flatMap(this.stepOf(kind), (step) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(Effect.result(step(now, kind)), (result) => {
          if (Result.isFailure(result)) return Effect.fail(failure())
          this.attempts++
          return Effect.sleep(result.success[1])
        })))
  }

  private stepOf(kind: RetryKind): Effect.Effect<Step> {
    const existing = this.steps[kind]
    if (existing !== undefined) return Effect.succeed(existing)
    return Effect.map(Schedule.toStep(this.schedules[kind]), (step) => (this.steps[kind] = step as unknown as Step))
  }
}
