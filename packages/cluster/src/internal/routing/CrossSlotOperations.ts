import { type Command, CrossSlotError, type RedisError, ReplyError, UnknownCommandError } from "@effect-redis/client"
import { CommandFlags, decodeReply, hasFlag } from "@effect-redis/client/Command"
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect } from "effect"
import type { ClusterExecutor } from "./ClusterExecutor.ts"
import type { WriteListener } from "./ClusterRequest.ts"
import { keyEmulations, routingEmulations } from "./crossSlot/keys.ts"
import { listEmulations } from "./crossSlot/lists.ts"
import { setEmulations } from "./crossSlot/sets.ts"
import type { Emulation, EmulationRunner } from "./crossSlot/shared.ts"
import { sortPatternProblem } from "./crossSlot/sort.ts"
import { sortedSetEmulations } from "./crossSlot/sortedSets.ts"
import { stringEmulations } from "./crossSlot/strings.ts"

export type { Emulation, EmulationRunner } from "./crossSlot/shared.ts"

/**
 * Client-side cross-slot operations (what redis-py-cluster overrides): commands whose keys must share one slot on
 * the server, run on a cluster whose keys span slots, when `nonAtomicCrossSlot` is on (the default). Each is
 * rebuilt from single-slot commands and gives the same reply and the same stored data as the command on a
 * standalone server:
 *
 * - RENAME, RENAMENX: DUMP + PEXPIRETIME of the source, RESTORE at the destination (REPLACE / only if missing,
 *   ABSTTL: the exact expiry moves), DEL of the source. "ERR no such key" for a missing source, as the server.
 * - SMOVE, RPOPLPUSH, LMOVE, BRPOPLPUSH, BLMOVE: type checks, remove/pop from the source, add/push to the
 *   destination (blocking forms wait with BLPOP/BRPOP on the source when it is empty).
 * - SINTER, SUNION, SDIFF, their STORE forms, SINTERCARD: the sets are read (SMEMBERS) and combined here.
 * - ZUNION, ZINTER, ZDIFF (WITHSCORES), their STORE forms (WEIGHTS, AGGREGATE), ZINTERCARD: the inputs are read
 *   (ZRANGE WITHSCORES, SMEMBERS for plain sets: score 1) and combined here as the server does (order of inputs,
 *   +inf/-inf, NaN to 0); the reply is ordered by score then member, scores formatted as the server formats them.
 * - PFMERGE, multi-key PFCOUNT: the HyperLogLog strings on other slots are copied raw into temporary keys on the
 *   destination's (first key's) slot, the real command runs there, the temporary keys are deleted.
 * - BITOP: the sources are read (GET), the result computed here and SET (an empty result deletes the destination).
 *
 * **Not atomic.** These are several commands on several nodes: other clients may see (and write) intermediate
 * states, and what a failure midway leaves behind is:
 * - STORE forms (SINTERSTORE, ZUNIONSTORE...) build the result in a temporary key on the destination's slot
 *   (expiring after 60 s) and replace the destination in one atomic single-slot step, so the destination is either
 *   untouched or fully written; a temporary key may outlive a lost connection until it expires.
 * - RENAME / RENAMENX: a failed RESTORE changes nothing; a failed DEL after it leaves the value under both names.
 *   A write to the source between DUMP and DEL is lost.
 * - SMOVE / LMOVE & co.: the member/element is removed from the source before it is added to the destination;
 *   when the add certainly did not run (an error reply, or never sent) it is put back in the source; when its
 *   outcome is unknown (connection lost after sending) it is NOT resent: it may be in the destination or lost.
 * - PFMERGE / PFCOUNT: temporary copies are deleted on success and failure (they expire after 60 s otherwise).
 * - BITOP: one SET (or DEL) of the destination.
 * An interruption cannot split a move: from the first write that takes a value out of its source (SREM, LPOP,
 * RESTORE) to the write that puts it in place, the emulation is uninterruptible (a blocking pop's wait stays
 * interruptible; an element whose BLPOP reply was in flight at that moment may be lost, as with any interrupted
 * blocking pop).
 * In a pipeline, an emulated command runs alongside the pipeline's other commands (as commands for different nodes
 * do), not strictly after the ones before it: keep commands on the same keys in separate steps.
 * No write is ever retried silently: write sub-commands are never replayed after a lost connection; reads are.
 * Reads feeding a write always go to the primaries; a read-only command (SINTER, ZUNION...) reads per `readFrom`.
 *
 * With `nonAtomicCrossSlot: false`, all of them fail with `CrossSlotError` before anything is sent.
 */
