/**
 * What a cluster client refuses before sending, against the shared cluster and standalone server: SCAN's cursor
 * and INFO keyspace (one node's keyspace would look like the cluster's: never a partial answer presented as
 * complete; `RedisCluster.onNode` / `onNodes` run them per node), the commands the README lists as unsupported on
 * a cluster (`UnsupportedInClusterError` naming the command and the reason), and refusal messages that keep the
 * user's arguments out of upper case.
 */
import { assert, describe, it } from "@effect/vitest"
import { InvalidArgumentError, Redis, RedisClient, RedisNode, type RespArg, UnsupportedInClusterError } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { Effect, Layer, Result } from "effect"
import { inject } from "vitest"
import { runPrefix } from "./support/targets.ts"

const prefix = runPrefix("refusals")
const clusterLayer = (clientName?: string) => RedisCluster.layer({ startupNodes: inject("clusterNodes"), clientName })
const standaloneLayer = RedisNode.layer({ url: inject("standaloneUrl") })

const expectUnsupported = (error: unknown, command: string, mentions: ReadonlyArray<string> = []): UnsupportedInClusterError => {
  assert.instanceOf(error, UnsupportedInClusterError, `expected UnsupportedInClusterError for ${command}, got ${String(error)}`)
  const typed = error as UnsupportedInClusterError
  assert.strictEqual(typed.command, command)
  assert.isAbove(typed.reason.length, 10)
  assert.include(typed.message, `${command} is not available on a cluster`)
  for (const text of mentions) assert.include(typed.message, text)
  return typed
}

