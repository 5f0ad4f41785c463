import type { RespValue } from "@effect-redis/resp"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import type { Command } from "./Command.ts"
import { evalRo, evalScript, evalsha, evalshaRo, type ScriptCall } from "./internal/commands/scripting.ts"
import type { RedisError } from "./internal/errors/RedisError.ts"
import type { RedisClient } from "./RedisClient.ts"

/** A Lua script run by SHA1, loaded on demand. */
export interface Script {
  /** The Lua source. */
  readonly lua: string
  /** Its SHA1, as `SCRIPT LOAD` would return it. */
  readonly sha1: string
  /**
   * Runs the script with `EVALSHA`. When the node answers `NOSCRIPT` (first use, a restarted or new node, a
   * flushed cache) the call is sent once more as `EVAL`, which runs the script and caches it on that same node
   * (the call is routed by its keys to the same slot). A script that ran is never run twice: `NOSCRIPT` means
   * nothing ran.
   */
  readonly run: (call?: ScriptCall) => Effect.Effect<RespValue, RedisError, RedisClient>
  /** The same with `EVALSHA_RO` / `EVAL_RO`, for read-only scripts (which may run on replicas). */
  readonly runReadOnly: (call?: ScriptCall) => Effect.Effect<RespValue, RedisError, RedisClient>
}

const withFallback = (
  cached: Command<RespValue>,
  fallback: () => Command<RespValue>
): Effect.Effect<RespValue, RedisError, RedisClient> =>
  Effect.catchIf(
    cached,
    (error) => error._tag === "ReplyError" && error.code === "NOSCRIPT",
    () => fallback()
  )

/** Script helpers. */
export const Script = {
  /** A script from its Lua source: `const incr = Script.make("return redis.call('INCR', KEYS[1])")`. */
  make: (lua: string): Script => {
    const sha1 = createHash("sha1").update(lua).digest("hex")
    return {
      lua,
      sha1,
      run: (call) => withFallback(evalsha(sha1, call), () => evalScript(lua, call)),
      runReadOnly: (call) => withFallback(evalshaRo(sha1, call), () => evalRo(lua, call))
    }
  }
} as const
