import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { readFileSync } from "node:fs"
import { AuthenticationError, Redis, RedisNode } from "@effect-redis/client"
import { NodeConnection } from "@effect-redis/client/Connection"
import { LocalServer } from "@effect-redis/testkit"

// Each test starts its own server: these configure or break the server in ways the shared one must not see.

describe("handshake and connection options against real servers", () => {
  it.live("ACL user with password via HELLO 3 AUTH, client name and database, over RESP3 and RESP2", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.make({
        password: "default-secret",
        users: [{ name: "app", password: "app-secret", rules: "~* &* +@all" }]
      })
      for (const protocol of [3, 2] as const) {
        const name = yield* Effect.provide(
          Effect.gen(function*() {
            yield* Redis.set("acl:k", "v")
            assert.strictEqual(yield* Redis.call(["ACL", "WHOAMI"]), "app")
            assert.strictEqual(yield* Redis.call(["CLIENT", "INFO"]).pipe(Effect.map((info) => /db=(\d+)/.exec(String(info))?.[1])), "3")
            return yield* Redis.call(["CLIENT", "GETNAME"])
          }),
          RedisNode.layer({
            host: server.host, port: server.port, protocol, database: 3,
            username: "app", password: Redacted.make("app-secret"), clientName: `effect-redis-${protocol}`
          })
        )
        assert.strictEqual(name, `effect-redis-${protocol}`)
      }
      // The default user via requirepass and a URL with the password.
      const viaUrl = yield* Effect.provide(Redis.get("acl:k"), RedisNode.layer({ url: `redis://:default-secret@${server.host}:${server.port}/3` }))
      assert.deepStrictEqual(viaUrl, Option.some("v"))
    }))

  it.live("a wrong password fails the layer with an AuthenticationError naming the user, quoting the server", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.make({ password: "right-secret" })
      for (const protocol of [3, 2] as const) {
        const error = yield* Effect.flip(Effect.provide(
          Redis.ping(),
          RedisNode.layer({ host: server.host, port: server.port, protocol, password: Redacted.make("wrong-secret") })
        ))
        assert.instanceOf(error, AuthenticationError)
        if (!(error instanceof AuthenticationError)) return
        assert.strictEqual(error.code, "WRONGPASS")
        assert.strictEqual(error.username, "default")
        assert.strictEqual(error.step, protocol === 3 ? "HELLO" : "AUTH")
        assert.strictEqual(error.address, `${server.host}:${server.port}`)
        assert.notInclude(error.message, "wrong-secret")
      }
      // No password at all: HELLO is refused with NOAUTH.
      const noAuth = yield* Effect.flip(Effect.provide(Redis.ping(), RedisNode.layer({ host: server.host, port: server.port })))
      assert.instanceOf(noAuth, AuthenticationError)
      if (noAuth instanceof AuthenticationError) assert.strictEqual(noAuth.code, "NOAUTH")
    }))

  it.live("falls back to RESP2 when the server does not know HELLO", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.make({ password: "pw", extraConfig: ['rename-command HELLO ""'] })
      const conn = yield* NodeConnection.connect(server, { password: Redacted.make("pw"), clientName: "old-server" })
      assert.strictEqual(conn.protocol, 2)
      assert.strictEqual(yield* conn.request(["CLIENT", "GETNAME"]), "old-server")
      yield* conn.close()
      const profile = yield* Effect.provide(
        Effect.gen(function*() {
          yield* Redis.hset("h", { a: 1, b: 2 })
          return yield* Redis.hgetall("h")
        }),
        RedisNode.layer({ host: server.host, port: server.port, password: Redacted.make("pw") })
      )
      assert.deepStrictEqual({ ...profile }, { a: "1", b: "2" })
    }))

  it.live("TLS, with the server's CA", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.make({ tls: true })
      const ca = readFileSync(server.tls!.caFile)
      const value = yield* Effect.provide(
        Effect.gen(function*() {
          yield* Redis.set("tls:k", "secure")
          return yield* Redis.get("tls:k")
        }),
        RedisNode.layer({ host: server.host, port: server.port, tls: { ca } })
      )
      assert.deepStrictEqual(value, Option.some("secure"))
      // Without trusting the CA the handshake fails with a typed error, not a hang.
      const untrusted = yield* Effect.flip(Effect.provide(Redis.ping(), RedisNode.layer({ host: server.host, port: server.port, tls: true })))
      assert.strictEqual(untrusted._tag, "ConnectionError")
    }))

  it.live("a paused server times commands out; after resume the same client works again", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.make()
      const client = yield* RedisNode.make({ host: server.host, port: server.port, commandTimeout: "300 millis" })
      yield* client.run(Redis.set("p", "1"))
      yield* server.process.pause()
      const error = yield* Effect.flip(client.run(Redis.get("p")))
      assert.strictEqual(error._tag, "TimeoutError")
      if (error._tag === "TimeoutError") {
        assert.strictEqual(error.command, "GET")
        assert.isTrue(error.written)
      }
      yield* server.process.resume()
      // The late GET reply is dropped; the next command gets its own reply.
      assert.strictEqual(yield* client.run(Redis.incr("p")), 2)
      assert.deepStrictEqual(yield* client.run(Redis.get("p")), Option.some("2"))
    }))

  it.live("a restarted server: the client reconnects on the next command", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.make()
      const client = yield* RedisNode.make({ host: server.host, port: server.port })
      yield* client.run(Redis.set("r", "1"))
      yield* server.process.restart()
      assert.strictEqual(yield* client.run(Redis.ping()), "PONG")
      yield* server.process.kill()
      const down = yield* Effect.flip(client.run(Redis.ping()))
      assert.strictEqual(down._tag, "ConnectionError")
    }))
})
