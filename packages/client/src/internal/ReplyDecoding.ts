import type { RespValue } from "@effect-redis/resp"
import { Option } from "effect"
import { ReplyMismatch } from "./Reply.ts"

// The conversions every reply decoder shares: what RESP2 and RESP3 send for the same logical value (a RESP3 double
// or a RESP2 bulk string, a RESP3 set or a RESP2 array, a RESP3 map or a RESP2 flat array...) to one JavaScript
// value. Internal to the package: the reply modules (Replies.ts and the per-family reply files) build on them, so a
// shape is read one way everywhere. Most helpers return undefined for "not this shape" and leave it to the caller to
// say what it expected (`mismatch`).

/** A decoder's failure for a reply that is not `expected`. */
export const mismatch = (expected: string) => (raw: RespValue) => new ReplyMismatch(expected, raw)

/** A bulk or simple string as text (bytes are read as UTF-8); undefined for anything else. */
export const toText = (raw: RespValue): string | undefined =>
  typeof raw === "string" ? raw : raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8") : undefined

/** An integer reply (or its text form under RESP2) as a number; undefined for anything else. */
export const toInteger = (raw: RespValue): number | undefined => {
  if (typeof raw === "number") return Number.isInteger(raw) ? raw : undefined
  if (typeof raw === "bigint") return Number(raw)
  if (typeof raw === "string" && raw.length > 0 && raw.length < 22) {
    const n = Number(raw)
    return Number.isInteger(n) ? n : undefined
  }
  return undefined
}

