/**
 * Hash-field expiry (HEXPIRE family, HTTL family, HPERSIST: Redis 7.4+) and HGETDEL / HGETEX / HSETEX (Redis 8.0+)
 * on the shared cluster and standalone server, under RESP2 and RESP3. Per-field codes decode to the same words under
 * both protocols. On servers without the commands (Redis 7.0, Valkey 8.1) each builder fails with the server's
 * refusal as `UnknownCommandError`; impossible options are refused before sending on every server.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Command, Redis, type RedisError } from "@effect-redis/client"
import { serverVersion } from "@effect-redis/testkit"
import { Effect, Option } from "effect"
import { invalid } from "./support/commandChecks.ts"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("hash-field-expiry")
const server = serverVersion()
const hasFieldExpiry = server.atLeast("redis", "7.4")
const hasHgetex = server.atLeast("redis", "8.0")

const assertUnknownCommand = (error: RedisError, command: string) => {
  assert.strictEqual(error._tag, "UnknownCommandError", command)
  assert.strictEqual((error as { command?: string }).command, command)
}

const someValues = (values: ReadonlyArray<string | undefined>) => values.map((value) => Option.fromUndefinedOr(value))

describe.each(targets)("hash-field expiry on $name", ({ name, layer }) => {
  const k = keysOf(prefix, name)

  it.live.runIf(hasFieldExpiry)("HEXPIRE / HPEXPIRE / HEXPIREAT / HPEXPIREAT: a word per field, conditions applied (Redis 7.4+)", () =>
    Effect.gen(function*() {
      const h = k("expire")
      yield* Redis.hset(h, { a: "1", b: "2", c: "3", d: "4" })
      assert.deepStrictEqual(yield* Redis.hexpire(h, 100, ["a", "b", "zz"]), ["set", "set", "noField"])
      assert.deepStrictEqual(yield* Redis.hexpire(h, 200, "a", { nx: true }), ["conditionNotMet"])
      assert.deepStrictEqual(yield* Redis.hexpire(h, 200, "a", { gt: true }), ["set"])
      assert.deepStrictEqual(yield* Redis.hexpire(h, 50, "c", { xx: true }), ["conditionNotMet"])
      assert.deepStrictEqual(yield* Redis.hpexpire(h, 300_000, "c"), ["set"])
      assert.deepStrictEqual(yield* Redis.hpexpire(h, 400_000, "c", { lt: true }), ["conditionNotMet"])
      const at = Math.floor(Date.now() / 1000) + 1000
      assert.deepStrictEqual(yield* Redis.hexpireat(h, at, "b"), ["set"])
      assert.deepStrictEqual(yield* Redis.hexpiretime(h, ["b", "d", "zz"]), [at, "noExpiry", "noField"])
      const atMs = Date.now() + 500_000
      assert.deepStrictEqual(yield* Redis.hpexpireat(h, atMs, "d"), ["set"])
      assert.deepStrictEqual(yield* Redis.hpexpiretime(h, "d"), [atMs])
      // A time of 0 (or in the past) deletes the field.
      assert.deepStrictEqual(yield* Redis.hexpire(h, 0, "d"), ["deleted"])
      assert.isFalse(yield* Redis.hexists(h, "d"))
      // A missing key: every field is missing.
      assert.deepStrictEqual(yield* Redis.hexpire(k("expire:missing"), 10, ["a", "b"]), ["noField", "noField"])
    }).pipe(Effect.provide(layer)))

  it.live.runIf(hasFieldExpiry)("HTTL / HPTTL / HPERSIST, and a field really expires (Redis 7.4+)", () =>
    Effect.gen(function*() {
      const h = k("ttl")
      yield* Redis.hset(h, { a: "1", b: "2", c: "3" })
      yield* Redis.hexpire(h, 100, "a")
      const [ttl, none, missing] = yield* Redis.httl(h, ["a", "b", "zz"])
      assert.isTrue(typeof ttl === "number" && ttl > 90 && ttl <= 100, String(ttl))
      assert.deepStrictEqual([none, missing], ["noExpiry", "noField"])
      const [pttl] = yield* Redis.hpttl(h, "a")
      assert.isTrue(typeof pttl === "number" && pttl > 90_000 && pttl <= 100_000, String(pttl))
      assert.deepStrictEqual(yield* Redis.httl(k("ttl:missing"), "a"), ["noField"])
      assert.deepStrictEqual(yield* Redis.hpersist(h, ["a", "b", "zz"]), ["persisted", "noExpiry", "noField"])
      assert.deepStrictEqual(yield* Redis.httl(h, "a"), ["noExpiry"])
      assert.deepStrictEqual(yield* Redis.hpexpire(h, 50, "c"), ["set"])
      yield* Effect.sleep("200 millis")
      assert.deepStrictEqual(yield* Redis.hget(h, "c"), Option.none())
      assert.deepStrictEqual(yield* Redis.hkeys(h).pipe(Effect.map((keys) => [...keys].sort())), ["a", "b"])
    }).pipe(Effect.provide(layer)))

  it.live.runIf(hasHgetex)("HGETDEL, HGETEX, HSETEX (Redis 8.0+)", () =>
    Effect.gen(function*() {
      const h = k("getex")
      assert.isTrue(yield* Redis.hsetex(h, { a: "1", b: "2" }, { ex: 100 }))
      const [ttlA, ttlB] = yield* Redis.httl(h, ["a", "b"])
      assert.isTrue(typeof ttlA === "number" && ttlA > 90 && typeof ttlB === "number")
      // FNX: none is set when any exists; FXX: none is set when any is missing.
      assert.isFalse(yield* Redis.hsetex(h, { a: "x", c: "3" }, { fnx: true }))
      assert.isFalse(yield* Redis.hsetex(h, [["a", "x"], ["zz", "y"]], { fxx: true }))
      assert.isTrue(yield* Redis.hsetex(h, { a: "10" }, { fxx: true, keepTtl: true }))
      const [kept] = yield* Redis.httl(h, "a")
      assert.isTrue(typeof kept === "number" && kept > 90, String(kept))
      // Without an expiry option the field loses its expiry.
      assert.isTrue(yield* Redis.hsetex(h, { b: "20" }))
      assert.deepStrictEqual(yield* Redis.httl(h, "b"), ["noExpiry"])
      // HGETEX reads and sets or removes the expiry.
      assert.deepStrictEqual(yield* Redis.hgetex(h, ["a", "zz"], { px: 500_000 }), someValues(["10", undefined]))
      const [pttl] = yield* Redis.hpttl(h, "a")
      assert.isTrue(typeof pttl === "number" && pttl > 400_000, String(pttl))
      assert.deepStrictEqual(yield* Redis.hgetex(h, "a", { persist: true }), someValues(["10"]))
      assert.deepStrictEqual(yield* Redis.httl(h, "a"), ["noExpiry"])
      assert.deepStrictEqual(yield* Redis.hgetex(h, ["a", "b"]), someValues(["10", "20"]))
      // HGETDEL reads and deletes; the key goes with its last field.
      assert.deepStrictEqual(yield* Redis.hgetdel(h, ["a", "zz"]), someValues(["10", undefined]))
      assert.isFalse(yield* Redis.hexists(h, "a"))
      assert.deepStrictEqual(yield* Redis.hgetdel(h, "b"), someValues(["20"]))
      assert.strictEqual(yield* Redis.exists(h), 0)
      assert.deepStrictEqual(yield* Redis.hgetdel(k("getex:missing"), "a"), someValues([undefined]))
    }).pipe(Effect.provide(layer)))

  it.live.runIf(!hasFieldExpiry)(`hash-field expiry commands fail with UnknownCommandError on ${server.label} (Redis before 7.4, Valkey)`, () =>
    Effect.gen(function*() {
      const h = k("unknown")
      yield* Redis.hset(h, { a: "1" })
      const commands: ReadonlyArray<Command<unknown>> = [
        Redis.hexpire(h, 10, "a"), Redis.hpexpire(h, 10, "a"), Redis.hexpireat(h, 10, "a"), Redis.hpexpireat(h, 10, "a"),
        Redis.httl(h, "a"), Redis.hpttl(h, "a"), Redis.hexpiretime(h, "a"), Redis.hpexpiretime(h, "a"), Redis.hpersist(h, "a")
      ]
      for (const command of commands) assertUnknownCommand(yield* Effect.flip(command), command.name)
      assert.deepStrictEqual(yield* Redis.hget(h, "a"), Option.some("1"))
    }).pipe(Effect.provide(layer)))

  it.live.runIf(!hasHgetex)(`HGETDEL, HGETEX, HSETEX fail with UnknownCommandError on ${server.label} (Redis before 8.0, Valkey)`, () =>
    Effect.gen(function*() {
      const h = k("unknown8")
      yield* Redis.hset(h, { a: "1" })
      const commands: ReadonlyArray<Command<unknown>> = [
        Redis.hgetdel(h, "a"), Redis.hgetex(h, "a", { ex: 10 }), Redis.hsetex(h, { a: "2" }, { ex: 10 })
      ]
      for (const command of commands) assertUnknownCommand(yield* Effect.flip(command), command.name)
      // Nothing ran: the field is as it was.
      assert.deepStrictEqual(yield* Redis.hget(h, "a"), Option.some("1"))
    }).pipe(Effect.provide(layer)))

  it.live("impossible options are refused before sending, on every server", () =>
    Effect.gen(function*() {
      const h = k("invalid")
      yield* invalid(Redis.hexpire(h, -1, "a"))
      yield* invalid(Redis.hexpire(h, 1.5, "a"))
      yield* invalid(Redis.hpexpireat(h, 1, []))
      yield* invalid(Redis.hexpire(h, 1, "a", { nx: true, xx: true }))
      yield* invalid(Redis.hexpireat(h, 1, "a", { gt: true, lt: true }))
      yield* invalid(Redis.httl(h, []))
      yield* invalid(Redis.hpersist(h, []))
      yield* invalid(Redis.hgetdel(h, []))
      yield* invalid(Redis.hgetex(h, "a", { ex: 10, persist: true }))
      yield* invalid(Redis.hgetex(h, "a", { ex: 10, px: 10 }))
      yield* invalid(Redis.hgetex(h, "a", { ex: 0 }))
      yield* invalid(Redis.hsetex(h, {}))
      yield* invalid(Redis.hsetex(h, { a: "1" }, { fnx: true, fxx: true }))
      yield* invalid(Redis.hsetex(h, { a: "1" }, { ex: 10, keepTtl: true }))
    }).pipe(Effect.provide(layer)))
})
