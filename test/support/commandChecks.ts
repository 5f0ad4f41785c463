/**
 * Checks the command-family tests share around running one command: that a builder refuses invalid options before
 * anything is sent, and how long a (blocking) command took.
 */
import { assert } from "@effect/vitest"
import type { Command, RedisError } from "@effect-redis/client"
import { Effect } from "effect"

/** Runs a command that must be refused before sending; asserts the tag and returns the reason. */
export const invalid = <A>(command: Command<A>) =>
  Effect.gen(function*() {
    const error: RedisError = yield* Effect.flip(command)
    assert.strictEqual(error._tag, "InvalidArgumentError", `${command.toString()} should be refused`)
    return error.message
  })

/** Runs `effect` and returns its value with the milliseconds it took. */
export const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const started = Date.now()
    const value = yield* effect
    return [value, Date.now() - started] as const
  })
