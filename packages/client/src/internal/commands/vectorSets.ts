/**
 * Vector sets (Redis 8.0, the `vectorset` module its builds load): VADD, VSIM, VREM, VCARD, VDIM, VEMB, VGETATTR,
 * VSETATTR, VINFO, VLINKS, VRANDMEMBER and VISMEMBER. A vector set is a key holding elements (strings) with a vector
 * each, searchable by similarity. A server without them (Redis 7.x, Valkey 8.1, a Redis 8 build without the module)
 * fails these builders with `UnknownCommandError`.
 *
 * @module
 */
import type { RespArg } from "@effect-redis/resp"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import * as Replies from "../../Replies.ts"
import type { RedisKey, RedisValue } from "./types.ts"
import { integerAtLeast } from "./validate.ts"
import * as VectorSetReplies from "./vectorSetReplies.ts"

export type { RawEmbedding, ScoredElement, VectorSetInfo } from "./vectorSetReplies.ts"

const { readonly, write } = CommandFlags

/**
 * A vector: numbers (sent as `VALUES n v1 v2...`) or a `Float32Array` (sent as one `FP32` blob of little-endian
 * floats, the compact form).
 */
export type Vector = ReadonlyArray<number> | Float32Array

/** Appends the vector in VADD/VSIM form, or says why it cannot be sent. */
const pushVector = (out: Array<RespArg>, vector: Vector): InvalidOptions | undefined => {
  if (vector.length === 0) return new InvalidOptions("the vector must not be empty")
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i])) return new InvalidOptions(`the vector's component ${i} is not a finite number: ${String(vector[i])}`)
  }
  if (vector instanceof Float32Array) {
    const bytes = new Uint8Array(vector.length * 4)
    const view = new DataView(bytes.buffer)
    for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i]!, true)
    out.push("FP32", bytes)
  } else {
    out.push("VALUES", vector.length)
    for (const value of vector) out.push(value)
  }
  return undefined
}

/** Attributes of an element: a JSON object, given as text or as a value to `JSON.stringify`. */
export type VectorAttributes = string | Readonly<Record<string, unknown>>

const attributesText = (attributes: VectorAttributes): string =>
  typeof attributes === "string" ? attributes : JSON.stringify(attributes)

/** Options of VADD. */
export interface VAddOptions {
  /** Project the vectors to this many dimensions (REDUCE), when the set is created. */
  readonly reduce?: number | undefined
  /** Compute the neighbours in a background thread and add the element after (CAS). */
  readonly cas?: boolean | undefined
  /**
   * How the set stores vectors, chosen when it is created: `q8` (8-bit, the server's default), `noquant` (32-bit
   * floats) or `bin` (1 bit per component). Adding with another quantization than the set's fails.
   */
  readonly quantization?: "q8" | "noquant" | "bin" | undefined
  /** The exploration factor while linking the new element (EF). */
  readonly ef?: number | undefined
  /** Attributes of the element, for VSIM filters (SETATTR). */
  readonly attributes?: VectorAttributes | undefined
  /** The HNSW graph's maximum links per node (M), when the set is created. */
  readonly m?: number | undefined
}

/**
 * VADD key [REDUCE dim] (FP32 blob | VALUES n v...) element [CAS] [NOQUANT|Q8|BIN] [EF n] [SETATTR json] [M n]:
 * adds the element with its vector, or replaces its vector; `true` when it was added, `false` when it was already
 * there. The vector's dimension must be the set's.
 */
export const vadd = defineCommand({
  name: "VADD", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, vector: Vector, element: RedisValue, options: VAddOptions = {}) => {
    const out: Array<RespArg> = ["VADD", key]
    if (options.reduce !== undefined) {
      const bad = integerAtLeast("reduce", options.reduce)
      if (bad !== undefined) return bad
      out.push("REDUCE", options.reduce)
    }
    const badVector = pushVector(out, vector)
    if (badVector !== undefined) return badVector
    out.push(element)
    if (options.cas === true) out.push("CAS")
    if (options.quantization !== undefined) out.push(options.quantization.toUpperCase())
    if (options.ef !== undefined) {
      const bad = integerAtLeast("ef", options.ef)
      if (bad !== undefined) return bad
      out.push("EF", options.ef)
    }
    if (options.attributes !== undefined) out.push("SETATTR", attributesText(options.attributes))
    if (options.m !== undefined) {
      const bad = integerAtLeast("m", options.m)
      if (bad !== undefined) return bad
      out.push("M", options.m)
    }
    return out
  }
})

/** What VSIM compares against: an element of the set, or a vector. */
export type VSimQuery = { readonly element: RedisValue } | { readonly vector: Vector }

/** Options of VSIM. */
export interface VSimOptions {
  /** At most this many results (COUNT; the server's default is 10). */
  readonly count?: number | undefined
  /** The search's exploration factor (EF): higher finds better matches, slower. */
  readonly ef?: number | undefined
  /**
   * Only elements whose attributes match this expression (FILTER), e.g. `.year > 2000 and .genre == "drama"`.
   * Elements without attributes never match.
   */
  readonly filter?: string | undefined
  /** How many candidates to examine at most for the filter (FILTER-EF). */
  readonly filterEf?: number | undefined
  /** Only results within this distance of the query (EPSILON, between 0 and 1): the closer, the fewer. */
  readonly epsilon?: number | undefined
  /** Scan every element instead of the graph (TRUTH): exact and slow, for checking the approximate results. */
  readonly truth?: boolean | undefined
  /** Run in the main thread (NOTHREAD). */
  readonly noThread?: boolean | undefined
}

