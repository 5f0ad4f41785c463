import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Result } from "effect"
import { inject } from "vitest"
import { Redis, RedisClient, RedisNode, Replies, RespErrorReply } from "@effect-redis/client"
import { NodeConnection } from "@effect-redis/client/Connection"

const server = inject("standalone")
const layerFor = (protocol: 2 | 3) => RedisNode.layer({ host: server.host, port: server.port, protocol })

// A unique prefix per test run and protocol, so runs and tests never see each other's keys.
const prefix = `node-test:${process.pid}:${Date.now()}`

describe.each([2, 3] as const)("standalone client over RESP%s", (protocol) => {
  const k = (name: string) => `${prefix}:${protocol}:${name}`
  const run = <A, E>(effect: Effect.Effect<A, E, RedisClient>) =>
    Effect.runPromise(effect.pipe(Effect.provide(layerFor(protocol))))

  it("strings: set options, get, incr family, ranges, mget/mset", () =>
    run(Effect.gen(function*() {
      assert.isTrue(yield* Redis.set(k("s"), "hello"))
      assert.deepStrictEqual(yield* Redis.get(k("s")), Option.some("hello"))
      assert.deepStrictEqual(yield* Redis.get(k("missing")), Option.none())
      assert.isFalse(yield* Redis.set(k("s"), "x", { nx: true }))
      assert.deepStrictEqual(yield* Redis.set(k("s"), "world", { get: true }), Option.some("hello"))
      assert.isTrue(yield* Redis.set(k("s"), "v", { px: 60_000, xx: true }))
      const pttl = yield* Redis.pttl(k("s"))
      assert.isTrue(pttl > 0 && pttl <= 60_000)
      assert.isTrue(yield* Redis.set(k("s"), "kept", { keepTtl: true }))
      assert.isTrue((yield* Redis.ttl(k("s"))) > 0)
      assert.strictEqual(yield* Redis.append(k("s"), "!"), 5)
      assert.strictEqual(yield* Redis.getrange(k("s"), 0, 1), "ke")
      assert.strictEqual(yield* Redis.setrange(k("s"), 0, "K"), 5)
      assert.strictEqual(yield* Redis.strlen(k("s")), 5)
      assert.deepStrictEqual(yield* Redis.getdel(k("s")), Option.some("Kept!"))
      assert.strictEqual(yield* Redis.incr(k("n")), 1)
      assert.strictEqual(yield* Redis.incrby(k("n"), 41), 42)
      assert.strictEqual(yield* Redis.decr(k("n")), 41)
      assert.strictEqual(yield* Redis.decrby(k("n"), 1), 40)
      assert.strictEqual(yield* Redis.incrbyfloat(k("f"), 1.5), 1.5)
      yield* Redis.mset({ [k("a")]: "1", [k("b")]: 2 })
      assert.deepStrictEqual(yield* Redis.mget([k("a"), k("missing"), k("b")]), [Option.some("1"), Option.none(), Option.some("2")])
      assert.isFalse(yield* Redis.msetnx([[k("a"), "x"], [k("c"), "y"]]))
      assert.isTrue(yield* Redis.setnx(k("c"), "y"))
      yield* Redis.setex(k("e"), 100, "v")
      yield* Redis.psetex(k("pe"), 100_000, "v")
      assert.deepStrictEqual(yield* Redis.getex(k("e"), { persist: true }), Option.some("v"))
      assert.strictEqual(yield* Redis.ttl(k("e")), -1)
      assert.deepStrictEqual(yield* Redis.getset(k("e"), "w"), Option.some("v"))
      yield* Redis.mset({ [k("l1")]: "ohmytext", [k("l2")]: "mynewtext" })
      assert.strictEqual(yield* Redis.lcs(k("l1"), k("l2")), "mytext")
      assert.strictEqual(yield* Redis.lcsLength(k("l1"), k("l2")), 6)
    })))

  it("keys: exists, del/unlink, expire family, type, rename, copy, dump/restore, scan, sort, object", () =>
    run(Effect.gen(function*() {
      yield* Redis.mset({ [k("x")]: "1", [k("y")]: "2" })
      assert.strictEqual(yield* Redis.exists([k("x"), k("y"), k("none")]), 2)
      assert.isTrue(yield* Redis.expire(k("x"), 100))
      assert.isFalse(yield* Redis.expire(k("x"), 200, { nx: true }))
      assert.isTrue(yield* Redis.expire(k("x"), 300, { gt: true }))
      assert.isTrue((yield* Redis.expiretime(k("x"))) > Date.now() / 1000)
      assert.isTrue(yield* Redis.pexpire(k("x"), 500_000))
      assert.isTrue((yield* Redis.pexpiretime(k("x"))) > Date.now())
      assert.isTrue(yield* Redis.expireat(k("y"), Math.floor(Date.now() / 1000) + 100))
      assert.isTrue(yield* Redis.pexpireat(k("y"), Date.now() + 100_000))
      assert.isTrue(yield* Redis.persist(k("x")))
      assert.strictEqual(yield* Redis.ttl(k("x")), -1)
      assert.strictEqual(yield* Redis.ttl(k("none")), -2)
      assert.strictEqual(yield* Redis.type(k("x")), "string")
      assert.strictEqual(yield* Redis.type(k("none")), "none")
      assert.deepStrictEqual(yield* Redis.objectEncoding(k("x")), Option.some("int"))
      assert.deepStrictEqual(yield* Redis.objectEncoding(k("none")), Option.none())
      assert.isTrue(Option.isSome(yield* Redis.objectRefcount(k("x"))))
      assert.isTrue(Option.isSome(yield* Redis.objectIdletime(k("x"))))
      yield* Redis.rename(k("x"), k("x2"))
      assert.isFalse(yield* Redis.renamenx(k("x2"), k("y")))
      assert.isTrue(yield* Redis.copy(k("x2"), k("x3")))
      assert.isFalse(yield* Redis.copy(k("x2"), k("x3")))
      assert.isTrue(yield* Redis.copy(k("x2"), k("x3"), { replace: true }))
      const dumped = yield* Redis.dump(k("x2"))
      assert.isTrue(Option.isSome(dumped))
      yield* Redis.restore(k("restored"), 0, Option.getOrThrow(dumped))
      assert.deepStrictEqual(yield* Redis.get(k("restored")), Option.some("1"))
      const replaced = yield* Effect.flip(Redis.restore(k("restored"), 0, Option.getOrThrow(dumped)))
      assert.strictEqual(replaced._tag, "ReplyError")
      yield* Redis.restore(k("restored"), 0, Option.getOrThrow(dumped), { replace: true })
      assert.strictEqual(yield* Redis.touch([k("x2"), k("x3"), k("none")]), 2)
      assert.strictEqual(yield* Redis.del([k("x2"), k("none")]), 1)
      assert.strictEqual(yield* Redis.unlink(k("x3")), 1)

      for (let i = 0; i < 25; i++) yield* Redis.set(k(`scan:${i}`), String(i))
      const seen = new Set<string>()
      let cursor = "0"
      do {
        const page = yield* Redis.scan(cursor, { match: `${k("scan:")}*`, count: 10 })
        for (const key of page.items) seen.add(key)
        cursor = page.cursor
      } while (cursor !== "0")
      assert.strictEqual(seen.size, 25)
      assert.strictEqual((yield* Redis.keys(`${k("scan:")}*`)).length, 25)
      assert.isTrue(Option.isSome(yield* Redis.randomkey()))

      yield* Redis.call(["RPUSH", k("list"), "3", "1", "2"])
      assert.deepStrictEqual(yield* Redis.sort(k("list")), ["1", "2", "3"])
      assert.deepStrictEqual(yield* Redis.sort(k("list"), { desc: true, limit: { offset: 0, count: 2 } }), ["3", "2"])
      assert.strictEqual(yield* Redis.sortStore(k("list"), k("sorted")), 3)
      // BY / GET patterns: a GET of a missing key (or hash field) gives nil, read as "".
      yield* Redis.mset({ [k("w_1")]: "30", [k("w_2")]: "20", [k("w_3")]: "10", [k("name_1")]: "one" })
      yield* Redis.hset(k("h_2"), { f: "two" })
      assert.deepStrictEqual(yield* Redis.sort(k("list"), { by: k("w_*") }), ["3", "2", "1"])
      assert.deepStrictEqual(yield* Redis.sort(k("list"), { get: ["#", k("name_*"), `${k("h_*")}->f`] }), [
        "1", "one", "", "2", "", "two", "3", "", ""
      ])
    })))

  it("hashes: hset record and pairs, hget/hmget/hgetall, incr, scan, randfield", () =>
    run(Effect.gen(function*() {
      assert.strictEqual(yield* Redis.hset(k("h"), { name: "ada", born: 1815 }), 2)
      assert.strictEqual(yield* Redis.hset(k("h"), [["name", "Ada"], ["city", "London"]]), 1)
      assert.deepStrictEqual(yield* Redis.hget(k("h"), "name"), Option.some("Ada"))
      assert.deepStrictEqual(yield* Redis.hget(k("h"), "none"), Option.none())
      assert.deepStrictEqual(yield* Redis.hmget(k("h"), ["name", "none", "born"]), [Option.some("Ada"), Option.none(), Option.some("1815")])
      assert.deepStrictEqual({ ...(yield* Redis.hgetall(k("h"))) }, { name: "Ada", born: "1815", city: "London" })
      assert.deepStrictEqual({ ...(yield* Redis.hgetall(k("none"))) }, {})
      assert.isTrue(yield* Redis.hexists(k("h"), "city"))
      assert.strictEqual(yield* Redis.hlen(k("h")), 3)
      assert.sameMembers([...(yield* Redis.hkeys(k("h")))], ["name", "born", "city"])
      assert.sameMembers([...(yield* Redis.hvals(k("h")))], ["Ada", "1815", "London"])
      assert.strictEqual(yield* Redis.hincrby(k("h"), "born", 1), 1816)
      assert.strictEqual(yield* Redis.hincrbyfloat(k("h"), "score", 0.5), 0.5)
      assert.isFalse(yield* Redis.hsetnx(k("h"), "name", "x"))
      assert.strictEqual(yield* Redis.hstrlen(k("h"), "city"), 6)
      assert.isTrue(Option.isSome(yield* Redis.hrandfield(k("h"))))
      assert.strictEqual((yield* Redis.hrandfieldCount(k("h"), 2)).length, 2)
      const withValues = yield* Redis.hrandfieldWithValues(k("h"), 10)
      assert.strictEqual(withValues.length, 4)
      assert.isTrue(withValues.every((pair) => typeof pair.field === "string" && typeof pair.value === "string"))
      const page = yield* Redis.hscan(k("h"), 0, { count: 100 })
      assert.strictEqual(page.cursor, "0")
      assert.strictEqual(page.items.length, 4)
      yield* Redis.hmset(k("h"), { extra: "1" })
      assert.strictEqual(yield* Redis.hdel(k("h"), ["extra", "score", "none"]), 2)
    })))

  it("raw call returns the decoded reply value; replies can be given a Schema", () =>
    run(Effect.gen(function*() {
      assert.strictEqual(yield* Redis.call(["PING"]), "PONG")
      yield* Redis.call(["SET", k("raw"), "v"])
      assert.strictEqual(yield* Redis.call(["GET", k("raw")]), "v")
      yield* Redis.call(["HSET", k("rawh"), "f", "1"])
      const all = yield* Redis.call(["HGETALL", k("rawh")])
      if (protocol === 3) assert.instanceOf(all, Map)
      else assert.deepStrictEqual(all, ["f", "1"])
      assert.deepStrictEqual({ ...(yield* Redis.call(["HGETALL", k("rawh")], { reply: Replies.stringRecord })) }, { f: "1" })
      assert.strictEqual(yield* Redis.ping(), "PONG")
      assert.strictEqual(yield* Redis.echo("hi"), "hi")
    })))

  it("errors are typed: ReplyError with code, DecodeError, InvalidArgumentError", () =>
    run(Effect.gen(function*() {
      yield* Redis.hset(k("wrong"), { a: 1 })
      const wrongType = yield* Effect.flip(Redis.incr(k("wrong")))
      assert.strictEqual(wrongType._tag, "ReplyError")
      if (wrongType._tag === "ReplyError") {
        assert.strictEqual(wrongType.code, "WRONGTYPE")
        assert.strictEqual(wrongType.command, "INCR")
      }
      yield* Redis.set(k("text"), "abc")
      const decode = yield* Effect.flip(Redis.call(["GET", k("text")], { reply: Replies.integer }))
      assert.strictEqual(decode._tag, "DecodeError")
      const invalid = yield* Effect.flip(Redis.set(k("bad"), undefined as never))
      assert.strictEqual(invalid._tag, "InvalidArgumentError")
      const nan = yield* Effect.flip(Redis.incrbyfloat(k("bad"), NaN))
      assert.strictEqual(nan._tag, "InvalidArgumentError")
      const conflict = yield* Effect.flip(Redis.set(k("bad"), "v", { nx: true, xx: true }))
      assert.strictEqual(conflict._tag, "InvalidArgumentError")
      // Nothing was sent for the invalid ones, and the connection still works.
      assert.deepStrictEqual(yield* Redis.get(k("bad")), Option.none())
    })))

  it("binary-safe keys and values", () =>
    run(Effect.gen(function*() {
      const bytes = new Uint8Array([0, 13, 10, 255, 254, 36, 42, 13, 10])
      const key = Buffer.concat([Buffer.from(k("bin")), Buffer.from([0xff, 0x00])])
      yield* Redis.set(key, bytes)
      const back = yield* Redis.getBytes(key)
      assert.deepStrictEqual([...Option.getOrThrow(back)], [...bytes])
      // A text reply right after a binary one on the same connection is still text.
      yield* Redis.set(k("text2"), "é")
      const [b, t] = yield* RedisClient.pipeline([Redis.getBytes(key), Redis.get(k("text2"))])
      assert.instanceOf(Option.getOrThrow(b), Uint8Array)
      assert.deepStrictEqual(t, Option.some("é"))
    })))

  it("pipeline: ordered values, per-command results, first failure fails the whole", () =>
    run(Effect.gen(function*() {
      yield* Redis.set(k("p"), "1")
      yield* Redis.hset(k("ph"), { a: 1 })
      const [a, b, c] = yield* RedisClient.pipeline([Redis.get(k("p")), Redis.incr(k("p")), Redis.exists(k("p"))])
      assert.deepStrictEqual(a, Option.some("1"))
      assert.strictEqual(b, 2)
      assert.strictEqual(c, 1)
      const results = yield* RedisClient.pipelineResults([Redis.incr(k("p")), Redis.incr(k("ph")), Redis.set(k("p"), "v", { nx: true, xx: true }), Redis.get(k("p"))])
      assert.isTrue(Result.isSuccess(results[0]))
      assert.strictEqual(Result.isFailure(results[1]) && results[1].failure._tag, "ReplyError")
      assert.strictEqual(Result.isFailure(results[2]) && results[2].failure._tag, "InvalidArgumentError")
      assert.deepStrictEqual(Result.getOrThrow(results[3]), Option.some("3"))
      const failed = yield* Effect.flip(RedisClient.pipeline([Redis.get(k("p")), Redis.incr(k("ph"))]))
      assert.strictEqual(failed._tag, "ReplyError")
      assert.deepStrictEqual(yield* RedisClient.pipeline([]), [])
    })))

  it("auto-pipelining: a thousand concurrent commands leave in a handful of writes, replies matched in order", () =>
    Effect.gen(function*() {
      const conn = yield* NodeConnection.connect({ host: server.host, port: server.port }, { protocol })
      const before = conn.stats.writes
      const values = yield* Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => i),
        (i) => conn.request(["ECHO", `v${i}`]),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(values, Array.from({ length: 1000 }, (_, i) => `v${i}`))
      assert.isAtMost(conn.stats.writes - before, 3)
      yield* conn.close()
    }).pipe(Effect.runPromise))

  it("error replies nested in arrays stay values", () =>
    run(Effect.gen(function*() {
      const reply = yield* Redis.call(["EVAL", "return {1, redis.error_reply('ERR nested')}", "0"])
      assert.isTrue(Array.isArray(reply))
      assert.instanceOf((reply as Array<unknown>)[1], RespErrorReply)
    })))
})

