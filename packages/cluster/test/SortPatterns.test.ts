/**
 * The client-side check of SORT / SORT_RO BY and GET patterns on a cluster: which slot a pattern's keys hash to
 * (the server's `patternHashSlot` rule), and which patterns are refused before sending. test/cluster-cross-slot.test.ts
 * checks the same rule against a real server.
 */
import { assert, describe, it } from "@effect/vitest"
import { keySlot } from "@effect-redis/cluster"
import { patternHashSlot, sortPatternProblem } from "../src/internal/routing/crossSlot/sort.ts"

const bytes = (text: string) => new TextEncoder().encode(text)

describe("patternHashSlot", () => {
  it("a hash tag closed before any wildcard gives that tag's slot", () => {
    for (const pattern of ["{user:1}:w_*", "{user:1}:w_?", "{user:1}:w_[ab]", "{user:1}:h_*->f", "{user:1}", "{user:1}*{x}"]) {
      assert.strictEqual(patternHashSlot(bytes(pattern)), keySlot("user:1"), pattern)
    }
  })

  it("a wildcard or escape before the tag closes means any slot (-1)", () => {
    for (const pattern of ["w_*", "*{user:1}", "{user:1*}", "x?{user:1}", "[a]{user:1}", "\\{user:1}:w", "{}{user:1}:w_*"]) {
      assert.strictEqual(patternHashSlot(bytes(pattern)), -1, pattern)
    }
  })

  it("a pattern without wildcards is one key: its own slot (an empty tag `{}` hashes the whole pattern)", () => {
    for (const pattern of ["weights", "{}weights", "a{}b{c}", "{unclosed"]) assert.strictEqual(patternHashSlot(bytes(pattern)), keySlot(pattern), pattern)
  })
})

describe("sortPatternProblem", () => {
  const key = "{user:1}:ids"

  it("accepts patterns in the sorted key's slot, `GET #`, and BY without `*` (no sorting)", () => {
    const lines = [
      ["SORT_RO", key, "BY", "{user:1}:w_*", "GET", "#", "GET", "{user:1}:name_*"],
      ["SORT", key, "BY", "nosort", "LIMIT", "0", "10", "GET", "{user:1}:h_*->f", "STORE", "{user:1}:out"],
      ["SORT_RO", key, "ALPHA", "DESC"]
    ]
    for (const args of lines) assert.isUndefined(sortPatternProblem(args), args.join(" "))
  })

  it("refuses a BY or GET pattern that may form keys in other slots, saying which and how to fix it", () => {
    const wildcard = sortPatternProblem(["SORT_RO", key, "BY", "w_*"])
    assert.deepStrictEqual(wildcard?.slots, [keySlot(key)])
    assert.include(wildcard?.reason, "BY pattern \"w_*\"")
    assert.include(wildcard?.reason, "hash tag")
    const other = sortPatternProblem(["SORT_RO", key, "GET", "#", "GET", "{user:2}:name_*"])
    assert.deepStrictEqual(other?.slots, [keySlot(key), keySlot("user:2")])
    assert.include(other?.reason, "GET pattern \"{user:2}:name_*\"")
    // LIMIT's numbers and STORE's key are not patterns; a pattern after them still is.
    assert.isDefined(sortPatternProblem(["SORT", key, "LIMIT", "0", "1", "STORE", "{user:1}:out", "GET", "x_*"]))
    // A pattern given as bytes is read the same way.
    assert.isDefined(sortPatternProblem(["SORT_RO", key, "GET", bytes("{user:2}:x")]))
  })
})
