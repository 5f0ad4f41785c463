/**
 * Transactions (MULTI ... EXEC) and WATCH bodies against the shared servers: the cluster and the standalone server,
 * each under RESP2 and RESP3 (test/support/targets.ts). Programs are written against `RedisClient` and run
 * unchanged on both; what only a cluster does (one slot per transaction, the primary whatever readFrom says) is
 * at the end. Failover and migration under a transaction load are in cluster-transactions.test.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RedisClient, RedisNode, type WatchTransaction } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { serverVersion } from "@effect-redis/testkit"
import { type ConnectionFailure, NodeConnection, runOnConnection } from "@effect-redis/client/Connection"
import { Deferred, Effect, Exit, Fiber, Layer, Option, Result, Schedule } from "effect"
import { inject } from "vitest"
import { keysOf, runPrefix, type Target, targets } from "./support/targets.ts"

type ClientInfo = Redis.ClientInfo

const prefix = runPrefix("transactions")
const server = serverVersion()
/** Redis 7.4+ and Valkey 8 list how many keys each client watches (`watch=` in CLIENT LIST); 7.0 does not. */
const listsWatchCount = server.flavour === "valkey" || server.atLeast("redis", "7.4")

/** The connections of this test's client (named `name`) on the node serving `key`, as that node lists them. */
const clientsNamed = (target: Target, name: string, key: string): Effect.Effect<ReadonlyArray<ClientInfo>, unknown, RedisClient> =>
  Effect.gen(function*() {
    let list: ReadonlyArray<ClientInfo>
    if (target.cluster) {
      // The cluster layer provides RedisCluster too (the target's type only promises RedisClient).
      const cluster = Option.getOrThrow(yield* Effect.serviceOption(RedisCluster))
      const snapshot = yield* cluster.topology
      list = yield* cluster.node(snapshot.shardForSlot(keySlot(key))!.primary.address).run(Redis.clientList())
    } else {
      list = yield* Redis.clientList()
    }
    return list.filter((client) => client.name === name)
  })

/** No connection of `name` is in MULTI, watches a key, or was flagged by a change to a key it watched. */
const assertNothingWatched = (clients: ReadonlyArray<ClientInfo>) => {
  for (const client of clients) {
    assert.notInclude(client.flags, "x", `connection ${client.id} is in MULTI: ${client.flags}`)
    assert.notInclude(client.flags, "d", `connection ${client.id} still watched a key that changed: ${client.flags}`)
    assert.isAtMost(client.multi, 0)
    if (listsWatchCount) assert.strictEqual(client.extra["watch"], "0", `connection ${client.id} watches keys`)
  }
}

/** Waits (up to 3 s) until `check` holds: a connection closed by the client leaves the server's list a moment later. */
const eventually = <A>(effect: Effect.Effect<A, unknown, RedisClient>, check: (a: A) => boolean) =>
  effect.pipe(
    Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: check }),
    Effect.timeout("3 seconds")
  )

/** The GET + SET increment of a counter under WATCH: a read, a decision, a write that only lands if nobody wrote. */
const incrementUnderWatch = (key: string) => (tx: WatchTransaction) =>
  Effect.gen(function*() {
    const current = Number(Option.getOrElse(yield* tx.run(Redis.get(key)), () => "0"))
    yield* tx.exec([Redis.set(key, String(current + 1))])
    return current + 1
  })

