/**
 * `npm run demo`: starts a throwaway local Redis Cluster (3 primaries, 1 replica each) from redis-server child
 * processes, runs examples/quickstart.ts against it, and stops every process it started, also on failure or Ctrl-C
 * (the scope closes on interruption, and the test kit kills its children if the process dies anyway).
 * The quickstart program is written against the generic `RedisClient`; the demo provides the cluster layer.
 */
import { NodeRuntime } from "@effect/platform-node"
import { RedisCluster } from "@effect-redis/cluster"
import { LocalCluster } from "@effect-redis/testkit"
import { Console, Effect } from "effect"
import { program } from "../examples/quickstart.ts"

const demo = Effect.gen(function*() {
  yield* Console.log("[demo] starting a local cluster: 3 primaries + 3 replicas on free loopback ports...")
  const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1 })
  yield* Console.log(`[demo] cluster ready in ${cluster.formationMs} ms: ${cluster.url}`)
  for (const shard of yield* cluster.shards) {
    const ranges = shard.slots.map((range) => `${range.start}-${range.end}`).join(",")
    const replicas = shard.replicas.map((replica) => `${replica.host}:${replica.port}`).join(", ")
    yield* Console.log(`[demo]   primary ${shard.primary.host}:${shard.primary.port} slots ${ranges}; replica ${replicas}`)
  }
  const owner = yield* cluster.nodeForKey("{quickstart}")
  const slot = yield* cluster.keySlot("{quickstart}")
  yield* Console.log(`[demo] keys tagged {quickstart} hash to slot ${slot}, owned by ${owner.host}:${owner.port}`)
  yield* Console.log("[demo] running examples/quickstart.ts on RedisCluster.layer({ startupNodes }):")
  const result = yield* program.pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  yield* Console.log(`[demo] quickstart returned ${JSON.stringify(result)}`)
  yield* Console.log("[demo] stopping the cluster")
})

Effect.scoped(demo).pipe(
  Effect.tap(() => Console.log("[demo] done: every process started by the demo has been stopped")),
  NodeRuntime.runMain
)
