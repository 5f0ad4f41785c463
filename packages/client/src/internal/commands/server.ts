import type { RespArg, RespValue } from "@effect-redis/resp"
import { Option, Schema } from "effect"
import { defineCommand, InvalidOptions } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import { makeReply, type Reply, ReplyMismatch } from "../Reply.ts"
import * as Replies from "../../Replies.ts"
import {
  asList,
  emptyRecord,
  fieldsOf,
  intField,
  listOf,
  mismatch,
  textField,
  textList,
  toInteger,
  toText
} from "../ReplyDecoding.ts"
import { type Pairs, pushPairs } from "./types.ts"
import { atMostOne, integerAtLeast } from "./validate.ts"

const { readonly, write, replaySafe, admin } = CommandFlags

// ---------------------------------------------------------------------------------------------------------------
// Replies

/**
 * The reply of INFO: section name (lower case, `server`, `clients`, `keyspace`, `commandstats`...) to its fields
 * (`redis_version` to `7.0.15`...), every value as the server's text.
 */
export type InfoSections = Readonly<Record<string, Readonly<Record<string, string>>>>

const InfoSectionsSchema = Schema.Record(Schema.String, Schema.Record(Schema.String, Schema.String))

/** Parses the text of INFO: `# Section` headers, then `field:value` lines. */
const parseInfo = (text: string): InfoSections => {
  const out = emptyRecord<Record<string, string>>()
  let section: Record<string, string> | undefined
  for (const rawLine of text.split("\n")) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine
    if (line === "") continue
    if (line.startsWith("#")) {
      const name = line.slice(1).trim().toLowerCase()
      section = out[name] ??= emptyRecord<string>()
      continue
    }
    const colon = line.indexOf(":")
    if (colon < 0) continue
    section ??= out[""] ??= emptyRecord<string>()
    section[line.slice(0, colon)] = line.slice(colon + 1)
  }
  return out
}

const infoReply: Reply<InfoSections> = makeReply(InfoSectionsSchema, (raw) => {
  const text = toText(raw)
  return text === undefined ? mismatch("the text of INFO")(raw) : parseInfo(text)
})

/**
 * Which server answered INFO, read from its `server` section in a way that holds on Redis and Valkey alike.
 *
 * Valkey reports `redis_version:7.2.4` (the Redis version it stays compatible with) and its own version in
 * `valkey_version`, names itself in `server_name`, and says `server_mode` where Redis says `redis_mode`: code that
 * reads `redis_version` to detect features would take Valkey 8 for Redis 7.2.
 */
export interface ServerIdentity {
  /** `server_name` (`valkey`); `redis` when the server does not send one (Redis does not). */
  readonly name: "redis" | "valkey" | (string & {})
  /** The server's own version: `<name>_version` when the server sends it (`valkey_version`), else `redis_version`. */
  readonly version: string
  /** `redis_version`: the Redis version the server is, or says it is compatible with (`7.2.4` on Valkey 8). */
  readonly redisVersion: string
  /** `standalone`, `cluster` or `sentinel` (`redis_mode` on Redis, `server_mode` on Valkey); none when absent. */
  readonly mode: Option.Option<"standalone" | "cluster" | "sentinel" | (string & {})>
}

/**
 * The {@link ServerIdentity} in an INFO reply (`Redis.info()` or `Redis.info("server")`); none when the reply has
 * no `server` section with a `redis_version` (INFO asked for other sections only).
 */
export const serverIdentity = (sections: InfoSections): Option.Option<ServerIdentity> => {
  const server = sections["server"]
  const redisVersion = server?.["redis_version"]
  if (server === undefined || redisVersion === undefined) return Option.none()
  const name = server["server_name"] ?? "redis"
  const version = server[`${name}_version`] ?? redisVersion
  const mode = server["redis_mode"] ?? server["server_mode"]
  return Option.some({ name, version, redisVersion, mode: Option.fromUndefinedOr(mode) })
}

/** The reply of TIME: the server's clock as Unix seconds and the microseconds within that second. */
export interface ServerTime {
  readonly seconds: number
  readonly microseconds: number
}

const ServerTimeSchema = Schema.Struct({ seconds: Schema.Number, microseconds: Schema.Number })

