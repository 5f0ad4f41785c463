/**
 * Transactions and WATCH bodies on the cluster client, over a static topology and the testkit's scripted
 * transport: what goes on the wire (MULTI ... EXEC on one connection, ASKING before MULTI, a whole transaction sent
 * again after a redirect), and what is never sent again (a transaction whose EXEC was written). The same behaviours
 * are checked against real servers in test/transactions.test.ts and test/cluster-transactions.test.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RedisClient, RespErrorReply } from "@effect-redis/client"
import { ClusterTopology, keySlot } from "@effect-redis/cluster"
import { type ScriptedRequest, ScriptedTransport } from "@effect-redis/testkit"
import { Effect, Fiber, Option, Result, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { A, B, clusterLayer, expectTag, ownerOf, replicaOf } from "./support/scripted.ts"

const a = "{t}a", b = "{t}b"
const owner = ownerOf(a)
const other = owner === A ? B : A
const slot = keySlot(a)

/** A server that queues every command and answers EXEC with "1", "2"... (one per queued command: INCR and GET both decode it). */
const transactional = (onQueued: (request: ScriptedRequest) => unknown = () => "QUEUED") => {
  const queued = new Map<number, number>()
  return (request: ScriptedRequest) => {
    const name = request.args[0]!.toUpperCase()
    if (name === "MULTI") {
      queued.set(request.connection, 0)
      return "OK"
    }
    if (name === "EXEC") {
      const count = queued.get(request.connection) ?? 0
      queued.delete(request.connection)
      return Array.from({ length: count }, (_, i) => String(i + 1))
    }
    if (name === "WATCH" || name === "UNWATCH") return "OK"
    if (queued.has(request.connection)) {
      const reply = onQueued(request)
      if (reply === "QUEUED") queued.set(request.connection, queued.get(request.connection)! + 1)
      return reply as never
    }
    return name === "GET" ? "7" : "OK"
  }
}

const lines = (requests: ReadonlyArray<ScriptedRequest>) => requests.map((r) => r.args.join(" "))

