/**
 * `keySlot` against the server's own CLUSTER KEYSLOT: hash tags, empty tags, nested and unbalanced braces,
 * multi-byte text and binary keys, plus random keys built from brace-heavy alphabets.
 */
import { assert, it } from "@effect/vitest"
import { Redis } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { Effect } from "effect"
import * as fc from "fast-check"
import { inject } from "vitest"

const layer = RedisCluster.layer({ startupNodes: inject("clusterNodes") })

it.live("keySlot is the server's CLUSTER KEYSLOT, empty and nested tags included", () =>
  Effect.gen(function*() {
    const keys: Array<string | Uint8Array> = [
      "", "a", "{}", "{}{x}", "a{}{b}", "{a}{b}", "{a", "a}", "}{a}", "{{a}}", "x{y}z", "x{}y", "{user:1}:name",
      "ключ{тег}", "😀{😀}", new Uint8Array([0xff, 0x7b, 0x00, 0x7d]), new Uint8Array([0x7b, 0x7d, 0x7b, 0x61, 0x7d])
    ]
    const random = fc.sample(fc.string({ unit: fc.constantFrom("{", "}", "a", "b", "é"), maxLength: 8 }), { numRuns: 200, seed: 42 })
    for (const key of [...keys, ...random]) {
      const server = yield* Redis.clusterKeyslot(key)
      assert.strictEqual(keySlot(key), server, JSON.stringify(typeof key === "string" ? key : [...key]))
    }
  }).pipe(Effect.provide(layer)))
