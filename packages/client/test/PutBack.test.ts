/**
 * What an interrupted blocking command's put-back sends, per command and reply shape (RESP2 and RESP3), without a
 * server: the real round trips are in test/blocking-interruption.test.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import { putBackFor } from "../src/internal/connection/PutBack.ts"
import { RespErrorReply, type RespArg, type RespValue } from "@effect-redis/resp"
import { Effect } from "effect"

/** Runs a put-back against a fake server that answers `replies` in turn; returns what was sent and the count. */
const sentBy = (args: ReadonlyArray<RespArg>, reply: RespValue, replies: ReadonlyArray<RespValue> = [1, 1]) =>
  Effect.gen(function*() {
    const putBack = putBackFor(args, reply)
    if (putBack === undefined) return undefined
    const sent: Array<ReadonlyArray<RespArg>> = []
    let i = 0
    const restored = yield* putBack((command) => {
      sent.push(command)
      return Effect.succeed(replies[i++] ?? 1)
    })
    return { sent, restored }
  })

describe("putBackFor", () => {
  it.effect("nil and error replies took nothing", () =>
    Effect.gen(function*() {
      assert.isUndefined(yield* sentBy(["BLPOP", "k", 0], null))
      assert.isUndefined(yield* sentBy(["BLPOP", "k", 0], new RespErrorReply("UNBLOCKED client unblocked via CLIENT UNBLOCK")))
      assert.isUndefined(yield* sentBy(["XREAD", "BLOCK", 0, "STREAMS", "s", "$"], [["s", [["1-0", ["f", "v"]]]]]))
      assert.isUndefined(yield* sentBy(["XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">"], [["s", [["1-0", ["f", "v"]]]]]))
    }))

  it.effect("BLPOP / BRPOP push the element back to the end it came from; bytes stay bytes", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* sentBy(["BLPOP", "a", "b", 0], ["b", "x"]), { sent: [["LPUSH", "b", "x"]], restored: 1 })
      const bytes = new Uint8Array([0xff, 0x00])
      assert.deepStrictEqual(yield* sentBy(["BRPOP", "k", 1], ["k", bytes]), { sent: [["RPUSH", "k", bytes]], restored: 1 })
    }))

  it.effect("BLMPOP restores the original order at either end", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual((yield* sentBy(["BLMPOP", 0, 2, "a", "b", "LEFT", "COUNT", 2], ["b", ["x", "y"]]))?.sent, [["LPUSH", "b", "y", "x"]])
      assert.deepStrictEqual((yield* sentBy(["BLMPOP", 0, 1, "a", "RIGHT", "COUNT", 2], ["a", ["z", "y"]]))?.sent, [["RPUSH", "a", "y", "z"]])
    }))

  it.effect("BZPOPMIN / BZMPOP re-add with their scores, NX; RESP3 doubles and infinities spelled for ZADD", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual((yield* sentBy(["BZPOPMIN", "z", 0], ["z", "m", "1.5"]))?.sent, [["ZADD", "z", "NX", "1.5", "m"]])
      assert.deepStrictEqual((yield* sentBy(["BZPOPMAX", "z", 0], ["z", "m", Infinity]))?.sent, [["ZADD", "z", "NX", "+inf", "m"]])
      assert.deepStrictEqual(
        yield* sentBy(["BZMPOP", 0, 1, "z", "MIN", "COUNT", 2], ["z", [["a", -Infinity], ["b", 2.5]]]),
        { sent: [["ZADD", "z", "NX", "-inf", "a", 2.5, "b"]], restored: 2 }
      )
    }))

  it.effect("BLMOVE / BRPOPLPUSH take the element off the destination, and push it back only if it was still there", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        yield* sentBy(["BLMOVE", "src", "dst", "LEFT", "RIGHT", 0], "x"),
        { sent: [["LREM", "dst", -1, "x"], ["LPUSH", "src", "x"]], restored: 1 }
      )
      assert.deepStrictEqual(
        yield* sentBy(["BRPOPLPUSH", "src", "dst", 0], "x", [0]),
        { sent: [["LREM", "dst", 1, "x"]], restored: 0 },
        "someone else took it from the destination: theirs now"
      )
    }))
})
