import type { RespArg } from "@effect-redis/resp"
import { defineCommand } from "../../Command.ts"
import { ClusterPolicy } from "../ClusterPolicy.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { type KeyPositions, keysAfterCount, noKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"
import type { RedisKey, RedisValue } from "./types.ts"

/** The keys and arguments of a script or function call (`KEYS` and `ARGV` in Lua). */
export interface ScriptCall {
  /** Keys the script touches: they route the call (all must share a slot on a cluster). */
  readonly keys?: ReadonlyArray<RedisKey> | undefined
  /** Other arguments. */
  readonly args?: ReadonlyArray<RedisValue> | undefined
}

/** EVAL-style commands carry `numkeys` at index 2 and the keys right after it. */
const scriptKeys: KeyPositions = keysAfterCount(2)

const callLine = (name: string, target: string, call: ScriptCall = {}): ReadonlyArray<RespArg> => {
  const keys = call.keys ?? []
  return [name, target, keys.length, ...keys, ...(call.args ?? [])]
}

/**
 * EVAL script numkeys key... arg...: runs a Lua script; the raw reply. Named `evalScript` because `eval` cannot
 * be a binding in JavaScript modules. On a cluster it goes to the slot of its keys (keys on several slots:
 * `CrossSlotError`), or to any primary when it has none. Prefer {@link import("../../Script.ts").Script}, which
 * sends EVALSHA and falls back to EVAL once.
 */
export const evalScript = defineCommand({
  name: "EVAL", flags: CommandFlags.write, keys: scriptKeys, reply: Replies.raw, policy: ClusterPolicy.singleSlot,
  args: (script: string, call?: ScriptCall) => callLine("EVAL", script, call)
})

/** EVAL_RO: a read-only script (may run on replicas with `readFrom`). */
export const evalRo = defineCommand({
  name: "EVAL_RO", flags: CommandFlags.readonly, keys: scriptKeys, reply: Replies.raw, policy: ClusterPolicy.singleSlot,
  args: (script: string, call?: ScriptCall) => callLine("EVAL_RO", script, call)
})

/** EVALSHA sha1 numkeys key... arg...: runs a cached script; fails with `ReplyError` `NOSCRIPT` if not cached. */
export const evalsha = defineCommand({
  name: "EVALSHA", flags: CommandFlags.write, keys: scriptKeys, reply: Replies.raw, policy: ClusterPolicy.singleSlot,
  args: (sha1: string, call?: ScriptCall) => callLine("EVALSHA", sha1, call)
})

/** EVALSHA_RO: a cached read-only script. */
export const evalshaRo = defineCommand({
  name: "EVALSHA_RO", flags: CommandFlags.readonly, keys: scriptKeys, reply: Replies.raw, policy: ClusterPolicy.singleSlot,
  args: (sha1: string, call?: ScriptCall) => callLine("EVALSHA_RO", sha1, call)
})

/** FCALL function numkeys key... arg...: calls a loaded function; routed like EVAL. */
export const fcall = defineCommand({
  name: "FCALL", flags: CommandFlags.write, keys: scriptKeys, reply: Replies.raw, policy: ClusterPolicy.singleSlot,
  args: (fn: string, call?: ScriptCall) => callLine("FCALL", fn, call)
})

/** FCALL_RO: calls a read-only function. */
export const fcallRo = defineCommand({
  name: "FCALL_RO", flags: CommandFlags.readonly, keys: scriptKeys, reply: Replies.raw, policy: ClusterPolicy.singleSlot,
  args: (fn: string, call?: ScriptCall) => callLine("FCALL_RO", fn, call)
})

/** SCRIPT LOAD script: its SHA1. On a cluster it is loaded on every node, which must agree on the SHA1. */
export const scriptLoad = defineCommand({
  name: "SCRIPT LOAD", flags: CommandFlags.none, keys: noKeys, reply: Replies.string,
  args: (script: string) => ["SCRIPT", "LOAD", script]
})

/** SCRIPT EXISTS sha1...: per SHA1, whether it is cached (on a cluster: on every primary). */
export const scriptExists = defineCommand({
  name: "SCRIPT EXISTS", flags: CommandFlags.readonly, keys: noKeys, reply: Replies.booleans,
  args: (sha1s: ReadonlyArray<string>) => ["SCRIPT", "EXISTS", ...sha1s]
})

/** SCRIPT FLUSH: empties the script cache (on a cluster: on every node). */
export const scriptFlush = defineCommand({
  name: "SCRIPT FLUSH", flags: CommandFlags.none, keys: noKeys, reply: Replies.ok,
  args: () => ["SCRIPT", "FLUSH"]
})


/**
 * SCRIPT KILL: stops the running read-only script. On a cluster it goes to every primary and succeeds when one
 * of them was running a script (the others answer NOTBUSY); `ReplyError` NOTBUSY when none was.
 */
export const scriptKill = defineCommand({
  name: "SCRIPT KILL", flags: CommandFlags.none, keys: noKeys, reply: Replies.ok,
  args: () => ["SCRIPT", "KILL"]
})

/**
 * SCRIPT SHOW sha1 (Valkey 8.0+): the source of a cached script; `ReplyError` NOSCRIPT when the node does not have
 * it. On a cluster it asks any node (SCRIPT LOAD loads on every node).
 */
export const scriptShow = defineCommand({
  name: "SCRIPT SHOW", flags: CommandFlags.readonly, keys: noKeys, reply: Replies.string,
  args: (sha1: string) => ["SCRIPT", "SHOW", sha1]
})
