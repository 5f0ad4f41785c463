/**
 * Blocking commands (BLPOP, XREAD BLOCK...) run on connections of their own, on a cluster and on a standalone
 * server: they never stall the other commands to the same node, their deadline is their block time plus the
 * command timeout, and an interrupted one is dropped by the server instead of popping an element nobody receives.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RedisClient, RedisNode } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { Duration, Effect, Fiber, type Layer, Option, Result } from "effect"
import { inject } from "vitest"

const prefix = `blocking:${process.pid}:${Date.now()}`

const countLines = (list: unknown) => String(list).trim().split("\n").length
// Only this file's capped client (by name): other test files may have clients blocked on the same servers.
const cappedName = `capped-${process.pid}`
const countBlocked = (list: unknown) =>
  String(list).trim().split("\n").filter((line) => line.includes(` name=${cappedName} `) && / flags=\S*b/.test(line)).length

/** How many client connections the server holding `key` reports (CLIENT LIST has no keys: ask that node). */
type ConnectionCount = (key: string) => Effect.Effect<number, unknown, RedisClient | RedisCluster>

const targets: ReadonlyArray<readonly [string, (options: { readonly commandTimeout?: Duration.Input; readonly maxBlockingConnections?: number; readonly clientName?: string }) => Layer.Layer<RedisClient | RedisCluster, unknown>, ConnectionCount, ConnectionCount]> = [
  [
    "cluster",
    (options) => RedisCluster.layer({ startupNodes: inject("clusterNodes"), ...options }),
    (key) =>
      Effect.flatMap(RedisCluster.topology, (snapshot) =>
        Effect.map(RedisCluster.onNode(snapshot.shardForSlot(keySlot(key))!.primary.address, Redis.call(["CLIENT", "LIST"])), countLines)),
    (key) =>
      Effect.flatMap(RedisCluster.topology, (snapshot) =>
        Effect.map(RedisCluster.onNode(snapshot.shardForSlot(keySlot(key))!.primary.address, Redis.call(["CLIENT", "LIST"])), countBlocked))
  ],
  [
    "standalone",
    (options) => RedisNode.layer({ url: inject("standaloneUrl"), ...options }) as Layer.Layer<RedisClient | RedisCluster, unknown>,
    (_key) => Effect.map(Redis.call(["CLIENT", "LIST"]), countLines),
    (_key) => Effect.map(Redis.call(["CLIENT", "LIST"]), countBlocked)
  ]
]

