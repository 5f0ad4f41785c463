import type { RespArg } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import * as Replies from "../../Replies.ts"
import { makeReply, type Reply } from "../Reply.ts"
import { asList, decodeEach, mismatch, optionalInteger, toInteger } from "../ReplyDecoding.ts"
import { keyList, type RedisKey } from "./types.ts"
import { integerAtLeast } from "./validate.ts"

const { readonly, write } = CommandFlags

/** The unit of BITCOUNT / BITPOS ranges: bytes (the default) or bits. */
export type BitRangeUnit = "BYTE" | "BIT"

/** A range of a bitmap: `start` and `end` (inclusive, negative from the end) in `unit`s. */
export interface BitRange {
  /** First byte (or bit) of the range. */
  readonly start?: number | undefined
  /** Last byte (or bit) of the range, inclusive. */
  readonly end?: number | undefined
  /** Whether `start`/`end` count bytes (default) or bits. */
  readonly unit?: BitRangeUnit | undefined
}

/** Options of BITCOUNT: `start` and `end` come together; `unit` needs both. */
export type BitCountOptions = BitRange

/** Options of BITPOS: `end` needs `start`; `unit` needs `end`. */
export type BitPosOptions = BitRange

/** A BITFIELD field type: `i1`..`i64` (signed) or `u1`..`u63` (unsigned). */
export type BitfieldType = `i${number}` | `u${number}`

/** A BITFIELD offset: a bit offset, or `"#N"` for the N-th field of the operation's type width. */
export type BitfieldOffset = number | `#${number}`

/** BITFIELD OVERFLOW behaviour for the SET/INCRBY operations after it. */
export type BitfieldOverflow = "WRAP" | "SAT" | "FAIL"

/** BITFIELD GET type offset: reads a field. */
export interface BitfieldGet {
  readonly get: { readonly type: BitfieldType; readonly offset: BitfieldOffset }
}

/** BITFIELD SET type offset value: writes a field; its reply is the previous value. */
export interface BitfieldSet {
  readonly set: { readonly type: BitfieldType; readonly offset: BitfieldOffset; readonly value: number | bigint }
}

/** BITFIELD INCRBY type offset increment: adds to a field; its reply is the new value. */
export interface BitfieldIncrby {
  readonly incrby: { readonly type: BitfieldType; readonly offset: BitfieldOffset; readonly increment: number | bigint }
}

/** BITFIELD OVERFLOW WRAP|SAT|FAIL: how later SET/INCRBY operations handle overflow (no reply of its own). */
export interface BitfieldOverflowOperation {
  readonly overflow: BitfieldOverflow
}

/** One BITFIELD operation. */
export type BitfieldOperation = BitfieldGet | BitfieldSet | BitfieldIncrby | BitfieldOverflowOperation

/** BITOP operations. */
export type BitOperation = "AND" | "OR" | "XOR" | "NOT"

// i1..i64 and u1..u63, as the server accepts them.
const fieldType = /^(?:i(?:[1-9]|[1-5][0-9]|6[0-4])|u(?:[1-9]|[1-5][0-9]|6[0-3]))$/
const fieldOffset = /^#[0-9]+$/

const anyInteger = (name: string, value: number | undefined): InvalidOptions | undefined =>
  value === undefined ? undefined : integerAtLeast(name, value, Number.MIN_SAFE_INTEGER)

const checkBit = (name: string, bit: number): InvalidOptions | undefined =>
  bit === 0 || bit === 1 ? undefined : new InvalidOptions(`${name} must be 0 or 1, got ${String(bit)}`)

const checkUnit = (unit: string | undefined): InvalidOptions | undefined =>
  unit === undefined || unit === "BYTE" || unit === "BIT" ? undefined : new InvalidOptions(`unit must be BYTE or BIT, got ${String(unit)}`)