const timeReply: Reply<ServerTime> = makeReply(ServerTimeSchema, (raw) => {
  const list = asList(raw)
  const seconds = list?.length === 2 ? toInteger(list[0]!) : undefined
  const microseconds = list?.length === 2 ? toInteger(list[1]!) : undefined
  return seconds === undefined || microseconds === undefined ? mismatch("[seconds, microseconds]")(raw) : { seconds, microseconds }
})

/** A {@link ServerTime} as a `Date` (millisecond precision). */
export const serverTimeToDate = (time: ServerTime): Date => new Date(time.seconds * 1000 + Math.floor(time.microseconds / 1000))

/** A replica as its primary's ROLE reply lists it. */
export interface RoleReplica {
  readonly host: string
  readonly port: number
  /** The last replication offset the replica acknowledged. */
  readonly offset: number
}

/**
 * The reply of ROLE: a primary (with its replicas), a replica (with its primary and link state) or a sentinel
 * (with the primaries it monitors). Redis' `slave` is reported as `replica`.
 */
export type Role =
  | {
    readonly role: "master"
    /** The primary's replication offset. */
    readonly replicationOffset: number
    readonly replicas: ReadonlyArray<RoleReplica>
  }
  | {
    readonly role: "replica"
    readonly masterHost: string
    readonly masterPort: number
    /** The link to the primary: `connect`, `connecting`, `handshake`, `sync` or `connected`. */
    readonly state: string
    /** The replication offset received so far (-1 before the first sync). */
    readonly replicationOffset: number
  }
  | {
    readonly role: "sentinel"
    /** The names of the primaries this sentinel monitors. */
    readonly masterNames: ReadonlyArray<string>
  }

const RoleSchema = Schema.Union([
  Schema.Struct({
    role: Schema.Literal("master"),
    replicationOffset: Schema.Number,
    replicas: Schema.Array(Schema.Struct({ host: Schema.String, port: Schema.Number, offset: Schema.Number }))
  }),
  Schema.Struct({
    role: Schema.Literal("replica"),
    masterHost: Schema.String,
    masterPort: Schema.Number,
    state: Schema.String,
    replicationOffset: Schema.Number
  }),
  Schema.Struct({ role: Schema.Literal("sentinel"), masterNames: Schema.Array(Schema.String) })
])

const decodeRole = (raw: RespValue): Role | ReplyMismatch => {
  const bad = mismatch("a ROLE reply")
  const list = asList(raw)
  const kind = list === undefined || list.length === 0 ? undefined : toText(list[0]!)
  if (list === undefined || kind === undefined) return bad(raw)
  if (kind === "master" && list.length === 3) {
    const replicationOffset = toInteger(list[1]!)
    const entries = asList(list[2]!)
    if (replicationOffset === undefined || entries === undefined) return bad(raw)
    const replicas: Array<RoleReplica> = []
    for (const entry of entries) {
      const parts = asList(entry)
      const host = parts?.length === 3 ? toText(parts[0]!) : undefined
      const port = parts?.length === 3 ? toInteger(parts[1]!) : undefined
      const offset = parts?.length === 3 ? toInteger(parts[2]!) : undefined
      if (host === undefined || port === undefined || offset === undefined) return bad(raw)
      replicas.push({ host, port, offset })
    }
    return { role: "master", replicationOffset, replicas }
  }
  if ((kind === "slave" || kind === "replica") && list.length === 5) {
    const masterHost = toText(list[1]!), masterPort = toInteger(list[2]!), state = toText(list[3]!)
    const replicationOffset = toInteger(list[4]!)
    if (masterHost === undefined || masterPort === undefined || state === undefined || replicationOffset === undefined) {
      return bad(raw)
    }
    return { role: "replica", masterHost, masterPort, state, replicationOffset }
  }
  if (kind === "sentinel" && list.length === 2) {
    const masterNames = textList(list[1]!)
    return masterNames === undefined ? bad(raw) : { role: "sentinel", masterNames }
  }
  return bad(raw)
}

const roleReply: Reply<Role> = makeReply(RoleSchema, decodeRole)

/** A loaded module, as MODULE LIST describes it. */
export interface ModuleInfo {
  readonly name: string
  /** The module's version number. */
  readonly version: number
  /** The file it was loaded from. */
  readonly path: string
  /** The arguments it was loaded with. */
  readonly args: ReadonlyArray<string>
}

