/**
 * Commands Redis 7.2 added and Valkey 8 inherited: WAITAOF and CLUSTER MYSHARDID, on the shared cluster and
 * standalone server under RESP2 and RESP3 (WAITAOF with numlocal also on a server of its own with appendonly on).
 * On Redis 7.0 they fail with `UnknownCommandError`.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis, RedisNode } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { LocalServer, serverVersion } from "@effect-redis/testkit"
import { Effect, Result } from "effect"
import { inject } from "vitest"
import { invalid } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("since-7.2")
const server = serverVersion()
const has72 = server.flavour === "valkey" || server.atLeast("redis", "7.2")

describe.each(targets)("Redis 7.2 additions on $name", ({ name, protocol, cluster, layer }) => {
  const k = keysOf(prefix, name)

  it.live.runIf(has72 && !cluster)("WAITAOF without numlocal: no local fsync asked, no replicas (Redis 7.2+, Valkey)", () =>
    Effect.gen(function*() {
      yield* Redis.set(k("waitaof"), "x")
      assert.deepStrictEqual(yield* Redis.waitaof(0, 0, 100), { local: 0, replicas: 0 })
    }).pipe(Effect.provide(layer)))

  it.live.runIf(has72 && !cluster)("WAITAOF with numlocal on a server with appendonly: the write was fsynced (Redis 7.2+, Valkey)", () =>
    Effect.gen(function*() {
      const own = yield* LocalServer.make({ appendOnly: true })
      yield* Effect.gen(function*() {
        yield* Redis.set(k("waitaof:aof"), "x")
        assert.deepStrictEqual(yield* Redis.waitaof(1, 0, 5_000), { local: 1, replicas: 0 })
      }).pipe(Effect.provide(RedisNode.layer({ url: own.url, protocol })))
    }).pipe(Effect.scoped))

  it.live.runIf(cluster)("WAITAOF is refused on a cluster before sending (it counts one connection's writes)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Redis.waitaof(0, 0, 100))
      assert.strictEqual(error._tag, "UnsupportedInClusterError")
    }).pipe(Effect.provide(layer)))

  it.live.runIf(has72 && cluster)("CLUSTER MYSHARDID: one id per shard, shared by its primary and replica (Redis 7.2+, Valkey)", () =>
    Effect.gen(function*() {
      const id = yield* Redis.clusterMyshardid()
      assert.match(id, /^[0-9a-f]{40}$/)
      const primaries = yield* RedisCluster.onNodes("primaries", Redis.clusterMyshardid())
      const all = yield* RedisCluster.onNodes("all", Redis.clusterMyshardid())
      const ids = (results: ReadonlyMap<string, Result.Result<string, unknown>>) => [...results.values()].map((r) => Result.getOrThrow(r))
      assert.strictEqual(new Set(ids(primaries)).size, 3)
      assert.strictEqual(all.size, 6)
      assert.deepStrictEqual(new Set(ids(all)), new Set(ids(primaries)))
      assert.include(ids(primaries), id)
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: inject("clusterNodes"), protocol }))))

  it.live.runIf(has72 && !cluster)("CLUSTER MYSHARDID without cluster mode is the server's error (Redis 7.2+, Valkey)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Redis.clusterMyshardid())
      assert.strictEqual(error._tag, "ReplyError")
    }).pipe(Effect.provide(layer)))

  it.live.runIf(!has72 && !cluster)(`WAITAOF and CLUSTER MYSHARDID fail with UnknownCommandError on ${server.label} (Redis 7.2+)`, () =>
    Effect.gen(function*() {
      const commands: ReadonlyArray<Command<unknown>> = [Redis.waitaof(0, 0, 100), Redis.clusterMyshardid()]
      for (const command of commands) {
        const error = yield* Effect.flip(command)
        assert.strictEqual(error._tag, "UnknownCommandError", command.toString())
        assert.strictEqual((error as { command?: string }).command, command.name)
      }
    }).pipe(Effect.provide(layer)))

  it.live.runIf(!has72 && cluster)(`CLUSTER MYSHARDID fails with UnknownCommandError on ${server.label} (Redis 7.2+)`, () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Redis.clusterMyshardid())
      assert.strictEqual(error._tag, "UnknownCommandError")
    }).pipe(Effect.provide(layer)))

  it.live("impossible WAITAOF arguments are refused before sending, on every server", () =>
    Effect.gen(function*() {
      yield* invalid(Redis.waitaof(2 as 1, 0, 100))
      yield* invalid(Redis.waitaof(0, -1, 100))
      yield* invalid(Redis.waitaof(0, 0, 0))
    }).pipe(Effect.provide(layer)))
})
