/**
 * Refused credentials are `AuthenticationError`s, on a password-protected standalone server and cluster of their
 * own: wrong password, unknown user, no password (NOAUTH), a user not allowed a handshake step or the cluster's
 * discovery (NOPERM), a password changed under a running client, and a cluster node that refuses a user the others
 * accept. The message names the user, never the password, and the cluster never retries them as network failures.
 */
import { assert, describe, it } from "@effect/vitest"
import { AuthenticationError, Redis, RedisNode } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { LocalCluster, LocalServer } from "@effect-redis/testkit"
import { Effect, Layer, Option, Redacted, Schedule } from "effect"

const expectRefused = (error: unknown, expected: { readonly username: string; readonly code: string; readonly step?: string }): AuthenticationError => {
  assert.instanceOf(error, AuthenticationError, `expected an AuthenticationError, got ${String(error)}`)
  const typed = error as AuthenticationError
  assert.strictEqual(typed.username, expected.username)
  assert.strictEqual(typed.code, expected.code)
  if (expected.step !== undefined) assert.strictEqual(typed.step, expected.step)
  assert.include(typed.message, `"${expected.username}"`)
  return typed
}

const users = [
  { name: "app", password: "app-secret", rules: "~* &* +@all" },
  // May read and PING, nothing else: not CLIENT SETNAME, SELECT or READONLY.
  { name: "limited", password: "limited-secret", rules: "~* -@all +get +ping" }
]

describe("standalone server with a password", () => {
  it.live("wrong password, unknown user, no password, a forbidden handshake step: AuthenticationError with the user", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.make({ password: "default-secret", users })
      const address = `${server.host}:${server.port}`
      const build = (options: RedisNode.RedisNodeOptions) => Effect.flip(Layer.build(RedisNode.layer({ host: server.host, port: server.port, ...options })))
      for (const protocol of [3, 2] as const) {
        const step = protocol === 3 ? "HELLO" : "AUTH"
        const wrong = expectRefused(
          yield* build({ protocol, username: "app", password: Redacted.make("not-the-app-secret") }),
          { username: "app", code: "WRONGPASS", step }
        )
        assert.strictEqual(wrong.address, address)
        assert.notInclude(wrong.message, "not-the-app-secret")
        expectRefused(yield* build({ protocol, username: "ghost", password: Redacted.make("x") }), { username: "ghost", code: "WRONGPASS", step })
        expectRefused(yield* build({ protocol, password: Redacted.make("not-the-default-secret") }), { username: "default", code: "WRONGPASS", step })
      }
      // HELLO without credentials on a protected server.
      expectRefused(yield* build({}), { username: "default", code: "NOAUTH", step: "HELLO" })
      // Authenticated, but not allowed a step of the handshake.
      const limited = { username: "limited", password: Redacted.make("limited-secret") }
      expectRefused(yield* build({ ...limited, protocol: 2, clientName: "worker" }), { username: "limited", code: "NOPERM", step: "CLIENT SETNAME" })
      expectRefused(yield* build({ ...limited, database: 1 }), { username: "limited", code: "NOPERM", step: "SELECT" })
      // The same user without the forbidden step works.
      assert.strictEqual(yield* Redis.ping().pipe(Effect.provide(RedisNode.layer({ host: server.host, port: server.port, ...limited }))), "PONG")
    }))

  it.live("a password changed under a running client: the reconnect fails with AuthenticationError, at once", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.make({ password: "default-secret", users })
      const client = yield* RedisNode.make({ host: server.host, port: server.port, username: "app", password: Redacted.make("app-secret") })
      assert.strictEqual(yield* client.run(Redis.ping()), "PONG")
      yield* server.command(["ACL", "SETUSER", "app", "resetpass", ">rotated-secret"])
      yield* server.command(["CLIENT", "KILL", "USER", "app"])
      // Let the client see its connection close before the next command.
      yield* Effect.sleep("100 millis")
      const started = Date.now()
      const error = expectRefused(yield* Effect.flip(client.run(Redis.get("k"))), { username: "app", code: "WRONGPASS" })
      assert.isBelow(Date.now() - started, 1_000)
      assert.notInclude(error.message, "app-secret")
    }))
})

describe("cluster with a password", () => {
  it.live("startup nodes that refuse the credentials fail the layer with AuthenticationError, not TopologyError; refused nodes are never retried", () =>
    Effect.gen(function*() {
      const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0, password: "cluster-secret", users })
      const startupNodes = cluster.startupNodes
      const build = (options: Omit<Parameters<typeof RedisCluster.layer>[0], "startupNodes">) =>
        Effect.flip(Layer.build(RedisCluster.layer({ startupNodes, connectTimeout: "2 seconds", ...options })))
      for (const protocol of [3, 2] as const) {
        const wrong = expectRefused(yield* build({ protocol, password: Redacted.make("not-the-cluster-secret") }), { username: "default", code: "WRONGPASS" })
        assert.notInclude(wrong.message, "not-the-cluster-secret")
        assert.include(startupNodes.map((node) => `${node.host}:${node.port}`), wrong.address)
        expectRefused(yield* build({ protocol, username: "app", password: Redacted.make("nope") }), { username: "app", code: "WRONGPASS" })
      }
      expectRefused(yield* build({}), { username: "default", code: "NOAUTH", step: "HELLO" })
      // RESP2 without credentials sends no handshake command: the discovery itself is refused.
      expectRefused(yield* build({ protocol: 2 }), { username: "default", code: "NOAUTH", step: "CLUSTER SHARDS" })
      // A user that may not run CLUSTER SHARDS cannot discover the cluster.
      expectRefused(
        yield* build({ username: "limited", password: Redacted.make("limited-secret") }),
        { username: "limited", code: "NOPERM", step: "CLUSTER SHARDS" }
      )

      // One primary no longer knows the user: discovery through another node succeeds, and a command for that
      // primary's slots fails with AuthenticationError at once, without a single connection retry.
      const [keep, strip] = (yield* cluster.shards).map((shard) => shard.primary)
      yield* cluster.command(strip!, ["ACL", "DELUSER", "app"])
      let retries = 0
      const counting = Schedule.spaced("20 millis").pipe(Schedule.upTo({ times: 20 }), Schedule.tap(() => Effect.sync(() => retries++)))
      yield* Effect.gen(function*() {
        const snapshot = yield* RedisCluster.topology
        const keyOn = (port: number) => {
          for (let i = 0; ; i++) {
            const key = `auth:${i}`
            if (snapshot.shardForSlot(keySlot(key))!.primary.port === port) return key
          }
        }
        assert.isTrue(yield* Redis.set(keyOn(keep!.port), "fine"))
        const started = Date.now()
        const error = expectRefused(yield* Effect.flip(Redis.set(keyOn(strip!.port), "refused")), { username: "app", code: "WRONGPASS" })
        assert.strictEqual(error.address, `${strip!.host}:${strip!.port}`)
        assert.strictEqual(retries, 0)
        assert.isBelow(Date.now() - started, 1_000)
        // The refusal is reported again on the next command (nothing cached, nothing retried), and other slots work.
        expectRefused(yield* Effect.flip(Redis.get(keyOn(strip!.port))), { username: "app", code: "WRONGPASS" })
        assert.strictEqual(retries, 0)
        assert.deepStrictEqual(yield* Redis.get(keyOn(keep!.port)), Option.some("fine"))
      }).pipe(Effect.provide(RedisCluster.layer({
        startupNodes: [keep!],
        username: "app",
        password: Redacted.make("app-secret"),
        retry: { connection: counting }
      })))
    }), 90_000)
})
