/**
 * Transactions and WATCH bodies while the cluster changes under them: a graceful failover and a crashed primary
 * under a load of transactions (test/support/TransactionLoad.ts: each INCRs the two keys of one tag), a slot
 * migration in the middle of that load (ASK, TRYAGAIN, then MOVED), and WATCH meeting MOVED, ASK and a slot that
 * moves while the body runs. Each test starts its own cluster. For every acknowledged transaction both keys moved
 * together, and none was applied twice.
 */
import { assert, it } from "@effect/vitest"
import { Redis, RedisClient } from "@effect-redis/client"
import { keySlot, RedisCluster } from "@effect-redis/cluster"
import { type ClusterNode, LocalCluster, type LocalClusterService } from "@effect-redis/testkit"
import { Effect, Option, Schedule } from "effect"
import { loadTags, startTransactionLoad, tagKeys, verifyTransactions } from "./support/TransactionLoad.ts"

const NODE_TIMEOUT_MS = 1500

/** How many ASKING commands `node` has served (INFO commandstats): proof that clients followed ASK there. */
const askingCalls = (cluster: LocalClusterService, node: ClusterNode) =>
  Effect.map(cluster.command(node, ["INFO", "commandstats"]), (reply) => Number(/cmdstat_asking:calls=(\d+)/.exec(String(reply))?.[1] ?? 0))

it.live("graceful failover (CLUSTER FAILOVER) under a transaction load: no error, both keys together, nothing doubled", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const tags = loadTags("tx-graceful", 300)
    yield* Effect.gen(function*() {
      const load = yield* startTransactionLoad({ tags, writers: 16 })
      yield* Effect.sleep("300 millis")
      const [shard] = yield* cluster.shards
      yield* cluster.failover(shard!)
      yield* Effect.sleep("700 millis")
      const afterFailover = load.total()
      yield* Effect.sleep("300 millis")
      const report = yield* load.stop
      assert.isAbove(report.total - afterFailover, 0, "transactions continue after the failover")
      assert.deepStrictEqual(report.errors, [])
      assert.deepStrictEqual(report.torn, [])
      assert.strictEqual(report.timeouts, 0)
      assert.strictEqual(report.uncertain.size, 0)
      assert.deepStrictEqual(yield* verifyTransactions(report, tags), [])
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 90_000)

it.live("crashed primary (kill -9) under a transaction load: traffic resumes, both keys together, none applied twice", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: NODE_TIMEOUT_MS })
    const tags = loadTags("tx-crash", 300)
    yield* Effect.gen(function*() {
      const load = yield* startTransactionLoad({ tags, writers: 16 })
      yield* Effect.sleep("300 millis")
      const [shard] = yield* cluster.shards
      yield* cluster.kill(shard!.primary)
      yield* Effect.sleep(`${NODE_TIMEOUT_MS + 4000} millis`)
      // Writers pick tags at random: were the dead shard's slots still unserved, every writer would be stuck on one.
      const afterFailover = load.total()
      yield* Effect.sleep("500 millis")
      const report = yield* load.stop
      assert.isAbove(report.total - afterFailover, 0, `transactions resume after the failover (longest pause ${report.longestGapMs} ms)`)
      assert.deepStrictEqual(report.errors, [])
      assert.deepStrictEqual(report.torn, [])
      assert.strictEqual(report.timeouts, 0)
      // Transactions whose EXEC was on the wire to the dead node are reported as unknown, and may or may not have
      // run: once at most, and with both keys.
      assert.deepStrictEqual(yield* verifyTransactions(report, tags), [])
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes })))
  }), 90_000)

