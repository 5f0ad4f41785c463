/**
 * The scripted transport keeps the `NodeTransport` contract the cluster client relies on: asynchronous replies in
 * FIFO order per connection, each waiter completed exactly once, failures with the right `written` flag.
 */
import { assert, describe, it } from "@effect/vitest"
import type { RespValue } from "@effect-redis/client"
import type { ConnectionFailure, ReplyWaiter } from "@effect-redis/client/Connection"
import { Effect, Exit } from "effect"
import { ScriptedTransport } from "../src/ScriptedTransport.ts"

type Outcome = { readonly reply: RespValue } | { readonly failure: ConnectionFailure }

/** A waiter that records every call, to check each one is called exactly once. */
const recorder = (command: string) => {
  const outcomes: Array<Outcome> = []
  const waiter: ReplyWaiter = {
    command,
    binary: false,
    deadline: Infinity,
    timeoutMs: 1000,
    onReply: (reply) => {
      outcomes.push({ reply })
    },
    onFailure: (failure) => {
      outcomes.push({ failure })
    }
  }
  return { waiter, outcomes }
}

const node = { host: "127.0.0.1", port: 7000 }

describe("ScriptedTransport", () => {
  it.effect("delivers replies asynchronously, in order, once each, and logs every command", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((r) => `${r.args.join(" ")}#${r.seq}`)
      const conn = yield* transport.transport.connect(node, { readOnly: true })
      const waiters = ["a", "b", "c"].map(() => recorder("GET"))
      const order: Array<string> = []
      for (const [i, key] of ["a", "b", "c"].entries()) {
        const w = waiters[i]!
        const original = w.waiter.onReply
        assert.isUndefined(conn.enqueue(["GET", key, 1, 2n, new TextEncoder().encode("x")], { ...w.waiter, onReply: (reply) => {
          order.push(key)
          original(reply)
        } }))
      }
      assert.strictEqual(conn.inFlight, 3)
      assert.deepStrictEqual(order, [], "nothing is answered inside enqueue")
      yield* transport.settle
      assert.deepStrictEqual(order, ["a", "b", "c"])
      assert.deepStrictEqual(waiters.map((w) => w.outcomes), [
        [{ reply: "GET a 1 2 x#0" }],
        [{ reply: "GET b 1 2 x#1" }],
        [{ reply: "GET c 1 2 x#2" }]
      ])
      assert.strictEqual(conn.inFlight, 0)
      assert.deepStrictEqual(transport.requests.map((r) => [r.address, r.connection, r.readOnly]), [
        ["127.0.0.1:7000", 1, true],
        ["127.0.0.1:7000", 1, true],
        ["127.0.0.1:7000", 1, true]
      ])
      assert.deepStrictEqual(transport.connects, [{ address: "127.0.0.1:7000", readOnly: true, refused: false, connection: 1 }])
    }))

  it.effect("answers ASKING itself and flags the next command", () =>
    Effect.gen(function*() {
      const seen: Array<[string, boolean]> = []
      const transport = ScriptedTransport.make((r) => {
        seen.push([r.args[0]!, r.asking])
        return "ok"
      })
      const conn = yield* transport.transport.connect(node, { readOnly: false })
      const asking = recorder("ASKING")
      conn.enqueue(["ASKING"], asking.waiter)
      conn.enqueue(["GET", "k"], recorder("GET").waiter)
      conn.enqueue(["GET", "k"], recorder("GET").waiter)
      yield* transport.settle
      assert.deepStrictEqual(asking.outcomes, [{ reply: "OK" }])
      assert.deepStrictEqual(seen, [["GET", true], ["GET", false]])
      assert.deepStrictEqual(transport.requests.map((r) => r.args[0]), ["ASKING", "GET", "GET"])
    }))

  it.effect("refuses arguments it cannot encode, queueing nothing", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => "ok")
      const conn = yield* transport.transport.connect(node, { readOnly: false })
      const w = recorder("SET")
      const invalid = conn.enqueue(["SET", "k", undefined as never], w.waiter)
      assert.strictEqual(invalid?.index, 2)
      yield* transport.settle
      assert.deepStrictEqual(w.outcomes, [])
      assert.strictEqual(transport.requests.length, 0)
    }))

  it.effect("a drop fails every command in flight with its written flag and tells onClose listeners once", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((r) => (r.args[1] === "boom" ? ScriptedTransport.drop({ written: false, reason: "reset" }) : "ok"))
      const conn = yield* transport.transport.connect(node, { readOnly: false })
      const closed: Array<string> = []
      conn.onClose((reason) => closed.push(reason))
      const [first, boom, after] = [recorder("GET"), recorder("GET"), recorder("GET")]
      conn.enqueue(["GET", "a"], first.waiter)
      conn.enqueue(["GET", "boom"], boom.waiter)
      conn.enqueue(["GET", "c"], after.waiter)
      yield* transport.settle
      assert.deepStrictEqual(first.outcomes, [{ reply: "ok" }])
      for (const w of [boom, after]) {
        assert.strictEqual(w.outcomes.length, 1)
        const outcome = w.outcomes[0]!
        assert.isTrue("failure" in outcome && outcome.failure._tag === "ConnectionError" && !outcome.failure.written)
      }
      assert.deepStrictEqual(closed, ["reset"])
      assert.isTrue(conn.isClosed)
      assert.isFalse(conn.isReady)
      // Later commands fail at once, not written.
      const late = recorder("GET")
      conn.enqueue(["GET", "d"], late.waiter)
      assert.strictEqual(late.outcomes.length, 1)
      const outcome = late.outcomes[0]!
      assert.isTrue("failure" in outcome && outcome.failure._tag === "ConnectionError" && !outcome.failure.written)
      // A listener registered after the close hears at once.
      conn.onClose((reason) => closed.push(`late: ${reason}`))
      assert.deepStrictEqual(closed, ["reset", "late: connection closed"])
    }))

  it.effect("drop(address) fails parked commands as written; close waits for queued replies", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((r) => (r.args[1] === "never" ? ScriptedTransport.noReply : "ok"))
      const conn = yield* transport.transport.connect(node, { readOnly: false })
      const parked = recorder("GET")
      conn.enqueue(["GET", "never"], parked.waiter)
      yield* transport.settle
      assert.deepStrictEqual(parked.outcomes, [])
      assert.strictEqual(conn.inFlight, 1)
      assert.strictEqual(transport.openConnections(), 1)
      assert.strictEqual(transport.drop("127.0.0.1:7000"), 1)
      const outcome = parked.outcomes[0]!
      assert.isTrue("failure" in outcome && outcome.failure._tag === "ConnectionError" && outcome.failure.written)
      assert.strictEqual(transport.openConnections(), 0)

      const second = yield* transport.transport.connect(node, { readOnly: false })
      const queued = recorder("GET")
      second.enqueue(["GET", "x"], queued.waiter)
      yield* second.close()
      assert.deepStrictEqual(queued.outcomes, [{ reply: "ok" }])
      assert.isTrue(second.isClosed)
      assert.strictEqual(transport.connectCount(), 2)
    }))

  it.effect("refuse and allow control connection attempts; timeout fails one command", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => ScriptedTransport.timeout({ written: true }))
      transport.refuse("127.0.0.1:7000")
      const refused = yield* Effect.exit(transport.transport.connect(node, { readOnly: false }))
      assert.isTrue(Exit.isFailure(refused))
      transport.allow("127.0.0.1:7000")
      const conn = yield* transport.transport.connect(node, { readOnly: false })
      const w = recorder("GET")
      conn.enqueue(["GET", "k"], w.waiter)
      yield* transport.settle
      const outcome = w.outcomes[0]!
      assert.isTrue("failure" in outcome && outcome.failure._tag === "TimeoutError" && outcome.failure.written)
      assert.isTrue(conn.isReady, "a timeout leaves the connection usable")
      assert.deepStrictEqual(transport.connects.map((c) => [c.refused, c.connection]), [[true, 0], [false, 1]])
      assert.strictEqual(transport.connectCount(), 1)
    }))

  it.effect("a script that throws fails the command with a ProtocolError", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => {
        throw new Error("no rule for this")
      })
      const conn = yield* transport.transport.connect(node, { readOnly: false })
      const w = recorder("GET")
      conn.enqueue(["GET", "k"], w.waiter)
      yield* transport.settle
      const outcome = w.outcomes[0]!
      assert.isTrue("failure" in outcome && outcome.failure._tag === "ProtocolError" && outcome.failure.message.includes("no rule for this"))
    }))
})