describe.each(targets)("transactions on $name", (target) => {
  const k = keysOf(prefix, target.name)
  const run = <A, E>(effect: Effect.Effect<A, E, RedisClient>) => effect.pipe(Effect.provide(target.layer))

  it.live("MULTI, the commands, EXEC: replies typed by position, bytes and text mixed", () =>
    run(Effect.gen(function*() {
      yield* Redis.del([k("n"), k("name"), k("h"), k("bytes")])
      yield* Redis.set(k("name"), "ada")
      yield* Redis.set(k("bytes"), new Uint8Array([0, 255, 1]))
      const [n, name, fields, all, raw, again] = yield* RedisClient.transaction([
        Redis.incr(k("n")),
        Redis.get(k("name")),
        Redis.hset(k("h"), { a: 1, b: "two" }),
        Redis.hgetall(k("h")),
        Redis.getBytes(k("bytes")),
        Redis.incrby(k("n"), 41)
      ])
      assert.strictEqual(n, 1)
      assert.deepStrictEqual(name, Option.some("ada"))
      assert.strictEqual(fields, 2)
      assert.deepStrictEqual({ ...all }, { a: "1", b: "two" })
      assert.deepStrictEqual(Option.map(raw, (bytes) => [...bytes]), Option.some([0, 255, 1]))
      assert.strictEqual(again, 42)
      // `yield*` of a transaction is the same as running it.
      assert.deepStrictEqual(yield* RedisClient.transaction([Redis.get(k("n"))]), [Option.some("42")])
    })))

  it.live("a syntax error: EXECABORT, the command's error with its index, nothing applied, the connection out of MULTI", () =>
    Effect.gen(function*() {
      const name = `${prefix}:abort:${target.name}`.replace(/[^a-zA-Z0-9:]/g, "")
      yield* Effect.gen(function*() {
        yield* Redis.del([k("a1"), k("a2")])
        const error = yield* Effect.flip(RedisClient.transaction([Redis.set(k("a1"), "x"), Redis.call(["INCR"]), Redis.set(k("a2"), "y")]))
        assert.strictEqual(error._tag, "TransactionCommandError")
        if (error._tag !== "TransactionCommandError") return
        assert.strictEqual(error.index, 1)
        assert.isFalse(error.executed)
        assert.strictEqual(error.error._tag === "ReplyError" && error.error.code, "ERR")
        assert.include(error.message, "wrong number of arguments")
        assert.strictEqual(yield* Redis.exists([k("a1"), k("a2")]), 0)
        // The shared connection left MULTI with EXECABORT: the next commands run (and are not queued).
        assert.isTrue(yield* Redis.set(k("a1"), "after"))
        assert.deepStrictEqual(yield* Redis.get(k("a1")), Option.some("after"))
        assertNothingWatched(yield* clientsNamed(target, name, k("a1")))
      }).pipe(Effect.provide(target.withClientName(name)))
    }))

  it.live("a run-time error inside EXEC fails with that command's error and index; the others were applied, as Redis does", () =>
    run(Effect.gen(function*() {
      yield* Redis.del([k("r1"), k("r2"), k("hash")])
      yield* Redis.hset(k("hash"), { f: "v" })
      const error = yield* Effect.flip(RedisClient.transaction([Redis.incr(k("r1")), Redis.incr(k("hash")), Redis.incr(k("r2"))]))
      assert.strictEqual(error._tag, "TransactionCommandError")
      if (error._tag !== "TransactionCommandError") return
      assert.strictEqual(error.index, 1)
      assert.strictEqual(error.command, "INCR")
      assert.isTrue(error.executed)
      assert.strictEqual(error.error._tag === "ReplyError" && error.error.code, "WRONGTYPE")
      assert.deepStrictEqual(yield* Redis.mget([k("r1"), k("r2")]), [Option.some("1"), Option.some("1")])
      // transactionResults: every command's own outcome.
      const [r1, hash, r2] = yield* RedisClient.transactionResults([Redis.incr(k("r1")), Redis.incr(k("hash")), Redis.incr(k("r2"))])
      assert.deepStrictEqual(r1, Result.succeed(2))
      assert.isTrue(Result.isFailure(hash) && hash.failure._tag === "ReplyError" && hash.failure.code === "WRONGTYPE")
      assert.deepStrictEqual(r2, Result.succeed(2))
    })))

  it.live("a transaction is one element of a pipeline", () =>
    run(Effect.gen(function*() {
      yield* Redis.del([k("p1"), k("p2")])
      const [before, [p1, p2], after] = yield* RedisClient.pipeline([
        Redis.incr(k("p1")),
        RedisClient.transaction([Redis.incr(k("p1")), Redis.incr(k("p2"))]),
        Redis.mget([k("p1"), k("p2")])
      ])
      assert.strictEqual(before, 1)
      assert.deepStrictEqual([p1, p2], [2, 1])
      assert.deepStrictEqual(after, [Option.some("2"), Option.some("1")])
      // A failing transaction is that element's failure only.
      const results = yield* RedisClient.pipelineResults([
        RedisClient.transaction([Redis.incr(k("p1")), Redis.call(["INCR"])]),
        Redis.get(k("p1"))
      ])
      assert.isTrue(Result.isFailure(results[0]) && results[0].failure._tag === "TransactionCommandError")
      assert.deepStrictEqual(results[1], Result.succeed(Option.some("2")))
    })))

  it.live("bad input is refused before anything is sent, with a typed error naming the command", () =>
    run(Effect.gen(function*() {
      yield* Redis.del([k("bad"), k("list")])
      assert.deepStrictEqual(yield* RedisClient.transaction([]), [])
      const refusals = [
        { commands: [Redis.set(k("bad"), "1"), Redis.blpop(k("list"), 1)], reason: /blocking call/ },
        { commands: [Redis.set(k("bad"), "1"), Redis.call(["MULTI"])], reason: /changes the connection's state/ },
        { commands: [Redis.set(k("bad"), "1"), Redis.call(["WATCH", k("bad")])], reason: /changes the connection's state/ },
        { commands: [Redis.set(k("bad"), "1"), Redis.call(["SUBSCRIBE", "channel"])], reason: /changes the connection's state/ },
        { commands: [Redis.set(k("bad"), "1"), RedisClient.transaction([Redis.incr(k("bad"))])], reason: /another transaction/ },
        { commands: [Redis.set(k("bad"), "1"), Redis.set(k("bad"), "v", { nx: true, xx: true })], reason: /./ }
      ]
      for (const { commands, reason } of refusals) {
        const error = yield* Effect.flip(RedisClient.transaction(commands))
        assert.strictEqual(error._tag, "TransactionCommandError", String(error))
        if (error._tag !== "TransactionCommandError") continue
        assert.strictEqual(error.index, 1)
        assert.isFalse(error.executed)
        assert.strictEqual(error.error._tag, "InvalidArgumentError")
        assert.match(error.error.message, reason)
      }
      // An argument the encoder rejects midway: what was queued is discarded (DISCARD), nothing ran.
      const unencodable = yield* Effect.flip(RedisClient.transaction([Redis.set(k("bad"), "1"), Redis.set(k("bad"), Number.NaN as never)]))
      assert.strictEqual(unencodable._tag === "TransactionCommandError" && unencodable.error._tag, "InvalidArgumentError")
      assert.strictEqual(yield* Redis.exists([k("bad")]), 0)
      assert.strictEqual(yield* Redis.incr(k("bad")), 1)
    })))

  it.live("100,000 commands in one transaction: one EXEC reply of 100,000, memory proportional to it", () =>
    run(Effect.gen(function*() {
      yield* Redis.del(k("big"))
      const commands = Array.from({ length: 100_000 }, () => Redis.incr(k("big")))
      const heapBefore = process.memoryUsage().heapUsed
      const replies = yield* RedisClient.transaction(commands)
      const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024
      assert.strictEqual(replies.length, 100_000)
      assert.strictEqual(replies[99_999], 100_000)
      assert.deepStrictEqual(yield* Redis.get(k("big")), Option.some("100000"))
      // About 100 bytes per command in flight (waiter, encoded bytes, reply): far from unbounded.
      assert.isBelow(grownMb, 200, `heap grew by ${grownMb.toFixed(0)} MB`)
    })), 60_000)

  it.live("WATCH: a write by another client between WATCH and EXEC is a WatchConflictError; nothing of the transaction ran", () =>
    run(Effect.gen(function*() {
      yield* Redis.set(k("w"), "0")
      const conflict = yield* Effect.flip(RedisClient.watch([k("w")], (tx) =>
        Effect.gen(function*() {
          const seen = yield* tx.run(Redis.get(k("w")))
          assert.deepStrictEqual(seen, Option.some("0"))
          // Another client, with connections of its own.
          yield* Redis.set(k("w"), "theirs").pipe(Effect.provide(target.layer), Effect.orDie)
          return yield* tx.exec([Redis.set(k("w"), "mine"), Redis.incr(k("w:count"))])
        })))
      assert.strictEqual(conflict._tag, "WatchConflictError")
      if (conflict._tag === "WatchConflictError") {
        assert.strictEqual(conflict.reason, "changed")
        assert.deepStrictEqual(conflict.keys, [k("w")])
      }
      assert.deepStrictEqual(yield* Redis.get(k("w")), Option.some("theirs"))
      assert.strictEqual(yield* Redis.exists([k("w:count")]), 0)
      // Without a writer in between the same body goes through.
      assert.deepStrictEqual(yield* RedisClient.watch([k("w")], (tx) => tx.exec([Redis.set(k("w"), "mine")])), [true])
    })))

  it.live("optimistic: 50 fibers GET + SET one counter under WATCH; the final value is the number of bodies that succeeded", () =>
    run(Effect.gen(function*() {
      const counter = k("counter")
      for (const retry of [undefined, Schedule.spaced("1 millis").pipe(Schedule.jittered, Schedule.upTo({ times: 2_000 }))]) {
        yield* Redis.del(counter)
        let succeeded = 0
        const outcomes = yield* Effect.forEach(
          Array.from({ length: 50 }),
          () => Effect.result(Effect.tap(RedisClient.optimistic([counter], incrementUnderWatch(counter), { retry }), () => Effect.sync(() => succeeded++))),
          { concurrency: "unbounded" }
        )
        const failures = outcomes.filter(Result.isFailure).map((outcome) => outcome.failure)
        assert.isTrue(failures.every((error) => error._tag === "WatchConflictError"), String(failures[0]))
        const final = Number(Option.getOrElse(yield* Redis.get(counter), () => "0"))
        assert.strictEqual(final, succeeded, "no update lost, none applied twice")
        assert.isAbove(succeeded, 0)
        // With enough retries every body gets through.
        if (retry !== undefined) assert.strictEqual(succeeded, 50)
      }
    })), 60_000)

  it.live("a body that ends without EXEC sends UNWATCH and its connection is reused; an interrupted body leaves nothing behind", () =>
    Effect.gen(function*() {
      const name = `${prefix}:watch:${target.name}`.replace(/[^a-zA-Z0-9:]/g, "")
      const key = k("i")
      yield* Effect.gen(function*() {
        yield* Redis.set(key, "0")
        // Ends without exec (nothing to change): UNWATCH, connection kept for the next body.
        assert.strictEqual(yield* RedisClient.watch([key], (tx) => Effect.as(tx.run(Redis.get(key)), "no change")), "no change")
        const idle = yield* clientsNamed(target, name, key)
        yield* Redis.set(key, "1")
        assertNothingWatched(yield* clientsNamed(target, name, key))
        // Ends with a typed error of the body's own: the same.
        const failed = yield* Effect.flip(RedisClient.watch([key], () => Effect.fail("decided against it" as const)))
        assert.strictEqual(failed, "decided against it")
        yield* Redis.set(key, "2")
        assert.deepStrictEqual((yield* clientsNamed(target, name, key)).map((c) => c.id).sort(), idle.map((c) => c.id).sort())
        assertNothingWatched(yield* clientsNamed(target, name, key))

        // Interrupted while the body waits: the watching connection is closed.
        const watching = yield* Deferred.make<void>()
        const body = yield* Effect.forkChild(RedisClient.watch([key], (tx) =>
          Effect.andThen(tx.run(Redis.get(key)), Effect.andThen(Deferred.succeed(watching, undefined), Effect.never))))
        yield* Deferred.await(watching)
        if (listsWatchCount) {
          assert.isTrue((yield* clientsNamed(target, name, key)).some((c) => c.extra["watch"] === "1"), "the body's connection watches the key")
        }
        yield* Fiber.interrupt(body)
        yield* Redis.set(key, "3")
        const after = yield* eventually(clientsNamed(target, name, key), (clients) =>
          clients.every((c) => !c.flags.includes("d") && (!listsWatchCount || c.extra["watch"] === "0")))
        assertNothingWatched(after)
        // Interrupted while EXEC is in flight: the same (the connection is closed, whatever EXEC did).
        const inExec = yield* Effect.forkChild(RedisClient.watch([key], (tx) => tx.exec([Redis.incr(key)])))
        yield* Fiber.interrupt(inExec)
        yield* Redis.set(key, "4")
        assertNothingWatched(yield* eventually(clientsNamed(target, name, key), (clients) => clients.every((c) => !c.flags.includes("d") && !c.flags.includes("x"))))
      }).pipe(Effect.provide(target.withClientName(name)))
    }), 30_000)

  it.live("a WATCH body's tx refuses what would run unwatched: a second exec, use after the body, blocking commands", () =>
    run(Effect.gen(function*() {
      const key = k("misuse")
      yield* Redis.del(key)
      let leaked: WatchTransaction | undefined
      const second = yield* Effect.flip(RedisClient.watch([key], (tx) =>
        Effect.gen(function*() {
          leaked = tx
          const readLater = tx.run(Redis.get(key))
          yield* tx.exec([Redis.incr(key)])
          const late = yield* Effect.flip(readLater).pipe(Effect.orDie)
          assert.include(late.message, "already sent", "an effect built before EXEC is checked when it runs")
          return yield* tx.exec([Redis.incr(key)])
        })))
      assert.strictEqual(second._tag, "InvalidArgumentError")
      assert.include(second.message, "already sent")
      const late = yield* Effect.flip(leaked!.run(Redis.get(key)))
      assert.include(late.message, "body is over")
      const blocking = yield* Effect.flip(RedisClient.watch([key], (tx) => tx.run(Redis.blpop(key, 1))))
      assert.include(blocking.message, "blocking call")
      assert.deepStrictEqual(yield* Redis.get(key), Option.some("1"))
      const noKeys = yield* Effect.flip(RedisClient.watch([], () => Effect.void))
      assert.strictEqual(noKeys._tag, "InvalidArgumentError")
    })))
})

describe("transactions on a standalone server", () => {
  it.live("respect the SELECTed database, WATCH bodies included", () =>
    Effect.gen(function*() {
      const url = inject("standaloneUrl")
      const key = `${prefix}:db:{t}k`
      const onDb = (database: number) => RedisNode.layer({ url, database })
      yield* Redis.del(key).pipe(Effect.provide(Layer.mergeAll(onDb(0))))
      yield* Effect.gen(function*() {
        yield* Redis.del(key)
        assert.deepStrictEqual(yield* RedisClient.transaction([Redis.incr(key), Redis.incr(key)]), [1, 2])
        assert.strictEqual(yield* RedisClient.optimistic([key], incrementUnderWatch(key)), 3)
        // WATCH on database 5 is not disturbed by a write to the same name on database 0.
        const quiet = yield* RedisClient.watch([key], (tx) =>
          Effect.gen(function*() {
            yield* Redis.set(key, "db0").pipe(Effect.provide(onDb(0)), Effect.orDie)
            return yield* tx.exec([Redis.incr(key)])
          }))
        assert.deepStrictEqual(quiet, [4])
      }).pipe(Effect.provide(onDb(5)))
      assert.deepStrictEqual(yield* Redis.get(key).pipe(Effect.provide(onDb(0))), Option.some("db0"))
      assert.deepStrictEqual(yield* Redis.get(key).pipe(Effect.provide(onDb(5))), Option.some("4"))
    }))
})

describe("transactions on a standalone server: a lost connection", () => {
  const server = inject("standalone")

  it.live("EXEC written when the connection died: ConnectionError written: true, and the transaction is not sent again", () =>
    Effect.gen(function*() {
      const key = `${prefix}:lost:{t}written`
      const id = yield* Redis.call(["CLIENT", "ID"])
      const admin = yield* NodeConnection.connect(server)
      yield* Effect.addFinalizer(() => admin.close())
      // WAIT (no replicas: it waits its whole timeout) holds the shared connection: the transaction queued behind
      // it is written but unanswered when the connection dies.
      const fiber = yield* Effect.forkChild(Effect.all([
        Effect.exit(Redis.call(["WAIT", 1, 5000])),
        Effect.exit(RedisClient.transaction([Redis.incr(key), Redis.incr(key)]))
      ], { concurrency: "unbounded" }))
      yield* Effect.sleep("100 millis")
      yield* admin.request(["CLIENT", "KILL", "ID", String(id)])
      const [, transaction] = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(transaction))
      if (Exit.isFailure(transaction)) assert.match(String(transaction.cause), /ConnectionError.*EXEC, written/s)
      // The server never ran it (it sat behind WAIT) and the client did not send it again: the outcome was unknown.
      yield* Effect.sleep("100 millis")
      assert.strictEqual(yield* admin.request(["GET", key]), null)
    }).pipe(Effect.provide(RedisNode.layer(server))))

  it.live("EXEC not yet written when the connection died: the transaction is sent again on a new connection, once", () =>
    Effect.gen(function*() {
      const key = `${prefix}:lost:{t}unwritten`
      const first = yield* NodeConnection.connect(server)
      const second = yield* NodeConnection.connect(server)
      yield* Effect.addFinalizer(() => second.close())
      const failures: Array<ConnectionFailure> = []
      // Queued in this tick; the connection dies before the end of the tick, when it would have been written.
      const fiber = Effect.runFork(runOnConnection(first, RedisClient.transaction([Redis.incr(key), Redis.incr(key)]), (command, error) => {
        failures.push(error)
        return error._tag === "ConnectionError" && !error.written ? runOnConnection(second, command) : undefined
      }))
      first.destroy("closed by the test before the write")
      assert.deepStrictEqual(yield* Fiber.join(fiber), [1, 2])
      assert.deepStrictEqual(failures.map((error) => error._tag === "ConnectionError" && [error.command, error.written]), [["EXEC", false]])
      assert.strictEqual(yield* second.request(["GET", key]), "2")
    }))
})

describe("transactions on a cluster", () => {
  const clusterTargets = targets.filter((target) => target.cluster)

  it.live.each(clusterTargets)("a transaction whose keys span slots is refused before sending, naming the keys and their slots ($name)", (target) =>
    Effect.gen(function*() {
      const a = `${prefix}:{x}a`, b = `${prefix}:{y}b`
      yield* Redis.del([a, b])
      const error = yield* Effect.flip(RedisClient.transaction([Redis.incr(a), Redis.incr(b)]))
      assert.strictEqual(error._tag, "CrossSlotError")
      if (error._tag === "CrossSlotError") {
        assert.deepStrictEqual(error.slots, [keySlot(a), keySlot(b)])
        assert.deepStrictEqual(error.keys, [{ key: a, slot: keySlot(a) }, { key: b, slot: keySlot(b) }])
      }
      assert.strictEqual(yield* Redis.exists([a, b]), 0)
      const watchError = yield* Effect.flip(RedisClient.watch([a, b], () => Effect.void))
      assert.strictEqual(watchError._tag, "CrossSlotError")
    }).pipe(Effect.provide(target.layer)))

  it.live.each(clusterTargets)("ensureReplication waits for the writes of transactions and WATCH bodies ($name)", (target) =>
    Effect.gen(function*() {
      const key = `${prefix}:{repl}${target.name}`
      const watched = RedisClient.watch([key], (tx) => tx.exec([Redis.incr(key)]))
      const transaction = RedisClient.transaction([Redis.incr(key)])
      // One replica per primary: WAIT 1 is met, WAIT 2 is not, which shows WAIT was sent where each one wrote.
      assert.deepStrictEqual(yield* RedisCluster.ensureReplication({ replicas: 1, timeout: "2 seconds" })(transaction), [1])
      assert.deepStrictEqual(yield* RedisCluster.ensureReplication({ replicas: 1, timeout: "2 seconds" })(watched), [2])
      for (const effect of [transaction, watched]) {
        const error = yield* Effect.flip(RedisCluster.ensureReplication({ replicas: 2, timeout: "100 millis" })(effect))
        assert.strictEqual(error._tag, "ReplicationError", String(error))
      }
      assert.deepStrictEqual(yield* Redis.get(key), Option.some("4"))
      yield* Redis.del(key)
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: inject("clusterNodes"), protocol: target.protocol }))))

  it.live.each(clusterTargets)("a hash-tagged transaction runs on every primary, on the primary even with readFrom replica ($name)", (target) =>
    Effect.gen(function*() {
      const name = `${prefix}:primary:${target.name}`.replace(/[^a-zA-Z0-9:]/g, "")
      const snapshot = yield* RedisCluster.topology
      assert.strictEqual(snapshot.shards.length, 3)
      yield* Effect.gen(function*() {
        for (const shard of snapshot.shards) {
          // A hash tag served by this shard.
          let tag = 0
          const served = (t: number) => shard.slots.some(([start, end]) => keySlot(`{tag${t}}`) >= start && keySlot(`{tag${t}}`) <= end)
          while (!served(tag)) tag++
          const a = `${prefix}:{tag${tag}}a`, b = `${prefix}:{tag${tag}}b`
          yield* Redis.del([a, b])
          // ROLE has no keys: it runs where the transaction runs, and says which node that is.
          const [x, y, role, read] = yield* RedisClient.transaction([Redis.incr(a), Redis.incr(b), Redis.role(), Redis.get(a)])
          assert.deepStrictEqual([x, y, read], [1, 1, Option.some("1")])
          assert.strictEqual(role.role, "master")
          // A read-only transaction: plain reads of this client go to the replica, the transaction does not.
          yield* Redis.get(a)
          assert.deepStrictEqual(yield* RedisClient.transaction([Redis.get(a), Redis.get(b)]), [Option.some("1"), Option.some("1")])
          // Listed by another client, so that listing does not overwrite the last command of ours.
          const lastCommands = (address: string) =>
            Effect.map(RedisCluster.onNode(address, Redis.clientList()), (clients) => clients.filter((c) => c.name === name).map((c) => c.cmd))
          const onReplica = yield* lastCommands(shard.replicas[0]!.address).pipe(Effect.provide(target.layer))
          const onPrimary = yield* lastCommands(shard.primary.address).pipe(Effect.provide(target.layer))
          assert.include(onReplica, "get", "plain reads went to the replica")
          assert.notInclude(onReplica, "exec")
          assert.include(onPrimary, "exec")
        }
      }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: inject("clusterNodes"), protocol: target.protocol, readFrom: "replica", clientName: name })))
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: inject("clusterNodes"), protocol: target.protocol }))))
})
