/**
 * The publish side of pub/sub with its introspection, and the FUNCTION builders, against the shared cluster and
 * the standalone server under RESP2 and RESP3 (the same assertions everywhere). Subscribers are raw RESP2 sockets
 * opened by the test (the client has no subscribe API yet), closed with RESET when each test ends.
 *
 * What changes every library of a server (FUNCTION FLUSH, RESTORE FLUSH, a busy function to KILL) runs on a
 * private server, not on the shared ones.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis, RedisNode } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { RespDecoder, RespErrorReply, type RespValue } from "@effect-redis/resp"
import { LocalServer } from "@effect-redis/testkit"
import { Effect, Fiber, Option } from "effect"
import * as net from "node:net"
import { inject } from "vitest"
import { invalid } from "./support/commandChecks.ts"
import { runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("pubfn")

/** The failure of a command the server refuses, with the start of its message. */
const replyError = <A>(command: Command<A>, message: RegExp) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(command)
    assert.strictEqual(error._tag, "ReplyError", String(command))
    assert.match(error.message, message)
  })

// ---------------------------------------------------------------------------------------------------------------
// Raw subscribers

interface Node {
  readonly host: string
  readonly port: number
}

interface Subscriber {
  /** Messages received: `["message", channel, payload]`, `["pmessage", pattern, channel, payload]`... */
  readonly received: Array<ReadonlyArray<string>>
}

const encode = (args: ReadonlyArray<string>): string =>
  `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`

/**
 * A RESP2 connection to `node` that sent each of `commands` (SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE with one
 * channel each) and got every confirmation. Released with RESET (which drops its subscriptions before the
 * server replies), then closed.
 */
const subscriber = (node: Node, commands: ReadonlyArray<readonly [string, string]>) =>
  Effect.acquireRelease(
    Effect.callback<Subscriber & { readonly socket: net.Socket; readonly reset: Promise<void> }, Error>((resume) => {
      const socket = net.connect(node.port, node.host)
      const received: Array<ReadonlyArray<string>> = []
      let confirmed = 0
      let done = false
      let onReset: () => void = () => {}
      const reset = new Promise<void>((resolve) => (onReset = resolve))
      const finish = (outcome: Effect.Effect<Subscriber & { socket: net.Socket; reset: Promise<void> }, Error>) => {
        if (done) return
        done = true
        resume(outcome)
      }
      const decoder = new RespDecoder({
        onReply: (value: RespValue) => {
          if (value instanceof RespErrorReply) return finish(Effect.fail(new Error(`${node.port}: ${value.message}`)))
          if (value === "RESET") return onReset()
          if (!Array.isArray(value)) return
          const kind = String(value[0])
          if (kind === "subscribe" || kind === "psubscribe" || kind === "ssubscribe") {
            if (++confirmed === commands.length) finish(Effect.succeed({ received, socket, reset }))
          } else {
            received.push(value.map(String))
          }
        },
        onPush: () => {},
        onError: (error) => finish(Effect.fail(new Error(error.reason)))
      })
      socket.on("data", (chunk) => decoder.feed(chunk))
      socket.on("error", (error) => finish(Effect.fail(error)))
      socket.write(commands.map((command) => encode(command)).join(""))
      return Effect.sync(() => socket.destroy())
    }).pipe(Effect.timeout("5 seconds")),
    (sub) =>
      Effect.promise(() => {
        sub.socket.write(encode(["RESET"]))
        return Promise.race([sub.reset, new Promise((resolve) => setTimeout(resolve, 2_000))])
      }).pipe(Effect.ensuring(Effect.sync(() => sub.socket.destroy())))
  )

/** Waits (up to 3 s) until every subscriber has received `count` messages. */
const awaitMessages = (subscribers: ReadonlyArray<Subscriber>, count: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 300 && subscribers.some((sub) => sub.received.length < count); i++) yield* Effect.sleep("10 millis")
    for (const sub of subscribers) assert.strictEqual(sub.received.length, count, JSON.stringify(sub.received))
  })

/** Every node of the target: all cluster nodes (primaries and replicas), or the standalone server. */
const allNodes = Effect.gen(function*() {
  const cluster = yield* Effect.serviceOption(RedisCluster)
  if (Option.isNone(cluster)) return [inject("standalone")] as ReadonlyArray<Node>
  const snapshot = yield* cluster.value.topology
  return [...snapshot.nodes.values()].map((node): Node => ({ host: node.host, port: node.port }))
})

