/**
 * Every cluster error class, produced by a real server through the real parser: a Lua script increments a
 * counter (so we count how often the server ran it) and answers with the error reply under test.
 */
import { assert, it } from "@effect/vitest"
import { Redis, type RedisError } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { Effect, Schedule } from "effect"
import { inject } from "vitest"

const nodes = inject("clusterNodes")
const prefix = `error-replies:${process.pid}:${Date.now()}`
const quick = Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 3 }))
const layer = RedisCluster.layer({
  startupNodes: nodes,
  maxRedirections: 4,
  retry: { tryAgain: quick, clusterDown: quick, loading: quick, connection: quick }
})

/** Runs a script on `key`'s node that counts its runs in `key` and replies with `error`. */
const failWith = (key: string, error: string) =>
  Redis.call(["EVAL", `redis.call('INCR', KEYS[1]) return redis.error_reply(ARGV[1])`, 1, key, error], { keys: [3] })

const runsOf = (key: string) => Effect.map(Redis.get(key), (value) => (value._tag === "Some" ? Number(value.value) : 0))

const cases: ReadonlyArray<{ readonly reply: (slot: number, self: string) => string; readonly tag: RedisError["_tag"]; readonly runs: number }> = [
  { reply: () => "TRYAGAIN Multiple keys request during rehashing of slot", tag: "TryAgainError", runs: 4 },
  { reply: () => "CLUSTERDOWN The cluster is down", tag: "ClusterDownError", runs: 4 },
  { reply: () => "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", tag: "ClusterDownError", runs: 4 },
  { reply: () => "LOADING Redis is loading the dataset in memory", tag: "ReplyError", runs: 4 },
  { reply: () => "READONLY You can't write against a read only replica.", tag: "ReplyError", runs: 4 },
  { reply: (slot, self) => `MOVED ${slot} ${self}`, tag: "RedirectionLimitError", runs: 5 },
  { reply: (slot, self) => `ASK ${slot} ${self}`, tag: "RedirectionLimitError", runs: 5 },
  { reply: () => "ERR something else", tag: "ReplyError", runs: 1 }
]

for (const [index, testCase] of cases.entries()) {
  const name = testCase.reply(0, "host:1").split(" ")[0]
  it.live(`${name} -> ${testCase.tag} after ${testCase.runs} run(s) on the server`, () =>
    Effect.gen(function*() {
      const key = `${prefix}:${index}`
      const slot = keySlot(key)
      const owner = (yield* RedisCluster.topology).shardForSlot(slot)!.primary.address
      const error = yield* Effect.flip(failWith(key, testCase.reply(slot, owner)))
      assert.strictEqual(error._tag, testCase.tag, error.message)
      assert.strictEqual(yield* runsOf(key), testCase.runs)
      if (error._tag === "RedirectionLimitError") {
        assert.strictEqual(error.history.length, 5)
        assert.isTrue(error.history.every((hop) => hop.slot === slot && hop.address === owner))
      }
      if (error._tag === "ReplyError") assert.strictEqual(error.code, name)
    }).pipe(Effect.provide(layer)))
}
