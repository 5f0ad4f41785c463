import type { RedisError } from "@effect-redis/client"
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Effect, Result } from "effect"
import {
  argText,
  arityError,
  bulk,
  bulkText,
  type Emulation,
  type EmulationRunner,
  entriesOf,
  formatScore,
  isKeyword,
  isWrongType,
  type Member,
  membersOf,
  NOT_AN_INTEGER,
  parseDouble,
  parseInteger,
  serverError,
  storeSortedSet,
  sub,
  SYNTAX_ERROR
} from "./shared.ts"

// ZUNION / ZINTER / ZDIFF (and their STORE forms) and ZINTERCARD across slots, computed here the way the server
// computes them (7.x `zunionInterDiffGenericCommand`): inputs may be sorted sets or plain sets (score 1); a missing
// key is empty; inputs are combined smallest first (a stable sort by cardinality, as glibc's qsort does), which
// decides the result where +inf and -inf meet; `inf * 0` and `inf + -inf` are 0 where the server makes them 0.

type ZOperation = "union" | "inter" | "diff"
type Aggregate = "sum" | "min" | "max"

/** One input: its member-score pairs in the server's order, a lookup, and its weight. */
interface Input {
  readonly entries: ReadonlyArray<readonly [Member, number]>
  readonly scores: ReadonlyMap<Member, number>
  readonly weight: number
}

/**
 * Reads each key as a sorted set (ZRANGE 0 -1 WITHSCORES, one pipeline), and the keys that hold another type as
 * plain sets (SMEMBERS, score 1); fails with the first failure in key order (WRONGTYPE for other types).
 */
const readInputs = (
  runner: EmulationRunner,
  keys: ReadonlyArray<RespArg>
): Effect.Effect<Array<ReadonlyArray<readonly [Member, number]>>, RedisError> =>
  Effect.flatMap(runner.pipeline(keys.map((key) => sub(runner, "read", ["ZRANGE", key, 0, -1, "WITHSCORES"]))), (ranges) => {
    const notSorted = keys.flatMap((_, i) => {
      const range = ranges[i]!
      return Result.isFailure(range) && isWrongType(range.failure) ? [i] : []
    })
    const sets = notSorted.length === 0
      ? Effect.succeed([])
      : runner.pipeline(notSorted.map((i) => sub(runner, "read", ["SMEMBERS", keys[i]!])))
    return Effect.flatMap(sets, (members) => {
      const out: Array<ReadonlyArray<readonly [Member, number]>> = []
      for (let i = 0; i < keys.length; i++) {
        const asSet = notSorted.indexOf(i)
        const result = asSet === -1 ? ranges[i]! : members[asSet]!
        if (Result.isFailure(result)) return Effect.fail(result.failure)
        out.push(asSet === -1 ? entriesOf(result.success) : membersOf(result.success).map((member) => [member, 1] as const))
      }
      return Effect.succeed(out)
    })
  })

const aggregateWith = (aggregate: Aggregate) => (target: number, value: number): number => {
  switch (aggregate) {
    case "sum": {
      const sum = target + value
      return Number.isNaN(sum) ? 0 : sum
    }
    case "min":
      return value < target ? value : target
    case "max":
      return value > target ? value : target
  }
}

/** Combines the inputs; `limit` (ZINTERCARD) stops an intersection after that many members when positive. */
const combine = (operation: ZOperation, inputs: ReadonlyArray<Input>, aggregate: Aggregate, limit: number): Map<Member, number> => {
  const out = new Map<Member, number>()
  const agg = aggregateWith(aggregate)
  switch (operation) {
    case "diff": {
      const [first, ...others] = inputs
      for (const [member, score] of first!.entries) {
        if (!others.some((input) => input.scores.has(member))) out.set(member, score)
      }
      return out
    }
    case "union": {
      for (const input of bySize(inputs)) {
        for (const [member, value] of input.entries) {
          const weighted = input.weight * value
          const score = Number.isNaN(weighted) ? 0 : weighted
          const existing = out.get(member)
          out.set(member, existing === undefined ? score : agg(existing, score))
        }
      }
      return out
    }
    case "inter": {
      const [first, ...others] = bySize(inputs)
      for (const [member, value] of first!.entries) {
        const weighted = first!.weight * value
        let score = Number.isNaN(weighted) ? 0 : weighted
        let inAll = true
        for (const input of others) {
          const other = input.scores.get(member)
          if (other === undefined) {
            inAll = false
            break
          }
          score = agg(score, other * input.weight)
        }
        if (!inAll) continue
        out.set(member, score)
        if (limit > 0 && out.size >= limit) break
      }
      return out
    }
  }
}

/** Smallest input first; inputs of equal size keep their order. */
const bySize = (inputs: ReadonlyArray<Input>): Array<Input> => [...inputs].sort((a, b) => a.entries.length - b.entries.length)