/** The node that owns `key`'s slot (its primary), or the standalone server. */
const ownerOf = (key: string) =>
  Effect.gen(function*() {
    const cluster = yield* Effect.serviceOption(RedisCluster)
    if (Option.isNone(cluster)) return inject("standalone") as Node
    const shard = (yield* cluster.value.topology).shardForSlot(keySlot(key))!
    return { host: shard.primary.host, port: shard.primary.port } as Node
  })

/** One key per shard (hash slot ranges of every primary), or one key on a standalone server. */
const keysOnEveryShard = (base: string) =>
  Effect.gen(function*() {
    const cluster = yield* Effect.serviceOption(RedisCluster)
    if (Option.isNone(cluster)) return [`${base}:0`]
    const snapshot = yield* cluster.value.topology
    const byPrimary = new Map<string, string>()
    for (let i = 0; byPrimary.size < snapshot.shards.length && i < 100_000; i++) {
      const key = `${base}:${i}`
      const primary = snapshot.shardForSlot(keySlot(key))!.primary.address
      if (!byPrimary.has(primary)) byPrimary.set(primary, key)
    }
    assert.strictEqual(byPrimary.size, 3)
    return [...byPrimary.values()]
  })

// ---------------------------------------------------------------------------------------------------------------

describe.each(targets.map((target, index) => ({ ...target, index })))("pub/sub and functions on $name", ({ name, layer, index }) => {
  const base = `${prefix}:${name}`

  it.live("PUBLISH to channel and pattern subscribers; PUBSUB CHANNELS / NUMSUB / NUMPAT", () =>
    Effect.gen(function*() {
      const channel = `${base}:news`
      const quiet = `${base}:quiet`
      // On a cluster: one subscriber on every node, so that whichever node takes the PUBLISH counts exactly one
      // channel and one pattern subscription (PUBLISH counts the answering node's receivers), and the PUBSUB
      // introspection (sent to every node and summed) counts one per node.
      const nodes = yield* allNodes
      const subscribers = yield* Effect.forEach(nodes, (node) => subscriber(node, [["SUBSCRIBE", channel], ["PSUBSCRIBE", `${base}:n*`]]))

      assert.strictEqual(yield* Redis.publish(channel, "hello"), 2)
      // Every node's subscribers get the message (a cluster forwards it over the bus), once per subscription.
      yield* awaitMessages(subscribers, 2)
      for (const sub of subscribers) {
        assert.deepStrictEqual(sub.received, [["message", channel, "hello"], ["pmessage", `${base}:n*`, channel, "hello"]])
      }
      assert.strictEqual(yield* Redis.publish(quiet, new Uint8Array([1, 2])), 0)
      assert.strictEqual(yield* Redis.publish(`${base}:nothing`, "x"), 1)

      assert.deepStrictEqual(yield* Redis.pubsubChannels(`${base}:*`), [channel])
      assert.deepStrictEqual(yield* Redis.pubsubChannels(`${base}:q*`), [])
      assert.isTrue((yield* Redis.pubsubChannels()).includes(channel))
      assert.deepStrictEqual(yield* Redis.pubsubNumsub([channel, quiet]), new Map([[channel, nodes.length], [quiet, 0]]))
      assert.deepStrictEqual(yield* Redis.pubsubNumsub(quiet), new Map([[quiet, 0]]))
      assert.deepStrictEqual(yield* Redis.pubsubNumsub([]), new Map())
      assert.strictEqual(yield* Redis.pubsubNumpat(), nodes.length)
    }).pipe(Effect.scoped, Effect.andThen(
      // Released: RESET dropped every subscription before its reply.
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* Redis.pubsubChannels(`${base}:*`), [])
        assert.strictEqual(yield* Redis.pubsubNumpat(), 0)
      })
    ), Effect.provide(layer)))

  it.live("SPUBLISH to a shard channel subscriber; PUBSUB SHARDCHANNELS / SHARDNUMSUB", () =>
    Effect.gen(function*() {
      const shardChannel = `${base}:{orders}:created`
      const idle = `${base}:{orders}:idle`
      // A shard channel lives on the shard of its slot: the subscriber connects to that slot's primary, where the
      // client sends SPUBLISH (routed like a key).
      const owner = yield* ownerOf(shardChannel)
      const sub = yield* subscriber(owner, [["SSUBSCRIBE", shardChannel]])
      assert.deepStrictEqual(Redis.spublish(shardChannel, "x").keyIndexes, [1])

      assert.strictEqual(yield* Redis.spublish(shardChannel, "order 1"), 1)
      yield* awaitMessages([sub], 1)
      assert.deepStrictEqual(sub.received, [["smessage", shardChannel, "order 1"]])
      assert.strictEqual(yield* Redis.spublish(idle, "nobody"), 0)

      assert.deepStrictEqual(yield* Redis.pubsubShardchannels(`${base}:*`), [shardChannel])
      assert.deepStrictEqual(yield* Redis.pubsubShardchannels(`${base}:*:idle`), [])
      assert.isTrue((yield* Redis.pubsubShardchannels()).includes(shardChannel))
      assert.deepStrictEqual(yield* Redis.pubsubShardnumsub([shardChannel, idle]), new Map([[shardChannel, 1], [idle, 0]]))
      assert.deepStrictEqual(yield* Redis.pubsubShardnumsub(shardChannel), new Map([[shardChannel, 1]]))
    }).pipe(Effect.scoped, Effect.provide(layer)))

  it.live("FUNCTION LOAD / LIST / DUMP / RESTORE / STATS / DELETE / KILL; a loaded function runs on every shard", () =>
    Effect.gen(function*() {
      const library = `lib_${process.pid}_${index}`
      const incr = `incr_${process.pid}_${index}`
      const peek = `peek_${process.pid}_${index}`
      const code = `#!lua name=${library}
redis.register_function('${incr}', function(keys, args) return redis.call('INCR', keys[1]) end)
redis.register_function{function_name='${peek}', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads a key'}
`
      assert.strictEqual(yield* Redis.functionLoad(code), library)
      yield* replyError(Redis.functionLoad(code), /already exists/)
      assert.strictEqual(yield* Redis.functionLoad(code, { replace: true }), library)

      // On a cluster the library went to every primary: keys of every shard can use it.
      for (const key of yield* keysOnEveryShard(`${base}:fn`)) {
        assert.strictEqual(yield* Redis.fcall(incr, { keys: [key] }), 1)
        assert.strictEqual(yield* Redis.fcallRo(peek, { keys: [key] }), "1")
      }

      const byName = <A extends { readonly name: string }>(items: ReadonlyArray<A>) => [...items].sort((a, b) => a.name < b.name ? -1 : 1)
      const expectedFunctions = [
        { name: incr, description: Option.none(), flags: [] },
        { name: peek, description: Option.some("reads a key"), flags: ["no-writes"] }
      ]
      const [listed] = yield* Redis.functionList({ libraryName: library })
      assert.deepStrictEqual({ ...listed!, functions: byName(listed!.functions) }, {
        libraryName: library,
        engine: "LUA",
        functions: expectedFunctions,
        libraryCode: Option.none()
      })
      const withCode = yield* Redis.functionList({ libraryName: `lib_${process.pid}_${index}*`, withCode: true })
      assert.strictEqual(withCode.length, 1)
      assert.deepStrictEqual(withCode[0]!.libraryCode, Option.some(code))
      assert.deepStrictEqual(yield* Redis.functionList({ libraryName: `nothing_${process.pid}*` }), [])
      assert.isTrue((yield* Redis.functionList()).some((lib) => lib.libraryName === library))

      const stats = yield* Redis.functionStats()
      assert.deepStrictEqual(stats.runningScript, Option.none())
      assert.deepStrictEqual(Object.keys(stats.engines), ["LUA"])
      assert.strictEqual(Object.getPrototypeOf(stats.engines), null)
      assert.isAtLeast(stats.engines.LUA!.librariesCount, 1)
      assert.isAtLeast(stats.engines.LUA!.functionsCount, 2)

      const payload = yield* Redis.functionDump()
      assert.instanceOf(payload, Uint8Array)
      assert.isAbove(payload.length, code.length / 4)
      // APPEND (the default) refuses a library that exists; REPLACE overwrites with the same libraries.
      yield* replyError(Redis.functionRestore(payload), /already exists/)
      yield* replyError(Redis.functionRestore(payload, { policy: "APPEND" }), /already exists/)
      yield* Redis.functionRestore(payload, { policy: "REPLACE" })

      yield* Redis.functionDelete(library)
      assert.deepStrictEqual(yield* Redis.functionList({ libraryName: library }), [])
      yield* replyError(Redis.functionDelete(library), /Library not found/)
      yield* replyError(Redis.fcall(incr, { keys: [`${base}:fn:x`] }), /Function not found/)

      yield* replyError(Redis.functionKill(), /NOTBUSY/)

      yield* invalid(Redis.functionFlush({ mode: "LATER" as "SYNC" }))
      yield* invalid(Redis.functionRestore(payload, { policy: "MERGE" as "APPEND" }))
    }).pipe(Effect.provide(layer)))
})

