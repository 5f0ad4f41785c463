/**
 * fast-check generators for reply values, and the model of what each decodes back to.
 */
import { Buffer } from "node:buffer"
import * as fc from "fast-check"
import { RespErrorReply, type RespProtocol, type RespValue } from "../../src/index.ts"

/** Any valid Unicode text (no lone surrogates, which UTF-8 cannot carry). */
const text = fc.string({ unit: "binary", maxLength: 24 })
/** Occasionally long enough (over 1 KiB of UTF-8) to take the decoder's piecewise text path when split. */
const longText = fc.string({ unit: "binary", minLength: 300, maxLength: 700 })
const bytesValue = fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u))

/** Scalars a map key or set element may be: kept primitive so that decoded keys compare by value. */
const keyValue: fc.Arbitrary<RespValue> = fc.oneof(text, fc.maxSafeInteger(), fc.bigInt(), fc.boolean())

const scalarValue: fc.Arbitrary<RespValue> = fc.oneof(
  { arbitrary: text, weight: 6 },
  { arbitrary: longText, weight: 1 },
  { arbitrary: bytesValue, weight: 2 },
  { arbitrary: fc.maxSafeInteger(), weight: 3 },
  { arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), weight: 2 },
  { arbitrary: fc.double(), weight: 2 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 30 }).map((m) => new RespErrorReply(m)), weight: 1 },
  { arbitrary: fc.constantFrom("a\r\nb", "\r\n", "\n", "\r").map((m) => new RespErrorReply(`ERR ${m}`)), weight: 1 }
)

/** Any reply value, nested a few levels deep. */
export const respValue: fc.Arbitrary<RespValue> = fc.letrec<{ value: RespValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { arbitrary: scalarValue, weight: 4 },
    { arbitrary: fc.array(tie("value"), { maxLength: 6 }), weight: 2 },
    { arbitrary: fc.array(fc.tuple(keyValue, tie("value")), { maxLength: 4 }).map((entries) => new Map(entries)), weight: 1 },
    { arbitrary: fc.uniqueArray(keyValue, { maxLength: 5 }).map((elements) => new Set(elements)), weight: 1 }
  )
})).value

/** A frame of a RESP3 stream: a reply, a push or an attribute. */
export type StreamFrame =
  | { readonly _tag: "Reply"; readonly value: RespValue }
  | { readonly _tag: "Push"; readonly value: ReadonlyArray<RespValue> }
  | { readonly _tag: "Attribute"; readonly value: ReadonlyMap<RespValue, RespValue> }

export const streamFrame: fc.Arbitrary<StreamFrame> = fc.oneof(
  { arbitrary: respValue.map((value) => ({ _tag: "Reply" as const, value })), weight: 6 },
  {
    arbitrary: fc.tuple(fc.constantFrom("message", "invalidate", "pmessage"), fc.array(respValue, { maxLength: 3 })).map((
      [kind, rest]
    ) => ({ _tag: "Push" as const, value: [kind, ...rest] })),
    weight: 1
  },
  {
    arbitrary: fc.array(fc.tuple(keyValue, respValue), { maxLength: 3 }).map((entries) => ({
      _tag: "Attribute" as const,
      value: new Map(entries)
    })),
    weight: 1
  }
)

const doubleText = (value: number): string =>
  Number.isNaN(value) ? "nan" : value === Infinity ? "inf" : value === -Infinity ? "-inf" : String(value)

/**
 * What `value`, encoded by encodeReply for `protocol`, decodes back to (with the decoder's bulkAsBuffer flag set
 * to `asBuffer`): RESP2 flattens maps, turns sets into arrays, booleans into 1/0, doubles into bulk strings.
 */
export const decodedModel = (value: RespValue, protocol: RespProtocol, asBuffer: boolean): RespValue => {
  const bulk = (s: string): RespValue => (asBuffer ? Buffer.from(s, "utf8") : s)
  if (value === null) return null
  if (typeof value === "string") return bulk(value)
  if (typeof value === "number") {
    if (Number.isSafeInteger(value)) return value === 0 ? 0 : value
    return protocol === 3 ? value : bulk(doubleText(value))
  }
  if (typeof value === "bigint") {
    if (protocol === 3) return value
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
  }
  if (typeof value === "boolean") return protocol === 3 ? value : value ? 1 : 0
  if (value instanceof Uint8Array) return asBuffer ? Buffer.from(value) : Buffer.from(value).toString("utf8")
  if (value instanceof RespErrorReply) {
    return protocol === 3 ? new RespErrorReply(value.message) : new RespErrorReply(value.message.replace(/[\r\n]/g, " "))
  }
  if (value instanceof Map) {
    if (protocol === 3) {
      return new Map([...value].map(([k, v]) => [decodedModel(k, protocol, asBuffer), decodedModel(v, protocol, asBuffer)]))
    }
    return [...value].flatMap(([k, v]) => [decodedModel(k, protocol, asBuffer), decodedModel(v, protocol, asBuffer)])
  }
  if (value instanceof Set) {
    const elements = [...value].map((element) => decodedModel(element, protocol, asBuffer))
    return protocol === 3 ? new Set(elements) : elements
  }
  return (value as ReadonlyArray<RespValue>).map((element) => decodedModel(element, protocol, asBuffer))
}

/** Random cut points for a byte sequence of `length` bytes, sometimes every byte. */
export const splitPoints = (length: number): fc.Arbitrary<ReadonlyArray<number>> =>
  fc.oneof(
    { arbitrary: fc.array(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 30 }), weight: 4 },
    { arbitrary: fc.constant(Array.from({ length }, (_, i) => i)), weight: 1 }
  )
