import type { RespArg } from "@effect-redis/resp"
import { type CommandLine, defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { type KeyPositions, keysAfterCount, keysBeforeLast, twoKeys } from "../KeyPositions.ts"
import { checkTimeout, keysThenTimeout, timeoutAt } from "./blockingTimeout.ts"
import * as Replies from "../../Replies.ts"
import {
  optionalMultiPop,
  optionalPop,
  optionalScores,
  scanScoredMembers,
  scoredMembers
} from "./sortedSetReplies.ts"
import { pushNumkeys, type RedisKey, type RedisValue } from "./types.ts"
import { atMostOne, integerAtLeast, nonEmpty } from "./validate.ts"

export type { ScoredMember, SortedSetMultiPopResult, SortedSetPopResult } from "./sortedSetReplies.ts"

const { readonly, write, replaySafe } = CommandFlags

// ---------------------------------------------------------------------------------------------------------------
// Argument types

/**
 * A bound of a score range (ZRANGEBYSCORE, ZCOUNT, ZRANGE ... BYSCORE...):
 * - a number: inclusive (`Infinity` / `-Infinity` are sent as `+inf` / `-inf`);
 * - `{ exclusive: n }`: exclusive, sent as `(n`;
 * - a string in Redis' own syntax, sent as is: `"(1.5"`, `"2"`, `"-inf"`, `"+inf"`.
 */
export type ScoreBound = number | { readonly exclusive: number } | string

/**
 * A bound of a lexicographical range (ZRANGEBYLEX, ZLEXCOUNT, ZRANGE ... BYLEX...), in Redis' syntax: `"[a"`
 * (inclusive), `"(a"` (exclusive), `"-"` (before every member) or `"+"` (after every member).
 */
export type LexBound = string

/** LIMIT offset count of the range commands: skip `offset` elements, then return at most `count` (negative: all). */
export interface RangeLimit {
  /** Elements to skip (>= 0). */
  readonly offset: number
  /** Elements to return at most; a negative count returns every remaining element. */
  readonly count: number
}

/** A member to add with its score (ZADD input). {@link ScoredMember} values fit. */
export interface ScoredMemberInput {
  /** The member (text, a number or bytes). */
  readonly member: RedisValue
  /** Its score; `Infinity` / `-Infinity` allowed, `NaN` refused. */
  readonly score: number
}

/**
 * Members with scores for ZADD: an array of `{ member, score }`, an array of `[score, member]` tuples (Redis'
 * order), a record `{ member: score }`, or a map from member to score.
 */
export type ZAddMembers =
  | ReadonlyArray<ScoredMemberInput>
  | ReadonlyArray<readonly [score: number, member: RedisValue]>
  | Readonly<Record<string, number>>
  | ReadonlyMap<RedisValue, number>

/** Which end a pop takes from: `MIN` (lowest scores first) or `MAX` (highest first). */
export type SortedSetEnd = "MIN" | "MAX"

/** How ZUNION / ZINTER (and their STORE forms) combine the scores of a member present in several sets. */
export type ScoreAggregate = "SUM" | "MIN" | "MAX"

/** Options of ZUNION / ZINTER / ZUNIONSTORE / ZINTERSTORE. */
export interface ZCombineOptions {
  /** One multiplication factor per input key (WEIGHTS); must have exactly as many entries as there are keys. */
  readonly weights?: ReadonlyArray<number> | undefined
  /** How scores are combined (AGGREGATE); Redis' default is `SUM`. */
  readonly aggregate?: ScoreAggregate | undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Argument helpers

/** One value or a non-empty array of values. */
const valuesOf = (name: string, values: RedisValue | ReadonlyArray<RedisValue>): ReadonlyArray<RedisValue> | InvalidOptions => {
  if (!Array.isArray(values)) return [values as RedisValue]
  return nonEmpty(name, values) ?? values as ReadonlyArray<RedisValue>
}

const keysAfterNumkeys1 = keysAfterCount(1)
const keysAfterNumkeys2 = keysAfterCount(2)

/** ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE: the destination, then numkeys (index 2) and the source keys. */
const destinationAndNumkeys: KeyPositions = (args) => [1, ...keysAfterNumkeys2(args)]

/** An integer (any sign). */
const integer = (name: string, value: number): InvalidOptions | undefined =>
  Number.isSafeInteger(value) ? undefined : new InvalidOptions(`${name} must be an integer, got ${String(value)}`)

/** A score: any number but NaN. */
const checkScore = (name: string, score: unknown): InvalidOptions | undefined =>
  typeof score === "number" && !Number.isNaN(score) ? undefined : new InvalidOptions(`${name} must be a number, got ${String(score)}`)

/** Redis' text for a score inside an exclusive bound. */
const scoreText = (score: number): string =>
  score === Infinity ? "+inf" : score === -Infinity ? "-inf" : String(score)

/** What Redis accepts as a score bound written as text: an optional `(`, then a float or `±inf`. */
const SCORE_BOUND_TEXT = /^\(?(?:[+-]?inf(?:inity)?|[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i

/** A {@link ScoreBound} as its argument, or why it cannot be sent. */
const scoreBound = (name: string, bound: ScoreBound): RespArg | InvalidOptions => {
  if (typeof bound === "number") return checkScore(name, bound) ?? bound
  if (typeof bound === "string") {
    return SCORE_BOUND_TEXT.test(bound)
      ? bound
      : new InvalidOptions(`${name} must be a score bound such as 1.5, "(1.5", "-inf" or "+inf", got ${JSON.stringify(bound)}`)
  }
  if (typeof bound === "object" && bound !== null && typeof bound.exclusive === "number" && !Number.isNaN(bound.exclusive)) {
    return `(${scoreText(bound.exclusive)}`
  }
  return new InvalidOptions(`${name} must be a number, { exclusive: number } or a score bound string`)
}

/** A {@link LexBound}, checked: `[x`, `(x`, `-` or `+`. */
const lexBound = (name: string, bound: LexBound): RespArg | InvalidOptions =>
  typeof bound === "string" && (bound === "-" || bound === "+" || bound.startsWith("[") || bound.startsWith("("))
    ? bound
    : new InvalidOptions(`${name} must start with "[" or "(", or be "-" or "+", got ${JSON.stringify(bound)}`)

/**
 * `name key first second` with both bounds checked by `check` (a {@link scoreBound} or a {@link lexBound}) under
 * their argument names: `["min", "max"]`, or `["max", "min"]` for the reversed commands, which take the higher bound
 * first.
 */
const boundsLine = <B>(
  check: (name: string, bound: B) => RespArg | InvalidOptions,
  name: string,
  key: RedisKey,
  names: readonly [string, string],
  first: B,
  second: B
): Array<RespArg> | InvalidOptions => {
  const a = check(names[0], first), b = check(names[1], second)
  if (a instanceof InvalidOptions) return a
  if (b instanceof InvalidOptions) return b
  return [name, key, a, b]
}

/** Appends LIMIT offset count. */
const pushLimit = (out: Array<RespArg>, limit: RangeLimit | undefined): InvalidOptions | undefined => {
  if (limit === undefined) return undefined
  const problem = integerAtLeast("limit.offset", limit.offset, 0) ?? integer("limit.count", limit.count)
  if (problem !== undefined) return problem
  out.push("LIMIT", limit.offset, limit.count)
  return undefined
}

/** `head numkeys key... [WEIGHTS w...] [AGGREGATE a] [WITHSCORES]` (ZUNION / ZINTER and their STORE forms). */
const combineLine = (
  head: Array<RespArg>,
  keys: RedisKey | ReadonlyArray<RedisKey>,
  options: ZCombineOptions,
  withScores: boolean
): CommandLine => {
  const count = pushNumkeys(head, keys)
  if (count instanceof InvalidOptions) return count
  const { aggregate, weights } = options
  if (weights !== undefined) {
    if (!Array.isArray(weights) || weights.length !== count) {
      return new InvalidOptions(`weights must have one entry per key (${count}), got ${Array.isArray(weights) ? weights.length : String(weights)}`)
    }
    head.push("WEIGHTS")
    for (let i = 0; i < weights.length; i++) {
      const problem = checkScore(`weights[${i}]`, weights[i])
      if (problem !== undefined) return problem
      head.push(weights[i]!)
    }
  }
  if (aggregate !== undefined) {
    if (aggregate !== "SUM" && aggregate !== "MIN" && aggregate !== "MAX") {
      return new InvalidOptions(`aggregate must be "SUM", "MIN" or "MAX", got ${String(aggregate)}`)
    }
    head.push("AGGREGATE", aggregate)
  }
  if (withScores) head.push("WITHSCORES")
  return head
}

/** `head numkeys key... [WITHSCORES]` (ZDIFF / ZDIFFSTORE). */
const diffLine = (head: Array<RespArg>, keys: RedisKey | ReadonlyArray<RedisKey>, withScores: boolean): CommandLine => {
  const count = pushNumkeys(head, keys)
  if (count instanceof InvalidOptions) return count
  if (withScores) head.push("WITHSCORES")
  return head
}

const checkEnd = (end: SortedSetEnd): InvalidOptions | undefined =>
  end === "MIN" || end === "MAX" ? undefined : new InvalidOptions(`end must be "MIN" or "MAX", got ${String(end)}`)

/** Options of ZMPOP and BZMPOP. */
export interface ZMPopOptions {
  /** Pop up to this many members (COUNT, >= 1; default 1). */
  readonly count?: number | undefined
}

const mpopLine = (
  head: Array<RespArg>,
  keys: RedisKey | ReadonlyArray<RedisKey>,
  end: SortedSetEnd,
  options: ZMPopOptions
): CommandLine => {
  const problem = checkEnd(end) ?? (options.count === undefined ? undefined : integerAtLeast("count", options.count))
  if (problem !== undefined) return problem
  const count = pushNumkeys(head, keys)
  if (count instanceof InvalidOptions) return count
  head.push(end)
  if (options.count !== undefined) head.push("COUNT", options.count)
  return head
}

// ---------------------------------------------------------------------------------------------------------------
// Blocking commands

/**
 * BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: like ZMPOP, waiting up to `timeout` seconds
 * (fractions allowed, `0` = forever) for one of the sets to have members; the set and its popped members with
 * scores, or `Option.none()` on timeout.
 */
export const bzmpop = defineCommand({
  name: "BZMPOP", flags: write, keys: keysAfterNumkeys2, reply: optionalMultiPop, blockingTimeout: timeoutAt(1),
  args: (timeout: number, keys: RedisKey | ReadonlyArray<RedisKey>, end: SortedSetEnd, options: ZMPopOptions = {}) =>
    checkTimeout(timeout) ?? mpopLine(["BZMPOP", timeout], keys, end, options)
})

/**
 * BZPOPMAX key [key ...] timeout (one key or an array): pops the highest-scored member of the first non-empty set,
 * waiting up to `timeout` seconds (fractions allowed, `0` = forever); `{ key, member, score }`, or
 * `Option.none()` on timeout.
 */
export const bzpopmax = defineCommand({
  name: "BZPOPMAX", flags: write, keys: keysBeforeLast, reply: optionalPop, blockingTimeout: timeoutAt(-1),
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, timeout: number) => keysThenTimeout("BZPOPMAX", keys, timeout)
})

/**
 * BZPOPMIN key [key ...] timeout (one key or an array): pops the lowest-scored member of the first non-empty set,
 * waiting up to `timeout` seconds (fractions allowed, `0` = forever); `{ key, member, score }`, or
 * `Option.none()` on timeout.
 */
export const bzpopmin = defineCommand({
  name: "BZPOPMIN", flags: write, keys: keysBeforeLast, reply: optionalPop, blockingTimeout: timeoutAt(-1),
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, timeout: number) => keysThenTimeout("BZPOPMIN", keys, timeout)
})

// ---------------------------------------------------------------------------------------------------------------
// ZADD

/** Conditions of ZADD (NX and XX exclude each other, as do GT and LT; NX cannot be combined with GT or LT). */
export interface ZAddConditions {
  /** Only add new members, never update existing ones (NX). */
  readonly nx?: boolean | undefined
  /** Only update existing members, never add (XX). */
  readonly xx?: boolean | undefined
  /** Only update when the new score is greater than the current one (GT); new members are still added. */
  readonly gt?: boolean | undefined
  /** Only update when the new score is less than the current one (LT); new members are still added. */
  readonly lt?: boolean | undefined
}

/** Options of ZADD. */
export interface ZAddOptions extends ZAddConditions {
  /** Count changed members (added or whose score changed) instead of added ones only (CH). */
  readonly ch?: boolean | undefined
}

const pushConditions = (out: Array<RespArg>, options: ZAddConditions): InvalidOptions | undefined => {
  const problem = atMostOne(options, ["nx", "xx"]) ?? atMostOne(options, ["gt", "lt"]) ??
    atMostOne(options, ["nx", "gt"]) ?? atMostOne(options, ["nx", "lt"])
  if (problem !== undefined) return problem
  if (options.nx === true) out.push("NX")
  if (options.xx === true) out.push("XX")
  if (options.gt === true) out.push("GT")
  if (options.lt === true) out.push("LT")
  return undefined
}

/** Appends `score member ...`, returning how many pairs, or why one cannot be sent. */
const pushScoredMembers = (out: Array<RespArg>, members: ZAddMembers): number | InvalidOptions => {
  let count = 0
  const push = (score: unknown, member: unknown): InvalidOptions | undefined => {
    const problem = checkScore(`score of member ${String(member)}`, score)
    if (problem !== undefined) return problem
    out.push(score as number, member as RedisValue)
    count++
    return undefined
  }
  if (members instanceof Map) {
    for (const [member, score] of members as ReadonlyMap<RedisValue, number>) {
      const problem = push(score, member)
      if (problem !== undefined) return problem
    }
  } else if (Array.isArray(members)) {
    for (const item of members as ReadonlyArray<ScoredMemberInput | readonly [number, RedisValue]>) {
      const problem = Array.isArray(item)
        ? push(item[0], item[1])
        : typeof item === "object" && item !== null && "member" in item
        ? push(item.score, item.member)
        : new InvalidOptions("members must be { member, score } objects or [score, member] tuples")
      if (problem !== undefined) return problem
    }
  } else {
    const record = members as Readonly<Record<string, number>>
    for (const member of Object.keys(record)) {
      const problem = push(record[member], member)
      if (problem !== undefined) return problem
    }
  }
  return count
}

/**
 * ZADD key [NX|XX] [GT|LT] [CH] score member [score member ...]: how many members were added (with `ch`: added or
 * whose score changed). `Redis.zadd("board", { ada: 10, bob: 7 })`, `Redis.zadd("board", [[10, "ada"]])` or
 * `Redis.zadd("board", [{ member: "ada", score: 10 }], { gt: true })`.
 */
export const zadd = defineCommand({
  name: "ZADD", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, members: ZAddMembers, options: ZAddOptions = {}) => {
    const out: Array<RespArg> = ["ZADD", key]
    const problem = pushConditions(out, options)
    if (problem !== undefined) return problem
    if (options.ch === true) out.push("CH")
    const count = pushScoredMembers(out, members)
    if (count instanceof InvalidOptions) return count
    return nonEmpty("members", count) ?? out
  }
})

/**
 * ZADD key [NX|XX] [GT|LT] INCR increment member: adds `increment` to the member's score (like ZINCRBY, under the
 * conditions); the new score, or `Option.none()` when a condition prevented the update.
 */
export const zaddIncr = defineCommand({
  name: "ZADD", flags: write, reply: Replies.optionalFloat,
  args: (key: RedisKey, increment: number, member: RedisValue, options: ZAddConditions = {}) => {
    const out: Array<RespArg> = ["ZADD", key]
    const problem = pushConditions(out, options) ?? checkScore("increment", increment)
    if (problem !== undefined) return problem
    out.push("INCR", increment, member)
    return out
  }
})

// ---------------------------------------------------------------------------------------------------------------
// Reading single values

/** ZCARD key: the number of members (0 when the key is missing). */
export const zcard = defineCommand({
  name: "ZCARD", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["ZCARD", key]
})

/** ZCOUNT key min max: how many members have a score within the bounds (see {@link ScoreBound}). */
export const zcount = defineCommand({
  name: "ZCOUNT", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey, min: ScoreBound, max: ScoreBound) =>
    boundsLine(scoreBound, "ZCOUNT", key, ["min", "max"], min, max)
})

/** ZINCRBY key increment member: adds `increment` to the member's score (adding it at 0 first); the new score. */
export const zincrby = defineCommand({
  name: "ZINCRBY", flags: write, reply: Replies.float,
  args: (key: RedisKey, increment: number, member: RedisValue) =>
    checkScore("increment", increment) ?? ["ZINCRBY", key, increment, member]
})

/** ZLEXCOUNT key min max: how many members lie within the lexicographical bounds (see {@link LexBound}). */
export const zlexcount = defineCommand({
  name: "ZLEXCOUNT", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey, min: LexBound, max: LexBound) =>
    boundsLine(lexBound, "ZLEXCOUNT", key, ["min", "max"], min, max)
})