/** By score, then by member bytes: the order of a sorted set. */
const sortedEntries = (scores: ReadonlyMap<Member, number>): Array<readonly [Member, number]> =>
  [...scores].sort(([ma, sa], [mb, sb]) => (sa < sb ? -1 : sa > sb ? 1 : ma < mb ? -1 : ma > mb ? 1 : 0))

interface Options {
  readonly weights: ReadonlyArray<number> | undefined
  readonly aggregate: Aggregate
  readonly withScores: boolean
  readonly limit: number
}

/** Parses the options after the keys as the server does, or returns the error message it would send. */
const parseOptions = (
  args: ReadonlyArray<RespArg>,
  from: number,
  setnum: number,
  kind: { readonly operation: ZOperation; readonly store: boolean; readonly card: boolean }
): Options | string => {
  let weights: Array<number> | undefined
  let aggregate: Aggregate = "sum"
  let withScores = false
  let limit = 0
  let j = from
  while (j < args.length) {
    const remaining = args.length - j
    if (kind.operation !== "diff" && !kind.card && remaining >= setnum + 1 && isKeyword(args[j], "WEIGHTS")) {
      j++
      weights = []
      for (let i = 0; i < setnum; i++, j++) {
        const weight = parseDouble(args[j]!)
        if (weight === undefined) return "ERR weight value is not a float"
        weights.push(weight)
      }
    } else if (kind.operation !== "diff" && !kind.card && remaining >= 2 && isKeyword(args[j], "AGGREGATE")) {
      const name = argText(args[j + 1]!).toUpperCase()
      if (name === "SUM") aggregate = "sum"
      else if (name === "MIN") aggregate = "min"
      else if (name === "MAX") aggregate = "max"
      else return SYNTAX_ERROR
      j += 2
    } else if (!kind.store && !kind.card && isKeyword(args[j], "WITHSCORES")) {
      withScores = true
      j++
    } else if (kind.card && remaining >= 2 && isKeyword(args[j], "LIMIT")) {
      const value = parseInteger(args[j + 1]!)
      if (value === undefined || value < 0) return "ERR LIMIT can't be negative"
      limit = value
      j += 2
    } else {
      return SYNTAX_ERROR
    }
  }
  return { weights, aggregate, withScores, limit }
}

/**
 * One of ZUNION, ZINTER, ZDIFF (`store`: ZUNIONSTORE... with the destination first; `card`: ZINTERCARD). Errors
 * come in the server's order: numkeys, then the inputs' types, then the options.
 */
const zsetOperation = (operation: ZOperation, kind: { readonly store: boolean; readonly card: boolean }): Emulation => (args, runner) =>
  Effect.gen(function*() {
    const numkeysIndex = kind.store ? 2 : 1
    if (args.length < numkeysIndex + 2) return yield* arityError(runner.name)
    const setnum = parseInteger(args[numkeysIndex]!)
    if (setnum === undefined) return yield* serverError(NOT_AN_INTEGER)
    if (setnum < 1) return yield* serverError(`ERR at least 1 input key is needed for '${runner.name.toLowerCase()}' command`)
    if (setnum > args.length - (numkeysIndex + 1)) return yield* serverError(SYNTAX_ERROR)
    const keys = args.slice(numkeysIndex + 1, numkeysIndex + 1 + setnum)
    const read = yield* readInputs(runner, keys)
    const options = parseOptions(args, numkeysIndex + 1 + setnum, setnum, { operation, ...kind })
    if (typeof options === "string") return yield* serverError(options)
    const inputs: Array<Input> = read.map((entries, i) => ({
      entries,
      scores: new Map(entries),
      weight: options.weights?.[i] ?? 1
    }))
    const result = combine(operation, inputs, options.aggregate, kind.card ? options.limit : 0)
    if (kind.card) return result.size
    const entries = sortedEntries(result)
    if (kind.store) return yield* storeSortedSet(runner, args[1]!, entries)
    const binary = runner.binary
    const reply: Array<RespValue> = []
    for (const [member, score] of entries) {
      reply.push(bulk(member, binary))
      if (options.withScores) reply.push(bulkText(formatScore(score), binary))
    }
    return reply
  })

/** Sorted-set emulations by command name. */
export const sortedSetEmulations: Readonly<Record<string, Emulation>> = {
  ZUNION: zsetOperation("union", { store: false, card: false }),
  ZINTER: zsetOperation("inter", { store: false, card: false }),
  ZDIFF: zsetOperation("diff", { store: false, card: false }),
  ZUNIONSTORE: zsetOperation("union", { store: true, card: false }),
  ZINTERSTORE: zsetOperation("inter", { store: true, card: false }),
  ZDIFFSTORE: zsetOperation("diff", { store: true, card: false }),
  ZINTERCARD: zsetOperation("inter", { store: false, card: true })
}
