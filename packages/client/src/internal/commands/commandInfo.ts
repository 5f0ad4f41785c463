import type { RespArg, RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { type Command, defineCommand, InvalidOptions, makeCommand, specOf } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { makeReply, type Reply, ReplyMismatch } from "../Reply.ts"
import * as Replies from "../../Replies.ts"
import {
  asList,
  emptyRecord,
  entriesOf,
  fieldsOf,
  intField,
  listOf,
  mismatch,
  optionalIntField,
  optionalTextField,
  textField,
  textList,
  toInteger,
  toText
} from "../ReplyDecoding.ts"

const { replaySafe } = CommandFlags

// ---------------------------------------------------------------------------------------------------------------
// COMMAND INFO

/** Where a key spec starts looking for keys (`begin_search`). */
export type KeySpecBeginSearch =
  | { readonly type: "index"; readonly index: number }
  | { readonly type: "keyword"; readonly keyword: string; readonly startFrom: number }
  | { readonly type: "unknown" }

/** How a key spec finds its keys once it began (`find_keys`). */
export type KeySpecFindKeys =
  | { readonly type: "range"; readonly lastKey: number; readonly keyStep: number; readonly limit: number }
  | { readonly type: "keynum"; readonly keyNumIndex: number; readonly firstKey: number; readonly keyStep: number }
  | { readonly type: "unknown" }

/** One key specification of a command (Redis 7). */
export interface CommandKeySpec {
  readonly notes: Option.Option<string>
  /** `RO`, `RW`, `OW`, `RM`, `access`, `update`, `insert`, `delete`, `not_key`, `incomplete`, `variable_flags`. */
  readonly flags: ReadonlyArray<string>
  readonly beginSearch: KeySpecBeginSearch
  readonly findKeys: KeySpecFindKeys
}

/** A command as COMMAND INFO describes it. */
export interface CommandInfo {
  /** Lower case; subcommands as `container|sub` (`client|list`). */
  readonly name: string
  /** Positive: exact number of arguments (name included); negative: at least that many. */
  readonly arity: number
  /** `write`, `readonly`, `denyoom`, `admin`, `noscript`, `blocking`, `movablekeys`... */
  readonly flags: ReadonlyArray<string>
  /** Legacy key positions (0 when the command has no keys). */
  readonly firstKey: number
  readonly lastKey: number
  readonly step: number
  /** `@read`, `@string`, `@fast`... */
  readonly aclCategories: ReadonlyArray<string>
  /** Request/response tips: `nondeterministic_output`, `request_policy:all_shards`... */
  readonly tips: ReadonlyArray<string>
  readonly keySpecs: ReadonlyArray<CommandKeySpec>
  /** The subcommands of a container command (`CONFIG GET`...). */
  readonly subcommands: ReadonlyArray<CommandInfo>
}

const KeySpecSchema = Schema.Struct({
  notes: Schema.Option(Schema.String),
  flags: Schema.Array(Schema.String),
  beginSearch: Schema.Union([
    Schema.Struct({ type: Schema.Literal("index"), index: Schema.Number }),
    Schema.Struct({ type: Schema.Literal("keyword"), keyword: Schema.String, startFrom: Schema.Number }),
    Schema.Struct({ type: Schema.Literal("unknown") })
  ]),
  findKeys: Schema.Union([
    Schema.Struct({ type: Schema.Literal("range"), lastKey: Schema.Number, keyStep: Schema.Number, limit: Schema.Number }),
    Schema.Struct({ type: Schema.Literal("keynum"), keyNumIndex: Schema.Number, firstKey: Schema.Number, keyStep: Schema.Number }),
    Schema.Struct({ type: Schema.Literal("unknown") })
  ])
})

/** The Schema of {@link CommandInfo}. */
export const CommandInfoSchema: Schema.Codec<CommandInfo> = Schema.Struct({
  name: Schema.String,
  arity: Schema.Number,
  flags: Schema.Array(Schema.String),
  firstKey: Schema.Number,
  lastKey: Schema.Number,
  step: Schema.Number,
  aclCategories: Schema.Array(Schema.String),
  tips: Schema.Array(Schema.String),
  keySpecs: Schema.Array(KeySpecSchema),
  subcommands: Schema.Array(Schema.suspend((): Schema.Codec<CommandInfo> => CommandInfoSchema))
})

/** `begin_search` / `find_keys` of a key spec: `{ type, spec: { ...parameters of that type } }`; undefined when not a map. */
const typedSpecOf = (raw: RespValue | undefined) => {
  const fields = raw === undefined ? undefined : fieldsOf(raw)
  if (fields === undefined) return undefined
  const spec = fields.get("spec")
  return { type: textField(fields, "type"), spec: spec === undefined ? undefined : fieldsOf(spec) }
}

const decodeBeginSearch = (raw: RespValue | undefined): KeySpecBeginSearch | undefined => {
  const typed = typedSpecOf(raw)
  if (typed === undefined) return undefined
  const { type, spec } = typed
  if (type === "index") {
    const index = spec && intField(spec, "index")
    return index === undefined ? undefined : { type, index }
  }
  if (type === "keyword") {
    const keyword = spec && textField(spec, "keyword")
    const startFrom = spec && intField(spec, "startfrom")
    return keyword === undefined || startFrom === undefined ? undefined : { type, keyword, startFrom }
  }
  return type === undefined ? undefined : { type: "unknown" }
}

const decodeFindKeys = (raw: RespValue | undefined): KeySpecFindKeys | undefined => {
  const typed = typedSpecOf(raw)
  if (typed === undefined) return undefined
  const { type, spec } = typed
  if (type === "range") {
    const lastKey = spec && intField(spec, "lastkey")
    const keyStep = spec && intField(spec, "keystep")
    const limit = spec && intField(spec, "limit")
    return lastKey === undefined || keyStep === undefined || limit === undefined ? undefined : { type, lastKey, keyStep, limit }
  }
  if (type === "keynum") {
    const keyNumIndex = spec && intField(spec, "keynumidx")
    const firstKey = spec && intField(spec, "firstkey")
    const keyStep = spec && intField(spec, "keystep")
    return keyNumIndex === undefined || firstKey === undefined || keyStep === undefined
      ? undefined
      : { type, keyNumIndex, firstKey, keyStep }
  }
  return type === undefined ? undefined : { type: "unknown" }
}

const decodeKeySpec = (raw: RespValue): CommandKeySpec | ReplyMismatch => {
  const fields = fieldsOf(raw)
  const notes = fields && optionalTextField(fields, "notes")
  const flags = fields && textList(fields.get("flags"))
  const beginSearch = fields && decodeBeginSearch(fields.get("begin_search"))
  const findKeys = fields && decodeFindKeys(fields.get("find_keys"))
  return notes === undefined || flags === undefined || beginSearch === undefined || findKeys === undefined
    ? mismatch("a key specification")(raw)
    : { notes, flags, beginSearch, findKeys }
}

/** One COMMAND INFO entry: 6 fields up to Redis 6.0, then categories (6.0), tips, key specs and subcommands (7.0). */
const decodeCommandInfo = (raw: RespValue): CommandInfo | ReplyMismatch => {
  const bad = mismatch("a COMMAND INFO entry")
  const parts = asList(raw)
  if (parts === undefined || parts.length < 6) return bad(raw)
  const name = toText(parts[0]!), arity = toInteger(parts[1]!), flags = textList(parts[2]!)
  const firstKey = toInteger(parts[3]!), lastKey = toInteger(parts[4]!), step = toInteger(parts[5]!)
  const aclCategories = parts.length > 6 ? textList(parts[6]!) : []
  const tips = parts.length > 7 ? textList(parts[7]!) : []
  if (
    name === undefined || arity === undefined || flags === undefined || firstKey === undefined || lastKey === undefined ||
    step === undefined || aclCategories === undefined || tips === undefined
  ) return bad(raw)
  const keySpecs = parts.length > 8 ? listOf(parts[8]!, "key specifications", decodeKeySpec) : []
  if (keySpecs instanceof ReplyMismatch) return keySpecs
  const subcommands = parts.length > 9 ? listOf(parts[9]!, "subcommands", decodeCommandInfo) : []
  if (subcommands instanceof ReplyMismatch) return subcommands
  return { name, arity, flags, firstKey, lastKey, step, aclCategories, tips, keySpecs, subcommands }
}

const commandInfoAllReply: Reply<ReadonlyArray<CommandInfo>> = makeReply(
  Schema.Array(CommandInfoSchema),
  (raw) => listOf(raw, "COMMAND INFO entries", decodeCommandInfo)
)

const commandInfoReply: Reply<ReadonlyArray<Option.Option<CommandInfo>>> = makeReply(
  Schema.Array(Schema.Option(CommandInfoSchema)),
  (raw) =>
    listOf(raw, "COMMAND INFO entries", (item) => {
      if (item === null) return Option.none()
      const info = decodeCommandInfo(item)
      return info instanceof ReplyMismatch ? info : Option.some(info)
    })
)

const commandInfoAllSpec = specOf({ name: "COMMAND INFO", flags: replaySafe, keys: noKeys, reply: commandInfoAllReply })
const commandInfoSpec = specOf({ name: "COMMAND INFO", flags: replaySafe, keys: noKeys, reply: commandInfoReply })

/**
 * COMMAND INFO [command ...]: how the server describes commands ({@link CommandInfo}).
 *
 * Without names: every command the server knows. With names (one or an array): one entry per name, in order,
 * `Option.none()` for names the server does not know.
 */
export function commandInfo(): Command<ReadonlyArray<CommandInfo>>
export function commandInfo(names: string | ReadonlyArray<string>): Command<ReadonlyArray<Option.Option<CommandInfo>>>
export function commandInfo(
  names?: string | ReadonlyArray<string>
): Command<ReadonlyArray<CommandInfo>> | Command<ReadonlyArray<Option.Option<CommandInfo>>> {
  if (names === undefined) return makeCommand(commandInfoAllSpec, ["COMMAND", "INFO"])
  if (typeof names === "string") return makeCommand(commandInfoSpec, ["COMMAND", "INFO", names])
  if (names.length === 0) return makeCommand(commandInfoSpec, ["COMMAND"], "names must not be empty")
  return makeCommand(commandInfoSpec, ["COMMAND", "INFO", ...names])
}

// ---------------------------------------------------------------------------------------------------------------
// COMMAND DOCS

/** One argument of a command as COMMAND DOCS describes it (blocks and one-ofs nest their own arguments). */
export interface CommandArgumentDoc {
  readonly name: string
  /** `string`, `integer`, `double`, `key`, `pattern`, `unix-time`, `pure-token`, `oneof`, `block`. */
  readonly type: string
  /** How the argument is shown in the syntax, when it differs from its name. */
  readonly displayText: Option.Option<string>
  /** For `key` arguments: the index of the command's key spec covering it. */
  readonly keySpecIndex: Option.Option<number>
  /** The literal token that precedes the argument (`EX`, `WITHSCORES`...). */
  readonly token: Option.Option<string>
  readonly summary: Option.Option<string>
  readonly since: Option.Option<string>
  readonly deprecatedSince: Option.Option<string>
  /** `optional`, `multiple`, `multiple_token`. */
  readonly flags: ReadonlyArray<string>
  readonly arguments: ReadonlyArray<CommandArgumentDoc>
}

/** One change of a command, from COMMAND DOCS' history. */
export interface CommandHistoryEntry {
  readonly version: string
  readonly description: string
}

/** A command's documentation as COMMAND DOCS gives it. */
export interface CommandDocs {
  readonly summary: Option.Option<string>
  /** The Redis version that introduced the command. */
  readonly since: Option.Option<string>
  /** `string`, `list`, `sorted-set`, `server`, `module`... */
  readonly group: string
  readonly complexity: Option.Option<string>
  /** For module commands: the module's name. */
  readonly module: Option.Option<string>
  /** `deprecated`, `syscmd`. */
  readonly docFlags: ReadonlyArray<string>
  readonly deprecatedSince: Option.Option<string>
  readonly replacedBy: Option.Option<string>
  readonly history: ReadonlyArray<CommandHistoryEntry>
  readonly arguments: ReadonlyArray<CommandArgumentDoc>
  /** The subcommands of a container command, by name (`config|get`). */
  readonly subcommands: Readonly<Record<string, CommandDocs>>
}

const CommandArgumentDocSchema: Schema.Codec<CommandArgumentDoc> = Schema.Struct({
  name: Schema.String,
  type: Schema.String,
  displayText: Schema.Option(Schema.String),
  keySpecIndex: Schema.Option(Schema.Number),
  token: Schema.Option(Schema.String),
  summary: Schema.Option(Schema.String),
  since: Schema.Option(Schema.String),
  deprecatedSince: Schema.Option(Schema.String),
  flags: Schema.Array(Schema.String),
  arguments: Schema.Array(Schema.suspend((): Schema.Codec<CommandArgumentDoc> => CommandArgumentDocSchema))
})

/** The Schema of {@link CommandDocs}. */
export const CommandDocsSchema: Schema.Codec<CommandDocs> = Schema.Struct({
  summary: Schema.Option(Schema.String),
  since: Schema.Option(Schema.String),
  group: Schema.String,
  complexity: Schema.Option(Schema.String),
  module: Schema.Option(Schema.String),
  docFlags: Schema.Array(Schema.String),
  deprecatedSince: Schema.Option(Schema.String),
  replacedBy: Schema.Option(Schema.String),
  history: Schema.Array(Schema.Struct({ version: Schema.String, description: Schema.String })),
  arguments: Schema.Array(CommandArgumentDocSchema),
  subcommands: Schema.Record(Schema.String, Schema.suspend((): Schema.Codec<CommandDocs> => CommandDocsSchema))
})

/** A list field that may be absent (then empty). */
const optionalTextList = (fields: Map<string, RespValue>, name: string): Array<string> | undefined => {
  const value = fields.get(name)
  return value === undefined ? [] : textList(value)
}

const decodeArgumentDoc = (raw: RespValue): CommandArgumentDoc | ReplyMismatch => {
  const bad = mismatch("a COMMAND DOCS argument")
  const fields = fieldsOf(raw)
  if (fields === undefined) return bad(raw)
  const name = textField(fields, "name"), type = textField(fields, "type")
  const displayText = fields.has("display_text") ? optionalTextField(fields, "display_text") : optionalTextField(fields, "value")
  const keySpecIndex = optionalIntField(fields, "key_spec_index")
  const token = optionalTextField(fields, "token"), summary = optionalTextField(fields, "summary")
  const since = optionalTextField(fields, "since"), deprecatedSince = optionalTextField(fields, "deprecated_since")
  const flags = optionalTextList(fields, "flags")
  const nested = fields.get("arguments")
  const args = nested === undefined ? [] : listOf(nested, "COMMAND DOCS arguments", decodeArgumentDoc)
  if (args instanceof ReplyMismatch) return args
  if (
    name === undefined || type === undefined || displayText === undefined || keySpecIndex === undefined || token === undefined ||
    summary === undefined || since === undefined || deprecatedSince === undefined || flags === undefined
  ) return bad(raw)
  return { name, type, displayText, keySpecIndex, token, summary, since, deprecatedSince, flags, arguments: args }
}

const decodeDocs = (raw: RespValue): CommandDocs | ReplyMismatch => {
  const bad = mismatch("a COMMAND DOCS entry")
  const fields = fieldsOf(raw)
  if (fields === undefined) return bad(raw)
  const summary = optionalTextField(fields, "summary"), since = optionalTextField(fields, "since")
  const group = textField(fields, "group") ?? "", complexity = optionalTextField(fields, "complexity")
  const module = optionalTextField(fields, "module")
  const docFlags = optionalTextList(fields, "doc_flags")
  const deprecatedSince = optionalTextField(fields, "deprecated_since"), replacedBy = optionalTextField(fields, "replaced_by")
  const rawHistory = fields.get("history")
  const history = rawHistory === undefined ? [] : listOf(rawHistory, "COMMAND DOCS history", (item) => {
    const pair = asList(item)
    const version = pair?.length === 2 ? toText(pair[0]!) : undefined
    const description = pair?.length === 2 ? toText(pair[1]!) : undefined
    return version === undefined || description === undefined ? mismatch("[version, description]")(item) : { version, description }
  })
  if (history instanceof ReplyMismatch) return history
  const rawArgs = fields.get("arguments")
  const args = rawArgs === undefined ? [] : listOf(rawArgs, "COMMAND DOCS arguments", decodeArgumentDoc)
  if (args instanceof ReplyMismatch) return args
  const rawSubs = fields.get("subcommands")
  const subcommands = rawSubs === undefined ? emptyRecord<CommandDocs>() : decodeDocsMap(rawSubs)
  if (subcommands instanceof ReplyMismatch) return subcommands
  if (
    summary === undefined || since === undefined || complexity === undefined || module === undefined || docFlags === undefined ||
    deprecatedSince === undefined || replacedBy === undefined
  ) return bad(raw)
  return { summary, since, group, complexity, module, docFlags, deprecatedSince, replacedBy, history, arguments: args, subcommands }
}

const decodeDocsMap = (raw: RespValue): Record<string, CommandDocs> | ReplyMismatch => {
  const entries = entriesOf(raw)
  if (entries === undefined) return mismatch("COMMAND DOCS entries")(raw)
  const out = emptyRecord<CommandDocs>()
  for (const [k, v] of entries) {
    const name = toText(k)
    if (name === undefined) return mismatch("COMMAND DOCS entries")(raw)
    const docs = decodeDocs(v)
    if (docs instanceof ReplyMismatch) return docs
    out[name] = docs
  }
  return out
}

const commandDocsReply: Reply<Readonly<Record<string, CommandDocs>>> = makeReply(
  Schema.Record(Schema.String, CommandDocsSchema),
  decodeDocsMap
)

/**
 * COMMAND DOCS [command ...]: the documentation of the given commands (or of all), by lower-case name
 * ({@link CommandDocs}); names the server does not know are left out.
 */
export const commandDocs = defineCommand({
  name: "COMMAND DOCS", flags: replaySafe, keys: noKeys, reply: commandDocsReply,
  args: (names: string | ReadonlyArray<string> = []) =>
    typeof names === "string" ? ["COMMAND", "DOCS", names] : ["COMMAND", "DOCS", ...names]
})

// ---------------------------------------------------------------------------------------------------------------
// COMMAND COUNT / GETKEYS / GETKEYSANDFLAGS / LIST

/** COMMAND COUNT: how many commands the server knows (subcommands not counted). */
export const commandCount = defineCommand({
  name: "COMMAND COUNT", flags: replaySafe, keys: noKeys, reply: Replies.integer,
  args: () => ["COMMAND", "COUNT"]
})

/**
 * COMMAND GETKEYS command [arg ...]: the keys of a full command line (`["SET", "k", "v"]`) as the server finds them.
 * Fails when the command has no keys.
 */
export const commandGetkeys = defineCommand({
  name: "COMMAND GETKEYS", flags: replaySafe, keys: noKeys, reply: Replies.strings,
  args: (commandLine: ReadonlyArray<RespArg>) =>
    commandLine.length === 0 ? new InvalidOptions("the command line must not be empty") : ["COMMAND", "GETKEYS", ...commandLine]
})

/** One key of COMMAND GETKEYSANDFLAGS with its access flags (`RW`, `access`, `delete`...). */
export interface KeyWithFlags {
  readonly key: string
  readonly flags: ReadonlyArray<string>
}

const keysAndFlagsReply: Reply<ReadonlyArray<KeyWithFlags>> = makeReply(
  Schema.Array(Schema.Struct({ key: Schema.String, flags: Schema.Array(Schema.String) })),
  (raw) =>
    listOf(raw, "COMMAND GETKEYSANDFLAGS entries", (item) => {
      const pair = asList(item)
      const key = pair?.length === 2 ? toText(pair[0]!) : undefined
      const flags = pair?.length === 2 ? textList(pair[1]!) : undefined
      return key === undefined || flags === undefined ? mismatch("[key, flags]")(item) : { key, flags }
    })
)

/** COMMAND GETKEYSANDFLAGS command [arg ...]: the keys of a full command line with their access flags. */
export const commandGetkeysandflags = defineCommand({
  name: "COMMAND GETKEYSANDFLAGS", flags: replaySafe, keys: noKeys, reply: keysAndFlagsReply,
  args: (commandLine: ReadonlyArray<RespArg>) =>
    commandLine.length === 0
      ? new InvalidOptions("the command line must not be empty")
      : ["COMMAND", "GETKEYSANDFLAGS", ...commandLine]
})

/** Options of COMMAND LIST. */
export interface CommandListOptions {
  /** Only the commands of a module, of an ACL category, or whose name matches a glob-style pattern. */
  readonly filterBy?:
    | { readonly module: string }
    | { readonly aclcat: string }
    | { readonly pattern: string }
    | undefined
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: command names (`client|list` for subcommands). */
export const commandList = defineCommand({
  name: "COMMAND LIST", flags: replaySafe, keys: noKeys, reply: Replies.strings,
  args: (options: CommandListOptions = {}) => {
    const filter = options.filterBy
    if (filter === undefined) return ["COMMAND", "LIST"]
    const set = (["module", "aclcat", "pattern"] as const).filter((name) => (filter as Record<string, unknown>)[name] !== undefined)
    if (set.length !== 1) return new InvalidOptions("filterBy takes exactly one of module, aclcat and pattern")
    const kind = set[0]!
    return ["COMMAND", "LIST", "FILTERBY", kind.toUpperCase(), (filter as Record<string, string>)[kind]!]
  }
})
