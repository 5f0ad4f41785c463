/**
 * What a TCP reset does to commands a server has not read yet, checked on this platform (Linux) against a real
 * server: the client writes INCRs to a paused (SIGSTOP) server, closes its socket, and the server is resumed.
 *
 * Found: neither a reset (`socket.resetAndDestroy()`, SO_LINGER 0) nor a plain close discards them. The kernel keeps
 * the bytes it received readable after the reset, and the resumed server reads and executes every queued command
 * before it notices the peer is gone. So a client cannot take back what it wrote to a hung node by resetting the
 * connection: what it can do is stop writing there (commands wait unsent) and never report a late reply as a
 * success (the connection is reset, nothing is read from it afterwards; what was written fails as outcome unknown).
 * That is what the cluster client does (see NodeHealth.ts); this test pins the platform fact it is built on.
 */
import { assert, it } from "@effect/vitest"
import { LocalServer } from "@effect-redis/testkit"
import { Effect } from "effect"
import * as net from "node:net"

const QUEUED = 100

/** Opens a socket, waits for PING's reply, pauses the server, writes QUEUED INCRs, closes as `how`, resumes it. */
const queueThenClose = (server: LocalServer["Service"], key: string, how: "reset" | "close") =>
  Effect.gen(function*() {
    const socket = yield* Effect.callback<net.Socket, Error>((resume) => {
      const s = net.connect(server.port, server.host)
      s.once("error", (error) => resume(Effect.fail(error)))
      s.once("connect", () => {
        s.write("PING\r\n")
        s.once("data", () => resume(Effect.succeed(s)))
      })
    })
    socket.on("error", () => {})
    yield* server.process.pause()
    yield* Effect.sleep("50 millis")
    for (let i = 0; i < QUEUED; i++) socket.write(`INCR ${key}\r\n`)
    yield* Effect.sleep("100 millis")
    if (how === "reset") socket.resetAndDestroy()
    else socket.destroy()
    yield* Effect.sleep("100 millis")
    yield* server.process.resume()
    yield* Effect.sleep("200 millis")
    return Number(yield* server.command(["GET", key]))
  })

it.live("a paused server, resumed, still executes what was queued before the client reset (or closed) the connection", () =>
  Effect.gen(function*() {
    const server = yield* LocalServer.make()
    const afterReset = yield* queueThenClose(server, "after-reset", "reset")
    const afterClose = yield* queueThenClose(server, "after-close", "close")
    console.log(`[tcp reset, ${server.serverVersion.label}, ${process.platform}] executed after a reset: ${afterReset}/${QUEUED}, after a close: ${afterClose}/${QUEUED}`)
    assert.strictEqual(afterReset, QUEUED)
    assert.strictEqual(afterClose, QUEUED)
  }), 30_000)
