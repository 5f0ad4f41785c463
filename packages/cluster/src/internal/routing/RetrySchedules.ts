import { Duration, Effect, Schedule } from "effect"

/** A retry schedule: fed the reason for each retry, its delays say how long to wait. */
export type RetrySchedule = Schedule.Schedule<unknown, unknown>

/**
 * One schedule per class of retryable failure. Every retry also stays inside the command's deadline
 * (`commandTimeout`): a delay that would pass it ends the retries with the class's typed error.
 */
export interface RetrySchedules {
  /**
   * `TRYAGAIN` (a multi-key command during a slot migration). Default: exponential from 1 ms, each delay capped
   * at 100 ms, 20 retries (about 1.4 s in all).
   */
  readonly tryAgain?: RetrySchedule | undefined
  /**
   * `CLUSTERDOWN`, `MASTERDOWN`, `READONLY` and unserved slots: the cluster is reorganising. Default:
   * exponential from 100 ms, each delay capped at 1 s, 10 retries (about 7.5 s in all). A delay ends early when
   * the slot map gives the command's slot a new primary (a refresh saw the failover): it goes there at once.
   */
  readonly clusterDown?: RetrySchedule | undefined
  /** `LOADING` on a primary (reads on a loading replica go to the primary at once). Default: every 200 ms, 25 times. */
  readonly loading?: RetrySchedule | undefined
  /**
   * A lost or refused connection, for commands that are safe to send again (not written, or read-only, or
   * declared replay-safe). Default: exponential from 50 ms, each delay capped at 500 ms, 30 retries. A delay ends
   * early when the slot map gives the command's slot a new primary (a refresh saw a replica promoted): it goes
   * there at once.
   */
  readonly connection?: RetrySchedule | undefined
}

/** The kinds of retry, each with its schedule. */
export type RetryKind = keyof RetrySchedules

const capped = (base: Duration.Input, cap: Duration.Input, times: number): RetrySchedule => {
  const max = Duration.fromInputUnsafe(cap)
  return Schedule.exponential(base).pipe(
    Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, max))),
    Schedule.upTo({ times })
  ) as RetrySchedule
}

/** The default schedules (see {@link RetrySchedules}). */
export const defaultRetrySchedules: Required<{ readonly [K in RetryKind]: RetrySchedule }> = {
  tryAgain: capped("1 millis", "100 millis", 20),
  clusterDown: capped("100 millis", "1 second", 10),
  loading: Schedule.spaced("200 millis").pipe(Schedule.upTo({ times: 25 })) as RetrySchedule,
  connection: capped("50 millis", "500 millis", 30)
}