describe.each([2, 3] as const)("FUNCTION FLUSH / RESTORE policies / STATS / KILL on a private server, RESP%s", (protocol) => {
  const library = (name: string, body: string) => `#!lua name=${name}\n${body}\n`
  const one = library("one", "redis.register_function('one_a', function() return 1 end)\nredis.register_function('one_b', function() return 2 end)")
  // Spins (without writing, so it can be killed) for at most 10 s.
  const busy = library(
    "busy",
    "redis.register_function{function_name='spin', callback=function() local t = redis.call('TIME')[1] + 0 while redis.call('TIME')[1] + 0 < t + 10 do end return 'done' end, flags={'no-writes'}}"
  )
  const three = library("three", "redis.register_function('three_a', function() return 3 end)")
  const names = (libraries: ReadonlyArray<{ readonly libraryName: string }>) => libraries.map((lib) => lib.libraryName).sort()

  it.live("restores with APPEND, REPLACE and FLUSH; FLUSH SYNC/ASYNC; STATS shows and KILL stops a running function", () =>
    Effect.gen(function*() {
      // Replies stop while a script runs until busy-reply-threshold passes; keep it short.
      const server = yield* LocalServer.make({ extraConfig: ["busy-reply-threshold 100"] })
      const client = RedisNode.layer({ url: server.url, protocol })
      yield* Effect.gen(function*() {
        yield* Redis.functionFlush()
        assert.deepStrictEqual(yield* Redis.functionList(), [])
        assert.deepStrictEqual(yield* Redis.functionStats(), {
          runningScript: Option.none(),
          engines: Object.assign(Object.create(null), { LUA: { librariesCount: 0, functionsCount: 0 } })
        })
        yield* Redis.functionLoad(one)
        yield* Redis.functionLoad(busy)
        assert.deepStrictEqual((yield* Redis.functionStats()).engines.LUA, { librariesCount: 2, functionsCount: 3 })

        const payload = yield* Redis.functionDump()
        yield* Redis.functionFlush({ mode: "SYNC" })
        assert.deepStrictEqual(yield* Redis.functionList(), [])
        yield* Redis.functionRestore(payload)
        assert.deepStrictEqual(names(yield* Redis.functionList()), ["busy", "one"])
        yield* replyError(Redis.functionRestore(payload, { policy: "APPEND" }), /already exists/)
        yield* Redis.functionRestore(payload, { policy: "REPLACE" })
        yield* Redis.functionLoad(three)
        assert.deepStrictEqual(names(yield* Redis.functionList()), ["busy", "one", "three"])
        // FLUSH drops what the payload does not hold.
        yield* Redis.functionRestore(payload, { policy: "FLUSH" })
        assert.deepStrictEqual(names(yield* Redis.functionList()), ["busy", "one"])
        yield* replyError(Redis.functionRestore(new Uint8Array([1, 2, 3]), { policy: "REPLACE" }), /payload/i)

        // A running function, on a connection of its own (another client).
        const running = yield* Redis.fcallRo("spin").pipe(Effect.provide(RedisNode.layer({ url: server.url, protocol })), Effect.forkChild)
        let stats = yield* Redis.functionStats()
        for (let i = 0; i < 100 && Option.isNone(stats.runningScript); i++) {
          yield* Effect.sleep("20 millis")
          stats = yield* Redis.functionStats()
        }
        const script = Option.getOrThrow(stats.runningScript)
        assert.strictEqual(script.name, "spin")
        assert.deepStrictEqual(script.command, ["FCALL_RO", "spin", "0"])
        assert.isAtLeast(script.durationMs, 0)
        assert.isBelow(script.durationMs, 5_000)
        yield* Redis.functionKill()
        const killed = yield* Effect.flip(Fiber.join(running))
        assert.strictEqual(killed._tag, "ReplyError")
        assert.match(killed.message, /killed/i)
        assert.deepStrictEqual((yield* Redis.functionStats()).runningScript, Option.none())
        yield* replyError(Redis.functionKill(), /NOTBUSY/)

        yield* Redis.functionFlush({ mode: "ASYNC" })
        assert.deepStrictEqual(yield* Redis.functionList(), [])
        assert.deepStrictEqual((yield* Redis.functionStats()).engines.LUA, { librariesCount: 0, functionsCount: 0 })
      }).pipe(Effect.provide(client))
    }))
})
