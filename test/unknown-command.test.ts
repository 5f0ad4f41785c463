/**
 * A command the connected server does not have fails with the server's own refusal typed as
 * `UnknownCommandError` (command name and the server's message), on a cluster and standalone, alone and inside a
 * pipeline; other error replies stay `ReplyError`. Version-specific cases (a Redis 8.0 command on Redis 7.0...) are in
 * the families' test files.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redis, RedisClient, type RedisError } from "@effect-redis/client"
import { Effect, Result } from "effect"
import { keysOf, runPrefix, targets } from "./support/targets.ts"

const prefix = runPrefix("unknown-command")

const assertUnknown = (error: RedisError, command: string) => {
  assert.strictEqual(error._tag, "UnknownCommandError")
  if (error._tag !== "UnknownCommandError") return
  assert.strictEqual(error.command, command)
  // The server's text, unchanged: what it names is the command or subcommand it does not know.
  assert.match(error.message, /^ERR unknown (sub)?command/i)
}

describe.each(targets)("unknown commands on $name", ({ name, layer }) => {
  const k = keysOf(prefix, name)

  it.live("a command no server has: UnknownCommandError with the name and the server's message", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Redis.call(["NOSUCHCOMMAND", "a", "b"]))
      assertUnknown(error, "NOSUCHCOMMAND")
      assert.include(error.message.toLowerCase(), "nosuchcommand")
    }).pipe(Effect.provide(layer)))

  it.live("an unknown subcommand of a known container: UnknownCommandError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Redis.call(["CONFIG", "NOSUCHSUB"]))
      assertUnknown(error, "CONFIG")
      assert.include(error.message.toLowerCase(), "nosuchsub")
    }).pipe(Effect.provide(layer)))

  it.live("inside a pipeline only the unknown command fails, typed; the others succeed", () =>
    Effect.gen(function*() {
      const key = k("pipeline")
      const results = yield* RedisClient.pipelineResults([
        Redis.set(key, "v"),
        Redis.call(["NOSUCHCOMMAND", key], { keys: [1] }),
        Redis.get(key)
      ])
      assert.isTrue(Result.isSuccess(results[0]))
      assert.isTrue(Result.isFailure(results[1]))
      if (Result.isFailure(results[1])) assertUnknown(results[1].failure, "NOSUCHCOMMAND")
      assert.deepStrictEqual(Result.isSuccess(results[2]) ? results[2].success._tag : undefined, "Some")
    }).pipe(Effect.provide(layer)))

  it.live("other error replies stay ReplyError (wrong arity, syntax error, wrong type)", () =>
    Effect.gen(function*() {
      const key = k("others")
      yield* Redis.set(key, "v")
      for (
        const command of [
          Redis.call(["GET", key, "extra"]),
          Redis.call(["SET", key, "v", "NOSUCHOPTION"]),
          Redis.lpush(key, "x")
        ]
      ) {
        const error = yield* Effect.flip(command)
        assert.strictEqual(error._tag, "ReplyError", command.toString())
      }
    }).pipe(Effect.provide(layer)))
})
