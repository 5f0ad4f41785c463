import type { RedisError } from "@effect-redis/client"
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect } from "effect"
import {
  arityError,
  bulk,
  certainlyNotApplied,
  type Emulation,
  type EmulationRunner,
  isKeyword,
  type Member,
  membersOf,
  parseInteger,
  run,
  runAll,
  serverError,
  storeSet,
  SYNTAX_ERROR,
  textOf,
  WRONG_TYPE
} from "./shared.ts"

// Set commands across slots: every input set is read with SMEMBERS (one pipeline), the result is computed here
// exactly as the server computes it, and STORE forms replace the destination in one atomic step (see storeSet).

/** Reads the sets at `keys` (missing keys are empty); fails like the server on a key of another type. */
const readSets = (runner: EmulationRunner, keys: ReadonlyArray<RespArg>): Effect.Effect<Array<Array<Member>>, RedisError> =>
  Effect.map(runAll(runner, "read", keys.map((key) => ["SMEMBERS", key])), (replies) => replies.map(membersOf))

type SetOperation = "inter" | "union" | "diff"

/** SINTER / SUNION / SDIFF of the sets read, in the server's semantics (a missing key is an empty set). */
const combine = (operation: SetOperation, sets: ReadonlyArray<ReadonlyArray<Member>>): Array<Member> => {
  switch (operation) {
    case "union": {
      const out = new Set<Member>()
      for (const set of sets) for (const member of set) out.add(member)
      return [...out]
    }
    case "diff": {
      const others = new Set<Member>()
      for (let i = 1; i < sets.length; i++) for (const member of sets[i]!) others.add(member)
      return sets[0]!.filter((member) => !others.has(member))
    }
    case "inter":
      return intersect(sets, 0)
  }
}

/** The members present in every set, smallest set first (stops at `limit` members when positive). */
const intersect = (sets: ReadonlyArray<ReadonlyArray<Member>>, limit: number): Array<Member> => {
  if (sets.some((set) => set.length === 0)) return []
  const ordered = [...sets].sort((a, b) => a.length - b.length)
  const lookups = ordered.slice(1).map((set) => new Set(set))
  const out: Array<Member> = []
  for (const member of ordered[0]!) {
    if (lookups.every((lookup) => lookup.has(member))) {
      out.push(member)
      if (limit > 0 && out.length >= limit) break
    }
  }
  return out
}

/** SINTER / SUNION / SDIFF key [key ...]: the members, as an array of bulk strings. */
const setRead = (operation: SetOperation): Emulation => (args, runner) =>
  args.length < 2 ? arityError(runner.name) : Effect.map(
    readSets(runner, args.slice(1)),
    (sets): RespValue => combine(operation, sets).map((member) => bulk(member, runner.binary))
  )

/** SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]: the stored cardinality. */
const setStore = (operation: SetOperation): Emulation => (args, runner) =>
  args.length < 3 ? arityError(runner.name) : Effect.flatMap(
    readSets(runner, args.slice(2)),
    (sets) => storeSet(runner, args[1]!, combine(operation, sets))
  )

/** SINTERCARD numkeys key [key ...] [LIMIT limit]: the intersection's cardinality, at most `limit` when positive. */
const sintercard: Emulation = (args, runner) =>
  Effect.gen(function*() {
    if (args.length < 3) return yield* arityError(runner.name)
    const numkeys = parseInteger(args[1]!)
    if (numkeys === undefined || numkeys < 1) return yield* serverError("ERR numkeys should be greater than 0")
    if (numkeys > args.length - 2) return yield* serverError("ERR Number of keys can't be greater than number of args")
    let limit = 0
    for (let j = 2 + numkeys; j < args.length; j++) {
      if (isKeyword(args[j], "LIMIT") && j + 1 < args.length) {
        const value = parseInteger(args[++j]!)
        if (value === undefined || value < 0) return yield* serverError("ERR LIMIT can't be negative")
        limit = value
      } else {
        return yield* serverError(SYNTAX_ERROR)
      }
    }
    const sets = yield* readSets(runner, args.slice(2, 2 + numkeys))
    return intersect(sets, limit).length
  })

/**
 * SMOVE source destination member: 1 when moved, 0 when the source is missing or lacks the member. Checks both
 * types first (WRONGTYPE as the server), then SREM from the source and SADD to the destination. If the SADD
 * certainly did not run, the member is put back in the source (SADD) before failing; if its outcome is unknown
 * (connection lost on the wire) nothing is resent and the member may be in neither set.
 */
const smove: Emulation = (args, runner) =>
  Effect.gen(function*() {
    if (args.length !== 4) return yield* arityError(runner.name)
    const [, source, destination, member] = args as [RespArg, RespArg, RespArg, RespArg]
    const [sourceType, destinationType] = (yield* runAll(runner, "read", [["TYPE", source], ["TYPE", destination]])).map(textOf)
    if (sourceType === "none") return 0
    if (sourceType !== "set" || (destinationType !== "none" && destinationType !== "set")) return yield* serverError(WRONG_TYPE)
    // Not interruptible from the SREM on: an interruption must not drop the member between the two sets.
    return yield* Effect.uninterruptible(Effect.flatMap(run(runner, "write", ["SREM", source, member]), (removed) =>
      removed !== 1 ? Effect.succeed(0) : Effect.as(
        Effect.tapError(run(runner, "write", ["SADD", destination, member]), (error) =>
          certainlyNotApplied(error) ? Effect.ignore(run(runner, "write", ["SADD", source, member])) : Effect.void),
        1
      )))
  })

/** Set emulations by command name. */
export const setEmulations: Readonly<Record<string, Emulation>> = {
  SINTER: setRead("inter"),
  SUNION: setRead("union"),
  SDIFF: setRead("diff"),
  SINTERSTORE: setStore("inter"),
  SUNIONSTORE: setStore("union"),
  SDIFFSTORE: setStore("diff"),
  SINTERCARD: sintercard,
  SMOVE: smove
}
