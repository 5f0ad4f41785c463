/**
 * A program that keeps writing while its cluster fails over under it.
 *
 * Starts a throwaway local cluster (3 primaries, 1 replica each), runs 8 writers doing INCR on keys spread over
 * every slot, then (1) fails over one shard gracefully and (2) kills another shard's primary with SIGKILL. The
 * writers never see the failovers: the client follows MOVED, retries unwritten commands while the replica is
 * promoted, and learns the new layout in the background. At the end every counter is compared with the
 * increments the client acknowledged.
 *
 * The one error a writer may see is honest: an INCR already written to the primary that was killed before it
 * answered fails with `ConnectionError { written: true }`. The client cannot know whether it ran, so it does not
 * send it again (that could count it twice); such a counter may be one higher than its acknowledged count.
 *
 * Run: `node examples/failover.ts` (needs `redis-server` on PATH; `npm run demo` sets everything up).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Redis, type RedisError } from "@effect-redis/client"
import { RedisCluster } from "@effect-redis/cluster"
import { LocalCluster } from "@effect-redis/testkit"
import { Console, Effect, Fiber, Stream } from "effect"

const keys = Array.from({ length: 200 }, (_, i) => `failover-example:${i}`)

/** Writers: INCR random keys until told to stop; count what the cluster acknowledged, and what may have run. */
const writeUntil = (stopped: () => boolean, acked: Map<string, number>, unknown: Map<string, number>, failures: Array<RedisError>) =>
  Effect.gen(function*() {
    while (!stopped()) {
      const key = keys[Math.floor(Math.random() * keys.length)]!
      yield* Redis.incr(key).pipe(
        Effect.match({
          onSuccess: () => void acked.set(key, (acked.get(key) ?? 0) + 1),
          onFailure: (error) =>
            error._tag === "ConnectionError" && error.written
              ? void unknown.set(key, (unknown.get(key) ?? 0) + 1)
              : void failures.push(error)
        })
      )
    }
  })

export const program = Effect.gen(function*() {
  const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1 })
  yield* Console.log(`cluster up: ${cluster.url}`)
  yield* Effect.gen(function*() {
    // Print what the client learns about the cluster as it happens.
    yield* Effect.forkChild(Stream.runForEach(RedisCluster.topologyChanges, (change) =>
      Console.log(`  topology: ${change._tag} ${"from" in change ? `${change.from} -> ${change.to}` : change.node.address}`)))
    const acked = new Map<string, number>()
    const unknown = new Map<string, number>()
    const failures: Array<RedisError> = []
    let stop = false
    const writers = yield* Effect.forEach(Array.from({ length: 8 }), () => Effect.forkChild(writeUntil(() => stop, acked, unknown, failures)))
    yield* Effect.sleep("300 millis")

    const [first, second] = yield* cluster.shards
    yield* Console.log(`graceful failover of ${first!.primary.host}:${first!.primary.port}...`)
    const promoted = yield* cluster.failover(first!)
    yield* Console.log(`  ${promoted.host}:${promoted.port} is primary now`)
    yield* Console.log(`killing ${second!.primary.host}:${second!.primary.port} with SIGKILL...`)
    yield* cluster.kill(second!.primary)
    yield* Effect.sleep("5 seconds")
    stop = true
    yield* Fiber.joinAll(writers)

    const total = [...acked.values()].reduce((a, b) => a + b, 0)
    const values = yield* Effect.forEach(keys, (key) => Redis.get(key), { concurrency: 32 })
    const consistent = keys.filter((key, i) => {
      const value = values[i]!
      const actual = value._tag === "Some" ? Number(value.value) : 0
      const expected = acked.get(key) ?? 0
      return actual >= expected && actual <= expected + (unknown.get(key) ?? 0)
    })
    const unknownTotal = [...unknown.values()].reduce((a, b) => a + b, 0)
    yield* Console.log(`acknowledged increments: ${total}`)
    yield* Console.log(`increments of unknown outcome (written to the killed node before it answered): ${unknownTotal}`)
    yield* Console.log(`other errors seen by the writers: ${failures.length}${failures.length > 0 ? ` (${failures.map((e) => e.message).join("; ")})` : ""}`)
    yield* Console.log(`counters equal to their acknowledged increments (plus at most the unknown ones): ${consistent.length} of ${keys.length}`)
    return { total, unknown: unknownTotal, failures: failures.length, consistent: consistent.length }
  }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
}).pipe(Effect.scoped)

if (import.meta.main) program.pipe(NodeRuntime.runMain)