const ModuleInfoSchema = Schema.Struct({
  name: Schema.String,
  version: Schema.Number,
  path: Schema.String,
  args: Schema.Array(Schema.String)
})

const moduleListReply: Reply<ReadonlyArray<ModuleInfo>> = makeReply(Schema.Array(ModuleInfoSchema), (raw) =>
  listOf(raw, "a MODULE LIST reply", (item) => {
    const fields = fieldsOf(item)
    const name = fields && textField(fields, "name")
    const version = fields && intField(fields, "ver")
    const path = fields && textField(fields, "path")
    const args = fields && textList(fields.get("args"))
    return name === undefined || version === undefined || path === undefined || args === undefined
      ? mismatch("a MODULE LIST entry")(item)
      : { name, version, path, args }
  }))

// ---------------------------------------------------------------------------------------------------------------
// Keyspace

/** DBSIZE: the number of keys in the selected database (on a cluster: the sum over every primary). */
export const dbsize = defineCommand({
  name: "DBSIZE", flags: readonly, keys: noKeys, reply: Replies.integer,
  args: () => ["DBSIZE"]
})

/** Options of FLUSHALL / FLUSHDB. */
export interface FlushOptions {
  /** `ASYNC` frees memory in a background thread; `SYNC` before replying. Default: the server's `lazyfree-lazy-user-flush`. */
  readonly mode?: "ASYNC" | "SYNC" | undefined
}

const pushFlushMode = (out: Array<RespArg>, options: FlushOptions): Array<RespArg> | InvalidOptions => {
  if (options.mode === undefined) return out
  if (options.mode !== "ASYNC" && options.mode !== "SYNC") return new InvalidOptions(`mode must be ASYNC or SYNC, got ${String(options.mode)}`)
  out.push(options.mode)
  return out
}

/** FLUSHALL [ASYNC|SYNC]: removes every key of every database (on a cluster: of every primary). */
export const flushall = defineCommand({
  name: "FLUSHALL", flags: write, keys: noKeys, reply: Replies.ok,
  args: (options: FlushOptions = {}) => pushFlushMode(["FLUSHALL"], options)
})

/** FLUSHDB [ASYNC|SYNC]: removes every key of the selected database (on a cluster: of every primary). */
export const flushdb = defineCommand({
  name: "FLUSHDB", flags: write, keys: noKeys, reply: Replies.ok,
  args: (options: FlushOptions = {}) => pushFlushMode(["FLUSHDB"], options)
})

/** SWAPDB index1 index2: swaps two databases (standalone only; a cluster has database 0 only). */
export const swapdb = defineCommand({
  name: "SWAPDB", flags: write, keys: noKeys, reply: Replies.ok,
  args: (index1: number, index2: number) =>
    integerAtLeast("index1", index1, 0) ?? integerAtLeast("index2", index2, 0) ?? ["SWAPDB", index1, index2]
})

// ---------------------------------------------------------------------------------------------------------------
// Introspection

const infoLine = (sections: string | ReadonlyArray<string> | undefined): Array<RespArg> => {
  const out: Array<RespArg> = ["INFO"]
  if (typeof sections === "string") out.push(sections)
  else if (sections !== undefined) out.push(...sections)
  return out
}

/**
 * INFO [section ...]: the server's information and statistics, parsed to {@link InfoSections} (section name in
 * lower case to its fields). No section means the default set; `"all"` / `"everything"` add more.
 */
export const info = defineCommand({
  name: "INFO", flags: replaySafe, keys: noKeys, reply: infoReply,
  args: (sections?: string | ReadonlyArray<string>) => infoLine(sections)
})

/** INFO [section ...]: the raw text of INFO. */
export const infoRaw = defineCommand({
  name: "INFO", flags: replaySafe, keys: noKeys, reply: Replies.string,
  args: (sections?: string | ReadonlyArray<string>) => infoLine(sections)
})

/** TIME: the server's clock, `{ seconds, microseconds }` (see {@link serverTimeToDate}). */
export const time = defineCommand({
  name: "TIME", flags: replaySafe, keys: noKeys, reply: timeReply,
  args: () => ["TIME"]
})

/** LASTSAVE: the Unix time (seconds) of the last successful save to disk. */
export const lastsave = defineCommand({
  name: "LASTSAVE", flags: replaySafe, keys: noKeys, reply: Replies.integer,
  args: () => ["LASTSAVE"]
})