describe("transactions", () => {
  it.effect("MULTI, the commands and EXEC go to the slot's primary back to back on one connection; values typed by position", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(transactional())
      const [x, y] = yield* RedisClient.transaction([Redis.incr(a), Redis.incr(b)]).pipe(Effect.provide(clusterLayer(transport)))
      assert.strictEqual(x, 1)
      assert.strictEqual(y, 2)
      assert.deepStrictEqual(lines(transport.requests), ["MULTI", `INCR ${a}`, `INCR ${b}`, "EXEC"])
      assert.isTrue(transport.requests.every((r) => r.address === owner && r.connection === transport.requests[0]!.connection))
    }))

  it.effect("a read-only transaction goes to the primary even with readFrom replica; keyless commands go with the keys' slot", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(transactional())
      yield* RedisClient.transaction([Redis.get(a), Redis.ping(), Redis.get(b)]).pipe(Effect.provide(clusterLayer(transport, { readFrom: "replica" })))
      assert.deepStrictEqual(new Set(transport.requests.map((r) => r.address)), new Set([owner]))
      assert.isFalse(transport.requests.some((r) => r.address === replicaOf(a)))
    }))

  it.effect("keys in several slots: CrossSlotError naming each key's slot, before anything is sent", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(transactional())
      const error = yield* Effect.flip(RedisClient.transaction([Redis.incr(a), Redis.incr("elsewhere")])).pipe(Effect.provide(clusterLayer(transport)))
      const crossSlot = expectTag(error, "CrossSlotError")
      assert.deepStrictEqual(crossSlot.slots, [slot, keySlot("elsewhere")])
      assert.deepStrictEqual(crossSlot.keys, [{ key: a, slot }, { key: "elsewhere", slot: keySlot("elsewhere") }])
      assert.include(crossSlot.message, `"elsewhere" -> ${keySlot("elsewhere")}`)
      assert.strictEqual(transport.requests.length, 0)
    }))

  it.effect("a command that fans out over the cluster (DBSIZE) is refused with its index, before anything is sent", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(transactional())
      const error = yield* Effect.flip(RedisClient.transaction([Redis.incr(a), Redis.dbsize()])).pipe(Effect.provide(clusterLayer(transport)))
      const refused = expectTag(error, "TransactionCommandError")
      assert.strictEqual(refused.index, 1)
      assert.isFalse(refused.executed)
      assert.strictEqual(refused.error._tag, "UnsupportedInClusterError")
      assert.strictEqual(transport.requests.length, 0)
    }))

  it.effect("MOVED on a queued command (EXECABORT): the whole transaction is sent again on the node named, and the slot map patched", () =>
    Effect.gen(function*() {
      const server = transactional()
      const transport = ScriptedTransport.make((request) => {
        if (request.address === owner && request.args[0] === "INCR" && request.args[1] === b) return new RespErrorReply(`MOVED ${slot} ${other}`)
        if (request.address === owner && request.args[0] === "EXEC") return new RespErrorReply("EXECABORT Transaction discarded because of previous errors.")
        return server(request)
      })
      yield* Effect.gen(function*() {
        const values = yield* RedisClient.transaction([Redis.incr(a), Redis.incr(b)])
        assert.deepStrictEqual(values, [1, 2])
        assert.deepStrictEqual(lines(transport.sent({ address: other })), ["MULTI", `INCR ${a}`, `INCR ${b}`, "EXEC"])
        assert.strictEqual((yield* ClusterTopology).current().shardForSlot(slot)!.primary.address, other)
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))

  it.effect("ASK on a queued command: ASKING goes before MULTI on the target (and not between the queued commands)", () =>
    Effect.gen(function*() {
      const server = transactional()
      const transport = ScriptedTransport.make((request) => {
        if (request.address === owner && request.args[0] === "INCR") return new RespErrorReply(`ASK ${slot} ${other}`)
        if (request.address === owner && request.args[0] === "EXEC") return new RespErrorReply("EXECABORT Transaction discarded because of previous errors.")
        return server(request)
      })
      yield* Effect.gen(function*() {
        assert.deepStrictEqual(yield* RedisClient.transaction([Redis.incr(a), Redis.incr(b)]), [1, 2])
        const onTarget = transport.sent({ address: other })
        assert.deepStrictEqual(lines(onTarget), ["ASKING", "MULTI", `INCR ${a}`, `INCR ${b}`, "EXEC"])
        assert.deepStrictEqual(onTarget.map((r) => r.asking), [false, true, false, false, false])
        // ASK leaves the slot map alone.
        assert.strictEqual((yield* ClusterTopology).current().shardForSlot(slot)!.primary.address, owner)
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))

  it.effect("TRYAGAIN on EXEC (keys split by a migration) retries the whole transaction on the tryAgain schedule", () =>
    Effect.gen(function*() {
      let execs = 0
      const server = transactional()
      const transport = ScriptedTransport.make((request) => {
        if (request.args[0] === "EXEC" && ++execs === 1) {
          server({ ...request, args: ["DISCARD"] })
          return new RespErrorReply("TRYAGAIN Multiple keys request during rehashing of slot")
        }
        return server(request)
      })
      const values = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(RedisClient.transaction([Redis.incr(a), Redis.incr(b)]))
        yield* transport.settle
        assert.strictEqual(transport.sent({ command: "EXEC" }).length, 1)
        yield* TestClock.adjust("10 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: { tryAgain: Schedule.spaced("10 millis").pipe(Schedule.upTo({ times: 3 })) } })))
      assert.deepStrictEqual(values, [1, 2])
      assert.strictEqual(transport.sent({ command: "MULTI" }).length, 2)
    }))

  it.effect("a redirect loop ends with RedirectionLimitError", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((request) =>
        request.args[0] === "INCR" ? new RespErrorReply(`MOVED ${slot} ${request.address === A ? B : A}`)
          : request.args[0] === "EXEC" ? new RespErrorReply("EXECABORT Transaction discarded because of previous errors.")
          : "OK")
      const error = yield* Effect.flip(RedisClient.transaction([Redis.incr(a)])).pipe(Effect.provide(clusterLayer(transport, { maxRedirections: 3 })))
      assert.strictEqual(expectTag(error, "RedirectionLimitError").history.length, 4)
    }))

  it.effect("a syntax error (EXECABORT) is the command's TransactionCommandError, executed: false, never sent again", () =>
    Effect.gen(function*() {
      const server = transactional((request) => request.args.length === 1 ? new RespErrorReply("ERR wrong number of arguments for 'incr' command") : "QUEUED")
      const transport = ScriptedTransport.make((request) =>
        request.args[0] === "EXEC" ? new RespErrorReply("EXECABORT Transaction discarded because of previous errors.") : server(request))
      const error = yield* Effect.flip(RedisClient.transaction([Redis.incr(a), Redis.call(["INCR"]), Redis.incr(b)])).pipe(Effect.provide(clusterLayer(transport)))
      const refused = expectTag(error, "TransactionCommandError")
      assert.strictEqual(refused.index, 1)
      assert.isFalse(refused.executed)
      assert.strictEqual(expectTag(refused.error, "ReplyError").code, "ERR")
      assert.strictEqual(transport.sent({ command: "MULTI" }).length, 1)
    }))

  it.effect("connection lost before EXEC was written: the transaction is sent again on a new connection", () =>
    Effect.gen(function*() {
      let execs = 0
      const server = transactional()
      const transport = ScriptedTransport.make((request) =>
        request.args[0] === "EXEC" && ++execs === 1 ? ScriptedTransport.drop({ written: false }) : server(request))
      const values = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(RedisClient.transaction([Redis.incr(a), Redis.incr(b)]))
        yield* transport.settle
        yield* TestClock.adjust("1 second")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport)))
      assert.deepStrictEqual(values, [1, 2])
      const [first, second] = transport.sent({ command: "EXEC" })
      assert.notStrictEqual(first!.connection, second!.connection)
    }))

  it.effect("connection lost after EXEC was written: ConnectionError written: true, not sent again (a read-only one is)", () =>
    Effect.gen(function*() {
      let execs = 0
      const server = transactional()
      const transport = ScriptedTransport.make((request) =>
        request.args[0] === "EXEC" && ++execs === 1 ? ScriptedTransport.drop({ written: true }) : server(request))
      yield* Effect.gen(function*() {
        const write = yield* Effect.forkChild(Effect.flip(RedisClient.transaction([Redis.incr(a), Redis.incr(b)])))
        yield* transport.settle
        yield* TestClock.adjust("1 minute")
        const error = expectTag(yield* Fiber.join(write), "ConnectionError")
        assert.isTrue(error.written)
        assert.strictEqual(error.command, "EXEC")
        assert.strictEqual(transport.sent({ command: "EXEC" }).length, 1)
        execs = 0
        const read = yield* Effect.forkChild(RedisClient.transaction([Redis.get(a), Redis.get(b)]))
        yield* transport.settle
        yield* TestClock.adjust("1 minute")
        assert.deepStrictEqual(yield* Fiber.join(read), [Option.some("1"), Option.some("2")])
        assert.strictEqual(transport.sent({ command: "EXEC" }).length, 3)
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))

  it.effect("a transaction is one element of a pipeline: its commands go out in its place, its Result is its own", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(transactional())
      const [before, tx, after] = yield* RedisClient.pipelineResults([
        Redis.get(a),
        RedisClient.transaction([Redis.incr(a), Redis.incr(b)]),
        RedisClient.transaction([Redis.incr(a), Redis.incr("elsewhere")])
      ]).pipe(Effect.provide(clusterLayer(transport)))
      assert.strictEqual(before!._tag, "Success")
      assert.deepStrictEqual(tx, Result.succeed([1, 2]) as never)
      assert.strictEqual(after!._tag === "Failure" && after!.failure._tag, "CrossSlotError")
      assert.deepStrictEqual(lines(transport.requests), [`GET ${a}`, "MULTI", `INCR ${a}`, `INCR ${b}`, "EXEC"])
    }))
})

describe("WATCH bodies", () => {
  it.effect("WATCH, the body's reads and the transaction go on one leased connection, never the shared one", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(transactional())
      const result = yield* Effect.gen(function*() {
        yield* Redis.get(a) // opens the shared connection
        return yield* RedisClient.watch([a, b], (tx) =>
          Effect.gen(function*() {
            const value = yield* tx.run(Redis.get(a))
            return { value, replies: yield* tx.exec([Redis.set(a, "8"), Redis.incr(b)]) }
          }))
      }).pipe(Effect.provide(clusterLayer(transport)))
      assert.deepStrictEqual(result.replies, [true, 2])
      const shared = transport.requests[0]!.connection
      const watched = transport.sent({ command: "WATCH" })[0]!.connection
      assert.notStrictEqual(watched, shared)
      assert.deepStrictEqual(lines(transport.requests.filter((r) => r.connection === watched)), [
        `WATCH ${a} ${b}`, `GET ${a}`, "MULTI", `SET ${a} 8`, `INCR ${b}`, "EXEC"
      ])
    }))

  it.effect("MOVED on WATCH is followed before the body runs; the body then runs on the new node", () =>
    Effect.gen(function*() {
      const server = transactional()
      const transport = ScriptedTransport.make((request) =>
        request.address === owner && request.args[0] === "WATCH" ? new RespErrorReply(`MOVED ${slot} ${other}`) : server(request))
      let bodies = 0
      yield* RedisClient.watch([a], (tx) => {
        bodies++
        return tx.exec([Redis.incr(a)])
      }).pipe(Effect.provide(clusterLayer(transport)))
      assert.strictEqual(bodies, 1)
      assert.deepStrictEqual(lines(transport.sent({ address: other })), [`WATCH ${a}`, "MULTI", `INCR ${a}`, "EXEC"])
    }))

  it.effect("ASK on WATCH: the session stays on the importing node, ASKING before WATCH, each command and MULTI", () =>
    Effect.gen(function*() {
      const server = transactional()
      const transport = ScriptedTransport.make((request) =>
        request.address === owner && request.args[0] === "WATCH" ? new RespErrorReply(`ASK ${slot} ${other}`) : server(request))
      yield* RedisClient.watch([a], (tx) => Effect.andThen(tx.run(Redis.get(a)), tx.exec([Redis.incr(a)]))).pipe(Effect.provide(clusterLayer(transport)))
      const onTarget = transport.sent({ address: other })
      assert.deepStrictEqual(lines(onTarget), ["ASKING", `WATCH ${a}`, "ASKING", `GET ${a}`, "ASKING", "MULTI", `INCR ${a}`, "EXEC"])
    }))

  it.effect("EXEC answering nil is a WatchConflictError (changed); the body's commands must stay in the watched slot", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((request) => request.args[0] === "EXEC" ? null : transactional()(request))
      yield* Effect.gen(function*() {
        const conflict = yield* Effect.flip(RedisClient.watch([a], (tx) => tx.exec([Redis.incr(a)])))
        assert.strictEqual(expectTag(conflict, "WatchConflictError").reason, "changed")
        const outside = yield* Effect.flip(RedisClient.watch([a], (tx) => tx.run(Redis.get("elsewhere"))))
        assert.strictEqual(expectTag(outside, "CrossSlotError").command, "GET")
        const crossWatch = yield* Effect.flip(RedisClient.watch([a, "elsewhere"], () => Effect.void))
        assert.strictEqual(expectTag(crossWatch, "CrossSlotError").command, "WATCH")
      }).pipe(Effect.provide(clusterLayer(transport)))
      assert.isFalse(transport.requests.some((r) => r.args.includes("elsewhere")))
    }))

  it.effect("a slot that moves while the body runs is a WatchConflictError (moved); the transaction is not sent elsewhere", () =>
    Effect.gen(function*() {
      const server = transactional((request) => request.args[0] === "INCR" ? new RespErrorReply(`MOVED ${slot} ${other}`) : "QUEUED")
      const transport = ScriptedTransport.make((request) =>
        request.args[0] === "EXEC" ? new RespErrorReply("EXECABORT Transaction discarded because of previous errors.") : server(request))
      const error = yield* Effect.flip(RedisClient.watch([a], (tx) => tx.exec([Redis.incr(a)]))).pipe(Effect.provide(clusterLayer(transport)))
      assert.strictEqual(expectTag(error, "WatchConflictError").reason, "moved")
      assert.strictEqual(transport.sent({ command: "MULTI" }).length, 1)
      assert.strictEqual(transport.sent({ address: other }).length, 0)
    }))

  it.effect("the WATCH connection lost before EXEC was written is a WatchConflictError (connectionLost): optimistic runs the body again", () =>
    Effect.gen(function*() {
      let execs = 0
      const server = transactional()
      const transport = ScriptedTransport.make((request) =>
        request.args[0] === "EXEC" && ++execs === 1 ? ScriptedTransport.drop({ written: false }) : server(request))
      let bodies = 0
      const fiber = yield* Effect.forkChild(
        RedisClient.optimistic([a], (tx) => {
          bodies++
          return tx.exec([Redis.incr(a)])
        }, { retry: Schedule.spaced("5 millis") }).pipe(Effect.provide(clusterLayer(transport)))
      )
      yield* transport.settle
      yield* TestClock.adjust("5 millis")
      yield* transport.settle
      assert.deepStrictEqual(yield* Fiber.join(fiber), [1])
      assert.strictEqual(bodies, 2)
      assert.strictEqual(transport.sent({ command: "WATCH" }).length, 2)
    }))
})
