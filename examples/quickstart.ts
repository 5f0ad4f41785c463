/**
 * Quick start: commands are values and Effects; a pipeline sends many in one write; replies are typed.
 *
 * Run against a cluster: `REDIS_CLUSTER_URL=redis://127.0.0.1:7000,127.0.0.1:7001 node examples/quickstart.ts`,
 * or a standalone server: `REDIS_URL=redis://127.0.0.1:6379 node examples/quickstart.ts`
 * (`npm run demo` starts a throwaway local cluster and runs this against it).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Redis, RedisClient } from "@effect-redis/client"
import { Console, Effect, Option } from "effect"
import { clientFromEnv } from "./support/clientFromEnv.ts"

// Every key shares the hash tag {quickstart}, so on a cluster they all live in one slot, on one node.
const key = (name: string) => `{quickstart}:${name}`

/** The example program: written against `RedisClient`, it runs on a standalone server or a cluster. */
export const program = Effect.gen(function*() {
  yield* Redis.set(key("user:1"), "ada")
  const name = yield* Redis.get(key("user:1")) // Option<string>
  yield* Console.log(`GET user:1 -> ${Option.getOrElse(name, () => "(missing)")}`)

  const missing = yield* Redis.get(key("nobody"))
  yield* Console.log(`GET nobody -> ${Option.isNone(missing) ? "none" : missing.value}`)

  yield* Redis.del(key("hits"))
  const hits = yield* Effect.all([Redis.incr(key("hits")), Redis.incr(key("hits")), Redis.incrby(key("hits"), 40)])
  yield* Console.log(`INCR, INCR, INCRBY 40 -> ${hits.join(", ")}`)

  yield* Redis.hset(key("profile"), { name: "Ada Lovelace", born: 1815 })
  const profile = yield* Redis.hgetall(key("profile")) // Record<string, string>
  yield* Console.log(`HGETALL profile -> ${JSON.stringify({ ...profile })}`)

  // One write, replies in order, typed by position.
  const [user, count, exists] = yield* RedisClient.pipeline([
    Redis.get(key("user:1")),
    Redis.incr(key("hits")),
    Redis.exists([key("user:1"), key("profile"), key("nobody")])
  ])
  yield* Console.log(`pipeline -> ${Option.getOrNull(user)}, ${count}, ${exists} of 3 keys exist`)

  // Errors are typed values: INCR on a hash is a WRONGTYPE ReplyError.
  const wrong = yield* Redis.incr(key("profile")).pipe(
    Effect.catchTag("ReplyError", (error) => Effect.succeed(`ReplyError ${error.code}`))
  )
  yield* Console.log(`INCR profile -> ${wrong}`)

  yield* Redis.del([key("user:1"), key("hits"), key("profile")])
  return { name: Option.getOrNull(name), hits: count }
})

if (import.meta.main) program.pipe(Effect.provide(clientFromEnv()), NodeRuntime.runMain)