/** ZMSCORE key member [member ...] (one member or an array): each member's score, `Option.none()` when absent. */
export const zmscore = defineCommand({
  name: "ZMSCORE", flags: readonly, reply: optionalScores,
  args: (key: RedisKey, members: RedisValue | ReadonlyArray<RedisValue>) => {
    const list = valuesOf("members", members)
    return list instanceof InvalidOptions ? list : ["ZMSCORE", key, ...list]
  }
})

/** ZRANK key member: the member's 0-based rank by ascending score, or `Option.none()` when absent. */
export const zrank = defineCommand({
  name: "ZRANK", flags: readonly, reply: Replies.optionalInteger,
  args: (key: RedisKey, member: RedisValue) => ["ZRANK", key, member]
})

/** ZREVRANK key member: the member's 0-based rank by descending score, or `Option.none()` when absent. */
export const zrevrank = defineCommand({
  name: "ZREVRANK", flags: readonly, reply: Replies.optionalInteger,
  args: (key: RedisKey, member: RedisValue) => ["ZREVRANK", key, member]
})

/** ZSCORE key member: the member's score (±Infinity included), or `Option.none()` when absent. */
export const zscore = defineCommand({
  name: "ZSCORE", flags: readonly, reply: Replies.optionalFloat,
  args: (key: RedisKey, member: RedisValue) => ["ZSCORE", key, member]
})