/** Appends `start [end [unit]]`, each part requiring the previous one. */
const pushRange = (out: Array<RespArg>, range: BitRange): InvalidOptions | undefined => {
  const problem = anyInteger("start", range.start) ?? anyInteger("end", range.end) ?? checkUnit(range.unit)
  if (problem !== undefined) return problem
  if (range.end !== undefined && range.start === undefined) return new InvalidOptions("end requires start")
  if (range.unit !== undefined && range.end === undefined) return new InvalidOptions("unit requires start and end")
  if (range.start !== undefined) out.push(range.start)
  if (range.end !== undefined) out.push(range.end)
  if (range.unit !== undefined) out.push(range.unit)
  return undefined
}

const checkField = (type: unknown, offset: unknown): InvalidOptions | undefined => {
  if (typeof type !== "string" || !fieldType.test(type)) {
    return new InvalidOptions(`bitfield type must be i1..i64 or u1..u63, got ${String(type)}`)
  }
  if (typeof offset === "number" ? Number.isSafeInteger(offset) && offset >= 0 : typeof offset === "string" && fieldOffset.test(offset)) {
    return undefined
  }
  return new InvalidOptions(`bitfield offset must be an integer >= 0 or "#N", got ${String(offset)}`)
}

const checkInteger = (name: string, value: unknown): InvalidOptions | undefined =>
  typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))
    ? undefined
    : new InvalidOptions(`bitfield ${name} must be an integer, got ${String(value)}`)

/** Appends one BITFIELD operation to `out`. */
const pushBitfieldOperation = (out: Array<RespArg>, op: BitfieldOperation, readOnly: boolean): InvalidOptions | undefined => {
  const present = ["get", "set", "incrby", "overflow"].filter((name) => (op as unknown as Record<string, unknown>)[name] !== undefined)
  if (present.length !== 1) return new InvalidOptions("each bitfield operation needs exactly one of get, set, incrby, overflow")
  if (readOnly && present[0] !== "get") return new InvalidOptions("BITFIELD_RO only supports get operations")
  if ("get" in op && op.get !== undefined) {
    const { offset, type } = op.get
    const problem = checkField(type, offset)
    if (problem !== undefined) return problem
    out.push("GET", type, offset)
  } else if ("set" in op && op.set !== undefined) {
    const { offset, type, value } = op.set
    const problem = checkField(type, offset) ?? checkInteger("value", value)
    if (problem !== undefined) return problem
    out.push("SET", type, offset, value)
  } else if ("incrby" in op && op.incrby !== undefined) {
    const { increment, offset, type } = op.incrby
    const problem = checkField(type, offset) ?? checkInteger("increment", increment)
    if (problem !== undefined) return problem
    out.push("INCRBY", type, offset, increment)
  } else {
    const overflow = (op as BitfieldOverflowOperation).overflow
    if (overflow !== "WRAP" && overflow !== "SAT" && overflow !== "FAIL") {
      return new InvalidOptions(`bitfield overflow must be WRAP, SAT or FAIL, got ${String(overflow)}`)
    }
    out.push("OVERFLOW", overflow)
  }
  return undefined
}

const bitfieldLine = (
  name: string,
  key: RedisKey,
  operations: ReadonlyArray<BitfieldOperation>,
  readOnly: boolean
): ReadonlyArray<RespArg> | InvalidOptions => {
  const out: Array<RespArg> = [name, key]
  for (const op of operations) {
    const problem = pushBitfieldOperation(out, op, readOnly)
    if (problem !== undefined) return problem
  }
  return out
}

/** BITFIELD's reply: one integer per GET/SET/INCRBY, nil where OVERFLOW FAIL prevented a change. */
const optionalIntegers: Reply<ReadonlyArray<Option.Option<number>>> = makeReply(
  Schema.Array(Schema.Option(Schema.Number)),
  (raw) => decodeEach(asList(raw), optionalInteger) ?? mismatch("an array of integers or nils")(raw)
)

/** BITFIELD_RO's reply: one integer per GET. */
const integers: Reply<ReadonlyArray<number>> = makeReply(
  Schema.Array(Schema.Number),
  (raw) => decodeEach(asList(raw), toInteger) ?? mismatch("an array of integers")(raw)
)

