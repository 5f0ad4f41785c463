/**
 * What the scan tests share: writing many keys fast (one MSET per slot, pipelined), reading a stream chunk by chunk,
 * checking "every key at least once" / "exactly once", and counting the SCAN calls each node served (INFO
 * commandstats), which shows where a scan went and whether anything still runs after it stopped.
 */
import { assert } from "@effect/vitest"
import { Redis, RedisClient, type RedisError } from "@effect-redis/client"
import { keySlot } from "@effect-redis/cluster"
import type { LocalClusterService, NodeAddress } from "@effect-redis/testkit"
import { Effect, Stream } from "effect"

/** Writes `keys` (value `v`) with one MSET per slot, 256 MSETs per pipeline: 200k keys take about a second. */
export const writeKeys = (keys: ReadonlyArray<string>, value = "v"): Effect.Effect<void, RedisError, RedisClient> =>
  Effect.gen(function*() {
    const bySlot = new Map<number, Array<readonly [string, string]>>()
    for (const key of keys) {
      const slot = keySlot(key)
      let pairs = bySlot.get(slot)
      if (pairs === undefined) bySlot.set(slot, pairs = [])
      pairs.push([key, value])
    }
    const groups = [...bySlot.values()]
    for (let i = 0; i < groups.length; i += 256) {
      yield* RedisClient.pipeline(groups.slice(i, i + 256).map((pairs) => Redis.mset(pairs)))
    }
  })

/** `count` keys `<prefix>:<i>`, spread over every slot (no hash tag). */
export const keyNames = (prefix: string, count: number): Array<string> => Array.from({ length: count }, (_, i) => `${prefix}:${i}`)

/** Runs a stream to its end and returns what it emitted and the size of each chunk. */
export const collectChunks = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.suspend(() => {
    const items: Array<A> = []
    const chunks: Array<number> = []
    return Effect.as(
      Stream.runForEachArray(stream, (chunk) =>
        Effect.sync(() => {
          chunks.push(chunk.length)
          for (const item of chunk) items.push(item)
        })),
      { items, chunks }
    )
  })

/** How many times each key was emitted. */
export const tally = (emitted: ReadonlyArray<string>): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const key of emitted) counts.set(key, (counts.get(key) ?? 0) + 1)
  return counts
}

/** Asserts every expected key was emitted at least once; returns how many emissions were repeats. */
export const assertEachAtLeastOnce = (emitted: ReadonlyArray<string>, expected: ReadonlyArray<string>): number => {
  const counts = tally(emitted)
  const missing = expected.filter((key) => !counts.has(key))
  assert.deepStrictEqual(missing.slice(0, 20), [], `${missing.length} of ${expected.length} keys never emitted`)
  let repeats = 0
  for (const n of counts.values()) repeats += n - 1
  return repeats
}

/** Asserts the stream emitted exactly `expected`, each once. */
export const assertExactlyOnce = (emitted: ReadonlyArray<string>, expected: ReadonlyArray<string>): void => {
  const repeats = assertEachAtLeastOnce(emitted, expected)
  assert.strictEqual(repeats, 0, "keys emitted more than once")
  assert.strictEqual(emitted.length, expected.length, "keys emitted that were not expected")
}

/** `calls=` of `cmdstat_scan` in one node's INFO commandstats (0 when the node has served none). */
export const scanCallsOn = (cluster: LocalClusterService, node: NodeAddress) =>
  Effect.map(cluster.command(node, ["INFO", "commandstats"]), (info) => {
    const match = /cmdstat_scan:calls=(\d+)/.exec(String(info))
    return match === null ? 0 : Number(match[1])
  })

/** SCAN calls served so far by each running primary, by `host:port`. */
export const scanCallsByPrimary = (cluster: LocalClusterService) =>
  Effect.gen(function*() {
    const nodes = yield* cluster.refresh
    const primaries = nodes.filter((node) => node.role === "primary" && node.state === "running")
    const calls = new Map<string, number>()
    for (const node of primaries) calls.set(`${node.host}:${node.port}`, yield* scanCallsOn(cluster, node))
    return calls
  })

/** CONFIG RESETSTAT on every running node: commandstats start from zero. */
export const resetStats = (cluster: LocalClusterService) =>
  Effect.gen(function*() {
    const nodes = yield* cluster.refresh
    yield* Effect.forEach(nodes.filter((node) => node.state === "running"), (node) => cluster.command(node, ["CONFIG", "RESETSTAT"]), {
      discard: true
    })
  })

/**
 * The primary a paced scan is reading now: the one whose SCAN count grows over `windowMs`. While the scan moves from
 * one node to the next, two grow (or none): asked again then, up to 20 times, before failing the test.
 */
export const primaryBeingScanned = (cluster: LocalClusterService, windowMs = 150) =>
  Effect.gen(function*() {
    let growing: Array<string> = []
    for (let attempt = 0; attempt < 20 && growing.length !== 1; attempt++) {
      const before = yield* scanCallsByPrimary(cluster)
      yield* Effect.sleep(windowMs)
      const after = yield* scanCallsByPrimary(cluster)
      growing = [...after].filter(([address, calls]) => calls > (before.get(address) ?? 0)).map(([address]) => address)
    }
    assert.strictEqual(growing.length, 1, `primaries being scanned: ${growing.join(", ")}`)
    const nodes = yield* cluster.nodes
    return nodes.find((node) => `${node.host}:${node.port}` === growing[0])!
  })