// ---------------------------------------------------------------------------------------------------------------
// Popping and removing

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: pops from the first non-empty set; `Option.none()` when all are empty. */
export const zmpop = defineCommand({
  name: "ZMPOP", flags: write, keys: keysAfterNumkeys1, reply: optionalMultiPop,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, end: SortedSetEnd, options: ZMPopOptions = {}) =>
    mpopLine(["ZMPOP"], keys, end, options)
})

const popLine = (name: string, key: RedisKey, count: number | undefined): CommandLine =>
  count === undefined ? [name, key] : integerAtLeast("count", count, 0) ?? [name, key, count]

/**
 * ZPOPMAX key [count]: pops the `count` (default 1) highest-scored members, highest first; empty when the key is
 * missing.
 */
export const zpopmax = defineCommand({
  name: "ZPOPMAX", flags: write, reply: scoredMembers,
  args: (key: RedisKey, count?: number) => popLine("ZPOPMAX", key, count)
})

/**
 * ZPOPMIN key [count]: pops the `count` (default 1) lowest-scored members, lowest first; empty when the key is
 * missing.
 */
export const zpopmin = defineCommand({
  name: "ZPOPMIN", flags: write, reply: scoredMembers,
  args: (key: RedisKey, count?: number) => popLine("ZPOPMIN", key, count)
})

