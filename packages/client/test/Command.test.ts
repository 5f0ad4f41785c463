import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Result, Schema } from "effect"
import { ClusterPolicy, InvalidArgumentError, isCommand, Redis, RedisClient, Replies } from "@effect-redis/client"
import { CommandFlags, hasFlag } from "@effect-redis/client/Command"
import { RespErrorReply } from "@effect-redis/resp"

describe("Command model", () => {
  it("is a pure value with its full command line, keys, flags and policy", () => {
    const cmd = Redis.set("k", "v", { px: 100, nx: true })
    assert.isTrue(isCommand(cmd))
    assert.deepStrictEqual(cmd.args, ["SET", "k", "v", "PX", 100, "NX"])
    assert.strictEqual(cmd.name, "SET")
    assert.deepStrictEqual(cmd.keyIndexes, [1])
    assert.isTrue(hasFlag(cmd.spec.flags, CommandFlags.write))
    assert.deepStrictEqual(cmd.spec.policy, ClusterPolicy.singleSlot)
    assert.strictEqual(cmd.invalid, undefined)
  })

  it("knows multi-key positions and cluster policies", () => {
    assert.deepStrictEqual(Redis.mset({ a: 1, b: 2 }).keyIndexes, [1, 3])
    assert.deepStrictEqual(Redis.mget(["a", "b", "c"]).keyIndexes, [1, 2, 3])
    assert.deepStrictEqual(Redis.del(["a", "b"]).spec.policy, ClusterPolicy.splitBySlot("sum"))
    assert.deepStrictEqual(Redis.keys("*").keyIndexes, [])
    assert.deepStrictEqual(Redis.objectEncoding("k").keyIndexes, [2])
    assert.deepStrictEqual(Redis.sortStore("src", "dst").keyIndexes, [1, 3])
    assert.strictEqual(Redis.move("k", 1).spec.policy._tag, "unsupported")
  })

  it("marks invalid option combinations without throwing", () => {
    assert.match(Redis.set("k", "v", { nx: true, xx: true }).invalid!, /nx and xx/)
    assert.match(Redis.set("k", "v", { ex: 1, px: 2 }).invalid!, /ex and px/)
    assert.match(Redis.set("k", "v", { ex: 0 }).invalid!, /ex must be an integer >= 1/)
    assert.match(Redis.mget([]).invalid!, /at least one key/)
    assert.match(Redis.hset("h", {}).invalid!, /pairs must not be empty/)
    assert.match(Redis.call([]).invalid!, /command name/)
    assert.match(Redis.call(["subscribe", "ch"]).invalid!, /dedicated API/)
  })

  it("is an Effect that runs on whichever RedisClient is provided", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const client = Layer.succeed(RedisClient, RedisClient.of({
        run: (command) => {
          seen.push(command.args.join(" "))
          return Effect.succeed(command.spec.reply.decode("42") as never)
        },
        pipelineResults: (commands) => Effect.succeed(commands.map(() => Result.succeed("x")) as never),
        watch: () => Effect.die("unused")
      }))
      const value = yield* Redis.get("k").pipe(Effect.provide(client))
      assert.deepStrictEqual(value, Option.some("42"))
      const [a, b] = yield* RedisClient.pipeline([Redis.get("a"), Redis.echo("b")]).pipe(Effect.provide(client))
      assert.strictEqual(a as unknown, "x")
      assert.strictEqual(b as unknown, "x")
      assert.deepStrictEqual(seen, ["GET k"])
    }).pipe(Effect.runPromise))

  it("reports invalid builder options as InvalidArgumentError when run", () =>
    Effect.gen(function*() {
      const client = Layer.succeed(RedisClient, RedisClient.of({
        run: (command) =>
          command.invalid === undefined
            ? Effect.die("should not run")
            : Effect.fail(new InvalidArgumentError({ command: command.name, reason: command.invalid })),
        pipelineResults: () => Effect.die("unused"),
        watch: () => Effect.die("unused")
      }))
      const exit = yield* Effect.exit(Redis.set("k", "v", { nx: true, xx: true }).pipe(Effect.provide(client)))
      assert.isTrue(Exit.isFailure(exit))
    }).pipe(Effect.runPromise))
})

