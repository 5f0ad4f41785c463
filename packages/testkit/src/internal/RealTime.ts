/**
 * Sleeping and polling on the wall clock.
 *
 * Redis servers live in real time, so the test kit must too, even when it runs inside `it.effect` or a
 * `layer(...)` of `@effect/vitest` where `Effect.sleep` follows the `TestClock` and never fires on its own.
 * These helpers use `setTimeout` and `Date.now()` directly for that reason.
 *
 * @internal
 */
import { Effect } from "effect"
import { WaitTimeoutError } from "../WaitTimeoutError.ts"

/** Sleeps for `ms` of wall-clock time, whatever clock the fiber has; interruptible. */
export const sleepRealTime = (ms: number): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), ms)
    return Effect.sync(() => clearTimeout(timer))
  })

/** Milliseconds of wall-clock time since the epoch, whatever clock the fiber has. */
export const nowRealTime: Effect.Effect<number> = Effect.sync(() => Date.now())

/** One observation of a poll: either the awaited value, or a description of what was seen instead. */
export type Observation<A> =
  | { readonly done: true; readonly value: A }
  | { readonly done: false; readonly seen: string }

/** The awaited value was observed. */
export const reached = <A>(value: A): Observation<A> => ({ done: true, value })

/** The awaited state was not (yet) observed; `seen` explains what was. */
export const notYet = <A = never>(seen: string): Observation<A> => ({ done: false, seen })

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** Shown in the timeout error: "waiting for <waitingFor>". */
  readonly waitingFor: string
  readonly timeoutMs: number
  /** Pause between two checks. Default 50 ms. */
  readonly intervalMs?: number | undefined
}

/**
 * Runs `check` until it reports the awaited state or the time is up. A failing check counts as "not yet"
 * (servers refuse connections while restarting, answer LOADING, ...), and its error becomes what was seen.
 */
export const waitUntil = <A, E>(
  check: Effect.Effect<Observation<A>, E>,
  options: WaitOptions
): Effect.Effect<A, WaitTimeoutError> =>
  Effect.gen(function*() {
    const deadline = (yield* nowRealTime) + options.timeoutMs
    let lastSeen = "nothing yet"
    while (true) {
      const observation = yield* check.pipe(
        Effect.catch((error) => Effect.succeed(notYet<A>(describeFailure(error))))
      )
      if (observation.done) return observation.value
      lastSeen = observation.seen
      if ((yield* nowRealTime) >= deadline) {
        return yield* new WaitTimeoutError({
          waitingFor: options.waitingFor,
          timeoutMs: options.timeoutMs,
          lastSeen
        })
      }
      yield* sleepRealTime(options.intervalMs ?? 50)
    }
  })

const describeFailure = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error)