/** ZREM key member [member ...] (one member or an array): how many members were removed. */
export const zrem = defineCommand({
  name: "ZREM", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, members: RedisValue | ReadonlyArray<RedisValue>) => {
    const list = valuesOf("members", members)
    return list instanceof InvalidOptions ? list : ["ZREM", key, ...list]
  }
})

/** ZREMRANGEBYLEX key min max: removes the members within the lexicographical bounds; how many. */
export const zremrangebylex = defineCommand({
  name: "ZREMRANGEBYLEX", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, min: LexBound, max: LexBound) =>
    boundsLine(lexBound, "ZREMRANGEBYLEX", key, ["min", "max"], min, max)
})

/** ZREMRANGEBYRANK key start stop: removes the members ranked `start` to `stop` (inclusive, negative from the end); how many. */
export const zremrangebyrank = defineCommand({
  name: "ZREMRANGEBYRANK", flags: write, reply: Replies.integer,
  args: (key: RedisKey, start: number, stop: number) =>
    integer("start", start) ?? integer("stop", stop) ?? ["ZREMRANGEBYRANK", key, start, stop]
})

/** ZREMRANGEBYSCORE key min max: removes the members with a score within the bounds; how many. */
export const zremrangebyscore = defineCommand({
  name: "ZREMRANGEBYSCORE", flags: write | replaySafe, reply: Replies.integer,
  args: (key: RedisKey, min: ScoreBound, max: ScoreBound) =>
    boundsLine(scoreBound, "ZREMRANGEBYSCORE", key, ["min", "max"], min, max)
})

