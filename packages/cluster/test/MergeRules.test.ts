/**
 * The merge rules on their own: each combines per-node results, and any failure wins.
 */
import { assert, describe, it } from "@effect/vitest"
import { DecodeError, InconsistentRepliesError, ReplyError } from "@effect-redis/client"
import { MergeRules, type PartReply } from "@effect-redis/cluster"
import { mergeOf } from "../src/internal/routing/MergeRules.ts"
import { Result } from "effect"

const ok = <A>(node: string, value: A): PartReply<A> => ({ node, result: Result.succeed(value) })
const failed = (node: string): PartReply<never> => ({
  node,
  result: Result.fail(new ReplyError({ code: "ERR", message: `ERR on ${node}`, command: "X" }))
})

describe("MergeRules", () => {
  it("sum adds integers; a failure anywhere is the result", () => {
    assert.deepStrictEqual(MergeRules.sum("DBSIZE", [ok("a", 1), ok("b", 2), ok("c", 3)]), Result.succeed(6))
    const result = MergeRules.sum("DBSIZE", [ok("a", 1), failed("b")])
    assert.isTrue(Result.isFailure(result) && result.failure.message === "ERR on b")
  })

  it("allAgree gives the common reply, or InconsistentRepliesError listing every node's reply", () => {
    assert.deepStrictEqual(MergeRules.allAgree("PING", [ok("a", "PONG"), ok("b", "PONG")]), Result.succeed("PONG"))
    const result = MergeRules.allAgree("CONFIG GET", [ok("a", ["x", "1"]), ok("b", ["x", "2"])])
    assert.isTrue(Result.isFailure(result))
    if (Result.isFailure(result)) {
      assert.instanceOf(result.failure, InconsistentRepliesError)
      assert.deepStrictEqual((result.failure as InconsistentRepliesError).replies, [
        { node: "a", reply: ["x", "1"] },
        { node: "b", reply: ["x", "2"] }
      ])
    }
  })

  it("allTrue, union, concat, and", () => {
    assert.deepStrictEqual(MergeRules.allTrue("X", [ok("a", true), ok("b", undefined)]), Result.succeed(true))
    assert.deepStrictEqual(MergeRules.allTrue("X", [ok("a", true), ok("b", false)]), Result.succeed(false))
    assert.deepStrictEqual(MergeRules.union("KEYS", [ok("a", ["k1", "k2"]), ok("b", ["k2", "k3"])]), Result.succeed(["k1", "k2", "k3"]))
    assert.deepStrictEqual(MergeRules.concat("X", [ok("a", [1, 2]), ok("b", [2])]), Result.succeed([1, 2, 2]))
    assert.deepStrictEqual(
      MergeRules.and("SCRIPT EXISTS", [ok("a", [true, true, false]), ok("b", [true, false, false])]),
      Result.succeed([true, false, false])
    )
    const uneven = MergeRules.and("SCRIPT EXISTS", [ok("a", [true]), ok("b", [true, true])])
    assert.isTrue(Result.isFailure(uneven) && uneven.failure instanceof DecodeError)
  })

  it("mergeMaps adds counts under the same key (PUBSUB NUMSUB) and merges records", () => {
    assert.deepStrictEqual(
      MergeRules.mergeMaps("PUBSUB NUMSUB", [ok("a", new Map([["ch", 1], ["x", 2]])), ok("b", new Map([["ch", 3]]))]),
      Result.succeed(new Map([["ch", 4], ["x", 2]]))
    )
    assert.deepStrictEqual(MergeRules.mergeMaps("X", [ok("a", { a: "1" }), ok("b", { b: "2" })]), Result.succeed({ a: "1", b: "2" }))
  })

  it("firstSuccess takes the first node that succeeded, else the first failure", () => {
    assert.deepStrictEqual(MergeRules.firstSuccess("SCRIPT KILL", [failed("a"), ok("b", "OK")]), Result.succeed("OK"))
    const none = MergeRules.firstSuccess("SCRIPT KILL", [failed("a"), failed("b")])
    assert.isTrue(Result.isFailure(none) && none.failure.message === "ERR on a")
  })

  it("mergeOf maps every rule name", () => {
    for (const rule of ["sum", "keyOrder", "allAgree", "allTrue", "union", "mergeMaps", "and", "firstSuccess"] as const) {
      assert.isFunction(mergeOf(rule))
    }
  })

  it("mergeMaps also merges untyped RESP2 flat [key, value...] arrays, adding counts", () => {
    assert.deepStrictEqual(
      MergeRules.mergeMaps("PUBSUB NUMSUB", [ok("a", ["ch1", 1, "ch2", 0]), ok("b", ["ch1", 2, "ch2", 3])]),
      Result.succeed(["ch1", 3, "ch2", 3])
    )
  })
})