/** Keys spread over every slot range, all matching `<prefix>:<name>:*`. */
const spreadKeys = (name: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}:${name}:${i}`)

/** Every page of a SCAN cursor loop, as a user writes it: until the cursor comes back as "0". */
const scanLoop = <E, R>(page: (cursor: string) => Effect.Effect<{ readonly cursor: string; readonly items: ReadonlyArray<string> }, E, R>) =>
  Effect.gen(function*() {
    const seen = new Set<string>()
    let cursor = "0"
    do {
      const result = yield* page(cursor)
      for (const key of result.items) seen.add(key)
      cursor = result.cursor
    } while (cursor !== "0")
    return seen
  })

describe("SCAN's cursor on a cluster", () => {
  const keys = spreadKeys("scan", 150)
  const match = `${prefix}:scan:*`

  const clientName = `refusals-${process.pid}`
  it.live("is refused before sending, in every form: no partial answer is ever returned as if complete", () =>
    Effect.gen(function*() {
      yield* Effect.forEach(keys, (key) => Redis.set(key, "v"), { concurrency: 30, discard: true })
      assert.isAbove(new Set(keys.map((key) => keySlot(key))).size, 100)
      // Every primary gets a command on this client's connection, so its last command is known (see below).
      yield* Redis.dbsize()

      const mentions = ["RedisClient.scan", "RedisCluster.onNode"]
      expectUnsupported(yield* Effect.flip(Redis.scan(0, { match, count: 1000 })), "SCAN", mentions)
      expectUnsupported(yield* Effect.flip(Redis.scan("0")), "SCAN", mentions)
      expectUnsupported(yield* Effect.flip(Redis.call(["SCAN", "0", "MATCH", match])), "SCAN", mentions)
      expectUnsupported(yield* Effect.flip(Redis.call(["scan", 0])), "SCAN", mentions)
      // Declaring the call keyless does not make one node's answer the cluster's.
      expectUnsupported(yield* Effect.flip(Redis.call(["SCAN", 0], { keys: [] })), "SCAN", mentions)
      // The cursor loop of the issue: it stops at once with the typed error instead of ending with a third of the keys.
      expectUnsupported(yield* Effect.flip(scanLoop((cursor) => Redis.scan(cursor, { match }))), "SCAN")
      // In a pipeline, only the SCAN fails; the other commands run.
      const [scanned, got] = yield* RedisClient.pipelineResults([Redis.scan(0), Redis.get(keys[0]!)])
      assert.isTrue(Result.isFailure(scanned))
      if (Result.isFailure(scanned)) expectUnsupported(scanned.failure, "SCAN")
      assert.isTrue(Result.isSuccess(got))

      // Nothing was sent: on every primary, this client's connection last ran DBSIZE or GET, never SCAN.
      const lists = yield* RedisCluster.onNodes("primaries", Redis.clientList({ type: "normal" }))
      let connections = 0
      for (const [node, result] of lists) {
        const clients = Result.getOrThrow(result).filter((client) => client.name === clientName)
        connections += clients.length
        for (const client of clients) assert.include(["dbsize", "get", "client|list", "cluster|shards", "cluster|slots"], client.cmd, `${node}: ${client.cmd}`)
      }
      assert.isAtLeast(connections, 3)
    }).pipe(Effect.provide(clusterLayer(clientName))))

  it.live("per node, RedisCluster.onNode runs the cursor: each primary's keys, together every key", () =>
    Effect.gen(function*() {
      yield* Effect.forEach(keys, (key) => Redis.set(key, "v"), { concurrency: 30, discard: true })
      const snapshot = yield* RedisCluster.topology
      const all = new Set<string>()
      for (const shard of snapshot.shards) {
        const address = shard.primary.address
        const own = yield* scanLoop((cursor) => RedisCluster.onNode(address, Redis.scan(cursor, { match, count: 50 })))
        // A node's scan holds exactly the keys of its slots.
        for (const key of own) assert.strictEqual(snapshot.shardForSlot(keySlot(key))!.primary.address, address, key)
        for (const key of own) all.add(key)
      }
      assert.deepStrictEqual([...all].sort(), [...keys].sort())
      // onNodes runs one page on every primary, each node's own result.
      const pages = yield* RedisCluster.onNodes("primaries", Redis.scan(0, { match, count: 10 }))
      assert.strictEqual(pages.size, snapshot.shards.length)
      for (const result of pages.values()) assert.isTrue(Result.isSuccess(result))
    }).pipe(Effect.provide(clusterLayer())))

  it.live("on a standalone server the same cursor loop sees every key", () =>
    Effect.gen(function*() {
      yield* Effect.forEach(keys, (key) => Redis.set(key, "v"), { concurrency: 30, discard: true })
      const seen = yield* scanLoop((cursor) => Redis.scan(cursor, { match, count: 50 }))
      assert.deepStrictEqual([...seen].sort(), [...keys].sort())
    }).pipe(Effect.provide(standaloneLayer)))
})

describe("INFO keyspace on a cluster", () => {
  it.live("is refused when routed (DBSIZE and onNodes are named); other sections go to any node", () =>
    Effect.gen(function*() {
      const mentions = ["DBSIZE", "RedisCluster.onNodes"]
      expectUnsupported(yield* Effect.flip(Redis.info("keyspace")), "INFO", mentions)
      expectUnsupported(yield* Effect.flip(Redis.info(["server", "keyspace"])), "INFO", mentions)
      expectUnsupported(yield* Effect.flip(Redis.infoRaw("Keyspace")), "INFO", mentions)
      expectUnsupported(yield* Effect.flip(Redis.call(["INFO", "KEYSPACE"])), "INFO", mentions)
      // INFO with no section, or default/all/everything, includes the keyspace section too.
      expectUnsupported(yield* Effect.flip(Redis.info()), "INFO", mentions)
      expectUnsupported(yield* Effect.flip(Redis.info("all")), "INFO", mentions)
      expectUnsupported(yield* Effect.flip(Redis.call(["INFO", "everything"])), "INFO", mentions)
      expectUnsupported(yield* Effect.flip(Redis.call(["INFO", "Default"])), "INFO", mentions)
      const cluster = yield* Redis.info("cluster")
      assert.strictEqual(cluster["cluster"]!["cluster_enabled"], "1")
      // Per node, every primary answers with its own keyspace section.
      yield* Effect.forEach(spreadKeys("info", 30), (key) => Redis.set(key, "v"), { discard: true })
      const perNode = yield* RedisCluster.onNodes("primaries", Redis.info("keyspace"))
      assert.strictEqual(perNode.size, 3)
      for (const result of perNode.values()) assert.isDefined(Result.getOrThrow(result)["keyspace"])
    }).pipe(Effect.provide(clusterLayer())))

  it.live("MEMORY STATS (one node's memory and key counts) is refused when routed; onNode answers", () =>
    Effect.gen(function*() {
      expectUnsupported(yield* Effect.flip(Redis.memoryStats()), "MEMORY STATS", ["RedisCluster.onNode"])
      expectUnsupported(yield* Effect.flip(Redis.call(["MEMORY", "STATS"])), "MEMORY STATS", ["RedisCluster.onNode"])
      const snapshot = yield* RedisCluster.topology
      const stats = yield* RedisCluster.onNode(snapshot.shards[0]!.primary.address, Redis.memoryStats())
      assert.isNumber(stats["keys.count"])
    }).pipe(Effect.provide(clusterLayer())))

  it.live("on a standalone server INFO keyspace answers", () =>
    Effect.gen(function*() {
      yield* Redis.set(`${prefix}:info:standalone`, "v")
      const info = yield* Redis.info("keyspace")
      assert.match(info["keyspace"]!["db0"]!, /^keys=\d+/)
    }).pipe(Effect.provide(standaloneLayer)))

  it.live("a keyed command called without its key is the server's error, never a value (OBJECT FREQ)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Redis.call(["OBJECT", "FREQ"]))
      assert.strictEqual(error._tag, "ReplyError")
    }).pipe(Effect.provide(clusterLayer())))
})

describe("commands the README lists as unsupported on a cluster", () => {
  const key = `${prefix}:unsupported`
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<Effect.Effect<unknown, unknown, RedisClient>>]> = [
    ["MOVE", [Redis.move(key, 1), Redis.call(["MOVE", key, 1])]],
    ["SELECT", [Redis.call(["SELECT", 1]), Redis.call(["select", "0"])]],
    ["SWAPDB", [Redis.swapdb(0, 1), Redis.call(["SWAPDB", 0, 1])]],
    ["WAIT", [Redis.wait(1, 10), Redis.call(["WAIT", 1, 10])]],
    ["REPLICAOF", [Redis.replicaof("127.0.0.1", 1), Redis.replicaofNoOne(), Redis.call(["REPLICAOF", "NO", "ONE"])]],
    ["SLAVEOF", [Redis.call(["SLAVEOF", "NO", "ONE"])]],
    ["FAILOVER", [Redis.failover(), Redis.call(["FAILOVER"])]],
    ["MONITOR", [Redis.call(["MONITOR"])]],
    ["SYNC", [Redis.call(["SYNC"])]],
    ["PSYNC", [Redis.call(["PSYNC", "?", -1])]],
    ["REPLCONF", [Redis.call(["REPLCONF", "listening-port", 1])]]
  ]

  it.live("fail with UnsupportedInClusterError naming the command and the reason, typed or through Redis.call", () =>
    Effect.gen(function*() {
      for (const [name, commands] of cases) {
        for (const command of commands) expectUnsupported(yield* Effect.flip(command), name)
      }
      const select = expectUnsupported(yield* Effect.flip(Redis.call(["SELECT", 1])), "SELECT")
      assert.include(select.reason, "single database")
      // In a pipeline too, next to commands that run.
      const [refused, pong] = yield* RedisClient.pipelineResults([Redis.call(["SELECT", 1]), Redis.ping()])
      assert.isTrue(Result.isFailure(refused) && refused.failure._tag === "UnsupportedInClusterError")
      assert.deepStrictEqual(pong, Result.succeed("PONG"))
    }).pipe(Effect.provide(clusterLayer())))

  it.live("on a standalone server the connection-state ones are refused with InvalidArgumentError naming the command", () =>
    Effect.gen(function*() {
      for (const line of [["SELECT", 1], ["MONITOR"], ["SYNC"], ["PSYNC", "?", -1]] as ReadonlyArray<ReadonlyArray<RespArg>>) {
        const error = yield* Effect.flip(Redis.call(line))
        assert.instanceOf(error, InvalidArgumentError)
        if (error instanceof InvalidArgumentError) {
          assert.strictEqual(error.command, line[0])
          assert.include(error.reason, "changes the connection's state")
        }
      }
    }).pipe(Effect.provide(standaloneLayer)))
})

describe("refusal messages", () => {
  const refusals: ReadonlyArray<readonly [ReadonlyArray<RespArg>, string, ReadonlyArray<string>]> = [
    [["watch", "u:1"], "WATCH", ["U:1"]],
    [["subscribe", "ch"], "SUBSCRIBE", ["SUBSCRIBE CH", " CH"]],
    [["Client", "setname", "MixedCase"], "CLIENT SETNAME", ["MIXEDCASE", "MixedCase"]],
    [["CLIENT", new TextEncoder().encode("tracking"), "on"], "CLIENT TRACKING", [" ON"]]
  ]
  for (const [target, layer] of [["cluster", clusterLayer()], ["standalone", standaloneLayer]] as const) {
    it.live(`name the command in upper case and leave the user's arguments alone (${target})`, () =>
      Effect.gen(function*() {
        for (const [line, name, absent] of refusals) {
          const error = yield* Effect.flip(Redis.call(line))
          assert.strictEqual(error._tag, "InvalidArgumentError")
          if (!(error instanceof InvalidArgumentError)) continue
          assert.strictEqual(error.command, name)
          assert.include(error.message, `${name} changes the connection's state`)
          for (const text of absent) assert.notInclude(error.message, text)
        }
      }).pipe(Effect.provide(layer as Layer.Layer<RedisClient, unknown>)))
  }
})