describe("Replies decode RESP2 and RESP3 shapes to one type", () => {
  const decode = <A>(reply: { readonly schema: Schema.Codec<A, unknown> }, raw: unknown) =>
    Schema.decodeUnknownSync(reply.schema)(raw)

  it("hash replies: RESP3 map and RESP2 flat array give the same record", () => {
    const resp3 = new Map([["name", "ada"], ["age", "36"]])
    const resp2 = ["name", "ada", "age", "36"]
    assert.deepStrictEqual({ ...decode(Replies.stringRecord, resp3) }, { name: "ada", age: "36" })
    assert.deepStrictEqual({ ...decode(Replies.stringRecord, resp2) }, { name: "ada", age: "36" })
    assert.deepStrictEqual({ ...Replies.stringRecord.decode(resp2) as object }, { name: "ada", age: "36" })
  })

  it("keeps __proto__ as a plain field", () => {
    const record = Replies.stringRecord.decode(["__proto__", "x"]) as Record<string, string>
    assert.strictEqual(record["__proto__"], "x")
    assert.strictEqual(Object.getPrototypeOf(record), null)
  })

  it("floats: RESP3 doubles and RESP2 bulk strings, with infinities", () => {
    for (const [raw, expected] of [[1.5, 1.5], ["1.5", 1.5], ["inf", Infinity], ["-inf", -Infinity], [Infinity, Infinity]] as const) {
      assert.strictEqual(decode(Replies.float, raw), expected)
    }
  })

  it("field-value pairs: RESP3 array of pairs and RESP2 flat array", () => {
    const expected = [{ field: "a", value: "1" }, { field: "b", value: "2" }]
    assert.deepStrictEqual(decode(Replies.fieldValues, [["a", "1"], ["b", "2"]]), expected)
    assert.deepStrictEqual(decode(Replies.fieldValues, ["a", "1", "b", "2"]), expected)
  })

  it("booleans from integers and RESP3 booleans; sets as arrays", () => {
    assert.strictEqual(decode(Replies.boolean, 1), true)
    assert.strictEqual(decode(Replies.boolean, false), false)
    assert.deepStrictEqual(decode(Replies.strings, new Set(["a", "b"])), ["a", "b"])
  })

  it("rejects a wrong shape through the Schema and the fast path alike", () => {
    assert.throws(() => decode(Replies.integer, "abc"))
    assert.strictEqual(Replies.integer.decode("abc")?.constructor.name, "ReplyMismatch")
    assert.throws(() => decode(Replies.optionalString, [1, 2]))
    assert.throws(() => decode(Replies.ok, new RespErrorReply("ERR x")))
  })
})

describe("Redis.call", () => {
  it("refuses commands that would break a shared connection, subcommands given as bytes included", () => {
    for (const args of [
      ["SUBSCRIBE", "ch"], ["multi"], ["SELECT", 1], ["AUTH", "pw"], ["HELLO", 3], ["SYNC"], ["PSYNC", "?", -1],
      ["client", "setname", "x"], ["CLIENT", new TextEncoder().encode("tracking"), "on"], ["SCRIPT", "DEBUG", "yes"]
    ] as ReadonlyArray<ReadonlyArray<string | number | Uint8Array>>) {
      const command = Redis.call(args)
      assert.isDefined(command.invalid, String(args[0]))
      assert.include(command.invalid, "changes the connection's state")
    }
    assert.isDefined(Redis.call([]).invalid)
  })

  it("takes key positions, the read-only flag, the cluster policy and the block time from the catalog", () => {
    const get = Redis.call(["get", "k"])
    assert.deepStrictEqual(get.keyIndexes, [1])
    assert.isTrue(hasFlag(get.spec.flags, CommandFlags.readonly))
    assert.deepStrictEqual(Redis.call(["ZUNIONSTORE", "d", 2, "a", "b", "WEIGHTS", 1, 2]).keyIndexes, [1, 3, 4])
    assert.deepStrictEqual(Redis.call(["DBSIZE"]).spec.policy, ClusterPolicy.allPrimaries("sum"))
    assert.deepStrictEqual(Redis.call(["MGET", "a", "b"]).spec.policy, ClusterPolicy.splitBySlot("keyOrder"))
    assert.strictEqual(Redis.call(["SWAPDB", 0, 1]).spec.policy._tag, "unsupported")
    const blpop = Redis.call(["BLPOP", "a", "b", 1.5])
    assert.strictEqual(blpop.spec.blockingTimeout?.(blpop.args), 1500)
    assert.isFalse(hasFlag(Redis.call(["SET", "k", "v"]).spec.flags, CommandFlags.readonly))
    // Explicit options win; commands the catalog does not know route by the keys given.
    assert.deepStrictEqual(Redis.call(["MODULE.CMD", "x", "k"], { keys: [2] }).keyIndexes, [2])
    assert.deepStrictEqual(Redis.call(["MODULE.CMD", "x"]).keyIndexes, [])
  })
})