// ---------------------------------------------------------------------------------------------------------------
// ZRANGE (unified) and ZRANGESTORE

/** Options of ZRANGE / ZRANGESTORE. */
export interface ZRangeOptions {
  /**
   * What `start` and `stop` are: ranks (integers, negative from the end) when absent; score bounds
   * ({@link ScoreBound}) with `"SCORE"` (BYSCORE); lexicographical bounds ({@link LexBound}) with `"LEX"` (BYLEX).
   */
  readonly by?: "SCORE" | "LEX" | undefined
  /**
   * Reverse order (REV): highest first. With `by`, `start` is then the higher bound and `stop` the lower, as in
   * Redis.
   */
  readonly rev?: boolean | undefined
  /** LIMIT offset count; only with `by`. */
  readonly limit?: RangeLimit | undefined
}

/** `head start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`. */
const rangeLine = (
  head: Array<RespArg>,
  start: ScoreBound,
  stop: ScoreBound,
  options: ZRangeOptions,
  withScores: boolean
): CommandLine => {
  const by = options.by
  let from: RespArg | InvalidOptions, to: RespArg | InvalidOptions
  if (by === undefined) {
    from = typeof start === "number" ? integer("start", start) ?? start : new InvalidOptions("start must be an integer rank without `by`")
    to = typeof stop === "number" ? integer("stop", stop) ?? stop : new InvalidOptions("stop must be an integer rank without `by`")
  } else if (by === "SCORE") {
    from = scoreBound("start", start)
    to = scoreBound("stop", stop)
  } else if (by === "LEX") {
    if (withScores) return new InvalidOptions("WITHSCORES cannot be combined with by: \"LEX\"")
    from = lexBound("start", start as LexBound)
    to = lexBound("stop", stop as LexBound)
  } else {
    return new InvalidOptions(`by must be "SCORE" or "LEX", got ${String(by)}`)
  }
  if (from instanceof InvalidOptions) return from
  if (to instanceof InvalidOptions) return to
  head.push(from, to)
  if (by !== undefined) head.push(by === "SCORE" ? "BYSCORE" : "BYLEX")
  if (options.rev === true) head.push("REV")
  if (options.limit !== undefined) {
    if (by === undefined) return new InvalidOptions("limit needs by: \"SCORE\" or \"LEX\"")
    const problem = pushLimit(head, options.limit)
    if (problem !== undefined) return problem
  }
  if (withScores) head.push("WITHSCORES")
  return head
}

