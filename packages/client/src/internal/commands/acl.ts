import type { RespArg, RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { makeReply, type Reply, ReplyMismatch } from "../Reply.ts"
import * as Replies from "../../Replies.ts"
import {
  fieldsOf,
  intField,
  listOf,
  mismatch,
  numberField,
  optionalIntField,
  textField,
  textList,
  toText
} from "../ReplyDecoding.ts"
import { type ClientInfo, ClientInfoSchema, parseClientInfo } from "./clientInfoReplies.ts"
import { integerAtLeast } from "./validate.ts"

const { admin, replaySafe } = CommandFlags

// ---------------------------------------------------------------------------------------------------------------
// Replies

/** The permissions of one ACL selector (`(~x* +set)`): the same rules as a user's root permissions. */
export interface AclSelector {
  /** The command rules, e.g. `-@all +get`. */
  readonly commands: string
  /** The key patterns, e.g. `~k* %R~r*` (empty when none). */
  readonly keys: string
  /** The channel patterns, e.g. `&ch*` (empty when none). */
  readonly channels: string
}

/** An ACL user as ACL GETUSER describes it. */
export interface AclUser {
  /** `on`/`off`, `nopass`, `skip-sanitize-payload`... */
  readonly flags: ReadonlyArray<string>
  /** SHA-256 hashes of the user's passwords (hex). */
  readonly passwords: ReadonlyArray<string>
  /** The root command rules, e.g. `-@all +get`. */
  readonly commands: string
  /** The root key patterns, e.g. `~k*` (empty when none). */
  readonly keys: string
  /** The root channel patterns, e.g. `&ch*` (empty when none). */
  readonly channels: string
  /** Additional permission sets; a command is allowed when the root or any selector allows it. */
  readonly selectors: ReadonlyArray<AclSelector>
}

const AclSelectorSchema = Schema.Struct({ commands: Schema.String, keys: Schema.String, channels: Schema.String })

const AclUserSchema = Schema.Struct({
  flags: Schema.Array(Schema.String),
  passwords: Schema.Array(Schema.String),
  commands: Schema.String,
  keys: Schema.String,
  channels: Schema.String,
  selectors: Schema.Array(AclSelectorSchema)
})

/** A rules field: text (Redis 7), or a list of patterns (Redis 6 sent keys and channels as arrays). */
const rulesField = (fields: Map<string, RespValue>, name: string): string | undefined => {
  const value = fields.get(name)
  if (value === undefined) return undefined
  const text = toText(value)
  if (text !== undefined) return text
  return textList(value)?.join(" ")
}

const decodeSelector = (raw: RespValue): AclSelector | ReplyMismatch => {
  const fields = fieldsOf(raw)
  const commands = fields && rulesField(fields, "commands")
  const keys = fields && rulesField(fields, "keys")
  const channels = fields && rulesField(fields, "channels")
  return commands === undefined || keys === undefined || channels === undefined
    ? mismatch("an ACL selector")(raw)
    : { commands, keys, channels }
}

const aclUserReply: Reply<Option.Option<AclUser>> = makeReply(Schema.Option(AclUserSchema), (raw) => {
  if (raw === null) return Option.none()
  const bad = mismatch("an ACL GETUSER reply")
  const fields = fieldsOf(raw)
  if (fields === undefined) return bad(raw)
  const flags = textList(fields.get("flags"))
  const passwords = textList(fields.get("passwords"))
  const commands = rulesField(fields, "commands")
  const keys = rulesField(fields, "keys")
  const channels = rulesField(fields, "channels")
  const rawSelectors = fields.get("selectors")
  const selectors = rawSelectors === undefined ? [] : listOf(rawSelectors, "ACL selectors", decodeSelector)
  if (selectors instanceof ReplyMismatch) return selectors
  if (flags === undefined || passwords === undefined || commands === undefined || keys === undefined || channels === undefined) {
    return bad(raw)
  }
  return Option.some({ flags, passwords, commands, keys, channels, selectors })
})

/** One entry of ACL LOG: a denied command or failed authentication, counted while it repeats. */
export interface AclLogEntry {
  /** How many times this same event happened (within 60 seconds of the previous one). */
  readonly count: number
  /** `command`, `key`, `channel` or `auth`. */
  readonly reason: string
  /** `toplevel`, `multi`, `lua` or `module`. */
  readonly context: string
  /** The denied command, key or channel (`AUTH` for failed authentications). */
  readonly object: string
  readonly username: string
  /** Seconds since the entry was last updated. */
  readonly ageSeconds: number
  /** The client that caused it, as CLIENT LIST describes it. */
  readonly clientInfo: ClientInfo
  /** `entry-id` (Redis 7.2+). */
  readonly entryId: Option.Option<number>
  /** `timestamp-created`, Unix milliseconds (Redis 7.2+). */
  readonly timestampCreated: Option.Option<number>
  /** `timestamp-last-updated`, Unix milliseconds (Redis 7.2+). */
  readonly timestampLastUpdated: Option.Option<number>
}

const AclLogEntrySchema = Schema.Struct({
  count: Schema.Number,
  reason: Schema.String,
  context: Schema.String,
  object: Schema.String,
  username: Schema.String,
  ageSeconds: Schema.Number,
  clientInfo: ClientInfoSchema,
  entryId: Schema.Option(Schema.Number),
  timestampCreated: Schema.Option(Schema.Number),
  timestampLastUpdated: Schema.Option(Schema.Number)
})

const decodeLogEntry = (raw: RespValue): AclLogEntry | ReplyMismatch => {
  const fields = fieldsOf(raw)
  if (fields === undefined) return mismatch("an ACL LOG entry")(raw)
  const count = intField(fields, "count")
  const reason = textField(fields, "reason")
  const context = textField(fields, "context")
  const object = textField(fields, "object")
  const username = textField(fields, "username")
  const ageSeconds = numberField(fields, "age-seconds")
  const clientText = textField(fields, "client-info")
  const clientInfo = clientText === undefined ? undefined : parseClientInfo(clientText)
  const entryId = optionalIntField(fields, "entry-id")
  const timestampCreated = optionalIntField(fields, "timestamp-created")
  const timestampLastUpdated = optionalIntField(fields, "timestamp-last-updated")
  if (
    count === undefined || reason === undefined || context === undefined || object === undefined || username === undefined ||
    ageSeconds === undefined || clientInfo === undefined || entryId === undefined || timestampCreated === undefined ||
    timestampLastUpdated === undefined
  ) return mismatch("an ACL LOG entry")(raw)
  return { count, reason, context, object, username, ageSeconds, clientInfo, entryId, timestampCreated, timestampLastUpdated }
}

const aclLogReply: Reply<ReadonlyArray<AclLogEntry>> = makeReply(
  Schema.Array(AclLogEntrySchema),
  (raw) => listOf(raw, "ACL LOG entries", decodeLogEntry)
)

/** ACL DRYRUN: OK when allowed (none), the denial's explanation otherwise. */
const dryrunReply: Reply<Option.Option<string>> = makeReply(Schema.Option(Schema.String), (raw) => {
  const text = toText(raw)
  if (text === undefined) return mismatch("OK or a reason")(raw)
  return text === "OK" ? Option.none() : Option.some(text)
})

// ---------------------------------------------------------------------------------------------------------------
// Commands

/** ACL CAT [category]: the ACL categories, or the commands of one category. */
export const aclCat = defineCommand({
  name: "ACL CAT", flags: replaySafe, keys: noKeys, reply: Replies.strings,
  args: (category?: string) => (category === undefined ? ["ACL", "CAT"] : ["ACL", "CAT", category])
})

/** ACL DELUSER username [username ...] (one or an array): how many users were deleted. */
export const aclDeluser = defineCommand({
  name: "ACL DELUSER", flags: admin, keys: noKeys, reply: Replies.integer,
  args: (usernames: string | ReadonlyArray<string>) => {
    if (typeof usernames === "string") return ["ACL", "DELUSER", usernames]
    return usernames.length === 0 ? new InvalidOptions("usernames must not be empty") : ["ACL", "DELUSER", ...usernames]
  }
})

/**
 * ACL DRYRUN username command [arg ...]: whether the user may run the command, without running it:
 * `Option.none()` when allowed, the reason when denied. Fails when the user or command does not exist.
 */
export const aclDryrun = defineCommand({
  name: "ACL DRYRUN", flags: admin | replaySafe, keys: noKeys, reply: dryrunReply,
  args: (username: string, command: string, args: ReadonlyArray<RespArg> = []) => ["ACL", "DRYRUN", username, command, ...args]
})

/** Options of ACL GENPASS. */
export interface AclGenpassOptions {
  /** Bits of randomness (1 to 4096, default 256); the password has `ceil(bits / 4)` hex digits. */
  readonly bits?: number | undefined
}

/** ACL GENPASS [bits]: a random password (hex digits). */
export const aclGenpass = defineCommand({
  name: "ACL GENPASS", flags: replaySafe, keys: noKeys, reply: Replies.string,
  args: (options: AclGenpassOptions = {}) => {
    if (options.bits === undefined) return ["ACL", "GENPASS"]
    if (!Number.isSafeInteger(options.bits) || options.bits < 1 || options.bits > 4096) {
      return new InvalidOptions(`bits must be an integer from 1 to 4096, got ${String(options.bits)}`)
    }
    return ["ACL", "GENPASS", options.bits]
  }
})

/** ACL GETUSER username: the user's rules ({@link AclUser}), or `Option.none()` when there is no such user. */
export const aclGetuser = defineCommand({
  name: "ACL GETUSER", flags: admin | replaySafe, keys: noKeys, reply: aclUserReply,
  args: (username: string) => ["ACL", "GETUSER", username]
})

/** ACL LIST: every user's rules in ACL file format (`user default on nopass ~* &* +@all`). */
export const aclList = defineCommand({
  name: "ACL LIST", flags: admin | replaySafe, keys: noKeys, reply: Replies.strings,
  args: () => ["ACL", "LIST"]
})

/** ACL LOAD: reloads the users from the ACL file (fails when the server has none configured). */
export const aclLoad = defineCommand({
  name: "ACL LOAD", flags: admin, keys: noKeys, reply: Replies.ok,
  args: () => ["ACL", "LOAD"]
})

/** Options of ACL LOG. */
export interface AclLogOptions {
  /** At most this many entries (most recent first; the server's default is 10). */
  readonly count?: number | undefined
}

/** ACL LOG [count]: the recent security events ({@link AclLogEntry}), most recent first. */
export const aclLog = defineCommand({
  name: "ACL LOG", flags: admin | replaySafe, keys: noKeys, reply: aclLogReply,
  args: (options: AclLogOptions = {}) =>
    options.count === undefined ? ["ACL", "LOG"] : integerAtLeast("count", options.count, 0) ?? ["ACL", "LOG", options.count]
})

/** ACL LOG RESET: clears the security event log. */
export const aclLogReset = defineCommand({
  name: "ACL LOG", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: () => ["ACL", "LOG", "RESET"]
})

/** ACL SAVE: writes the users to the ACL file (fails when the server has none configured). */
export const aclSave = defineCommand({
  name: "ACL SAVE", flags: admin | replaySafe, keys: noKeys, reply: Replies.ok,
  args: () => ["ACL", "SAVE"]
})

/**
 * ACL SETUSER username [rule ...]: creates the user or applies the rules to it, in order (`on`, `>password`,
 * `~keys*`, `+@read`, `(~x* +set)`...). With no rules, creates a disabled user without permissions.
 */
export const aclSetuser = defineCommand({
  name: "ACL SETUSER", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (username: string, rules: ReadonlyArray<string> = []) => ["ACL", "SETUSER", username, ...rules]
})

/** ACL USERS: every user name. */
export const aclUsers = defineCommand({
  name: "ACL USERS", flags: admin | replaySafe, keys: noKeys, reply: Replies.strings,
  args: () => ["ACL", "USERS"]
})

/** ACL WHOAMI: the user the connection is authenticated as. */
export const aclWhoami = defineCommand({
  name: "ACL WHOAMI", flags: replaySafe, keys: noKeys, reply: Replies.string,
  args: () => ["ACL", "WHOAMI"]
})
