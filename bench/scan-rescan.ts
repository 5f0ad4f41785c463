/**
 * `node bench/scan-rescan.ts`: what it costs a whole-cluster SCAN to re-read slots that moved while their node was
 * being scanned, two ways, on one primary of a quiet cluster:
 *
 * - rescan: SCAN the node that now owns the slots from cursor 0 to 0 (COUNT 1000) and keep the keys whose slot is
 *   one of them (CRC16 per key): what `RedisClient.scan` does. Its cost does not depend on how many slots moved.
 * - per slot: `CLUSTER COUNTKEYSINSLOT` then `CLUSTER GETKEYSINSLOT slot n` for each moved slot, 100 slots per
 *   pipeline. Its cost grows with the number of slots.
 *
 * Both read the same keys (checked). Starts a cluster of 3 primaries with BENCH_SCAN_KEYS keys (default 1,000,000,
 * so ~333k per primary), then times each way for 1, 10, 100, 1000 and all of the node's slots; median of
 * BENCH_ROUNDS (default 5) rounds. The run prints the table.
 */
import { Redis, RedisClient } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { LocalCluster } from "@effect-redis/testkit"
import { Effect } from "effect"

const keyCount = Number(process.env.BENCH_SCAN_KEYS ?? 1_000_000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)

const median = (values: ReadonlyArray<number>): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const fill = Effect.gen(function*() {
  const bySlot = new Map<number, Array<readonly [string, string]>>()
  for (let i = 0; i < keyCount; i++) {
    const key = `rescan:${i}`
    const slot = keySlot(key)
    let pairs = bySlot.get(slot)
    if (pairs === undefined) bySlot.set(slot, pairs = [])
    pairs.push([key, "12345678"])
  }
  const groups = [...bySlot.values()]
  for (let i = 0; i < groups.length; i += 256) yield* RedisClient.pipeline(groups.slice(i, i + 256).map((pairs) => Redis.mset(pairs)))
})

/** Every key of the node in `slots`, by a full SCAN of the node filtered by slot. */
const rescan = (address: string, slots: ReadonlySet<number>) =>
  Effect.gen(function*() {
    let cursor = "0"
    let kept = 0
    do {
      const reply = (yield* RedisCluster.onNode(address, Redis.call(["SCAN", cursor, "COUNT", 1000]))) as [string, Array<string>]
      cursor = String(reply[0])
      for (const key of reply[1]) if (slots.has(keySlot(key))) kept++
    } while (cursor !== "0")
    return kept
  })

/** Every key of the node in `slots`, slot by slot: COUNTKEYSINSLOT, then GETKEYSINSLOT of that many. */
const perSlot = (address: string, slots: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const node = (yield* RedisCluster).node(address)
    let kept = 0
    for (let i = 0; i < slots.length; i += 100) {
      const batch = slots.slice(i, i + 100)
      const counts = yield* node.pipelineResults(batch.map((slot) => Redis.call(["CLUSTER", "COUNTKEYSINSLOT", slot])))
      const keys = yield* node.pipelineResults(batch.map((slot, j) => {
        const count = counts[j]!
        return Redis.call(["CLUSTER", "GETKEYSINSLOT", slot, count._tag === "Success" ? Number(count.success) : 0])
      }))
      for (const result of keys) if (result._tag === "Success") kept += (result.success as ReadonlyArray<unknown>).length
    }
    return kept
  })

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const started = performance.now()
    const value = yield* effect
    return [value, performance.now() - started] as const
  })

const main = Effect.scoped(Effect.gen(function*() {
  const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 })
  yield* Effect.gen(function*() {
    yield* fill
    const shard = (yield* cluster.shards)[0]!
    const address = `${shard.primary.host}:${shard.primary.port}`
    const owned = shard.slots.flatMap((range) => Array.from({ length: range.end - range.start + 1 }, (_, i) => range.start + i))
    const keysOnNode = (yield* RedisCluster.onNode(address, Redis.dbsize())) as number
    console.log(
      `# rescan vs per-slot reads: ${cluster.serverVersion.label}, ${keyCount.toLocaleString("en-US")} keys in the cluster, ` +
        `${keysOnNode.toLocaleString("en-US")} on the node (${owned.length} slots), ${rounds} rounds, Node ${process.version}\n`
    )
    console.log("| slots moved | keys in them | rescan of the node, ms | per slot (COUNTKEYSINSLOT + GETKEYSINSLOT), ms | per slot ÷ rescan |")
    console.log("| ---: | ---: | ---: | ---: | ---: |")
    for (const moved of [1, 10, 100, 1000, owned.length]) {
      // Slots spread over the node's range, as a reshard of that many would pick them.
      const slots = Array.from({ length: moved }, (_, i) => owned[Math.floor((i * owned.length) / moved)]!)
      const rescanMs: Array<number> = [], perSlotMs: Array<number> = []
      let expected = -1
      for (let round = 0; round < rounds; round++) {
        const [a, aMs] = yield* timed(rescan(address, new Set(slots)))
        const [b, bMs] = yield* timed(perSlot(address, slots))
        if (a !== b || (expected >= 0 && a !== expected)) throw new Error(`rescan read ${a} keys, per slot ${b}`)
        expected = a
        rescanMs.push(aMs)
        perSlotMs.push(bMs)
      }
      const r = median(rescanMs), p = median(perSlotMs)
      console.log(`| ${moved} | ${expected.toLocaleString("en-US")} | ${r.toFixed(0)} | ${p.toFixed(1)} | ${(p / r).toFixed(3)} |`)
    }
  }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
}))

await Effect.runPromise(main)
