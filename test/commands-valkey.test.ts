/**
 * What Valkey 8 adds that a program calls: SET ... IFEQ (8.1), CLUSTER SLOT-STATS (8.0), COMMANDLOG (8.1) and
 * SCRIPT SHOW (8.0), on the shared cluster and standalone server under RESP2 and RESP3. On Redis, which lacks them,
 * the commands fail with `UnknownCommandError`, and IFEQ (an option, not a command) with the server's syntax error.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis, type RedisError } from "@effect-redis/client"
import { keySlot } from "@effect-redis/cluster"
import { serverVersion } from "@effect-redis/testkit"
import { Effect, Option } from "effect"
import { invalid } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("valkey")
const server = serverVersion()
const hasIfeq = server.atLeast("valkey", "8.1")
const hasSlotStats = server.atLeast("valkey", "8.0")
const hasCommandLog = server.atLeast("valkey", "8.1")
const hasScriptShow = server.atLeast("valkey", "8.0")

const assertUnknownCommand = (error: RedisError, command: Command<unknown>) => {
  assert.strictEqual(error._tag, "UnknownCommandError", command.toString())
  assert.strictEqual((error as { command?: string }).command, command.name)
}

describe.each(targets)("Valkey additions on $name", ({ name, cluster, layer }) => {
  const k = keysOf(prefix, name)

  it.live.runIf(hasIfeq)("SET with ifeq: set only when the key holds that value; with get, the previous value (Valkey 8.1+)", () =>
    Effect.gen(function*() {
      const key = k("ifeq")
      yield* Redis.set(key, "v1")
      assert.isTrue(yield* Redis.set(key, "v2", { ifeq: "v1" }))
      assert.deepStrictEqual(yield* Redis.get(key), Option.some("v2"))
      assert.isFalse(yield* Redis.set(key, "v3", { ifeq: "v1" }))
      assert.deepStrictEqual(yield* Redis.get(key), Option.some("v2"))
      assert.deepStrictEqual(yield* Redis.set(key, "v3", { ifeq: "v2", get: true }), Option.some("v2"))
      assert.isTrue(yield* Redis.set(key, "v4", { ifeq: "v3", px: 100_000 }))
      assert.isAbove(yield* Redis.pttl(key), 90_000)
      // A missing key equals nothing: not created.
      assert.isFalse(yield* Redis.set(k("ifeq:missing"), "x", { ifeq: "x" }))
      assert.strictEqual(yield* Redis.exists(k("ifeq:missing")), 0)
    }).pipe(Effect.provide(layer)))

  it.live.runIf(!hasIfeq)(`SET with ifeq is the server's syntax error on ${server.label} (IFEQ is Valkey 8.1+)`, () =>
    Effect.gen(function*() {
      const key = k("ifeq:refused")
      yield* Redis.set(key, "v1")
      const error = yield* Effect.flip(Redis.set(key, "v2", { ifeq: "v1" }))
      assert.strictEqual(error._tag, "ReplyError")
      assert.deepStrictEqual(yield* Redis.get(key), Option.some("v1"))
    }).pipe(Effect.provide(layer)))

  it.live.runIf(hasSlotStats && cluster)("CLUSTER SLOT-STATS: every slot once across the primaries, key counts, ORDERBY (Valkey 8.0+)", () =>
    Effect.gen(function*() {
      const keys = Array.from({ length: 5 }, (_, i) => k(`slot-stats:${i}`))
      for (const key of keys) yield* Redis.set(key, "x")
      const all = yield* Redis.clusterSlotStats({ slotsRange: [0, 16383] })
      assert.strictEqual(all.length, 16384)
      assert.strictEqual(new Set(all.map((stats) => stats.slot)).size, 16384)
      const ours = all.find((stats) => stats.slot === keySlot(keys[0]!))!
      assert.isAtLeast(ours.keyCount, keys.length)
      // The shared cluster runs without cluster-slot-stats-enabled: only key counts.
      assert.deepStrictEqual(ours.cpuUsec, Option.none())
      const range = yield* Redis.clusterSlotStats({ slotsRange: [ours.slot, ours.slot] })
      assert.deepStrictEqual(range.map((stats) => stats.slot), [ours.slot])
      // ORDERBY: each primary's own top slots, joined.
      const top = yield* Redis.clusterSlotStats({ orderBy: "key-count", limit: 1, order: "desc" })
      assert.strictEqual(top.length, 3)
      assert.isAtLeast(Math.max(...top.map((stats) => stats.keyCount)), keys.length)
    }).pipe(Effect.provide(layer)))

  it.live.runIf(hasSlotStats && !cluster)("CLUSTER SLOT-STATS on a server without cluster mode is the server's error (Valkey 8.0+)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Redis.clusterSlotStats({ slotsRange: [0, 10] }))
      assert.strictEqual(error._tag, "ReplyError")
    }).pipe(Effect.provide(layer)))

  it.live.runIf(hasCommandLog)("COMMANDLOG GET, LEN, RESET: a large request is logged with its size (Valkey 8.1+)", () =>
    Effect.gen(function*() {
      const key = k("commandlog")
      yield* Redis.commandlogReset("large-request")
      // Larger than the default commandlog-request-larger-than (1 MiB).
      yield* Redis.set(key, "x".repeat(1_100_000))
      assert.isAtLeast(yield* Redis.commandlogLen("large-request"), cluster ? 0 : 1)
      assert.isAtLeast(yield* Redis.commandlogLen("slow"), 0)
      const entries = yield* Redis.commandlogGet("large-request", -1)
      if (!cluster) {
        const entry = entries.find((item) => item.args[0]?.toUpperCase() === "SET")!
        assert.isAbove(entry.value, 1_000_000)
        assert.match(entry.clientAddr, /:\d+$/)
        assert.isAbove(entry.timestamp, 1_600_000_000)
      }
      assert.isTrue(Array.isArray(yield* Redis.commandlogGet("large-reply", 1)))
      yield* Redis.commandlogReset("large-request")
      if (!cluster) assert.strictEqual(yield* Redis.commandlogLen("large-request"), 0)
      yield* invalid(Redis.commandlogGet("slow", -2))
      yield* Redis.del(key)
    }).pipe(Effect.provide(layer)))

  it.live.runIf(hasScriptShow)("SCRIPT SHOW: the source of a cached script; NOSCRIPT when unknown (Valkey 8.0+)", () =>
    Effect.gen(function*() {
      const source = `return '${name} show'`
      const sha = yield* Redis.scriptLoad(source)
      assert.strictEqual(yield* Redis.scriptShow(sha), source)
      const error = yield* Effect.flip(Redis.scriptShow("0".repeat(40)))
      assert.strictEqual(error._tag, "ReplyError")
      assert.strictEqual((error as { code?: string }).code, "NOSCRIPT")
    }).pipe(Effect.provide(layer)))

  it.live.runIf(server.flavour === "redis")(`Valkey's commands fail with UnknownCommandError on ${server.label} (Valkey only)`, () =>
    Effect.gen(function*() {
      const commands: ReadonlyArray<Command<unknown>> = [
        Redis.clusterSlotStats({ slotsRange: [0, 10] }), Redis.commandlogGet("slow", 1), Redis.commandlogLen("slow"),
        Redis.commandlogReset("slow"), Redis.scriptShow("0".repeat(40))
      ]
      for (const command of commands) assertUnknownCommand(yield* Effect.flip(command), command)
    }).pipe(Effect.provide(layer)))

  it.live("impossible options are refused before sending, on every server", () =>
    Effect.gen(function*() {
      yield* invalid(Redis.set(k("invalid"), "v", { ifeq: "a", nx: true }))
      yield* invalid(Redis.set(k("invalid"), "v", { ifeq: "a", xx: true }))
      yield* invalid(Redis.clusterSlotStats({ slotsRange: [10, 5] }))
      yield* invalid(Redis.clusterSlotStats({ slotsRange: [0, 16384] }))
      yield* invalid(Redis.clusterSlotStats({ orderBy: "key-count", limit: 0 }))
      yield* invalid(Redis.clusterSlotStats({ orderBy: "cpu-usec", limit: 16385 }))
    }).pipe(Effect.provide(layer)))
})
