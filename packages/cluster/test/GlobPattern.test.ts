/**
 * The client's glob matcher (used where keys are read without SCAN's MATCH) agrees with the server's: random binary
 * keys and random patterns built from the glob's special characters, each pattern's matches compared with what
 * `KEYS pattern` answers on a real server.
 */
import { assert, it } from "@effect/vitest"
import { Redis, RedisNode } from "@effect-redis/client"
import { makeReply, ReplyMismatch } from "@effect-redis/client/Command"
import { LocalServer } from "@effect-redis/testkit"
import { Effect, Schema } from "effect"
import * as fc from "fast-check"
import { globMatcher } from "../src/internal/scan/GlobPattern.ts"

// Few distinct bytes, so patterns and keys meet often: the special characters, two letters, a high byte.
const alphabet = fc.constantFrom(0x2a, 0x3f, 0x5b, 0x5d, 0x5e, 0x2d, 0x5c, 0x61, 0x62, 0x7a, 0xe9, 0xff)
const bytes = (maxLength: number) => fc.array(alphabet, { maxLength }).map((codes) => Uint8Array.from(codes))
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
/** KEYS' reply with the keys as bytes. */
const keysAsBytes = makeReply(Schema.Array(Schema.Uint8Array), (raw) =>
  Array.isArray(raw) && raw.every((key) => key instanceof Uint8Array) ? (raw as Array<Uint8Array>) : new ReplyMismatch("keys as bytes", raw), { binary: true })

it.live("matches exactly the keys the server's KEYS matches, for random patterns and binary keys", () =>
  Effect.gen(function*() {
    const server = yield* LocalServer.make()
    const random = fc.sample(fc.uniqueArray(bytes(6), { minLength: 150, maxLength: 150, selector: hex }), { numRuns: 1, seed: 7 })[0]!
    // The empty key too, once.
    const keys = [...random.filter((key) => key.length > 0), new Uint8Array(0)]
    const patterns = fc.sample(bytes(7), { numRuns: 400, seed: 11 })
    yield* Effect.gen(function*() {
      for (const key of keys) yield* Redis.set(key, "x")
      let compared = 0
      let partial = 0
      for (const pattern of [...patterns, Buffer.from("*"), Buffer.from("**"), Buffer.from(""), Buffer.from("[a-"), Buffer.from("[\xff-a]", "latin1")]) {
        const fromServer = yield* Redis.call(["KEYS", pattern], { reply: keysAsBytes })
        const expected = fromServer.map(hex).sort()
        const matches = globMatcher(pattern)
        const actual = keys.filter((key) => matches(key)).map(hex).sort()
        assert.deepStrictEqual(actual, expected, `pattern ${hex(pattern)}`)
        compared++
        if (expected.length > 0 && expected.length < keys.length) partial++
      }
      assert.isAbove(compared, 400)
      // Most patterns match some keys and not others: the comparison says something.
      assert.isAbove(partial, 100)
    }).pipe(Effect.provide(RedisNode.layer({ port: server.port })))
  }), 60_000)