/** ROLE: whether the server is a primary, a replica or a sentinel, with its replication state ({@link Role}). */
export const role = defineCommand({
  name: "ROLE", flags: replaySafe, keys: noKeys, reply: roleReply,
  args: () => ["ROLE"]
})

/** Options of LOLWUT. */
export interface LolwutOptions {
  /** Which version's art to draw. */
  readonly version?: number | undefined
}

/** LOLWUT [VERSION version]: computer art and the Redis version, as text. */
export const lolwut = defineCommand({
  name: "LOLWUT", flags: readonly, keys: noKeys, reply: Replies.string,
  args: (options: LolwutOptions = {}) =>
    options.version === undefined
      ? ["LOLWUT"]
      : integerAtLeast("version", options.version) ?? ["LOLWUT", "VERSION", options.version]
})

// ---------------------------------------------------------------------------------------------------------------
// Persistence

/** SAVE: saves the dataset to disk synchronously (blocks the server; prefer BGSAVE). */
export const save = defineCommand({
  name: "SAVE", flags: admin, keys: noKeys, reply: Replies.ok,
  args: () => ["SAVE"]
})

/** Options of BGSAVE. */
export interface BgsaveOptions {
  /** When an AOF rewrite is in progress, schedule the save for later instead of failing. */
  readonly schedule?: boolean | undefined
}

/** BGSAVE [SCHEDULE]: starts saving in the background; the server's status text (`Background saving started`...). */
export const bgsave = defineCommand({
  name: "BGSAVE", flags: admin, keys: noKeys, reply: Replies.status,
  args: (options: BgsaveOptions = {}) => (options.schedule === true ? ["BGSAVE", "SCHEDULE"] : ["BGSAVE"])
})

/** BGREWRITEAOF: starts rewriting the append-only file; the server's status text. */
export const bgrewriteaof = defineCommand({
  name: "BGREWRITEAOF", flags: admin, keys: noKeys, reply: Replies.status,
  args: () => ["BGREWRITEAOF"]
})

// ---------------------------------------------------------------------------------------------------------------
// Modules

/** MODULE LIST: the loaded modules ({@link ModuleInfo}). */
export const moduleList = defineCommand({
  name: "MODULE LIST", flags: admin | replaySafe, keys: noKeys, reply: moduleListReply,
  args: () => ["MODULE", "LIST"]
})

/** MODULE LOAD path [arg ...]: loads a module from a file on the server. */
export const moduleLoad = defineCommand({
  name: "MODULE LOAD", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (path: string, args: ReadonlyArray<RespArg> = []) => ["MODULE", "LOAD", path, ...args]
})

/** Options of MODULE LOADEX. */
export interface ModuleLoadexOptions {
  /** Module configuration values (`CONFIG name value ...`). */
  readonly configs?: Pairs | undefined
  /** Module arguments (`ARGS arg ...`). */
  readonly args?: ReadonlyArray<RespArg> | undefined
}

/** MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...]: loads a module with configuration and arguments. */
export const moduleLoadex = defineCommand({
  name: "MODULE LOADEX", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (path: string, options: ModuleLoadexOptions = {}) => {
    const out: Array<RespArg> = ["MODULE", "LOADEX", path]
    if (options.configs !== undefined) {
      const configs: Array<RespArg> = []
      pushPairs(configs, options.configs)
      for (let i = 0; i < configs.length; i += 2) out.push("CONFIG", configs[i]!, configs[i + 1]!)
    }
    if (options.args !== undefined && options.args.length > 0) out.push("ARGS", ...options.args)
    return out
  }
})

/** MODULE UNLOAD name: unloads a module. */
export const moduleUnload = defineCommand({
  name: "MODULE UNLOAD", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (name: string) => ["MODULE", "UNLOAD", name]
})

// ---------------------------------------------------------------------------------------------------------------
// Replication

/** REPLICAOF host port: makes the server a replica of another (standalone only). */
export const replicaof = defineCommand({
  name: "REPLICAOF", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (host: string, port: number) => integerAtLeast("port", port) ?? ["REPLICAOF", host, port]
})

/** REPLICAOF NO ONE: turns a replica into a primary (standalone only). */
export const replicaofNoOne = defineCommand({
  name: "REPLICAOF", flags: admin, keys: noKeys, reply: Replies.ok,
  args: () => ["REPLICAOF", "NO", "ONE"]
})