/**
 * ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]: the members in the range, in order. By rank
 * (`Redis.zrange(k, 0, -1)`), by score (`Redis.zrange(k, 1, { exclusive: 5 }, { by: "SCORE" })`) or by member
 * (`Redis.zrange(k, "[a", "(c", { by: "LEX" })`); see {@link ZRangeOptions}.
 */
export const zrange = defineCommand({
  name: "ZRANGE", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, start: ScoreBound, stop: ScoreBound, options: ZRangeOptions = {}) =>
    rangeLine(["ZRANGE", key], start, stop, options, false)
})

/**
 * ZRANGE key start stop [BYSCORE] [REV] [LIMIT offset count] WITHSCORES: the members with their scores, in order
 * (`by: "LEX"` cannot be combined with WITHSCORES).
 */
export const zrangeWithScores = defineCommand({
  name: "ZRANGE", flags: readonly, reply: scoredMembers,
  args: (key: RedisKey, start: ScoreBound, stop: ScoreBound, options: ZRangeOptions = {}) =>
    rangeLine(["ZRANGE", key], start, stop, options, true)
})

/**
 * ZRANGESTORE destination source start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]: stores the range of
 * `source` (as ZRANGE selects it) in `destination`; how many members it has.
 */
export const zrangestore = defineCommand({
  name: "ZRANGESTORE", flags: write, keys: twoKeys, reply: Replies.integer,
  args: (destination: RedisKey, source: RedisKey, start: ScoreBound, stop: ScoreBound, options: ZRangeOptions = {}) =>
    rangeLine(["ZRANGESTORE", destination, source], start, stop, options, false)
})

// ---------------------------------------------------------------------------------------------------------------
// Legacy range commands

/** Options of ZRANGEBYSCORE / ZREVRANGEBYSCORE / ZRANGEBYLEX / ZREVRANGEBYLEX. */
export interface ZRangeByOptions {
  /** LIMIT offset count. */
  readonly limit?: RangeLimit | undefined
}

/** The legacy range commands: `name key first second [WITHSCORES] [LIMIT offset count]` (see {@link boundsLine}). */
const rangeByLine = <B>(
  check: (name: string, bound: B) => RespArg | InvalidOptions,
  name: string,
  key: RedisKey,
  names: readonly [string, string],
  first: B,
  second: B,
  options: ZRangeByOptions,
  withScores: boolean
): CommandLine => {
  const out = boundsLine(check, name, key, names, first, second)
  if (out instanceof InvalidOptions) return out
  if (withScores) out.push("WITHSCORES")
  return pushLimit(out, options.limit) ?? out
}

/** ZRANGEBYLEX key min max [LIMIT offset count]: the members within the lexicographical bounds, ascending. */
export const zrangebylex = defineCommand({
  name: "ZRANGEBYLEX", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, min: LexBound, max: LexBound, options: ZRangeByOptions = {}) =>
    rangeByLine(lexBound, "ZRANGEBYLEX", key, ["min", "max"], min, max, options, false)
})

