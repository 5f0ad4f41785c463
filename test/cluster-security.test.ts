/**
 * Clusters that need more than an address: TLS only (no plain port) with an ACL user, and nodes that announce
 * hostnames this machine cannot resolve, reached through `addressRemap` (NAT, Docker).
 */
import { assert, it } from "@effect/vitest"
import { AuthenticationError, Redis } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { LocalCluster } from "@effect-redis/testkit"
import { Config, ConfigProvider, Effect, Layer, Option, Redacted, Schedule } from "effect"
import { readFileSync } from "node:fs"

it.live("TLS-only cluster with an ACL user: discovery uses the TLS ports, every node is opened with TLS and AUTH", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({
      primaries: 3,
      replicasPerPrimary: 1,
      tls: true,
      users: [{ name: "app", password: "app-secret", rules: "~* &* +@all" }]
    })
    const ca = readFileSync(cluster.tls!.caFile)
    const keys = Array.from({ length: 100 }, (_, i) => `tls:${i}`)
    const program = Effect.gen(function*() {
      yield* Effect.forEach(keys, (key) => Redis.set(key, key), { concurrency: 20, discard: true })
      const values = yield* Effect.forEach(keys, (key) => Redis.get(key), { concurrency: 20 })
      assert.deepStrictEqual(values, keys.map(Option.some))
      assert.strictEqual(yield* Redis.call(["ACL", "WHOAMI"]), "app")
      const snapshot = yield* RedisCluster.topology
      assert.strictEqual(snapshot.nodes.size, 6)
      // Replica reads go over TLS too.
      for (const key of keys.slice(0, 10)) assert.deepStrictEqual(yield* Redis.get(key), Option.some(key))
    })
    // Options given directly, and the same through Config with the password as a Redacted secret.
    yield* program.pipe(Effect.provide(RedisCluster.layer({
      url: cluster.url,
      tls: { ca },
      username: "app",
      password: Redacted.make("app-secret"),
      readFrom: "preferReplica"
    })))
    assert.isTrue(cluster.url.startsWith("rediss://"))
    yield* program.pipe(Effect.provide(
      RedisCluster.layerConfig({
        url: Config.String("REDIS_CLUSTER_URL"),
        username: Config.String("REDIS_USERNAME"),
        password: Config.Redacted("REDIS_PASSWORD"),
        tls: Config.succeed({ ca })
      }).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({
        REDIS_CLUSTER_URL: cluster.url,
        REDIS_USERNAME: "app",
        REDIS_PASSWORD: "app-secret"
      }))))
    ))
    // A wrong password fails the layer with an AuthenticationError naming the user (not a TopologyError, not a hang).
    const error = yield* Effect.flip(Layer.build(RedisCluster.layer({
      url: cluster.url,
      tls: { ca },
      username: "app",
      password: Redacted.make("wrong-secret")
    })))
    assert.instanceOf(error, AuthenticationError)
    if (!(error instanceof AuthenticationError)) return
    assert.strictEqual(error.code, "WRONGPASS")
    assert.strictEqual(error.username, "app")
    assert.include(error.message, "\"app\"")
    assert.notInclude(error.message, "wrong-secret")
  }), 90_000)

it.live("nodes announced by hostnames are reached through addressRemap", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({
      primaries: 3,
      replicasPerPrimary: 0,
      announceHostname: (index) => `node-${index}.cluster.invalid`
    })
    const remap = ({ host, port }: { readonly host: string; readonly port: number }) =>
      host.endsWith(".cluster.invalid") ? { host: "127.0.0.1", port } : { host, port }
    yield* Effect.gen(function*() {
      const keys = Array.from({ length: 60 }, (_, i) => `remap:${i}`)
      yield* Effect.forEach(keys, (key) => Redis.set(key, "v"), { discard: true })
      const snapshot = yield* RedisCluster.topology
      for (const node of snapshot.nodes.values()) assert.strictEqual(node.host, "127.0.0.1")
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes, addressRemap: remap })))
    // Without the remap the announced names are used, and cannot be reached: a typed error, not a hang.
    yield* Effect.gen(function*() {
      const snapshot = yield* RedisCluster.topology
      assert.isTrue([...snapshot.nodes.values()].every((node) => node.host.endsWith(".cluster.invalid")))
      const error = yield* Effect.flip(Redis.get("remap:0"))
      assert.strictEqual(error._tag, "ConnectionError")
    }).pipe(Effect.provide(RedisCluster.layer({
      startupNodes: cluster.startupNodes,
      retry: { connection: Schedule.spaced("10 millis").pipe(Schedule.upTo({ times: 2 })) }
    })))
  }), 90_000)
