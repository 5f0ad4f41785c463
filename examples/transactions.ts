/**
 * Transactions: MULTI ... EXEC with replies typed by position, a transaction as one element of a pipeline, a
 * WATCH-based transfer that never overdraws (optimistic locking, run again on conflict), and the same decision
 * made on the server by a Lua script.
 *
 * `REDIS_CLUSTER_URL=redis://127.0.0.1:7000 node examples/transactions.ts` (or `REDIS_URL=...` for one server).
 * On a cluster every key of one transaction must share a slot: the accounts share the hash tag `{bank:<run>}`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Redis, RedisClient, Script } from "@effect-redis/client"
import { Console, Effect, Option } from "effect"
import { clientFromEnv } from "./support/clientFromEnv.ts"

const tag = `{bank:${Date.now()}}`
const account = (name: string) => `${tag}:${name}`
const balance = (value: Option.Option<string>) => Number(Option.getOrElse(value, () => "0"))

/**
 * Moves `amount` from one account to another unless that would overdraw it: the read and the decision happen on
 * the client, and EXEC only applies the writes if neither balance changed since WATCH; `optimistic` runs the body
 * again when one did.
 */
const transfer = (from: string, to: string, amount: number) =>
  RedisClient.optimistic([account(from), account(to)], (tx) =>
    Effect.gen(function*() {
      const available = balance(yield* tx.run(Redis.get(account(from))))
      if (available < amount) return false // no EXEC: the WATCH is dropped, nothing changes
      yield* tx.exec([Redis.decrby(account(from), amount), Redis.incrby(account(to), amount)])
      return true
    }))

/** The same rule as one Lua script: the server decides, no round trip between the read and the writes. */
const transferScript = Script.make(`
  local available = tonumber(redis.call('GET', KEYS[1]) or '0')
  if available < tonumber(ARGV[1]) then return 0 end
  redis.call('DECRBY', KEYS[1], ARGV[1])
  redis.call('INCRBY', KEYS[2], ARGV[1])
  return 1
`)

/** The example program: written against `RedisClient`, it runs on a standalone server or a cluster. */
export const program = Effect.gen(function*() {
  // One write, one atomic step, replies typed by position.
  const [alice, bob, opened] = yield* RedisClient.transaction([
    Redis.incrby(account("alice"), 100),
    Redis.incrby(account("bob"), 20),
    Redis.incr(account("accounts"))
  ])
  yield* Console.log(`opened: alice=${alice}, bob=${bob}, accounts=${opened}`)

  // A transaction is one element of a pipeline.
  const [before, [afterFee]] = yield* RedisClient.pipeline([
    Redis.get(account("alice")),
    RedisClient.transaction([Redis.decrby(account("alice"), 1), Redis.incr(account("fees"))])
  ])
  yield* Console.log(`fee: alice ${balance(before)} -> ${afterFee}`)

  // Ten concurrent transfers of 15 from alice (99): six fit, four are refused, none overdraws.
  const done = yield* Effect.forEach(Array.from({ length: 10 }), () => transfer("alice", "bob", 15), { concurrency: "unbounded" })
  const [a, b] = yield* Redis.mget([account("alice"), account("bob")])
  yield* Console.log(`transfers: ${done.filter(Boolean).length} done, ${done.filter((ok) => !ok).length} refused; alice=${balance(a!)}, bob=${balance(b!)}`)

  // A failing command inside EXEC: the others were applied (Redis has no rollback), the error says which one.
  yield* Redis.hset(account("profile"), { name: "alice" })
  const failure = yield* RedisClient.transaction([Redis.incr(account("audit")), Redis.incr(account("profile"))]).pipe(
    Effect.flip,
    Effect.map((error) => (error._tag === "TransactionCommandError" ? `command ${error.index} ${error.error._tag}, executed: ${error.executed}` : error._tag))
  )
  yield* Console.log(`failing command: ${failure}; audit=${balance(yield* Redis.get(account("audit")))}`)

  // The server-side version of the transfer.
  const moved = yield* transferScript.run({ keys: [account("bob"), account("alice")], args: [50] })
  const [a2, b2] = yield* Redis.mget([account("alice"), account("bob")])
  yield* Console.log(`script transfer: ${moved === 1 ? "done" : "refused"}; alice=${balance(a2!)}, bob=${balance(b2!)}`)

  yield* Redis.del(["alice", "bob", "accounts", "fees", "profile", "audit"].map(account))
})

if (import.meta.main) program.pipe(Effect.provide(clientFromEnv()), NodeRuntime.runMain)