/** ZRANGEBYSCORE key min max [LIMIT offset count]: the members with a score within the bounds, ascending. */
export const zrangebyscore = defineCommand({
  name: "ZRANGEBYSCORE", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, min: ScoreBound, max: ScoreBound, options: ZRangeByOptions = {}) =>
    rangeByLine(scoreBound, "ZRANGEBYSCORE", key, ["min", "max"], min, max, options, false)
})

/** ZRANGEBYSCORE key min max WITHSCORES [LIMIT offset count]: the members with their scores, ascending. */
export const zrangebyscoreWithScores = defineCommand({
  name: "ZRANGEBYSCORE", flags: readonly, reply: scoredMembers,
  args: (key: RedisKey, min: ScoreBound, max: ScoreBound, options: ZRangeByOptions = {}) =>
    rangeByLine(scoreBound, "ZRANGEBYSCORE", key, ["min", "max"], min, max, options, true)
})

/** ZREVRANGE key start stop: the members ranked `start` to `stop` by descending score. */
export const zrevrange = defineCommand({
  name: "ZREVRANGE", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, start: number, stop: number) =>
    integer("start", start) ?? integer("stop", stop) ?? ["ZREVRANGE", key, start, stop]
})

/** ZREVRANGE key start stop WITHSCORES: the members with their scores, by descending score. */
export const zrevrangeWithScores = defineCommand({
  name: "ZREVRANGE", flags: readonly, reply: scoredMembers,
  args: (key: RedisKey, start: number, stop: number) =>
    integer("start", start) ?? integer("stop", stop) ?? ["ZREVRANGE", key, start, stop, "WITHSCORES"]
})

/** ZREVRANGEBYLEX key max min [LIMIT offset count]: the members within the bounds, descending (higher bound first). */
export const zrevrangebylex = defineCommand({
  name: "ZREVRANGEBYLEX", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, max: LexBound, min: LexBound, options: ZRangeByOptions = {}) =>
    rangeByLine(lexBound, "ZREVRANGEBYLEX", key, ["max", "min"], max, min, options, false)
})

/** ZREVRANGEBYSCORE key max min [LIMIT offset count]: the members within the bounds, descending (higher bound first). */
export const zrevrangebyscore = defineCommand({
  name: "ZREVRANGEBYSCORE", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, max: ScoreBound, min: ScoreBound, options: ZRangeByOptions = {}) =>
    rangeByLine(scoreBound, "ZREVRANGEBYSCORE", key, ["max", "min"], max, min, options, false)
})

/** ZREVRANGEBYSCORE key max min WITHSCORES [LIMIT offset count]: the members with their scores, descending. */
export const zrevrangebyscoreWithScores = defineCommand({
  name: "ZREVRANGEBYSCORE", flags: readonly, reply: scoredMembers,
  args: (key: RedisKey, max: ScoreBound, min: ScoreBound, options: ZRangeByOptions = {}) =>
    rangeByLine(scoreBound, "ZREVRANGEBYSCORE", key, ["max", "min"], max, min, options, true)
})

// ---------------------------------------------------------------------------------------------------------------
// Random members and scanning

/** ZRANDMEMBER key: one random member, or `Option.none()` when the key is missing. */
export const zrandmember = defineCommand({
  name: "ZRANDMEMBER", flags: readonly, reply: Replies.optionalString,
  args: (key: RedisKey) => ["ZRANDMEMBER", key]
})

/** ZRANDMEMBER key count: up to `count` distinct random members (negative: exactly |count|, may repeat). */
export const zrandmemberCount = defineCommand({
  name: "ZRANDMEMBER", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, count: number) => integer("count", count) ?? ["ZRANDMEMBER", key, count]
})

/** ZRANDMEMBER key count WITHSCORES: random members with their scores (negative count: may repeat). */
export const zrandmemberWithScores = defineCommand({
  name: "ZRANDMEMBER", flags: readonly, reply: scoredMembers,
  args: (key: RedisKey, count: number) => integer("count", count) ?? ["ZRANDMEMBER", key, count, "WITHSCORES"]
})

/** Options of ZSCAN. */
export interface ZScanOptions {
  /** Only members matching this glob pattern (MATCH). */
  readonly match?: string | undefined
  /** Work hint per call (COUNT, >= 1). */
  readonly count?: number | undefined
}