describe.each(targets)("blocking commands on a %s", (name, layerWith, connectionsOf, blockedOn) => {
  const k = (key: string) => `${prefix}:${name}:{b}${key}`
  const layer = layerWith({})

  it.live("a blocked BLPOP does not stall other commands to the same node", () =>
    Effect.gen(function*() {
      const blocked = yield* Effect.forkChild(Redis.blpop(k("empty"), 2))
      yield* Effect.sleep("50 millis")
      // Same hash tag: the same node, which a shared connection would make wait behind the BLPOP.
      const started = Date.now()
      for (let i = 0; i < 20; i++) yield* Redis.set(k(`other:${i}`), i)
      assert.deepStrictEqual(yield* Redis.get(k("other:7")), Option.some("7"))
      assert.isBelow(Date.now() - started, 1_000)
      yield* Redis.lpush(k("empty"), "wake")
      assert.deepStrictEqual(yield* Fiber.join(blocked), Option.some({ key: k("empty"), element: "wake" }))
    }).pipe(Effect.provide(layer)))

  it.live("the deadline is the block time plus the command timeout: a 600 ms BLPOP outlives a 200 ms commandTimeout", () =>
    Effect.gen(function*() {
      const started = Date.now()
      assert.deepStrictEqual(yield* Redis.blpop(k("slow"), 0.6), Option.none())
      assert.isAtLeast(Date.now() - started, 550)
      // Ordinary commands keep the short timeout.
      assert.strictEqual(yield* Redis.set(k("fast"), "x"), true)
    }).pipe(Effect.provide(layerWith({ commandTimeout: "200 millis" }))))

  it.live("an interrupted BLPOP is dropped by the server: an element pushed afterwards stays in the list", () =>
    Effect.gen(function*() {
      const blocked = yield* Effect.forkChild(Redis.blpop(k("interrupted"), 0))
      yield* Effect.sleep("100 millis")
      yield* Fiber.interrupt(blocked)
      // Give the close time to reach the server before the push.
      yield* Effect.sleep("100 millis")
      yield* Redis.rpush(k("interrupted"), "kept")
      yield* Effect.sleep("100 millis")
      assert.deepStrictEqual(yield* Redis.lrange(k("interrupted"), 0, -1), ["kept"])
    }).pipe(Effect.provide(layer)))

  it.live("dedicated connections are reused: 20 blocking calls in a row open at most one more connection", () =>
    Effect.gen(function*() {
      yield* Redis.rpush(k("reuse"), Array.from({ length: 25 }, (_, i) => `e${i}`))
      yield* Redis.blpop(k("reuse"), 1)
      const before = yield* connectionsOf(k("reuse"))
      for (let i = 0; i < 20; i++) yield* Redis.blpop(k("reuse"), 1)
      const after = yield* connectionsOf(k("reuse"))
      assert.isAtMost(after - before, 1)
      assert.strictEqual(yield* Redis.llen(k("reuse")), 4)
    }).pipe(Effect.provide(layer)))

  it.live("untyped Redis.call of a blocking command and a blocking command in a pipeline get dedicated connections too", () =>
    Effect.gen(function*() {
      const viaCall = yield* Effect.forkChild(Redis.call(["BLPOP", k("call"), 2]))
      const viaPipeline = yield* Effect.forkChild(RedisClient.pipelineResults([Redis.blpop(k("pipe"), 2), Redis.get(k("other:1"))]))
      yield* Effect.sleep("100 millis")
      const started = Date.now()
      yield* Redis.set(k("other:1"), "one")
      assert.isBelow(Date.now() - started, 1_000)
      yield* Redis.rpush(k("call"), "c")
      yield* Redis.rpush(k("pipe"), "p")
      assert.deepStrictEqual(yield* Fiber.join(viaCall), [k("call"), "c"])
      const [popped, other] = yield* Fiber.join(viaPipeline)
      assert.deepStrictEqual(popped, Result.succeed(Option.some({ key: k("pipe"), element: "p" })))
      assert.isTrue(Result.isSuccess(other))
    }).pipe(Effect.provide(layerWith({ commandTimeout: "1 second" }))))

  it.live("maxBlockingConnections: 2 keeps at most two blocked at once per node; the others wait their turn", () =>
    Effect.gen(function*() {
      const waiters = yield* Effect.forkChild(
        Effect.all(Array.from({ length: 4 }, () => Redis.blpop(k("capped"), 3)), { concurrency: "unbounded" })
      )
      yield* Effect.sleep("200 millis")
      const blocked = yield* blockedOn(k("capped"))
      assert.strictEqual(blocked, 2)
      yield* Redis.rpush(k("capped"), ["a", "b", "c", "d"])
      const popped = yield* Fiber.join(waiters)
      assert.deepStrictEqual(popped.map((p) => Option.getOrThrow(p).element).sort(), ["a", "b", "c", "d"])
    }).pipe(Effect.provide(layerWith({ maxBlockingConnections: 2, clientName: cappedName }))))

  it.live("concurrent blocking calls each get a connection and are all served", () =>
    Effect.gen(function*() {
      const waiters = yield* Effect.forkChild(
        Effect.all(Array.from({ length: 6 }, () => Redis.blpop(k("many"), 3)), { concurrency: "unbounded" })
      )
      yield* Effect.sleep("100 millis")
      yield* Redis.rpush(k("many"), ["a", "b", "c", "d", "e", "f"])
      const popped = yield* Fiber.join(waiters)
      assert.deepStrictEqual(popped.map((p) => Option.getOrThrow(p).element).sort(), ["a", "b", "c", "d", "e", "f"])
    }).pipe(Effect.provide(layer)))
})

it.live("closing the client ends a command blocked forever with a ConnectionError instead of hanging", () =>
  Effect.gen(function*() {
    const key = `${prefix}:close:{c}list`
    const exit = yield* Effect.gen(function*() {
      const blocked = yield* Effect.forkDetach(Effect.exit(Redis.blpop(key, 0)))
      yield* Effect.sleep("100 millis")
      return blocked
    }).pipe(
      Effect.provide(RedisCluster.layer({ startupNodes: inject("clusterNodes") })),
      Effect.flatMap(Fiber.join),
      Effect.timeout(Duration.seconds(10))
    )
    assert.isTrue(exit._tag === "Failure")
  }))

it.live("ensureReplication covers a blocking write: WAIT runs on the dedicated connection that made it", () =>
  Effect.gen(function*() {
    const [source, destination] = [`${prefix}:repl:{r}src`, `${prefix}:repl:{r}dst`]
    yield* Redis.rpush(source, "job")
    const moved = yield* RedisCluster.ensureReplication({ replicas: 1, timeout: "2 seconds" })(
      Redis.blmove(source, destination, "LEFT", "RIGHT", 1)
    )
    assert.deepStrictEqual(moved, Option.some("job"))
  }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: inject("clusterNodes") }))))

it.live("WAIT stays on the shared connection (it counts that connection's writes) with its deadline extended by its timeout", () =>
  Effect.gen(function*() {
    // The shared standalone server has no replicas: WAIT 1 waits its whole timeout, longer than commandTimeout.
    yield* Redis.set(`${prefix}:wait`, "x")
    const started = Date.now()
    assert.strictEqual(yield* Redis.wait(1, 400), 0)
    assert.isAtLeast(Date.now() - started, 350)
  }).pipe(Effect.provide(RedisNode.layer({ url: inject("standaloneUrl"), commandTimeout: "200 millis" }))))
