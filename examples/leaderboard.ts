/**
 * A leaderboard over sorted sets that live on different nodes: one board per day (each on its own slot), a weekly
 * board built with ZUNIONSTORE across them (emulated client-side by the cluster client: not atomic, same result as
 * on one server), ±inf scores, and server commands fanned out and merged (DBSIZE sums every primary).
 *
 * `REDIS_CLUSTER_URL=redis://127.0.0.1:7000 node examples/leaderboard.ts` (or `REDIS_URL=...` for one server).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Redis } from "@effect-redis/client"
import { Console, Effect, Option } from "effect"
import { clientFromEnv } from "./support/clientFromEnv.ts"

const run = `leaderboard:${Date.now()}`
// No shared hash tag: on a cluster the daily boards spread over the nodes.
const day = (name: string) => `${run}:day:${name}`
const week = `${run}:week`

/** The example program, written against `RedisClient`. */
export const program = Effect.gen(function*() {
  yield* Redis.zadd(day("mon"), { ada: 30, alan: 12, grace: 25 })
  yield* Redis.zadd(day("tue"), [{ member: "ada", score: 5 }, { member: "grace", score: 40 }, { member: "linus", score: 18 }])
  yield* Redis.zadd(day("wed"), { alan: 50, barbara: Infinity })

  // Monday counts double; the week keeps each player's total.
  const players = yield* Redis.zunionstore(week, [day("mon"), day("tue"), day("wed")], { weights: [2, 1, 1], aggregate: "SUM" })
  const top = yield* Redis.zrangeWithScores(week, 0, 2, { rev: true })
  yield* Console.log(`week: ${players} players; top 3 -> ${top.map((e) => `${e.member}=${e.score}`).join(", ")}`)

  const rank = yield* Redis.zrevrank(week, "grace")
  const score = yield* Redis.zscore(week, "nobody")
  yield* Console.log(`grace is #${Option.getOrThrow(rank) + 1}; nobody has ${Option.isNone(score) ? "no score" : score.value}`)

  // Players seen on every day of the week so far (none) and on Monday or Tuesday, across nodes.
  const everyDay = yield* Redis.zinter([day("mon"), day("tue"), day("wed")])
  const early = yield* Redis.zunion([day("mon"), day("tue")])
  yield* Console.log(`every day: [${everyDay.join(", ")}]; Monday or Tuesday: [${early.join(", ")}]`)

  yield* Redis.del([day("mon"), day("tue"), day("wed"), week])
  yield* Console.log(`keys in the database after cleanup (summed over primaries on a cluster): ${yield* Redis.dbsize()}`)
})

if (import.meta.main) program.pipe(Effect.provide(clientFromEnv()), NodeRuntime.runMain)
