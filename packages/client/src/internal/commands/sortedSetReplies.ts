import type { RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { makeReply, type Reply, ReplyMismatch } from "../Reply.ts"
import type { ScanPage } from "../../Replies.ts"
import { asArray, asList, decodeEach, keyedPop, mismatch, nilAsNone, toFloat, toText } from "../ReplyDecoding.ts"

// The typed replies of the sorted-set commands. Scores are JavaScript numbers, ±Infinity included: RESP2 sends them
// as bulk strings ("1.5", "inf", "-inf"), RESP3 as doubles. Member-score lists come flat under RESP2
// ([m1, s1, m2, s2]) and as pairs under RESP3 ([[m1, s1], [m2, s2]]), except ZPOPMIN/ZPOPMAX without a count,
// which send one flat pair under both, and ZSCAN, which stays flat with text scores under both. Every decoder
// accepts each of these shapes and yields the same value.

// ---------------------------------------------------------------------------------------------------------------
// Types

/** A sorted-set member with its score (a JavaScript number; `Infinity` / `-Infinity` for `+inf` / `-inf`). */
export interface ScoredMember {
  /** The member. */
  readonly member: string
  /** Its score. */
  readonly score: number
}

/** What BZPOPMIN / BZPOPMAX popped: the sorted set it came from, the member and its score. */
export interface SortedSetPopResult {
  /** The key of the first non-empty sorted set among the given keys. */
  readonly key: string
  /** The popped member. */
  readonly member: string
  /** Its score. */
  readonly score: number
}

/** What ZMPOP / BZMPOP popped: the sorted set they came from and the members, in pop order. */
export interface SortedSetMultiPopResult {
  /** The key of the first non-empty sorted set among the given keys. */
  readonly key: string
  /** The popped members with their scores, in the order they were popped. */
  readonly members: ReadonlyArray<ScoredMember>
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas

/** Schema of {@link ScoredMember}. */
export const ScoredMemberSchema = Schema.Struct({ member: Schema.String, score: Schema.Number })

const SortedSetPopResultSchema = Schema.Struct({ key: Schema.String, member: Schema.String, score: Schema.Number })

const SortedSetMultiPopResultSchema = Schema.Struct({ key: Schema.String, members: Schema.Array(ScoredMemberSchema) })

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/** Member-score pairs, flat (`[m, s, m, s]`) or nested (`[[m, s], [m, s]]`); undefined for anything else. */
const scoredMembersOf = (raw: RespValue): Array<ScoredMember> | undefined => {
  const list = asList(raw)
  if (list === undefined) return undefined
  if (list.length > 0 && Array.isArray(list[0])) {
    const out = new Array<ScoredMember>(list.length)
    for (let i = 0; i < list.length; i++) {
      const pair = list[i]!
      if (!Array.isArray(pair) || pair.length !== 2) return undefined
      const member = toText(pair[0]!), score = toFloat(pair[1]!)
      if (member === undefined || score === undefined) return undefined
      out[i] = { member, score }
    }
    return out
  }
  if (list.length % 2 !== 0) return undefined
  const out = new Array<ScoredMember>(list.length / 2)
  for (let i = 0; i < list.length; i += 2) {
    const member = toText(list[i]!), score = toFloat(list[i + 1]!)
    if (member === undefined || score === undefined) return undefined
    out[i / 2] = { member, score }
  }
  return out
}

/**
 * Members with scores (WITHSCORES replies, ZPOPMIN/ZPOPMAX, ZRANDMEMBER ... WITHSCORES): RESP2 flat list or RESP3
 * list of pairs, to an array of {@link ScoredMember} in reply order.
 */
export const scoredMembers: Reply<ReadonlyArray<ScoredMember>> = makeReply(Schema.Array(ScoredMemberSchema), (raw) =>
  scoredMembersOf(raw) ?? mismatch("member-score pairs")(raw))

const optionalScore = nilAsNone(toFloat)

/** ZMSCORE: one score per member, `Option.none()` for members that are not in the set. */
export const optionalScores: Reply<ReadonlyArray<Option.Option<number>>> = makeReply(
  Schema.Array(Schema.Option(Schema.Number)),
  (raw) => decodeEach(asArray(raw), optionalScore) ?? mismatch("an array of scores or nils")(raw)
)

/** BZPOPMIN / BZPOPMAX: `[key, member, score]`, or nil on timeout. */
export const optionalPop: Reply<Option.Option<SortedSetPopResult>> = makeReply(
  Schema.Option(SortedSetPopResultSchema),
  (raw) => {
    if (raw === null) return Option.none()
    if (!Array.isArray(raw) || raw.length !== 3) return mismatch("[key, member, score] or nil")(raw)
    const key = toText(raw[0]!), member = toText(raw[1]!), score = toFloat(raw[2]!)
    if (key === undefined || member === undefined || score === undefined) {
      return mismatch("[key, member, score] or nil")(raw)
    }
    return Option.some({ key, member, score })
  }
)

/** ZMPOP / BZMPOP: `[key, [[member, score], ...]]`, or nil when every set is empty (or on timeout). */
export const optionalMultiPop: Reply<Option.Option<SortedSetMultiPopResult>> = makeReply(
  Schema.Option(SortedSetMultiPopResultSchema),
  (raw) => {
    const pop = keyedPop(raw, scoredMembersOf)
    return pop === undefined
      ? mismatch("[key, member-score pairs] or nil")(raw)
      : Option.map(pop, ([key, members]) => ({ key, members }))
  }
)

/** ZSCAN: `[cursor, [member, score, ...]]` to a page of {@link ScoredMember}. */
export const scanScoredMembers: Reply<ScanPage<ScoredMember>> = makeReply(
  Schema.Struct({ cursor: Schema.String, items: Schema.Array(ScoredMemberSchema) }),
  (raw) => {
    if (!Array.isArray(raw) || raw.length !== 2) return mismatch("[cursor, member-score pairs]")(raw)
    const cursor = toText(raw[0]!)
    const items = scoredMembers.decode(raw[1]!)
    if (cursor === undefined || items instanceof ReplyMismatch) return mismatch("[cursor, member-score pairs]")(raw)
    return { cursor, items }
  }
)
