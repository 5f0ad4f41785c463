import type { RespArg } from "@effect-redis/resp"
import { defineCommand } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import { type Pairs, pushPairs } from "./types.ts"
import { nonEmpty } from "./validate.ts"

const { admin, replaySafe } = CommandFlags

/**
 * CONFIG GET pattern [pattern ...] (one glob-style pattern or an array): every matching parameter and its value, as
 * a record (empty when nothing matches).
 */
export const configGet = defineCommand({
  name: "CONFIG GET", flags: admin | replaySafe, keys: noKeys, reply: Replies.stringRecord,
  args: (patterns: string | ReadonlyArray<string>) => {
    if (typeof patterns === "string") return ["CONFIG", "GET", patterns]
    return nonEmpty("patterns", patterns) ?? ["CONFIG", "GET", ...patterns]
  }
})

/**
 * CONFIG SET parameter value [parameter value ...]: sets parameters at run time, all or none (on a cluster: on
 * every node).
 */
export const configSet = defineCommand({
  name: "CONFIG SET", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: (parameters: Pairs) => {
    const out: Array<RespArg> = ["CONFIG", "SET"]
    return nonEmpty("parameters", pushPairs(out, parameters)) ?? out
  }
})

/** CONFIG RESETSTAT: resets the statistics INFO reports (on a cluster: on every node). */
export const configResetstat = defineCommand({
  name: "CONFIG RESETSTAT", flags: admin, keys: noKeys, reply: Replies.ok,
  args: () => ["CONFIG", "RESETSTAT"]
})

/** CONFIG REWRITE: writes the running configuration to the server's config file (on a cluster: on every node). */
export const configRewrite = defineCommand({
  name: "CONFIG REWRITE", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: () => ["CONFIG", "REWRITE"]
})