/**
 * BITCOUNT key [start end [BYTE|BIT]]: the number of set bits, in the whole string or in the range (0 when the
 * key is missing). `start` and `end` must come together.
 */
export const bitcount = defineCommand({
  name: "BITCOUNT", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey, options: BitCountOptions = {}) => {
    const out: Array<RespArg> = ["BITCOUNT", key]
    if ((options.start === undefined) !== (options.end === undefined)) {
      return new InvalidOptions("BITCOUNT needs both start and end, or neither")
    }
    return pushRange(out, options) ?? out
  }
})

/**
 * BITFIELD key [GET|SET|INCRBY|OVERFLOW ...]: runs the operations in order; one value per GET/SET/INCRBY (SET
 * gives the previous value, INCRBY the new one), `Option.none()` where OVERFLOW FAIL refused a change. Fields
 * wider than 53 bits lose precision beyond `Number.MAX_SAFE_INTEGER`.
 *
 * ```ts
 * Redis.bitfield("k", [{ overflow: "SAT" }, { incrby: { type: "u8", offset: "#0", increment: 10 } }, { get: { type: "i4", offset: 8 } }])
 * ```
 */
export const bitfield = defineCommand({
  name: "BITFIELD", flags: write, reply: optionalIntegers,
  args: (key: RedisKey, operations: ReadonlyArray<BitfieldOperation>) => bitfieldLine("BITFIELD", key, operations, false)
})

/** BITFIELD_RO key [GET type offset ...]: the read-only form (GET operations only); one integer per GET. */
export const bitfieldRo = defineCommand({
  name: "BITFIELD_RO", flags: readonly, reply: integers,
  args: (key: RedisKey, operations: ReadonlyArray<BitfieldGet>) => bitfieldLine("BITFIELD_RO", key, operations, true)
})

/**
 * BITOP AND|OR|XOR|NOT destkey key [key ...] (one key or an array; NOT takes exactly one): stores the bitwise
 * result; the length of the destination string in bytes.
 */
export const bitop = defineCommand({
  name: "BITOP", flags: write, keys: { first: 2, last: -1, step: 1 }, reply: Replies.integer,
  args: (operation: BitOperation, destination: RedisKey, keys: RedisKey | ReadonlyArray<RedisKey>) => {
    if (operation !== "AND" && operation !== "OR" && operation !== "XOR" && operation !== "NOT") {
      return new InvalidOptions(`BITOP operation must be AND, OR, XOR or NOT, got ${String(operation)}`)
    }
    const line = keyList("BITOP", keys)
    if (line instanceof InvalidOptions) return line
    if (operation === "NOT" && line.length !== 2) return new InvalidOptions("BITOP NOT takes exactly one source key")
    line.splice(1, 0, operation, destination)
    return line
  }
})

/**
 * BITPOS key bit [start [end [BYTE|BIT]]]: the position of the first bit set to `bit` in the string or range;
 * -1 when none (with BITPOS 0 and no `end`, the first clear bit past the string's end).
 */
export const bitpos = defineCommand({
  name: "BITPOS", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey, bit: 0 | 1, options: BitPosOptions = {}) => {
    const out: Array<RespArg> = ["BITPOS", key, bit]
    return checkBit("bit", bit) ?? pushRange(out, options) ?? out
  }
})

/** GETBIT key offset: the bit at `offset` (0 or 1; 0 past the end or when the key is missing). */
export const getbit = defineCommand({
  name: "GETBIT", flags: readonly, reply: Replies.integer,
  args: (key: RedisKey, offset: number) => integerAtLeast("offset", offset, 0) ?? ["GETBIT", key, offset]
})

/** SETBIT key offset 0|1: sets or clears the bit at `offset`; the bit's previous value (0 or 1). */
export const setbit = defineCommand({
  name: "SETBIT", flags: write, reply: Replies.integer,
  args: (key: RedisKey, offset: number, value: 0 | 1) =>
    integerAtLeast("offset", offset, 0) ?? checkBit("value", value) ?? ["SETBIT", key, offset, value]
})
