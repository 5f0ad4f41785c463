import { Duration, Effect, Schedule } from "effect"
import type { WatchConflictError } from "../errors/WatchConflictError.ts"

const MAX_DELAY = Duration.millis(100)

/**
 * The default retry of `RedisClient.optimistic`: 20 retries, delays from 1 ms doubling, jittered (so contending
 * bodies spread out instead of colliding again), each at most 100 ms: about 1.4 s of waiting at most, like the
 * cluster's TRYAGAIN default. Conflicts are short-lived by nature (another client's EXEC), so short delays win:
 * 50 fibers incrementing one counter all get through with it. A key under constant contention needs a schedule of
 * its own, or a Lua script (`Script`) that decides on the server.
 */
export const defaultOptimisticRetry: Schedule.Schedule<unknown, WatchConflictError> = Schedule.exponential("1 millis", 2).pipe(
  Schedule.jittered,
  Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, MAX_DELAY))),
  Schedule.upTo({ times: 20 })
) as Schedule.Schedule<unknown, WatchConflictError>
