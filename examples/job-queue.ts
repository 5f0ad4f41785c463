/**
 * A job queue on a stream with a consumer group: workers block on XREADGROUP (each blocking read runs on a
 * connection of its own, so it never stalls the other commands to that node), acknowledge what they processed, and
 * a janitor claims jobs a crashed worker left pending.
 *
 * `REDIS_CLUSTER_URL=redis://127.0.0.1:7000 node examples/job-queue.ts` (or `REDIS_URL=...` for one server).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Redis } from "@effect-redis/client"
import { Console, Effect, Fiber, Option } from "effect"
import { clientFromEnv } from "./support/clientFromEnv.ts"

const stream = `jobs:${Date.now()}`

/** One worker: processes `count` jobs, blocking up to 2 s at a time for new ones, and acknowledges each. */
const worker = (name: string, count: number) =>
  Effect.gen(function*() {
    const done: Array<string> = []
    while (done.length < count) {
      const read = yield* Redis.xreadgroup("workers", name, { [stream]: ">" }, { count: count - done.length, block: 2000 })
      if (Option.isNone(read)) break // nothing came within 2 s
      for (const entry of read.value.flatMap((s) => s.entries)) {
        done.push(Object.fromEntries(entry.fields)["job"] ?? "?")
        yield* Redis.xack(stream, "workers", entry.id)
      }
    }
    return done
  })

/** The example program, written against `RedisClient`. */
export const program = Effect.gen(function*() {
  yield* Redis.xgroupCreate(stream, "workers", "$", { mkstream: true })

  // The worker blocks before any job exists; meanwhile the producer's commands to the same node go through.
  const blocked = yield* Effect.forkChild(worker("w1", 3))
  yield* Effect.sleep("100 millis")
  for (const job of ["resize", "encode", "notify"]) yield* Redis.xadd(stream, { job })
  yield* Console.log(`w1 processed: ${(yield* Fiber.join(blocked)).join(", ")}`)

  // w2 takes a job and "crashes" before acknowledging it; the janitor claims it.
  yield* Redis.xadd(stream, { job: "report" })
  yield* Redis.xreadgroup("workers", "w2", { [stream]: ">" }, { count: 1 })
  const pending = yield* Redis.xpending(stream, "workers")
  const claimed = yield* Redis.xautoclaim(stream, "workers", "janitor", 0, "0-0")
  for (const entry of claimed.entries) yield* Redis.xack(stream, "workers", entry.id)
  yield* Console.log(`pending before the janitor: ${pending.count}; janitor claimed: ${claimed.entries.map((e) => Object.fromEntries(e.fields)["job"]).join(", ")}`)
  yield* Console.log(`pending after: ${(yield* Redis.xpending(stream, "workers")).count}`)
  yield* Redis.del(stream)
})

if (import.meta.main) program.pipe(Effect.provide(clientFromEnv()), NodeRuntime.runMain)