/** Options of FAILOVER. */
export interface FailoverOptions {
  /** The replica to promote; `force` promotes it at the timeout even if it has not caught up. */
  readonly to?: { readonly host: string; readonly port: number; readonly force?: boolean | undefined } | undefined
  /** Aborts a failover in progress (cannot be combined with the other options). */
  readonly abort?: boolean | undefined
  /** Milliseconds to wait for a replica to catch up before aborting (or forcing). */
  readonly timeout?: number | undefined
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: starts (or aborts) a coordinated failover to a replica. */
export const failover = defineCommand({
  name: "FAILOVER", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (options: FailoverOptions = {}) => {
    if (options.abort === true) {
      return options.to !== undefined || options.timeout !== undefined
        ? new InvalidOptions("abort cannot be combined with to or timeout")
        : ["FAILOVER", "ABORT"]
    }
    const out: Array<RespArg> = ["FAILOVER"]
    if (options.to !== undefined) {
      const problem = integerAtLeast("to.port", options.to.port)
      if (problem !== undefined) return problem
      out.push("TO", options.to.host, options.to.port)
      if (options.to.force === true) {
        if (options.timeout === undefined) return new InvalidOptions("to.force requires a timeout")
        out.push("FORCE")
      }
    }
    if (options.timeout !== undefined) {
      const problem = integerAtLeast("timeout", options.timeout)
      if (problem !== undefined) return problem
      out.push("TIMEOUT", options.timeout)
    }
    return out
  }
})

/**
 * WAIT numreplicas timeout: waits until every write sent before it on the client's connection reached
 * `numreplicas` replicas, or `timeoutMs` passed; the number of replicas that acknowledged them.
 *
 * WAIT counts acknowledgements of the writes of the connection it is sent on, so it runs on the client's shared
 * connection (a dedicated connection has written nothing: WAIT would return at once with every connected replica
 * counted). While it waits, the commands queued behind it on that connection wait too: keep `timeoutMs` short. Its
 * deadline is `timeoutMs` plus the client's `commandTimeout`. A timeout of 0 (wait forever) is refused, since it
 * would hold the shared connection forever. Standalone only: on a cluster use `RedisCluster.ensureReplication`.
 */
export const wait = defineCommand({
  name: "WAIT", flags: CommandFlags.connectionState, keys: noKeys, reply: Replies.integer,
  blockingTimeout: (args) => (typeof args[2] === "number" ? args[2] : undefined),
  args: (numreplicas: number, timeoutMs: number) =>
    integerAtLeast("numreplicas", numreplicas, 0) ?? integerAtLeast("timeoutMs", timeoutMs) ?? ["WAIT", numreplicas, timeoutMs]
})

// ---------------------------------------------------------------------------------------------------------------
// Shutdown

/** Options of SHUTDOWN. */
export interface ShutdownOptions {
  /** Do not save to disk, even with save points configured. */
  readonly nosave?: boolean | undefined
  /** Save to disk, even without save points. */
  readonly save?: boolean | undefined
  /** Do not wait for lagging replicas. */
  readonly now?: boolean | undefined
  /** Ignore errors that would prevent the shutdown (failing to save...). */
  readonly force?: boolean | undefined
  /** Cancels a shutdown in progress (cannot be combined with the other options). */
  readonly abort?: boolean | undefined
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: stops the server. When it stops, the connection closes without a
 * reply, so the command fails with a connection error; with `abort` the reply is OK (or an error when no shutdown
 * is in progress).
 */
export const shutdown = defineCommand({
  name: "SHUTDOWN", flags: admin, keys: noKeys, reply: Replies.ok,
  args: (options: ShutdownOptions = {}) => {
    const problem = atMostOne(options, ["nosave", "save"]) ??
      (options.abort === true && (options.nosave === true || options.save === true || options.now === true || options.force === true)
        ? new InvalidOptions("abort cannot be combined with nosave, save, now or force")
        : undefined)
    if (problem !== undefined) return problem
    const out: Array<RespArg> = ["SHUTDOWN"]
    if (options.nosave === true) out.push("NOSAVE")
    if (options.save === true) out.push("SAVE")
    if (options.now === true) out.push("NOW")
    if (options.force === true) out.push("FORCE")
    if (options.abort === true) out.push("ABORT")
    return out
  }
})
