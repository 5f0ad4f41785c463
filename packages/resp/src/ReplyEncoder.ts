/**
 * Serialising reply values the way a server would, for tests and scripted in-memory transports.
 *
 * @module
 */
import { Buffer } from "node:buffer"
import { RespErrorReply, type RespValue } from "./RespValue.ts"

/** The protocol version a connection speaks: 2 (RESP2) or 3 (RESP3, after `HELLO 3`). */
export type RespProtocol = 2 | 3

/**
 * Encodes a reply value as a server speaking `protocol` would send it.
 *
 * RESP3 uses the native types. RESP2 has fewer, so some values change shape there, exactly as Redis changes
 * them: maps become flat `[k1, v1, k2, v2, ...]` arrays, sets become arrays, booleans become the integers 1/0,
 * doubles (non-integer or unsafe numbers) become bulk strings (`"1.5"`, `"inf"`, `"-inf"`, `"nan"`), null becomes
 * the null bulk string `$-1`, and big integers are sent as plain integers.
 *
 * Strings are sent as bulk strings (they decode the same as simple strings). Integers within the safe range are
 * `:` integers; in RESP3 every bigint is a `(` big number, so it decodes back to a bigint. Error replies are
 * simple errors, or RESP3 bulk errors when the message contains CR or LF (in RESP2 those become spaces).
 *
 * Not for hot paths: it builds a list of parts and concatenates them.
 */
export const encodeReply = (value: RespValue, protocol: RespProtocol): Uint8Array => {
  const parts: Array<string | Uint8Array> = []
  writeValue(parts, value, protocol)
  return join(parts)
}

/**
 * Encodes a push frame: a RESP3 `>` frame, or in RESP2 (where pub/sub messages are plain arrays) an array.
 *
 * @param values the push payload; element 0 is its kind, e.g. `["message", "channel", "payload"]`
 */
export const encodePush = (values: ReadonlyArray<RespValue>, protocol: RespProtocol = 3): Uint8Array => {
  const parts: Array<string | Uint8Array> = []
  parts.push(`${protocol === 3 ? ">" : "*"}${values.length}\r\n`)
  for (const element of values) writeValue(parts, element, protocol)
  return join(parts)
}

/**
 * Encodes a RESP3 attribute frame (`|`). A server sends it right before the reply it annotates, so concatenate
 * the reply's bytes after it.
 */
export const encodeAttribute = (attributes: ReadonlyMap<RespValue, RespValue>): Uint8Array => {
  const parts: Array<string | Uint8Array> = []
  parts.push(`|${attributes.size}\r\n`)
  for (const [key, entry] of attributes) {
    writeValue(parts, key, 3)
    writeValue(parts, entry, 3)
  }
  return join(parts)
}

const join = (parts: ReadonlyArray<string | Uint8Array>): Uint8Array =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : part)))

const writeBulk = (parts: Array<string | Uint8Array>, bytes: Uint8Array): void => {
  parts.push(`$${bytes.length}\r\n`, bytes, "\r\n")
}

const writeBulkText = (parts: Array<string | Uint8Array>, text: string): void => {
  parts.push(`$${Buffer.byteLength(text, "utf8")}\r\n${text}\r\n`)
}

/** The text Redis uses for a double: `inf`, `-inf`, `nan`, or the shortest round-tripping decimal. */
const doubleText = (value: number): string =>
  Number.isNaN(value) ? "nan" : value === Infinity ? "inf" : value === -Infinity ? "-inf" : String(value)

const writeValue = (parts: Array<string | Uint8Array>, value: RespValue, protocol: RespProtocol): void => {
  if (value === null) {
    parts.push(protocol === 3 ? "_\r\n" : "$-1\r\n")
  } else if (typeof value === "string") {
    writeBulkText(parts, value)
  } else if (typeof value === "number") {
    if (Number.isSafeInteger(value)) parts.push(`:${value === 0 ? 0 : value}\r\n`)
    else if (protocol === 3) parts.push(`,${doubleText(value)}\r\n`)
    else writeBulkText(parts, doubleText(value))
  } else if (typeof value === "bigint") {
    parts.push(`${protocol === 3 ? "(" : ":"}${value}\r\n`)
  } else if (typeof value === "boolean") {
    parts.push(protocol === 3 ? (value ? "#t\r\n" : "#f\r\n") : (value ? ":1\r\n" : ":0\r\n"))
  } else if (value instanceof Uint8Array) {
    writeBulk(parts, value)
  } else if (value instanceof RespErrorReply) {
    writeError(parts, value.message, protocol)
  } else if (value instanceof Map) {
    parts.push(`${protocol === 3 ? "%" : "*"}${protocol === 3 ? value.size : value.size * 2}\r\n`)
    for (const [key, entry] of value) {
      writeValue(parts, key, protocol)
      writeValue(parts, entry, protocol)
    }
  } else if (value instanceof Set) {
    parts.push(`${protocol === 3 ? "~" : "*"}${value.size}\r\n`)
    for (const element of value) writeValue(parts, element, protocol)
  } else {
    const elements = value as ReadonlyArray<RespValue>
    parts.push(`*${elements.length}\r\n`)
    for (const element of elements) writeValue(parts, element, protocol)
  }
}

const writeError = (parts: Array<string | Uint8Array>, message: string, protocol: RespProtocol): void => {
  const multiline = message.includes("\r") || message.includes("\n")
  if (!multiline) {
    parts.push(`-${message}\r\n`)
  } else if (protocol === 3) {
    parts.push(`!${Buffer.byteLength(message, "utf8")}\r\n${message}\r\n`)
  } else {
    parts.push(`-${message.replace(/[\r\n]/g, " ")}\r\n`)
  }
}
