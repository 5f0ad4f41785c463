import type { RedisError } from "@effect-redis/client"
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect, Result } from "effect"
import {
  arityError,
  bulk,
  type Emulation,
  type EmulationRunner,
  memberOf,
  run,
  serverError,
  sub
} from "./shared.ts"

// RENAME / RENAMENX across slots (DUMP + expiry, RESTORE on the destination, DEL the source), and RANDOMKEY, which
// must ask the primaries one after the other (a cluster has no single keyspace to pick from).

/** The value of a key (DUMP) and how to restore its expiry: `[ttl, absolute]` as RESTORE takes them. */
interface Dumped {
  readonly payload: Uint8Array
  readonly ttl: number
  readonly absolute: boolean
}

const NO_SUCH_KEY = "ERR no such key"

/**
 * DUMP and PEXPIRETIME of `key` in one pipeline (PTTL on servers before 7.0); fails with the server's
 * "ERR no such key" when it is missing (or expires in between).
 */
const dump = (runner: EmulationRunner, key: RespArg): Effect.Effect<Dumped, RedisError> =>
  Effect.flatMap(runner.pipeline([sub(runner, "read", ["DUMP", key]), sub(runner, "read", ["PEXPIRETIME", key])]), (results) => {
    const dumped = results[0]!, expireAt = results[1]!
    if (Result.isFailure(dumped)) return Effect.fail(dumped.failure)
    const payload = dumped.success
    if (!(payload instanceof Uint8Array)) return serverError(NO_SUCH_KEY)
    if (Result.isSuccess(expireAt)) {
      const at = Number(expireAt.success)
      return at === -2 ? serverError(NO_SUCH_KEY) : Effect.succeed({ payload, ttl: at > 0 ? at : 0, absolute: at > 0 })
    }
    const failure = expireAt.failure
    if (failure._tag !== "UnknownCommandError") return Effect.fail(failure)
    return Effect.flatMap(run(runner, "read", ["PTTL", key]), (reply) => {
      const ttl = Number(reply)
      return ttl === -2 ? serverError(NO_SUCH_KEY) : Effect.succeed({ payload, ttl: ttl > 0 ? ttl : 0, absolute: false })
    })
  })

/**
 * RENAME / RENAMENX source destination: DUMP the source with its expiry, RESTORE it at the destination (REPLACE
 * for RENAME; for RENAMENX without, so an existing destination answers 0 and nothing changes), then DEL the source.
 * The value, its type and its TTL move (with ABSTTL the expiry time is exact); the key's idle time / frequency
 * do not.
 *
 * Failure midway: a failed RESTORE leaves both keys as they were; a failed DEL after it leaves the value in both
 * keys (and the error is reported). A write to the source between DUMP and DEL is lost with the source.
 */
const rename = (nx: boolean): Emulation => (args, runner) =>
  Effect.gen(function*() {
    if (args.length !== 3) return yield* arityError(runner.name)
    const [, source, destination] = args as [RespArg, RespArg, RespArg]
    const dumped = yield* dump(runner, source)
    const restore: Array<RespArg> = ["RESTORE", destination, dumped.ttl, dumped.payload]
    if (!nx) restore.push("REPLACE")
    if (dumped.absolute) restore.push("ABSTTL")
    // Not interruptible from the RESTORE on: an interruption must not leave the value under both names.
    return yield* Effect.uninterruptible(Effect.flatMap(Effect.result(run(runner, "write", restore)), (restored): Effect.Effect<RespValue, RedisError> => {
      if (Result.isFailure(restored)) {
        const failure = restored.failure
        return nx && failure._tag === "ReplyError" && failure.code === "BUSYKEY" ? Effect.succeed(0) : Effect.fail(failure)
      }
      return Effect.as(run(runner, "write", ["DEL", source]), nx ? 1 : "OK")
    }))
  })

/** The primaries in a random order. */
const shuffled = <A>(items: ReadonlyArray<A>): Array<A> => {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/**
 * RANDOMKEY on a cluster: asks a random primary, then the others in turn while they have no key. Nil only when
 * every primary answered that it has none; when some failed and none had a key, fails with the first failure.
 */
const randomkey: Emulation = (args, runner) => {
  if (args.length !== 1) return arityError(runner.name)
  const primaries = shuffled(runner.primaries())
  const tryFrom = (i: number, firstFailure: RedisError | undefined): Effect.Effect<RespValue, RedisError> => {
    if (i >= primaries.length) return firstFailure === undefined ? Effect.succeed(null) : Effect.fail(firstFailure)
    return Effect.flatMap(Effect.result(runner.runOnNode(primaries[i]!, sub(runner, "read", ["RANDOMKEY"]))), (result) => {
      if (Result.isFailure(result)) return tryFrom(i + 1, firstFailure ?? result.failure)
      const key = memberOf(result.success)
      return key === undefined ? tryFrom(i + 1, firstFailure) : Effect.succeed(bulk(key, runner.binary))
    })
  }
  return Effect.suspend(() => tryFrom(0, undefined))
}

/** Key emulations by command name (RANDOMKEY is routing, not cross-slot: see {@link routingEmulations}). */
export const keyEmulations: Readonly<Record<string, Emulation>> = {
  RENAME: rename(false),
  RENAMENX: rename(true)
}

/** Commands without keys that a cluster runs by an emulation rather than on one node. */
export const routingEmulations: Readonly<Record<string, Emulation>> = {
  RANDOMKEY: randomkey
}