const vsimLine = (key: RedisKey, query: VSimQuery, options: VSimOptions, withScores: boolean): ReadonlyArray<RespArg> | InvalidOptions => {
  const out: Array<RespArg> = ["VSIM", key]
  if ("element" in query) out.push("ELE", query.element)
  else {
    const bad = pushVector(out, query.vector)
    if (bad !== undefined) return bad
  }
  if (withScores) out.push("WITHSCORES")
  for (const [name, token] of [["count", "COUNT"], ["ef", "EF"], ["filterEf", "FILTER-EF"]] as const) {
    const value = options[name]
    if (value === undefined) continue
    const bad = integerAtLeast(name, value)
    if (bad !== undefined) return bad
    out.push(token, value)
  }
  if (options.epsilon !== undefined) {
    if (!(options.epsilon >= 0 && options.epsilon <= 1)) return new InvalidOptions(`epsilon must be between 0 and 1, got ${options.epsilon}`)
    out.push("EPSILON", options.epsilon)
  }
  if (options.filter !== undefined) out.push("FILTER", options.filter)
  if (options.truth === true) out.push("TRUTH")
  if (options.noThread === true) out.push("NOTHREAD")
  return out
}

/**
 * VSIM key (ELE element | FP32 blob | VALUES n v...) [COUNT n] [EF n] [FILTER expr] ...: the elements most similar to
 * the query, most similar first (an empty array when the key is missing). Fails when the query element is not in
 * the set.
 */
export const vsim = defineCommand({
  name: "VSIM", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, query: VSimQuery, options: VSimOptions = {}) => vsimLine(key, query, options, false)
})

/** VSIM ... WITHSCORES: like {@link vsim}, each element with its similarity score (1 = identical). */
export const vsimWithScores = defineCommand({
  name: "VSIM", flags: readonly, reply: VectorSetReplies.scoredElements,
  args: (key: RedisKey, query: VSimQuery, options: VSimOptions = {}) => vsimLine(key, query, options, true)
})

/** VREM key element: whether the element was there (and is now removed; the key goes with its last element). */
export const vrem = defineCommand({
  name: "VREM", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, element: RedisValue) => ["VREM", key, element]
})

/** VCARD key: the number of elements (0 when the key is missing). */
export const vcard = defineCommand({
  name: "VCARD", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["VCARD", key]
})

/** VDIM key: the dimension of the set's vectors (fails when the key is missing). */
export const vdim = defineCommand({
  name: "VDIM", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey) => ["VDIM", key]
})

/** VEMB key element: the element's vector as stored (approximate when quantized); none when it is not in the set. */
export const vemb = defineCommand({
  name: "VEMB", flags: readonly, reply: VectorSetReplies.embedding,
  args: (key: RedisKey, element: RedisValue) => ["VEMB", key, element]
})

/** VEMB key element RAW: how the server stores the element's vector ({@link RawEmbedding}); none when it is not in the set. */
export const vembRaw = defineCommand({
  name: "VEMB", flags: readonly, reply: VectorSetReplies.rawEmbedding,
  args: (key: RedisKey, element: RedisValue) => ["VEMB", key, element, "RAW"]
})

/** VGETATTR key element: the element's attributes as JSON text; none when it has none or is not in the set. */
export const vgetattr = defineCommand({
  name: "VGETATTR", flags: readonly, reply: Replies.optionalString,
  args: (key: RedisKey, element: RedisValue) => ["VGETATTR", key, element]
})

/**
 * VSETATTR key element json: replaces the element's attributes (an empty string removes them); whether the element
 * is in the set.
 */
export const vsetattr = defineCommand({
  name: "VSETATTR", flags: write, reply: Replies.boolean,
  args: (key: RedisKey, element: RedisValue, attributes: VectorAttributes) => ["VSETATTR", key, element, attributesText(attributes)]
})

/** VINFO key: the set's quantization, dimensions, size and graph parameters; none when the key is missing. */
export const vinfo = defineCommand({
  name: "VINFO", flags: readonly, reply: VectorSetReplies.vectorSetInfo,
  args: (key: RedisKey) => ["VINFO", key]
})

/** VLINKS key element: the element's neighbours in each HNSW layer it is in; none when it is not in the set. */
export const vlinks = defineCommand({
  name: "VLINKS", flags: readonly, reply: VectorSetReplies.layers,
  args: (key: RedisKey, element: RedisValue) => ["VLINKS", key, element]
})

/** VLINKS key element WITHSCORES: like {@link vlinks}, each neighbour with its similarity score. */
export const vlinksWithScores = defineCommand({
  name: "VLINKS", flags: readonly, reply: VectorSetReplies.scoredLayers,
  args: (key: RedisKey, element: RedisValue) => ["VLINKS", key, element, "WITHSCORES"]
})

/** VRANDMEMBER key: a random element; none when the key is missing. */
export const vrandmember = defineCommand({
  name: "VRANDMEMBER", flags: readonly, reply: Replies.optionalString,
  args: (key: RedisKey) => ["VRANDMEMBER", key]
})

/**
 * VRANDMEMBER key count: up to `count` distinct random elements; a negative count returns exactly |count|, possibly
 * repeated (an empty array when the key is missing).
 */
export const vrandmemberCount = defineCommand({
  name: "VRANDMEMBER", flags: readonly, reply: Replies.strings,
  args: (key: RedisKey, count: number) => integerAtLeast("count", count, Number.MIN_SAFE_INTEGER) ?? ["VRANDMEMBER", key, count]
})

/** VISMEMBER key element: whether the element is in the set. */
export const vismember = defineCommand({
  name: "VISMEMBER", flags: readonly, reply: Replies.boolean,
  args: (key: RedisKey, element: RedisValue) => ["VISMEMBER", key, element]
})
