// A plain JavaScript consumer of the packed packages (no TypeScript, no workspace): SET/GET, a pipeline and an MGET
// whose keys live on different nodes, against the cluster at REDIS_CLUSTER_URL. Prints one JSON line, exits 0.
import { Redis, RedisClient } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { Effect, Option } from "effect"

const program = Effect.gen(function*() {
  yield* Redis.set("consumer:user", "ada")
  const name = yield* Redis.get("consumer:user")
  const [count, again] = yield* RedisClient.pipeline([Redis.incr("consumer:hits"), Redis.get("consumer:user")])
  const keys = Array.from({ length: 20 }, (_, i) => `consumer:k${i}`)
  yield* Redis.mset(Object.fromEntries(keys.map((k, i) => [k, String(i)])))
  const values = yield* Redis.mget(keys)
  const slots = new Set(keys.map((k) => RedisCluster.keySlot(k))).size
  yield* Redis.del(["consumer:user", "consumer:hits", ...keys])
  return {
    name: Option.getOrNull(name),
    count,
    again: Option.getOrNull(again),
    mget: values.map((v) => Option.getOrNull(v)).join(","),
    slots
  }
})

const result = await Effect.runPromise(
  program.pipe(Effect.provide(RedisCluster.layerUrl(process.env.REDIS_CLUSTER_URL)))
)
console.log(JSON.stringify(result))