it.live("slots migrating in the middle of a transaction load: transactions keep succeeding through ASK and MOVED, none applied twice", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 })
    const tags = loadTags("tx-migrate", 120)
    const [from, to] = yield* cluster.shards
    const onFirstShard = (slot: number) => from!.slots.some((range) => slot >= range.start && slot <= range.end)
    // The slots of tags served by the first shard: each is moved while the load writes it.
    const moving = [...new Set(tags.map((tag) => keySlot(tagKeys(tag)[0])).filter(onFirstShard))].slice(0, 8)
    assert.isAtLeast(moving.length, 4)
    yield* Effect.gen(function*() {
      const load = yield* startTransactionLoad({ tags, writers: 16 })
      yield* Effect.sleep("200 millis")
      const askingBefore = yield* askingCalls(cluster, to!.primary)
      for (const slot of moving) {
        yield* cluster.beginSlotMigration(slot, to!.primary)
        // One key of each tag moved, the other not yet: ASK for one, TRYAGAIN for the pair, until the rest follows.
        yield* cluster.migrateKeys(slot, { count: 1 })
        yield* Effect.sleep("40 millis")
        yield* cluster.migrateKeys(slot)
        yield* Effect.sleep("40 millis")
        yield* cluster.finishSlotMigration(slot)
      }
      yield* Effect.sleep("300 millis")
      const report = yield* load.stop
      assert.deepStrictEqual(report.errors, [])
      assert.deepStrictEqual(report.torn, [])
      assert.strictEqual(report.timeouts, 0)
      assert.strictEqual(report.uncertain.size, 0)
      assert.deepStrictEqual(yield* verifyTransactions(report, tags), [])
      assert.isAbove(yield* askingCalls(cluster, to!.primary), askingBefore, "transactions followed ASK to the importing node")
      const snapshot = yield* RedisCluster.refreshTopology
      for (const slot of moving) assert.strictEqual(snapshot.shardForSlot(slot)!.primary.port, to!.primary.port)
    }).pipe(Effect.provide(RedisCluster.layer({
      startupNodes: cluster.startupNodes,
      // A pair split by the migration answers TRYAGAIN until both keys are on one side (about 40 ms here).
      retry: { tryAgain: Schedule.spaced("5 millis").pipe(Schedule.upTo({ times: 200 })) }
    })))
  }), 120_000)

it.live("WATCH meets MOVED (followed before the body runs), ASK (the body runs on the importing node) and a slot moving during the body (conflict, never an EXEC elsewhere)", () =>
  Effect.gen(function*() {
    const cluster = yield* LocalCluster.make({ primaries: 3, replicasPerPrimary: 0 })
    const shards = yield* cluster.shards
    const keyOn = (shard: number, name: string) => {
      for (let i = 0; ; i++) {
        const key = `{watch:${name}:${i}}k`
        if (shards[shard]!.slots.some((r) => keySlot(key) >= r.start && keySlot(key) <= r.end)) return key
      }
    }
    const moved = keyOn(0, "moved"), asked = keyOn(0, "asked"), during = keyOn(0, "during")
    const [, second, third] = shards
    yield* Effect.gen(function*() {
      let bodies = 0
      const incrementBody = (key: string) => (tx: Parameters<Parameters<typeof RedisClient.watch>[1]>[0]) =>
        Effect.gen(function*() {
          bodies++
          const current = Number(Option.getOrElse(yield* tx.run(Redis.get(key)), () => "0"))
          return yield* tx.exec([Redis.set(key, String(current + 1))])
        })

      // MOVED: the slot moved behind the client's back (no refresh): WATCH gets MOVED and follows it, once.
      yield* Redis.set(moved, "10")
      yield* cluster.moveSlot(keySlot(moved), second!.primary)
      bodies = 0
      assert.deepStrictEqual(yield* RedisClient.watch([moved], incrementBody(moved)), [true])
      assert.strictEqual(bodies, 1)
      assert.deepStrictEqual(yield* cluster.command(second!.primary, ["GET", moved]), "11")

      // ASK: the slot is migrating and the key already on the target: WATCH, the read and the transaction all run
      // there, after ASKING.
      yield* Redis.set(asked, "20")
      yield* cluster.beginSlotMigration(keySlot(asked), third!.primary)
      yield* cluster.migrateKeys(keySlot(asked))
      assert.deepStrictEqual(yield* RedisClient.watch([asked], incrementBody(asked)), [true])
      yield* cluster.finishSlotMigration(keySlot(asked))
      assert.deepStrictEqual(yield* cluster.command(third!.primary, ["GET", asked]), "21")

      // The watched slot moves while the body runs: the transaction does not run, here or on the new owner.
      yield* Redis.set(during, "30")
      const conflict = yield* Effect.flip(RedisClient.watch([during], (tx) =>
        Effect.gen(function*() {
          yield* tx.run(Redis.get(during))
          yield* cluster.moveSlot(keySlot(during), second!.primary).pipe(Effect.orDie)
          return yield* tx.exec([Redis.set(during, "mine")])
        })))
      assert.strictEqual(conflict._tag, "WatchConflictError", String(conflict))
      assert.deepStrictEqual(yield* cluster.command(second!.primary, ["GET", during]), "30")
      // optimistic runs the body again, on the new owner.
      assert.deepStrictEqual(yield* RedisClient.optimistic([during], incrementBody(during)), [true])
      assert.deepStrictEqual(yield* Redis.get(during), Option.some("31"))
    }).pipe(Effect.provide(RedisCluster.layer({ startupNodes: cluster.startupNodes, refreshInterval: Infinity })))
  }), 120_000)
