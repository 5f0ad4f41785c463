import type { RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { makeReply, type Reply, ReplyMismatch } from "../Reply.ts"
import { asList, entriesOf, fieldsOf, intField, listOf, mismatch, textField, toFloat, toText } from "../ReplyDecoding.ts"

// The replies of the vector-set commands (Redis 8.0) that are more than a number or a string: scored elements
// (RESP3 maps, RESP2 flat arrays), VLINKS's per-layer lists, VINFO's map and VEMB RAW's parts.

/** One element of a similarity search or neighbour list with its similarity score (1 = identical, 0 = opposite). */
export interface ScoredElement {
  readonly element: string
  readonly score: number
}

const ScoredElementSchema = Schema.Struct({ element: Schema.String, score: Schema.Number })

/** Scored elements in the server's order: a RESP3 map `{element: score}` or a RESP2 flat array `[element, score...]`. */
const decodeScored = (raw: RespValue): ReadonlyArray<ScoredElement> | ReplyMismatch => {
  const entries = entriesOf(raw)
  if (entries === undefined) return mismatch("elements with scores")(raw)
  const out = new Array<ScoredElement>(entries.length)
  for (let i = 0; i < entries.length; i++) {
    const element = toText(entries[i]![0]), score = toFloat(entries[i]![1])
    if (element === undefined || score === undefined) return mismatch("elements with scores")(raw)
    out[i] = { element, score }
  }
  return out
}

/** VSIM ... WITHSCORES: the most similar elements first, each with its score. */
export const scoredElements: Reply<ReadonlyArray<ScoredElement>> = makeReply(Schema.Array(ScoredElementSchema), decodeScored)

const textItem = (raw: RespValue): string | ReplyMismatch => toText(raw) ?? mismatch("an element")(raw)

/** VLINKS key element: one list of neighbours per HNSW layer the element is in; none when there is no such element. */
export const layers: Reply<Option.Option<ReadonlyArray<ReadonlyArray<string>>>> = makeReply(
  Schema.Option(Schema.Array(Schema.Array(Schema.String))),
  (raw) => {
    if (raw === null) return Option.none()
    const out = listOf(raw, "neighbour lists per layer", (layer) => listOf(layer, "neighbours", textItem))
    return out instanceof ReplyMismatch ? out : Option.some(out)
  }
)

/** VLINKS key element WITHSCORES: each layer's neighbours with their scores; none when there is no such element. */
export const scoredLayers: Reply<Option.Option<ReadonlyArray<ReadonlyArray<ScoredElement>>>> = makeReply(
  Schema.Option(Schema.Array(Schema.Array(ScoredElementSchema))),
  (raw) => {
    if (raw === null) return Option.none()
    const out = listOf(raw, "scored neighbour lists per layer", decodeScored)
    return out instanceof ReplyMismatch ? out : Option.some(out)
  }
)

/** VEMB key element: the element's vector (as stored: approximate when quantized), none when there is no such element. */
export const embedding: Reply<Option.Option<ReadonlyArray<number>>> = makeReply(Schema.Option(Schema.Array(Schema.Number)), (raw) => {
  if (raw === null) return Option.none()
  const out = listOf(raw, "a vector", (item) => toFloat(item) ?? mismatch("a number")(item))
  return out instanceof ReplyMismatch ? out : Option.some(out)
})

/** VEMB key element RAW: how the server stores the vector. */
export interface RawEmbedding {
  /** The quantization: `f32` (NOQUANT), `int8` (Q8, the default) or `bin` (BIN); a newer server may add others. */
  readonly quantization: string
  /** The stored bytes, as the server keeps them for that quantization. */
  readonly data: Uint8Array
  /** The L2 norm the vector had before it was normalized. */
  readonly norm: number
  /** For `int8`: the range used to quantize (the stored values scale back by it); none otherwise. */
  readonly range: Option.Option<number>
}

/** VEMB key element RAW: `[quantization, bytes, norm, range?]`; none when there is no such element. */
export const rawEmbedding: Reply<Option.Option<RawEmbedding>> = makeReply(
  Schema.Option(Schema.Struct({ quantization: Schema.String, data: Schema.Uint8Array, norm: Schema.Number, range: Schema.Option(Schema.Number) })),
  (raw) => {
    if (raw === null) return Option.none()
    const parts = asList(raw)
    if (parts === undefined || parts.length < 3) return mismatch("[quantization, data, norm, range?]")(raw)
    const quantization = toText(parts[0]!), norm = toFloat(parts[2]!)
    const data = parts[1] instanceof Uint8Array ? parts[1] : typeof parts[1] === "string" ? Buffer.from(parts[1], "latin1") : undefined
    const range = parts.length > 3 ? toFloat(parts[3]!) : undefined
    if (quantization === undefined || norm === undefined || data === undefined || (parts.length > 3 && range === undefined)) {
      return mismatch("[quantization, data, norm, range?]")(raw)
    }
    return Option.some({ quantization, data, norm, range: Option.fromUndefinedOr(range) })
  },
  { binary: true }
)

/** What VINFO says about a vector set. */
export interface VectorSetInfo {
  /** `f32` (NOQUANT), `int8` (Q8) or `bin` (BIN); a newer server may add others. */
  readonly quantization: string
  /** The dimension of the stored vectors (after REDUCE, when the set projects them). */
  readonly vectorDim: number
  /** The dimension of the vectors given to VADD when the set projects them (REDUCE), else 0. */
  readonly projectionInputDim: number
  /** The number of elements. */
  readonly size: number
  /** The HNSW graph's M (maximum links per node per layer). */
  readonly hnswM: number
  /** The highest layer of the HNSW graph. */
  readonly maxLevel: number
  /** How many elements have attributes. */
  readonly attributesCount: number
  /** The set's internal id. */
  readonly vsetUid: number
  /** The highest internal node id used so far. */
  readonly hnswMaxNodeUid: number
}

/** VINFO key: a RESP3 map or a RESP2 flat array; none when there is no such key. Fields a newer server adds are ignored. */
export const vectorSetInfo: Reply<Option.Option<VectorSetInfo>> = makeReply(
  Schema.Option(Schema.Struct({
    quantization: Schema.String,
    vectorDim: Schema.Number,
    projectionInputDim: Schema.Number,
    size: Schema.Number,
    hnswM: Schema.Number,
    maxLevel: Schema.Number,
    attributesCount: Schema.Number,
    vsetUid: Schema.Number,
    hnswMaxNodeUid: Schema.Number
  })),
  (raw) => {
    if (raw === null) return Option.none()
    const fields = fieldsOf(raw)
    if (fields === undefined) return mismatch("VINFO fields")(raw)
    const quantization = textField(fields, "quant-type")
    const numbers = {
      vectorDim: intField(fields, "vector-dim"),
      projectionInputDim: intField(fields, "projection-input-dim"),
      size: intField(fields, "size"),
      hnswM: intField(fields, "hnsw-m"),
      maxLevel: intField(fields, "max-level"),
      attributesCount: intField(fields, "attributes-count"),
      vsetUid: intField(fields, "vset-uid"),
      hnswMaxNodeUid: intField(fields, "hnsw-max-node-uid")
    }
    if (quantization === undefined || Object.values(numbers).some((value) => value === undefined)) return mismatch("VINFO fields")(raw)
    return Option.some({ quantization, ...(numbers as { [K in keyof typeof numbers]: number }) })
  }
)
