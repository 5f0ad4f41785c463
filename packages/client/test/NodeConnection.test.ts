import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import * as net from "node:net"
import { inject } from "vitest"
import { Redis, RedisNode, type RespValue } from "@effect-redis/client"
import { NodeConnection } from "@effect-redis/client/Connection"

const server = inject("standalone")

/**
 * A TCP server that speaks just enough RESP to pass the handshake (it refuses HELLO like a Redis 5, so the client
 * falls back to RESP2), then answers every later command with `reply(commandNumber)`. `undefined` means "never
 * answer". It stands in for a broken or stuck server: a real Redis cannot be made to send malformed bytes.
 */
const fakeServer = (reply: (n: number) => string | undefined) =>
  Effect.acquireRelease(
    Effect.callback<net.Server>((resume) => {
      const sockets = new Set<net.Socket>()
      const srv = net.createServer((socket) => {
        sockets.add(socket)
        let n = 0
        socket.on("data", (chunk) => {
          const text = chunk.toString("latin1")
          // Count commands by their array headers at line starts.
          const commands = text.split("\r\n").filter((line) => line.startsWith("*")).length
          for (let i = 0; i < commands; i++) {
            if (text.includes("HELLO") && n === 0) {
              socket.write("-ERR unknown command 'HELLO'\r\n")
              n++
              continue
            }
            const out = reply(n++)
            if (out !== undefined) socket.write(out)
          }
        })
        socket.on("close", () => sockets.delete(socket))
      })
      srv.listen(0, "127.0.0.1", () => resume(Effect.succeed(srv)))
      ;(srv as unknown as { destroyAll: () => void }).destroyAll = () => sockets.forEach((s) => s.destroy())
    }),
    (srv) => Effect.sync(() => {
      ;(srv as unknown as { destroyAll: () => void }).destroyAll()
      srv.close()
    })
  ).pipe(Effect.map((srv) => ({ host: "127.0.0.1", port: (srv.address() as net.AddressInfo).port })))

describe("NodeConnection", () => {
  it.live("a malformed reply fails the waiters with ProtocolError and closes the connection", () =>
    Effect.gen(function*() {
      const address = yield* fakeServer((n) => (n === 1 ? "+OK\r\n" : "?this is not resp\r\n"))
      const conn = yield* NodeConnection.connect(address)
      assert.strictEqual(conn.protocol, 2)
      assert.strictEqual(yield* conn.request(["PING"]), "OK")
      const [a, b] = yield* Effect.all([Effect.flip(conn.request(["GET", "a"])), Effect.flip(conn.request(["GET", "b"]))], {
        concurrency: "unbounded"
      })
      assert.strictEqual(a._tag, "ProtocolError")
      assert.strictEqual(b._tag, "ProtocolError")
      assert.isTrue(conn.isClosed)
    }))

  it.live("a reply that never comes fails with TimeoutError (written: true); the late reply is dropped", () =>
    Effect.gen(function*() {
      // Command 1 is answered late (after the timeout), command 2 at once: order must still hold.
      const address = yield* fakeServer((n) => (n === 1 ? undefined : n === 2 ? "$5\r\nlate!\r\n$3\r\nnew\r\n" : "+x\r\n"))
      const conn = yield* NodeConnection.connect(address, { commandTimeout: "150 millis" })
      const timedOut = yield* Effect.flip(conn.request(["GET", "slow"], Date.now() + 150))
      assert.strictEqual(timedOut._tag, "TimeoutError")
      if (timedOut._tag === "TimeoutError") assert.isTrue(timedOut.written)
      // The server now sends the late reply to GET slow, then the reply to this one: we must get "new".
      assert.strictEqual(yield* conn.request(["GET", "next"]), "new")
      yield* conn.close()
    }))

  it.live("a server that accepts but never answers the handshake times out the connect", () =>
    Effect.gen(function*() {
      const address = yield* Effect.acquireRelease(
        Effect.callback<net.Server>((resume) => {
          const srv = net.createServer(() => {})
          srv.listen(0, "127.0.0.1", () => resume(Effect.succeed(srv)))
        }),
        (srv) => Effect.sync(() => srv.close())
      ).pipe(Effect.map((srv) => ({ host: "127.0.0.1", port: (srv.address() as net.AddressInfo).port })))
      const started = Date.now()
      const error = yield* Effect.flip(NodeConnection.connect(address, { connectTimeout: "200 millis" }))
      assert.strictEqual(error._tag, "TimeoutError")
      assert.isBelow(Date.now() - started, 2_000)
    }))

  it.live("RESP3 push messages go to the push handler, replies to their waiters", () =>
    Effect.gen(function*() {
      const pushes: Array<ReadonlyArray<RespValue>> = []
      const conn = yield* NodeConnection.connect(server, { onPush: (push) => pushes.push(push) })
      assert.strictEqual(conn.protocol, 3)
      const key = `push-test:${process.pid}:${Date.now()}`
      assert.strictEqual(yield* conn.request(["CLIENT", "TRACKING", "ON"]), "OK")
      assert.strictEqual(yield* conn.request(["GET", key]), null)
      // Another client modifies the key: the server pushes an invalidation to us.
      yield* Effect.provide(Redis.set(key, "v"), RedisNode.layer(server))
      assert.strictEqual(yield* conn.request(["PING"]), "PONG")
      yield* Effect.sleep("50 millis")
      assert.isTrue(pushes.some((push) => push[0] === "invalidate"))
      yield* conn.close()
    }))

  it.live("oversized arguments are refused before anything is written", () =>
    Effect.gen(function*() {
      const result = yield* Effect.exit(Effect.provide(
        Redis.set("too-big", "x".repeat(2048)),
        RedisNode.layer({ ...server, maxBulkLength: 1024 })
      ))
      assert.isTrue(Exit.isFailure(result))
      if (Exit.isFailure(result)) assert.match(String(result.cause), /InvalidArgumentError/)
      const still = yield* Effect.provide(Redis.get("too-big"), RedisNode.layer(server))
      assert.deepStrictEqual(still, Option.none())
    }))
})
