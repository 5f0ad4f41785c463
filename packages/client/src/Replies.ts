import { isRespErrorReply, type RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { makeReply, type Reply, ReplyMismatch } from "./internal/Reply.ts"
import { asList, mismatch, pairsOf, toFloat, toInteger, toText } from "./internal/ReplyDecoding.ts"

// The reply shapes of the typed commands. Each accepts what RESP2 and RESP3 send for the same reply (a RESP3 map
// or a RESP2 flat array, a RESP3 double or a RESP2 bulk string...) and yields one TypeScript type for both.

const notString = mismatch("a string")
const notInteger = mismatch("an integer")
const notNumber = mismatch("a number")

/** `+OK` (or any simple status): decoded to `void`. */
export const ok: Reply<void> = makeReply(Schema.Void, (raw) => (typeof raw === "string" ? undefined : mismatch("OK")(raw)))

/** A status reply kept as text, e.g. `PONG` or the reply of TYPE. */
export const status: Reply<string> = makeReply(Schema.String, (raw) => toText(raw) ?? notString(raw))

/** `OK` when the command did its work, nil when a condition (NX/XX) prevented it: decoded to a boolean. */
export const okOrNil: Reply<boolean> = makeReply(
  Schema.Boolean,
  (raw) => (raw === null ? false : typeof raw === "string" ? true : mismatch("OK or nil")(raw))
)

/** A bulk string that is never nil. */
export const string: Reply<string> = makeReply(Schema.String, (raw) => toText(raw) ?? notString(raw))

/** A bulk string or nil (GET of a missing key): `Option<string>`. */
export const optionalString: Reply<Option.Option<string>> = makeReply(Schema.Option(Schema.String), (raw) => {
  if (raw === null) return Option.none()
  const text = toText(raw)
  return text === undefined ? notString(raw) : Option.some(text)
})

/** A bulk string or nil, as bytes: `Option<Uint8Array>` (binary-safe GET). */
export const optionalBytes: Reply<Option.Option<Uint8Array>> = makeReply(
  Schema.Option(Schema.Uint8Array),
  (raw) => {
    if (raw === null) return Option.none()
    if (raw instanceof Uint8Array) return Option.some(raw)
    if (typeof raw === "string") return Option.some(Buffer.from(raw, "utf8"))
    return mismatch("bytes")(raw)
  },
  { binary: true }
)

/** An integer reply. Integers beyond 2^53 lose precision; commands where that matters use {@link bigInteger}. */
export const integer: Reply<number> = makeReply(Schema.Number, (raw) => toInteger(raw) ?? notInteger(raw))

/** An integer reply as a `bigint`, exact over the whole 64-bit range. */
export const bigInteger: Reply<bigint> = makeReply(Schema.BigInt, (raw) => {
  if (typeof raw === "bigint") return raw
  if (typeof raw === "number" && Number.isInteger(raw)) return BigInt(raw)
  if (typeof raw === "string" && /^-?\d+$/.test(raw)) return BigInt(raw)
  return notInteger(raw)
})

/** An integer or nil: `Option<number>`. */
export const optionalInteger: Reply<Option.Option<number>> = makeReply(Schema.Option(Schema.Number), (raw) => {
  if (raw === null) return Option.none()
  const n = toInteger(raw)
  return n === undefined ? notInteger(raw) : Option.some(n)
})

/** A floating point number (RESP3 double or RESP2 bulk string, `inf`/`-inf` included). */
export const float: Reply<number> = makeReply(Schema.Number, (raw) => toFloat(raw) ?? notNumber(raw))

/** A floating point number or nil: `Option<number>`. */
export const optionalFloat: Reply<Option.Option<number>> = makeReply(Schema.Option(Schema.Number), (raw) => {
  if (raw === null) return Option.none()
  const n = toFloat(raw)
  return n === undefined ? notNumber(raw) : Option.some(n)
})

/** An integer 1/0 (or RESP3 boolean) as a boolean. */
export const boolean: Reply<boolean> = makeReply(Schema.Boolean, (raw) => {
  if (raw === 1 || raw === true) return true
  if (raw === 0 || raw === false) return false
  return mismatch("1 or 0")(raw)
})

/** An array of integers 1/0 as booleans (SMISMEMBER...). */
export const booleans: Reply<ReadonlyArray<boolean>> = makeReply(Schema.Array(Schema.Boolean), (raw) => {
  if (!Array.isArray(raw)) return mismatch("an array of 1/0")(raw)
  const out = new Array<boolean>(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const item = raw[i]
    if (item === 1 || item === true) out[i] = true
    else if (item === 0 || item === false) out[i] = false
    else return mismatch("an array of 1/0")(raw)
  }
  return out
})

/** An array (or RESP3 set) of strings. */
export const strings: Reply<ReadonlyArray<string>> = makeReply(Schema.Array(Schema.String), (raw) => {
  const list = asList(raw)
  if (list === undefined) return mismatch("an array of strings")(raw)
  const out = new Array<string>(list.length)
  for (let i = 0; i < list.length; i++) {
    const text = toText(list[i]!)
    if (text === undefined) return mismatch("an array of strings")(raw)
    out[i] = text
  }
  return out
})

/** An array of strings or nils (MGET, HMGET): `Array<Option<string>>`. */
export const optionalStrings: Reply<ReadonlyArray<Option.Option<string>>> = makeReply(
  Schema.Array(Schema.Option(Schema.String)),
  (raw) => {
    if (!Array.isArray(raw)) return mismatch("an array of strings or nils")(raw)
    const out = new Array<Option.Option<string>>(raw.length)
    for (let i = 0; i < raw.length; i++) {
      const item = raw[i]!
      if (item === null) {
        out[i] = Option.none()
        continue
      }
      const text = toText(item)
      if (text === undefined) return mismatch("an array of strings or nils")(raw)
      out[i] = Option.some(text)
    }
    return out
  }
)

/**
 * Field-value pairs (HGETALL, CONFIG GET...): a RESP3 map or a RESP2 flat array, to a record. The record has no
 * prototype, so field names such as `__proto__` are kept as data.
 */
export const stringRecord: Reply<Readonly<Record<string, string>>> = makeReply(
  Schema.Record(Schema.String, Schema.String),
  (raw) => {
    const out: Record<string, string> = Object.create(null)
    if (raw instanceof Map) {
      for (const [k, v] of raw) {
        const key = toText(k), value = toText(v)
        if (key === undefined || value === undefined) return mismatch("a map of strings")(raw)
        out[key] = value
      }
      return out
    }
    if (!Array.isArray(raw) || raw.length % 2 !== 0) return mismatch("field-value pairs")(raw)
    for (let i = 0; i < raw.length; i += 2) {
      const key = toText(raw[i]!), value = toText(raw[i + 1]!)
      if (key === undefined || value === undefined) return mismatch("field-value pairs")(raw)
      out[key] = value
    }
    return out
  }
)

/** One field-value pair. */
export interface FieldValue {
  readonly field: string
  readonly value: string
}

const FieldValueSchema = Schema.Struct({ field: Schema.String, value: Schema.String })

/**
 * Field-value pairs as an ordered array (HRANDFIELD WITHVALUES, HSCAN): RESP2 sends a flat array, RESP3 an array
 * of pairs.
 */
export const fieldValues: Reply<ReadonlyArray<FieldValue>> = makeReply(Schema.Array(FieldValueSchema), (raw) => {
  const pairs = pairsOf(raw)
  if (pairs === undefined) return mismatch("field-value pairs")(raw)
  const out = new Array<FieldValue>(pairs.length / 2)
  for (let i = 0; i < pairs.length; i += 2) out[i / 2] = { field: pairs[i]!, value: pairs[i + 1]! }
  return out
})

/** One page of a SCAN-family cursor: the next cursor (`"0"` when done) and the page's items. */
export interface ScanPage<A> {
  readonly cursor: string
  readonly items: ReadonlyArray<A>
}

/** A SCAN/SSCAN reply: `[cursor, [item...]]`. */
export const scanPage: Reply<ScanPage<string>> = makeReply(
  Schema.Struct({ cursor: Schema.String, items: Schema.Array(Schema.String) }),
  (raw) => {
    if (!Array.isArray(raw) || raw.length !== 2) return mismatch("[cursor, items]")(raw)
    const cursor = toText(raw[0]!)
    const items = strings.decode(raw[1]!)
    if (cursor === undefined || items instanceof ReplyMismatch) return mismatch("[cursor, items]")(raw)
    return { cursor, items }
  }
)

/** An HSCAN reply: `[cursor, [field, value, ...]]`. */
export const scanFieldValues: Reply<ScanPage<FieldValue>> = makeReply(
  Schema.Struct({ cursor: Schema.String, items: Schema.Array(FieldValueSchema) }),
  (raw) => {
    if (!Array.isArray(raw) || raw.length !== 2) return mismatch("[cursor, field-value pairs]")(raw)
    const cursor = toText(raw[0]!)
    const items = fieldValues.decode(raw[1]!)
    if (cursor === undefined || items instanceof ReplyMismatch) return mismatch("[cursor, field-value pairs]")(raw)
    return { cursor, items }
  }
)

/**
 * The raw reply, unchanged (for `Redis.call`). Nested error replies stay `RespErrorReply` values; only a top-level
 * error reply fails the command.
 */
export const raw: Reply<RespValue> = makeReply(Schema.Unknown as Schema.Codec<RespValue, RespValue>, (value) => value)

/** Whether a raw value is an error reply (used by replies that may contain per-item errors). */
export const isErrorReply = isRespErrorReply
