/**
 * Routing, redirects and retries of the cluster client, over a static topology and the testkit's scripted
 * transport: no server, and every retry delay on the TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { AuthenticationError, Redis, RedisClient, type RedisError, RespErrorReply } from "@effect-redis/client"
import { ClusterTopology, formatAddress, keySlot, RedisCluster } from "@effect-redis/cluster"
import { ClusterTransport, NodePool } from "@effect-redis/cluster/Transport"
import { ScriptedTransport } from "@effect-redis/testkit"
import { Effect, Fiber, Layer, Option, Result, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { A, A1, B, B1, C, C1, clusterLayer, expectTag, keyOn, ownerOf, replicaOf, threeShards } from "./support/scripted.ts"

const replicas = new Set([A1, B1, C1])

describe("routing", () => {
  it.effect("a key goes to the primary serving its slot", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => "OK")
      const keys = Array.from({ length: 40 }, (_, i) => `user:${i}`)
      yield* Effect.forEach(keys, (key) => Redis.set(key, "v"), { discard: true }).pipe(Effect.provide(clusterLayer(transport)))
      const sets = transport.sent({ command: "SET" })
      assert.strictEqual(sets.length, keys.length)
      for (const request of sets) {
        const slot = keySlot(request.args[1]!)
        const expected = threeShards.shards.find((shard) =>
          shard.slots.some((range) => typeof range !== "number" && slot >= range[0] && slot <= range[1])
        )!.primary
        assert.strictEqual(request.address, expected, `${request.args[1]} (slot ${slot})`)
      }
      // The keys spread over the three primaries, and each node got one connection for all its commands.
      assert.deepStrictEqual(new Set(sets.map((r) => r.address)), new Set([A, B, C]))
      assert.strictEqual(transport.connectCount(), 3)
      assert.strictEqual(transport.connectCount(A), 1)
    }))

  it.effect("keys under one hash tag go to the tag's slot", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => "OK")
      yield* Redis.rename("{user:7}:a", "{user:7}:b").pipe(Effect.provide(clusterLayer(transport)))
      assert.deepStrictEqual(transport.sent().map((r) => [r.address, ...r.args]), [[ownerOf("user:7"), "RENAME", "{user:7}:a", "{user:7}:b"]])
    }))

  it.effect("readFrom replica sends reads to a replica on a READONLY connection, writes to the primary", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((r) => (r.args[0] === "GET" ? "v" : r.args[0] === "INCR" ? 1 : "OK"))
      const key = "user:1"
      const value = yield* Effect.gen(function*() {
        yield* Redis.set(key, "v")
        yield* Redis.incr(key)
        return yield* Redis.get(key)
      }).pipe(Effect.provide(clusterLayer(transport, { readFrom: "replica" })))
      assert.deepStrictEqual(value, Option.some("v"))
      const [set, incr, get] = transport.sent()
      assert.strictEqual(set!.address, ownerOf(key))
      assert.strictEqual(incr!.address, ownerOf(key))
      assert.strictEqual(get!.address, replicaOf(key))
      assert.isTrue(get!.readOnly)
    }))

  it.effect("readFrom primary never reads from a replica", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => "v")
      const keys = Array.from({ length: 30 }, (_, i) => `k${i}`)
      yield* Effect.forEach(keys, (key) => Redis.get(key), { discard: true }).pipe(Effect.provide(clusterLayer(transport)))
      assert.strictEqual(transport.sent({ command: "GET" }).length, keys.length)
      for (const request of transport.sent()) {
        assert.isFalse(replicas.has(request.address))
        assert.strictEqual(request.address, ownerOf(request.args[1]!))
      }
      assert.isTrue(transport.connects.every((c) => !replicas.has(c.address) && !c.readOnly))
    }))

  it.effect("readFrom replica on a shard without replicas fails with ClusterDownError; preferReplica reads the primary", () =>
    Effect.gen(function*() {
      const spec = { shards: [{ primary: A, slots: [[0, 16383]] as const }] }
      const transport = ScriptedTransport.make(() => "v")
      const error = yield* Effect.flip(Redis.get("k")).pipe(Effect.provide(clusterLayer(transport, { readFrom: "replica" }, spec)))
      assert.include(expectTag(error, "ClusterDownError").reason, "has failed, or it has none")
      assert.strictEqual(transport.requests.length, 0)
      const value = yield* Redis.get("k").pipe(Effect.provide(clusterLayer(transport, { readFrom: "preferReplica" }, spec)))
      assert.deepStrictEqual(value, Option.some("v"))
      assert.deepStrictEqual(transport.sent().map((r) => r.address), [A])
    }))

  it.effect("a single-slot command whose keys hash to different slots fails with CrossSlotError and sends nothing", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => "OK")
      // COPY has no client-side emulation (RENAME has: see the cross-slot tests).
      const error = yield* Effect.flip(Redis.copy("a", "b")).pipe(Effect.provide(clusterLayer(transport)))
      const crossSlot = expectTag(error, "CrossSlotError")
      assert.strictEqual(crossSlot.command, "COPY")
      assert.deepStrictEqual(crossSlot.slots, [keySlot("a"), keySlot("b")])
      assert.strictEqual(transport.requests.length, 0)
      assert.strictEqual(transport.connects.length, 0)
    }))

  it.effect("a command unsupported on a cluster fails with UnsupportedInClusterError and sends nothing", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => 1)
      const error = yield* Effect.flip(Redis.move("k", 1)).pipe(Effect.provide(clusterLayer(transport)))
      assert.strictEqual(expectTag(error, "UnsupportedInClusterError").command, "MOVE")
      assert.strictEqual(transport.requests.length, 0)
      assert.strictEqual(transport.connects.length, 0)
    }))

  it.effect("SCAN's cursor and INFO keyspace (one node's keyspace) fail with UnsupportedInClusterError and send nothing; onNode runs them", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((r) => (r.args[0] === "SCAN" ? ["0", ["k"]] : "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"))
      yield* Effect.gen(function*() {
        const scans: ReadonlyArray<Effect.Effect<unknown, RedisError, RedisClient>> = [Redis.scan(0), Redis.call(["SCAN", 0]), Redis.call(["SCAN", 0], { keys: [] })]
        for (const command of scans) {
          const error = expectTag(yield* Effect.flip(command), "UnsupportedInClusterError")
          assert.strictEqual(error.command, "SCAN")
          assert.include(error.reason, "RedisClient.scan")
        }
        for (const command of [Redis.infoRaw("keyspace"), Redis.call(["INFO", "server", "KEYSPACE"])]) {
          assert.strictEqual(expectTag(yield* Effect.flip(command), "UnsupportedInClusterError").command, "INFO")
        }
        assert.strictEqual(transport.requests.length, 0)
        // Other INFO sections go to one node; per node, both run.
        yield* Redis.infoRaw("server")
        assert.strictEqual(transport.sent({ command: "INFO" }).length, 1)
        assert.deepStrictEqual((yield* RedisCluster.onNode(B, Redis.scan(0))).items, ["k"])
        assert.include(yield* RedisCluster.onNode(C, Redis.infoRaw("keyspace")), "db0:keys=1")
        assert.deepStrictEqual(transport.sent({ command: "SCAN" }).map((r) => r.address), [B])
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))

  it.effect("connection-state commands through Redis.call: unsupported on a cluster when the table says so, else InvalidArgumentError", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => "OK")
      yield* Effect.gen(function*() {
        for (const [line, name] of [[["select", 1], "SELECT"], [["MONITOR"], "MONITOR"], [["SYNC"], "SYNC"], [["AUTH", "pw"], "AUTH"]] as const) {
          assert.strictEqual(expectTag(yield* Effect.flip(Redis.call(line)), "UnsupportedInClusterError").command, name)
        }
        const watch = expectTag(yield* Effect.flip(Redis.call(["watch", "u:1"])), "InvalidArgumentError")
        assert.strictEqual(watch.command, "WATCH")
        assert.notInclude(watch.message, "U:1")
        // An argument a builder cannot send is still an InvalidArgumentError, even for a command a cluster refuses.
        assert.strictEqual((yield* Effect.flip(Redis.wait(1, 0)))._tag, "InvalidArgumentError")
        assert.strictEqual((yield* Effect.flip(Redis.wait(1, 10)))._tag, "UnsupportedInClusterError")
      }).pipe(Effect.provide(clusterLayer(transport)))
      assert.strictEqual(transport.requests.length, 0)
    }))

  it.effect("an all-primaries command is sent to each primary once and the replies merged", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((r) => [`key-from-${r.address}`, "shared"])
      const keys = yield* Redis.keys("*").pipe(Effect.provide(clusterLayer(transport)))
      assert.deepStrictEqual(transport.sent().map((r) => r.address).sort(), [A, B, C])
      assert.sameMembers([...keys], [`key-from-${A}`, `key-from-${B}`, `key-from-${C}`, "shared"])
    }))

  it.effect("a pipeline routes each command by its own slot and keeps the caller's order", () =>
    Effect.gen(function*() {
      const [ka, kb, kc] = [keyOn(A), keyOn(B), keyOn(C)]
      const transport = ScriptedTransport.make((r) => `${r.args[1]}@${r.address}`)
      const values = yield* RedisClient.pipeline([Redis.get(kc), Redis.get(ka), Redis.get(kb)]).pipe(Effect.provide(clusterLayer(transport)))
      assert.deepStrictEqual(values, [Option.some(`${kc}@${C}`), Option.some(`${ka}@${A}`), Option.some(`${kb}@${B}`)])
    }))
})

describe("MOVED", () => {
  it.effect("is followed at once, patches the slot map and asks for a refresh", () =>
    Effect.gen(function*() {
      const key = keyOn(A)
      const slot = keySlot(key)
      const transport = ScriptedTransport.make((r) => (r.address === A ? ScriptedTransport.moved(slot, B) : "v"))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        assert.deepStrictEqual(yield* Redis.get(key), Option.some("v"))
        assert.deepStrictEqual(transport.sent().map((r) => r.address), [A, B])
        assert.strictEqual(topology.current().shardForSlot(slot)?.primary.address, B)
        assert.strictEqual(topology.stats.requests, 1)
        // Only that slot moved: its neighbour is still A's.
        assert.strictEqual(topology.current().shardForSlot(slot === 0 ? 1 : slot - 1)?.primary.address, A)

        transport.clearLog()
        assert.deepStrictEqual(yield* Redis.get(key), Option.some("v"))
        assert.deepStrictEqual(transport.sent().map((r) => r.address), [B])
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))

  it.effect("to a node the map does not know connects to it and adds it", () =>
    Effect.gen(function*() {
      const D = "127.0.0.1:7003"
      const key = keyOn(B)
      const slot = keySlot(key)
      const transport = ScriptedTransport.make((r) => (r.address === D ? 5 : ScriptedTransport.moved(slot, D)))
      yield* Effect.gen(function*() {
        assert.strictEqual(yield* Redis.incr(key), 5)
        const topology = yield* ClusterTopology
        assert.strictEqual(topology.current().shardForSlot(slot)?.primary.address, D)
        assert.isTrue(topology.current().nodes.has(D))
        assert.deepStrictEqual(transport.sent().map((r) => r.address), [B, D])
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))

  it.effect("with an empty host means the node that answered", () =>
    Effect.gen(function*() {
      const key = keyOn(A)
      const transport = ScriptedTransport.make((r) => (r.address === A ? ScriptedTransport.error(`MOVED ${keySlot(key)} :7001`) : "v"))
      const value = yield* Redis.get(key).pipe(Effect.provide(clusterLayer(transport)))
      assert.deepStrictEqual(value, Option.some("v"))
      assert.deepStrictEqual(transport.sent().map((r) => r.address), [A, "127.0.0.1:7001"])
    }))
})

describe("ASK", () => {
  it.effect("sends ASKING then the command to the target and leaves the slot map alone", () =>
    Effect.gen(function*() {
      const key = keyOn(A)
      const slot = keySlot(key)
      // The importing node serves the key only after ASKING; A keeps sending the migrating key away.
      const transport = ScriptedTransport.make((r) =>
        r.address === A ? ScriptedTransport.ask(slot, B) : r.asking ? "v" : ScriptedTransport.moved(slot, A)
      )
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        assert.deepStrictEqual(yield* Redis.get(key), Option.some("v"))
        assert.deepStrictEqual(transport.sent().map((r) => [r.address, r.args[0], r.asking]), [
          [A, "GET", false],
          [B, "ASKING", false],
          [B, "GET", true]
        ])
        // Both went in one turn on one connection: ASKING right before the command.
        const [, asking, get] = transport.sent()
        assert.strictEqual(asking!.connection, get!.connection)
        assert.strictEqual(get!.seq, asking!.seq + 1)
        assert.strictEqual(topology.current().shardForSlot(slot)?.primary.address, A)
        assert.strictEqual(topology.stats.requests, 0)

        transport.clearLog()
        yield* Effect.ignore(Redis.get(key))
        assert.strictEqual(transport.sent()[0]!.address, A)
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))
})

describe("redirect limit", () => {
  it.effect("two nodes sending a command to each other end in RedirectionLimitError with every hop", () =>
    Effect.gen(function*() {
      const key = keyOn(A)
      const slot = keySlot(key)
      const transport = ScriptedTransport.make((r) => ScriptedTransport.moved(slot, r.address === A ? B : A))
      const error = yield* Effect.flip(Redis.get(key)).pipe(Effect.provide(clusterLayer(transport, { maxRedirections: 5 })))
      const limit = expectTag(error, "RedirectionLimitError")
      assert.strictEqual(limit.command, "GET")
      // Five redirects followed, the sixth refused: all six are listed.
      assert.deepStrictEqual(limit.history.map((h) => `${h.kind} ${h.slot} ${h.address}`), [B, A, B, A, B, A].map((to) => `MOVED ${slot} ${to}`))
      assert.deepStrictEqual(transport.sent().map((r) => r.address), [A, B, A, B, A, B])
      assert.include(limit.message, "more than 5 redirections")
    }))

  it.effect("counts ASK redirects too", () =>
    Effect.gen(function*() {
      const key = keyOn(C)
      const slot = keySlot(key)
      const transport = ScriptedTransport.make((r) => ScriptedTransport.ask(slot, r.address === C ? A : C))
      const error = yield* Effect.flip(Redis.get(key)).pipe(Effect.provide(clusterLayer(transport, { maxRedirections: 2 })))
      assert.deepStrictEqual(expectTag(error, "RedirectionLimitError").history.map((h) => h.kind), ["ASK", "ASK", "ASK"])
      assert.strictEqual(transport.sent({ command: "GET" }).length, 3)
      assert.strictEqual(transport.sent({ command: "ASKING" }).length, 2)
    }))
})

describe("TRYAGAIN", () => {
  const tryAgain = ScriptedTransport.error("TRYAGAIN Multiple keys request during rehashing of slot")
  const retry = { tryAgain: Schedule.spaced("10 millis").pipe(Schedule.upTo({ times: 3 })) }

  it.effect("is retried after each delay of the tryAgain schedule, then fails with TryAgainError", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => tryAgain)
      const keys = ["{t}a", "{t}b"]
      yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Effect.flip(Redis.mget(keys)))
        yield* transport.settle
        assert.strictEqual(transport.sent({ command: "MGET" }).length, 1)
        yield* TestClock.adjust("9 millis")
        yield* transport.settle
        assert.strictEqual(transport.sent({ command: "MGET" }).length, 1, "nothing is resent before the delay")
        yield* TestClock.adjust("1 millis")
        yield* transport.settle
        assert.strictEqual(transport.sent({ command: "MGET" }).length, 2)
        yield* TestClock.adjust("10 millis")
        yield* transport.settle
        assert.strictEqual(transport.sent({ command: "MGET" }).length, 3)
        yield* TestClock.adjust("10 millis")
        yield* transport.settle
        assert.strictEqual(transport.sent({ command: "MGET" }).length, 4)
        const error = expectTag(yield* Fiber.join(fiber), "TryAgainError")
        assert.strictEqual(error.attempts, 4)
        assert.strictEqual(error.slot, keySlot("{t}a"))
        assert.strictEqual(error.command, "MGET")
        // Every attempt went to the slot's owner.
        assert.deepStrictEqual(new Set(transport.sent().map((r) => r.address)), new Set([ownerOf("t")]))
      }).pipe(Effect.provide(clusterLayer(transport, { retry })))
    }))

  it.effect("succeeds when a retry is answered", () =>
    Effect.gen(function*() {
      let calls = 0
      const transport = ScriptedTransport.make(() => (++calls < 3 ? tryAgain : ["1", null]))
      const values = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.mget(["{t}a", "{t}b"]))
        yield* transport.settle
        yield* TestClock.adjust("10 millis")
        yield* transport.settle
        yield* TestClock.adjust("10 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry })))
      assert.deepStrictEqual(values, [Option.some("1"), Option.none()])
      assert.strictEqual(calls, 3)
    }))

  it.effect("during a migration each retry meets ASK again; the redirect limit counts per attempt, not in total", () =>
    Effect.gen(function*() {
      const keys = ["{t}a", "{t}b"]
      const owner = ownerOf("t")
      const importing = owner === A ? B : A
      const slot = keySlot("{t}a")
      let tries = 0
      // The old owner sends every attempt away; the importing node answers TRYAGAIN four times, then the values.
      const transport = ScriptedTransport.make((r) =>
        r.address === owner ? ScriptedTransport.ask(slot, importing) : ++tries <= 4 ? tryAgain : ["1", "2"]
      )
      const values = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.mget(keys))
        for (let i = 0; i < 4; i++) {
          yield* transport.settle
          yield* TestClock.adjust("10 millis")
        }
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, {
        maxRedirections: 2,
        retry: { tryAgain: Schedule.spaced("10 millis").pipe(Schedule.upTo({ times: 10 })) }
      })))
      assert.deepStrictEqual(values, [Option.some("1"), Option.some("2")])
      assert.strictEqual(transport.sent({ command: "ASKING" }).length, 5)
    }))

  it.effect("a delay that would pass the command's deadline ends the retries at once with a not-written TimeoutError", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => tryAgain)
      const retryLate = { tryAgain: Schedule.spaced("1 minute") }
      const error = yield* Effect.flip(Redis.get("k")).pipe(Effect.provide(clusterLayer(transport, { retry: retryLate, commandTimeout: "5 seconds" })))
      const timeout = expectTag(error, "TimeoutError")
      assert.isFalse(timeout.written)
      assert.strictEqual(timeout.command, "GET")
      assert.strictEqual(timeout.timeoutMs, 5000)
      assert.strictEqual(timeout.address, ownerOf("k"))
      assert.strictEqual(transport.requests.length, 1)
    }))
})

describe("CLUSTERDOWN, MASTERDOWN, READONLY, LOADING", () => {
  const clusterDown = { clusterDown: Schedule.spaced("100 millis").pipe(Schedule.upTo({ times: 2 })) }

  it.effect("CLUSTERDOWN is retried on the clusterDown schedule, asking for refreshes, then fails with ClusterDownError", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => ScriptedTransport.error("CLUSTERDOWN The cluster is down"))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const fiber = yield* Effect.forkChild(Effect.flip(Redis.incr("k")))
        yield* transport.settle
        assert.strictEqual(transport.requests.length, 1)
        assert.strictEqual(topology.stats.requests, 1)
        yield* TestClock.adjust("99 millis")
        yield* transport.settle
        assert.strictEqual(transport.requests.length, 1)
        yield* TestClock.adjust("1 millis")
        yield* transport.settle
        assert.strictEqual(transport.requests.length, 2)
        yield* TestClock.adjust("100 millis")
        const error = expectTag(yield* Fiber.join(fiber), "ClusterDownError")
        assert.strictEqual(error.attempts, 3)
        assert.strictEqual(error.reason, "CLUSTERDOWN The cluster is down")
        assert.strictEqual(error.slot, keySlot("k"))
        assert.strictEqual(transport.requests.length, 3)
        assert.strictEqual(topology.stats.requests, 3)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: clusterDown })))
    }))

  it.effect("MASTERDOWN is retried like CLUSTERDOWN and the command succeeds once the shard is back", () =>
    Effect.gen(function*() {
      let calls = 0
      const transport = ScriptedTransport.make(() =>
        ++calls === 1 ? ScriptedTransport.error("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.") : 7
      )
      const value = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.incr("k"))
        yield* transport.settle
        yield* TestClock.adjust("100 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: clusterDown })))
      assert.strictEqual(value, 7)
      assert.strictEqual(transport.requests.length, 2)
    }))

  it.effect("READONLY (a write that reached a replica) asks for a refresh, is retried, and ends as the reply error", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => ScriptedTransport.error("READONLY You can't write against a read only replica."))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const fiber = yield* Effect.forkChild(Effect.flip(Redis.incr("k")))
        yield* transport.settle
        yield* TestClock.adjust("100 millis")
        yield* transport.settle
        yield* TestClock.adjust("100 millis")
        const error = expectTag(yield* Fiber.join(fiber), "ReplyError")
        assert.strictEqual(error.code, "READONLY")
        assert.strictEqual(transport.requests.length, 3)
        assert.strictEqual(topology.stats.requests, 3)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: clusterDown })))
    }))

  it.effect("LOADING on a replica read falls back to the primary at once", () =>
    Effect.gen(function*() {
      const key = "user:1"
      const transport = ScriptedTransport.make((r) =>
        replicas.has(r.address) ? ScriptedTransport.error("LOADING Redis is loading the dataset in memory") : "v"
      )
      // No TestClock adjustment: the fallback must not wait for any schedule.
      const value = yield* Redis.get(key).pipe(Effect.provide(clusterLayer(transport, { readFrom: "replica" })))
      assert.deepStrictEqual(value, Option.some("v"))
      assert.deepStrictEqual(transport.sent().map((r) => r.address), [replicaOf(key), ownerOf(key)])
    }))

  it.effect("LOADING on a primary is retried on the loading schedule", () =>
    Effect.gen(function*() {
      let calls = 0
      const transport = ScriptedTransport.make(() => (++calls === 1 ? ScriptedTransport.error("LOADING Redis is loading the dataset in memory") : "v"))
      const value = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.get("k"))
        yield* transport.settle
        assert.strictEqual(transport.requests.length, 1)
        yield* TestClock.adjust("200 millis") // the default loading schedule: every 200 ms
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport)))
      assert.deepStrictEqual(value, Option.some("v"))
      assert.deepStrictEqual(transport.sent().map((r) => r.address), [ownerOf("k"), ownerOf("k")])
    }))

  it.effect("a slot no node serves waits for refreshes on the clusterDown schedule, then fails with ClusterDownError", () =>
    Effect.gen(function*() {
      const half = { shards: [{ primary: A, slots: [[0, 8191] as const] }] }
      const key = keyOn(C)
      const transport = ScriptedTransport.make(() => "v")
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const fiber = yield* Effect.forkChild(Effect.flip(Redis.get(key)))
        yield* transport.settle
        yield* TestClock.adjust("100 millis")
        yield* transport.settle
        yield* TestClock.adjust("100 millis")
        const error = expectTag(yield* Fiber.join(fiber), "ClusterDownError")
        assert.strictEqual(error.reason, `slot ${keySlot(key)} is not served by any node`)
        assert.strictEqual(error.attempts, 3)
        assert.isAtLeast(topology.stats.requests, 3, "each attempt asks for a refresh")
        assert.strictEqual(transport.requests.length, 0)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: clusterDown }, half)))
    }))

  it.effect("an interrupted caller's command is not sent again by a redirect that arrives later", () =>
    Effect.gen(function*() {
      const key = keyOn(A)
      const transport = ScriptedTransport.make((r) =>
        r.args[0] === "GET" ? "warm" : r.address === A ? ScriptedTransport.moved(keySlot(key), B) : 1
      )
      yield* Effect.gen(function*() {
        // Open the connections to A and B, so the INCR is queued at once and a redirect would be followed at once.
        yield* Redis.get(key)
        yield* RedisCluster.onNode(B, Redis.get(key))
        const fiber = yield* Effect.forkChild(Redis.incr(key))
        yield* Effect.yieldNow
        yield* Fiber.interrupt(fiber)
        yield* transport.settle
        assert.deepStrictEqual(transport.sent({ command: "INCR" }).map((r) => r.address), [A])
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))

  it.effect("other error replies are the caller's ReplyError, not retried", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => ScriptedTransport.error("WRONGTYPE Operation against a key holding the wrong kind of value"))
      const error = yield* Effect.flip(Redis.get("k")).pipe(Effect.provide(clusterLayer(transport)))
      assert.strictEqual(expectTag(error, "ReplyError").code, "WRONGTYPE")
      assert.strictEqual(transport.requests.length, 1)
    }))
})

describe("connection failures", () => {
  const connection = { connection: Schedule.spaced("50 millis").pipe(Schedule.upTo({ times: 3 })) }

  it.effect("a write whose bytes were written is not sent again and fails with ConnectionError written: true", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => ScriptedTransport.drop({ written: true }))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const fiber = yield* Effect.forkChild(Effect.flip(Redis.incr("k")))
        yield* transport.settle
        yield* TestClock.adjust("1 minute")
        yield* transport.settle
        const error = expectTag(yield* Fiber.join(fiber), "ConnectionError")
        assert.isTrue(error.written)
        assert.strictEqual(error.address, ownerOf("k"))
        assert.strictEqual(transport.sent({ command: "INCR" }).length, 1)
        assert.isAtLeast(topology.stats.requests, 1, "a lost connection asks for a refresh")
      }).pipe(Effect.provide(clusterLayer(transport, { retry: connection })))
    }))

  it.effect("a write that was not written is sent again, on a new connection, after the connection schedule's delay", () =>
    Effect.gen(function*() {
      let calls = 0
      const transport = ScriptedTransport.make(() => (++calls === 1 ? ScriptedTransport.drop({ written: false }) : 1))
      const value = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.incr("k"))
        yield* transport.settle
        assert.strictEqual(transport.sent({ command: "INCR" }).length, 1)
        yield* TestClock.adjust("49 millis")
        yield* transport.settle
        assert.strictEqual(transport.sent({ command: "INCR" }).length, 1)
        yield* TestClock.adjust("1 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: connection })))
      assert.strictEqual(value, 1)
      const [first, second] = transport.sent({ command: "INCR" })
      assert.notStrictEqual(first!.connection, second!.connection)
      assert.strictEqual(transport.connectCount(ownerOf("k")), 2)
    }))

  it.effect("XREAD from $ whose bytes were written is not sent again (a resend would skip entries); from an ID it is", () =>
    Effect.gen(function*() {
      let calls = 0
      const transport = ScriptedTransport.make(() => (++calls === 1 ? ScriptedTransport.drop({ written: true }) : null))
      yield* Effect.gen(function*() {
        const latest = yield* Effect.forkChild(Effect.flip(Redis.xread({ s: "$" })))
        yield* transport.settle
        yield* TestClock.adjust("1 minute")
        const error = expectTag(yield* Fiber.join(latest), "ConnectionError")
        assert.isTrue(error.written)
        assert.strictEqual(transport.sent({ command: "XREAD" }).length, 1)
        calls = 0
        const fromId = yield* Effect.forkChild(Redis.xread({ s: "0-0" }))
        yield* transport.settle
        yield* TestClock.adjust("50 millis")
        assert.deepStrictEqual(yield* Fiber.join(fromId), Option.none())
        assert.strictEqual(transport.sent({ command: "XREAD" }).length, 3)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: connection })))
    }))

  it.effect("a read whose bytes were written is sent again", () =>
    Effect.gen(function*() {
      let calls = 0
      const transport = ScriptedTransport.make(() => (++calls === 1 ? ScriptedTransport.drop({ written: true }) : "v"))
      const value = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.get("k"))
        yield* transport.settle
        yield* TestClock.adjust("50 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: connection })))
      assert.deepStrictEqual(value, Option.some("v"))
      assert.strictEqual(transport.sent({ command: "GET" }).length, 2)
    }))

  it.effect("a replay-safe write (SET without options) is sent again even when written", () =>
    Effect.gen(function*() {
      let calls = 0
      const transport = ScriptedTransport.make(() => (++calls === 1 ? ScriptedTransport.drop({ written: true }) : "OK"))
      const value = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.set("k", "v"))
        yield* transport.settle
        yield* TestClock.adjust("50 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: connection })))
      assert.isTrue(value)
      assert.strictEqual(transport.sent({ command: "SET" }).length, 2)
    }))

  it.effect("other commands in flight on a dropped connection fail or retry by their own flags", () =>
    Effect.gen(function*() {
      const key = keyOn(A)
      const transport = ScriptedTransport.make(() => ScriptedTransport.noReply)
      yield* Effect.gen(function*() {
        const incr = yield* Effect.forkChild(Effect.flip(Redis.incr(key)))
        const get = yield* Effect.forkChild(Redis.get(key))
        yield* transport.settle
        assert.strictEqual(transport.requests.length, 2)
        transport.setScript(() => "v")
        assert.strictEqual(transport.drop(A), 1)
        yield* transport.settle
        yield* TestClock.adjust("50 millis")
        assert.deepStrictEqual(yield* Fiber.join(get), Option.some("v"))
        assert.isTrue(expectTag(yield* Fiber.join(incr), "ConnectionError").written)
        assert.strictEqual(transport.sent({ command: "INCR" }).length, 1)
        assert.strictEqual(transport.sent({ command: "GET" }).length, 2)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: connection })))
    }))

  it.effect("a refused connection is retried on the connection schedule, then fails with ConnectionError written: false", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => "v")
      transport.refuse(ownerOf("k"))
      yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Effect.flip(Redis.incr("k")))
        for (let i = 0; i < 3; i++) {
          yield* transport.settle
          yield* TestClock.adjust("50 millis")
        }
        const error = expectTag(yield* Fiber.join(fiber), "ConnectionError")
        assert.isFalse(error.written)
        assert.include(error.reason, "ECONNREFUSED")
        assert.strictEqual(transport.connects.filter((c) => c.refused).length, 4)
        assert.strictEqual(transport.requests.length, 0)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: connection })))
    }))

  it.effect("a command waiting to retry after its node was refused goes to the new owner as soon as the map changes", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => 7)
      transport.refuse(ownerOf("k"))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const fiber = yield* Effect.forkChild(Redis.incr("k"))
        yield* transport.settle
        assert.strictEqual(transport.connects.filter((c) => c.refused).length, 1)
        // A refresh learns that the replica took over; no clock time passes, yet the INCR is sent there at once
        // rather than after the rest of the 1 s delay.
        const promoted = replicaOf("k")
        topology.slotMoved(keySlot("k"), { host: "127.0.0.1", port: Number(promoted.slice(promoted.lastIndexOf(":") + 1)) })
        yield* transport.settle
        assert.deepStrictEqual(transport.sent({ command: "INCR" }).map((r) => r.address), [promoted])
        assert.strictEqual(yield* Fiber.join(fiber), 7)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: { connection: Schedule.spaced("1 second") } })))
    }))

  it.effect("a command waiting to retry after CLUSTERDOWN is sent again as soon as the map changes", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make((r) => (r.address === ownerOf("k") ? ScriptedTransport.error("CLUSTERDOWN The cluster is down") : 7))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const fiber = yield* Effect.forkChild(Redis.incr("k"))
        yield* transport.settle
        const promoted = replicaOf("k")
        topology.slotMoved(keySlot("k"), { host: "127.0.0.1", port: Number(promoted.slice(promoted.lastIndexOf(":") + 1)) })
        yield* transport.settle
        assert.deepStrictEqual(transport.sent({ command: "INCR" }).map((r) => r.address), [ownerOf("k"), promoted])
        assert.strictEqual(yield* Fiber.join(fiber), 7)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: { clusterDown: Schedule.spaced("1 second") } })))
    }))

  it.effect("a retry delay is waited out in full when the map changes elsewhere (the slot keeps its primary)", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => 7)
      transport.refuse(ownerOf("k"))
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const fiber = yield* Effect.forkChild(Redis.incr("k"))
        yield* transport.settle
        transport.allow(ownerOf("k"))
        // Another shard's slot moves: a new snapshot, but not a new primary for this command's slot.
        const elsewhere = keySlot(keyOn(ownerOf("k") === B ? C : B))
        topology.slotMoved(elsewhere, { host: "127.0.0.1", port: 7200 })
        yield* transport.settle
        yield* TestClock.adjust("999 millis")
        yield* transport.settle
        assert.strictEqual(transport.sent({ command: "INCR" }).length, 0)
        yield* TestClock.adjust("1 millis")
        assert.strictEqual(yield* Fiber.join(fiber), 7)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: { connection: Schedule.spaced("1 second") } })))
    }))

  it.effect("a refused node that comes back is used on the next attempt", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => 3)
      transport.refuse(ownerOf("k"))
      const value = yield* Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Redis.incr("k"))
        yield* transport.settle
        transport.allow(ownerOf("k"))
        yield* TestClock.adjust("50 millis")
        return yield* Fiber.join(fiber)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: connection })))
      assert.strictEqual(value, 3)
      assert.deepStrictEqual(transport.connects.map((c) => c.refused), [true, false])
    }))

  it.effect("a node refusing the credentials fails the command with AuthenticationError at once: no connection retry", () =>
    Effect.gen(function*() {
      const scripted = ScriptedTransport.make(() => "v")
      let refusals = 0
      const refusing = Layer.succeed(ClusterTransport, {
        connect: (node, options) =>
          formatAddress(node.host, node.port) === B
            ? Effect.suspend(() => {
              refusals++
              return Effect.fail(new AuthenticationError({ address: B, username: "app", step: "HELLO", code: "WRONGPASS", reason: "WRONGPASS invalid username-password pair" }))
            })
            : scripted.transport.connect(node, options)
      })
      const layer = RedisCluster.layerWith({ commandTimeout: Infinity, retry: connection }).pipe(
        Layer.provideMerge(ClusterTopology.layerStatic(threeShards)),
        Layer.provideMerge(NodePool.layer()),
        Layer.provide(refusing)
      )
      yield* Effect.gen(function*() {
        // Under the TestClock a scheduled retry would wait forever: failing here proves there was none.
        const error = expectTag(yield* Effect.flip(Redis.get(keyOn(B))), "AuthenticationError")
        assert.strictEqual(error.username, "app")
        assert.strictEqual(refusals, 1)
        assert.deepStrictEqual(yield* Redis.get(keyOn(A)), Option.some("v"))
        // The next command for that node opens a connection again (nothing is cached) and meets the same refusal.
        expectTag(yield* Effect.flip(Redis.incr(keyOn(B))), "AuthenticationError")
        assert.strictEqual(refusals, 2)
      }).pipe(Effect.provide(layer))
    }))

  it.effect("a read from a refused replica goes to the primary at once", () =>
    Effect.gen(function*() {
      const key = "user:1"
      const transport = ScriptedTransport.make(() => "v")
      transport.refuse(replicaOf(key))
      const value = yield* Redis.get(key).pipe(Effect.provide(clusterLayer(transport, { readFrom: "replica" })))
      assert.deepStrictEqual(value, Option.some("v"))
      assert.deepStrictEqual(transport.sent().map((r) => r.address), [ownerOf(key)])
    }))

  it.effect("a timed-out command fails with TimeoutError, is not retried, and asks for a refresh", () =>
    Effect.gen(function*() {
      const transport = ScriptedTransport.make(() => ScriptedTransport.timeout())
      yield* Effect.gen(function*() {
        const topology = yield* ClusterTopology
        const error = yield* Effect.flip(Redis.get("k"))
        assert.strictEqual(expectTag(error, "TimeoutError").address, ownerOf("k"))
        assert.strictEqual(transport.requests.length, 1)
        // A node that stops answering (a host gone without a reset) may be failing over: look again.
        assert.strictEqual(topology.stats.requests, 1)
      }).pipe(Effect.provide(clusterLayer(transport, { retry: connection })))
    }))
})

describe("pipelines", () => {
  it.effect("follow redirects per command and report each command's own outcome", () =>
    Effect.gen(function*() {
      const [ka, kb] = [keyOn(A), keyOn(B)]
      const transport = ScriptedTransport.make((r) => {
        if (r.args[1] === ka && r.address === A) return ScriptedTransport.moved(keySlot(ka), C)
        if (r.args[1] === kb) return new RespErrorReply("WRONGTYPE Operation against a key holding the wrong kind of value")
        return `${r.args[1]}@${r.address}`
      })
      const results = yield* RedisClient.pipelineResults([Redis.get(ka), Redis.get(kb), Redis.copy("a", "b")]).pipe(
        Effect.provide(clusterLayer(transport))
      )
      const [a, b, c] = results
      assert.deepStrictEqual(a, Result.succeed(Option.some(`${ka}@${C}`)))
      assert.isTrue(Result.isFailure(b) && b.failure._tag === "ReplyError")
      assert.isTrue(Result.isFailure(c) && c.failure._tag === "CrossSlotError")
    }))
})

describe("node clients and ensureReplication", () => {
  it.effect("a node client sends to its node whatever the slot map says, and redirects come back as ReplyError", () =>
    Effect.gen(function*() {
      const key = keyOn(A)
      const transport = ScriptedTransport.make((r) => (r.args[0] === "GET" ? ScriptedTransport.moved(keySlot(key), A) : 1))
      yield* Effect.gen(function*() {
        const error = yield* Effect.flip(RedisCluster.onNode(B, Redis.get(key)))
        assert.strictEqual(expectTag(error, "ReplyError").code, "MOVED")
        assert.strictEqual(yield* RedisCluster.onNode(C, Redis.incr(key)), 1)
        assert.deepStrictEqual(transport.sent().map((r) => [r.address, r.args[0]]), [[B, "GET"], [C, "INCR"]])
        assert.strictEqual((yield* ClusterTopology).stats.requests, 0, "a node client's redirect does not touch the map")
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))

  it.effect("ensureReplication sends WAIT to each node that took a write, and fails when too few replicas acknowledge", () =>
    Effect.gen(function*() {
      const [ka, kb, kc] = [keyOn(A), keyOn(B), keyOn(C)]
      let acknowledged = 1
      const transport = ScriptedTransport.make((r) => (r.args[0] === "WAIT" ? acknowledged : r.args[0] === "GET" ? "v" : "OK"))
      yield* Effect.gen(function*() {
        const writes = Effect.all([Redis.set(ka, "1"), Redis.set(kb, "2"), Redis.get(kc)])
        yield* RedisCluster.ensureReplication({ replicas: 1, timeout: "100 millis" })(writes)
        const waits = transport.sent({ command: "WAIT" })
        assert.deepStrictEqual(waits.map((r) => r.address).sort(), [A, B])
        assert.deepStrictEqual(waits[0]!.args, ["WAIT", "1", "100"])
        // Each WAIT follows its node's write on the same connection.
        for (const wait of waits) {
          const write = transport.sent({ command: "SET", address: wait.address })[0]!
          assert.strictEqual(write.connection, wait.connection)
          assert.isBelow(write.seq, wait.seq)
        }

        acknowledged = 0
        const error = yield* Effect.flip(RedisCluster.ensureReplication({ replicas: 1, timeout: "100 millis" })(Redis.set(ka, "3")))
        const replication = expectTag(error, "ReplicationError")
        assert.deepStrictEqual([replication.address, replication.required, replication.acknowledged], [A, 1, 0])
      }).pipe(Effect.provide(clusterLayer(transport)))
    }))
})
