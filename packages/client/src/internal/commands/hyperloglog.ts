import type { RespArg } from "@effect-redis/resp"
import { defineCommand } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { allKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import { keyList, type RedisKey, type RedisValue } from "./types.ts"

// PFDEBUG and PFSELFTEST are internal debugging commands: no builders, they stay reachable through `Redis.call`.

const { readonly, write, replaySafe } = CommandFlags

/**
 * PFADD key [element ...]: adds the elements to a HyperLogLog; `true` when its estimated cardinality changed
 * (or the key was created, which is the only effect without elements).
 */
export const pfadd = defineCommand({
  name: "PFADD", flags: write | replaySafe, reply: Replies.boolean,
  args: (key: RedisKey, elements: ReadonlyArray<RedisValue> = []): ReadonlyArray<RespArg> => ["PFADD", key, ...elements]
})

/**
 * PFCOUNT key [key ...] (one key or an array): the estimated cardinality of the HyperLogLog, or of the union of
 * several (0 for missing keys).
 */
export const pfcount = defineCommand({
  name: "PFCOUNT", flags: readonly, keys: allKeys, reply: Replies.integer,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => keyList("PFCOUNT", keys)
})

/**
 * PFMERGE destkey [sourcekey ...] (one key, an array, or none): merges the sources (and the destination's own
 * value) into `destkey`; `void`.
 */
export const pfmerge = defineCommand({
  name: "PFMERGE", flags: write | replaySafe, keys: allKeys, reply: Replies.ok,
  args: (destination: RedisKey, sources: RedisKey | ReadonlyArray<RedisKey> = []): ReadonlyArray<RespArg> =>
    Array.isArray(sources) ? ["PFMERGE", destination, ...(sources as ReadonlyArray<RedisKey>)] : ["PFMERGE", destination, sources as RedisKey]
})