/** A RESP3 double or a RESP2 bulk string (`inf`, `-inf`, `nan` included) as a number. */
export const toFloat = (raw: RespValue): number | undefined => {
  if (typeof raw === "number") return raw
  if (typeof raw === "bigint") return Number(raw)
  const text = toText(raw)
  if (text === undefined) return undefined
  switch (text.toLowerCase()) {
    case "inf":
    case "+inf":
      return Infinity
    case "-inf":
      return -Infinity
    case "nan":
      return NaN
  }
  const n = Number(text)
  return text.length > 0 && !Number.isNaN(n) ? n : undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Lists

/** An array or RESP3 set as an array; undefined for anything else. */
export const asList = (raw: RespValue): ReadonlyArray<RespValue> | undefined =>
  Array.isArray(raw) ? raw : raw instanceof Set ? Array.from(raw) : undefined

/** An array (a reply the server never sends as a RESP3 set); undefined for anything else, absent included. */
export const asArray = (raw: RespValue | undefined): ReadonlyArray<RespValue> | undefined =>
  Array.isArray(raw) ? raw : undefined

/**
 * Pairs as a flat list of texts: RESP2 sends `[a, b, c, d]`, RESP3 `[[a, b], [c, d]]` (both accepted).
 */
export const pairsOf = (raw: RespValue): Array<string> | undefined => {
  if (!Array.isArray(raw)) return undefined
  const flat: Array<string> = []
  for (const item of raw) {
    if (Array.isArray(item)) {
      if (item.length !== 2) return undefined
      const a = toText(item[0]!), b = toText(item[1]!)
      if (a === undefined || b === undefined) return undefined
      flat.push(a, b)
    } else {
      const text = toText(item)
      if (text === undefined) return undefined
      flat.push(text)
    }
  }
  return flat.length % 2 === 0 ? flat : undefined
}

/** Every item of `list` decoded by `item`, in order; undefined when `list` is undefined or any item does not decode. */
export const decodeEach = <A>(
  list: ReadonlyArray<RespValue> | undefined,
  item: (raw: RespValue) => A | undefined
): Array<A> | undefined => {
  if (list === undefined) return undefined
  const out = new Array<A>(list.length)
  for (let i = 0; i < list.length; i++) {
    const value = item(list[i]!)
    if (value === undefined) return undefined
    out[i] = value
  }
  return out
}

/** A list (array or RESP3 set) of texts; undefined when absent, not a list, or when an item is not text. */
export const textList = (raw: RespValue | undefined): Array<string> | undefined =>
  raw === undefined ? undefined : decodeEach(asList(raw), toText)

/**
 * Decodes every item of a list (array or RESP3 set) with `decode`; a list of another shape is a mismatch for
 * `expected`, and the mismatch of any item is the mismatch of the whole reply.
 */
export const listOf = <A>(raw: RespValue, expected: string, decode: (item: RespValue) => A | ReplyMismatch): ReadonlyArray<A> | ReplyMismatch => {
  const list = asList(raw)
  if (list === undefined) return mismatch(expected)(raw)
  const out = new Array<A>(list.length)
  for (let i = 0; i < list.length; i++) {
    const item = decode(list[i]!)
    if (item instanceof ReplyMismatch) return item
    out[i] = item
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Nil: values a server may leave out

/**
 * `decode` for a value the server may leave out: nil (or an absent map field) is none, a value `decode` accepts is
 * some; undefined when the value is present but `decode` refuses it (so a malformed reply is not taken for nil).
 */
export const nilAsNone = <A>(decode: (raw: RespValue) => A | undefined) => (raw: RespValue | undefined): Option.Option<A> | undefined => {
  if (raw === undefined || raw === null) return Option.none()
  const value = decode(raw)
  return value === undefined ? undefined : Option.some(value)
}

/** A text or nil: see {@link nilAsNone}. */
export const optionalText = nilAsNone(toText)

/** An integer or nil: see {@link nilAsNone}. */
export const optionalInteger = nilAsNone(toInteger)

/**
 * The reply of a pop from the first non-empty of several keys (BLPOP, LMPOP, ZMPOP, BZMPOP...): `[key, popped]`, or
 * nil when nothing was popped (every key empty, or the timeout passed). None for nil, the key with `popped` decoded
 * by `decode` otherwise; undefined for another shape.
 */
export const keyedPop = <A>(
  raw: RespValue,
  decode: (raw: RespValue) => A | undefined
): Option.Option<readonly [key: string, popped: A]> | undefined => {
  if (raw === null) return Option.none()
  if (!Array.isArray(raw) || raw.length !== 2) return undefined
  const key = toText(raw[0]!), popped = decode(raw[1]!)
  return key === undefined || popped === undefined ? undefined : Option.some([key, popped] as const)
}

// ---------------------------------------------------------------------------------------------------------------
// Maps: the structured replies (XINFO, CLUSTER SHARDS, FUNCTION LIST, ACL GETUSER...) are RESP3 maps, and RESP2 sends
// the same content as a flat `[name, value, name, value...]` array.

/** A record without prototype, so keys coming from the server (`__proto__`...) stay data. */
export const emptyRecord = <A>(): Record<string, A> => Object.create(null)

/** The entries of a RESP3 map or of a RESP2 flat `[k, v, k, v...]` array, keys and values raw; undefined otherwise. */
export const entriesOf = (raw: RespValue): Array<readonly [RespValue, RespValue]> | undefined => {
  if (raw instanceof Map) return Array.from(raw as ReadonlyMap<RespValue, RespValue>)
  if (!Array.isArray(raw) || raw.length % 2 !== 0) return undefined
  const out: Array<readonly [RespValue, RespValue]> = []
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!])
  return out
}

/**
 * The fields of a RESP3 map or of a RESP2 flat `[name, value, ...]` array by name (a repeated name keeps its last
 * value); undefined for anything else, or when a name is not text.
 */
export const fieldsOf = (raw: RespValue): Map<string, RespValue> | undefined => {
  const entries = entriesOf(raw)
  if (entries === undefined) return undefined
  const out = new Map<string, RespValue>()
  for (const [k, v] of entries) {
    const name = toText(k)
    if (name === undefined) return undefined
    out.set(name, v)
  }
  return out
}

/** The named field as an integer (undefined when absent or not an integer). */
export const intField = (fields: ReadonlyMap<string, RespValue>, name: string): number | undefined => {
  const value = fields.get(name)
  return value === undefined ? undefined : toInteger(value)
}

/** The named field as a number, RESP2 text or RESP3 double (undefined when absent or not a number). */
export const numberField = (fields: ReadonlyMap<string, RespValue>, name: string): number | undefined => {
  const value = fields.get(name)
  return value === undefined ? undefined : toFloat(value)
}

/** The named field as text (undefined when absent or not text). */
export const textField = (fields: ReadonlyMap<string, RespValue>, name: string): string | undefined => {
  const value = fields.get(name)
  return value === undefined ? undefined : toText(value)
}

/**
 * An optional text field: absent (a server that does not report it) or nil is none; undefined when present with
 * another type.
 */
export const optionalTextField = (fields: ReadonlyMap<string, RespValue>, name: string): Option.Option<string> | undefined =>
  optionalText(fields.get(name))

/**
 * An optional integer field: absent (a server that does not report it) or nil is none; undefined when present with
 * another type.
 */
export const optionalIntField = (fields: ReadonlyMap<string, RespValue>, name: string): Option.Option<number> | undefined =>
  optionalInteger(fields.get(name))