describe("standalone client lifecycle", () => {
  it("fails fast with a typed error for an unreachable node", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.provide(Redis.ping(), RedisNode.layer({ host: "127.0.0.1", port: 1 })))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.match(String(exit.cause), /ConnectionError|ECONNREFUSED/)
    }).pipe(Effect.runPromise))

  it("reconnects after the server kills the connection; unwritten commands are resent", () =>
    Effect.gen(function*() {
      const k = `${prefix}:reconnect`
      yield* Redis.set(k, "1")
      const id = yield* Redis.call(["CLIENT", "ID"])
      // Kill our own connection from a second one.
      yield* Effect.scoped(Effect.gen(function*() {
        const admin = yield* NodeConnection.connect(server)
        yield* admin.request(["CLIENT", "KILL", "ID", String(id)])
        yield* admin.close()
      }))
      yield* Effect.sleep("50 millis")
      assert.deepStrictEqual(yield* Redis.get(k), Option.some("1"))
      const newId = yield* Redis.call(["CLIENT", "ID"])
      assert.notStrictEqual(newId, id)
    }).pipe(Effect.provide(RedisNode.layer(server)), Effect.runPromise))

  it("a write in flight when the connection dies fails with written: true and is not replayed", () =>
    Effect.gen(function*() {
      const k = `${prefix}:inflight`
      const id = yield* Redis.call(["CLIENT", "ID"])
      const admin = yield* NodeConnection.connect(server)
      // WAIT (no replicas: it waits its whole timeout) holds the shared connection; a write queued behind it is
      // written but unanswered when the connection dies.
      const fiber = yield* Effect.forkChild(Effect.all([
        Effect.exit(Redis.call(["WAIT", 1, 5000])),
        Effect.exit(Redis.incr(k))
      ], { concurrency: "unbounded" }))
      yield* Effect.sleep("100 millis")
      yield* admin.request(["CLIENT", "KILL", "ID", String(id)])
      const [wait, incr] = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(wait))
      assert.isTrue(Exit.isFailure(incr))
      if (Exit.isFailure(incr)) assert.match(String(incr.cause), /INCR, written/)
      // The server never executed the INCR (it sat behind the blocked BLPOP) and the client did not replay it.
      yield* Effect.sleep("100 millis")
      assert.strictEqual(yield* admin.request(["GET", k]), null)
      yield* admin.close()
    }).pipe(Effect.provide(RedisNode.layer(server)), Effect.runPromise))

  it("graceful close waits for replies in flight", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* RedisNode.make(server)
        // WAIT 1 300 (no replicas) answers 0 after 0.3 s on the shared connection: a reply still in flight when
        // the scope closes.
        const inFlight = yield* Effect.forkDetach(client.run(Redis.call(["WAIT", 1, 300])))
        yield* Effect.sleep("20 millis")
        return inFlight
      }))
      // The scope has closed; the graceful close waited for the reply instead of failing it.
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.succeed(0))
    }).pipe(Effect.runPromise))
})
