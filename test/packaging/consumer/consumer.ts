// A TypeScript consumer of the packed packages, type-checked (tsc --noEmit, strict) under moduleResolution nodenext
// and bundler: typed replies, an error tag in catchTag, a subpath import, and a deep import that must not resolve.
import { type ConnectionError, Redis, RedisClient, type RedisError, RedisNode } from "@effect-redis/client"
import { makeCommand } from "@effect-redis/client/Command"
import { RedisCluster } from "@effect-redis/cluster"
import { ClusterTopology } from "@effect-redis/cluster/ClusterTopology"
import { LocalCluster } from "@effect-redis/testkit"
import { Effect, Layer, Option } from "effect"

// @ts-expect-error internal modules are not part of the package's exports
import type {} from "@effect-redis/cluster/internal/routing/ClusterExecutor"

export const program: Effect.Effect<string, RedisError, RedisClient> = Effect.gen(function*() {
  const name: Option.Option<string> = yield* Redis.get("user:1")
  const [n, value] = yield* RedisClient.pipeline([Redis.incr("hits"), Redis.get("user:1")])
  const total: number = n
  const many: ReadonlyArray<Option.Option<string>> = yield* Redis.mget(["a", "b"])
  return `${Option.getOrElse(name, () => "?")} ${total} ${Option.getOrNull(value)} ${many.length}`
}).pipe(Effect.catchTag("ReplyError", (error) => Effect.succeed(`server said ${error.code}`)))

export const recovered = program.pipe(
  Effect.catchTag("ConnectionError", (error: ConnectionError) => Effect.succeed(`lost ${error.address}`))
)

export const onCluster: Layer.Layer<RedisClient | RedisCluster, unknown> = RedisCluster.layer({
  startupNodes: [{ host: "127.0.0.1", port: 7000 }]
})
export const onNode: Layer.Layer<RedisClient, unknown> = RedisNode.layer({ url: "redis://127.0.0.1:6379" })
export const staticTopology = ClusterTopology.layerStatic({ shards: [{ primary: "127.0.0.1:7000", slots: [[0, 16383]] }] })
export const localCluster = LocalCluster.make
export const custom = makeCommand