/** ZSCAN key cursor [MATCH p] [COUNT n]: one page of members with scores and the next cursor (`"0"` when complete). */
export const zscan = defineCommand({
  name: "ZSCAN", flags: readonly, reply: scanScoredMembers,
  args: (key: RedisKey, cursor: string | number, options: ZScanOptions = {}) => {
    const out: Array<RespArg> = ["ZSCAN", key, cursor]
    if (options.match !== undefined) out.push("MATCH", options.match)
    if (options.count !== undefined) out.push("COUNT", options.count)
    return options.count === undefined ? out : integerAtLeast("count", options.count) ?? out
  }
})

// ---------------------------------------------------------------------------------------------------------------
// Set operations

/** ZDIFF numkeys key [key ...]: the members of the first set that are in none of the others, by score. */
export const zdiff = defineCommand({
  name: "ZDIFF", flags: readonly, keys: keysAfterNumkeys1, reply: Replies.strings,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => diffLine(["ZDIFF"], keys, false)
})

/** ZDIFF numkeys key [key ...] WITHSCORES: the difference with the first set's scores. */
export const zdiffWithScores = defineCommand({
  name: "ZDIFF", flags: readonly, keys: keysAfterNumkeys1, reply: scoredMembers,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>) => diffLine(["ZDIFF"], keys, true)
})

/** ZDIFFSTORE destination numkeys key [key ...]: stores the difference in `destination`; how many members it has. */
export const zdiffstore = defineCommand({
  name: "ZDIFFSTORE", flags: write, keys: destinationAndNumkeys, reply: Replies.integer,
  args: (destination: RedisKey, keys: RedisKey | ReadonlyArray<RedisKey>) => diffLine(["ZDIFFSTORE", destination], keys, false)
})

/** ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]: the members present in every set, by combined score. */
export const zinter = defineCommand({
  name: "ZINTER", flags: readonly, keys: keysAfterNumkeys1, reply: Replies.strings,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, options: ZCombineOptions = {}) => combineLine(["ZINTER"], keys, options, false)
})

/** ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] WITHSCORES: the intersection with combined scores. */
export const zinterWithScores = defineCommand({
  name: "ZINTER", flags: readonly, keys: keysAfterNumkeys1, reply: scoredMembers,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, options: ZCombineOptions = {}) => combineLine(["ZINTER"], keys, options, true)
})

/** Options of ZINTERCARD. */
export interface ZInterCardOptions {
  /** Stop counting at this many members (LIMIT, >= 0; 0 = no limit). */
  readonly limit?: number | undefined
}

/** ZINTERCARD numkeys key [key ...] [LIMIT limit]: the size of the intersection (at most `limit` when given). */
export const zintercard = defineCommand({
  name: "ZINTERCARD", flags: readonly, keys: keysAfterNumkeys1, reply: Replies.integer,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, options: ZInterCardOptions = {}) => {
    const out: Array<RespArg> = ["ZINTERCARD"]
    const count = pushNumkeys(out, keys)
    if (count instanceof InvalidOptions) return count
    if (options.limit === undefined) return out
    out.push("LIMIT", options.limit)
    return integerAtLeast("limit", options.limit, 0) ?? out
  }
})

/**
 * ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]: stores the intersection
 * in `destination`; how many members it has.
 */
export const zinterstore = defineCommand({
  name: "ZINTERSTORE", flags: write, keys: destinationAndNumkeys, reply: Replies.integer,
  args: (destination: RedisKey, keys: RedisKey | ReadonlyArray<RedisKey>, options: ZCombineOptions = {}) =>
    combineLine(["ZINTERSTORE", destination], keys, options, false)
})

/** ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]: the members of any set, by combined score. */
export const zunion = defineCommand({
  name: "ZUNION", flags: readonly, keys: keysAfterNumkeys1, reply: Replies.strings,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, options: ZCombineOptions = {}) => combineLine(["ZUNION"], keys, options, false)
})

/** ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] WITHSCORES: the union with combined scores. */
export const zunionWithScores = defineCommand({
  name: "ZUNION", flags: readonly, keys: keysAfterNumkeys1, reply: scoredMembers,
  args: (keys: RedisKey | ReadonlyArray<RedisKey>, options: ZCombineOptions = {}) => combineLine(["ZUNION"], keys, options, true)
})

/**
 * ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]: stores the union in
 * `destination`; how many members it has.
 */
export const zunionstore = defineCommand({
  name: "ZUNIONSTORE", flags: write, keys: destinationAndNumkeys, reply: Replies.integer,
  args: (destination: RedisKey, keys: RedisKey | ReadonlyArray<RedisKey>, options: ZCombineOptions = {}) =>
    combineLine(["ZUNIONSTORE", destination], keys, options, false)
})
