/**
 * Hash-field expiry (Redis 7.4+; not in Valkey 8.1): HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL,
 * HEXPIRETIME, HPEXPIRETIME and HPERSIST. Each takes some fields of one hash and answers one code per field, in the
 * fields' order; the builders decode the codes to words (`"set"`, `"noField"`...) so a program never compares
 * against -2. A server without these commands fails them with `UnknownCommandError`.
 *
 * @module
 */
import type { RespArg, RespValue } from "@effect-redis/resp"
import { Schema } from "effect"
import { defineCommand, type InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { makeReply, type Reply, ReplyMismatch } from "../Reply.ts"
import { listOf, mismatch, toInteger } from "../ReplyDecoding.ts"
import { type ExpireCondition, pushExpireCondition } from "./expiration.ts"
import { pushFields, type RedisKey } from "./types.ts"
import { integerAtLeast } from "./validate.ts"

const { readonly, write } = CommandFlags

/**
 * What HEXPIRE and its siblings did to one field: `set` (the expiry was set), `deleted` (the time was 0 or already
 * past, so the field was deleted), `conditionNotMet` (NX/XX/GT/LT prevented it), `noField` (no such field, or no
 * such key).
 */
export type HashFieldExpireResult = "set" | "deleted" | "conditionNotMet" | "noField"

/**
 * A field's expiry as HTTL, HPTTL, HEXPIRETIME and HPEXPIRETIME give it: a number (remaining seconds or
 * milliseconds, or the Unix time in seconds or milliseconds, per command), `noExpiry` when the field has none, or
 * `noField` when there is no such field (or key).
 */
export type HashFieldTime = number | "noExpiry" | "noField"

/** What HPERSIST did to one field: `persisted` (its expiry was removed), `noExpiry` (it had none), `noField`. */
export type HashFieldPersistResult = "persisted" | "noExpiry" | "noField"

/** A per-field reply: an array of integer codes, each turned into a word by `word` (undefined = unknown code). */
const perField = <S extends Schema.Top>(schema: S, expected: string, word: (code: number) => S["Type"] | undefined): Reply<ReadonlyArray<S["Type"]>> => {
  const item = (raw: RespValue): S["Type"] | ReplyMismatch => {
    const code = toInteger(raw)
    const out = code === undefined ? undefined : word(code)
    return out === undefined ? mismatch(expected)(raw) : out
  }
  return makeReply(Schema.Array(schema), (raw) => listOf(raw, `an array of ${expected}`, item))
}

const expireResults = perField(
  Schema.Literals(["set", "deleted", "conditionNotMet", "noField"]),
  "HEXPIRE codes (-2, 0, 1, 2)",
  (code) => code === 1 ? "set" : code === 2 ? "deleted" : code === 0 ? "conditionNotMet" : code === -2 ? "noField" : undefined
)

const fieldTimes = perField(
  Schema.Union([Schema.Number, Schema.Literals(["noExpiry", "noField"])]),
  "field expiries (-2, -1 or >= 0)",
  (code) => code >= 0 ? code : code === -1 ? "noExpiry" : code === -2 ? "noField" : undefined
)

const persistResults = perField(
  Schema.Literals(["persisted", "noExpiry", "noField"]),
  "HPERSIST codes (-2, -1, 1)",
  (code) => code === 1 ? "persisted" : code === -1 ? "noExpiry" : code === -2 ? "noField" : undefined
)

/** The line of one of the four HEXPIRE commands: `name key time [NX|XX|GT|LT] FIELDS n field...`. */
const expireLine = (
  name: string,
  unit: string,
  key: RedisKey,
  time: number,
  fields: RedisKey | ReadonlyArray<RedisKey>,
  condition: ExpireCondition | undefined
): ReadonlyArray<RespArg> | InvalidOptions => {
  // The server refuses negative times; 0 (or a past time) deletes the fields.
  const bad = integerAtLeast(unit, time, 0)
  if (bad !== undefined) return bad
  const out: Array<RespArg> = [name, key, time]
  return pushExpireCondition(out, condition) ?? pushFields(out, fields) ?? out
}

/**
 * HEXPIRE key seconds [NX|XX|GT|LT] FIELDS n field...: sets the fields' expiry to `seconds` from now (0 deletes
 * them); what happened to each field, in order.
 */
export const hexpire = defineCommand({
  name: "HEXPIRE", flags: write, reply: expireResults,
  args: (key: RedisKey, seconds: number, fields: RedisKey | ReadonlyArray<RedisKey>, condition?: ExpireCondition) =>
    expireLine("HEXPIRE", "seconds", key, seconds, fields, condition)
})

/** HPEXPIRE key milliseconds [NX|XX|GT|LT] FIELDS n field...: like {@link hexpire} in milliseconds. */
export const hpexpire = defineCommand({
  name: "HPEXPIRE", flags: write, reply: expireResults,
  args: (key: RedisKey, milliseconds: number, fields: RedisKey | ReadonlyArray<RedisKey>, condition?: ExpireCondition) =>
    expireLine("HPEXPIRE", "milliseconds", key, milliseconds, fields, condition)
})

/** HEXPIREAT key unix-seconds [NX|XX|GT|LT] FIELDS n field...: the fields expire at that Unix time (past: deleted). */
export const hexpireat = defineCommand({
  name: "HEXPIREAT", flags: write, reply: expireResults,
  args: (key: RedisKey, unixSeconds: number, fields: RedisKey | ReadonlyArray<RedisKey>, condition?: ExpireCondition) =>
    expireLine("HEXPIREAT", "unixSeconds", key, unixSeconds, fields, condition)
})

/** HPEXPIREAT key unix-ms [NX|XX|GT|LT] FIELDS n field...: like {@link hexpireat} in Unix milliseconds. */
export const hpexpireat = defineCommand({
  name: "HPEXPIREAT", flags: write, reply: expireResults,
  args: (key: RedisKey, unixMilliseconds: number, fields: RedisKey | ReadonlyArray<RedisKey>, condition?: ExpireCondition) =>
    expireLine("HPEXPIREAT", "unixMilliseconds", key, unixMilliseconds, fields, condition)
})

/** The line of a read of the fields' expiry: `name key FIELDS n field...`. */
const fieldsLine = (name: string, key: RedisKey, fields: RedisKey | ReadonlyArray<RedisKey>): ReadonlyArray<RespArg> | InvalidOptions => {
  const out: Array<RespArg> = [name, key]
  return pushFields(out, fields) ?? out
}

/** HTTL key FIELDS n field...: each field's remaining time to live in seconds, `noExpiry` or `noField`. */
export const httl = defineCommand({
  name: "HTTL", flags: readonly, reply: fieldTimes,
  args: (key: RedisKey, fields: RedisKey | ReadonlyArray<RedisKey>) => fieldsLine("HTTL", key, fields)
})

/** HPTTL key FIELDS n field...: each field's remaining time to live in milliseconds, `noExpiry` or `noField`. */
export const hpttl = defineCommand({
  name: "HPTTL", flags: readonly, reply: fieldTimes,
  args: (key: RedisKey, fields: RedisKey | ReadonlyArray<RedisKey>) => fieldsLine("HPTTL", key, fields)
})

/** HEXPIRETIME key FIELDS n field...: each field's expiry as Unix seconds, `noExpiry` or `noField`. */
export const hexpiretime = defineCommand({
  name: "HEXPIRETIME", flags: readonly, reply: fieldTimes,
  args: (key: RedisKey, fields: RedisKey | ReadonlyArray<RedisKey>) => fieldsLine("HEXPIRETIME", key, fields)
})

/** HPEXPIRETIME key FIELDS n field...: each field's expiry as Unix milliseconds, `noExpiry` or `noField`. */
export const hpexpiretime = defineCommand({
  name: "HPEXPIRETIME", flags: readonly, reply: fieldTimes,
  args: (key: RedisKey, fields: RedisKey | ReadonlyArray<RedisKey>) => fieldsLine("HPEXPIRETIME", key, fields)
})

/** HPERSIST key FIELDS n field...: removes the fields' expiry; what happened to each field, in order. */
export const hpersist = defineCommand({
  name: "HPERSIST", flags: write, reply: persistResults,
  args: (key: RedisKey, fields: RedisKey | ReadonlyArray<RedisKey>) => fieldsLine("HPERSIST", key, fields)
})