export const crossSlotEmulations: Readonly<Record<string, Emulation>> = {
  ...keyEmulations,
  ...setEmulations,
  ...sortedSetEmulations,
  ...listEmulations,
  ...stringEmulations
}

/** The emulation of a single-slot command whose keys span slots, if there is one. */
export const crossSlotEmulation = (name: string): Emulation | undefined =>
  Object.hasOwn(crossSlotEmulations, name) ? crossSlotEmulations[name] : undefined

/**
 * The emulation of a keyless command a cluster must spread over its primaries itself: RANDOMKEY (a random
 * primary, then the others while they have no key; nil only when all are empty).
 */
export const routingEmulation = (name: string): Emulation | undefined =>
  Object.hasOwn(routingEmulations, name) ? routingEmulations[name] : undefined

/**
 * For SORT / SORT_RO: a `CrossSlotError` when a BY or GET pattern forms keys outside the sorted key's slot (the
 * server would refuse it); undefined for every other command and for acceptable patterns.
 */
export const sortPatternError = (command: Command<unknown>): CrossSlotError | undefined => {
  const name = command.spec.name
  if (name !== "SORT" && name !== "SORT_RO") return undefined
  const problem = sortPatternProblem(command.args)
  return problem === undefined ? undefined : new CrossSlotError({ command: name, slots: problem.slots, reason: problem.reason })
}

/**
 * Runs `emulation` for `command` with sub-commands going through `executor` (and `onWrite`, for
 * `ensureReplication`), then decodes its raw reply with the command's own reply decoder. Error replies are reported
 * under the command's name.
 */
export const runEmulation = <A>(
  executor: ClusterExecutor,
  command: Command<A>,
  emulation: Emulation,
  onWrite?: WriteListener
): Effect.Effect<A, RedisError> => {
  const name = command.spec.name
  const runner: EmulationRunner = {
    name,
    binary: command.spec.reply.binary,
    readonly: hasFlag(command.spec.flags, CommandFlags.readonly),
    run: (sub) => executor.run(sub, onWrite),
    pipeline: (subs) => executor.pipelineResults(subs, onWrite),
    runOnNode: (node, sub) => executor.runOnNode(node, sub, onWrite),
    primaries: () => executor.ctx.topology.current().shards.map((shard) => shard.primary)
  }
  return Effect.flatMap(
    Effect.mapError(
      Effect.suspend(() => emulation(command.args, runner)),
      (error): RedisError =>
        error._tag === "ReplyError" && error.command !== name
          ? new ReplyError({ code: error.code, message: error.message, command: name })
          : error._tag === "UnknownCommandError" && error.command !== name
          ? new UnknownCommandError({ message: error.message, command: name })
          : error
    ),
    (raw: RespValue) => decodeReply(command, executor.protocol === 3 ? asResp3(name, command.args, raw) : raw)
  )
}

const SET_REPLIES = new Set(["SINTER", "SUNION", "SDIFF"])
const SCORED_REPLIES = new Set(["ZUNION", "ZINTER", "ZDIFF"])

/**
 * Emulations build RESP2-shaped replies; under RESP3 the server sends sets as a set type and WITHSCORES as
 * [member, score] pairs with double scores. Reshaped here, so an untyped call gets what the server would send
 * (typed replies accept both shapes).
 */
const asResp3 = (name: string, args: ReadonlyArray<RespArg>, raw: RespValue): RespValue => {
  if (!Array.isArray(raw)) return raw
  if (SET_REPLIES.has(name)) return new Set(raw)
  if (SCORED_REPLIES.has(name) && args.some((arg) => typeof arg === "string" && arg.toUpperCase() === "WITHSCORES")) {
    const pairs: Array<RespValue> = []
    for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, toScore(raw[i + 1]!)])
    return pairs
  }
  return raw
}

const toScore = (text: RespValue): RespValue => {
  const value = typeof text === "string" ? text : text instanceof Uint8Array ? Buffer.from(text).toString("latin1") : undefined
  if (value === undefined) return text
  return value === "inf" || value === "+inf" ? Infinity : value === "-inf" ? -Infinity : Number(value)
}
